//! Local plasticity rules: one file per rule, registered here.
