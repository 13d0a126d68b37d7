//! Rate units and rate networks.
//!
//! A rate network of `n` units with rates `r` (Hz), time constants `tau` (s), recurrent weights
//! `W` (row = target, column = source, dimensionless: rate in, rate out) and external input `I(t)`
//! in rate units follows the standard firing-rate equation (Wilson & Cowan 1972; Dayan & Abbott
//! 2001, ch. 7):
//!
//! ```text
//! tau_i dr_i/dt = -r_i + f( sum_j W_ij r_j + I_i(t) )
//! ```
//!
//! with one of the transfer functions of [`Activation`]: linear, rectified `[x]_+`,
//! threshold-linear `g [x - theta]_+` and the logistic sigmoid `r_max / (1 + exp(-(x - theta)/s))`.
//!
//! Integration is forward Euler or classical fourth-order Runge-Kutta ([`Integrator`]), by the
//! network-level integrators of [`crate::integrators`] (`euler_step_in_place`,
//! `rk4_step_in_place`): the network computes the coupling `x = W r + I` and takes each unit's
//! entry of the right-hand side from its [`RateUnit`] through the neuron-model contract
//! ([`ContinuousModel::derivative`], `(-r + f(x))/tau`). RK4 couples the units inside a step
//! (every stage needs every unit's stage rate), so it is a network-level integrator rather than a
//! per-unit [`NeuronModel::step`].
//! The step size is checked before running against a bound on the spectral radius of the
//! Jacobian (see [`RateNetwork::max_stable_dt`]), so that a step beyond the integrator's stable
//! range is reported as a typed error instead of being discovered as NaN.
//!
//! ```
//! use neurograd_neurons::rate::{Activation, Integrator, RateNetwork, SimConfig};
//! use neurograd_tensor::{Matrix, Vector};
//!
//! // One leaky unit driven by a constant input of 5 Hz relaxes to r = 5 Hz.
//! let net = RateNetwork::new(Vector::from_element(1, 0.01), Matrix::zeros(1, 1), Activation::Rectified)?;
//! let cfg = SimConfig { dt: 1e-4, steps: 2_000, integrator: Integrator::Rk4, record_every: 100 };
//! let trace = net.simulate_constant(&Vector::zeros(1), &Vector::from_element(1, 5.0), &cfg)?;
//! let last = trace.rates.last().unwrap()[0];
//! assert!((last - 5.0).abs() < 1e-6);
//! # Ok::<(), neurograd_neurons::NeuronError>(())
//! ```

use neurograd_tensor::{Matrix, Real, Vector};
use serde::{Deserialize, Serialize};

use crate::integrators::{Rk4Scratch, euler_step_in_place, rk4_step_in_place};
use crate::model::{ContinuousModel, Input, NeuronModel};
use crate::validate;
use crate::{NeuronError, Result};

/// Transfer function `f` of a rate unit (input in rate units, output in Hz).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Activation {
    /// `f(x) = x` (the linear theory of Murphy & Miller 2009).
    Linear,
    /// `f(x) = [x]_+ = max(x, 0)`.
    Rectified,
    /// `f(x) = gain * [x - threshold]_+`.
    ThresholdLinear {
        /// Threshold `theta` (rate units).
        threshold: Real,
        /// Slope `g` above threshold (> 0).
        gain: Real,
    },
    /// Logistic sigmoid `f(x) = max_rate / (1 + exp(-(x - threshold) / width))`.
    Sigmoid {
        /// Saturation rate `r_max` (Hz, > 0).
        max_rate: Real,
        /// Half-activation input `theta`.
        threshold: Real,
        /// Width `s` (> 0); the maximum slope is `r_max / (4 s)`.
        width: Real,
    },
}

