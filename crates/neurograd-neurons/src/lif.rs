//! Leaky integrate-and-fire neuron with an absolute refractory period (Lapicque 1907; in the form
//! of Gerstner et al. 2014, *Neuronal Dynamics*, ch. 1), with current- or conductance-based
//! synaptic input.
//!
//! Membrane equation (time in ms, potentials in mV, current in nA, resistance in MOhm so that
//! `R I` is in mV):
//!
//! ```text
//! tau_m dV/dt = -(V - E_L) + R (I_ext + I_syn)
//! I_syn = sum_k w_k s_k(t)                      (current-based)
//! I_syn = sum_k g_k s_k(t) (E_k - V)            (conductance-based, g in uS so g (E - V) is nA)
//! if V > V_th: emit a spike, V <- V_reset, hold V there for t_ref
//! ```
//!
//! ## Integration and time-grid convention
//!
//! With constant input the subthreshold equation is integrated **exactly**
//! (`V <- V_inf + (V - V_inf) e^{-dt/tau_m}`, `V_inf = E_L + R I`, [`Integrator::Exact`]); with
//! conductance input [`Lif`] uses exponential Euler with the conductances frozen over
//! the step. The step order follows Brian2's clock-driven scheme so the two are comparable spike for
//! spike: (1) integrate unless refractory, (2) test `V > V_th` on the new value, stamp the spike with
//! the step's start time, (3) reset. The refractory period lasts `n_ref = round(t_ref/dt)` steps
//! counted from the spike step, so the neuron skips `n_ref - 1` updates. Under this convention the
//! steady inter-spike interval at constant input is exactly
//!
//! ```text
//! ISI_grid = t_ref + dt floor(T_free/dt),   T_free = tau_m ln[(R I - (V_reset - E_L)) / (R I - (V_th - E_L))]
//! ```
//!
//! ([`LifParams::grid_rate_hz`]), which lies above the continuous first-passage rate
//! ([`LifParams::analytic_rate_hz`], `1/(t_ref + T_free)`) by less than one `dt` per ISI.
//! Below or at rheobase `I_rh = (V_th - E_L)/R` the rate is zero.
//!
//! Stable step range: the exact and exponential-Euler updates are stable for every `dt > 0`;
//! accuracy of the spike time needs `dt` well below `tau_m`, and the refractory period must span at
//! least one step, so `dt <= min(tau_m / 10, t_ref)` (with `t_ref = 0`, `dt <= tau_m / 10`).

use serde::{Deserialize, Serialize};

use crate::integrators::Integrator;
use crate::model::{Input, NeuronModel, RunConfig, simulate};
use crate::validate;
use crate::{NeuronError, Real, Result};

/// Parameters of a leaky integrate-and-fire neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LifParams {
    /// Membrane time constant `tau_m` (ms), > 0.
    pub tau_m_ms: Real,
    /// Membrane resistance `R` (MOhm), > 0.
    pub r_m_mohm: Real,
    /// Leak reversal potential `E_L` (mV).
    pub e_l_mv: Real,
    /// Threshold `V_th` (mV), > `V_reset`.
    pub v_th_mv: Real,
    /// Reset potential `V_reset` (mV).
    pub v_reset_mv: Real,
    /// Absolute refractory period `t_ref` (ms), >= 0.
    pub t_ref_ms: Real,
}

impl Default for LifParams {
    /// The f-I reference neuron of `neurons.md` section 3: `tau_m` = 10 ms, `R` = 10 MOhm,
    /// `E_L` = -65 mV, `V_reset` = -70 mV, `V_th` = -50 mV, `t_ref` = 2 ms (rheobase 1.5 nA).
    fn default() -> Self {
        Self {
            tau_m_ms: 10.0,
            r_m_mohm: 10.0,
            e_l_mv: -65.0,
            v_th_mv: -50.0,
            v_reset_mv: -70.0,
            t_ref_ms: 2.0,
        }
    }
}

impl LifParams {
    /// Validate: positive `tau_m`, `R`; finite potentials with `V_reset < V_th`; `t_ref >= 0`.
    pub fn check(&self) -> Result<()> {
        validate::positive("tau_m_ms", self.tau_m_ms)?;
        validate::positive("r_m_mohm", self.r_m_mohm)?;
        validate::finite("e_l_mv", self.e_l_mv)?;
        validate::finite("v_th_mv", self.v_th_mv)?;
        validate::finite("v_reset_mv", self.v_reset_mv)?;
        validate::non_negative("t_ref_ms", self.t_ref_ms)?;
        validate::less("v_reset_mv", self.v_reset_mv, self.v_th_mv, "v_th_mv")
    }

    /// Largest accepted step (ms): `min(tau_m/10, t_ref)` (or `tau_m/10` when `t_ref = 0`).
    pub fn max_dt_ms(&self) -> Real {
        let a = self.tau_m_ms / 10.0;
        if self.t_ref_ms > 0.0 {
            a.min(self.t_ref_ms)
        } else {
            a
        }
    }

