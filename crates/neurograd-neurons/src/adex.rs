//! Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005, J. Neurophysiol.
//! 94:3637-3642) with the firing-pattern parameter table of Naud, Marcille, Clopath & Gerstner
//! (2008), Biol. Cybern. 99:335-347 (as given in Brian2's
//! `examples/frompapers/Naud_et_al_2008_adex_firing_patterns.py`, "parameters adapted to match
//! figures"; identity with the paper's Table 1 is unconfirmed, see `neurons.md` sec. 4.3).
//!
//! ```text
//! C dV/dt   = -g_L (V - E_L) + g_L Delta_T exp((V - V_T)/Delta_T) - w + I
//! tau_w dw/dt = a (V - E_L) - w
//! if V > V_peak: V <- V_r, w <- w + b
//! ```
//!
//! Units: pF, nS, mV, ms, pA (so `C dV/dt` is in pA). Integration: forward Euler, both right-hand
//! sides evaluated on the old state, then the spike test (as Brian2's `euler`). The exponential
//! term is evaluated with its argument capped at 20 (the neuron has crossed `V_peak` long before),
//! so a large step cannot overflow to infinity. Stable step range: `0 < dt <= min(C/g_L, tau_w)/10`
//! and `dt <= 0.5` ms; the reference protocols use 0.1 ms.

use serde::{Deserialize, Serialize};

use crate::integrators::Integrator;
use crate::model::{self, Input, NeuronModel, RunConfig, Trace};
use crate::validate;
use crate::{NeuronError, Real, Result};

/// Parameters of the AdEx neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdexParams {
    /// Capacitance `C` (pF), > 0.
    pub c_pf: Real,
    /// Leak conductance `g_L` (nS), > 0.
    pub g_l_ns: Real,
    /// Leak reversal `E_L` (mV).
    pub e_l_mv: Real,
    /// Slope factor `Delta_T` (mV), > 0.
    pub delta_t_mv: Real,
    /// Threshold `V_T` (mV).
    pub v_t_mv: Real,
    /// Subthreshold adaptation `a` (nS).
    pub a_ns: Real,
    /// Adaptation time constant `tau_w` (ms), > 0.
    pub tau_w_ms: Real,
    /// Spike-triggered adaptation `b` (pA).
    pub b_pa: Real,
    /// Reset `V_r` (mV).
    pub v_r_mv: Real,
    /// Spike detection `V_peak` (mV), > `V_T`.
    pub v_peak_mv: Real,
}

impl AdexParams {
    /// Brette & Gerstner (2005) cortical pyramidal cell (Brian2 example): C = 281 pF,
    /// g_L = 30 nS, E_L = -70.6 mV, V_T = -50.4 mV, Delta_T = 2 mV, tau_w = 144 ms, a = 4 nS,
    /// b = 80.5 pA, V_r = E_L, spike cut at V_T + 5 Delta_T.
    pub fn brette_gerstner_2005() -> Self {
        Self {
            c_pf: 281.0,
            g_l_ns: 30.0,
            e_l_mv: -70.6,
            delta_t_mv: 2.0,
            v_t_mv: -50.4,
            a_ns: 4.0,
            tau_w_ms: 144.0,
            b_pa: 80.5,
            v_r_mv: -70.6,
            v_peak_mv: -50.4 + 10.0,
        }
    }

    /// Validate signs and finiteness.
    pub fn check(&self) -> Result<()> {
        validate::positive("c_pf", self.c_pf)?;
        validate::positive("g_l_ns", self.g_l_ns)?;
        validate::positive("delta_t_mv", self.delta_t_mv)?;
        validate::positive("tau_w_ms", self.tau_w_ms)?;
        for (n, v) in [
            ("e_l_mv", self.e_l_mv),
            ("v_t_mv", self.v_t_mv),
            ("a_ns", self.a_ns),
            ("b_pa", self.b_pa),
            ("v_r_mv", self.v_r_mv),
            ("v_peak_mv", self.v_peak_mv),
        ] {
            validate::finite(n, v)?;
        }
        validate::less("v_t_mv", self.v_t_mv, self.v_peak_mv, "v_peak_mv")
    }

    /// Largest accepted step (ms): `min(C/g_L, tau_w)/10`, at most 0.5 ms.
    pub fn max_dt_ms(&self) -> Real {
        (self.c_pf / self.g_l_ns).min(self.tau_w_ms).min(5.0) / 10.0
    }
}

