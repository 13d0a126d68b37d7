//! Circuits built from the models of this crate.

pub mod balanced;
pub mod brette2007;
pub mod macaque;
