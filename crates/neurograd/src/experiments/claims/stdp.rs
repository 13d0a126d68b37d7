//! Claim 10's correlation part (Kempter, Gerstner & van Hemmen 1999; Song, Miller & Abbott 2000):
//! pair STDP driven by *correlated* inputs, where the spike-timing term does work the rate term
//! cannot. `n` Poisson inputs at `ν` in two equal groups; the correlated group is built by
//! shared-source mixing (each input copies a common Poisson train with probability `sqrt(c)`,
//! otherwise spikes independently; pairs within the group then coincide at rate `cν`). The output
//! is a linear Poisson neuron, `ν_out(t) = ν0 + Σ_j w x_j(t)`, `x_j` the exponential EPSP trace
//! (`τ_ε = 5` ms) of input `j`, so every input spike causes `w` extra output spikes on average,
//! after it. Weights are held at `w` and the STDP drift (additive, all-to-all, Song et al.
//! parameters `A+ = 0.005`, `A- = 1.05 A+`, `τ± = 20` ms) is accumulated per synapse in steps of
//! `dt = 1` ms (the output spike of a step is drawn before the step's input spikes: a causal lag
//! of at least one step).
//!
//! Prediction (the correlation term of KGvH 1999, discretised as simulated): the correlated
//! group's mean drift exceeds the uncorrelated group's by
//! `(n/2 - 1) w c ν A+ (dt/τ_ε) q/(1 - q)` per second, `q = exp(-dt (1/τ_ε + 1/τ+))`; the rate
//! and spike-triggered terms are the same in both groups. Negative control: `c = 0`.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Sizes of the correlated-input experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct StdpSizes {
    /// Independent runs (seeds).
    pub runs: usize,
    /// Simulated seconds per run.
    pub seconds: f64,
    /// Repeats of 100 s of the rate-part drift measurements (pair and triplet STDP).
    pub rate_runs: usize,
}

impl StdpSizes {
    /// The CLI's sizes: 10 runs of 200 s; rate part 10 × 100 s.
    pub fn full() -> Self {
        Self {
            runs: 10,
            seconds: 200.0,
            rate_runs: 10,
        }
    }

    /// The unit test's sizes: 5 runs of 40 s; rate part 3 × 100 s.
    pub fn small() -> Self {
        Self {
            runs: 5,
            seconds: 40.0,
            rate_runs: 3,
        }
    }
}

/// Inputs.
pub const N_INPUTS: usize = 100;
/// Input rate (Hz).
pub const NU: f64 = 10.0;
/// Spontaneous output rate (Hz).
pub const NU0: f64 = 10.0;
/// Fixed weight (extra output spikes per input spike).
pub const W: f64 = 0.02;
/// Correlation of the correlated group.
pub const C: f64 = 0.1;
const DT: f64 = 1e-3;
const TAU_EPS: f64 = 5e-3;
const TAU: f64 = 20e-3;
const A_PLUS: f64 = 0.005;
const A_MINUS: f64 = 1.05 * A_PLUS;

/// The predicted correlated-minus-uncorrelated drift per second (module docs).
pub fn predicted_difference(c: f64) -> f64 {
    let q = (-DT * (1.0 / TAU_EPS + 1.0 / TAU)).exp();
    (N_INPUTS as f64 / 2.0 - 1.0) * W * c * NU * A_PLUS * (DT / TAU_EPS) * q / (1.0 - q)
}

/// One run: the per-second mean drift of the correlated and the uncorrelated group, and the
/// output rate.
pub fn run(c: f64, seconds: f64, seed: u64) -> (f64, f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = || rand::RngExt::random::<f64>(&mut rng);
    let half = N_INPUTS / 2;
    let sc = c.sqrt();
    let p_common = NU * DT;
    // Independent part so that the rate stays NU: P(spike) = sc p + (1 - sc p) p_ind = p.
    let p_ind = (NU * DT * (1.0 - sc)) / (1.0 - sc * NU * DT);
    let (de, dp, dm) = ((-DT / TAU_EPS).exp(), (-DT / TAU).exp(), (-DT / TAU).exp());
    let mut x = vec![0.0; N_INPUTS];
    let mut a = vec![0.0; N_INPUTS];
    let mut dw = vec![0.0; N_INPUTS];
    let mut b = 0.0;
    let mut drive = 0.0; // Σ_j w x_j
    let steps = (seconds / DT).round() as usize;
    let mut post_count = 0usize;
    for _ in 0..steps {
        drive *= de;
        for (xj, aj) in x.iter_mut().zip(a.iter_mut()) {
            *xj *= de;
            *aj *= dp;
        }
        b *= dm;
        // Output spike from past inputs.
        if u() < (NU0 + drive) * DT {
            post_count += 1;
            for (d, aj) in dw.iter_mut().zip(&a) {
                *d += A_PLUS * aj;
            }
            b += 1.0;
        }
        // Input spikes.
        let common = u() < p_common;
        for j in 0..N_INPUTS {
            let spike = if j < half {
                (common && u() < sc) || u() < p_ind
            } else {
                u() < NU * DT
            };
            if spike {
                dw[j] -= A_MINUS * b;
                a[j] += 1.0;
                x[j] += 1.0 / TAU_EPS;
                drive += W / TAU_EPS;
            }
        }
    }
    let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64 / seconds;
    (
        mean(&dw[..half]),
        mean(&dw[half..]),
        post_count as f64 / seconds,
    )
}

/// Mean and standard error over runs of the correlated-minus-uncorrelated drift, the mean
/// uncorrelated drift and the mean output rate.
pub fn difference(c: f64, sizes: &StdpSizes, seed: u64) -> (f64, f64, f64, f64) {
    let rs: Vec<(f64, f64, f64)> = (0..sizes.runs)
        .map(|r| {
            run(
                c,
                sizes.seconds,
                seed.wrapping_mul(1000).wrapping_add(r as u64),
            )
        })
        .collect();
    let d: Vec<f64> = rs.iter().map(|(a, b, _)| a - b).collect();
    let n = d.len() as f64;
    let m = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let unc = rs.iter().map(|r| r.1).sum::<f64>() / n;
    let rate = rs.iter().map(|r| r.2).sum::<f64>() / n;
    (m, (var / n).sqrt(), unc, rate)
}
