//! Genetic algorithms (Holland 1975; Goldberg 1989): generational, tournament selection,
//! elitism; real-valued (SBX, Deb & Agrawal 1995; BLX-α, Eshelman & Schaffer 1993; Gaussian and
//! polynomial mutation, Deb & Goyal 1996) and binary (uniform and one-point crossover, bit-flip).

use super::{
    AskTell, Best, Bounds, StopReason, argsort, budget_stop, check_popsize, check_tell, update_best,
};
use crate::{OptimError, Result};
use neurograd_tensor::{Real, Vector};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Real-valued crossover operators.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RealCrossover {
    /// Simulated binary crossover (Deb & Agrawal 1995) with distribution index `eta`:
    /// `β = (2u)^{1/(η+1)}` if `u ≤ ½` else `(1/(2(1−u)))^{1/(η+1)}`,
    /// children `½[(1±β)p₁ + (1∓β)p₂]`.
    Sbx {
        /// Distribution index `η_c > 0` (typical 15).
        eta: Real,
    },
    /// Blend crossover BLX-α (Eshelman & Schaffer 1993): each gene uniform in
    /// `[min − αd, max + αd]`, `d = |p₁ − p₂|`.
    Blend {
        /// `α >= 0` (typical 0.5).
        alpha: Real,
    },
}

/// Real-valued mutation operators (applied per gene with probability `mutation_rate`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RealMutation {
    /// `xᵢ ← xᵢ + s (uᵢ − lᵢ) N(0, 1)`.
    Gaussian {
        /// Scale `s > 0` relative to the box width.
        scale: Real,
    },
    /// Polynomial mutation (Deb & Goyal 1996) with distribution index `eta`:
    /// `δ = (2u)^{1/(η+1)} − 1` if `u < ½` else `1 − (2(1−u))^{1/(η+1)}`, `xᵢ ← xᵢ + δ(uᵢ − lᵢ)`.
    Polynomial {
        /// Distribution index `η_m > 0` (typical 20).
        eta: Real,
    },
}

/// Settings of [`RealGa`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RealGaConfig {
    /// Lower corner of the (finite) box; the initial population is uniform in it and children
    /// are clipped to it.
    pub lower: Vec<Real>,
    /// Upper corner.
    pub upper: Vec<Real>,
    /// Population size (>= 2).
    pub popsize: usize,
    /// Individuals copied unchanged into the next generation (< popsize).
    pub elitism: usize,
    /// Tournament size (>= 1).
    pub tournament: usize,
    /// Crossover probability per pair, in `[0, 1]`.
    pub crossover_rate: Real,
    /// Crossover operator.
    pub crossover: RealCrossover,
    /// Mutation probability per gene, in `[0, 1]` (default `1/n` via [`RealGaConfig::new`]).
    pub mutation_rate: Real,
    /// Mutation operator.
    pub mutation: RealMutation,
    /// Seed.
    pub seed: u64,
    /// Stop when the best fitness is `<= ftarget`.
    pub ftarget: Option<Real>,
    /// Evaluation budget.
    pub max_evaluations: Option<usize>,
    /// Generation budget.
    pub max_generations: Option<usize>,
}

impl RealGaConfig {
    /// Common defaults: popsize 50, 2 elites, binary tournament, SBX(η=15) with rate 0.9,
    /// polynomial mutation (η=20) with rate `1/n`.
    pub fn new(lower: Vec<Real>, upper: Vec<Real>) -> Self {
        let n = lower.len().max(1);
        Self {
            lower,
            upper,
            popsize: 50,
            elitism: 2,
            tournament: 2,
            crossover_rate: 0.9,
            crossover: RealCrossover::Sbx { eta: 15.0 },
            mutation_rate: 1.0 / n as Real,
            mutation: RealMutation::Polynomial { eta: 20.0 },
            seed: 0,
            ftarget: None,
            max_evaluations: None,
            max_generations: None,
        }
    }
}

