//! Reference tests of the rate models and rate circuits (balanced amplification, macaque).

mod balanced;
mod macaque;
mod network;
