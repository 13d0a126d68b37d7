//! OpenAI-ES (Salimans et al. 2017) as a credit-assignment algorithm: a black-box estimate of the
//! loss gradient from antithetic Gaussian perturbations of the flattened network parameters,
//! registered as `es` so the same training loop, optimizer (Adam, as in the paper) and
//! cosine-to-backprop measurement apply to it as to every other algorithm.
//!
//! For parameters `θ ∈ R^D` (the [`Network::params`] flattened column-major by
//! [`geometry::flatten`]), population `n` (even) and noise scale `σ`, with `n/2` antithetic pairs
//! `ε_i ~ N(0, I_D)` and batch losses `L(θ ± σ ε_i)`, the update is
//!
//! ```text
//! ĝ = 1/(n σ) Σ_i (F_i⁺ - F_i⁻) ε_i
//! ```
//!
//! where `F` are the centred ranks of the `n` losses ([`centred_ranks`]: values in `[-0.5, 0.5]`,
//! rank 0 = smallest loss). `ĝ` estimates (up to a positive scale set by the rank shaping) the
//! gradient of the Gaussian-smoothed loss `E[L(θ + σ ε)]`, so an optimizer descends along it; for a
//! smooth loss and small `σ` its expected cosine with the true gradient grows with `n` roughly as
//! `sqrt(n / (n + D + 1))` (theory.md section 14, without rank shaping).
//!
//! Noise: pair `i` of training step `s` is drawn from
//! `ChaCha8Rng::seed_from_u64(seed::mix(seed, s, i))` ([`neurograd_tensor::seed::mix`]), so the
//! update is a pure function of `(seed, s, θ, batch)`, independent of the thread count (pairs are
//! evaluated in parallel with rayon and reduced in index order). The training loop positions `s`
//! with [`CreditAssignment::set_step`] before each batch, so a resumed run draws the same noise;
//! called directly, each [`CreditAssignment::updates_into`] uses the current step and advances it.

use neurograd_optim::blackbox::centred_ranks;
use neurograd_tensor::geometry::{self, flatten};
use neurograd_tensor::{Matrix, Real, Vector, seed};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use crate::par::*;
use serde::{Deserialize, Serialize};

use super::{CreditAssignment, Diagnostics, Network, Updates};
use crate::{PlasticityError, Result};

/// Hyperparameters of [`EvolutionStrategy`] (its Adam learning rate, 0.01, is the registry's
/// [`AlgorithmInfo::learning_rate`](super::AlgorithmInfo::learning_rate)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EsConfig {
    /// Population size `n` (even, >= 2): `n/2` antithetic pairs per update.
    pub population: usize,
    /// Noise scale `σ` (> 0, finite).
    pub sigma: Real,
}

impl Default for EsConfig {
    /// `n = 100`, `σ = 0.02` (the values behind the `compare` numbers of docs/benchmarks.md).
    fn default() -> Self {
        Self {
            population: 100,
            sigma: 0.02,
        }
    }
}

/// OpenAI-ES as a credit-assignment algorithm (see the module docs).
#[derive(Debug, Clone)]
pub struct EvolutionStrategy {
    config: EsConfig,
    seed: u64,
    step: u64,
}

