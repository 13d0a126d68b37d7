//! Discrete-time leaky integrate-and-fire neuron with an optional adaptive threshold (LIF/ALIF),
//! as used by e-prop (Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020,
//! *A solution to the learning dilemma for recurrent networks of spiking neurons*, Nat. Commun.
//! 11:3625; equations as in their code, `IGITUGraz/eligibility_propagation`, `models.py`).
//!
//! With step `dt` (1 ms in the paper), `alpha = e^{-dt/tau_m}`, `rho = e^{-dt/tau_a}`, input
//! `I^{t+1}` (the weighted sum of input and recurrent spikes, in units of `v`) and input scaling
//! `zeta` (1, or `1 - alpha`, see [`InputScaling`]):
//!
//! ```text
//! v^{t+1} = alpha v^t + zeta I^{t+1} - z^t v_th          (reset by subtraction of the base threshold)
//! a^{t+1} = rho a^t + z^t                               (no (1 - rho) factor, as EP's EligALIF)
//! A^{t+1} = v_th + beta a^{t+1}                         (adaptive threshold; beta = 0 is plain LIF)
//! z^{t+1} = H(v^{t+1} - A^{t+1})                        (strict: v > A), forced to 0 while refractory
//! ```
//!
//! Refractoriness: a spike at step `t` silences the next `n_ref` steps (`z = 0` there; `v` keeps
//! integrating). This file is the worked example of "a model in one file": it implements
//! [`NeuronModel`] and nothing else in the crate changes.
//!
//! Contract mapping: [`NeuronModel::step`] computes `v^{t+1}`, `a^{t+1}`, `z^{t+1}` from the state
//! at `t` (which holds `z^t`) and returns `z^{t+1}`; the reset by subtraction acts in the *next*
//! step through the stored `z`, so [`NeuronModel::reset`] only starts the refractory count.
//! Integrator: exact ([`Integrator::Exact`]; the model is defined in discrete time). Spikes are
//! stamped at the step's end. The potential `v` and the input are dimensionless (units of `v_th`).

use serde::{Deserialize, Serialize};

use crate::integrators::Integrator;
use crate::model::{Input, NeuronModel};
use crate::validate;
use crate::{Real, Result};

/// How the input enters the membrane (Bellec et al.'s code has both; NEST calls it
/// `regular_spike_arrival`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InputScaling {
    /// `zeta = 1` (EP `EligALIF`, evidence accumulation; NEST `regular_spike_arrival = true`).
    Unit,
    /// `zeta = 1 - alpha` (EP `LightLIF`, pattern generation).
    OneMinusAlpha,
}

/// Parameters of the discrete-time LIF/ALIF neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlifParams {
    /// Membrane time constant `tau_m` (ms), > 0.
    pub tau_m_ms: Real,
    /// Adaptation time constant `tau_a` (ms), > 0.
    pub tau_a_ms: Real,
    /// Base threshold `v_th`, > 0.
    pub v_th: Real,
    /// Adaptation strength `beta` (>= 0; 0 gives the plain LIF).
    pub beta: Real,
    /// Refractory steps `n_ref` after a spike.
    pub n_ref: u32,
    /// Input scaling `zeta`.
    pub input_scaling: InputScaling,
}

impl AlifParams {
    /// The ALIF of Bellec et al. (2020), Fig. 3 (evidence accumulation): `tau_m = 20` ms,
    /// `tau_a = 2000` ms, `v_th = 0.6`, `beta = 1.7 (1 - rho)/(1 - alpha)` at `dt = 1` ms
    /// (about 0.0174), `n_ref = 5`, `zeta = 1`.
    pub fn bellec_2020_evidence_accumulation() -> Self {
        let (alpha, rho) = ((-1.0 / 20.0 as Real).exp(), (-1.0 / 2000.0 as Real).exp());
        Self {
            tau_m_ms: 20.0,
            tau_a_ms: 2000.0,
            v_th: 0.6,
            beta: 1.7 * (1.0 - rho) / (1.0 - alpha),
            n_ref: 5,
            input_scaling: InputScaling::Unit,
        }
    }

