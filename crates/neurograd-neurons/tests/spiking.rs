//! Reference tests of the spiking models and the COBA/CUBA circuits.

mod brette;
mod izhikevich;
mod lif;
