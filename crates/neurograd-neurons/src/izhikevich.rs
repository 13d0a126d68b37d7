//! Izhikevich (2003) simple spiking model with the parameter sets and input protocols of the 20
//! neuro-computational features of Izhikevich (2004), *Which model to use for cortical spiking
//! neurons?*, IEEE Trans. Neural Netw. 15:1063-1070, Fig. 1 (script `figure1.m`).
//!
//! ```text
//! dv/dt = 0.04 v^2 + 5 v + 140 - u + I        (v in mV, t in ms)
//! du/dt = a (b v - u)
//! if v >= 30 mV (figure1.m: v > 30): v <- c, u <- u + d
//! ```
//!
//! Two panels use variants, exactly as `figure1.m`: class 1 excitability (G) and integrator (L)
//! use `dv/dt = 0.04 v^2 + 4.1 v + 108 - u + I`; accommodation (R) uses `du/dt = a b (v + 65)`.
//!
//! Panel P (bistability) uses the input of `figure1.m`, a 0.24 baseline with 1.24 pulses at
//! 37.5 and 216 ms. (The project reference note lists 0.145 / 1.3, read from a fixed-point
//! re-implementation; with the floating-point update order below those values give two isolated
//! spikes, at 45 and 224 ms, and no persistent firing, so they are not the paper's protocol.)
//!
//! Integration: forward Euler in the order of the reference script,
//! `v <- v + tau f(v, u, I)`, then `u <- u + tau a (b v - u)` with the **new** v, then the spike
//! test (`v > 30`, the recorded peak clipped to 30 mV). The step `tau` of each protocol is the
//! paper's (0.1-0.5 ms). Stable step range: the quadratic upstroke makes Euler fragile for large
//! steps; steps up to 1 ms are accepted (Izhikevich 2003 ran its network at 1 ms with two half
//! steps for v), larger ones are rejected before running.

use serde::{Deserialize, Serialize};

use crate::integrators::Integrator;
use crate::model::{self, Input, NeuronModel, RunConfig, Trace};
use crate::validate;
use crate::{NeuronError, Real, Result};

/// Largest accepted step (ms).
pub const MAX_DT_MS: Real = 1.0;

/// Parameters `(a, b, c, d)` of the simple model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IzhParams {
    /// Recovery time scale `a` (1/ms).
    pub a: Real,
    /// Recovery sensitivity `b`.
    pub b: Real,
    /// Reset potential `c` (mV).
    pub c: Real,
    /// Recovery increment `d`.
    pub d: Real,
}

impl IzhParams {
    /// Regular spiking cortical neuron of Izhikevich (2003): (0.02, 0.2, -65, 8).
    pub const RS: Self = Self {
        a: 0.02,
        b: 0.2,
        c: -65.0,
        d: 8.0,
    };
    /// Fast spiking interneuron (2003): (0.1, 0.2, -65, 2).
    pub const FS: Self = Self {
        a: 0.1,
        b: 0.2,
        c: -65.0,
        d: 2.0,
    };
    /// Chattering (2003): (0.02, 0.2, -50, 2).
    pub const CH: Self = Self {
        a: 0.02,
        b: 0.2,
        c: -50.0,
        d: 2.0,
    };

    /// Intrinsically bursting (2003): (0.02, 0.2, -55, 4).
    pub const IB: Self = Self {
        a: 0.02,
        b: 0.2,
        c: -55.0,
        d: 4.0,
    };
    /// Low-threshold spiking interneuron (2003): (0.02, 0.25, -65, 2).
    pub const LTS: Self = Self {
        a: 0.02,
        b: 0.25,
        c: -65.0,
        d: 2.0,
    };
    /// Thalamo-cortical (2003): (0.02, 0.25, -65, 0.05).
    pub const TC: Self = Self {
        a: 0.02,
        b: 0.25,
        c: -65.0,
        d: 0.05,
    };
    /// Resonator (2003): (0.1, 0.26, -65, 2).
    pub const RZ: Self = Self {
        a: 0.1,
        b: 0.26,
        c: -65.0,
        d: 2.0,
    };