    /// Rheobase `I_rh = (V_th - E_L)/R` (nA).
    pub fn rheobase_na(&self) -> Real {
        (self.v_th_mv - self.e_l_mv) / self.r_m_mohm
    }

    /// Free (non-refractory) first-passage time from `V_reset` to `V_th` at constant current (ms),
    /// `tau_m ln[(R I - (V_reset - E_L)) / (R I - (V_th - E_L))]`; `None` at or below rheobase.
    pub fn free_passage_ms(&self, current_na: Real) -> Option<Real> {
        let drive = self.r_m_mohm * current_na;
        let gap = self.v_th_mv - self.e_l_mv;
        if drive - gap <= 1e-12 * gap.abs() {
            return None;
        }
        Some(self.tau_m_ms * ((drive - (self.v_reset_mv - self.e_l_mv)) / (drive - gap)).ln())
    }

    /// Continuous first-passage rate (Hz): `1000 / (t_ref + T_free)`, 0 at or below rheobase.
    pub fn analytic_rate_hz(&self, current_na: Real) -> Real {
        self.free_passage_ms(current_na)
            .map_or(0.0, |t| 1000.0 / (self.t_ref_ms + t))
    }

    /// Rate on the time grid of step `dt` (Hz) under this module's step convention:
    /// `1000 / (n_ref dt + dt floor(T_free/dt))`, 0 at or below rheobase.
    pub fn grid_rate_hz(&self, current_na: Real, dt_ms: Real) -> Real {
        self.free_passage_ms(current_na).map_or(0.0, |t| {
            let n_ref = (self.t_ref_ms / dt_ms).round();
            1000.0 / (n_ref * dt_ms + dt_ms * (t / dt_ms + 1e-12).floor())
        })
    }
}

/// State of a LIF neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LifState {
    /// Membrane potential (mV).
    pub v_mv: Real,
    /// Remaining refractory steps (the neuron does not integrate while > 0).
    pub refractory_steps: u32,
}

/// The LIF neuron discretised for step `dt`: the [`NeuronModel`] of this module.
///
/// [`Input`]: `current` = `I_ext + I_syn` (nA); `syn_exc`, `syn_inh` = conductances (uS) to the
/// reversal potentials `e_exc_mv` (default 0 mV) and `e_inh_mv` (default -80 mV), i.e.
/// `I = current + g_e (E_e - V) + g_i (E_i - V)`. Integrator: exact for constant current
/// ([`Integrator::Exact`], `V <- V_inf + (V - V_inf) e^{-dt/tau_m}` with the precomputed decay)
/// and exponential Euler with the conductances frozen over the step when a conductance is
/// non-zero (both exact for constant input). Event: `V > V_th` on the new value, stamped with the
/// step's start; reset `V <- V_reset` and `round(t_ref/dt) - 1` skipped updates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lif {
    params: LifParams,
    dt_ms: Real,
    n_ref: u32,
    decay: Real,
    /// Reversal potential of `Input::syn_exc` (mV).
    pub e_exc_mv: Real,
    /// Reversal potential of `Input::syn_inh` (mV).
    pub e_inh_mv: Real,
}

