//! Black-box optimizers with the ask/tell interface of pycma (Hansen et al., `cma` package):
//! `ask` proposes a population, the caller evaluates it (in any order, in parallel, with any
//! simulator), `tell` hands back the fitness values (minimised). The [`driver`] runs that loop
//! with rayon.
//!
//! | optimizer | file | source |
//! |---|---|---|
//! | [`RandomSearch`] | `random_search.rs` | Brooks 1958; Bergstra & Bengio 2012 |
//! | [`OnePlusOneEs`] | `one_plus_one.rs` | Rechenberg 1973 (1/5th rule); Kern et al. 2004 |
//! | [`RealGa`], [`BinaryGa`] | `ga.rs` | Holland 1975; Deb & Agrawal 1995 (SBX); Eshelman & Schaffer 1993 (BLX-α) |
//! | [`CmaEs`] | `cmaes.rs` | Hansen 2016 (tutorial, arXiv 1604.00772); pycma defaults |
//! | [`IpopCmaEs`] | `ipop.rs` | Auger & Hansen 2005 |
//! | [`Nes`] | `nes.rs` | Wierstra et al. 2014; Salimans et al. 2017 |
//!
//! Every optimizer is seeded, `Clone + PartialEq + Serialize + Deserialize`, and never lets a
//! NaN/Inf fitness into its state: [`AskTell::tell`] then returns
//! [`OptimError::NonFiniteFitness`] naming the candidate and generation, and the state (including
//! the pending population, so a corrected `tell` can follow) is unchanged.
//!
//! ```
//! use neurograd_optim::blackbox::{AskTell, CmaEs, CmaEsConfig};
//!
//! let mut es = CmaEs::new(CmaEsConfig { ftarget: Some(1e-10), ..CmaEsConfig::new(vec![1.0; 4], 0.5) })?;
//! while es.stop().is_none() {
//!     let xs = es.ask();
//!     let f: Vec<f64> = xs.iter().map(|x| x.norm_squared()).collect();
//!     es.tell(&f)?;
//! }
//! assert!(es.best().unwrap().f < 1e-10);
//! # Ok::<(), neurograd_optim::OptimError>(())
//! ```

mod cmaes;
pub mod driver;
pub mod es_gradient;
mod ga;
mod ipop;
mod nes;
mod one_plus_one;
mod random_search;
mod tridiag_dc;

pub use cmaes::{CmaEs, CmaEsConfig, CmaParameters, FAER_MIN_DIM};
pub use ga::{
    BinaryCrossover, BinaryGa, BinaryGaConfig, RealCrossover, RealGa, RealGaConfig, RealMutation,
};
pub use ipop::{IpopCmaEs, IpopConfig};
pub use nes::{Nes, NesConfig, centred_ranks};
pub use one_plus_one::{OnePlusOneConfig, OnePlusOneEs};
pub use random_search::{RandomSearch, RandomSearchConfig};

use crate::error::check_finite;
use crate::{OptimError, Result};
use neurograd_tensor::{Real, Vector};
use serde::{Deserialize, Serialize};

/// A population-based minimiser driven from outside (pycma's ask/tell protocol).
pub trait AskTell {
    /// Search-space dimension.
    fn dim(&self) -> usize;

    /// Proposes the next population. Calling `ask` again before `tell` discards the pending
    /// population and samples a new one.
    fn ask(&mut self) -> Vec<Vector>;

    /// How many points the next [`ask`](AskTell::ask) returns (known before asking, so a driver
    /// can stop rather than overrun an evaluation budget).
    fn ask_size(&self) -> usize;

    /// Reports the fitness (to minimise) of the population of the last `ask`, in its order.
    ///
    /// # Errors
    /// [`OptimError::Protocol`] without a pending `ask` or for a wrong number of values;
    /// [`OptimError::NonFiniteFitness`] for NaN/Inf (state unchanged, `tell` may be retried).
    fn tell(&mut self, fitness: &[Real]) -> Result<()>;

