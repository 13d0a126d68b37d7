//! Integration tests of neurograd-plasticity (one binary, one module per area).

mod credit;
mod local;
mod recurrent_rate;
mod recurrent_spiking;
mod recurrent_train;
mod v1measures;
mod receptive;
