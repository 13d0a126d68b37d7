//! Reference tests of the spiking models and the COBA/CUBA circuits.