    /// Best point evaluated so far.
    fn best(&self) -> Option<&Best>;

    /// Why the optimizer wants to stop, if it does.
    fn stop(&self) -> Option<StopReason>;

    /// Number of completed generations (successful `tell`s).
    fn generation(&self) -> usize;

    /// Number of fitness evaluations told so far.
    fn evaluations(&self) -> usize;

    /// Short name.
    fn name(&self) -> &'static str;
}

/// The best point seen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Best {
    /// The point (as evaluated, i.e. inside the bounds).
    pub x: Vector,
    /// Its fitness.
    pub f: Real,
    /// Evaluation count at which it was found (1-based).
    pub evaluation: usize,
}

/// Why an optimizer stopped (names as pycma's termination keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Best fitness reached `ftarget`.
    Ftarget,
    /// Evaluation budget used.
    MaxFevals,
    /// Generation budget used.
    MaxIter,
    /// Range of recent and current fitness values below `tolfun`.
    TolFun,
    /// Range of the best fitness over the recent history below `tolfunhist`.
    TolFunHist,
    /// All standard deviations (and the evolution path) below `tolx`.
    TolX,
    /// Condition number of the covariance matrix above `tol_condition`.
    ConditionCov,
    /// Step size below its lower limit (the (1+1)-ES, NES).
    SigmaTooSmall,
    /// An IPOP restart budget was exhausted.
    MaxRestarts,
}

/// Box constraints `lower ≤ x ≤ upper` (coordinates may be infinite on one side).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Lower bounds.
    pub lower: Vector,
    /// Upper bounds.
    pub upper: Vector,
}

impl Bounds {
    /// Validated bounds of dimension `dim`.
    ///
    /// # Errors
    /// [`OptimError::ShapeMismatch`] for a wrong length; [`OptimError::InvalidParameter`] if a
    /// bound is NaN or `lower ≥ upper` in some coordinate.
    pub fn new(lower: &[Real], upper: &[Real], dim: usize) -> Result<Self> {
        for (what, v) in [("lower bounds", lower), ("upper bounds", upper)] {
            if v.len() != dim {
                return Err(OptimError::ShapeMismatch {
                    op: what,
                    expected: (dim, 1),
                    got: (v.len(), 1),
                });
            }
        }
        for i in 0..dim {
            if lower[i].is_nan() || upper[i].is_nan() || lower[i] >= upper[i] {
                return Err(OptimError::InvalidParameter {
                    name: "bounds",
                    value: format!("[{}, {}] at coordinate {i}", lower[i], upper[i]),
                    reason: "lower bound must be below upper bound (and not NaN)".into(),
                });
            }
        }
        Ok(Self {
            lower: Vector::from_column_slice(lower),
            upper: Vector::from_column_slice(upper),
        })
    }

    /// Maps `x` into the box by reflection at the bounds (periodic mirror when both bounds are
    /// finite): the identity inside the box.
    pub fn reflect(&self, x: &mut Vector) {
        for i in 0..x.len() {
            let (l, u) = (self.lower[i], self.upper[i]);
            let v = x[i];
            if v >= l && v <= u {
                continue;
            }
            x[i] = if l.is_finite() && u.is_finite() {
                let w = u - l;
                let mut y = (v - l).rem_euclid(2.0 * w);
                if y > w {
                    y = 2.0 * w - y;
                }
                (l + y).clamp(l, u)
            } else if v < l {
                (2.0 * l - v).min(u)
            } else {
                (2.0 * u - v).max(l)
            };
        }
    }

    /// Whether `x` is inside.
    pub fn contains(&self, x: &Vector) -> bool {
        x.iter()
            .zip(self.lower.iter().zip(self.upper.iter()))
            .all(|(v, (l, u))| v >= l && v <= u)
    }
}