impl Activation {
    /// Validate the parameters (finite, gain/width/max_rate > 0).
    pub fn check(&self) -> Result<()> {
        let bad = |name: &'static str, value: Real, reason: &str| NeuronError::InvalidParameter {
            name,
            value: format!("{value}"),
            reason: reason.to_string(),
        };
        match *self {
            Activation::Linear | Activation::Rectified => Ok(()),
            Activation::ThresholdLinear { threshold, gain } => {
                if !threshold.is_finite() {
                    return Err(bad("threshold", threshold, "must be finite"));
                }
                if !(gain.is_finite() && gain > 0.0) {
                    return Err(bad("gain", gain, "must be finite and > 0"));
                }
                Ok(())
            }
            Activation::Sigmoid {
                max_rate,
                threshold,
                width,
            } => {
                if !(max_rate.is_finite() && max_rate > 0.0) {
                    return Err(bad("max_rate", max_rate, "must be finite and > 0"));
                }
                if !threshold.is_finite() {
                    return Err(bad("threshold", threshold, "must be finite"));
                }
                if !(width.is_finite() && width > 0.0) {
                    return Err(bad("width", width, "must be finite and > 0"));
                }
                Ok(())
            }
        }
    }

    /// `f(x)`.
    #[inline]
    pub fn apply(&self, x: Real) -> Real {
        match *self {
            Activation::Linear => x,
            Activation::Rectified => x.max(0.0),
            Activation::ThresholdLinear { threshold, gain } => gain * (x - threshold).max(0.0),
            Activation::Sigmoid {
                max_rate,
                threshold,
                width,
            } => max_rate / (1.0 + (-(x - threshold) / width).exp()),
        }
    }

    /// `f'(x)` (the right derivative at the kink of the rectifiers).
    #[inline]
    pub fn derivative(&self, x: Real) -> Real {
        match *self {
            Activation::Linear => 1.0,
            Activation::Rectified => {
                if x >= 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::ThresholdLinear { threshold, gain } => {
                if x >= threshold {
                    gain
                } else {
                    0.0
                }
            }
            Activation::Sigmoid {
                max_rate,
                threshold,
                width,
            } => {
                let s = 1.0 / (1.0 + (-(x - threshold) / width).exp());
                max_rate / width * s * (1.0 - s)
            }
        }
    }

    /// `sup_x f'(x)`: 1 for linear and rectified, `gain` for threshold-linear, `r_max / (4 s)`
    /// for the sigmoid.
    pub fn max_slope(&self) -> Real {
        match *self {
            Activation::Linear | Activation::Rectified => 1.0,
            Activation::ThresholdLinear { gain, .. } => gain,
            Activation::Sigmoid {
                max_rate, width, ..
            } => max_rate / (4.0 * width),
        }
    }
}

/// State of one rate unit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateState {
    /// Rate `r` (Hz).
    pub r: Real,
}

/// One rate unit `tau dr/dt = -r + f(x)` discretised for step `dt` with forward Euler,
/// `r <- r + (dt/tau) (-r + f(x))`: the [`NeuronModel`] of this module (Wilson & Cowan 1972).
///
/// [`Input`]: the drive `x = current + syn_exc + syn_inh` (rate units; a network passes
/// `x = sum_j W_ij r_j + I_i`). [`NeuronModel::potential`] is the rate. A rate unit never spikes;
/// its reset does nothing. The Euler factor `dt/tau` is unit-free and computed once.
/// Stable step range (the unit alone): `dt max f' / tau <= 2`; a network adds the recurrent
/// bound of [`RateNetwork::max_stable_dt`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateUnit {
    activation: Activation,
    tau: Real,
    dt_ms: Real,
    factor: Real,
}

impl RateUnit {
    /// A unit with time constant `tau_ms` and step `dt_ms` (both ms, finite, > 0).
    pub fn new(tau_ms: Real, activation: Activation, dt_ms: Real) -> Result<Self> {
        Self::with_factor(tau_ms, activation, dt_ms, dt_ms / tau_ms, dt_ms)
    }

    /// A unit with `tau_s` and `dt_s` given in seconds, the unit of the rate networks and circuits
    /// ([`RateNetwork`], the macaque model). The factor `dt/tau` is computed from the seconds, so
    /// those circuits keep their numbers bit for bit; [`NeuronModel::dt_ms`] reports `1000 dt_s`.
    pub fn new_in_seconds(tau_s: Real, activation: Activation, dt_s: Real) -> Result<Self> {
        Self::with_factor(tau_s, activation, dt_s, dt_s / tau_s, dt_s * 1000.0)
    }

    /// A unit of a [`RateNetwork`] (seconds, as [`RateUnit::new_in_seconds`]) without the
    /// single-unit Euler bound: inside a network the step is checked against the coupled bound
    /// [`RateNetwork::check_dt`] for the network's integrator instead (the unit's own bound
    /// ignores the recurrent weights and assumes forward Euler).
    fn in_network(tau_s: Real, activation: Activation, dt_s: Real) -> Result<Self> {
        validate::positive("tau", tau_s)?;
        check_dt_positive(dt_s)?;
        activation.check()?;
        Ok(Self {
            activation,
            tau: tau_s,
            dt_ms: dt_s * 1000.0,
            factor: dt_s / tau_s,
        })
    }

