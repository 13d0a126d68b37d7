//! Hodgkin-Huxley (1952) squid giant axon model in the modern convention (rest near -65 mV,
//! 6.3 degC), as in Gerstner et al. (2014, *Neuronal Dynamics*, Table 2.1) and Dayan & Abbott (2001).
//!
//! ```text
//! C_m dV/dt = I - g_Na m^3 h (V - E_Na) - g_K n^4 (V - E_K) - g_L (V - E_L)
//! dx/dt = alpha_x(V) (1 - x) - beta_x(V) x,   x in {m, h, n}
//! alpha_m = 0.1 (V+40) / (1 - e^{-(V+40)/10}),   beta_m = 4 e^{-(V+65)/18}
//! alpha_h = 0.07 e^{-(V+65)/20},                 beta_h = 1 / (1 + e^{-(V+35)/10})
//! alpha_n = 0.01 (V+55) / (1 - e^{-(V+55)/10}),  beta_n = 0.125 e^{-(V+65)/80}
//! ```
//!
//! Units: mV, ms, uF/cm^2, mS/cm^2, uA/cm^2. Defaults: `C_m = 1`, `g_Na = 120`, `g_K = 36`,
//! `g_L = 0.3`, `E_Na = 50`, `E_K = -77`, `E_L = -54.387`. The removable singularities of
//! `alpha_m` and `alpha_n` take their limits (1 and 0.1) within 1e-7 mV of the pole.
//! A spike is an upward crossing of 0 mV.
//!
//! Integrators and stable step ranges (checked before running): classical RK4 with
//! `0 < dt <= 0.05` ms (the fastest mode during the upstroke has a time constant near
//! `C_m / g_Na,open ~ 0.02` ms, and RK4's real-axis stability limit is `2.79 tau`); exponential
//! Euler with `0 < dt <= 0.1` ms (gates are integrated exactly for frozen V, V with its
//! conductances frozen, the scheme Brian2 uses for COBAHH at 0.1 ms). Reference measurements
//! (`neurons.md` sec. 4.2, NumPy RK4 at dt = 0.01 ms): single-spike threshold 2.2403 uA/cm^2 for a
//! step from rest, sustained repetitive firing from 6.260 uA/cm^2 at an onset rate near 51 Hz
//! (type II excitability).

use serde::{Deserialize, Serialize};

use crate::integrators::{Integrator, exp_euler_scalar, rk4_step};
use crate::model::{self, ContinuousModel, Input, NeuronModel, RunConfig};
use crate::validate;
use crate::{NeuronError, Real, Result};

/// Parameters of the HH membrane.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HhParams {
    /// Membrane capacitance (uF/cm^2), > 0.
    pub c_m: Real,
    /// Maximal sodium conductance (mS/cm^2), >= 0.
    pub g_na: Real,
    /// Maximal potassium conductance (mS/cm^2), >= 0.
    pub g_k: Real,
    /// Leak conductance (mS/cm^2), >= 0.
    pub g_l: Real,
    /// Sodium reversal (mV).
    pub e_na: Real,
    /// Potassium reversal (mV).
    pub e_k: Real,
    /// Leak reversal (mV).
    pub e_l: Real,
}

impl Default for HhParams {
    fn default() -> Self {
        Self {
            c_m: 1.0,
            g_na: 120.0,
            g_k: 36.0,
            g_l: 0.3,
            e_na: 50.0,
            e_k: -77.0,
            e_l: -54.387,
        }
    }
}

impl HhParams {
    /// Validate signs and finiteness.
    pub fn check(&self) -> Result<()> {
        validate::positive("c_m", self.c_m)?;
        validate::non_negative("g_na", self.g_na)?;
        validate::non_negative("g_k", self.g_k)?;
        validate::non_negative("g_l", self.g_l)?;
        validate::finite("e_na", self.e_na)?;
        validate::finite("e_k", self.e_k)?;
        validate::finite("e_l", self.e_l)
    }
}

/// State `(V, m, h, n)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HhState {
    /// Membrane potential (mV).
    pub v: Real,
    /// Sodium activation.
    pub m: Real,
    /// Sodium inactivation.
    pub h: Real,
    /// Potassium activation.
    pub n: Real,
}