/// Optional bounds from config fields.
pub(crate) fn bounds_from(
    lower: &Option<Vec<Real>>,
    upper: &Option<Vec<Real>>,
    dim: usize,
) -> Result<Option<Bounds>> {
    match (lower, upper) {
        (None, None) => Ok(None),
        (l, u) => {
            let inf = |s: Real| vec![s; dim];
            let l = l.clone().unwrap_or_else(|| inf(Real::NEG_INFINITY));
            let u = u.clone().unwrap_or_else(|| inf(Real::INFINITY));
            Bounds::new(&l, &u, dim).map(Some)
        }
    }
}

/// Validates a dimension (`>= 1`).
pub(crate) fn check_dim(dim: usize) -> Result<()> {
    if dim == 0 {
        Err(OptimError::InvalidParameter {
            name: "dim",
            value: "0".into(),
            reason: "search-space dimension must be >= 1".into(),
        })
    } else {
        Ok(())
    }
}

/// Validates a finite starting point of the right length.
pub(crate) fn check_x0(x0: &[Real]) -> Result<()> {
    check_dim(x0.len())?;
    check_finite(x0, "initial point x0")
}

/// Validates a step size (`> 0`, finite).
pub(crate) fn check_sigma(name: &'static str, sigma: Real) -> Result<()> {
    if sigma.is_finite() && sigma > 0.0 {
        Ok(())
    } else {
        Err(OptimError::InvalidParameter {
            name,
            value: format!("{sigma}"),
            reason: "step size must be finite and > 0".into(),
        })
    }
}

/// Validates a population size (`>= min`).
pub(crate) fn check_popsize(popsize: usize, min: usize) -> Result<()> {
    if popsize < min {
        Err(OptimError::InvalidParameter {
            name: "popsize",
            value: popsize.to_string(),
            reason: format!("population size must be >= {min}"),
        })
    } else {
        Ok(())
    }
}

/// Checks a `tell` against the pending population size; returns nothing on success.
pub(crate) fn check_tell(
    pending: Option<usize>,
    fitness: &[Real],
    generation: usize,
) -> Result<()> {
    let Some(n) = pending else {
        return Err(OptimError::Protocol {
            reason: "tell called without a pending ask".into(),
        });
    };
    if fitness.len() != n {
        return Err(OptimError::Protocol {
            reason: format!(
                "tell got {} fitness values for a population of {n}",
                fitness.len()
            ),
        });
    }
    if let Some(i) = fitness.iter().position(|v| !v.is_finite()) {
        return Err(OptimError::NonFiniteFitness {
            candidate: i,
            generation,
            value: fitness[i],
        });
    }
    Ok(())
}

/// Updates `best` with a told population.
pub(crate) fn update_best(best: &mut Option<Best>, xs: &[Vector], f: &[Real], evals_before: usize) {
    for (i, (x, &fi)) in xs.iter().zip(f).enumerate() {
        if best.as_ref().is_none_or(|b| fi < b.f) {
            *best = Some(Best {
                x: x.clone(),
                f: fi,
                evaluation: evals_before + i + 1,
            });
        }
    }
}

/// Indices that sort `f` ascending (stable: ties keep the population order).
pub(crate) fn argsort(f: &[Real]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..f.len()).collect();
    idx.sort_by(|&a, &b| f[a].total_cmp(&f[b]));
    idx
}

/// Common budget-type stopping (ftarget, max evaluations, max generations). `evals_after_next`
/// is the evaluation count the next generation would reach: the run stops before a generation
/// that would exceed `max_evals`, so a budget is never overrun.
pub(crate) fn budget_stop(
    best: &Option<Best>,
    ftarget: Option<Real>,
    evals_after_next: usize,
    max_evals: Option<usize>,
    generation: usize,
    max_iter: Option<usize>,
) -> Option<StopReason> {
    if let (Some(t), Some(b)) = (ftarget, best)
        && b.f <= t
    {
        return Some(StopReason::Ftarget);
    }
    if max_evals.is_some_and(|m| evals_after_next > m) {
        return Some(StopReason::MaxFevals);
    }
    if max_iter.is_some_and(|m| generation >= m) {
        return Some(StopReason::MaxIter);
    }
    None
}
