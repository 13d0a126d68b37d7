//! Randman: spike-timing-only classification on smooth random manifolds (Zenke & Vogels 2021).

use super::{SequenceSet, SequenceTarget, check_dt, check_elements};
use crate::generators::check_count;
use crate::rng::{self, uniform};
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};
use std::f64::consts::TAU;

/// Parameters of the Randman spiking dataset. Defaults: the setting of the reference's test 14
/// (10 classes, 20 input units, manifold dimension `D = 1`, smoothness `alpha = 2`, 1000 samples
/// per class, 100 steps; `prec = 1e-3` so `K = 32` frequencies; no bias term; one spike per unit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandmanConfig {
    /// Number of classes (one random manifold each).
    pub n_classes: usize,
    /// Input units (embedding dimension `M`).
    pub n_units: usize,
    /// Time steps per sample.
    pub n_steps: usize,
    /// Manifold (latent) dimension `D`.
    pub dim_manifold: usize,
    /// Spectral fall-off exponent `alpha` (> 0; larger is smoother).
    pub alpha: Real,
    /// Samples per class.
    pub samples_per_class: usize,
    /// Precision setting the frequency cut-off `K = min(ceil(prec^(-1/alpha)), 1000)`.
    pub prec: Real,
    /// Keep the constant term `theta_{0,0}` (randman's `use_bias`).
    pub use_bias: bool,
    /// Time step (ms).
    pub dt_ms: Real,
}

impl Default for RandmanConfig {
    fn default() -> Self {
        RandmanConfig {
            n_classes: 10,
            n_units: 20,
            n_steps: 100,
            dim_manifold: 1,
            alpha: 2.0,
            samples_per_class: 1000,
            prec: 1e-3,
            use_bias: false,
            dt_ms: 1.0,
        }
    }
}

/// One smooth random manifold `f: [0, 1]^D -> R^M` (randman's `NumpyRandman`):
/// `f_m(x) = prod_{d < D} sum_{k < K} theta[m][d][0][k] (k + 1)^(-alpha)
/// sin(2 pi (k x_d theta[m][d][1][k] + theta[m][d][2][k]))`, `theta ~ U(0, 1)`, with
/// `theta[m][d][0][0] = 0` unless `use_bias`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandmanManifold {
    /// `theta`, flattened in the order `(m, d, j, k)` with `j` in `0..3`.
    pub theta: Vec<Real>,
    /// Embedding dimension `M`.
    pub n_units: usize,
    /// Manifold dimension `D`.
    pub dim_manifold: usize,
    /// Frequency cut-off `K`.
    pub k: usize,
    /// Spectral exponent.
    pub alpha: Real,
}

impl RandmanManifold {
    /// Evaluates `f(x)` at a latent point `x` of length `D` (the caller checks the length).
    pub fn eval(&self, x: &[Real]) -> Vec<Real> {
        let (d_n, k_n) = (self.dim_manifold, self.k);
        (0..self.n_units)
            .map(|m| {
                (0..d_n)
                    .map(|d| {
                        let base = (m * d_n + d) * 3 * k_n;
                        let th = &self.theta[base..base + 3 * k_n];
                        (0..k_n)
                            .map(|k| {
                                let s = ((k + 1) as Real).powf(-self.alpha);
                                th[k]
                                    * s
                                    * (TAU * (k as Real * x[d] * th[k_n + k] + th[2 * k_n + k]))
                                        .sin()
                            })
                            .sum::<Real>()
                    })
                    .product()
            })
            .collect()
    }
}

/// The frequency cut-off `K = min(ceil(prec^(-1/alpha)), 1000)` (randman's `f_cutoff`); `K = 32`
/// for `alpha = 2`, `prec = 1e-3`.
fn cutoff(alpha: Real, prec: Real) -> usize {
    (prec.powf(-1.0 / alpha).ceil()).min(1000.0) as usize
}

/// Draws one manifold from `rng`: `theta` uniforms in the order `(m, d, j, k)`.
///
/// # Errors
/// [`DataError::InvalidParameter`] for zero sizes, `alpha <= 0` or `prec` outside `(0, 1)`.
pub fn randman_manifold(
    n_units: usize,
    dim_manifold: usize,
    alpha: Real,
    prec: Real,
    use_bias: bool,
    seed: u64,
    stream: u64,
) -> Result<RandmanManifold> {
    check_count("n_units", n_units)?;
    check_count("dim_manifold", dim_manifold)?;
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(DataError::invalid("alpha", alpha, "must be finite and > 0"));
    }
    if !(prec > 0.0 && prec < 1.0) {
        return Err(DataError::invalid("prec", prec, "must lie in (0, 1)"));
    }
    let k = cutoff(alpha, prec);
    check_elements("n_units", &[n_units, dim_manifold, 3, k])?;
    let mut rng = rng::stream(seed, stream);
    let mut theta: Vec<Real> = (0..n_units * dim_manifold * 3 * k)
        .map(|_| uniform(&mut rng))
        .collect();
    if !use_bias {
        for md in 0..n_units * dim_manifold {
            theta[md * 3 * k] = 0.0;
        }
    }
    Ok(RandmanManifold {
        theta,
        n_units,
        dim_manifold,
        k,
        alpha,
    })
}

