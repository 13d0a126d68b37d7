//! Benchmark objectives (all minimised, minimum value 0): smooth ones with analytic gradients and
//! ones that gradient descent cannot use.
//!
//! | name | `f(x)` | minimiser | source |
//! |---|---|---|---|
//! | `sphere` | `Σ xᵢ²` | 0 | De Jong 1975 |
//! | `ellipsoid` | `Σ 10^{6(i−1)/(n−1)} xᵢ²` (condition 1e6) | 0 | Hansen & Ostermeier 2001 |
//! | `rosenbrock` | `Σ 100(x_{i+1} − xᵢ²)² + (1 − xᵢ)²` | 1 | Rosenbrock 1960 |
//! | `rastrigin` | `10n + Σ (xᵢ² − 10 cos 2πxᵢ)` | 0 | Rastrigin 1974 |
//! | `ackley` | `−20 e^{−0.2√(Σxᵢ²/n)} − e^{Σ cos(2πxᵢ)/n} + 20 + e` | 0 | Ackley 1987 |
//! | `schwefel` | `418.9828872724339 n − Σ xᵢ sin √\|xᵢ\|` | 420.9687… | Schwefel 1981 |
//! | `step_sphere` | `Σ ⌊xᵢ + ½⌋²` (gradient 0 almost everywhere) | \|xᵢ\| < ½ | De Jong 1975 (step) |
//! | `onemax` | `n − Σ bᵢ`, `bᵢ = [xᵢ ≥ ½]` | all ones | Schaffer & Eshelman 1991 |
//! | `trap` | `Σ_blocks k − trap(u)`, `trap(u) = k` if `u = k` else `k − 1 − u` | all ones | Deb & Goldberg 1993 |
//!
//! `trap` concatenates `n / k` deceptive blocks of `k = 4` bits (`u` = ones in the block); its
//! relaxed version on `[0, 1]ⁿ` (`u = Σ xᵢ` over the block, linear between `k − 1` and `k`) has
//! a gradient that points to the deceptive attractor (all zeros) from almost everywhere.
//!
//! Rotated versions evaluate `f(Qx)` with a seeded Haar-random orthogonal `Q`
//! ([`random_orthogonal`]); the gradient is `Qᵀ∇f(Qx)`.

use crate::error::check_finite;
use crate::{OptimError, Result};
use neurograd_tensor::{Matrix, Real, Vector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::{E, PI};

/// Schwefel's constant: `f(420.9687…) = 0` per coordinate.
const SCHWEFEL: Real = 418.982_887_272_433_9;

/// Block length of the `trap` function.
pub const TRAP_K: usize = 4;

/// Which benchmark function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunctionKind {
    /// `Σ xᵢ²`.
    Sphere,
    /// `Σ 10^{6(i−1)/(n−1)} xᵢ²`.
    Ellipsoid,
    /// Rosenbrock's banana valley.
    Rosenbrock,
    /// Rastrigin's multimodal function.
    Rastrigin,
    /// Ackley's function.
    Ackley,
    /// Schwefel's 2.26.
    Schwefel,
    /// Floored sphere `Σ ⌊xᵢ + ½⌋²`.
    StepSphere,
    /// Number of zero bits.
    OneMax,
    /// Concatenated deceptive traps of [`TRAP_K`] bits.
    Trap,
}

impl FunctionKind {
    /// All kinds with their names.
    pub const ALL: [(&'static str, FunctionKind); 9] = [
        ("sphere", Self::Sphere),
        ("ellipsoid", Self::Ellipsoid),
        ("rosenbrock", Self::Rosenbrock),
        ("rastrigin", Self::Rastrigin),
        ("ackley", Self::Ackley),
        ("schwefel", Self::Schwefel),
        ("step_sphere", Self::StepSphere),
        ("onemax", Self::OneMax),
        ("trap", Self::Trap),
    ];

    /// The name accepted by [`by_name`].
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(n, _)| n)
    }

    /// Whether the function has a useful analytic gradient (`step_sphere`'s is 0 almost
    /// everywhere and is returned as such; `onemax` and `trap` have none).
    pub fn has_gradient(self) -> bool {
        !matches!(self, Self::OneMax | Self::Trap)
    }
}

/// A benchmark function of fixed dimension, optionally rotated.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TestFunction {
    kind: FunctionKind,
    dim: usize,
    rotation: Option<Matrix>,
}