    fn with_factor(
        tau: Real,
        activation: Activation,
        dt: Real,
        factor: Real,
        dt_ms: Real,
    ) -> Result<Self> {
        validate::positive("tau", tau)?;
        check_dt_positive(dt)?;
        activation.check()?;
        if factor * activation.max_slope() > Integrator::Euler.real_axis_limit() {
            return Err(NeuronError::InvalidParameter {
                name: "dt",
                value: format!("{dt}"),
                reason: format!(
                    "beyond the stable range of forward Euler for a rate unit (dt <= {} tau / max f')",
                    Integrator::Euler.real_axis_limit()
                ),
            });
        }
        Ok(Self {
            activation,
            tau,
            dt_ms,
            factor,
        })
    }

    /// The transfer function.
    pub fn activation(&self) -> Activation {
        self.activation
    }
}

impl NeuronModel for RateUnit {
    type State = RateState;
    const NAME: &'static str = "rate unit";
    const SPIKE_AT_STEP_END: bool = true;

    fn dt_ms(&self) -> Real {
        self.dt_ms
    }

    fn integrator(&self) -> crate::integrators::Integrator {
        crate::integrators::Integrator::ForwardEuler
    }

    /// `r = 0`.
    fn initial_state(&self) -> RateState {
        RateState { r: 0.0 }
    }

    fn step(&self, s: &mut RateState, input: &Input) -> bool {
        let x = input.current + input.syn_exc + input.syn_inh;
        s.r += self.factor * (-s.r + self.activation.apply(x));
        false
    }

    fn reset(&self, _: &mut RateState) {}

    fn potential(&self, s: &RateState) -> Real {
        s.r
    }

    fn set_potential(&self, s: &mut RateState, v: Real) {
        s.r = v;
    }
}

impl ContinuousModel for RateUnit {
    /// `dr/dt = (-r + f(x)) / tau`, `x = current + syn_exc + syn_inh` (per unit of the time
    /// `tau` was given in: ms for [`RateUnit::new`], s for [`RateUnit::new_in_seconds`]).
    #[inline]
    fn derivative(&self, s: &RateState, input: &Input) -> RateState {
        let x = input.current + input.syn_exc + input.syn_inh;
        RateState {
            r: (-s.r + self.activation.apply(x)) / self.tau,
        }
    }
}

/// Time-stepping scheme of [`RateNetwork::simulate`].
///
/// This is a small local integrator kept in this module so that the rate models do not depend on
/// the spiking helpers' integrators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Integrator {
    /// Forward Euler, `r <- r + dt F(r, t)`; stable on the negative real axis for `dt |lambda| <= 2`.
    Euler,
    /// Classical RK4; stable on the negative real axis for `dt |lambda| <= 2.785`.
    Rk4,
}

impl Integrator {
    /// Extent of the stability region on the negative real axis: `dt |lambda|` must not exceed
    /// it (2 for Euler, 2.7853 for RK4; Hairer & Wanner 1996, sec. IV.2).
    pub fn real_axis_limit(&self) -> Real {
        match self {
            Integrator::Euler => 2.0,
            Integrator::Rk4 => 2.785_293_563_405_282,
        }
    }
}

/// Step size, length and recording of a simulation.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Step size (s), > 0 and within [`RateNetwork::max_stable_dt`].
    pub dt: Real,
    /// Number of steps.
    pub steps: usize,
    /// Integration scheme.
    pub integrator: Integrator,
    /// Record every this many steps (>= 1); step 0 (the initial state) is always recorded.
    pub record_every: usize,
}

/// A recorded rate trajectory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RateTrace {
    /// Recording times (s), starting at 0.
    pub times: Vec<Real>,
    /// Rates at each recording time (`rates[k][i]` is unit `i` at `times[k]`), Hz.
    pub rates: Vec<Vec<Real>>,
}

/// A network of rate units, `tau dr/dt = -r + f(W r + I)` (Wilson & Cowan 1972).
#[derive(Clone, Debug, PartialEq)]
pub struct RateNetwork {
    tau: Vector,
    weights: Matrix,
    activation: Activation,
}

/// Check that `dt` is finite and positive.
pub(crate) fn check_dt_positive(dt: Real) -> Result<()> {
    if !(dt.is_finite() && dt > 0.0) {
        return Err(NeuronError::InvalidParameter {
            name: "dt",
            value: format!("{dt}"),
            reason: "must be finite and > 0".to_string(),
        });
    }
    Ok(())
}

