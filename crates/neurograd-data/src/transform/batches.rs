//! A seeded, shuffled mini-batch index iterator.

use crate::rng;
use crate::{DataError, Result};

/// Shuffled mini-batches of sample indices, reproducible from a seed.
///
/// **Derivation (exact).** The order of epoch `e` is the permutation of `0..n_samples` produced by
/// [`rng::shuffle`] (Fisher–Yates, `j = index(i + 1)` for `i = n-1, ..., 1`) applied to
/// `[0, 1, ..., n-1]` with the stream `ChaCha8Rng::seed_from_u64(seed)` + `set_stream(e)`
/// ([`rng::stream`]). That order is cut into consecutive chunks of `batch_size`; the last, partial
/// chunk is kept unless `drop_last` is set. Epochs are therefore independent of each other and of
/// how many batches were consumed before: `epoch(e)` can be asked for directly.
///
/// As an [`Iterator`], a `Batches` yields the batches of its current epoch (initially 0) and then
/// ends; [`Batches::next_epoch`] moves to the next epoch and restarts iteration.
///
/// ```
/// use neurograd_data::transform::Batches;
/// let mut b = Batches::new(10, 4, 42, false)?;
/// let first: Vec<Vec<usize>> = b.by_ref().collect();
/// assert_eq!(first.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 4, 2]);
/// assert_eq!(first, b.epoch(0));
/// b.next_epoch();
/// assert_eq!(b.current_epoch(), 1);
/// assert_eq!(b.by_ref().count(), 3);
/// # Ok::<(), neurograd_data::DataError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Batches {
    n_samples: usize,
    batch_size: usize,
    seed: u64,
    drop_last: bool,
    epoch: u64,
    order: Vec<usize>,
    pos: usize,
}

impl Batches {
    /// Batches over `n_samples` indices, `batch_size` per batch, starting at epoch 0.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for `n_samples == 0`, `batch_size == 0`, or
    /// `drop_last` with `batch_size > n_samples` (no batch at all).
    pub fn new(n_samples: usize, batch_size: usize, seed: u64, drop_last: bool) -> Result<Batches> {
        if n_samples == 0 {
            return Err(DataError::invalid("n_samples", 0, "must be at least 1"));
        }
        if batch_size == 0 {
            return Err(DataError::invalid("batch_size", 0, "must be at least 1"));
        }
        if drop_last && batch_size > n_samples {
            return Err(DataError::invalid(
                "batch_size",
                batch_size,
                format!("exceeds n_samples = {n_samples} with drop_last, so no batch remains"),
            ));
        }
        let mut b = Batches {
            n_samples,
            batch_size,
            seed,
            drop_last,
            epoch: 0,
            order: Vec::new(),
            pos: 0,
        };
        b.set_epoch(0);
        Ok(b)
    }

    /// The sample order of epoch `e` (a permutation of `0..n_samples`).
    pub fn order(&self, e: u64) -> Vec<usize> {
        rng::permutation(&mut rng::stream(self.seed, e), self.n_samples)
    }

    /// All batches of epoch `e`.
    pub fn epoch(&self, e: u64) -> Vec<Vec<usize>> {
        let order = self.order(e);
        order
            .chunks(self.batch_size)
            .filter(|c| !self.drop_last || c.len() == self.batch_size)
            .map(<[usize]>::to_vec)
            .collect()
    }

    /// Number of batches per epoch.
    pub fn n_batches(&self) -> usize {
        if self.drop_last {
            self.n_samples / self.batch_size
        } else {
            self.n_samples.div_ceil(self.batch_size)
        }
    }

    /// The epoch the iterator is in.
    pub fn current_epoch(&self) -> u64 {
        self.epoch
    }

    /// Jumps to epoch `e` and restarts iteration at its first batch.
    pub fn set_epoch(&mut self, e: u64) {
        self.epoch = e;
        self.order = self.order(e);
        self.pos = 0;
    }

    /// Moves to the next epoch and restarts iteration.
    pub fn next_epoch(&mut self) {
        self.set_epoch(self.epoch.wrapping_add(1));
    }
}

impl Iterator for Batches {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        let rest = self.n_samples - self.pos;
        if rest == 0 || (self.drop_last && rest < self.batch_size) {
            return None;
        }
        let end = self.pos + rest.min(self.batch_size);
        let batch = self.order[self.pos..end].to_vec();
        self.pos = end;
        Some(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_every_index_once_per_epoch() {
        let b = Batches::new(103, 10, 9, false).unwrap();
        for e in 0..3 {
            let mut all: Vec<usize> = b.epoch(e).concat();
            all.sort_unstable();
            assert_eq!(all, (0..103).collect::<Vec<_>>());
        }
        assert_ne!(b.epoch(0), b.epoch(1));
        assert_eq!(b.n_batches(), 11);
    }

    #[test]
    fn drop_last_drops_partial() {
        let b = Batches::new(103, 10, 9, true).unwrap();
        let e = b.epoch(0);
        assert_eq!(e.len(), 10);
        assert!(e.iter().all(|x| x.len() == 10));
        assert_eq!(b.n_batches(), 10);
        assert_eq!(b.clone().count(), 10);
    }

    #[test]
    fn rejects_bad_arguments() {
        assert!(matches!(
            Batches::new(0, 1, 0, false),
            Err(DataError::InvalidParameter {
                name: "n_samples",
                ..
            })
        ));
        assert!(matches!(
            Batches::new(5, 0, 0, false),
            Err(DataError::InvalidParameter {
                name: "batch_size",
                ..
            })
        ));
        assert!(matches!(
            Batches::new(5, 6, 0, true),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(Batches::new(5, 6, 0, false).is_ok());
    }
}
