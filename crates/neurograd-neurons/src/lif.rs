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
//! conductance input [`LifNeuron::step`] uses exponential Euler with the conductances frozen over
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
    /// Integrator used by [`simulate_constant_current`].
    pub const INTEGRATOR: Integrator = Integrator::Exact;

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

/// A single LIF neuron: state plus parameters, stepped with arbitrary input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LifNeuron {
    params: LifParams,
    dt_ms: Real,
    n_ref: u32,
    /// Membrane potential (mV).
    pub v_mv: Real,
    /// Remaining refractory steps (the neuron does not integrate while > 0).
    pub refractory_steps: u32,
}

impl LifNeuron {
    /// A neuron at `V = E_L`, validated for step `dt_ms` (error if `dt` is outside `(0, max_dt]`).
    pub fn new(params: LifParams, dt_ms: Real) -> Result<Self> {
        params.check()?;
        validate::dt_in_range("lif", dt_ms, params.max_dt_ms())?;
        let n_ref = (params.t_ref_ms / dt_ms).round() as u32;
        Ok(Self {
            params,
            dt_ms,
            n_ref,
            v_mv: params.e_l_mv,
            refractory_steps: 0,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &LifParams {
        &self.params
    }

    /// One step with external current `i_ext_na` (nA), synaptic current `i_syn_na` (nA) and total
    /// synaptic conductance `g_syn_us` (uS) with conductance-weighted reversal `e_syn_mv`, i.e. input
    /// `I_ext + I_syn + g_syn (E_syn - V)`. Exponential Euler with the input frozen over the step
    /// (exact for constant input). Returns `true` if the neuron spiked in this step.
    pub fn step(&mut self, i_ext_na: Real, i_syn_na: Real, g_syn_us: Real, e_syn_mv: Real) -> bool {
        let p = &self.params;
        if self.refractory_steps > 0 {
            self.refractory_steps -= 1;
            return false;
        }
        // tau dV/dt = -(1 + R g) V + E_L + R (I + g E)
        let rg = p.r_m_mohm * g_syn_us;
        let a = -(1.0 + rg) / p.tau_m_ms;
        let b = (p.e_l_mv + p.r_m_mohm * (i_ext_na + i_syn_na + g_syn_us * e_syn_mv)) / p.tau_m_ms;
        let v_inf = -b / a;
        self.v_mv = v_inf + (self.v_mv - v_inf) * (a * self.dt_ms).exp();
        if self.v_mv > p.v_th_mv {
            self.v_mv = p.v_reset_mv;
            self.refractory_steps = self.n_ref.saturating_sub(1);
            true
        } else {
            false
        }
    }
}

/// Spike times (ms, stamped with the step's start time) of one LIF neuron starting at `E_L` under a
/// constant current for `duration_ms`, integrated exactly with step `dt_ms`.
pub fn simulate_constant_current(
    params: &LifParams,
    current_na: Real,
    dt_ms: Real,
    duration_ms: Real,
) -> Result<Vec<Real>> {
    validate::finite("current_na", current_na)?;
    let mut n = LifNeuron::new(*params, dt_ms)?;
    let steps = validate::n_steps(duration_ms, dt_ms)?;
    let v_inf = params.e_l_mv + params.r_m_mohm * current_na;
    let decay = (-dt_ms / params.tau_m_ms).exp();
    let mut spikes = Vec::new();
    for k in 0..steps {
        if n.refractory_steps > 0 {
            n.refractory_steps -= 1;
            continue;
        }
        n.v_mv = v_inf + (n.v_mv - v_inf) * decay;
        if n.v_mv > params.v_th_mv {
            n.v_mv = params.v_reset_mv;
            n.refractory_steps = n.n_ref.saturating_sub(1);
            spikes.push(k as Real * dt_ms);
        }
    }
    Ok(spikes)
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

/// The f-I curve of `params` at the given currents (nA), each run for `duration_ms` from `E_L`.
pub fn fi_curve(
    params: &LifParams,
    currents_na: &[Real],
    dt_ms: Real,
    duration_ms: Real,
) -> Result<LifFiResult> {
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
        let st = simulate_constant_current(params, i, dt_ms, duration_ms)?;
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
        params: *params,
        dt_ms,
        duration_ms,
        rheobase_na: params.rheobase_na(),
        points,
    })
}