/// Gershgorin bound on the spectral radius of `diag(1/tau) (-I + g W)` for `|f'| <= g`:
/// `R = max_i (1 + g sum_j |W_ij|) / tau_i`.
pub(crate) fn jacobian_radius_bound(tau: &Vector, weights: &Matrix, slope: Real) -> Real {
    let mut r: Real = 0.0;
    for i in 0..tau.len() {
        let row: Real = weights.row(i).iter().map(|w| w.abs()).sum();
        r = r.max((1.0 + slope * row) / tau[i]);
    }
    r
}

impl RateNetwork {
    /// Build a network from time constants (s, each finite and > 0), a square weight matrix
    /// (finite; rows are targets) and a transfer function.
    pub fn new(tau: Vector, weights: Matrix, activation: Activation) -> Result<Self> {
        let n = tau.len();
        if n == 0 {
            return Err(NeuronError::InvalidParameter {
                name: "tau",
                value: "[]".to_string(),
                reason: "a network needs at least one unit".to_string(),
            });
        }
        if let Some(i) = tau.iter().position(|t| !(t.is_finite() && *t > 0.0)) {
            return Err(NeuronError::InvalidParameter {
                name: "tau",
                value: format!("{}", tau[i]),
                reason: format!("time constant of unit {i} must be finite and > 0"),
            });
        }
        if weights.shape() != (n, n) {
            return Err(NeuronError::ShapeMismatch {
                op: "rate network weights",
                expected: (n, n),
                got: weights.shape(),
            });
        }
        validate::all_finite("rate network weights", weights.as_slice())?;
        activation.check()?;
        Ok(Self {
            tau,
            weights,
            activation,
        })
    }

    /// Number of units.
    pub fn size(&self) -> usize {
        self.tau.len()
    }

    /// Time constants (s).
    pub fn tau(&self) -> &Vector {
        &self.tau
    }

    /// Weight matrix (rows are targets).
    pub fn weights(&self) -> &Matrix {
        &self.weights
    }

    /// Transfer function.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// Largest step the given integrator accepts: `dt_max = c / R`, with `c` the integrator's
    /// real-axis limit ([`Integrator::real_axis_limit`]) and
    /// `R = max_i (1 + g sum_j |W_ij|) / tau_i` a Gershgorin bound on the spectral radius of the
    /// Jacobian `diag(1/tau)(-I + f'(u) W)` for every state (`g = sup f'`).
    ///
    /// Every Jacobian eigenvalue satisfies `|lambda| <= R`, so for `dt <= dt_max` every mode with
    /// a real eigenvalue (in particular the leak) is integrated stably; oscillatory modes near
    /// the imaginary axis are not covered by any explicit scheme's real-axis bound, which is why
    /// [`RateNetwork::simulate`] also reports non-finite states as [`NeuronError::Diverged`].
    pub fn max_stable_dt(&self, integrator: Integrator) -> Real {
        integrator.real_axis_limit()
            / jacobian_radius_bound(&self.tau, &self.weights, self.activation.max_slope())
    }

    /// Check a step size: finite, > 0 and at most [`RateNetwork::max_stable_dt`].
    pub fn check_dt(&self, dt: Real, integrator: Integrator) -> Result<()> {
        check_dt_positive(dt)?;
        let max = self.max_stable_dt(integrator);
        if dt > max {
            return Err(NeuronError::InvalidParameter {
                name: "dt",
                value: format!("{dt}"),
                reason: format!(
                    "beyond the stable range of {integrator:?} for this network (dt <= {max:.6e} s)"
                ),
            });
        }
        Ok(())
    }

    /// Time derivative `F(r, I) = (-r + f(W r + I)) / tau`, written into `out`.
    ///
    /// Shapes of `r`, `input` and `out` must equal [`RateNetwork::size`].
    pub fn derivative(&self, r: &Vector, input: &Vector, out: &mut Vector) -> Result<()> {
        let n = self.size();
        for (op, got) in [
            ("rate network state", r.len()),
            ("rate network input", input.len()),
            ("rate network derivative output", out.len()),
        ] {
            if got != n {
                return Err(NeuronError::vector_len(op, n, got));
            }
        }
        // the units' step does not enter their derivative; any valid step will do
        let units = self.units(self.tau[0])?;
        Self::derivative_unchecked(
            &self.weights,
            &units,
            r.as_slice(),
            input,
            out.as_mut_slice(),
        );
        Ok(())
    }

