//! Balanced amplification in a two-population E-I network (Murphy & Miller 2009, *Neuron*
//! 61:635-648).
//!
//! Linear rates `tau dr/dt = -r + W r + I` with an excitatory and an inhibitory population that
//! each project to both, with strength `w` (excitatory) and `k_I w` (inhibitory):
//!
//! ```text
//! W = w [[1, -k_I],
//!        [1, -k_I]]
//! ```
//!
//! **Schur structure.** In the orthonormal basis of the sum pattern `p = (1, 1)/sqrt 2` and the
//! difference pattern `m = (1, -1)/sqrt 2`, `W = U T U^T` with `U = [p m]` and
//!
//! ```text
//! T = [[-w_+, w_FF],
//!      [   0,    0]],   w_FF = w (1 + k_I),   w_+ = w (k_I - 1)
//! ```
//!
//! so the eigenvalues are `{w (1 - k_I), 0}` and a difference pattern drives the sum pattern
//! through the hidden feed-forward weight `w_FF`. The Henrici departure from normality
//! `dep(W) = sqrt(||W||_F^2 - sum |lambda_i|^2) = sqrt(sum_{i<j} |T_ij|^2)` equals `w_FF`.
//!
//! **Dynamics.** With `r = s p + d m`: `tau ds/dt = -(1 + w_+) s + w_FF d + I_s` and
//! `tau dd/dt = -d + I_d`. Hence the steady state `s* = (I_s + w_FF I_d) / (1 + w_+)`, `d* = I_d`,
//! and for a pulse (`I = 0`, `r(0) = s0 p + d0 m`) with `a = 1 + w_+ != 1`:
//!
//! ```text
//! d(t) = d0 e^{-t/tau}
//! s(t) = s0 e^{-a t/tau} + w_FF d0 (e^{-t/tau} - e^{-a t/tau}) / (a - 1)
//! ```
//!
//! (for `a = 1`: `s(t) = (s0 + w_FF d0 t/tau) e^{-t/tau}`). The norm `||r(t)||` can grow
//! transiently above `||r(0)||` although every eigenvalue of `(W - I)/tau` is negative: a purely
//! non-normal effect. A normal matrix with the same eigenvalues (`W_n = -w_+ p p^T`) never
//! amplifies (`||r(t)||` is non-increasing), which the tests use as a negative control.
//!
//! The paper's parameters are `k_I = 1.1` and `w` printed as "4(2/7)" in the source available to
//! us; theory.md reads it as `4 sqrt(2/7) = 2.138` ([`BalancedAmplification::murphy_miller_2009`]),
//! while the code of Joglekar et al. (2018) uses `4 + 2/7` for the same constant. Both are stable;
//! the dimensionless numbers (Schur form, gain) do not depend on `tau`.

use nalgebra::linalg::Schur;
use neurograd_tensor::{Matrix, Real, Vector};
use serde::{Deserialize, Serialize};

use crate::rate::{Activation, Integrator, RateNetwork, SimConfig, check_dt_positive};
use crate::validate;
use crate::{NeuronError, Result};

const SQRT_HALF: Real = std::f64::consts::FRAC_1_SQRT_2;

/// Real Schur decomposition `M = Q T Q^T` with eigenvalues and the Henrici departure.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchurForm {
    /// Orthogonal factor `Q` (row-major rows).
    pub q: Vec<Vec<Real>>,
    /// Quasi-upper-triangular factor `T` (row-major rows).
    pub t: Vec<Vec<Real>>,
    /// Eigenvalues as `(re, im)` pairs.
    pub eigenvalues: Vec<(Real, Real)>,
    /// Henrici departure from normality `sqrt(||M||_F^2 - sum |lambda_i|^2)`.
    pub henrici: Real,
}

fn rows(m: &Matrix) -> Vec<Vec<Real>> {
    (0..m.nrows())
        .map(|i| m.row(i).iter().copied().collect())
        .collect()
}