    /// Validate: positive time constants and threshold, `beta >= 0`.
    pub fn check(&self) -> Result<()> {
        validate::positive("tau_m_ms", self.tau_m_ms)?;
        validate::positive("tau_a_ms", self.tau_a_ms)?;
        validate::positive("v_th", self.v_th)?;
        validate::non_negative("beta", self.beta)
    }
}

/// State of one LIF/ALIF neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AlifState {
    /// Membrane potential `v^t`.
    pub v: Real,
    /// Threshold adaptation `a^t`.
    pub a: Real,
    /// Spike of this step `z^t` (applies the reset in the next step).
    pub z: bool,
    /// Refractory steps left (no spike while > 0).
    pub refractory_steps: u32,
}

/// The LIF/ALIF neuron discretised for step `dt`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Alif {
    params: AlifParams,
    dt_ms: Real,
    alpha: Real,
    rho: Real,
    zeta: Real,
}

impl Alif {
    /// Validate `params` and `dt_ms > 0` (any step: the model is defined in discrete time).
    pub fn new(params: AlifParams, dt_ms: Real) -> Result<Self> {
        params.check()?;
        validate::positive("dt", dt_ms)?;
        let alpha = (-dt_ms / params.tau_m_ms).exp();
        Ok(Self {
            params,
            dt_ms,
            alpha,
            rho: (-dt_ms / params.tau_a_ms).exp(),
            zeta: match params.input_scaling {
                InputScaling::Unit => 1.0,
                InputScaling::OneMinusAlpha => 1.0 - alpha,
            },
        })
    }

    /// The parameters.
    pub fn params(&self) -> &AlifParams {
        &self.params
    }

    /// Membrane decay `alpha = e^{-dt/tau_m}`.
    pub fn alpha(&self) -> Real {
        self.alpha
    }

    /// Adaptation decay `rho = e^{-dt/tau_a}`.
    pub fn rho(&self) -> Real {
        self.rho
    }

    /// Adaptive threshold `A = v_th + beta a` of `state`.
    pub fn threshold(&self, state: &AlifState) -> Real {
        self.params.v_th + self.params.beta * state.a
    }
}

impl NeuronModel for Alif {
    type State = AlifState;
    const NAME: &'static str = "alif";
    const SPIKE_AT_STEP_END: bool = true;

    fn dt_ms(&self) -> Real {
        self.dt_ms
    }

    fn integrator(&self) -> Integrator {
        Integrator::Exact
    }

    /// `v = 0`, `a = 0`, no spike, not refractory.
    fn initial_state(&self) -> AlifState {
        AlifState {
            v: 0.0,
            a: 0.0,
            z: false,
            refractory_steps: 0,
        }
    }

    fn step(&self, s: &mut AlifState, input: &Input) -> bool {
        let z = if s.z { 1.0 } else { 0.0 };
        let i = input.current + input.syn_exc + input.syn_inh;
        s.v = self.alpha * s.v + self.zeta * i - z * self.params.v_th;
        s.a = self.rho * s.a + z;
        let refractory = s.refractory_steps > 0;
        if refractory {
            s.refractory_steps -= 1;
        }
        s.z = !refractory && s.v > self.threshold(s);
        s.z
    }

    fn reset(&self, s: &mut AlifState) {
        s.refractory_steps = self.params.n_ref;
    }

    fn potential(&self, s: &AlifState) -> Real {
        s.v
    }