    /// The network's units, [`RateUnit`]s with its time constants (s) and activation,
    /// discretised for the step `dt` (s). The network integrates them with its own integrator
    /// through [`ContinuousModel::derivative`]; their single-unit Euler bound is replaced by the
    /// network's coupled bound ([`RateNetwork::check_dt`]).
    pub fn units(&self, dt: Real) -> Result<Vec<RateUnit>> {
        self.tau
            .iter()
            .map(|&t| RateUnit::in_network(t, self.activation, dt))
            .collect()
    }

    /// `out = F(r, I)`: the coupling `x = W r + I` (into `out`), then each unit's
    /// [`ContinuousModel::derivative`] at its rate and drive.
    fn derivative_unchecked(
        weights: &Matrix,
        units: &[RateUnit],
        r: &[Real],
        input: &Vector,
        out: &mut [Real],
    ) {
        let n = r.len();
        let mut x = nalgebra::DVectorViewMut::from_slice(out, n);
        x.copy_from(input);
        x.gemv(1.0, weights, &nalgebra::DVectorView::from_slice(r, n), 1.0);
        for ((o, unit), &ri) in out.iter_mut().zip(units).zip(r) {
            *o = unit.derivative(&RateState { r: ri }, &Input::current(*o)).r;
        }
    }

    /// Jacobian of the right-hand side at state `r` and input `input`:
    /// `J = diag(1/tau) (-I + diag(f'(W r + I)) W)`.
    pub fn jacobian(&self, r: &Vector, input: &Vector) -> Result<Matrix> {
        let n = self.size();
        if r.len() != n || input.len() != n {
            return Err(NeuronError::vector_len(
                "rate network jacobian",
                n,
                if r.len() != n { r.len() } else { input.len() },
            ));
        }
        let u = &self.weights * r + input;
        let mut j = self.weights.clone();
        for i in 0..n {
            let g = self.activation.derivative(u[i]);
            for c in 0..n {
                j[(i, c)] *= g / self.tau[i];
            }
            j[(i, i)] -= 1.0 / self.tau[i];
        }
        Ok(j)
    }

    /// Steady state of the linear network (`f = identity`), `r* = (I - W)^{-1} I`.
    ///
    /// Returns an error for a non-linear activation, a singular `I - W`, or a bad input.
    pub fn linear_steady_state(&self, input: &Vector) -> Result<Vector> {
        if self.activation != Activation::Linear {
            return Err(NeuronError::InvalidParameter {
                name: "activation",
                value: format!("{:?}", self.activation),
                reason: "the closed-form steady state needs the linear activation".to_string(),
            });
        }
        let n = self.size();
        if input.len() != n {
            return Err(NeuronError::vector_len(
                "linear steady state input",
                n,
                input.len(),
            ));
        }
        validate::all_finite("rate network input", input.as_slice())?;
        let a = Matrix::identity(n, n) - &self.weights;
        a.lu()
            .solve(input)
            .ok_or_else(|| NeuronError::InvalidParameter {
                name: "weights",
                value: "I - W".to_string(),
                reason: "is singular: the linear network has no unique steady state".to_string(),
            })
    }

