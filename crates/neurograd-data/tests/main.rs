//! Integration tests of neurograd-data (one binary, modules per area).

mod bundled;
mod csv;
mod generators;
mod idx;
mod natural;
mod npy;
mod robustness;
mod stability;