/// Rate functions `(alpha_m, beta_m, alpha_h, beta_h, alpha_n, beta_n)` at `v` (1/ms).
pub fn rates(v: Real) -> [Real; 6] {
    let x = v + 40.0;
    let am = if x.abs() < 1e-7 {
        1.0
    } else {
        0.1 * x / (1.0 - (-x / 10.0).exp())
    };
    let bm = 4.0 * (-(v + 65.0) / 18.0).exp();
    let ah = 0.07 * (-(v + 65.0) / 20.0).exp();
    let bh = 1.0 / (1.0 + (-(v + 35.0) / 10.0).exp());
    let y = v + 55.0;
    let an = if y.abs() < 1e-7 {
        0.1
    } else {
        0.01 * y / (1.0 - (-y / 10.0).exp())
    };
    let bn = 0.125 * (-(v + 65.0) / 80.0).exp();
    [am, bm, ah, bh, an, bn]
}

fn deriv(p: &HhParams, s: &[Real; 4], i: Real) -> [Real; 4] {
    let [v, m, h, n] = *s;
    let [am, bm, ah, bh, an, bn] = rates(v);
    let i_ion = p.g_na * m * m * m * h * (v - p.e_na)
        + p.g_k * n * n * n * n * (v - p.e_k)
        + p.g_l * (v - p.e_l);
    [
        (i - i_ion) / p.c_m,
        am * (1.0 - m) - bm * m,
        ah * (1.0 - h) - bh * h,
        an * (1.0 - n) - bn * n,
    ]
}

/// Gates at their steady state for potential `v`.
pub fn steady_state(v: Real) -> HhState {
    let [am, bm, ah, bh, an, bn] = rates(v);
    HhState {
        v,
        m: am / (am + bm),
        h: ah / (ah + bh),
        n: an / (an + bn),
    }
}

/// Largest accepted step (ms) of `integrator`; unsupported integrators are an error.
pub fn max_dt_ms(integrator: Integrator) -> Result<Real> {
    match integrator {
        Integrator::Rk4 => Ok(0.05),
        Integrator::ExponentialEuler => Ok(0.1),
        other => Err(NeuronError::InvalidParameter {
            name: "integrator",
            value: format!("{other:?}"),
            reason: "hodgkin-huxley supports Rk4 and ExponentialEuler".into(),
        }),
    }
}

/// The HH membrane discretised for step `dt` with one integrator: the [`NeuronModel`] of this
/// module.
///
/// [`Input`]: `current`, `syn_exc`, `syn_inh` are currents (uA/cm^2), summed into `I`.
/// Integrator: [`Integrator::Rk4`] or [`Integrator::ExponentialEuler`] (module docs). Event: an
/// upward crossing of 0 mV (`V_old < 0 <= V_new`), stamped at the step's end; the reset does
/// nothing (the spike is the model's own dynamics).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HodgkinHuxley {
    params: HhParams,
    integrator: Integrator,
    dt_ms: Real,
    /// State of [`NeuronModel::initial_state`], default the gates' steady state at -65 mV.
    pub initial: HhState,
}

impl HodgkinHuxley {
    /// Validate `params`, the integrator and the step (`dt` in `(0, max_dt_ms(integrator)]`).
    pub fn new(params: HhParams, integrator: Integrator, dt_ms: Real) -> Result<Self> {
        params.check()?;
        validate::dt_in_range("hodgkin-huxley", dt_ms, max_dt_ms(integrator)?)?;
        Ok(Self {
            params,
            integrator,
            dt_ms,
            initial: steady_state(-65.0),
        })
    }

    /// The parameters.
    pub fn params(&self) -> &HhParams {
        &self.params
    }
}

impl NeuronModel for HodgkinHuxley {
    type State = HhState;
    const NAME: &'static str = "hodgkin-huxley";
    const SPIKE_AT_STEP_END: bool = true;

    fn dt_ms(&self) -> Real {
        self.dt_ms
    }

    fn integrator(&self) -> Integrator {
        self.integrator
    }

