//! IPOP-CMA-ES: CMA-ES restarted with a doubled population after each stop (Auger & Hansen 2005).

use super::{AskTell, Best, CmaEs, CmaEsConfig, StopReason, check_popsize};
use crate::{OptimError, Result};
use neurograd_tensor::{Real, Vector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Uniform};
use serde::{Deserialize, Serialize};

/// Settings of [`IpopCmaEs`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpopConfig {
    /// Settings of the first run (its `popsize`, default `4 + ⌊3 ln n⌋`, is multiplied by
    /// `incpopsize` at each restart; its `seed` seeds everything).
    pub cma: CmaEsConfig,
    /// Population growth factor per restart (default 2).
    pub incpopsize: usize,
    /// Maximal number of restarts (default 9, as pycma's `cma.fmin` examples).
    pub max_restarts: usize,
    /// Total evaluation budget over all runs.
    pub max_evaluations: Option<usize>,
    /// If set, each restart draws its `x₀` uniformly in `[lower, upper]ⁿ` (seeded); otherwise it
    /// restarts from `cma.x0`.
    pub restart_box: Option<(Real, Real)>,
}

impl IpopConfig {
    /// Defaults around a CMA-ES config.
    pub fn new(cma: CmaEsConfig) -> Self {
        Self {
            cma,
            incpopsize: 2,
            max_restarts: 9,
            max_evaluations: None,
            restart_box: None,
        }
    }
}

/// IPOP-CMA-ES (Auger & Hansen 2005, CEC): whenever the inner [`CmaEs`] stops for a reason other
/// than reaching `ftarget` or the budget, start a new one with population `λ_k = λ₀ · incpopsizeᵏ`.
/// Run `k` uses seed `seed + k`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpopCmaEs {
    config: IpopConfig,
    inner: CmaEs,
    restarts: usize,
    evaluations_before: usize,
    generations_before: usize,
    best: Option<Best>,
    rng: ChaCha8Rng,
    base_popsize: usize,
    /// Stop reasons of finished runs.
    history: Vec<(usize, StopReason)>,
}

impl IpopCmaEs {
    /// Validates and starts the first run.
    ///
    /// # Errors
    /// As [`CmaEs::new`]; [`OptimError::InvalidParameter`] for `incpopsize < 2` or a bad
    /// restart box.
    pub fn new(config: IpopConfig) -> Result<Self> {
        if config.incpopsize < 2 {
            return Err(OptimError::InvalidParameter {
                name: "incpopsize",
                value: config.incpopsize.to_string(),
                reason: "population growth factor must be >= 2".into(),
            });
        }
        if let Some((l, u)) = config.restart_box
            && !(l.is_finite() && u.is_finite() && l < u)
        {
            return Err(OptimError::InvalidParameter {
                name: "restart_box",
                value: format!("[{l}, {u}]"),
                reason: "must be finite with lower < upper".into(),
            });
        }
        let mut cma = config.cma.clone();
        cma.max_evaluations = config.max_evaluations;
        let inner = CmaEs::new(cma)?;
        let base_popsize = inner.parameters().lambda;
        check_popsize(base_popsize, 2)?;
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(config.cma.seed ^ 0x1F0F_5EED),
            inner,
            restarts: 0,
            evaluations_before: 0,
            generations_before: 0,
            best: None,
            base_popsize,
            history: Vec::new(),
            config,
        })
    }

    /// Number of restarts so far.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    /// The current run.
    pub fn current(&self) -> &CmaEs {
        &self.inner
    }

    /// `(population size, stop reason)` of each finished run.
    pub fn history(&self) -> &[(usize, StopReason)] {
        &self.history
    }

    fn restart(&mut self, reason: StopReason) -> Result<()> {
        self.history.push((self.inner.parameters().lambda, reason));
        self.evaluations_before += self.inner.evaluations();
        self.generations_before += self.inner.generation();
        self.restarts += 1;
        let mut cma = self.config.cma.clone();
        cma.popsize = Some(self.base_popsize * self.config.incpopsize.pow(self.restarts as u32));
        cma.seed = self.config.cma.seed.wrapping_add(self.restarts as u64);
        cma.max_evaluations = self
            .config
            .max_evaluations
            .map(|m| m.saturating_sub(self.evaluations_before));
        if let Some((l, u)) = self.config.restart_box {
            let dist = Uniform::new(l, u).map_err(|e| OptimError::InvalidParameter {
                name: "restart_box",
                value: format!("[{l}, {u}]"),
                reason: e.to_string(),
            })?;
            cma.x0 = (0..cma.x0.len())
                .map(|_| dist.sample(&mut self.rng))
                .collect();
        }
        self.inner = CmaEs::new(cma)?;
        Ok(())
    }
}

impl AskTell for IpopCmaEs {
    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn ask_size(&self) -> usize {
        self.inner.ask_size()
    }

    fn ask(&mut self) -> Vec<Vector> {
        self.inner.ask()
    }

    fn tell(&mut self, fitness: &[Real]) -> Result<()> {
        let before = self.evaluations_before + self.inner.evaluations();
        self.inner.tell(fitness)?;
        if let Some(b) = self.inner.best()
            && self.best.as_ref().is_none_or(|cur| b.f < cur.f)
        {
            let mut nb = b.clone();
            nb.evaluation += self.evaluations_before;
            self.best = Some(nb);
        }
        let _ = before;
        if let Some(reason) = self.inner.stop()
            && !matches!(reason, StopReason::Ftarget | StopReason::MaxFevals)
            && self.restarts < self.config.max_restarts
        {
            self.restart(reason)?;
        }
        Ok(())
    }

    fn best(&self) -> Option<&Best> {
        self.best.as_ref()
    }

    fn stop(&self) -> Option<StopReason> {
        match self.inner.stop() {
            Some(StopReason::Ftarget) => Some(StopReason::Ftarget),
            Some(StopReason::MaxFevals) => Some(StopReason::MaxFevals),
            Some(_) if self.restarts >= self.config.max_restarts => Some(StopReason::MaxRestarts),
            _ => None,
        }
    }

    fn generation(&self) -> usize {
        self.generations_before + self.inner.generation()
    }

    fn evaluations(&self) -> usize {
        self.evaluations_before + self.inner.evaluations()
    }

    fn name(&self) -> &'static str {
        "ipop_cmaes"
    }
}
