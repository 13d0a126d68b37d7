//! Seed derivation: one function that turns a user's seed and a position (a step, an index, a
//! stream tag) into the seed of an independent random stream.
//!
//! [`mix`] is the SplitMix64 output finaliser (Steele, Lea & Flood 2014, "Fast splittable
//! pseudorandom number generators") applied to `seed ⊕ (a · φ) ⊕ rotl(b · c, 17)`, with `φ` the
//! 64-bit golden-ratio constant and `c` a second odd constant. Neighbouring seeds and neighbouring
//! positions map to unrelated outputs, so `seed + k` offsets never make two runs share a stream.
//! Every crate that derives per-item or per-stream seeds calls this one function, which is what
//! makes parallel work bit-identical across thread counts: the stream of item `i` depends only
//! on `(seed, step, i)`, never on which thread draws it.
//!
//! ```
//! use neurograd_tensor::seed::mix;
//! assert_eq!(mix(7, 0, 1), mix(7, 0, 1));
//! assert_ne!(mix(7, 0, 1), mix(8, 0, 1));
//! assert_ne!(mix(7, 0, 1), mix(7, 1, 0));
//! ```

/// SplitMix64 finaliser of `(seed, a, b)` (see the module docs): the seed of one random stream.
pub fn mix(seed: u64, a: u64, b: u64) -> u64 {
    let mut z = seed
        ^ a.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ b.wrapping_mul(0xD1B5_4A32_D192_ED03).rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::mix;

    /// Value stability: the first outputs are pinned, so a change of the mixing (which would
    /// change every seeded result of the workspace) fails here first.
    #[test]
    fn pinned_values() {
        // The finaliser applied to 0 is 0 (SplitMix64 has no additive constant in the finaliser).
        assert_eq!(mix(0, 0, 0), 0);
        // Value-stability pins, computed once with this code (2026-12): every seeded result of
        // the workspace depends on them, so they must never change.
        // mix(0, 1, 0) is the finaliser of φ = 0x9E3779B97F4A7C15, i.e. the first output of
        // SplitMix64 seeded with 0 (Vigna's reference splitmix64.c gives 0xE220A8397B1DCDAF), an
        // independent check of the finaliser constants and shifts.
        assert_eq!(mix(0, 1, 0), 0xE220_A839_7B1D_CDAF);
        assert_eq!(mix(1, 0, 0), 0x5692_161D_100B_05E5);
        // All three inputs and the rotation of `b` in play.
        assert_eq!(mix(42, 7, 3), 0x4ACB_4401_A99F_A4C7);
        let v = [mix(1, 0, 0), mix(0, 1, 0), mix(0, 0, 1)];
        assert!(v[0] != v[1] && v[1] != v[2] && v[0] != v[2]);
    }

    /// Avalanche: flipping one input bit flips half of the 64 output bits on average. For an
    /// ideal mixer each flip count is Binomial(64, 1/2) (sd 4), so the mean of 512 flips lies
    /// within 4 standard errors, 4 · 4/√512 ≈ 0.71, of 32 (measured 32.02).
    #[test]
    fn avalanche() {
        let mut total = 0u32;
        let n = 64 * 8;
        for s in 0..8u64 {
            for bit in 0..64 {
                total += (mix(s, 3, 5) ^ mix(s ^ (1 << bit), 3, 5)).count_ones();
            }
        }
        let mean = f64::from(total) / n as f64;
        let se = 4.0 / (n as f64).sqrt();
        assert!((mean - 32.0).abs() < 4.0 * se, "mean flipped bits {mean}");
    }
}