/// The firing patterns of Naud et al. (2008) with their parameters and step current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NaudPattern {
    /// Tonic spiking.
    Tonic,
    /// Spike-frequency adaptation.
    Adapting,
    /// Initial burst, then tonic spikes.
    InitialBurst,
    /// Regular bursting.
    RegularBursting,
    /// Delayed onset, accelerating.
    DelayedAccelerating,
    /// Delayed onset, regular bursting.
    DelayedRegularBursting,
    /// Transient spiking (fires, then stops).
    Transient,
    /// Irregular spiking.
    Irregular,
}

impl NaudPattern {
    /// All eight patterns of the table.
    pub const ALL: [NaudPattern; 8] = [
        Self::Tonic,
        Self::Adapting,
        Self::InitialBurst,
        Self::RegularBursting,
        Self::DelayedAccelerating,
        Self::DelayedRegularBursting,
        Self::Transient,
        Self::Irregular,
    ];

    /// Snake-case name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tonic => "tonic",
            Self::Adapting => "adapting",
            Self::InitialBurst => "initial_burst",
            Self::RegularBursting => "regular_bursting",
            Self::DelayedAccelerating => "delayed_accelerating",
            Self::DelayedRegularBursting => "delayed_regular_bursting",
            Self::Transient => "transient",
            Self::Irregular => "irregular",
        }
    }

    /// Parse a snake-case name.
    pub fn from_name(name: &str) -> Result<Self> {
        let l = name.to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .iter()
            .copied()
            .find(|p| p.name() == l)
            .ok_or_else(|| NeuronError::UnknownName {
                kind: "adex pattern",
                name: name.into(),
                valid: Self::ALL
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Parameters and step current (pA) of the table (`Delta_T = 2`, `V_T = -50`, `V_peak = 0` mV).
    pub fn params(self) -> (AdexParams, Real) {
        let (c, gl, el, a, tw, b, vr, i) = match self {
            Self::Tonic => (200.0, 10.0, -70.0, 2.0, 30.0, 0.0, -58.0, 500.0),
            Self::Adapting => (200.0, 12.0, -70.0, 2.0, 300.0, 60.0, -58.0, 500.0),
            Self::InitialBurst => (130.0, 18.0, -58.0, 4.0, 150.0, 120.0, -50.0, 400.0),
            Self::RegularBursting => (200.0, 10.0, -58.0, 2.0, 120.0, 100.0, -46.0, 210.0),
            Self::DelayedAccelerating => (200.0, 12.0, -70.0, -10.0, 300.0, 0.0, -58.0, 300.0),
            Self::DelayedRegularBursting => (100.0, 10.0, -65.0, -10.0, 90.0, 30.0, -47.0, 110.0),
            Self::Transient => (100.0, 10.0, -65.0, 10.0, 90.0, 100.0, -47.0, 180.0),
            Self::Irregular => (100.0, 12.0, -60.0, -11.0, 130.0, 30.0, -48.0, 160.0),
        };
        (
            AdexParams {
                c_pf: c,
                g_l_ns: gl,
                e_l_mv: el,
                delta_t_mv: 2.0,
                v_t_mv: -50.0,
                a_ns: a,
                tau_w_ms: tw,
                b_pa: b,
                v_r_mv: vr,
                v_peak_mv: 0.0,
            },
            i,
        )
    }
}

/// A simulated AdEx trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdexTrace {
    /// Sample times (ms).
    pub t_ms: Vec<Real>,
    /// Membrane potential (mV; spike steps recorded at `V_peak`).
    pub v_mv: Vec<Real>,
    /// Adaptation current (pA).
    pub w_pa: Vec<Real>,
    /// Spike times (ms).
    pub spikes_ms: Vec<Real>,
}

/// State of an AdEx neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdexState {
    /// Membrane potential (mV).
    pub v_mv: Real,
    /// Adaptation current (pA).
    pub w_pa: Real,
}

/// The AdEx neuron discretised for step `dt`: the [`NeuronModel`] of this module.
///
/// [`Input`]: `current`, `syn_exc`, `syn_inh` are currents (pA), summed into `I`. Integrator:
/// forward Euler on the old state ([`Integrator::ForwardEuler`]). Event: `V > V_peak` on the new
/// value, stamped at the step's end and recorded at `V_peak`; reset `V <- V_r`, `w <- w + b`; no
/// refractory period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Adex {
    params: AdexParams,
    dt_ms: Real,
}