impl Lif {
    /// Validate `params` and the step (`dt` in `(0, max_dt]`, see [`LifParams::max_dt_ms`]).
    pub fn new(params: LifParams, dt_ms: Real) -> Result<Self> {
        params.check()?;
        validate::dt_in_range("lif", dt_ms, params.max_dt_ms())?;
        Ok(Self {
            n_ref: (params.t_ref_ms / dt_ms).round() as u32,
            decay: (-dt_ms / params.tau_m_ms).exp(),
            params,
            dt_ms,
            e_exc_mv: 0.0,
            e_inh_mv: -80.0,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &LifParams {
        &self.params
    }
}

impl NeuronModel for Lif {
    type State = LifState;
    const NAME: &'static str = "lif";
    const SPIKE_AT_STEP_END: bool = false;

    fn dt_ms(&self) -> Real {
        self.dt_ms
    }

    fn integrator(&self) -> Integrator {
        Integrator::Exact
    }

    /// `V = E_L`, not refractory.
    fn initial_state(&self) -> LifState {
        LifState {
            v_mv: self.params.e_l_mv,
            refractory_steps: 0,
        }
    }

    fn step(&self, s: &mut LifState, input: &Input) -> bool {
        let p = &self.params;
        if s.refractory_steps > 0 {
            s.refractory_steps -= 1;
            return false;
        }
        let (ge, gi) = (input.syn_exc, input.syn_inh);
        if ge == 0.0 && gi == 0.0 {
            let v_inf = p.e_l_mv + p.r_m_mohm * input.current;
            s.v_mv = v_inf + (s.v_mv - v_inf) * self.decay;
        } else {
            // tau dV/dt = -(1 + R g) V + E_L + R (I + g_e E_e + g_i E_i),  g = g_e + g_i
            let rg = p.r_m_mohm * (ge + gi);
            let a = -(1.0 + rg) / p.tau_m_ms;
            let b = (p.e_l_mv
                + p.r_m_mohm * (input.current + ge * self.e_exc_mv + gi * self.e_inh_mv))
                / p.tau_m_ms;
            let v_inf = -b / a;
            s.v_mv = v_inf + (s.v_mv - v_inf) * (a * self.dt_ms).exp();
        }
        s.v_mv > p.v_th_mv
    }

    fn reset(&self, s: &mut LifState) {
        s.v_mv = self.params.v_reset_mv;
        s.refractory_steps = self.n_ref.saturating_sub(1);
    }

    fn potential(&self, s: &LifState) -> Real {
        s.v_mv
    }

    fn set_potential(&self, s: &mut LifState, v: Real) {
        s.v_mv = v;
    }
}

/// A constant-current protocol for one LIF neuron ([`simulate_constant_current`], [`fi_curve`]):
/// the neuron, the step and the length of each run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LifRun {
    /// The neuron.
    pub params: LifParams,
    /// Step (ms), in `(0, params.max_dt_ms()]`.
    pub dt_ms: Real,
    /// Duration of each run (ms).
    pub duration_ms: Real,
}

impl Default for LifRun {
    /// The reference protocol of the f-I tests (neurons.md sec. 3): [`LifParams::default`],
    /// `dt = 0.1` ms, 2 s per current.
    fn default() -> Self {
        Self {
            params: LifParams::default(),
            dt_ms: 0.1,
            duration_ms: 2000.0,
        }
    }
}

/// Spike times (ms, stamped with the step's start time) of one LIF neuron starting at `E_L` under
/// a constant current `current_na` (nA) for `run.duration_ms`, integrated exactly with step
/// `run.dt_ms`.
pub fn simulate_constant_current(run: &LifRun, current_na: Real) -> Result<Vec<Real>> {
    validate::finite("current_na", current_na)?;
    let model = Lif::new(run.params, run.dt_ms)?;
    let cfg = RunConfig::for_duration(run.duration_ms, run.dt_ms, 0)?;
    let input = Input::current(current_na);
    Ok(simulate(&model, model.initial_state(), &cfg, |_| input)?.spikes_ms)
}

/// One point of an f-I curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LifFiPoint {
    /// Injected current (nA).
    pub current_na: Real,
    /// Simulated steady rate (Hz): 1 / mean ISI after dropping the first ISI (which starts from
    /// `E_L`, not `V_reset`); 0 with fewer than 3 spikes.
    pub rate_hz: Real,
    /// Continuous first-passage rate (Hz).
    pub analytic_hz: Real,
    /// Grid-corrected rate (Hz) for this module's convention.
    pub grid_hz: Real,
    /// Number of spikes in the run.
    pub n_spikes: usize,
}

/// An f-I curve with the neuron's parameters (serialisable for the CLI).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifFiResult {
    /// The neuron.
    pub params: LifParams,
    /// Step (ms).
    pub dt_ms: Real,
    /// Duration of each run (ms).
    pub duration_ms: Real,
    /// Rheobase (nA).
    pub rheobase_na: Real,
    /// One point per current.
    pub points: Vec<LifFiPoint>,
}

/// The f-I curve of `run.params` at the given currents (nA), each run for `run.duration_ms` from
/// `E_L` with step `run.dt_ms`.
pub fn fi_curve(run: &LifRun, currents_na: &[Real]) -> Result<LifFiResult> {
    let LifRun {
        params,
        dt_ms,
        duration_ms,
    } = *run;
    if currents_na.is_empty() {
        return Err(NeuronError::InvalidParameter {
            name: "currents_na",
            value: "[]".into(),
            reason: "need at least one current".into(),
        });
    }
    validate::all_finite("currents_na", currents_na)?;
    let mut points = Vec::with_capacity(currents_na.len());
    for &i in currents_na {
        let st = simulate_constant_current(run, i)?;
        let rate_hz = if st.len() >= 3 {
            let span = st[st.len() - 1] - st[1];
            1000.0 * (st.len() - 2) as Real / span
        } else {
            0.0
        };
        points.push(LifFiPoint {
            current_na: i,
            rate_hz,
            analytic_hz: params.analytic_rate_hz(i),
            grid_hz: params.grid_rate_hz(i, dt_ms),
            n_spikes: st.len(),
        });
    }
    Ok(LifFiResult {
        params,
        dt_ms,
        duration_ms,
        rheobase_na: params.rheobase_na(),
        points,
    })
}
