//! Integration tests of neurograd-optim (one binary, one module per area).

mod blackbox;
mod common;
mod es;
mod functions;
mod gradient;
