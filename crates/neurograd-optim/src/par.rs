//! Parallel iteration: rayon's `into_par_iter` / `par_iter` with the crate feature `parallel`
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

/// Without `parallel`: `par_iter()` on a slice is `iter()`.
#[cfg(not(feature = "parallel"))]
pub(crate) trait ParallelSlice<T> {
    /// The sequential iterator.
    fn par_iter(&self) -> std::slice::Iter<'_, T>;
}

#[cfg(not(feature = "parallel"))]
impl<T> ParallelSlice<T> for [T] {
    fn par_iter(&self) -> std::slice::Iter<'_, T> {
        self.iter()
    }
}
