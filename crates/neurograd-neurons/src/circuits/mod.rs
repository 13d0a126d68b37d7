//! Circuits built from the models of this crate.
