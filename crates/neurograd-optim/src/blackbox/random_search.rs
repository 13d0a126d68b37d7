//! Pure random search (Brooks 1958; Bergstra & Bengio 2012): independent uniform samples in a box.

use super::{
    AskTell, Best, Bounds, StopReason, budget_stop, check_popsize, check_tell, update_best,
};
use crate::Result;
use neurograd_tensor::{Real, Vector};
use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Settings of [`RandomSearch`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RandomSearchConfig {
    /// Lower corner of the box (finite).
    pub lower: Vec<Real>,
    /// Upper corner (finite, above `lower`).
    pub upper: Vec<Real>,
    /// Samples per `ask` (>= 1).
    pub popsize: usize,
    /// Seed.
    pub seed: u64,
    /// Stop when the best fitness is `<= ftarget`.
    pub ftarget: Option<Real>,
    /// Evaluation budget.
    pub max_evaluations: Option<usize>,
}

/// Random search: `xₖ ~ U([l, u])` independently; keeps the best.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomSearch {
    config: RandomSearchConfig,
    bounds: Bounds,
    rng: ChaCha8Rng,
    generation: usize,
    evaluations: usize,
    best: Option<Best>,
    pending: Option<Vec<Vector>>,
}

impl RandomSearch {
    /// Validates the config.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`](crate::OptimError::InvalidParameter) for dimension 0,
    /// `popsize = 0`, infinite or crossed bounds.
    pub fn new(config: RandomSearchConfig) -> Result<Self> {
        super::check_dim(config.lower.len())?;
        check_popsize(config.popsize, 1)?;
        let bounds = Bounds::new(&config.lower, &config.upper, config.lower.len())?;
        // The reported index runs over lower ++ upper.
        crate::error::check_finite(
            &[&config.lower[..], &config.upper[..]].concat(),
            "random search bounds",
        )?;
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            bounds,
            config,
            generation: 0,
            evaluations: 0,
            best: None,
            pending: None,
        })
    }
}

impl AskTell for RandomSearch {
    fn dim(&self) -> usize {
        self.bounds.lower.len()
    }

    fn ask_size(&self) -> usize {
        self.config.popsize
    }

    fn ask(&mut self) -> Vec<Vector> {
        let n = self.dim();
        let xs: Vec<Vector> = (0..self.config.popsize)
            .map(|_| {
                Vector::from_fn(n, |i, _| {
                    let (l, u) = (self.bounds.lower[i], self.bounds.upper[i]);
                    l + (u - l) * self.rng.random::<Real>()
                })
            })
            .collect();
        self.pending = Some(xs.clone());
        xs
    }

    fn tell(&mut self, fitness: &[Real]) -> Result<()> {
        check_tell(
            self.pending.as_ref().map(Vec::len),
            fitness,
            self.generation,
        )?;
        let xs = self.pending.take().unwrap_or_default();
        update_best(&mut self.best, &xs, fitness, self.evaluations);
        self.evaluations += xs.len();
        self.generation += 1;
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
            None,
        )
    }

    fn generation(&self) -> usize {
        self.generation
    }

    fn evaluations(&self) -> usize {
        self.evaluations
    }

    fn name(&self) -> &'static str {
        "random_search"
    }
}