/// Binary crossover operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryCrossover {
    /// Each bit from either parent with probability ½ (Syswerda 1989).
    Uniform,
    /// Swap the tails after one random cut point (Holland 1975).
    OnePoint,
}

/// Settings of [`BinaryGa`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BinaryGaConfig {
    /// Number of bits (>= 1).
    pub bits: usize,
    /// Population size (>= 2).
    pub popsize: usize,
    /// Elites copied unchanged (< popsize).
    pub elitism: usize,
    /// Tournament size (>= 1).
    pub tournament: usize,
    /// Crossover probability per pair.
    pub crossover_rate: Real,
    /// Crossover operator.
    pub crossover: BinaryCrossover,
    /// Bit-flip probability per bit (default `1/bits`).
    pub mutation_rate: Real,
    /// Seed.
    pub seed: u64,
    /// Stop when the best fitness is `<= ftarget`.
    pub ftarget: Option<Real>,
    /// Evaluation budget.
    pub max_evaluations: Option<usize>,
    /// Generation budget.
    pub max_generations: Option<usize>,
}

impl BinaryGaConfig {
    /// Defaults: popsize 100, 2 elites, binary tournament, one-point crossover with rate 0.9,
    /// bit-flip rate `1/bits`.
    pub fn new(bits: usize) -> Self {
        Self {
            bits,
            popsize: 100,
            elitism: 2,
            tournament: 2,
            crossover_rate: 0.9,
            crossover: BinaryCrossover::OnePoint,
            mutation_rate: 1.0 / bits.max(1) as Real,
            seed: 0,
            ftarget: None,
            max_evaluations: None,
            max_generations: None,
        }
    }
}

fn check_rate(name: &'static str, v: Real) -> Result<()> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(OptimError::InvalidParameter {
            name,
            value: format!("{v}"),
            reason: "must lie in [0, 1]".into(),
        })
    }
}

fn check_common(
    popsize: usize,
    elitism: usize,
    tournament: usize,
    cx: Real,
    mu: Real,
) -> Result<()> {
    check_popsize(popsize, 2)?;
    if elitism >= popsize {
        return Err(OptimError::InvalidParameter {
            name: "elitism",
            value: elitism.to_string(),
            reason: format!("must be below the population size {popsize}"),
        });
    }
    if tournament == 0 || tournament > popsize {
        return Err(OptimError::InvalidParameter {
            name: "tournament",
            value: tournament.to_string(),
            reason: format!("must lie in [1, {popsize}]"),
        });
    }
    check_rate("crossover_rate", cx)?;
    check_rate("mutation_rate", mu)
}

/// Population bookkeeping shared by both GAs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Core {
    pop: Vec<Vector>,
    fit: Vec<Real>,
    rng: ChaCha8Rng,
    generation: usize,
    evaluations: usize,
    best: Option<Best>,
    pending: Option<Vec<Vector>>,
}

impl Core {
    /// The size of the next ask: the whole population first, then the non-elite children.
    fn ask_size(&self, popsize: usize, elitism: usize) -> usize {
        if self.pop.is_empty() {
            popsize
        } else {
            popsize - elitism
        }
    }

    fn tournament(&mut self, k: usize) -> usize {
        let n = self.pop.len();
        let mut best = self.rng.random_range(0..n);
        for _ in 1..k {
            let c = self.rng.random_range(0..n);
            if self.fit[c] < self.fit[best] {
                best = c;
            }
        }
        best
    }

    fn tell(&mut self, fitness: &[Real], elitism: usize) -> Result<()> {
        check_tell(
            self.pending.as_ref().map(Vec::len),
            fitness,
            self.generation,
        )?;
        let children = self.pending.take().unwrap_or_default();
        update_best(&mut self.best, &children, fitness, self.evaluations);
        self.evaluations += children.len();
        self.generation += 1;
        if self.pop.is_empty() {
            self.pop = children;
            self.fit = fitness.to_vec();
        } else {
            let order = argsort(&self.fit);
            let mut pop: Vec<Vector> = order
                .iter()
                .take(elitism)
                .map(|&i| self.pop[i].clone())
                .collect();
            let mut fit: Vec<Real> = order.iter().take(elitism).map(|&i| self.fit[i]).collect();
            pop.extend(children);
            fit.extend_from_slice(fitness);
            self.pop = pop;
            self.fit = fit;
        }
        Ok(())
    }