    /// All four must be finite.
    pub fn check(&self) -> Result<()> {
        validate::finite("a", self.a)?;
        validate::finite("b", self.b)?;
        validate::finite("c", self.c)?;
        validate::finite("d", self.d)
    }
}

/// Which right-hand side (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IzhVariant {
    /// `0.04 v^2 + 5 v + 140`, `du/dt = a (b v - u)`.
    Standard,
    /// `0.04 v^2 + 4.1 v + 108` (panels G and L).
    Shifted,
    /// `du/dt = a b (v + 65)` (panel R).
    Accommodation,
}

/// The 20 features of Izhikevich (2004), Fig. 1, panels A-T.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Feature {
    /// (A) tonic spiking.
    TonicSpiking,
    /// (B) phasic spiking.
    PhasicSpiking,
    /// (C) tonic bursting.
    TonicBursting,
    /// (D) phasic bursting.
    PhasicBursting,
    /// (E) mixed mode.
    MixedMode,
    /// (F) spike-frequency adaptation.
    SpikeFrequencyAdaptation,
    /// (G) class 1 excitability.
    Class1Excitable,
    /// (H) class 2 excitability.
    Class2Excitable,
    /// (I) spike latency.
    SpikeLatency,
    /// (J) subthreshold oscillations.
    SubthresholdOscillations,
    /// (K) resonator.
    Resonator,
    /// (L) integrator.
    Integrator,
    /// (M) rebound spike.
    ReboundSpike,
    /// (N) rebound burst.
    ReboundBurst,
    /// (O) threshold variability.
    ThresholdVariability,
    /// (P) bistability.
    Bistability,
    /// (Q) depolarizing after-potential.
    DepolarizingAfterPotential,
    /// (R) accommodation.
    Accommodation,
    /// (S) inhibition-induced spiking.
    InhibitionInducedSpiking,
    /// (T) inhibition-induced bursting.
    InhibitionInducedBursting,
}

impl Feature {
    /// All 20, in panel order A-T.
    pub const ALL: [Feature; 20] = [
        Self::TonicSpiking,
        Self::PhasicSpiking,
        Self::TonicBursting,
        Self::PhasicBursting,
        Self::MixedMode,
        Self::SpikeFrequencyAdaptation,
        Self::Class1Excitable,
        Self::Class2Excitable,
        Self::SpikeLatency,
        Self::SubthresholdOscillations,
        Self::Resonator,
        Self::Integrator,
        Self::ReboundSpike,
        Self::ReboundBurst,
        Self::ThresholdVariability,
        Self::Bistability,
        Self::DepolarizingAfterPotential,
        Self::Accommodation,
        Self::InhibitionInducedSpiking,
        Self::InhibitionInducedBursting,
    ];

