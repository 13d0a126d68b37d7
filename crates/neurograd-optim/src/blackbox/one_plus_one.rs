//! The (1+1)-ES with the 1/5th success rule (Rechenberg 1973; Schwefel 1981), in the smooth form
//! of Kern, Müller, Hansen, Büche, Ocenasek & Koumoutsakos (2004).

use super::{
    AskTell, Best, Bounds, StopReason, bounds_from, budget_stop, check_sigma, check_tell, check_x0,
    update_best,
};
use crate::Result;
use neurograd_tensor::{Real, Vector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Settings of [`OnePlusOneEs`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnePlusOneConfig {
    /// Starting point (finite).
    pub x0: Vec<Real>,
    /// Initial step size `σ₀ > 0`.
    pub sigma0: Real,
    /// Seed.
    pub seed: u64,
    /// Lower bounds (reflection).
    pub lower: Option<Vec<Real>>,
    /// Upper bounds.
    pub upper: Option<Vec<Real>>,
    /// Stop when the best fitness is `<= ftarget`.
    pub ftarget: Option<Real>,
    /// Evaluation budget.
    pub max_evaluations: Option<usize>,
    /// Stop when `σ` falls below this (default 1e-12).
    pub min_sigma: Real,
}

impl OnePlusOneConfig {
    /// Defaults around `x0`.
    pub fn new(x0: Vec<Real>, sigma0: Real) -> Self {
        Self {
            x0,
            sigma0,
            seed: 0,
            lower: None,
            upper: None,
            ftarget: None,
            max_evaluations: None,
            min_sigma: 1e-12,
        }
    }
}

/// (1+1)-ES: offspring `y = x + σ N(0, I)` replaces the parent if `f(y) ≤ f(x)`; the step size
/// follows the 1/5th success rule `σ ← σ exp((1[success] − 1/5) / (d (1 − 1/5)))` with damping
/// `d = 1 + n/2` (Kern et al. 2004, eq. 4), stationary at success probability 1/5.
/// The first `ask` returns `x₀` itself, to evaluate the parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnePlusOneEs {
    config: OnePlusOneConfig,
    bounds: Option<Bounds>,
    x: Vector,
    fx: Option<Real>,
    sigma: Real,
    rng: ChaCha8Rng,
    generation: usize,
    evaluations: usize,
    best: Option<Best>,
    pending: Option<Vector>,
}

impl OnePlusOneEs {
    /// Validates the config.
    ///
    /// # Errors
    /// Dimension 0, `σ₀ <= 0`, NaN/Inf `x₀`, bad bounds.
    pub fn new(config: OnePlusOneConfig) -> Result<Self> {
        check_x0(&config.x0)?;
        check_sigma("sigma0", config.sigma0)?;
        let bounds = bounds_from(&config.lower, &config.upper, config.x0.len())?;
        let mut x = Vector::from_column_slice(&config.x0);
        if let Some(b) = &bounds {
            b.reflect(&mut x);
        }
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            sigma: config.sigma0,
            bounds,
            x,
            fx: None,
            config,
            generation: 0,
            evaluations: 0,
            best: None,
            pending: None,
        })
    }

    /// Current step size.
    pub fn sigma(&self) -> Real {
        self.sigma
    }

    /// Current parent.
    pub fn parent(&self) -> &Vector {
        &self.x
    }
}

impl AskTell for OnePlusOneEs {
    fn dim(&self) -> usize {
        self.x.len()
    }

    fn ask_size(&self) -> usize {
        1
    }

    fn ask(&mut self) -> Vec<Vector> {
        let y = if self.fx.is_none() {
            self.x.clone()
        } else {
            let mut y = Vector::from_fn(self.x.len(), |i, _| {
                let z: Real = StandardNormal.sample(&mut self.rng);
                self.x[i] + self.sigma * z
            });
            if let Some(b) = &self.bounds {
                b.reflect(&mut y);
            }
            y
        };
        self.pending = Some(y.clone());
        vec![y]
    }

    fn tell(&mut self, fitness: &[Real]) -> Result<()> {
        check_tell(self.pending.as_ref().map(|_| 1), fitness, self.generation)?;
        let y = self.pending.take().unwrap_or_else(|| self.x.clone());
        let fy = fitness[0];
        update_best(
            &mut self.best,
            std::slice::from_ref(&y),
            fitness,
            self.evaluations,
        );
        self.evaluations += 1;
        self.generation += 1;
        match self.fx {
            None => self.fx = Some(fy),
            Some(fx) => {
                let success = fy <= fx;
                if success {
                    self.x = y;
                    self.fx = Some(fy);
                }
                let d = 1.0 + self.x.len() as Real / 2.0;
                let s = if success { 1.0 } else { 0.0 };
                self.sigma *= ((s - 0.2) / (d * 0.8)).exp();
            }
        }
        Ok(())
    }

    fn best(&self) -> Option<&Best> {
        self.best.as_ref()
    }

    fn stop(&self) -> Option<StopReason> {
        if let Some(r) = budget_stop(
            &self.best,
            self.config.ftarget,
            self.evaluations + 1,
            self.config.max_evaluations,
            self.generation,
            None,
        ) {
            return Some(r);
        }
        (self.sigma < self.config.min_sigma).then_some(StopReason::SigmaTooSmall)
    }

    fn generation(&self) -> usize {
        self.generation
    }

    fn evaluations(&self) -> usize {
        self.evaluations
    }

    fn name(&self) -> &'static str {
        "one_plus_one_es"
    }
}