    fn set_potential(&self, s: &mut AlifState, v: Real) {
        s.v = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NeuronError;

    fn model(beta: Real, n_ref: u32) -> Alif {
        Alif::new(
            AlifParams {
                tau_m_ms: 20.0,
                tau_a_ms: 200.0,
                v_th: 0.6,
                beta,
                n_ref,
                input_scaling: InputScaling::Unit,
            },
            1.0,
        )
        .unwrap()
    }

    /// Hand-computed trajectory (Bellec et al. 2020 equations, module docs) for `I = 0.25` per
    /// step, `tau_m = 20`, `tau_a = 200`, `dt = 1` (alpha = 0.951229424500714,
    /// rho = 0.995012479192682), `v_th = 0.6`, `beta = 0.5`, `n_ref = 2`. Written out by hand:
    /// v1 = 0.25; v2 = alpha 0.25 + 0.25 = 0.487807; v3 = alpha v2 + 0.25 = 0.714017 > 0.6 -> spike;
    /// v4 = alpha v3 + 0.25 - 0.6 = 0.329194, a4 = 1 (refractory); v5 = 0.563139 (refractory, and
    /// below A5 = 0.6 + 0.5 rho = 1.097506); v6 = 0.785674, a6 = rho^2 = 0.990050, A6 = 1.095025:
    /// no spike (the adaptive threshold holds it back; plain LIF would fire).
    #[test]
    fn trajectory_matches_hand_computation() {
        let m = model(0.5, 2);
        let mut s = m.initial_state();
        let inp = Input::current(0.25);
        let want_v = [0.25, 0.487807, 0.714017, 0.329194, 0.563139, 0.785674];
        let want_z = [false, false, true, false, false, false];
        let want_a = [0.0, 0.0, 0.0, 1.0, 0.995012, 0.990050];
        for k in 0..6 {
            let z = m.advance(&mut s, &inp);
            assert!((s.v - want_v[k]).abs() < 1e-6, "step {k}: v {}", s.v);
            assert!((s.a - want_a[k]).abs() < 1e-6, "step {k}: a {}", s.a);
            assert_eq!(z, want_z[k], "step {k}");
        }
        assert!((m.threshold(&s) - 1.095025).abs() < 1e-6);
        // negative control: the same input without adaptation (LIF) fires at step 6
        let lif = model(0.0, 2);
        let mut s = lif.initial_state();
        let z: Vec<bool> = (0..6).map(|_| lif.advance(&mut s, &inp)).collect();
        assert_eq!(z, [false, false, true, false, false, true]);
    }

    /// Refractoriness: with a strong input a neuron spikes, stays silent for exactly `n_ref`
    /// steps, then spikes again (v keeps integrating meanwhile).
    #[test]
    fn refractory_period_is_n_ref_steps() {
        for n_ref in [0u32, 1, 3] {
            let m = model(0.0, n_ref);
            let mut s = m.initial_state();
            let z: Vec<bool> = (0..12)
                .map(|_| m.advance(&mut s, &Input::current(5.0)))
                .collect();
            let steps: Vec<usize> = (0..12).filter(|&k| z[k]).collect();
            let gaps: Vec<usize> = steps.windows(2).map(|w| w[1] - w[0]).collect();
            assert!(
                gaps.iter().all(|&g| g == n_ref as usize + 1),
                "n_ref {n_ref}: {steps:?}"
            );
        }
    }

    #[test]
    fn input_scaling_and_bad_parameters() {
        let mut p = model(0.0, 0).params;
        p.input_scaling = InputScaling::OneMinusAlpha;
        let m = Alif::new(p, 1.0).unwrap();
        let mut s = m.initial_state();
        m.advance(&mut s, &Input::current(1.0));
        assert!((s.v - (1.0 - (-1.0 / 20.0 as Real).exp())).abs() < 1e-15);
        let b = AlifParams::bellec_2020_evidence_accumulation();
        assert!((b.beta - 0.0174).abs() < 1e-4, "{}", b.beta);
        p.tau_m_ms = 0.0;
        assert!(matches!(
            Alif::new(p, 1.0),
            Err(NeuronError::InvalidParameter {
                name: "tau_m_ms",
                ..
            })
        ));
        assert!(matches!(
            Alif::new(model(0.0, 0).params, -1.0),
            Err(NeuronError::InvalidParameter { name: "dt", .. })
        ));
    }
}
