//! Integration tests of neurograd-data (one binary, modules per area).

mod bundled;
