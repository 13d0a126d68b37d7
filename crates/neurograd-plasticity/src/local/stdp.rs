//! Pair-based spike-timing-dependent plasticity (Bi & Poo 1998; Song, Miller & Abbott 2000),
//! trace-based and event-driven, with a brute-force reference and the rate average of
//! Kempter, Gerstner & van Hemmen (1999).
//!
//! Window, `Δt = t_post − t_pre`: `W(Δt) = A₊ exp(−Δt/τ₊)` for `Δt > 0`,
//! `−A₋ exp(Δt/τ₋)` for `Δt < 0`, nothing for `Δt = 0`.
//! Traces: presynaptic `x` (τ₊), postsynaptic `o` (τ₋). On a pre spike `w −= A₋ o(t⁻)`, on a
//! post spike `w += A₊ x(t⁻)`; traces are read **before** any increment at the same time, then
//! incremented (`+1`, all-to-all) or reset (`= 1`, nearest-spike, Morrison, Diesmann & Gerstner
//! 2008 symmetric nearest-neighbour).
//!
//! Weight dependence: additive (as above), additive clipped to `[0, w_max]` (Song et al. 2000),
//! or multiplicative `Δw₊ = A₊ (w_max − w) x`, `Δw₋ = −A₋ w o` (van Rossum, Bi & Turrigiano
//! 2000).
//!
//! Theory: for independent stationary Poisson trains the all-to-all drift is
//! `⟨dw/dt⟩ = ν_pre ν_post (A₊τ₊ − A₋τ₋)` (Kempter et al. 1999); nearest-spike:
//! `A₊ ν_pre ν_post τ₊/(1 + ν_pre τ₊) − A₋ ν_pre ν_post τ₋/(1 + ν_post τ₋)`.
//!
//! Units: spike times and time constants in ms, rates in Hz, drifts in 1/s (the `τ` in the drift
//! formulas are converted to seconds). [`PairStdp`] implements [`SpikeRule`]; additive rules
//! state their [`SpikeKernel`], which the harness checks (see
//! [`harness::spikes`](super::harness::spikes)).

use super::check;
use super::spike_rule::{SpikeKernel, SpikeRule, SpikeTrains};
use crate::{PlasticityError, Result};
use neurograd_tensor::Real;

/// Which spike pairs interact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// Every pre/post pair (traces add `+1`).
    AllToAll,
    /// Each spike pairs with the nearest earlier spike of the other train (traces reset to 1).
    Nearest,
}

/// How the weight change depends on the current weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightDependence {
    /// `Δw` independent of `w`, unbounded.
    Additive,
    /// Additive, then clipped to `[0, w_max]` after every change (Song et al. 2000).
    AdditiveClipped {
        /// Upper bound.
        w_max: Real,
    },
    /// Soft bounds: LTP `∝ (w_max − w)`, LTD `∝ w` (van Rossum et al. 2000).
    Multiplicative {
        /// Upper bound.
        w_max: Real,
    },
}

/// Pair-based STDP; times in ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairStdp {
    /// Potentiation amplitude `A₊ ≥ 0`.
    pub a_plus: Real,
    /// Depression amplitude `A₋ ≥ 0`.
    pub a_minus: Real,
    /// Potentiation time constant `τ₊ > 0` (ms).
    pub tau_plus: Real,
    /// Depression time constant `τ₋ > 0` (ms).
    pub tau_minus: Real,
    /// Pairing scheme.
    pub pairing: Pairing,
    /// Weight dependence.
    pub dependence: WeightDependence,
}

/// An exponentially decaying trace, decayed lazily to the current event time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Trace {
    pub(crate) value: Real,
    pub(crate) tau: Real,
}

impl Trace {
    pub(crate) fn decay(&mut self, dt: Real) {
        if dt > 0.0 {
            self.value *= (-dt / self.tau).exp();
        }
    }
}

/// The next event time of up to three sorted streams (`None` when all are exhausted).
pub(crate) fn next_time(streams: &[Option<Real>]) -> Option<Real> {
    streams.iter().flatten().copied().reduce(Real::min)
}

/// Number of entries equal to `t` at the front of `s`.
pub(crate) fn count_at(s: &[Real], t: Real) -> usize {
    s.iter().take_while(|&&v| v == t).count()
}

impl PairStdp {
    /// All-to-all additive STDP; errors unless amplitudes are `≥ 0` and time constants `> 0`.
    pub fn new(a_plus: Real, a_minus: Real, tau_plus: Real, tau_minus: Real) -> Result<Self> {
        check::non_negative("a_plus", a_plus)?;
        check::non_negative("a_minus", a_minus)?;
        check::positive("tau_plus", tau_plus)?;
        check::positive("tau_minus", tau_minus)?;
        Ok(Self {
            a_plus,
            a_minus,
            tau_plus,
            tau_minus,
            pairing: Pairing::AllToAll,
            dependence: WeightDependence::Additive,
        })
    }

