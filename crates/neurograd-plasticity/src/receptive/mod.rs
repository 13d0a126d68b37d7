//! Receptive fields learned from natural images: one file per learner.
//!
//! - [`sparse_coding`]: Olshausen & Field (1996/1997) with ISTA, FISTA or LCA inference.
//! - [`ica`]: symmetric FastICA (Hyvärinen 1999; Bell & Sejnowski 1997) and the PCA whitening
//!   shared by the whitened-space learners.
//! - [`isa`]: independent subspace analysis, pooled energies as complex cells (Hyvärinen & Hoyer
//!   2000).
//! - [`nonlinear_hebb`]: nonlinear Hebbian learning (Brito & Gerstner 2016).

pub mod ica;
pub mod isa;
pub mod nonlinear_hebb;
pub mod sparse_coding;
