//! NES / OpenAI-ES (Wierstra et al. 2014, JMLR; Salimans, Ho, Chen, Sidor & Sutskever 2017,
//! arXiv 1703.03864): antithetic Gaussian perturbations, centred-rank fitness shaping, and a
//! gradient optimizer (plain SGD or Adam) on the search-gradient estimate.

use super::{
    AskTell, Best, StopReason, argsort, budget_stop, check_popsize, check_sigma, check_tell,
    check_x0, update_best,
};
use crate::gradient::{
    AnyGradientOptimizer, GradientOptimizer, GradientOptimizerConfig, SgdConfig,
};
use crate::{OptimError, Result};
use neurograd_tensor::{Matrix, Real, Vector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Settings of [`Nes`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NesConfig {
    /// Starting parameters `θ₀` (finite).
    pub x0: Vec<Real>,
    /// Perturbation scale `σ > 0` (fixed).
    pub sigma: Real,
    /// Population size `2h` (even, >= 2): `h` antithetic pairs.
    pub popsize: usize,
    /// The optimizer applied to the estimate (Salimans et al. use Adam); default SGD, lr 0.01.
    pub optimizer: GradientOptimizerConfig,
    /// L2 weight decay `λ >= 0` added to the estimate (`ĝ + λθ`), as Salimans et al.
    pub weight_decay: Real,
    /// Use centred ranks (default true); otherwise raw fitness values.
    pub centred_ranks: bool,
    /// Seed.
    pub seed: u64,
    /// Stop when the best fitness is `<= ftarget`.
    pub ftarget: Option<Real>,
    /// Evaluation budget.
    pub max_evaluations: Option<usize>,
    /// Generation budget.
    pub max_generations: Option<usize>,
}

impl NesConfig {
    /// Defaults: `σ` given, 20 candidates (10 pairs), SGD with lr 0.01, centred ranks, no decay.
    pub fn new(x0: Vec<Real>, sigma: Real) -> Self {
        Self {
            x0,
            sigma,
            popsize: 20,
            optimizer: GradientOptimizerConfig::Sgd(SgdConfig {
                lr: 0.01,
                weight_decay: 0.0,
            }),
            weight_decay: 0.0,
            centred_ranks: true,
            seed: 0,
            ftarget: None,
            max_evaluations: None,
            max_generations: None,
        }
    }
}

/// Centred ranks (Salimans et al. 2017): the value of rank `r ∈ {0, …, P−1}` (ascending) is
/// `r/(P − 1) − ½`, so utilities lie in `[−½, ½]` and sum to 0. Ties get distinct ranks in
/// population order.
pub fn centred_ranks(f: &[Real]) -> Vec<Real> {
    let p = f.len();
    let mut out = vec![0.0; p];
    if p < 2 {
        return out;
    }
    for (r, &i) in argsort(f).iter().enumerate() {
        out[i] = r as Real / (p - 1) as Real - 0.5;
    }
    out
}

/// OpenAI-ES: for `h` pairs `εᵢ ~ N(0, I)` evaluate `θ ± σεᵢ`, shape the fitness to utilities
/// `u` (centred ranks), estimate
/// `ĝ = 1/(2hσ) Σᵢ (u(θ + σεᵢ) − u(θ − σεᵢ)) εᵢ + λθ`
/// and hand `ĝ` to the configured gradient optimizer (minimisation: `θ` moves against `ĝ`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Nes {
    config: NesConfig,
    theta: Vector,
    optimizer: AnyGradientOptimizer,
    rng: ChaCha8Rng,
    generation: usize,
    evaluations: usize,
    best: Option<Best>,
    pending: Option<(Matrix, Vec<Vector>)>,
    last_gradient: Option<Vector>,
}

impl Nes {
    /// Validates the config.
    ///
    /// # Errors
    /// Dimension 0, NaN/Inf `x₀`, `σ <= 0`, odd or too small population, negative decay, an
    /// invalid optimizer config.
    pub fn new(config: NesConfig) -> Result<Self> {
        check_x0(&config.x0)?;
        check_sigma("sigma", config.sigma)?;
        check_popsize(config.popsize, 2)?;
        if !config.popsize.is_multiple_of(2) {
            return Err(OptimError::InvalidParameter {
                name: "popsize",
                value: config.popsize.to_string(),
                reason: "antithetic sampling needs an even population".into(),
            });
        }
        if !(config.weight_decay.is_finite() && config.weight_decay >= 0.0) {
            return Err(OptimError::InvalidParameter {
                name: "weight_decay",
                value: format!("{}", config.weight_decay),
                reason: "must be finite and >= 0".into(),
            });
        }
        let optimizer = config.optimizer.build()?;
        Ok(Self {
            theta: Vector::from_column_slice(&config.x0),
            optimizer,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            generation: 0,
            evaluations: 0,
            best: None,
            pending: None,
            last_gradient: None,
            config,
        })
    }

    /// Current parameters `θ`.
    pub fn theta(&self) -> &Vector {
        &self.theta
    }

    /// The last search-gradient estimate `ĝ` (before the optimizer).
    pub fn last_gradient(&self) -> Option<&Vector> {
        self.last_gradient.as_ref()
    }
}

impl AskTell for Nes {
    fn dim(&self) -> usize {
        self.theta.len()
    }

    fn ask_size(&self) -> usize {
        self.config.popsize
    }

    fn ask(&mut self) -> Vec<Vector> {
        let (n, h) = (self.theta.len(), self.config.popsize / 2);
        let mut eps = Matrix::zeros(n, h);
        for v in eps.iter_mut() {
            *v = StandardNormal.sample(&mut self.rng);
        }
        let s = self.config.sigma;
        let mut xs = Vec::with_capacity(2 * h);
        for k in 0..h {
            xs.push(&self.theta + eps.column(k) * s);
            xs.push(&self.theta - eps.column(k) * s);
        }
        self.pending = Some((eps, xs.clone()));
        xs
    }

    fn tell(&mut self, fitness: &[Real]) -> Result<()> {
        check_tell(
            self.pending.as_ref().map(|p| p.1.len()),
            fitness,
            self.generation,
        )?;
        let Some((eps, xs)) = self.pending.take() else {
            return Err(OptimError::Protocol {
                reason: "no pending population".into(),
            });
        };
        let u = if self.config.centred_ranks {
            centred_ranks(fitness)
        } else {
            fitness.to_vec()
        };
        let h = eps.ncols();
        let mut g = Vector::zeros(self.theta.len());
        for k in 0..h {
            g.axpy(u[2 * k] - u[2 * k + 1], &eps.column(k), 1.0);
        }
        g /= 2.0 * h as Real * self.config.sigma;
        if self.config.weight_decay > 0.0 {
            g.axpy(self.config.weight_decay, &self.theta, 1.0);
        }
        let mut params = [Matrix::from_column_slice(
            self.theta.len(),
            1,
            self.theta.as_slice(),
        )];
        let grads = [Matrix::from_column_slice(g.len(), 1, g.as_slice())];
        self.optimizer.step(&mut params, &grads)?;
        self.theta = Vector::from_column_slice(params[0].as_slice());
        update_best(&mut self.best, &xs, fitness, self.evaluations);
        self.evaluations += xs.len();
        self.generation += 1;
        self.last_gradient = Some(g);
        Ok(())
    }

    fn best(&self) -> Option<&Best> {
        self.best.as_ref()
    }

    fn stop(&self) -> Option<StopReason> {
        budget_stop(
            &self.best,
            self.config.ftarget,
            self.evaluations + self.config.popsize,
            self.config.max_evaluations,
            self.generation,
            self.config.max_generations,
        )
    }

    fn generation(&self) -> usize {
        self.generation
    }

    fn evaluations(&self) -> usize {
        self.evaluations
    }

    fn name(&self) -> &'static str {
        "nes"
    }
}
