//! The one neuron-model contract: [`NeuronModel`], its [`Input`], a [`Population`] of neurons
//! stepped together and the generic single-neuron driver [`simulate`].
//!
//! A neuron is "state, input, dt -> next state, spiked?" (the house rule of a small trait). Every
//! model of this crate implements it: [`Lif`](crate::lif::Lif),
//! [`Adex`](crate::adex::Adex), [`Izhikevich`](crate::izhikevich::Izhikevich),
//! [`HodgkinHuxley`](crate::hh::HodgkinHuxley), the rate unit [`RateUnit`](crate::rate::RateUnit),
//! the discrete-time LIF/ALIF of Bellec et al. (2020) [`Alif`](crate::alif::Alif) and the reference
//! neuron of the COBA/CUBA benchmarks [`BrettLif`](crate::circuits::brette2007::BrettLif). Circuits
//! are generic over it ([`BrettNetwork<M>`](crate::circuits::brette2007::BrettNetwork)), so a model is
//! swapped by type and a new model is one file (see `docs/adding-a-neuron-model.md`).
//!
//! ## The step, the event and the reset
//!
//! One call of [`NeuronModel::step`] advances the state by the model's step `dt` with an input
//! held over the step, using the model's integrator ([`NeuronModel::integrator`]), and then tests
//! the model's spike condition on the new state. It returns `true` if the neuron spiked in this
//! step; the state is then left *before* the reset, as the threshold saw it (Brian2's scheme:
//! update, threshold, reset as three phases). The caller applies [`NeuronModel::reset`] after it
//! has read what it needs (a recorder the peak, a network the spike). [`NeuronModel::advance`]
//! does both for a caller that needs nothing in between; [`Population`] and [`simulate`] follow
//! this order. Refractoriness is part of the state: a model that has it counts refractory steps
//! set by `reset` and does not integrate (LIF) or cannot spike (ALIF) while they last.
//!
//! A spike detected in step `k` (from `t = k dt` to `(k + 1) dt`) is stamped with the step's start
//! or end, per model ([`NeuronModel::SPIKE_AT_STEP_END`]), which keeps each model's published
//! spike times.
//!
//! ## Why the step size is fixed at construction
//!
//! The suggested shape `step(&self, state, input, dt)` was changed to a model discretised for one
//! `dt` (`Model::new(params, dt_ms)`), for three reasons: the step range each integrator is stable
//! in is validated once, at construction, not in the hot loop (house rule: check once); exact
//! propagators (`e^{-dt/tau}`, the CUBA coefficients, ALIF's `alpha` and `rho`) and refractory step
//! counts `round(t_ref/dt)` are computed once; and a discrete-time model (ALIF) is defined for one
//! step only. [`NeuronModel::dt_ms`] returns it.
//!
//! ## Units
//!
//! Time in ms everywhere (`dt_ms`, spike times, refractory periods). Each model documents the unit
//! of its potential and of each [`Input`] field in its own rustdoc; the table is in
//! `docs/neurons.md`.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::integrators::Integrator;
use crate::validate;
use crate::{NeuronError, Real, Result};

/// The input to one neuron for one step, held constant over the step.
///
/// The unit of each field is the model's (see each model's rustdoc and `docs/neurons.md`):
///
/// | model | `current` | `syn_exc`, `syn_inh` |
/// |---|---|---|
/// | [`Lif`](crate::lif::Lif) | nA | conductances (uS) to `e_exc_mv`, `e_inh_mv` |
/// | [`BrettLif`](crate::circuits::brette2007::BrettLif) COBA | mV (`R I`) | conductances in units of `g_L` to `E_e`, `E_i` |
/// | [`BrettLif`](crate::circuits::brette2007::BrettLif) CUBA | mV (`R I`) | exponential synaptic currents (mV) |
/// | [`Adex`](crate::adex::Adex) | pA | currents (pA), added to `current` |
/// | [`Izhikevich`](crate::izhikevich::Izhikevich) | model units | currents, added to `current` |
/// | [`HodgkinHuxley`](crate::hh::HodgkinHuxley) | uA/cm^2 | currents, added to `current` |
/// | [`RateUnit`](crate::rate::RateUnit) | rate units | added to `current` |
/// | [`Alif`](crate::alif::Alif) | units of `v` | added to `current` |
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Input {
    /// Injected current (external drive plus current-based synaptic input).
    pub current: Real,
    /// Excitatory synaptic variable (a conductance or a current, per model).
    pub syn_exc: Real,
    /// Inhibitory synaptic variable (a conductance or a current, per model).
    pub syn_inh: Real,
}

impl Input {
    /// No input.
    pub const ZERO: Input = Input {
        current: 0.0,
        syn_exc: 0.0,
        syn_inh: 0.0,
    };