    /// Integrate from `r0` with a time-dependent input.
    ///
    /// `input(t, buf)` writes the input at time `t` (s) into `buf` (length [`RateNetwork::size`]);
    /// RK4 calls it at the half steps. Errors: bad `dt` (non-positive or beyond
    /// [`RateNetwork::max_stable_dt`]), `record_every == 0`, shape mismatches, a non-finite
    /// initial state or input ([`NeuronError::NonFinite`]), or a non-finite state during the run
    /// ([`NeuronError::Diverged`]).
    pub fn simulate<F>(&self, r0: &Vector, mut input: F, cfg: &SimConfig) -> Result<RateTrace>
    where
        F: FnMut(Real, &mut Vector),
    {
        let n = self.size();
        self.check_dt(cfg.dt, cfg.integrator)?;
        if cfg.record_every == 0 {
            return Err(NeuronError::InvalidParameter {
                name: "record_every",
                value: "0".to_string(),
                reason: "must be >= 1".to_string(),
            });
        }
        if r0.len() != n {
            return Err(NeuronError::vector_len(
                "rate network initial state",
                n,
                r0.len(),
            ));
        }
        validate::all_finite("rate network initial state", r0.as_slice())?;
        let dt = cfg.dt;
        let units = self.units(dt)?;
        let w = &self.weights;
        let mut r = r0.clone();
        let mut inp = Vector::zeros(n);
        let mut k = vec![0.0; 5 * n];
        let mut trace = RateTrace {
            times: vec![0.0],
            rates: vec![r.as_slice().to_vec()],
        };
        let mut get_input = |t: Real, buf: &mut Vector| -> Result<()> {
            input(t, buf);
            validate::all_finite("rate network input", buf.as_slice())
        };
        for step in 1..=cfg.steps {
            let t = (step - 1) as Real * dt;
            match cfg.integrator {
                Integrator::Euler => {
                    euler_step_in_place(r.as_mut_slice(), dt, &mut k[..n], |r, k| {
                        get_input(t, &mut inp)?;
                        Self::derivative_unchecked(w, &units, r, &inp, k);
                        Ok::<(), NeuronError>(())
                    })?;
                }
                Integrator::Rk4 => {
                    let (k1, rest) = k.split_at_mut(n);
                    let (k2, rest) = rest.split_at_mut(n);
                    let (k3, rest) = rest.split_at_mut(n);
                    let (k4, tmp) = rest.split_at_mut(n);
                    let scratch = Rk4Scratch {
                        k1,
                        k2,
                        k3,
                        k4,
                        tmp,
                    };
                    rk4_step_in_place(r.as_mut_slice(), dt, scratch, |stage, r, k| {
                        // the input at the step's start, middle (read once for stages 2 and 3)
                        // and end
                        match stage {
                            0 => get_input(t, &mut inp)?,
                            1 => get_input(t + 0.5 * dt, &mut inp)?,
                            3 => get_input(t + dt, &mut inp)?,
                            _ => {}
                        }
                        Self::derivative_unchecked(w, &units, r, &inp, k);
                        Ok::<(), NeuronError>(())
                    })?;
                }
            }
            if let Some(i) = r.iter().position(|x| !x.is_finite()) {
                return Err(NeuronError::Diverged {
                    step,
                    what: format!("rate of unit {i}"),
                });
            }
            if step.is_multiple_of(cfg.record_every) {
                trace.times.push(step as Real * dt);
                trace.rates.push(r.as_slice().to_vec());
            }
        }
        Ok(trace)
    }

    /// [`RateNetwork::simulate`] with a constant input vector (checked for shape and finiteness).
    pub fn simulate_constant(
        &self,
        r0: &Vector,
        input: &Vector,
        cfg: &SimConfig,
    ) -> Result<RateTrace> {
        if input.len() != self.size() {
            return Err(NeuronError::vector_len(
                "rate network input",
                self.size(),
                input.len(),
            ));
        }
        validate::all_finite("rate network input", input.as_slice())?;
        self.simulate(r0, |_, buf| buf.copy_from(input), cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activations_match_their_formulas() {
        assert_eq!(Activation::Rectified.apply(-2.0), 0.0);
        assert_eq!(Activation::Rectified.apply(3.0), 3.0);
        let tl = Activation::ThresholdLinear {
            threshold: 1.0,
            gain: 2.0,
        };
        assert_eq!(tl.apply(0.5), 0.0);
        assert_eq!(tl.apply(2.0), 2.0);
        let sg = Activation::Sigmoid {
            max_rate: 10.0,
            threshold: 1.0,
            width: 0.5,
        };
        assert!((sg.apply(1.0) - 5.0).abs() < 1e-15);
        assert!((sg.derivative(1.0) - sg.max_slope()).abs() < 1e-12);
        // Central difference of the sigmoid agrees with its derivative.
        let h = 1e-6;
        let fd = (sg.apply(1.3 + h) - sg.apply(1.3 - h)) / (2.0 * h);
        assert!((fd - sg.derivative(1.3)).abs() < 1e-7);
    }

    #[test]
    fn bad_parameters_are_rejected() {
        let bad = Activation::Sigmoid {
            max_rate: 1.0,
            threshold: 0.0,
            width: -1.0,
        };
        assert!(matches!(
            bad.check(),
            Err(NeuronError::InvalidParameter { name: "width", .. })
        ));
        let err = RateNetwork::new(
            Vector::from_vec(vec![0.01, -0.02]),
            Matrix::zeros(2, 2),
            Activation::Linear,
        );
        assert!(matches!(
            err,
            Err(NeuronError::InvalidParameter { name: "tau", .. })
        ));
        let err = RateNetwork::new(
            Vector::from_element(2, 0.01),
            Matrix::zeros(2, 3),
            Activation::Linear,
        );
        assert!(matches!(err, Err(NeuronError::ShapeMismatch { .. })));
    }
}