impl Adex {
    /// Validate `params` and the step (`dt` in `(0, max_dt]`, see [`AdexParams::max_dt_ms`]).
    pub fn new(params: AdexParams, dt_ms: Real) -> Result<Self> {
        params.check()?;
        validate::dt_in_range("adex", dt_ms, params.max_dt_ms())?;
        Ok(Self { params, dt_ms })
    }

    /// The parameters.
    pub fn params(&self) -> &AdexParams {
        &self.params
    }
}

impl NeuronModel for Adex {
    type State = AdexState;
    const NAME: &'static str = "adex";
    const SPIKE_AT_STEP_END: bool = true;

    fn dt_ms(&self) -> Real {
        self.dt_ms
    }

    fn integrator(&self) -> Integrator {
        Integrator::ForwardEuler
    }

    /// `V = E_L`, `w = 0`.
    fn initial_state(&self) -> AdexState {
        AdexState {
            v_mv: self.params.e_l_mv,
            w_pa: 0.0,
        }
    }

    fn step(&self, s: &mut AdexState, input: &Input) -> bool {
        let p = &self.params;
        let i = input.current + input.syn_exc + input.syn_inh;
        let (v, w) = (s.v_mv, s.w_pa);
        let x = ((v - p.v_t_mv) / p.delta_t_mv).min(20.0);
        let dv = (-p.g_l_ns * (v - p.e_l_mv) + p.g_l_ns * p.delta_t_mv * x.exp() - w + i) / p.c_pf;
        let dw = (p.a_ns * (v - p.e_l_mv) - w) / p.tau_w_ms;
        s.v_mv = v + self.dt_ms * dv;
        s.w_pa = w + self.dt_ms * dw;
        s.v_mv > p.v_peak_mv
    }

    fn reset(&self, s: &mut AdexState) {
        s.v_mv = self.params.v_r_mv;
        s.w_pa += self.params.b_pa;
    }

    fn potential(&self, s: &AdexState) -> Real {
        s.v_mv
    }

    fn set_potential(&self, s: &mut AdexState, v: Real) {
        s.v_mv = v;
    }

    fn spike_peak(&self) -> Option<Real> {
        Some(self.params.v_peak_mv)
    }
}

/// An AdEx run: parameters, step, length and recording.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdexRun {
    /// The neuron.
    pub params: AdexParams,
    /// Step (ms).
    pub dt_ms: Real,
    /// Duration (ms).
    pub t_end_ms: Real,
    /// Record every this many steps (0 is taken as 1).
    pub record_every: usize,
}

impl AdexTrace {
    /// The AdEx view of a generic [`Trace`]: samples at the end of their step, `w` before the
    /// spike increment.
    pub fn from_trace(tr: &Trace<AdexState>) -> Self {
        let dt = tr.dt_ms;
        AdexTrace {
            t_ms: tr.step.iter().map(|&k| k as Real * dt + dt).collect(),
            v_mv: tr.v.clone(),
            w_pa: tr.states.iter().map(|s| s.w_pa).collect(),
            spikes_ms: tr.spikes_ms.clone(),
        }
    }
}

/// Simulate `run` from `V = E_L`, `w = 0` with input current `input(t)` (pA): the generic
/// [`model::simulate`] of [`Adex`] seen as an [`AdexTrace`].
pub fn simulate(run: &AdexRun, input: impl Fn(Real) -> Real) -> Result<AdexTrace> {
    let m = Adex::new(run.params, run.dt_ms)?;
    let cfg = RunConfig::for_duration(run.t_end_ms, run.dt_ms, run.record_every.max(1))?;
    let tr = model::simulate(&m, m.initial_state(), &cfg, |t| Input::current(input(t)))?;
    Ok(AdexTrace::from_trace(&tr))
}

/// Step of the Naud et al. (2008) pattern protocol (ms; Euler).
pub const NAUD_DT_MS: Real = 0.1;
/// Duration of the Naud et al. (2008) pattern protocol (ms).
pub const NAUD_DURATION_MS: Real = 600.0;

/// Run a Naud pattern: [`NAUD_DURATION_MS`], step current on from t = 0, Euler at
/// [`NAUD_DT_MS`].
pub fn simulate_pattern(pattern: NaudPattern, record_every: usize) -> Result<AdexTrace> {
    let (params, i) = pattern.params();
    let run = AdexRun {
        params,
        dt_ms: NAUD_DT_MS,
        t_end_ms: NAUD_DURATION_MS,
        record_every,
    };
    simulate(&run, |_| i)
}