    /// Snake-case name (e.g. `"tonic_spiking"`).
    pub fn name(self) -> &'static str {
        match self {
            Self::TonicSpiking => "tonic_spiking",
            Self::PhasicSpiking => "phasic_spiking",
            Self::TonicBursting => "tonic_bursting",
            Self::PhasicBursting => "phasic_bursting",
            Self::MixedMode => "mixed_mode",
            Self::SpikeFrequencyAdaptation => "spike_frequency_adaptation",
            Self::Class1Excitable => "class1_excitable",
            Self::Class2Excitable => "class2_excitable",
            Self::SpikeLatency => "spike_latency",
            Self::SubthresholdOscillations => "subthreshold_oscillations",
            Self::Resonator => "resonator",
            Self::Integrator => "integrator",
            Self::ReboundSpike => "rebound_spike",
            Self::ReboundBurst => "rebound_burst",
            Self::ThresholdVariability => "threshold_variability",
            Self::Bistability => "bistability",
            Self::DepolarizingAfterPotential => "depolarizing_after_potential",
            Self::Accommodation => "accommodation",
            Self::InhibitionInducedSpiking => "inhibition_induced_spiking",
            Self::InhibitionInducedBursting => "inhibition_induced_bursting",
        }
    }

    /// Panel letter of Izhikevich (2004) Fig. 1.
    pub fn panel(self) -> char {
        let k = Self::ALL.iter().position(|&f| f == self).unwrap_or(0);
        (b'A' + k as u8) as char
    }

    /// Parse a snake-case name or a panel letter.
    pub fn from_name(name: &str) -> Result<Self> {
        let lower = name.to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .iter()
            .copied()
            .find(|f| {
                f.name() == lower
                    || (name.len() == 1
                        && f.panel()
                            .eq_ignore_ascii_case(&name.chars().next().unwrap_or(' ')))
            })
            .ok_or_else(|| NeuronError::UnknownName {
                kind: "izhikevich feature",
                name: name.into(),
                valid: Self::ALL
                    .iter()
                    .map(|f| f.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// The protocol of `figure1.m` for this panel: parameters, variant, initial state, step and
    /// duration (the input is [`Feature::input`]).
    pub fn protocol(self) -> IzhRun {
        use Feature::*;
        let (a, b, c, d, v0, dt, t_end) = match self {
            TonicSpiking => (0.02, 0.2, -65.0, 6.0, -70.0, 0.25, 100.0),
            PhasicSpiking => (0.02, 0.25, -65.0, 6.0, -64.0, 0.25, 200.0),
            TonicBursting => (0.02, 0.2, -50.0, 2.0, -70.0, 0.25, 220.0),
            PhasicBursting => (0.02, 0.25, -55.0, 0.05, -64.0, 0.2, 200.0),
            MixedMode => (0.02, 0.2, -55.0, 4.0, -70.0, 0.25, 160.0),
            SpikeFrequencyAdaptation => (0.01, 0.2, -65.0, 8.0, -70.0, 0.25, 85.0),
            Class1Excitable => (0.02, -0.1, -55.0, 6.0, -60.0, 0.25, 300.0),
            Class2Excitable => (0.2, 0.26, -65.0, 0.0, -64.0, 0.25, 300.0),
            SpikeLatency => (0.02, 0.2, -65.0, 6.0, -70.0, 0.2, 100.0),
            SubthresholdOscillations => (0.05, 0.26, -60.0, 0.0, -62.0, 0.25, 200.0),
            Resonator => (0.1, 0.26, -60.0, -1.0, -62.0, 0.25, 400.0),
            Integrator => (0.02, -0.1, -55.0, 6.0, -60.0, 0.25, 100.0),
            ReboundSpike => (0.03, 0.25, -60.0, 4.0, -64.0, 0.2, 200.0),
            ReboundBurst => (0.03, 0.25, -52.0, 0.0, -64.0, 0.2, 200.0),
            ThresholdVariability => (0.03, 0.25, -60.0, 4.0, -64.0, 0.25, 100.0),
            Bistability => (0.1, 0.26, -60.0, 0.0, -61.0, 0.25, 300.0),
            DepolarizingAfterPotential => (1.0, 0.2, -60.0, -21.0, -70.0, 0.1, 50.0),
            Accommodation => (0.02, 1.0, -55.0, 4.0, -65.0, 0.5, 400.0),
            InhibitionInducedSpiking => (-0.02, -1.0, -60.0, 8.0, -63.8, 0.5, 350.0),
            InhibitionInducedBursting => (-0.026, -1.0, -45.0, -2.0, -63.8, 0.5, 350.0),
        };
        let variant = match self {
            Class1Excitable | Integrator => IzhVariant::Shifted,
            Accommodation => IzhVariant::Accommodation,
            _ => IzhVariant::Standard,
        };
        let u0 = if self == Accommodation { -16.0 } else { b * v0 };
        IzhRun {
            params: IzhParams { a, b, c, d },
            variant,
            v0,
            u0,
            dt_ms: dt,
            t_end_ms: t_end,
        }
    }

    /// The input current `I(t)` of this panel's protocol (`figure1.m`).
    pub fn input(self, t: Real) -> Real {
        use Feature::*;
        let within = |t0: Real, len: Real| t > t0 && t < t0 + len;
        match self {
            TonicSpiking => {
                if t > 10.0 {
                    14.0
                } else {
                    0.0
                }
            }
            PhasicSpiking => {
                if t > 20.0 {
                    0.5
                } else {
                    0.0
                }
            }
            TonicBursting => {
                if t > 22.0 {
                    15.0
                } else {
                    0.0
                }
            }
            PhasicBursting => {
                if t > 20.0 {
                    0.6
                } else {
                    0.0
                }
            }
            MixedMode => {
                if t > 16.0 {
                    10.0
                } else {
                    0.0
                }
            }
            SpikeFrequencyAdaptation => {
                if t > 8.5 {
                    30.0
                } else {
                    0.0
                }
            }
            Class1Excitable => {
                if t > 30.0 {
                    0.075 * (t - 30.0)
                } else {
                    0.0
                }
            }
            Class2Excitable => {
                if t > 30.0 {
                    -0.5 + 0.015 * (t - 30.0)
                } else {
                    -0.5
                }
            }
            SpikeLatency => {
                if within(10.0, 3.0) {
                    7.04
                } else {
                    0.0
                }
            }
            SubthresholdOscillations => {
                if within(20.0, 5.0) {
                    2.0
                } else {
                    0.0
                }
            }
            Resonator => {
                if [40.0, 60.0, 280.0, 320.0].iter().any(|&t0| within(t0, 4.0)) {
                    0.65
                } else {
                    0.0
                }
            }
            Integrator => {
                let t1 = 100.0 / 11.0;
                if [t1, t1 + 5.0, 70.0, 80.0].iter().any(|&t0| within(t0, 2.0)) {
                    9.0
                } else {
                    0.0
                }
            }
            ReboundSpike | ReboundBurst => {
                if within(20.0, 5.0) {
                    -15.0
                } else {
                    0.0
                }
            }
            ThresholdVariability => {
                if within(10.0, 5.0) || within(80.0, 5.0) {
                    1.0
                } else if within(70.0, 5.0) {
                    -6.0
                } else {
                    0.0
                }
            }
            Bistability => {
                if within(37.5, 5.0) || within(216.0, 5.0) {
                    1.24
                } else {
                    0.24
                }
            }
            DepolarizingAfterPotential => {
                if (t - 10.0).abs() < 1.0 {
                    20.0
                } else {
                    0.0
                }
            }
            Accommodation => {
                if t < 200.0 {
                    t / 25.0
                } else if t < 300.0 {
                    0.0
                } else if t < 312.5 {
                    (t - 300.0) / 12.5 * 4.0
                } else {
                    0.0
                }
            }
            InhibitionInducedSpiking | InhibitionInducedBursting => {
                if (50.0..=250.0).contains(&t) {
                    75.0
                } else {
                    80.0
                }
            }
        }
    }
}

/// A simulated trace (serialisable for figure grids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IzhTrace {
    /// Time of each sample (ms).
    pub t_ms: Vec<Real>,
    /// Membrane potential (mV), spike peaks clipped to 30 mV as in the paper's figure.
    pub v_mv: Vec<Real>,
    /// Recovery variable.
    pub u: Vec<Real>,
    /// Input current.
    pub input: Vec<Real>,
    /// Spike times (ms).
    pub spikes_ms: Vec<Real>,
}

/// State of the simple model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IzhState {
    /// Membrane potential `v` (mV).
    pub v: Real,
    /// Recovery variable `u`.
    pub u: Real,
}

/// The simple model discretised for step `dt`: the [`NeuronModel`] of this module.
///
/// [`Input`]: `current`, `syn_exc`, `syn_inh` are currents in the model's units, summed into `I`.
/// Integrator: forward Euler in the order of `figure1.m` (`v` first, then `u` with the new `v`;
/// [`Integrator::ForwardEuler`]). Event: `v > 30` on the new value, stamped at the step's start
/// and recorded at 30 mV; reset `v <- c`, `u <- u + d`; no refractory period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Izhikevich {
    params: IzhParams,
    variant: IzhVariant,
    dt_ms: Real,
    /// Initial `v` of [`NeuronModel::initial_state`] (mV), default -65.
    pub v0: Real,
    /// Initial `u`, default `b v0`.
    pub u0: Real,
}

