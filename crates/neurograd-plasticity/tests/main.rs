//! Integration tests of neurograd-plasticity (one binary, one module per area).

mod credit;
mod local;
mod receptive;
mod recurrent_rate;
mod recurrent_spiking;
mod recurrent_train;
mod v1_learners;
mod v1measures;