    /// Only an injected current.
    pub fn current(current: Real) -> Self {
        Input {
            current,
            ..Input::ZERO
        }
    }

    fn is_finite(&self) -> bool {
        self.current.is_finite() && self.syn_exc.is_finite() && self.syn_inh.is_finite()
    }
}

/// A neuron model discretised for one step `dt` (see the module docs for the contract).
///
/// The implementor is the validated parameter set together with its step (built by each model's
/// `new(params, dt_ms) -> Result<Self>`, which checks the parameters and the step range), so the
/// hot loop never re-checks.
pub trait NeuronModel: Clone + std::fmt::Debug {
    /// The dynamic state of one neuron (potential, gates, adaptation, refractory counter, ...).
    type State: Clone + std::fmt::Debug + PartialEq + Serialize + DeserializeOwned;

    /// Short name, used in error messages (`"lif"`, `"adex"`, ...).
    const NAME: &'static str;

    /// Whether a spike detected in step `k` is stamped at the step's end `k dt + dt` (`true`) or
    /// its start `k dt` (`false`).
    const SPIKE_AT_STEP_END: bool;

    /// The step (ms) this model was discretised for.
    fn dt_ms(&self) -> Real;

    /// The integrator of [`NeuronModel::step`].
    fn integrator(&self) -> Integrator;

    /// The state a neuron starts in (the model's rest or its protocol's initial condition).
    fn initial_state(&self) -> Self::State;

    /// Advance `state` by one step with `input` held over it; `true` if the neuron spiked. On a
    /// spike the state is left before the reset (see [`NeuronModel::reset`]).
    fn step(&self, state: &mut Self::State, input: &Input) -> bool;

    /// Apply the spike's reset (potential to reset, adaptation increment, refractory counter).
    /// Called once after every step that returned `true`.
    fn reset(&self, state: &mut Self::State);

    /// The membrane potential (mV; the rate for a rate unit; `v` for ALIF).
    fn potential(&self, state: &Self::State) -> Real;

    /// Set the membrane potential of `state` (other variables unchanged), e.g. to draw random
    /// initial potentials in a network.
    fn set_potential(&self, state: &mut Self::State, v: Real);

    /// The potential a recording shows on a spike step, if the model clips its spikes (AdEx at
    /// `V_peak`, Izhikevich at 30 mV); `None` records the state's potential.
    fn spike_peak(&self) -> Option<Real> {
        None
    }

    /// [`NeuronModel::step`] then, on a spike, [`NeuronModel::reset`].
    fn advance(&self, state: &mut Self::State, input: &Input) -> bool {
        let spiked = self.step(state, input);
        if spiked {
            self.reset(state);
        }
        spiked
    }

    /// Step a block of neurons driven by decaying synaptic variables (see [`SynapticDrive`]):
    /// neuron `k` receives `Input { current: drive.current, syn_exc: drive.syn_exc[k], syn_inh:
    /// drive.syn_inh[k] }`, each synaptic variable is then multiplied by its decay factor, every
    /// neuron that spiked is reset and its index `k` is pushed onto `spikes` (ascending).
    ///
    /// The provided method is exactly that loop over [`NeuronModel::advance`]; a model may
    /// override it with a loop written for its own state (a vectorisable update, as
    /// [`BrettLif`](crate::circuits::brette2007::BrettLif) does) but must give the same states,
    /// synaptic variables and spikes bit for bit. The three slices must have the same length
    /// ([`Population::step_drive`] checks it; the provided method steps the shortest).
    fn step_many(
        &self,
        states: &mut [Self::State],
        drive: SynapticDrive<'_>,
        spikes: &mut Vec<u32>,
    ) {
        for (k, ((s, e), i)) in states
            .iter_mut()
            .zip(drive.syn_exc.iter_mut())
            .zip(drive.syn_inh.iter_mut())
            .enumerate()
        {
            let input = Input {
                current: drive.current,
                syn_exc: *e,
                syn_inh: *i,
            };
            *e *= drive.decay_exc;
            *i *= drive.decay_inh;
            if self.advance(s, &input) {
                spikes.push(k as u32);
            }
        }
    }
}

/// The input of a block of neurons for one step ([`NeuronModel::step_many`]): a common injected
/// current and per-neuron synaptic variables that decay by a constant factor per step, read at
/// the step's start (exponential synapses, `g <- g e^{-dt/tau}` or the forward Euler factor
/// `1 - dt/tau`; Rall 1967). A factor of 1 leaves the variables unchanged.
#[derive(Debug)]
pub struct SynapticDrive<'a> {
    /// Injected current of every neuron (the model's unit of [`Input::current`]).
    pub current: Real,
    /// Excitatory synaptic variable of each neuron; left multiplied by `decay_exc`.
    pub syn_exc: &'a mut [Real],
    /// Inhibitory synaptic variable of each neuron; left multiplied by `decay_inh`.
    pub syn_inh: &'a mut [Real],
    /// Per-step decay factor of `syn_exc`.
    pub decay_exc: Real,
    /// Per-step decay factor of `syn_inh`.
    pub decay_inh: Real,
}

