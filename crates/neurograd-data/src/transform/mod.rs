//! Transforms: stratified split, standardisation, min-max scaling, one-hot encoding, PCA/ZCA
//! whitening, a seeded mini-batch iterator and spike encoders ([`encode`]: Poisson rate and
//! latency codes).
//!
//! Scalers follow the fit-on-train, apply-to-test pattern: `fit` learns the statistics from one
//! matrix, `transform` applies them to any matrix with the same number of columns.
//!
//! ```
//! use neurograd_data::{bundled, transform};
//! let ds = bundled::digits()?;
//! let (train, test) = transform::stratified_split(&ds, 0.25, 42)?;
//! let scaler = transform::Standardizer::fit(&train.features)?;
//! let x_test = scaler.transform(&test.features)?;
//! assert_eq!(x_test.ncols(), 64);
//! let y = transform::one_hot(&train.labels, train.n_classes())?;
//! assert_eq!(y.nrows(), train.len());
//! for batch in transform::Batches::new(train.len(), 32, 7, false)? {
//!     assert!(batch.len() <= 32);
//! }
//! # Ok::<(), neurograd_data::DataError>(())
//! ```

mod batches;
pub mod encode;
mod one_hot;
mod scale;
mod split;
mod whitening;

pub use batches::Batches;
pub use one_hot::one_hot;
pub use scale::{MinMaxScaler, Standardizer};
pub use split::stratified_split;
pub use whitening::{Whitening, WhiteningKind};
