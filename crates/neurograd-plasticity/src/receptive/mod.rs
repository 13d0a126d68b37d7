//! Receptive fields: learners of V1-like filters from natural images, and the measures of how much
//! the learned filters look like V1 simple and complex cells.
//!
//! Learners, one file each with its theory:
//! - [`sparse_coding`]: Olshausen & Field (1996/1997) with ISTA, FISTA or LCA inference.
//! - [`ica`]: symmetric FastICA (Hyvärinen 1999; Bell & Sejnowski 1997) and the PCA whitening
//!   shared by the whitened-space learners.
//! - [`isa`]: independent subspace analysis, pooled energies as complex cells (Hyvärinen & Hoyer
//!   2000).
//! - [`nonlinear_hebb`]: nonlinear Hebbian learning (Brito & Gerstner 2016).
//!
//! Measures:
//! - [`gabor`]: the 2-D Gabor model of simple-cell receptive fields (Jones & Palmer 1987) and a
//!   bounded multi-start Levenberg–Marquardt fitter with `R^2`;
//! - [`v1stats`]: per-filter V1 statistics (Ringach's 2002 `(nx, ny)`, orientation, spatial
//!   frequency, bandwidths from grating tuning curves), the localisation test, orientation and
//!   frequency coverage, the vendored Ringach (2002) `(nx, ny)` histogram, and the complex-cell
//!   measures (phase invariance of pooled energies, F1/F0).

pub mod gabor;
pub mod ica;
pub mod isa;
pub mod nonlinear_hebb;
pub mod sparse_coding;
pub mod v1stats;