impl Izhikevich {
    /// Validate `params` and the step (`dt` in `(0, MAX_DT_MS]`); initial state `v = -65`,
    /// `u = b v`.
    pub fn new(params: IzhParams, variant: IzhVariant, dt_ms: Real) -> Result<Self> {
        params.check()?;
        validate::dt_in_range("izhikevich", dt_ms, MAX_DT_MS)?;
        Ok(Self {
            params,
            variant,
            dt_ms,
            v0: -65.0,
            u0: params.b * -65.0,
        })
    }

    /// The same model starting from `(v0, u0)` (both finite).
    pub fn with_initial_state(self, v0: Real, u0: Real) -> Result<Self> {
        validate::finite("v0", v0)?;
        validate::finite("u0", u0)?;
        Ok(Self { v0, u0, ..self })
    }

    /// The parameters.
    pub fn params(&self) -> &IzhParams {
        &self.params
    }
}

impl NeuronModel for Izhikevich {
    type State = IzhState;
    const NAME: &'static str = "izhikevich";
    const SPIKE_AT_STEP_END: bool = false;

    fn dt_ms(&self) -> Real {
        self.dt_ms
    }

    fn integrator(&self) -> Integrator {
        Integrator::ForwardEuler
    }

    fn initial_state(&self) -> IzhState {
        IzhState {
            v: self.v0,
            u: self.u0,
        }
    }

