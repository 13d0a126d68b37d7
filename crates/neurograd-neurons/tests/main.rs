//! Integration tests of neurograd-neurons (one binary, one module per area).

mod rate;
mod spiking;
