//! The evolution strategy `es` that `compare` trains a network with: OpenAI-ES (Salimans et al.
//! 2017) on the flattened network parameters, as a [`CreditAssignment`] so the same loop, the
//! same optimizer (Adam, as in the paper) and the same cosine-to-backprop measurement apply.
//!
//! For parameters `θ ∈ R^D`, population `n` (even) and noise scale `σ`, with `n/2` antithetic
//! pairs `ε_i ~ N(0, I_D)` and batch losses `L(θ ± σ ε_i)`, the estimate is
//!
//! ```text
//! ĝ = 1/(n σ) Σ_i (F_i⁺ - F_i⁻) ε_i
//! ```
//!
//! where `F` are the centred ranks of the `n` losses (values in `[-0.5, 0.5]`, rank 0 = smallest
//! loss). `ĝ` estimates (up to a positive scale set by the rank shaping) the gradient of the
//! Gaussian-smoothed loss `E[L(θ + σ ε)]`, so an optimizer descends along it; for a smooth loss and
//! small `σ` its expected cosine with the true gradient grows with `n` roughly as
//! `sqrt(n / (n + D + 1))` (theory.md section 14, without rank shaping).
//!
//! Noise: the pair `i` of step `s` is drawn from `ChaCha8Rng::seed_from_u64(mix(seed, s, i))`, so
//! the estimate is a pure function of `(seed, step, θ, batch)`, independent of the thread count
//! (pairs are evaluated in parallel with rayon and reduced in index order).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::plasticity::credit::{CreditAssignment, Diagnostics, Network, Updates};
use crate::tensor::{Matrix, Real};
use crate::{Error, Result};

/// Registry name of the evolution strategy in `compare`.
pub const NAME: &str = "es";

/// Hyperparameters of [`EvolutionStrategy`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EsConfig {
    /// Population size `n` (even, >= 2).
    pub population: usize,
    /// Noise scale `σ` (> 0).
    pub sigma: Real,
    /// Adam learning rate used by the training loop.
    pub learning_rate: Real,
}

impl Default for EsConfig {
    /// `n = 100`, `σ = 0.02`, Adam learning rate `0.01`.
    fn default() -> Self {
        Self {
            population: 100,
            sigma: 0.02,
            learning_rate: 0.01,
        }
    }
}

/// SplitMix64 finaliser of `(seed, step, index)`: the seed of one noise draw.
pub fn mix(seed: u64, step: u64, index: u64) -> u64 {
    let mut z = seed
        ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03).rotate_left(17);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Centred ranks of `values` (Salimans et al. 2017): rank `r` (0 = smallest) maps to
/// `r / (n - 1) - 0.5`; ties are broken by index.
pub fn centred_ranks(values: &[Real]) -> Vec<Real> {
    let n = values.len();
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; n];
    for (r, &i) in idx.iter().enumerate() {
        out[i] = if n > 1 {
            r as Real / (n - 1) as Real - 0.5
        } else {
            0.0
        };
    }
    out
}

/// OpenAI-ES as a credit-assignment "algorithm" (see the module docs).
#[derive(Debug, Clone)]
pub struct EvolutionStrategy {
    config: EsConfig,
    seed: u64,
    step: Arc<AtomicU64>,
}

impl EvolutionStrategy {
    /// A strategy with noise seed `seed`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an odd or too small population or a non-positive `σ`.
    pub fn new(config: EsConfig, seed: u64) -> Result<Self> {
        if config.population < 2 || !config.population.is_multiple_of(2) {
            return Err(Error::invalid(
                "population",
                config.population,
                "must be even and >= 2",
            ));
        }
        if !(config.sigma.is_finite() && config.sigma > 0.0) {
            return Err(Error::invalid(
                "sigma",
                config.sigma,
                "must be positive and finite",
            ));
        }
        Ok(Self {
            config,
            seed,
            step: Arc::new(AtomicU64::new(0)),
        })
    }

    /// A handle to the step counter that selects the noise stream (the trainer sets it before each
    /// batch so a resumed run draws the same noise).
    pub fn step_handle(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.step)
    }

    /// The configuration.
    pub fn config(&self) -> &EsConfig {
        &self.config
    }

    /// The ES gradient estimate at `net` on batch `(x, t)` for noise stream `step`, and the
    /// batch loss at `θ`.
    ///
    /// # Errors
    /// Shape errors from the network.
    pub fn estimate(
        &self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        step: u64,
    ) -> Result<(Vec<Matrix>, Real)> {
        let shapes: Vec<(usize, usize)> = net.params().iter().map(|m| m.shape()).collect();
        let theta: Vec<Real> = net
            .params()
            .iter()
            .flat_map(|m| m.iter().copied())
            .collect();
        let d = theta.len();
        let pairs = self.config.population / 2;
        let sigma = self.config.sigma;
        let base = net.loss_value(x, t)?;
        let evals: Vec<Result<(Vec<Real>, Real, Real)>> = (0..pairs)
            .into_par_iter()
            .map(|i| {
                let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, step, i as u64));
                let eps: Vec<Real> = (0..d).map(|_| StandardNormal.sample(&mut rng)).collect();
                let mut probe = net.clone();
                let set = |sign: Real, probe: &mut Network| {
                    let mut k = 0;
                    for m in probe.param_slices_mut() {
                        for v in m.iter_mut() {
                            *v = theta[k] + sign * sigma * eps[k];
                            k += 1;
                        }
                    }
                };
                set(1.0, &mut probe);
                let lp = probe.loss_value(x, t)?;
                set(-1.0, &mut probe);
                let lm = probe.loss_value(x, t)?;
                Ok((eps, lp, lm))
            })
            .collect();
        let evals = evals.into_iter().collect::<Result<Vec<_>>>()?;
        let losses: Vec<Real> = evals.iter().flat_map(|e| [e.1, e.2]).collect();
        let ranks = centred_ranks(&losses);
        let mut g = vec![0.0; d];
        for (i, (eps, _, _)) in evals.iter().enumerate() {
            let w = (ranks[2 * i] - ranks[2 * i + 1]) / (self.config.population as Real * sigma);
            for (gk, ek) in g.iter_mut().zip(eps) {
                *gk += w * ek;
            }
        }
        let mut out = Vec::with_capacity(shapes.len());
        let mut k = 0;
        for (r, c) in shapes {
            out.push(Matrix::from_column_slice(r, c, &g[k..k + r * c]));
            k += r * c;
        }
        Ok((out, base))
    }
}

impl CreditAssignment for EvolutionStrategy {
    fn name(&self) -> &'static str {
        NAME
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> crate::plasticity::Result<()> {
        let step = self.step.load(Ordering::Relaxed);
        let (g, loss) = self.estimate(net, x, t, step).map_err(|e| match e {
            Error::Plasticity(p) => p,
            other => crate::plasticity::PlasticityError::InvalidParameter {
                name: "es",
                value: String::new(),
                reason: other.to_string(),
            },
        })?;
        out.grads = g;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centred_ranks_span_minus_half_to_half() {
        assert_eq!(centred_ranks(&[3.0, 1.0, 2.0]), vec![0.5, -0.5, 0.0]);
    }

    #[test]
    fn config_is_validated() {
        assert!(
            EvolutionStrategy::new(
                EsConfig {
                    population: 3,
                    ..EsConfig::default()
                },
                0
            )
            .is_err()
        );
        assert!(
            EvolutionStrategy::new(
                EsConfig {
                    sigma: 0.0,
                    ..EsConfig::default()
                },
                0
            )
            .is_err()
        );
    }
}