    fn step(&self, s: &mut IzhState, input: &Input) -> bool {
        let IzhParams { a, b, .. } = self.params;
        let i = input.current + input.syn_exc + input.syn_inh;
        let (v, u) = (s.v, s.u);
        let f = match self.variant {
            IzhVariant::Shifted => 0.04 * v * v + 4.1 * v + 108.0,
            _ => 0.04 * v * v + 5.0 * v + 140.0,
        };
        let v = v + self.dt_ms * (f - u + i);
        s.v = v;
        s.u = u + match self.variant {
            IzhVariant::Accommodation => self.dt_ms * a * b * (v + 65.0),
            _ => self.dt_ms * a * (b * v - u),
        };
        v > 30.0
    }

    fn reset(&self, s: &mut IzhState) {
        s.v = self.params.c;
        s.u += self.params.d;
    }

    fn potential(&self, s: &IzhState) -> Real {
        s.v
    }

    fn set_potential(&self, s: &mut IzhState, v: Real) {
        s.v = v;
    }

    fn spike_peak(&self) -> Option<Real> {
        Some(30.0)
    }
}

/// A run of the simple model: parameters, right-hand side, initial state, step, duration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct IzhRun {
    /// Model parameters.
    pub params: IzhParams,
    /// Right-hand side variant.
    pub variant: IzhVariant,
    /// Initial v (mV).
    pub v0: Real,
    /// Initial u.
    pub u0: Real,
    /// Euler step (ms).
    pub dt_ms: Real,
    /// Duration (ms): steps `0..=round(t_end/dt)`, sampled at their start as in `figure1.m`.
    pub t_end_ms: Real,
}

impl IzhTrace {
    /// The Izhikevich view of a generic [`Trace`] recorded at every step of a model with reset
    /// increment `d`: samples at the start of their step, `u` after the reset (as `figure1.m`).
    pub fn from_trace(tr: &Trace<IzhState>, d: Real) -> Self {
        let dt = tr.dt_ms;
        let mut spikes = tr.spike_steps.iter().peekable();
        let u = tr
            .step
            .iter()
            .zip(&tr.states)
            .map(|(&k, s)| {
                if spikes.next_if_eq(&&k).is_some() {
                    s.u + d
                } else {
                    s.u
                }
            })
            .collect();
        IzhTrace {
            t_ms: tr.step.iter().map(|&k| k as Real * dt).collect(),
            v_mv: tr.v.clone(),
            u,
            input: tr.current.clone(),
            spikes_ms: tr.spikes_ms.clone(),
        }
    }
}