/// Verdict of a pattern criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatternVerdict {
    /// Whether the defining property holds.
    pub holds: bool,
    /// What was measured.
    pub detail: String,
}

/// Measurable criterion of each Naud pattern on a 600-ms trace (`s` = spike times, ISIs `i_k`):
///
/// * tonic: >= 5 spikes, the ISIs after the second vary by CV < 0.05 and the last ISI is within
///   20 % of the second (no adaptation);
/// * adapting: >= 4 spikes, last ISI > 2 x first ISI, no ISI more than 5 % shorter than its
///   predecessor (monotone lengthening), no burst (first ISI > 1/3 of the second);
/// * initial burst: the first ISI < 1/3 of the last ISI, and the last three ISIs regular (CV < 0.1);
/// * regular bursting: >= 3 bursts (ISI > 3 x the shortest ISI starts a burst) of >= 2 spikes;
/// * delayed accelerating: first-spike latency longer than the first ISI, last ISI < 0.8 x first ISI;
/// * delayed regular bursting: first spike later than 50 ms and >= 2 bursts of >= 2 spikes;
/// * transient: >= 1 spike, none in the last 300 ms;
/// * irregular: >= 8 spikes and ISI CV > 0.2 over the last half of the ISIs.
pub fn check_pattern(pattern: NaudPattern, tr: &AdexTrace) -> PatternVerdict {
    let s = &tr.spikes_ms;
    let i: Vec<Real> = s.windows(2).map(|w| w[1] - w[0]).collect();
    let cv = |x: &[Real]| {
        let n = x.len() as Real;
        let m = x.iter().sum::<Real>() / n;
        (x.iter().map(|y| (y - m).powi(2)).sum::<Real>() / n).sqrt() / m
    };
    let bursts = |gap: Real| {
        let mut out = Vec::new();
        let mut cur = 0usize;
        for k in 0..s.len() {
            if k > 0 && s[k] - s[k - 1] > gap {
                out.push(cur);
                cur = 0;
            }
            cur += 1;
        }
        if cur > 0 {
            out.push(cur);
        }
        out
    };
    let min_isi = i.iter().copied().fold(Real::INFINITY, Real::min);
    let n = s.len();
    let (holds, detail) = match pattern {
        NaudPattern::Tonic => {
            let ok = n >= 5 && cv(&i[1..]) < 0.05 && (i[i.len() - 1] / i[1] - 1.0).abs() < 0.2;
            (ok, format!("{n} spikes, ISIs {i:.2?}"))
        }
        NaudPattern::Adapting => {
            let ok = n >= 4
                && i[i.len() - 1] > 2.0 * i[0]
                && i.windows(2).all(|w| w[1] >= 0.95 * w[0])
                && i[0] > i[1] / 3.0;
            (ok, format!("ISIs {i:.2?}"))
        }
        NaudPattern::InitialBurst => {
            let ok = i.len() >= 4 && i[0] < i[i.len() - 1] / 3.0 && cv(&i[i.len() - 3..]) < 0.1;
            (ok, format!("ISIs {i:.2?}"))
        }
        NaudPattern::RegularBursting => {
            let b = if n >= 2 {
                bursts(3.0 * min_isi)
            } else {
                vec![]
            };
            (
                b.len() >= 3 && b.iter().all(|&k| k >= 2),
                format!("bursts {b:?}"),
            )
        }
        NaudPattern::DelayedAccelerating => {
            let ok = n >= 3 && s[0] > i[0] && i[i.len() - 1] < 0.8 * i[0];
            (ok, format!("first spike {:?}, ISIs {i:.2?}", s.first()))
        }
        NaudPattern::DelayedRegularBursting => {
            let b = if n >= 2 {
                bursts(3.0 * min_isi)
            } else {
                vec![]
            };
            let ok = n >= 2 && s[0] > 50.0 && b.len() >= 2 && b.iter().all(|&k| k >= 2);
            (ok, format!("first spike {:?}, bursts {b:?}", s.first()))
        }
        NaudPattern::Transient => {
            let ok = n >= 1 && s.iter().all(|&t| t < 300.0);
            (ok, format!("spikes {s:.1?}"))
        }
        NaudPattern::Irregular => {
            let c = if i.len() >= 8 {
                cv(&i[i.len() / 2..])
            } else {
                0.0
            };
            (n >= 8 && c > 0.2, format!("{n} spikes, late ISI CV {c:.3}"))
        }
    };
    PatternVerdict { holds, detail }
}