    /// Records `children` as the pending batch of this generation and returns them.
    fn set_pending(&mut self, children: Vec<Vector>) -> Vec<Vector> {
        self.pending = Some(children.clone());
        children
    }

    /// The budget-based stop test shared by both GAs.
    fn stop(
        &self,
        next: usize,
        ftarget: Option<Real>,
        max_evaluations: Option<usize>,
        max_generations: Option<usize>,
    ) -> Option<StopReason> {
        budget_stop(
            &self.best,
            ftarget,
            self.evaluations + next,
            max_evaluations,
            self.generation,
            max_generations,
        )
    }
}

/// Pushes the child pair `(c1, c2)` onto `out`, dropping `c2` once `out` holds `want`.
fn push_pair(out: &mut Vec<Vector>, want: usize, c1: Vector, c2: Vector) {
    out.push(c1);
    if out.len() < want {
        out.push(c2);
    }
}

/// Real-valued generational GA with tournament selection and elitism: the `elitism` best of
/// the current population survive unchanged (and are not re-evaluated); the other
/// `popsize − elitism` are children of tournament-selected parents, recombined with
/// probability `crossover_rate` and mutated per gene with probability `mutation_rate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealGa {
    config: RealGaConfig,
    bounds: Bounds,
    core: Core,
}

impl RealGa {
    /// Validates the config.
    ///
    /// # Errors
    /// Dimension 0, bad/infinite bounds, `popsize < 2`, `elitism >= popsize`, bad tournament
    /// size, rates outside `[0, 1]`, non-positive operator parameters.
    pub fn new(config: RealGaConfig) -> Result<Self> {
        let n = config.lower.len();
        super::check_dim(n)?;
        let bounds = Bounds::new(&config.lower, &config.upper, n)?;
        // The reported index runs over lower ++ upper.
        crate::error::check_finite(
            &[&config.lower[..], &config.upper[..]].concat(),
            "GA bounds",
        )?;
        check_common(
            config.popsize,
            config.elitism,
            config.tournament,
            config.crossover_rate,
            config.mutation_rate,
        )?;
        let bad = |name, v: Real| OptimError::InvalidParameter {
            name,
            value: format!("{v}"),
            reason: "must be finite and > 0".into(),
        };
        match config.crossover {
            RealCrossover::Sbx { eta } if !(eta.is_finite() && eta > 0.0) => {
                return Err(bad("eta", eta));
            }
            RealCrossover::Blend { alpha } if !(alpha.is_finite() && alpha >= 0.0) => {
                return Err(bad("alpha", alpha));
            }
            _ => {}
        }
        match config.mutation {
            RealMutation::Gaussian { scale } if !(scale.is_finite() && scale > 0.0) => {
                return Err(bad("scale", scale));
            }
            RealMutation::Polynomial { eta } if !(eta.is_finite() && eta > 0.0) => {
                return Err(bad("eta", eta));
            }
            _ => {}
        }
        Ok(Self {
            core: Core {
                pop: Vec::new(),
                fit: Vec::new(),
                rng: ChaCha8Rng::seed_from_u64(config.seed),
                generation: 0,
                evaluations: 0,
                best: None,
                pending: None,
            },
            bounds,
            config,
        })
    }

    /// The current population and its fitness.
    pub fn population(&self) -> (&[Vector], &[Real]) {
        (&self.core.pop, &self.core.fit)
    }