/// The Randman spiking classification dataset (Zenke & Vogels 2021, Neural Comput. 33(4):899;
/// `make_spiking_dataset` of the randman repository, one spike per unit).
///
/// Class `c` has its own manifold ([`randman_manifold`] from stream `(seed, 2c)`); its samples are
/// latent points `x ~ U(0, 1)^D` (stream `(seed, 2c + 1)`, row by row). Each unit's values over the
/// class's samples are min-max standardised, `y = (f - min) / (max - min + 1e-7)` in `[0, 1)`, and
/// used as spike times: unit `m` of a sample fires **exactly once**, at step
/// `floor(y_m * n_steps)`. Spike counts therefore carry no class information; only timing does.
/// Samples are ordered class by class, then shuffled in place (Fisher–Yates on the sample list,
/// stream `(seed, 2 n_classes)`).
/// Target: classification on the whole sequence, window `(0, n_steps)`.
///
/// # Errors
/// [`DataError::InvalidParameter`] for zero sizes, `alpha <= 0`, `prec` outside `(0, 1)`, a bad
/// `dt_ms`, or a request larger than [`super::MAX_ELEMENTS`].
///
/// ```
/// use neurograd_data::generators::sequence::{RandmanConfig, randman};
/// let cfg = RandmanConfig { samples_per_class: 5, ..RandmanConfig::default() };
/// let set = randman(&cfg, 1)?;
/// assert_eq!((set.len(), set.n_steps(), set.n_inputs()), (50, 100, 20));
/// assert!(set.spike_counts(0).iter().all(|&n| n == 1));
/// # Ok::<(), neurograd_data::DataError>(())
/// ```
pub fn randman(cfg: &RandmanConfig, seed: u64) -> Result<SequenceSet> {
    check_count("n_classes", cfg.n_classes)?;
    check_count("n_steps", cfg.n_steps)?;
    check_count("samples_per_class", cfg.samples_per_class)?;
    check_dt(cfg.dt_ms)?;
    let n = cfg
        .n_classes
        .checked_mul(cfg.samples_per_class)
        .ok_or_else(|| {
            DataError::invalid("samples_per_class", cfg.samples_per_class, "overflow")
        })?;
    check_elements("samples_per_class", &[n, cfg.n_steps, cfg.n_units])?;
    let mut inputs = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for c in 0..cfg.n_classes {
        let man = randman_manifold(
            cfg.n_units,
            cfg.dim_manifold,
            cfg.alpha,
            cfg.prec,
            cfg.use_bias,
            seed,
            2 * c as u64,
        )?;
        let mut rng = rng::stream(seed, 2 * c as u64 + 1);
        let values: Vec<Vec<Real>> = (0..cfg.samples_per_class)
            .map(|_| {
                let x: Vec<Real> = (0..cfg.dim_manifold).map(|_| uniform(&mut rng)).collect();
                man.eval(&x)
            })
            .collect();
        let (mut lo, mut hi) = (
            vec![Real::INFINITY; cfg.n_units],
            vec![Real::NEG_INFINITY; cfg.n_units],
        );
        for v in &values {
            for m in 0..cfg.n_units {
                lo[m] = lo[m].min(v[m]);
                hi[m] = hi[m].max(v[m]);
            }
        }
        for v in &values {
            let mut x = Matrix::zeros(cfg.n_steps, cfg.n_units);
            for m in 0..cfg.n_units {
                let y = (v[m] - lo[m]) / (hi[m] - lo[m] + 1e-7);
                let t = ((y * cfg.n_steps as Real).floor() as usize).min(cfg.n_steps - 1);
                x[(t, m)] = 1.0;
            }
            inputs.push(x);
            labels.push(c);
        }
    }
    let mut pairs: Vec<(usize, Matrix)> = labels.into_iter().zip(inputs).collect();
    rng::shuffle(&mut rng::stream(seed, 2 * cfg.n_classes as u64), &mut pairs);
    let (labels, inputs): (Vec<usize>, Vec<Matrix>) = pairs.into_iter().unzip();
    SequenceSet::new(
        inputs,
        SequenceTarget::Classification {
            labels,
            n_classes: cfg.n_classes,
            window: (0, cfg.n_steps),
        },
        cfg.dt_ms,
    )
}