    /// Song, Miller & Abbott (2000): `A₊ = 0.005`, `A₋ = 1.05 A₊`, `τ₊ = τ₋ = 20 ms`
    /// (depression-dominated, so uncorrelated input depresses).
    pub fn song_2000() -> Self {
        Self {
            a_plus: 0.005,
            a_minus: 1.05 * 0.005,
            tau_plus: 20.0,
            tau_minus: 20.0,
            pairing: Pairing::AllToAll,
            dependence: WeightDependence::Additive,
        }
    }

    /// With pairing scheme `pairing`.
    pub fn with_pairing(mut self, pairing: Pairing) -> Self {
        self.pairing = pairing;
        self
    }

    /// With weight dependence `dependence`; errors unless `w_max` is finite and `> 0`.
    pub fn with_dependence(mut self, dependence: WeightDependence) -> Result<Self> {
        match dependence {
            WeightDependence::Additive => {}
            WeightDependence::AdditiveClipped { w_max }
            | WeightDependence::Multiplicative { w_max } => {
                check::positive("w_max", w_max)?;
            }
        }
        self.dependence = dependence;
        Ok(self)
    }

    /// The STDP window `W(Δt)`, `Δt = t_post − t_pre` (0 at `Δt = 0`).
    pub fn window(&self, dt: Real) -> Real {
        if dt > 0.0 {
            self.a_plus * (-dt / self.tau_plus).exp()
        } else if dt < 0.0 {
            -self.a_minus * (dt / self.tau_minus).exp()
        } else {
            0.0
        }
    }

    /// `∫W(s) ds = A₊τ₊ − A₋τ₋` (ms).
    pub fn window_integral(&self) -> Real {
        self.a_plus * self.tau_plus - self.a_minus * self.tau_minus
    }

    /// The theoretical mean drift `⟨dw/dt⟩` (1/s, additive) for independent Poisson trains at
    /// rates `nu_pre`, `nu_post` (Hz), for this rule's pairing scheme
    /// ([`SpikeKernel::increment_drift`]).
    pub fn rate_drift(&self, nu_pre: Real, nu_post: Real) -> Real {
        self.additive_kernel().increment_drift(nu_pre, nu_post)
    }

    /// The kernel of the additive rule with these amplitudes, time constants and pairing.
    fn additive_kernel(&self) -> SpikeKernel {
        SpikeKernel::pair(
            self.a_plus,
            self.a_minus,
            self.tau_plus,
            self.tau_minus,
            self.pairing,
        )
    }

    fn apply(&self, w: Real, ltp: Real, ltd: Real) -> Real {
        match self.dependence {
            WeightDependence::Additive => w + ltp - ltd,
            WeightDependence::AdditiveClipped { w_max } => (w + ltp - ltd).clamp(0.0, w_max),
            WeightDependence::Multiplicative { w_max } => w + ltp * (w_max - w) - ltd * w,
        }
    }

    /// Event-driven, trace-based run over sorted spike trains `pre`, `post` (ms) from weight
    /// `w0`; returns the final weight.
    pub fn run(&self, pre: &[Real], post: &[Real], w0: Real) -> Result<Real> {
        check::spike_train("pre spike times", pre)?;
        check::spike_train("post spike times", post)?;
        check::finite_slice("w0", &[w0])?;
        let mut x = Trace {
            value: 0.0,
            tau: self.tau_plus,
        };
        let mut o = Trace {
            value: 0.0,
            tau: self.tau_minus,
        };
        let mut w = w0;
        let (mut i, mut j) = (0usize, 0usize);
        let mut t_last = 0.0;
        while let Some(t) = next_time(&[pre.get(i).copied(), post.get(j).copied()]) {
            x.decay(t - t_last);
            o.decay(t - t_last);
            t_last = t;
            let n_pre = count_at(&pre[i..], t);
            let n_post = count_at(&post[j..], t);
            // read before increment: depression uses o(t⁻), potentiation x(t⁻)
            for _ in 0..n_pre {
                w = self.apply(w, 0.0, self.a_minus * o.value);
            }
            for _ in 0..n_post {
                w = self.apply(w, self.a_plus * x.value, 0.0);
            }
            match self.pairing {
                Pairing::AllToAll => {
                    x.value += n_pre as Real;
                    o.value += n_post as Real;
                }
                Pairing::Nearest => {
                    if n_pre > 0 {
                        x.value = 1.0;
                    }
                    if n_post > 0 {
                        o.value = 1.0;
                    }
                }
            }
            i += n_pre;
            j += n_post;
        }
        if !w.is_finite() {
            return Err(PlasticityError::NonFinite {
                what: "stdp weight".to_string(),
                index: 0,
            });
        }
        Ok(w)
    }
}