    fn crossover(&mut self, a: &Vector, b: &Vector) -> (Vector, Vector) {
        let rng = &mut self.core.rng;
        let (mut c1, mut c2) = (a.clone(), b.clone());
        if rng.random::<Real>() >= self.config.crossover_rate {
            return (c1, c2);
        }
        for i in 0..a.len() {
            match self.config.crossover {
                RealCrossover::Sbx { eta } => {
                    let u: Real = rng.random();
                    let beta = if u <= 0.5 {
                        (2.0 * u).powf(1.0 / (eta + 1.0))
                    } else {
                        (1.0 / (2.0 * (1.0 - u))).powf(1.0 / (eta + 1.0))
                    };
                    c1[i] = 0.5 * ((1.0 + beta) * a[i] + (1.0 - beta) * b[i]);
                    c2[i] = 0.5 * ((1.0 - beta) * a[i] + (1.0 + beta) * b[i]);
                }
                RealCrossover::Blend { alpha } => {
                    let (lo, hi) = (a[i].min(b[i]), a[i].max(b[i]));
                    let d = hi - lo;
                    let (l, h) = (lo - alpha * d, hi + alpha * d);
                    c1[i] = l + (h - l) * rng.random::<Real>();
                    c2[i] = l + (h - l) * rng.random::<Real>();
                }
            }
        }
        (c1, c2)
    }

    fn mutate(&mut self, x: &mut Vector) {
        let rng = &mut self.core.rng;
        for i in 0..x.len() {
            if rng.random::<Real>() >= self.config.mutation_rate {
                continue;
            }
            let (l, u) = (self.bounds.lower[i], self.bounds.upper[i]);
            match self.config.mutation {
                RealMutation::Gaussian { scale } => {
                    let z: Real = StandardNormal.sample(rng);
                    x[i] += scale * (u - l) * z;
                }
                RealMutation::Polynomial { eta } => {
                    let r: Real = rng.random();
                    let delta = if r < 0.5 {
                        (2.0 * r).powf(1.0 / (eta + 1.0)) - 1.0
                    } else {
                        1.0 - (2.0 * (1.0 - r)).powf(1.0 / (eta + 1.0))
                    };
                    x[i] += delta * (u - l);
                }
            }
        }
        for i in 0..x.len() {
            x[i] = x[i].clamp(self.bounds.lower[i], self.bounds.upper[i]);
        }
    }
}

impl AskTell for RealGa {
    fn dim(&self) -> usize {
        self.bounds.lower.len()
    }

    fn ask_size(&self) -> usize {
        self.core.ask_size(self.config.popsize, self.config.elitism)
    }

    fn ask(&mut self) -> Vec<Vector> {
        let n = self.dim();
        let children: Vec<Vector> = if self.core.pop.is_empty() {
            (0..self.config.popsize)
                .map(|_| {
                    Vector::from_fn(n, |i, _| {
                        let (l, u) = (self.bounds.lower[i], self.bounds.upper[i]);
                        l + (u - l) * self.core.rng.random::<Real>()
                    })
                })
                .collect()
        } else {
            let want = self.config.popsize - self.config.elitism;
            let mut out = Vec::with_capacity(want + 1);
            while out.len() < want {
                let pa = self.core.tournament(self.config.tournament);
                let pb = self.core.tournament(self.config.tournament);
                let (a, b) = (self.core.pop[pa].clone(), self.core.pop[pb].clone());
                let (mut c1, mut c2) = self.crossover(&a, &b);
                self.mutate(&mut c1);
                self.mutate(&mut c2);
                push_pair(&mut out, want, c1, c2);
            }
            out
        };
        self.core.set_pending(children)
    }

    fn tell(&mut self, fitness: &[Real]) -> Result<()> {
        self.core.tell(fitness, self.config.elitism)
    }

    fn best(&self) -> Option<&Best> {
        self.core.best.as_ref()
    }

    fn stop(&self) -> Option<StopReason> {
        self.core.stop(
            self.ask_size(),
            self.config.ftarget,
            self.config.max_evaluations,
            self.config.max_generations,
        )
    }

    fn generation(&self) -> usize {
        self.core.generation
    }

