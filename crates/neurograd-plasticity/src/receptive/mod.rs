//! Receptive fields: measuring how much learned filters look like V1 simple and complex cells.
//!
//! - [`gabor`]: the 2-D Gabor model of simple-cell receptive fields (Jones & Palmer 1987) and a
//!   bounded multi-start Levenberg–Marquardt fitter with `R^2`;
//! - [`v1stats`]: per-filter V1 statistics (Ringach's 2002 `(nx, ny)`, orientation, spatial
//!   frequency, bandwidths from grating tuning curves), the localisation test, orientation and
//!   frequency coverage, the vendored Ringach (2002) `(nx, ny)` histogram, and the complex-cell
//!   measures (phase invariance of pooled energies, F1/F0).
//!
//! The receptive-field learners (sparse coding, ICA, ISA, nonlinear Hebbian) live beside them,
//! one file each, and are measured with these functions.

pub mod gabor;
pub mod v1stats;
