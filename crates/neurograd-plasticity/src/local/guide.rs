//! The contributor guide `docs/adding-a-rule.md`, included here so that its worked example is
//! compiled and run as a doctest.
#![doc = include_str!("../../docs/adding-a-rule.md")]
