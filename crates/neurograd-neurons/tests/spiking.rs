//! Reference tests of the spiking models and the COBA/CUBA circuits.

mod adex;
mod brette;
mod hh;
mod izhikevich;
mod lif;
mod model;
mod poisson;
mod synapse;
