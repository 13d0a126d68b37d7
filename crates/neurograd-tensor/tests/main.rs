//! Integration tests of neurograd-tensor (one binary, one module per topic).

mod autodiff_ops;
mod common;
mod conv;
mod errors;
mod gemm;
mod geometry_props;
mod losses;
mod mlp_gradcheck;
mod similarity;
mod stability;
mod threads;