fn check_square(op: &'static str, m: &Matrix) -> Result<()> {
    if m.nrows() != m.ncols() {
        return Err(NeuronError::ShapeMismatch {
            op,
            expected: (m.nrows(), m.nrows()),
            got: m.shape(),
        });
    }
    if m.nrows() == 0 {
        return Err(NeuronError::InvalidParameter {
            name: "matrix",
            value: "0x0".to_string(),
            reason: format!("{op} needs a non-empty matrix"),
        });
    }
    validate::all_finite(op, m.as_slice())
}

/// Real Schur decomposition of a square matrix (nalgebra's Francis QR, `eps = 1e-14`).
pub fn schur(m: &Matrix) -> Result<SchurForm> {
    check_square("schur decomposition", m)?;
    let s =
        Schur::try_new(m.clone(), 1e-14, 100_000).ok_or_else(|| NeuronError::InvalidParameter {
            name: "matrix",
            value: format!("{}x{}", m.nrows(), m.ncols()),
            reason: "schur decomposition did not converge".to_string(),
        })?;
    let eig = s.complex_eigenvalues();
    let eigenvalues: Vec<(Real, Real)> = eig.iter().map(|c| (c.re, c.im)).collect();
    let (q, t) = s.unpack();
    let sum_eig: Real = eigenvalues.iter().map(|(re, im)| re * re + im * im).sum();
    let henrici = (m.norm_squared() - sum_eig).max(0.0).sqrt();
    Ok(SchurForm {
        q: rows(&q),
        t: rows(&t),
        eigenvalues,
        henrici,
    })
}

/// Henrici departure from normality `dep(M) = sqrt(||M||_F^2 - sum_i |lambda_i|^2)`
/// (Henrici 1962), zero exactly for normal matrices.
pub fn henrici_departure(m: &Matrix) -> Result<Real> {
    Ok(schur(m)?.henrici)
}

/// Eigenvalues `(re, im)` of a square matrix.
pub fn eigenvalues(m: &Matrix) -> Result<Vec<(Real, Real)>> {
    Ok(schur(m)?.eigenvalues)
}

/// The two-population balanced-amplification circuit of Murphy & Miller (2009).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalancedAmplification {
    /// Excitatory weight `w` (>= 0).
    pub w: Real,
    /// Inhibition-to-excitation ratio `k_I` (>= 0).
    pub k_inh: Real,
    /// Common time constant `tau` (s, > 0).
    pub tau: Real,
}

/// Transient trajectory of the two-population circuit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transient {
    /// Times (s).
    pub times: Vec<Real>,
    /// Excitatory rate.
    pub r_e: Vec<Real>,
    /// Inhibitory rate.
    pub r_i: Vec<Real>,
    /// `||r(t)||_2`.
    pub norm: Vec<Real>,
}

/// Everything the CLI prints for `simulate balanced-amplification`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BalancedReport {
    /// The circuit.
    pub circuit: BalancedAmplification,
    /// Hidden feed-forward weight `w_FF = w (1 + k_I)`.
    pub w_ff: Real,
    /// Sum-pattern self-inhibition `w_+ = w (k_I - 1)`.
    pub w_plus: Real,
    /// Closed-form eigenvalues of `W`, `{w (1 - k_I), 0}`.
    pub eigenvalues_closed: [Real; 2],
    /// Numerical eigenvalues of `W` (`(re, im)`).
    pub eigenvalues_numeric: Vec<(Real, Real)>,
    /// Closed-form `T` in the sum/difference basis.
    pub schur_t_closed: [[Real; 2]; 2],
    /// Numerical real Schur factor `T` (LAPACK-style ordering and signs may differ).
    pub schur_t_numeric: Vec<Vec<Real>>,
    /// Closed-form Henrici departure (= `w_FF`).
    pub henrici_closed: Real,
    /// Numerical Henrici departure.
    pub henrici_numeric: Real,
    /// Closed-form steady state `(r_E, r_I)` for unit input to E only.
    pub steady_state_closed: [Real; 2],
    /// Steady state from solving `(I - W) r = I`.
    pub steady_state_numeric: [Real; 2],
    /// Closed-form peak of `||r(t)||` after `r(0) = (1, 0)` (Schur prediction).
    pub peak_norm_closed: Real,
    /// Time of that peak (s).
    pub peak_time_closed: Real,
    /// Peak of `||r(t)||` in the simulated (RK4) trajectory.
    pub peak_norm_simulated: Real,
    /// Peak of `||r(t)||` for the normal matrix with the same eigenvalues (negative control, = 1).
    pub peak_norm_normal_control: Real,
    /// Spectral abscissa of `(W - I)/tau` (s^-1), negative when stable.
    pub spectral_abscissa: Real,
    /// The simulated trajectory.
    pub transient: Transient,
}

