//! Circuits built from the models of this crate.

pub mod balanced;
pub mod brette2007;
mod brette_engine;
pub mod macaque;