    fn initial_state(&self) -> HhState {
        self.initial
    }

    fn step(&self, st: &mut HhState, input: &Input) -> bool {
        let (params, dt_ms) = (&self.params, self.dt_ms);
        let i = input.current + input.syn_exc + input.syn_inh;
        let s = [st.v, st.m, st.h, st.n];
        let v_old = s[0];
        let s = match self.integrator {
            Integrator::Rk4 => rk4_step(&s, dt_ms, |x| deriv(params, x, i)),
            _ => {
                let [v, m, h, n] = s;
                let [am, bm, ah, bh, an, bn] = rates(v);
                let gna = params.g_na * m * m * m * h;
                let gk = params.g_k * n * n * n * n;
                let a = -(gna + gk + params.g_l) / params.c_m;
                let b = (gna * params.e_na + gk * params.e_k + params.g_l * params.e_l + i)
                    / params.c_m;
                [
                    exp_euler_scalar(v, a, b, dt_ms),
                    exp_euler_scalar(m, -(am + bm), am, dt_ms),
                    exp_euler_scalar(h, -(ah + bh), ah, dt_ms),
                    exp_euler_scalar(n, -(an + bn), an, dt_ms),
                ]
            }
        };
        *st = HhState {
            v: s[0],
            m: s[1],
            h: s[2],
            n: s[3],
        };
        v_old < 0.0 && s[0] >= 0.0
    }

    fn reset(&self, _: &mut HhState) {}

    fn potential(&self, s: &HhState) -> Real {
        s.v
    }

    fn set_potential(&self, s: &mut HhState, v: Real) {
        s.v = v;
    }
}

impl ContinuousModel for HodgkinHuxley {
    /// `(dV/dt, dm/dt, dh/dt, dn/dt)` (mV/ms, 1/ms) at `s` with the input currents summed
    /// (module docs); the right-hand side [`NeuronModel::step`] integrates.
    fn derivative(&self, s: &HhState, input: &Input) -> HhState {
        let i = input.current + input.syn_exc + input.syn_inh;
        let [v, m, h, n] = deriv(&self.params, &[s.v, s.m, s.h, s.n], i);
        HhState { v, m, h, n }
    }
}

/// A simulated trace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HhTrace {
    /// Sample times (ms), every `record_every` steps.
    pub t_ms: Vec<Real>,
    /// Membrane potential samples (mV), taken at the start of their step.
    pub v_mv: Vec<Real>,
    /// Spike times (upward 0-mV crossings, ms, at the end of the crossing step).
    pub spikes_ms: Vec<Real>,
    /// Final state.
    pub final_state: HhState,
}

/// An HH run: parameters, integrator, step, duration, initial state and recording.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HhRun {
    /// The membrane.
    pub params: HhParams,
    /// [`Integrator::Rk4`] or [`Integrator::ExponentialEuler`].
    pub integrator: Integrator,
    /// Step (ms).
    pub dt_ms: Real,
    /// Duration (ms).
    pub t_end_ms: Real,
    /// Initial state (finite).
    pub state0: HhState,
    /// Record V every this many steps (0: no trace).
    pub record_every: usize,
}

/// Simulate `run` with input `input(t)` (uA/cm^2): the generic
/// [`model::simulate`] of [`HodgkinHuxley`], V sampled at the start of
/// every `record_every`-th step.
pub fn simulate(run: &HhRun, input: impl Fn(Real) -> Real) -> Result<HhTrace> {
    let m = HodgkinHuxley::new(run.params, run.integrator, run.dt_ms)?;
    let s0 = run.state0;
    for (name, x) in [("v", s0.v), ("m", s0.m), ("h", s0.h), ("n", s0.n)] {
        validate::finite(name, x)?;
    }
    let cfg = RunConfig::for_duration(run.t_end_ms, run.dt_ms, run.record_every.min(1))?;
    let tr = model::simulate(&m, s0, &cfg, |t| Input::current(input(t)))?;
    let every = run.record_every.max(1);
    let samples = if run.record_every == 0 { 0 } else { cfg.steps };
    let (t_ms, v_mv) = (0..samples)
        .step_by(every)
        .map(|k| {
            let v = if k == 0 { s0.v } else { tr.v[k - 1] };
            (k as Real * run.dt_ms, v)
        })
        .unzip();
    Ok(HhTrace {
        t_ms,
        v_mv,
        spikes_ms: tr.spikes_ms,
        final_state: tr.final_state,
    })
}

