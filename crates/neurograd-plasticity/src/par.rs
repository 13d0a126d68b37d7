//! Parallel iteration: rayon's `into_par_iter` with the crate feature `parallel`
//! (default), the same calls on the calling thread without it. Every caller collects in index
//! order, so results are bit-identical either way.

#[cfg(feature = "parallel")]
pub(crate) use rayon::prelude::*;

/// Without `parallel`: `into_par_iter()` is `into_iter()`.
#[cfg(not(feature = "parallel"))]
pub(crate) trait IntoParallelIterator: IntoIterator + Sized {
    /// The sequential iterator.
    fn into_par_iter(self) -> Self::IntoIter {
        self.into_iter()
    }
}

#[cfg(not(feature = "parallel"))]
impl<I: IntoIterator> IntoParallelIterator for I {}