impl SpikeRule for PairStdp {
    fn weight_change(&self, trains: &SpikeTrains<'_>, weight: Real) -> Result<Real> {
        trains.validate_unmodulated("pair STDP")?;
        Ok(self.run(trains.pre, trains.post, weight)? - weight)
    }

    /// The pair kernel; an error for weight-dependent (clipped or multiplicative) rules.
    fn kernel(&self) -> Result<SpikeKernel> {
        if self.dependence != WeightDependence::Additive {
            return Err(PlasticityError::InvalidParameter {
                name: "dependence",
                value: format!("{:?}", self.dependence),
                reason: "a weight-dependent rule has no additive kernel".to_string(),
            });
        }
        Ok(self.additive_kernel())
    }

    fn name(&self) -> &'static str {
        match self.pairing {
            Pairing::AllToAll => "pair STDP (all-to-all)",
            Pairing::Nearest => "pair STDP (nearest-spike)",
        }
    }
}

/// Clock-driven all-to-all additive pair STDP on a dense `n_post x n_pre` weight matrix, for
/// populations (the benchmark case: 10⁵ synapses). Per step of length `dt`: traces decay by
/// `exp(−dt/τ)`, then spiking pre columns get `w −= A₋ o`, spiking post rows get `w += A₊ x`
/// (traces read before increment), then traces of spiking neurons increase by 1.
#[derive(Debug, Clone, PartialEq)]
pub struct StdpPopulation {
    rule: PairStdp,
    weights: Vec<Real>,
    n_pre: usize,
    n_post: usize,
    x: Vec<Real>,
    o: Vec<Real>,
    decay_x: Real,
    decay_o: Real,
}

impl StdpPopulation {
    /// A population with all weights `w0` and time step `dt` (ms).
    pub fn new(rule: PairStdp, n_pre: usize, n_post: usize, w0: Real, dt: Real) -> Result<Self> {
        check::positive("dt", dt)?;
        check::finite_slice("w0", &[w0])?;
        Ok(Self {
            rule,
            weights: vec![w0; n_pre * n_post],
            n_pre,
            n_post,
            x: vec![0.0; n_pre],
            o: vec![0.0; n_post],
            decay_x: (-dt / rule.tau_plus).exp(),
            decay_o: (-dt / rule.tau_minus).exp(),
        })
    }

    /// Weight from pre `pre` to post `post` (`None` out of range).
    pub fn weight(&self, post: usize, pre: usize) -> Option<Real> {
        (post < self.n_post && pre < self.n_pre).then(|| self.weights[post * self.n_pre + pre])
    }

    /// Number of synapses.
    pub fn synapses(&self) -> usize {
        self.weights.len()
    }

    /// One time step with the indices of the pre and post neurons that spike in it.
    pub fn step(&mut self, pre_spikes: &[usize], post_spikes: &[usize]) -> Result<()> {
        if let Some(&i) = pre_spikes.iter().find(|&&i| i >= self.n_pre) {
            return Err(PlasticityError::ShapeMismatch {
                op: "StdpPopulation::step (pre index)",
                expected: (self.n_pre, 1),
                got: (i + 1, 1),
            });
        }
        if let Some(&j) = post_spikes.iter().find(|&&j| j >= self.n_post) {
            return Err(PlasticityError::ShapeMismatch {
                op: "StdpPopulation::step (post index)",
                expected: (self.n_post, 1),
                got: (j + 1, 1),
            });
        }
        let (dx, d_o) = (self.decay_x, self.decay_o);
        self.x.iter_mut().for_each(|v| *v *= dx);
        self.o.iter_mut().for_each(|v| *v *= d_o);
        let (a_plus, a_minus) = (self.rule.a_plus, self.rule.a_minus);
        for &i in pre_spikes {
            for j in 0..self.n_post {
                self.weights[j * self.n_pre + i] -= a_minus * self.o[j];
            }
        }
        for &j in post_spikes {
            let row = &mut self.weights[j * self.n_pre..(j + 1) * self.n_pre];
            for (w, x) in row.iter_mut().zip(&self.x) {
                *w += a_plus * x;
            }
        }
        for &i in pre_spikes {
            self.x[i] += 1.0;
        }
        for &j in post_spikes {
            self.o[j] += 1.0;
        }
        Ok(())
    }
}