/// Simulate `run` with an arbitrary input `input(t)` (forward Euler, see module docs): the
/// generic [`model::simulate`] of [`Izhikevich`] as an [`IzhTrace`].
pub fn simulate(run: &IzhRun, input: impl Fn(Real) -> Real) -> Result<IzhTrace> {
    let m =
        Izhikevich::new(run.params, run.variant, run.dt_ms)?.with_initial_state(run.v0, run.u0)?;
    let cfg = RunConfig {
        steps: validate::n_steps(run.t_end_ms, run.dt_ms)? + 1,
        record_every: 1,
    };
    let tr = model::simulate(&m, m.initial_state(), &cfg, |t| Input::current(input(t)))?;
    Ok(IzhTrace::from_trace(&tr, run.params.d))
}

/// Run a feature's protocol (the paper's step, or `dt_override_ms` if given).
pub fn simulate_feature(feature: Feature, dt_override_ms: Option<Real>) -> Result<IzhTrace> {
    let mut run = feature.protocol();
    run.dt_ms = dt_override_ms.unwrap_or(run.dt_ms);
    simulate(&run, |t| feature.input(t))
}

/// Verdict of a feature criterion on a trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Whether the defining property holds.
    pub holds: bool,
    /// What was measured.
    pub detail: String,
}

fn count_in(s: &[Real], t0: Real, t1: Real) -> usize {
    s.iter().filter(|&&t| t >= t0 && t < t1).count()
}

fn isis(s: &[Real]) -> Vec<Real> {
    s.windows(2).map(|w| w[1] - w[0]).collect()
}

/// Group spikes into bursts: a new burst starts after an ISI longer than `gap_ms`. Returns burst sizes.
fn bursts(s: &[Real], gap_ms: Real) -> Vec<usize> {
    let mut out = Vec::new();
    let mut cur = 0;
    for (k, _) in s.iter().enumerate() {
        if k > 0 && s[k] - s[k - 1] > gap_ms {
            out.push(cur);
            cur = 0;
        }
        cur += 1;
    }
    if cur > 0 {
        out.push(cur);
    }
    out
}

fn cv(x: &[Real]) -> Real {
    let n = x.len() as Real;
    let m = x.iter().sum::<Real>() / n;
    (x.iter().map(|y| (y - m).powi(2)).sum::<Real>() / n).sqrt() / m
}

