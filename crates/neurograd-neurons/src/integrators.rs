//! Fixed-step integrators: forward Euler, exponential Euler and classical Runge-Kutta (RK4).
//!
//! Every model of this crate names the integrator it uses and the largest step it accepts; a step
//! beyond that range is rejected with [`NeuronError::InvalidParameter`](crate::NeuronError) before
//! any state is touched (it is never discovered later as NaN).
//!
//! For `dx/dt = f(x)` with step `h`:
//!
//! * forward Euler: `x_{k+1} = x_k + h f(x_k)` (first order; for the linear test equation
//!   `dx/dt = -x/tau` stable iff `h < 2 tau`);
//! * exponential Euler (e.g. MacGregor 1987; Hochbruck & Ostermann 2010): write
//!   `f(x) = A(x) x + B(x)` per component and freeze `A`, `B` over the step,
//!   `x_{k+1} = -B/A + (x_k + B/A) e^{A h}` (exact for linear equations with constant
//!   coefficients, unconditionally stable for `A < 0`);
//! * RK4 (Kutta 1901): `k1 = f(x)`, `k2 = f(x + h k1/2)`, `k3 = f(x + h k2/2)`, `k4 = f(x + h k3)`,
//!   `x_{k+1} = x + h (k1 + 2 k2 + 2 k3 + k4)/6` (fourth order; linear stability to
//!   `h |lambda| < 2.785` on the real axis).

use serde::{Deserialize, Serialize};

use crate::Real;

/// Which fixed-step integrator a model uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Integrator {
    /// Forward (explicit) Euler, first order.
    ForwardEuler,
    /// Exponential Euler: linear part integrated exactly with frozen coefficients.
    ExponentialEuler,
    /// Exact propagation of a linear system (no discretisation error of the subthreshold dynamics).
    Exact,
    /// Classical fourth-order Runge-Kutta.
    Rk4,
}

/// One forward Euler step of `dx/dt = f(x)`.
#[inline]
pub fn euler_step<const N: usize>(
    x: &[Real; N],
    h: Real,
    f: impl Fn(&[Real; N]) -> [Real; N],
) -> [Real; N] {
    let k = f(x);
    let mut out = *x;
    for i in 0..N {
        out[i] += h * k[i];
    }
    out
}

/// One classical RK4 step of `dx/dt = f(x)`.
#[inline]
pub fn rk4_step<const N: usize>(
    x: &[Real; N],
    h: Real,
    f: impl Fn(&[Real; N]) -> [Real; N],
) -> [Real; N] {
    let axpy = |a: &[Real; N], s: Real, b: &[Real; N]| {
        let mut o = *a;
        for i in 0..N {
            o[i] += s * b[i];
        }
        o
    };
    let k1 = f(x);
    let k2 = f(&axpy(x, 0.5 * h, &k1));
    let k3 = f(&axpy(x, 0.5 * h, &k2));
    let k4 = f(&axpy(x, h, &k3));
    let mut out = *x;
    for i in 0..N {
        out[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
    out
}

/// One exponential Euler step of the scalar equation `dx/dt = a x + b` with `a`, `b` frozen:
/// `x + (x + b/a)(e^{a h} - 1)`, and the Euler limit `x + h b` when `|a h| < 1e-12`.
#[inline]
pub fn exp_euler_scalar(x: Real, a: Real, b: Real, h: Real) -> Real {
    if (a * h).abs() < 1e-12 {
        x + h * (a * x + b)
    } else {
        let e = (a * h).exp();
        -b / a + (x + b / a) * e
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RK4 is fourth order: halving h divides the global error by about 16 (Kutta 1901).
    #[test]
    fn rk4_is_fourth_order_and_euler_first_order() {
        let f = |x: &[Real; 1]| [-x[0]];
        let exact = (-1.0f64).exp();
        let run = |h: Real, rk: bool| {
            let n = (1.0 / h).round() as usize;
            let mut x = [1.0];
            for _ in 0..n {
                x = if rk {
                    rk4_step(&x, h, f)
                } else {
                    euler_step(&x, h, f)
                };
            }
            (x[0] - exact).abs()
        };
        let r4 = run(0.1, true) / run(0.05, true);
        assert!((r4 - 16.0).abs() < 1.0, "rk4 ratio {r4}");
        let r1 = run(0.01, false) / run(0.005, false);
        assert!((r1 - 2.0).abs() < 0.05, "euler ratio {r1}");
        // negative control: Euler is not fourth order
        assert!((r1 - 16.0).abs() > 10.0);
    }

    /// Exponential Euler is exact for a linear equation with constant coefficients.
    #[test]
    fn exp_euler_exact_for_linear() {
        let (a, b, h) = (-0.5, 2.0, 0.3);
        let mut x = 1.0;
        for _ in 0..10 {
            x = exp_euler_scalar(x, a, b, h);
        }
        let t = 3.0;
        let exact = -b / a + (1.0 + b / a) * (a * t).exp();
        assert!((x - exact).abs() < 1e-12 * exact.abs());
    }
}