/// A neuron model given by an ordinary differential equation `d state/dt = F(state, input)`:
/// its right-hand side, for integrators that couple units inside a step.
///
/// [`NeuronModel::step`] integrates one neuron on its own with the input held over the step. A
/// network whose input depends on the other units' states *within* the step (a rate network
/// `x_i = sum_j W_ij r_j + I_i` integrated with RK4, whose stages need every unit's stage state)
/// cannot be a sequence of per-unit steps; it integrates the whole state vector with a
/// network-level integrator ([`integrators::euler_step_in_place`](crate::integrators::euler_step_in_place),
/// [`integrators::rk4_step_in_place`](crate::integrators::rk4_step_in_place)) that obtains each
/// unit's entry of the right-hand side from this method.
pub trait ContinuousModel: NeuronModel {
    /// The time derivative of every state variable at `state` with `input`, returned in a state
    /// value (field `x` holds `dx/dt`, per unit of the time the model's time constants were given
    /// in).
    fn derivative(&self, state: &Self::State, input: &Input) -> Self::State;
}

/// `n` neurons of one model, stepped together (struct of states, spike indices out).
#[derive(Debug, Clone, PartialEq)]
pub struct Population<M: NeuronModel> {
    model: M,
    states: Vec<M::State>,
    spikes: Vec<u32>,
}

impl<M: NeuronModel> Population<M> {
    /// `n` neurons, each in [`NeuronModel::initial_state`]. Error if `n` exceeds `u32::MAX`.
    pub fn new(model: M, n: usize) -> Result<Self> {
        let s = model.initial_state();
        Self::from_states(model, vec![s; n])
    }

    /// A population with the given states (one per neuron).
    pub fn from_states(model: M, states: Vec<M::State>) -> Result<Self> {
        if states.len() > u32::MAX as usize {
            return Err(NeuronError::InvalidParameter {
                name: "n",
                value: format!("{}", states.len()),
                reason: "a population holds at most u32::MAX neurons".into(),
            });
        }
        Ok(Self {
            spikes: Vec::with_capacity(states.len()),
            model,
            states,
        })
    }

    /// Number of neurons.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// Whether the population is empty.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The states.
    pub fn states(&self) -> &[M::State] {
        &self.states
    }

    /// The states, mutable (the model and the number of neurons stay fixed).
    pub fn states_mut(&mut self) -> &mut [M::State] {
        &mut self.states
    }

    /// Every neuron's potential.
    pub fn potentials(&self) -> Vec<Real> {
        self.states
            .iter()
            .map(|s| self.model.potential(s))
            .collect()
    }

    /// The neurons that spiked in the last step (sorted).
    pub fn spikes(&self) -> &[u32] {
        &self.spikes
    }

    /// One step with neuron `i` receiving `input(i)`: step every neuron, collect the spikes,
    /// reset the neurons that spiked. Returns the spike indices (sorted). Neurons are stepped in
    /// chunks of 64 before the chunk's spikes are scanned.
    pub fn step_with(&mut self, input: impl FnMut(usize) -> Input) -> &[u32] {
        const CHUNK: usize = 64;
        self.spikes.clear();
        let mut flags = [false; CHUNK];
        let mut inputs = (0..self.states.len()).map(input);
        for (c, chunk) in self.states.chunks_mut(CHUNK).enumerate() {
            let mut any = false;
            for ((s, f), inp) in chunk.iter_mut().zip(flags.iter_mut()).zip(&mut inputs) {
                *f = self.model.step(s, &inp);
                any |= *f;
            }
            if any {
                for (k, s) in chunk.iter_mut().enumerate() {
                    if flags[k] {
                        self.model.reset(s);
                        self.spikes.push((c * CHUNK + k) as u32);
                    }
                }
            }
        }
        &self.spikes
    }

    /// One step of every neuron driven by decaying synaptic variables
    /// ([`NeuronModel::step_many`]): `drive.syn_exc` and `drive.syn_inh` must have
    /// [`Population::len`] entries (else [`NeuronError::ShapeMismatch`], nothing stepped).
    /// Returns the spike indices (sorted); the neurons that spiked are reset.
    pub fn step_drive(&mut self, drive: SynapticDrive<'_>) -> Result<&[u32]> {
        let n = self.states.len();
        for (op, got) in [
            ("population excitatory drive", drive.syn_exc.len()),
            ("population inhibitory drive", drive.syn_inh.len()),
        ] {
            if got != n {
                return Err(NeuronError::vector_len(op, n, got));
            }
        }
        Ok(self.step_drive_unchecked(drive))
    }