/// The function called `name` (see the module table; a `rotated_` prefix gives the version
/// rotated by [`random_orthogonal`] with seed 0) in dimension `dim`.
///
/// # Errors
/// [`OptimError::UnknownName`] listing the names; [`OptimError::InvalidParameter`] for `dim = 0`
/// or a `trap` dimension that is not a multiple of [`TRAP_K`].
pub fn by_name(name: &str, dim: usize) -> Result<TestFunction> {
    let lower = name.to_ascii_lowercase();
    let (base, rotate) = match lower.strip_prefix("rotated_") {
        Some(b) => (b, true),
        None => (lower.as_str(), false),
    };
    let kind = FunctionKind::ALL
        .iter()
        .find(|(n, _)| *n == base)
        .map(|(_, k)| *k)
        .ok_or_else(|| OptimError::UnknownName {
            kind: "test function",
            name: name.to_string(),
            valid: FunctionKind::ALL
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
                + " (each also with a rotated_ prefix)",
        })?;
    let f = TestFunction::new(kind, dim)?;
    if rotate { Ok(f.rotated(0)) } else { Ok(f) }
}

/// A Haar-distributed random orthogonal `n × n` matrix from `seed`: QR of a standard Gaussian
/// matrix with the signs of `R`'s diagonal moved into `Q` (Mezzadri 2007).
pub fn random_orthogonal(n: usize, seed: u64) -> Matrix {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let g = Matrix::from_fn(n, n, |_, _| StandardNormal.sample(&mut rng));
    let qr = g.qr();
    let r = qr.r();
    let mut q = qr.q();
    for j in 0..n {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    q
}

impl TestFunction {
    /// The unrotated function `kind` in dimension `dim`.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`] for `dim = 0` or a `trap` dimension that is not a
    /// multiple of [`TRAP_K`].
    pub fn new(kind: FunctionKind, dim: usize) -> Result<Self> {
        if dim == 0 {
            return Err(OptimError::InvalidParameter {
                name: "dim",
                value: "0".into(),
                reason: "dimension must be >= 1".into(),
            });
        }
        if kind == FunctionKind::Trap && !dim.is_multiple_of(TRAP_K) {
            return Err(OptimError::InvalidParameter {
                name: "dim",
                value: dim.to_string(),
                reason: format!("trap needs a multiple of {TRAP_K}"),
            });
        }
        Ok(Self {
            kind,
            dim,
            rotation: None,
        })
    }

    /// The same function composed with a seeded random rotation: `x ↦ f(Qx)`.
    pub fn rotated(mut self, seed: u64) -> Self {
        self.rotation = Some(random_orthogonal(self.dim, seed));
        self
    }

    /// The kind.
    pub fn kind(&self) -> FunctionKind {
        self.kind
    }

    /// The dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Name (with `rotated_` prefix if rotated).
    pub fn name(&self) -> String {
        if self.rotation.is_some() {
            format!("rotated_{}", self.kind.name())
        } else {
            self.kind.name().to_string()
        }
    }

    /// A global minimiser (in the coordinates of the caller, i.e. `Qᵀx*` when rotated).
    pub fn minimizer(&self) -> Vector {
        let x = match self.kind {
            FunctionKind::Rosenbrock | FunctionKind::OneMax | FunctionKind::Trap => {
                Vector::from_element(self.dim, 1.0)
            }
            FunctionKind::Schwefel => Vector::from_element(self.dim, 420.968_746_359_982),
            _ => Vector::zeros(self.dim),
        };
        match &self.rotation {
            Some(q) => q.transpose() * x,
            None => x,
        }
    }

    fn check(&self, x: &[Real]) -> Result<()> {
        if x.len() != self.dim {
            return Err(OptimError::ShapeMismatch {
                op: "test function argument",
                expected: (self.dim, 1),
                got: (x.len(), 1),
            });
        }
        check_finite(x, "test function argument")
    }

    /// `f(x)`.
    ///
    /// # Errors
    /// [`OptimError::ShapeMismatch`] for a wrong length, [`OptimError::NonFinite`] for NaN/Inf.
    pub fn value(&self, x: &[Real]) -> Result<Real> {
        self.check(x)?;
        Ok(match &self.rotation {
            Some(q) => {
                let y = q * Vector::from_column_slice(x);
                self.raw_value(y.as_slice())
            }
            None => self.raw_value(x),
        })
    }

    /// `∇f(x)`, or `None` for functions without one (`onemax`, `trap`).
    ///
    /// # Errors
    /// As [`value`](Self::value).
    pub fn gradient(&self, x: &[Real]) -> Result<Option<Vector>> {
        self.check(x)?;
        if !self.kind.has_gradient() {
            return Ok(None);
        }
        Ok(Some(match &self.rotation {
            Some(q) => {
                let y = q * Vector::from_column_slice(x);
                q.transpose() * self.raw_gradient(y.as_slice())
            }
            None => self.raw_gradient(x),
        }))
    }

    fn ellipsoid_weight(i: usize, n: usize) -> Real {
        if n == 1 {
            1.0
        } else {
            1e6_f64.powf(i as Real / (n - 1) as Real)
        }
    }

    fn raw_value(&self, x: &[Real]) -> Real {
        let n = x.len();
        match self.kind {
            FunctionKind::Sphere => x.iter().map(|v| v * v).sum(),
            FunctionKind::Ellipsoid => x
                .iter()
                .enumerate()
                .map(|(i, v)| Self::ellipsoid_weight(i, n) * v * v)
                .sum(),
            FunctionKind::Rosenbrock => x
                .windows(2)
                .map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2))
                .sum(),
            FunctionKind::Rastrigin => {
                10.0 * n as Real
                    + x.iter()
                        .map(|v| v * v - 10.0 * (2.0 * PI * v).cos())
                        .sum::<Real>()
            }
            FunctionKind::Ackley => {
                let s2 = x.iter().map(|v| v * v).sum::<Real>() / n as Real;
                let c = x.iter().map(|v| (2.0 * PI * v).cos()).sum::<Real>() / n as Real;
                -20.0 * (-0.2 * s2.sqrt()).exp() - c.exp() + 20.0 + E
            }
            FunctionKind::Schwefel => {
                SCHWEFEL * n as Real - x.iter().map(|v| v * v.abs().sqrt().sin()).sum::<Real>()
            }
            FunctionKind::StepSphere => x.iter().map(|v| (v + 0.5).floor().powi(2)).sum(),
            FunctionKind::OneMax => x.iter().filter(|v| **v < 0.5).count() as Real,
            FunctionKind::Trap => x
                .chunks(TRAP_K)
                .map(|b| {
                    let u = b.iter().filter(|v| **v >= 0.5).count();
                    let k = TRAP_K as Real;
                    let trap = if u == TRAP_K { k } else { k - 1.0 - u as Real };
                    k - trap
                })
                .sum(),
        }
    }

    fn raw_gradient(&self, x: &[Real]) -> Vector {
        let n = x.len();
        match self.kind {
            FunctionKind::Sphere => Vector::from_iterator(n, x.iter().map(|v| 2.0 * v)),
            FunctionKind::Ellipsoid => Vector::from_iterator(
                n,
                x.iter()
                    .enumerate()
                    .map(|(i, v)| 2.0 * Self::ellipsoid_weight(i, n) * v),
            ),
            FunctionKind::Rosenbrock => {
                let mut g = Vector::zeros(n);
                for i in 0..n.saturating_sub(1) {
                    let d = x[i + 1] - x[i] * x[i];
                    g[i] += -400.0 * x[i] * d - 2.0 * (1.0 - x[i]);
                    g[i + 1] += 200.0 * d;
                }
                g
            }
            FunctionKind::Rastrigin => Vector::from_iterator(
                n,
                x.iter().map(|v| 2.0 * v + 20.0 * PI * (2.0 * PI * v).sin()),
            ),
            FunctionKind::Ackley => {
                let nn = n as Real;
                let r = (x.iter().map(|v| v * v).sum::<Real>() / nn).sqrt();
                let c = x.iter().map(|v| (2.0 * PI * v).cos()).sum::<Real>() / nn;
                let a = if r > 0.0 {
                    4.0 * (-0.2 * r).exp() / (nn * r)
                } else {
                    0.0
                };
                Vector::from_iterator(
                    n,
                    x.iter()
                        .map(|v| a * v + 2.0 * PI / nn * (2.0 * PI * v).sin() * c.exp()),
                )
            }
            FunctionKind::Schwefel => Vector::from_iterator(
                n,
                x.iter().map(|v| {
                    let s = v.abs().sqrt();
                    -(s.sin() + 0.5 * s * s.cos())
                }),
            ),
            // zero almost everywhere (the floor is piecewise constant)
            FunctionKind::StepSphere | FunctionKind::OneMax | FunctionKind::Trap => {
                Vector::zeros(n)
            }
        }
    }

    /// The relaxed trap on `[0, 1]ⁿ` used to show that steepest descent is deceived: per block
    /// `u = Σ xᵢ`, `g(u) = 1 + u` for `u ≤ k − 1`, falling linearly to 0 at `u = k`. Returns
    /// `(value, gradient)`; equals [`value`](Self::value) of `trap` on bit vectors.
    ///
    /// # Errors
    /// As [`value`](Self::value); [`OptimError::InvalidParameter`] if this is not `trap`.
    pub fn relaxed_trap(&self, x: &[Real]) -> Result<(Real, Vector)> {
        self.check(x)?;
        if self.kind != FunctionKind::Trap || self.rotation.is_some() {
            return Err(OptimError::InvalidParameter {
                name: "kind",
                value: self.name(),
                reason: "relaxed_trap needs the unrotated trap function".into(),
            });
        }
        let k = TRAP_K as Real;
        let mut g = Vector::zeros(x.len());
        let mut f = 0.0;
        for (b, block) in x.chunks(TRAP_K).enumerate() {
            let u: Real = block.iter().sum();
            let (fv, slope) = if u <= k - 1.0 {
                (1.0 + u, 1.0)
            } else {
                (k * (k - u), -k)
            };
            f += fv;
            for i in 0..TRAP_K {
                g[b * TRAP_K + i] = slope;
            }
        }
        Ok((f, g))
    }
}