impl BalancedAmplification {
    /// Build and validate: `w >= 0`, `k_inh >= 0`, `tau > 0`, all finite, and the linear dynamics
    /// stable (`w (1 - k_inh) < 1`).
    pub fn new(w: Real, k_inh: Real, tau: Real) -> Result<Self> {
        for (name, v) in [("w", w), ("k_inh", k_inh)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(NeuronError::InvalidParameter {
                    name,
                    value: format!("{v}"),
                    reason: "must be finite and >= 0".to_string(),
                });
            }
        }
        if !(tau.is_finite() && tau > 0.0) {
            return Err(NeuronError::InvalidParameter {
                name: "tau",
                value: format!("{tau}"),
                reason: "time constant must be finite and > 0".to_string(),
            });
        }
        if w * (1.0 - k_inh) >= 1.0 {
            return Err(NeuronError::InvalidParameter {
                name: "k_inh",
                value: format!("{k_inh}"),
                reason: format!(
                    "w (1 - k_inh) = {} >= 1: the network is unstable",
                    w * (1.0 - k_inh)
                ),
            });
        }
        Ok(Self { w, k_inh, tau })
    }

    /// The parameters of Murphy & Miller (2009) as read in theory.md: `w = 4 sqrt(2/7)`,
    /// `k_I = 1.1`, `tau = 10 ms` (tau only rescales time).
    pub fn murphy_miller_2009() -> Self {
        Self {
            w: 4.0 * (2.0_f64 / 7.0).sqrt(),
            k_inh: 1.1,
            tau: 0.01,
        }
    }

    /// `W = w [[1, -k_I], [1, -k_I]]`.
    pub fn weights(&self) -> Matrix {
        Matrix::from_row_slice(
            2,
            2,
            &[self.w, -self.k_inh * self.w, self.w, -self.k_inh * self.w],
        )
    }

    /// Hidden feed-forward weight `w_FF = w (1 + k_I)`.
    pub fn w_ff(&self) -> Real {
        self.w * (1.0 + self.k_inh)
    }

    /// Sum-pattern self-inhibition `w_+ = w (k_I - 1)`.
    pub fn w_plus(&self) -> Real {
        self.w * (self.k_inh - 1.0)
    }

    /// Eigenvalues of `W`: `[w (1 - k_I), 0]`.
    pub fn eigenvalues_closed(&self) -> [Real; 2] {
        [self.w * (1.0 - self.k_inh), 0.0]
    }

    /// `T = [[-w_+, w_FF], [0, 0]]`, the Schur form of `W` in the basis `U = [p m]`.
    pub fn schur_t_closed(&self) -> [[Real; 2]; 2] {
        [[-self.w_plus(), self.w_ff()], [0.0, 0.0]]
    }

    /// The orthonormal Schur basis `U = [p m]`, `p = (1,1)/sqrt 2`, `m = (1,-1)/sqrt 2`.
    pub fn schur_basis(&self) -> Matrix {
        Matrix::from_row_slice(2, 2, &[SQRT_HALF, SQRT_HALF, SQRT_HALF, -SQRT_HALF])
    }

    /// Henrici departure in closed form: `w_FF`.
    pub fn henrici_closed(&self) -> Real {
        self.w_ff()
    }

    /// The normal matrix with the same eigenvalues and eigenbasis, `W_n = -w_+ p p^T`.
    pub fn normal_counterpart(&self) -> Matrix {
        let c = -self.w_plus() * 0.5;
        Matrix::from_element(2, 2, c)
    }

    /// Closed-form steady state `(r_E, r_I)` for constant input `(input_e, input_i)`:
    /// `s* = (I_s + w_FF I_d)/(1 + w_+)`, `d* = I_d`.
    pub fn steady_state_closed(&self, input_e: Real, input_i: Real) -> Result<[Real; 2]> {
        validate::all_finite("balanced amplification input", &[input_e, input_i])?;
        let i_s = (input_e + input_i) * SQRT_HALF;
        let i_d = (input_e - input_i) * SQRT_HALF;
        let s = (i_s + self.w_ff() * i_d) / (1.0 + self.w_plus());
        let d = i_d;
        Ok([(s + d) * SQRT_HALF, (s - d) * SQRT_HALF])
    }

    /// Closed-form state at time `t` (s) after starting at `r0` with no input.
    pub fn transient_closed(&self, r0: [Real; 2], t: Real) -> [Real; 2] {
        let s0 = (r0[0] + r0[1]) * SQRT_HALF;
        let d0 = (r0[0] - r0[1]) * SQRT_HALF;
        let x = t / self.tau;
        let a = 1.0 + self.w_plus();
        let d = d0 * (-x).exp();
        let s = if (a - 1.0).abs() < 1e-12 {
            (s0 + self.w_ff() * d0 * x) * (-x).exp()
        } else {
            s0 * (-a * x).exp() + self.w_ff() * d0 * ((-x).exp() - (-a * x).exp()) / (a - 1.0)
        };
        [(s + d) * SQRT_HALF, (s - d) * SQRT_HALF]
    }

    /// Peak of `||r(t)||` of the closed-form trajectory from `r0` and its time: a scan over
    /// `0 <= t <= 30 tau / min(1, a)` followed by golden-section refinement.
    pub fn transient_peak_closed(&self, r0: [Real; 2]) -> Result<(Real, Real)> {
        validate::all_finite("balanced amplification initial state", &r0)?;
        let norm = |t: Real| {
            let r = self.transient_closed(r0, t);
            r[0].hypot(r[1])
        };
        let a = 1.0 + self.w_plus();
        let t_max = 30.0 * self.tau / a.min(1.0);
        let n = 4000;
        let h = t_max / n as Real;
        let (mut best_k, mut best) = (0usize, norm(0.0));
        for k in 1..=n {
            let v = norm(k as Real * h);
            if v > best {
                best = v;
                best_k = k;
            }
        }
        let mut lo = (best_k.saturating_sub(1)) as Real * h;
        let mut hi = ((best_k + 1).min(n)) as Real * h;
        let g = 0.5 * (5.0_f64.sqrt() - 1.0);
        for _ in 0..200 {
            let x1 = hi - g * (hi - lo);
            let x2 = lo + g * (hi - lo);
            if norm(x1) >= norm(x2) {
                hi = x2;
            } else {
                lo = x1;
            }
        }
        let t = 0.5 * (lo + hi);
        let v = norm(t);
        if v >= best {
            Ok((v, t))
        } else {
            Ok((best, best_k as Real * h))
        }
    }

    /// The circuit as a linear [`RateNetwork`].
    pub fn network(&self) -> Result<RateNetwork> {
        RateNetwork::new(
            Vector::from_element(2, self.tau),
            self.weights(),
            Activation::Linear,
        )
    }

    /// Simulate the pulse response from `r0` with RK4 for `t_max` seconds at step `dt`: the
    /// circuit's [`RateNetwork`], whose two [`RateUnit`](crate::rate::RateUnit)s are integrated
    /// through the neuron-model contract
    /// ([`ContinuousModel::derivative`](crate::model::ContinuousModel::derivative)) by the
    /// network-level RK4 of [`crate::integrators::rk4_step_in_place`].
    pub fn simulate_transient(&self, r0: [Real; 2], dt: Real, t_max: Real) -> Result<Transient> {
        simulate_pair(&self.network()?, r0, dt, t_max)
    }

    /// All closed-form and numerical numbers plus a trajectory (`r(0) = (1, 0)`, RK4 at
    /// `dt = tau/200` over `10 tau / min(1, 1 + w_+)`).
    pub fn report(&self) -> Result<BalancedReport> {
        let w = self.weights();
        let sf = schur(&w)?;
        let ss = self
            .network()?
            .linear_steady_state(&Vector::from_vec(vec![1.0, 0.0]))?;
        let a = 1.0 + self.w_plus();
        let t_max = 10.0 * self.tau / a.min(1.0);
        let dt = self.tau / 200.0;
        let transient = self.simulate_transient([1.0, 0.0], dt, t_max)?;
        let peak_sim = transient
            .norm
            .iter()
            .copied()
            .fold(Real::NEG_INFINITY, Real::max);
        let normal = RateNetwork::new(
            Vector::from_element(2, self.tau),
            self.normal_counterpart(),
            Activation::Linear,
        )?;
        let control = simulate_pair(&normal, [1.0, 0.0], dt, t_max)?;
        let peak_control = control
            .norm
            .iter()
            .copied()
            .fold(Real::NEG_INFINITY, Real::max);
        let (peak_closed, peak_time) = self.transient_peak_closed([1.0, 0.0])?;
        Ok(BalancedReport {
            circuit: *self,
            w_ff: self.w_ff(),
            w_plus: self.w_plus(),
            eigenvalues_closed: self.eigenvalues_closed(),
            eigenvalues_numeric: sf.eigenvalues,
            schur_t_closed: self.schur_t_closed(),
            schur_t_numeric: sf.t,
            henrici_closed: self.henrici_closed(),
            henrici_numeric: sf.henrici,
            steady_state_closed: self.steady_state_closed(1.0, 0.0)?,
            steady_state_numeric: [ss[0], ss[1]],
            peak_norm_closed: peak_closed,
            peak_time_closed: peak_time,
            peak_norm_simulated: peak_sim,
            peak_norm_normal_control: peak_control,
            spectral_abscissa: (self.w * (1.0 - self.k_inh)).max(0.0) / self.tau - 1.0 / self.tau,
            transient,
        })
    }
}