    /// [`Population::step_drive`] for callers that hold the lengths equal by construction.
    /// The model, the states and the spike buffer, for a network that steps blocks of the
    /// population itself (the parallel step of the COBA/CUBA network).
    pub(crate) fn parts_mut(&mut self) -> (&M, &mut [M::State], &mut Vec<u32>) {
        (&self.model, &mut self.states, &mut self.spikes)
    }

    pub(crate) fn step_drive_unchecked(&mut self, drive: SynapticDrive<'_>) -> &[u32] {
        self.spikes.clear();
        self.model
            .step_many(&mut self.states, drive, &mut self.spikes);
        &self.spikes
    }

    /// One step with one input per neuron (`inputs.len()` must equal [`Population::len`]).
    pub fn step(&mut self, inputs: &[Input]) -> Result<&[u32]> {
        if inputs.len() != self.states.len() {
            return Err(NeuronError::vector_len(
                "population step inputs",
                self.states.len(),
                inputs.len(),
            ));
        }
        Ok(self.step_with(|i| inputs[i]))
    }
}

/// Length and recording of a single-neuron run ([`simulate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RunConfig {
    /// Number of steps.
    pub steps: usize,
    /// Record the state after every this many steps (steps `0, e, 2e, ...`); 0 records nothing.
    pub record_every: usize,
}

impl RunConfig {
    /// `round(duration_ms / dt_ms)` steps (error unless in `1..=1e10`).
    pub fn for_duration(duration_ms: Real, dt_ms: Real, record_every: usize) -> Result<Self> {
        Ok(Self {
            steps: validate::n_steps(duration_ms, dt_ms)?,
            record_every,
        })
    }
}

/// What [`simulate`] recorded. Sample `j` belongs to step `step[j]`; its state is the one after
/// that step, before a reset.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trace<S> {
    /// The model's step (ms).
    pub dt_ms: Real,
    /// Index of the step of each sample.
    pub step: Vec<usize>,
    /// Potential after the step ([`NeuronModel::spike_peak`] on spike steps if the model clips).
    pub v: Vec<Real>,
    /// Total input current of the step (`Input::current`).
    pub current: Vec<Real>,
    /// State after the step, before the reset.
    pub states: Vec<S>,
    /// Steps in which the neuron spiked.
    pub spike_steps: Vec<usize>,
    /// Spike times (ms), stamped per [`NeuronModel::SPIKE_AT_STEP_END`].
    pub spikes_ms: Vec<Real>,
    /// State at the end of the run (after the last reset).
    pub final_state: S,
}

/// Run one neuron of `model` from `state0` for `cfg.steps` steps; step `k` receives
/// `input(k dt)` (time of the step's start, ms). Errors: a non-finite input
/// ([`NeuronError::NonFinite`] with the step index) or potential ([`NeuronError::Diverged`]).
pub fn simulate<M: NeuronModel>(
    model: &M,
    state0: M::State,
    cfg: &RunConfig,
    mut input: impl FnMut(Real) -> Input,
) -> Result<Trace<M::State>> {
    let dt = model.dt_ms();
    let cap = cfg.steps.checked_div(cfg.record_every).map_or(0, |n| n + 1);
    let mut tr = Trace {
        dt_ms: dt,
        step: Vec::with_capacity(cap),
        v: Vec::with_capacity(cap),
        current: Vec::with_capacity(cap),
        states: Vec::with_capacity(cap),
        spike_steps: Vec::new(),
        spikes_ms: Vec::new(),
        final_state: state0.clone(),
    };
    let mut s = state0;
    for k in 0..cfg.steps {
        let t = k as Real * dt;
        let inp = input(t);
        if !inp.is_finite() {
            return Err(NeuronError::NonFinite {
                what: format!("{} input", M::NAME),
                index: k,
            });
        }
        let spiked = model.step(&mut s, &inp);
        let v = model.potential(&s);
        if !v.is_finite() {
            return Err(NeuronError::Diverged {
                step: k,
                what: format!("{} membrane potential", M::NAME),
            });
        }
        if spiked {
            tr.spike_steps.push(k);
            tr.spikes_ms
                .push(if M::SPIKE_AT_STEP_END { t + dt } else { t });
        }
        if cfg.record_every > 0 && k % cfg.record_every == 0 {
            tr.step.push(k);
            tr.v.push(match model.spike_peak() {
                Some(peak) if spiked => peak,
                _ => v,
            });
            tr.current.push(inp.current);
            tr.states.push(s.clone());
        }
        if spiked {
            model.reset(&mut s);
        }
    }
    tr.final_state = s;
    Ok(tr)
}