/// Measurable criterion of each feature's defining property (applied to any trace, so it can be
/// checked on the wrong feature as a negative control). Criteria:
///
/// * A tonic: >= 4 spikes after onset, the last two ISIs equal within CV 0.025 (regular firing
///   after the onset transient).
/// * B phasic: exactly one spike, after onset.
/// * C tonic bursting: >= 3 bursts (ISI gap > 10 ms) of >= 2 spikes each.
/// * D phasic bursting: exactly one burst of >= 2 spikes at onset, silence after 100 ms.
/// * E mixed mode: the first burst has >= 2 spikes, later bursts are single spikes (>= 2 of them).
/// * F adaptation: >= 4 spikes and last ISI > 2 x first ISI, ISIs non-decreasing.
/// * G class 1: the ramp recruits firing at a low rate (1/first ISI < 30 Hz) that then grows more
///   than 2.5-fold.
/// * H class 2: firing starts at a high rate (1/first ISI > 40 Hz) and grows less than 2-fold.
/// * I latency: one spike, emitted more than 5 ms after the pulse ended.
/// * J subthreshold oscillation: at most one spike; after the last input V - V_final swings across
///   zero (beyond +-0.05 mV) >= 3 times.
/// * K resonator: no spike for the 20-ms-spaced pulse pair (before 280 ms), a spike for the pair
///   spaced 40 ms (near the period of the damped subthreshold oscillation) after 320 ms: the
///   response selects the input's timing, the opposite of the integrator (L).
/// * L integrator: a spike after the close pair (< 60 ms), none after the far pair (>= 70 ms).
/// * M rebound spike: input only inhibitory; no spike before the pulse ends (25 ms), >= 1 after.
/// * N rebound burst: as M with >= 2 spikes after 25 ms whose first ISI is < 10 ms.
/// * O threshold variability: no spike before 70 ms, >= 1 spike in 80-100 ms.
/// * P bistability: spikes in both 60-120 and 150-210 ms, none in 240-300 ms.
/// * Q DAP: one spike; within 20 ms after it V rises > 5 mV above the pre-stimulus value while the
///   input is 0 (after-depolarisation).
/// * R accommodation: no spike during the slow ramp (< 300 ms), >= 1 on the fast ramp.
/// * S inhibition-induced spiking: none before 50 ms, >= 3 in 50-250 ms, none in 270-350 ms.
/// * T inhibition-induced bursting: as S with >= 2 bursts (gap 10 ms) of >= 2 spikes.
pub fn check_feature(feature: Feature, tr: &IzhTrace) -> Verdict {
    use Feature::*;
    let s = &tr.spikes_ms;
    let n = s.len();
    let (holds, detail) = match feature {
        TonicSpiking => {
            let after: Vec<Real> = s.iter().copied().filter(|&t| t > 10.0).collect();
            let i = isis(&after);
            let c = if i.len() >= 3 {
                cv(&i[i.len() - 2..])
            } else {
                Real::INFINITY
            };
            (
                after.len() >= 4 && c < 0.025,
                format!("ISIs {i:?}, CV of the last two {c:.4}"),
            )
        }
        PhasicSpiking => (n == 1 && s[0] > 20.0, format!("{n} spikes at {s:?}")),
        TonicBursting => {
            let b = bursts(s, 10.0);
            (
                b.len() >= 3 && b.iter().all(|&k| k >= 2),
                format!("bursts {b:?}"),
            )
        }
        PhasicBursting => {
            let b = bursts(s, 10.0);
            let ok = b.len() == 1 && b[0] >= 2 && s.iter().all(|&t| t > 20.0 && t < 100.0);
            (ok, format!("bursts {b:?}, spikes {s:?}"))
        }
        MixedMode => {
            let b = bursts(s, 10.0);
            let ok = b.len() >= 3 && b[0] >= 2 && b[1..].iter().all(|&k| k == 1);
            (ok, format!("bursts {b:?}"))
        }
        SpikeFrequencyAdaptation => {
            let i = isis(s);
            let ok =
                n >= 4 && i[i.len() - 1] > 2.0 * i[0] && i.windows(2).all(|w| w[1] >= w[0] - 1e-9);
            (ok, format!("ISIs {i:?}"))
        }
        Class1Excitable | Class2Excitable => {
            let i = isis(s);
            let ratio = if i.len() >= 2 {
                i[0] / i[i.len() - 1]
            } else {
                Real::NAN
            };
            let onset_hz = if i.is_empty() { 0.0 } else { 1000.0 / i[0] };
            let ok = if feature == Class1Excitable {
                onset_hz < 30.0 && ratio > 2.5
            } else {
                onset_hz > 40.0 && ratio < 2.0
            };
            (
                ok,
                format!("{n} spikes, onset rate {onset_hz:.1} Hz, first/last ISI {ratio:.3}"),
            )
        }
        SpikeLatency => {
            // one spike, emitted after the (only) pulse has ended, more than 5 ms after its end
            let k = tr
                .t_ms
                .iter()
                .position(|&t| n == 1 && t >= s[0])
                .unwrap_or(0);
            let pulse_end = tr.input[..k]
                .iter()
                .rposition(|&i| i != 0.0)
                .map(|j| tr.t_ms[j]);
            let ok = n == 1 && tr.input[k] == 0.0 && pulse_end.is_some_and(|e| s[0] - e > 5.0);
            (ok, format!("spikes {s:?}, pulse end {pulse_end:?}"))
        }
        SubthresholdOscillations => {
            // after the last input sample, V - V_final must swing across zero (hysteresis 0.05 mV)
            // at least 3 times: a damped oscillation, not a monotone relaxation
            let v_end = tr.v_mv[tr.v_mv.len() - 1];
            let last_in = tr
                .input
                .iter()
                .rposition(|&i| i != 0.0)
                .map_or(0, |k| k + 1);
            let mut sign = 0.0;
            let mut changes = 0;
            for v in &tr.v_mv[last_in..] {
                let d = v - v_end;
                if d.abs() > 0.05 {
                    if sign != 0.0 && d.signum() != sign {
                        changes += 1;
                    }
                    sign = d.signum();
                }
            }
            (
                n <= 1 && changes >= 3,
                format!("{n} spikes, {changes} swings of V - V_end after the input"),
            )
        }
        Resonator => {
            let (a, b) = (count_in(s, 0.0, 280.0), count_in(s, 320.0, 400.0));
            (
                a == 0 && b >= 1,
                format!("{a} spikes around the 20-ms pair, {b} after the 40-ms pair"),
            )
        }
        Integrator => {
            let (a, b) = (count_in(s, 0.0, 60.0), count_in(s, 70.0, 100.0));
            (
                a >= 1 && b == 0,
                format!("{a} spikes after the close pair, {b} after the far pair"),
            )
        }
        ReboundSpike | ReboundBurst => {
            let before = count_in(s, 0.0, 25.0);
            let after: Vec<Real> = s.iter().copied().filter(|&t| t >= 25.0).collect();
            // only inhibitory input (some I < 0, never I > 0): the spikes are a rebound
            let inhibitory_only =
                tr.input.iter().all(|&i| i <= 0.0) && tr.input.iter().any(|&i| i < 0.0);
            let ok = inhibitory_only
                && before == 0
                && if feature == ReboundSpike {
                    !after.is_empty()
                } else {
                    after.len() >= 2 && after[1] - after[0] < 10.0
                };
            (
                ok,
                format!("{before} spikes before 25 ms, after: {after:?}"),
            )
        }
        ThresholdVariability => {
            let (a, b) = (count_in(s, 0.0, 70.0), count_in(s, 80.0, 100.0));
            (
                a == 0 && b >= 1,
                format!("{a} spikes before 70 ms, {b} in 80-100 ms"),
            )
        }
        Bistability => {
            let (a, b, c) = (
                count_in(s, 60.0, 120.0),
                count_in(s, 150.0, 210.0),
                count_in(s, 240.0, 300.0),
            );
            (
                a >= 1 && b >= 1 && c == 0,
                format!("spikes in 60-120: {a}, 150-210: {b}, 240-300: {c}"),
            )
        }
        DepolarizingAfterPotential => {
            if n != 1 {
                (false, format!("{n} spikes"))
            } else {
                let v_pre = tr.v_mv[tr.t_ms.iter().position(|&t| t >= 8.0).unwrap_or(0)];
                let peak = tr
                    .t_ms
                    .iter()
                    .zip(tr.v_mv.iter().zip(&tr.input))
                    .filter(|(t, (_, i))| **t > s[0] && **t < s[0] + 20.0 && **i == 0.0)
                    .map(|(_, (v, _))| *v)
                    .fold(Real::NEG_INFINITY, Real::max);
                (
                    peak > v_pre + 5.0,
                    format!("after-spike peak {peak:.2} mV vs pre-stimulus {v_pre:.2} mV"),
                )
            }
        }
        Accommodation => {
            let (a, b) = (count_in(s, 0.0, 300.0), count_in(s, 300.0, 400.0));
            (
                a == 0 && b >= 1,
                format!("{a} spikes on the slow ramp, {b} on the fast ramp"),
            )
        }
        InhibitionInducedSpiking | InhibitionInducedBursting => {
            let (a, b, c) = (
                count_in(s, 0.0, 50.0),
                count_in(s, 50.0, 250.0),
                count_in(s, 270.0, 350.0),
            );
            let during: Vec<Real> = s
                .iter()
                .copied()
                .filter(|&t| (50.0..250.0).contains(&t))
                .collect();
            let bu = bursts(&during, 10.0);
            let ok = a == 0
                && b >= 3
                && c == 0
                && (feature == InhibitionInducedSpiking
                    || (bu.len() >= 2 && bu.iter().all(|&k| k >= 2)));
            (
                ok,
                format!("before {a}, during {b} (bursts {bu:?}), after {c}"),
            )
        }
    };
    Verdict { holds, detail }
}