fn simulate_pair(net: &RateNetwork, r0: [Real; 2], dt: Real, t_max: Real) -> Result<Transient> {
    check_dt_positive(dt)?;
    if !(t_max.is_finite() && t_max > 0.0) {
        return Err(NeuronError::InvalidParameter {
            name: "t_max",
            value: format!("{t_max}"),
            reason: "must be finite and > 0".to_string(),
        });
    }
    let cfg = SimConfig {
        dt,
        steps: (t_max / dt).round() as usize,
        integrator: Integrator::Rk4,
        record_every: 1,
    };
    let trace = net.simulate_constant(&Vector::from_vec(r0.to_vec()), &Vector::zeros(2), &cfg)?;
    let r_e: Vec<Real> = trace.rates.iter().map(|r| r[0]).collect();
    let r_i: Vec<Real> = trace.rates.iter().map(|r| r[1]).collect();
    let norm = r_e.iter().zip(&r_i).map(|(e, i)| e.hypot(*i)).collect();
    Ok(Transient {
        times: trace.times,
        r_e,
        r_i,
        norm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unstable_or_negative_parameters_are_rejected() {
        assert!(matches!(
            BalancedAmplification::new(2.0, 0.2, 0.01),
            Err(NeuronError::InvalidParameter { name: "k_inh", .. })
        ));
        assert!(matches!(
            BalancedAmplification::new(2.0, 1.1, -0.01),
            Err(NeuronError::InvalidParameter { name: "tau", .. })
        ));
        assert!(matches!(
            BalancedAmplification::new(Real::NAN, 1.1, 0.01),
            Err(NeuronError::InvalidParameter { name: "w", .. })
        ));
    }

    #[test]
    fn closed_form_transient_starts_at_the_initial_state() {
        let b = BalancedAmplification::murphy_miller_2009();
        let r = b.transient_closed([0.3, -0.7], 0.0);
        assert!((r[0] - 0.3).abs() < 1e-15 && (r[1] + 0.7).abs() < 1e-15);
    }
}