/// The resting state at `I = 0`: the gates' steady state at -65 mV relaxed for 200 ms with RK4.
pub fn resting_state(params: &HhParams) -> Result<HhState> {
    let run = HhRun {
        params: *params,
        integrator: Integrator::Rk4,
        dt_ms: 0.01,
        t_end_ms: 200.0,
        state0: steady_state(-65.0),
        record_every: 0,
    };
    let tr = simulate(&run, |_| 0.0)?;
    Ok(tr.final_state)
}

/// A current-step protocol from rest ([`step_response`], [`single_spike_threshold`],
/// [`fires_repetitively`]): the membrane, the integrator, the step and how long the step is held.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HhStep {
    /// The membrane.
    pub params: HhParams,
    /// [`Integrator::Rk4`] or [`Integrator::ExponentialEuler`].
    pub integrator: Integrator,
    /// Step (ms), in `(0, max_dt_ms(integrator)]`.
    pub dt_ms: Real,
    /// How long the current step is held (ms).
    pub t_end_ms: Real,
}

impl Default for HhStep {
    /// The single-spike-threshold protocol of neurons.md 4.2: [`HhParams::default`], RK4 at
    /// `dt = 0.01` ms, 500 ms.
    fn default() -> Self {
        Self {
            params: HhParams::default(),
            integrator: Integrator::Rk4,
            dt_ms: 0.01,
            t_end_ms: 500.0,
        }
    }
}

/// Spike times for a current step of `amplitude` (uA/cm^2) from rest ([`resting_state`]), held
/// for `step.t_end_ms`.
pub fn step_response(step: &HhStep, amplitude: Real) -> Result<Vec<Real>> {
    validate::finite("amplitude", amplitude)?;
    let rest = resting_state(&step.params)?;
    let run = HhRun {
        params: step.params,
        integrator: step.integrator,
        dt_ms: step.dt_ms,
        t_end_ms: step.t_end_ms,
        state0: rest,
        record_every: 0,
    };
    Ok(simulate(&run, |_| amplitude)?.spikes_ms)
}

/// Smallest step amplitude in `[lo, hi]` for which `fires(amplitude)` holds, by bisection to
/// absolute tolerance `tol` (`fires` must be false at `lo` and true at `hi`).
pub fn bisect_threshold(
    lo: Real,
    hi: Real,
    tol: Real,
    mut fires: impl FnMut(Real) -> Result<bool>,
) -> Result<Real> {
    validate::positive("tol", tol)?;
    validate::less("lo", lo, hi, "hi")?;
    if fires(lo)? || !fires(hi)? {
        return Err(NeuronError::InvalidParameter {
            name: "lo",
            value: format!("[{lo}, {hi}]"),
            reason: "bracket must not fire at lo and must fire at hi".into(),
        });
    }
    let (mut a, mut b) = (lo, hi);
    while b - a > tol {
        let m = 0.5 * (a + b);
        if fires(m)? {
            b = m;
        } else {
            a = m;
        }
    }
    Ok(b)
}

/// Single-spike threshold: smallest step amplitude in `[0, 20]` uA/cm^2 (from rest, held
/// `step.t_end_ms`) that gives at least one spike, to absolute tolerance `tol`.
pub fn single_spike_threshold(step: &HhStep, tol: Real) -> Result<Real> {
    bisect_threshold(0.0, 20.0, tol, |i| Ok(!step_response(step, i)?.is_empty()))
}

/// Whether a step of `amplitude` held for `step.t_end_ms` gives sustained firing: spikes in the
/// last 200 ms.
pub fn fires_repetitively(step: &HhStep, amplitude: Real) -> Result<bool> {
    let s = step_response(step, amplitude)?;
    Ok(s.iter().any(|&t| t > step.t_end_ms - 200.0))
}