    fn evaluations(&self) -> usize {
        self.core.evaluations
    }

    fn name(&self) -> &'static str {
        "real_ga"
    }
}

/// Binary generational GA (Holland 1975; Goldberg 1989): bits are stored as `0.0`/`1.0` in the
/// candidate vectors; tournament selection, uniform or one-point crossover, independent
/// bit-flip mutation, elitism.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinaryGa {
    config: BinaryGaConfig,
    core: Core,
}

impl BinaryGa {
    /// Validates the config.
    ///
    /// # Errors
    /// `bits = 0`, `popsize < 2`, `elitism >= popsize`, bad tournament size, rates outside
    /// `[0, 1]`.
    pub fn new(config: BinaryGaConfig) -> Result<Self> {
        super::check_dim(config.bits)?;
        check_common(
            config.popsize,
            config.elitism,
            config.tournament,
            config.crossover_rate,
            config.mutation_rate,
        )?;
        Ok(Self {
            core: Core {
                pop: Vec::new(),
                fit: Vec::new(),
                rng: ChaCha8Rng::seed_from_u64(config.seed),
                generation: 0,
                evaluations: 0,
                best: None,
                pending: None,
            },
            config,
        })
    }

    /// The current population and its fitness.
    pub fn population(&self) -> (&[Vector], &[Real]) {
        (&self.core.pop, &self.core.fit)
    }
}

impl AskTell for BinaryGa {
    fn dim(&self) -> usize {
        self.config.bits
    }

    fn ask_size(&self) -> usize {
        self.core.ask_size(self.config.popsize, self.config.elitism)
    }

    fn ask(&mut self) -> Vec<Vector> {
        let n = self.config.bits;
        let rng_bit = |rng: &mut ChaCha8Rng| if rng.random::<bool>() { 1.0 } else { 0.0 };
        let children: Vec<Vector> = if self.core.pop.is_empty() {
            (0..self.config.popsize)
                .map(|_| Vector::from_fn(n, |_, _| rng_bit(&mut self.core.rng)))
                .collect()
        } else {
            let want = self.config.popsize - self.config.elitism;
            let mut out = Vec::with_capacity(want + 1);
            while out.len() < want {
                let pa = self.core.tournament(self.config.tournament);
                let pb = self.core.tournament(self.config.tournament);
                let (mut c1, mut c2) = (self.core.pop[pa].clone(), self.core.pop[pb].clone());
                let rng = &mut self.core.rng;
                if rng.random::<Real>() < self.config.crossover_rate {
                    match self.config.crossover {
                        BinaryCrossover::Uniform => {
                            for i in 0..n {
                                if rng.random::<bool>() {
                                    std::mem::swap(&mut c1[i], &mut c2[i]);
                                }
                            }
                        }
                        BinaryCrossover::OnePoint => {
                            let cut = rng.random_range(1..n.max(2));
                            for i in cut.min(n)..n {
                                std::mem::swap(&mut c1[i], &mut c2[i]);
                            }
                        }
                    }
                }
                for c in [&mut c1, &mut c2] {
                    for i in 0..n {
                        if rng.random::<Real>() < self.config.mutation_rate {
                            c[i] = 1.0 - c[i];
                        }
                    }
                }
                push_pair(&mut out, want, c1, c2);
            }
            out
        };
        self.core.set_pending(children)
    }

    fn tell(&mut self, fitness: &[Real]) -> Result<()> {
        self.core.tell(fitness, self.config.elitism)
    }

    fn best(&self) -> Option<&Best> {
        self.core.best.as_ref()
    }

    fn stop(&self) -> Option<StopReason> {
        self.core.stop(
            self.ask_size(),
            self.config.ftarget,
            self.config.max_evaluations,
            self.config.max_generations,
        )
    }

    fn generation(&self) -> usize {
        self.core.generation
    }

    fn evaluations(&self) -> usize {
        self.core.evaluations
    }

    fn name(&self) -> &'static str {
        "binary_ga"
    }
}