impl EvolutionStrategy {
    /// A strategy with noise seed `seed`, at step 0.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] named `population` for an odd population or one
    /// below 2, named `sigma` for a `σ` that is not positive and finite.
    pub fn new(config: EsConfig, seed: u64) -> Result<Self> {
        if config.population < 2 || !config.population.is_multiple_of(2) {
            return Err(PlasticityError::InvalidParameter {
                name: "population",
                value: config.population.to_string(),
                reason: "must be even and at least 2 (antithetic pairs)".into(),
            });
        }
        if !(config.sigma.is_finite() && config.sigma > 0.0) {
            return Err(PlasticityError::InvalidParameter {
                name: "sigma",
                value: config.sigma.to_string(),
                reason: "must be positive and finite".into(),
            });
        }
        Ok(Self {
            config,
            seed,
            step: 0,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &EsConfig {
        &self.config
    }

    /// The step whose noise the next [`CreditAssignment::updates_into`] draws.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// The ES update at `net` on batch `(x, t)` for the noise of step `step`, laid out like
    /// [`Network::params`], and the batch loss at `θ`.
    ///
    /// # Errors
    /// Shape and finiteness errors of the batch (from [`Network::loss_value`]).
    pub fn estimate(
        &self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        step: u64,
    ) -> Result<(Vec<Matrix>, Real)> {
        let shapes = geometry::shapes(net.params());
        let theta = flatten(net.params());
        let d = theta.len();
        let pairs = self.config.population / 2;
        let sigma = self.config.sigma;
        let base = net.loss_value(x, t)?;
        let evals: Vec<Result<(Vec<Real>, Real, Real)>> = (0..pairs)
            .into_par_iter()
            .map(|i| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed::mix(self.seed, step, i as u64));
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
        Ok((geometry::unflatten(&Vector::from_vec(g), &shapes)?, base))
    }
}

impl CreditAssignment for EvolutionStrategy {
    fn name(&self) -> &'static str {
        "es"
    }

    fn supports_conv(&self) -> bool {
        true
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        let (g, loss) = self.estimate(net, x, t, self.step)?;
        self.step = self.step.wrapping_add(1);
        out.grads = g;
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }

    fn set_step(&mut self, step: u64) {
        self.step = step;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credit::{Backprop, Loss};
    use neurograd_tensor::Activation;

    fn setup() -> (Network, Matrix, Matrix) {
        let net = Network::new(
            &[4, 5, 3],
            Activation::Relu,
            Activation::Identity,
            Loss::SoftmaxCrossEntropy,
            7,
        )
        .unwrap();
        let x = Matrix::from_fn(6, 4, |i, j| ((i * 4 + j) as f64 * 0.7).sin());
        let t = Matrix::from_fn(6, 3, |i, j| if i % 3 == j { 1.0 } else { 0.0 });
        (net, x, t)
    }

    /// Value stability: the ES update on a fixed network, batch and seed. The numbers were printed
    /// by the facade's implementation (`neurograd::es`, test `es::pin::estimate_is_pinned` of
    /// commit f83d108) before OpenAI-ES moved here; the moved code reproduces them bit for bit
    /// (same noise streams, same rank shaping, same reduction order).
    #[test]
    fn estimate_is_pinned_to_the_facade_implementation() {
        let (net, x, t) = setup();
        let es = EvolutionStrategy::new(EsConfig::default(), 11).unwrap();
        let (g, loss) = es.estimate(&net, &x, &t, 0).unwrap();
        assert_eq!(loss, 0.949115161508406);
        assert_eq!(
            &g[0].as_slice()[..4],
            &[
                1.837434302903246,
                -0.557132311774439,
                -0.10824221587932481,
                1.4160071918628252
            ]
        );
        assert_eq!(
            g[3].as_slice(),
            &[
                -6.0504325409863515,
                -3.2131072558354874,
                -0.2640879605369591
            ]
        );
        let (g, _) = es.estimate(&net, &x, &t, 3).unwrap();
        assert_eq!(
            &g[0].as_slice()[..4],
            &[
                -0.5406739884186983,
                -0.040390310177589483,
                -0.29641984909809727,
                -2.7638992181760615
            ]
        );
        assert_eq!(
            g[3].as_slice(),
            &[-4.3852239716907135, 0.9039842405592843, 0.595974617980424]
        );
    }

    /// `updates_into` draws the noise of the current step and advances it; `set_step` positions
    /// it (what the training loop does before each batch, and on resume).
    #[test]
    fn updates_follow_the_step() {
        let (net, x, t) = setup();
        let mut es = EvolutionStrategy::new(EsConfig::default(), 11).unwrap();
        let (g3, _) = es.estimate(&net, &x, &t, 3).unwrap();
        let (g4, _) = es.estimate(&net, &x, &t, 4).unwrap();
        es.set_step(3);
        let u = es.updates(&net, &x, &t).unwrap();
        assert_eq!(u.grads, g3);
        assert_eq!(es.step(), 4);
        let u = es.updates(&net, &x, &t).unwrap();
        assert_eq!(u.grads, g4);
        assert_ne!(g3, g4);
    }

    /// With a small `σ` and a large population the update points along the backprop gradient
    /// (cosine well above 0); negative control: the estimate is not the gradient (cosine below 1,
    /// sampling noise remains), and a different noise step gives a different estimate.
    #[test]
    fn update_is_aligned_with_the_gradient() {
        let (net, x, t) = setup();
        let es = EvolutionStrategy::new(
            EsConfig {
                population: 2000,
                sigma: 1e-3,
            },
            1,
        )
        .unwrap();
        let (g, _) = es.estimate(&net, &x, &t, 0).unwrap();
        let bp = Backprop::new().updates(&net, &x, &t).unwrap();
        let c = geometry::cosine_params(&g, &bp.grads).unwrap();
        // D = 4*5 + 5 + 5*3 + 3 = 43, n = 2000: sqrt(n / (n + D + 1)) = 0.989 without rank
        // shaping; the ranks lose some of it.
        assert!(c > 0.8, "cosine {c}");
        assert!(c < 0.9999, "cosine {c}");
    }

    #[test]
    fn config_is_validated() {
        for population in [0, 1, 3, 101] {
            let r = EvolutionStrategy::new(
                EsConfig {
                    population,
                    ..EsConfig::default()
                },
                0,
            );
            assert!(
                matches!(
                    r,
                    Err(PlasticityError::InvalidParameter {
                        name: "population",
                        ..
                    })
                ),
                "{population}: {r:?}"
            );
        }
        for sigma in [0.0, -0.1, Real::NAN, Real::INFINITY] {
            let r = EvolutionStrategy::new(
                EsConfig {
                    sigma,
                    ..EsConfig::default()
                },
                0,
            );
            assert!(
                matches!(
                    r,
                    Err(PlasticityError::InvalidParameter { name: "sigma", .. })
                ),
                "{sigma}: {r:?}"
            );
        }
        assert!(EvolutionStrategy::new(EsConfig::default(), 0).is_ok());
    }

    /// A batch that does not fit the network is the network's shape error, not a squeezed one.
    #[test]
    fn bad_batch_is_a_shape_error() {
        let (net, _, t) = setup();
        let x = Matrix::zeros(6, 5);
        let mut es = EvolutionStrategy::new(EsConfig::default(), 0).unwrap();
        let r = es.updates(&net, &x, &t);
        assert!(
            matches!(r, Err(PlasticityError::ShapeMismatch { .. })),
            "{r:?}"
        );
    }
}
