//! The random primitives every seeded function of this crate is built from.
//!
//! All randomness in `neurograd-data` comes from [`ChaCha8Rng`] (the workspace's canonical
//! generator) through the four primitives below, written here rather than taken from `rand`'s
//! distributions so that the bit-exact outputs depend only on the ChaCha8 stream, which is fixed
//! by its specification (Bernstein 2008), and not on the sampling algorithms of a `rand` version:
//!
//! - [`uniform`]: `u = (next_u64() >> 11) * 2^-53`, uniform on `[0, 1)` with 53 random bits;
//! - [`index`]: `j = floor(next_u64() * n / 2^64)` (Lemire 2019, multiply-shift without
//!   rejection; the bias is at most `n / 2^64`, far below anything measurable);
//! - [`normal`]: Box–Muller (Box & Muller 1958), `z = sqrt(-2 ln(1 - u1)) cos(2 pi u2)` with
//!   two fresh uniforms per draw (the sine partner is discarded so the stream stays stateless);
//! - [`shuffle`]: Fisher–Yates (Durstenfeld 1964) from the last position down, `j = index(i + 1)`.
//!
//! A stream for a `(seed, k)` pair is `ChaCha8Rng::seed_from_u64(seed)` followed by
//! `set_stream(k)` ([`stream`]).

use rand::{Rng, SeedableRng};
pub use rand_chacha::ChaCha8Rng;

/// The ChaCha8 stream for `(seed, k)`: `ChaCha8Rng::seed_from_u64(seed)` then `set_stream(k)`.
pub fn stream(seed: u64, k: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(k);
    rng
}

/// A uniform draw on `[0, 1)`: `(next_u64() >> 11) * 2^-53`.
#[inline]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform index in `0..n` by Lemire's multiply-shift: `floor(next_u64() * n / 2^64)`.
/// Returns 0 when `n == 0`.
#[inline]
pub fn index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    ((u128::from(rng.next_u64()) * n as u128) >> 64) as usize
}

/// A standard normal draw by Box–Muller: `sqrt(-2 ln(1 - u1)) cos(2 pi u2)`.
#[inline]
pub fn normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let u1 = uniform(rng);
    let u2 = uniform(rng);
    (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// Fisher–Yates shuffle in place: for `i = len-1, ..., 1`, swap `v[i]` with `v[index(i + 1)]`.
pub fn shuffle<T, R: Rng + ?Sized>(rng: &mut R, v: &mut [T]) {
    for i in (1..v.len()).rev() {
        let j = index(rng, i + 1);
        v.swap(i, j);
    }
}

/// A uniformly shuffled permutation of `0..n`.
pub fn permutation<R: Rng + ?Sized>(rng: &mut R, n: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    shuffle(rng, &mut v);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_in_unit_interval_and_index_in_range() {
        let mut rng = stream(1, 0);
        for _ in 0..10_000 {
            let u = uniform(&mut rng);
            assert!((0.0..1.0).contains(&u));
            assert!(index(&mut rng, 7) < 7);
        }
    }

    /// Box–Muller gives mean 0 and variance 1 (checked at 5 standard errors for n = 20000).
    #[test]
    fn normal_moments() {
        let mut rng = stream(2, 0);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 5.0 / (n as f64).sqrt());
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt());
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4).map(|_| stream(3, 0).next_u64()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        assert_ne!(stream(3, 0).next_u64(), stream(3, 1).next_u64());
    }

    #[test]
    fn permutation_is_a_permutation() {
        let mut rng = stream(4, 0);
        let mut p = permutation(&mut rng, 100);
        p.sort_unstable();
        assert_eq!(p, (0..100).collect::<Vec<_>>());
    }
}
