//! Property tests of the local rules: every item of the theory checklist that concerns them
//! (theory.md §1-6, 11, 15). Each test names the claim and its source.
//!
//! The submodules live in `tests/local/`; explicit paths make this file work both as a module of
//! `tests/main.rs` and as its own test target. New rules need no line here: `conformance` iterates
//! the registry (`neurograd_plasticity::local::RULES`).

#[path = "local/common.rs"]
mod common;
#[path = "local/conformance.rs"]
mod conformance;
#[path = "local/dense.rs"]
mod dense;
#[path = "local/errors.rs"]
mod errors;
#[path = "local/hopfield.rs"]
mod hopfield;
#[path = "local/pca.rs"]
mod pca;
#[path = "local/spikes.rs"]
mod spikes;
