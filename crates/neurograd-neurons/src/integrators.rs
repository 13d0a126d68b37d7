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

/// One forward Euler step of `dx/dt = f(x)` on a fixed-size state (a wrapper of
/// [`euler_step_in_place`], the one implementation).
#[inline]
pub fn euler_step<const N: usize>(
    x: &[Real; N],
    h: Real,
    f: impl Fn(&[Real; N]) -> [Real; N],
) -> [Real; N] {
    let mut out = *x;
    let mut k = [0.0; N];
    let r: Result<(), std::convert::Infallible> =
        euler_step_in_place(&mut out, h, &mut k, |x, k| {
            k.copy_from_slice(&f(as_array(x)));
            Ok(())
        });
    let Ok(()) = r;
    out
}

/// One classical RK4 step of `dx/dt = f(x)` on a fixed-size state (a wrapper of
/// [`rk4_step_in_place`], the one implementation).
#[inline]
pub fn rk4_step<const N: usize>(
    x: &[Real; N],
    h: Real,
    f: impl Fn(&[Real; N]) -> [Real; N],
) -> [Real; N] {
    let mut out = *x;
    let mut k = [[0.0; N]; 5];
    let r: Result<(), std::convert::Infallible> =
        rk4_step_in_place(&mut out, h, Rk4Scratch::from_arrays(&mut k), |_, x, k| {
            k.copy_from_slice(&f(as_array(x)));
            Ok(())
        });
    let Ok(()) = r;
    out
}

/// A slice of length `N` (always the case in the wrappers above) as an array.
#[inline]
fn as_array<const N: usize>(x: &[Real]) -> &[Real; N] {
    x.first_chunk()
        .expect("the integrators pass slices of the state's length")
}

/// One forward Euler step of the system `dx/dt = f(x)` on a flat state vector, in place:
/// `x <- x + h f(x)` (first order). `f(x, k)` writes the derivative into `k` (length `x.len()`);
/// a network passes the coupled right-hand side, whose entries are its units' derivatives
/// ([`ContinuousModel::derivative`](crate::model::ContinuousModel::derivative)). An error of `f`
/// is returned before `x` is touched.
#[inline]
pub fn euler_step_in_place<E>(
    x: &mut [Real],
    h: Real,
    k: &mut [Real],
    mut f: impl FnMut(&[Real], &mut [Real]) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    f(x, k)?;
    for (xi, ki) in x.iter_mut().zip(k.iter()) {
        *xi += h * ki;
    }
    Ok(())
}

/// The nodes `c_s` of the classical RK4 stages: stage `s` evaluates the right-hand side at time
/// `t + c_s h` (Kutta 1901).
pub const RK4_NODES: [Real; 4] = [0.0, 0.5, 0.5, 1.0];

/// Work buffers of [`rk4_step_in_place`], each of the state's length: the four stage
/// derivatives and the stage state.
#[derive(Debug)]
pub struct Rk4Scratch<'a> {
    /// Stage 1 derivative.
    pub k1: &'a mut [Real],
    /// Stage 2 derivative.
    pub k2: &'a mut [Real],
    /// Stage 3 derivative.
    pub k3: &'a mut [Real],
    /// Stage 4 derivative.
    pub k4: &'a mut [Real],
    /// Stage state.
    pub tmp: &'a mut [Real],
}

impl<'a> Rk4Scratch<'a> {
    /// Buffers for a state of `N` variables, borrowed from `k`.
    pub fn from_arrays<const N: usize>(k: &'a mut [[Real; N]; 5]) -> Self {
        let [k1, k2, k3, k4, tmp] = k;
        Rk4Scratch {
            k1,
            k2,
            k3,
            k4,
            tmp,
        }
    }
}

/// One classical RK4 step (Kutta 1901) of `dx/dt = f(t, x)` on a flat state vector, in place:
/// `k1 = f(x)`, `k2 = f(x + h k1/2)`, `k3 = f(x + h k2/2)`, `k4 = f(x + h k3)`,
/// `x <- x + h/6 (k1 + 2 k2 + 2 k3 + k4)`. `f(s, x, k)` writes the stage-`s` derivative into `k`;
/// stage `s` belongs to time `t + RK4_NODES[s] h` (so a time-dependent input is read at the
/// step's start, middle and end). A network passes the coupled right-hand side, whose entries are
/// its units' derivatives
/// ([`ContinuousModel::derivative`](crate::model::ContinuousModel::derivative)); RK4 couples the
/// units inside a step (each stage needs every unit's stage state), which is why it is a
/// network-level integrator and not a per-unit step. An error of `f` is returned before `x` is
/// touched. The scratch buffers must have the length of `x`.
#[inline]
pub fn rk4_step_in_place<E>(
    x: &mut [Real],
    h: Real,
    s: Rk4Scratch<'_>,
    mut f: impl FnMut(usize, &[Real], &mut [Real]) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    let Rk4Scratch {
        k1,
        k2,
        k3,
        k4,
        tmp,
    } = s;
    let stage = |tmp: &mut [Real], a: Real, k: &[Real]| {
        for ((t, xi), ki) in tmp.iter_mut().zip(x.iter()).zip(k) {
            *t = xi + a * ki;
        }
    };
    f(0, x, k1)?;
    stage(tmp, 0.5 * h, k1);
    f(1, tmp, k2)?;
    stage(tmp, 0.5 * h, k2);
    f(2, tmp, k3)?;
    stage(tmp, h, k3);
    f(3, tmp, k4)?;
    for (i, xi) in x.iter_mut().enumerate() {
        *xi += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
    Ok(())
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

    /// The in-place RK4 reads a time-dependent right-hand side at the stage nodes: for
    /// `dx/dt = cos t` the global error at `t = 1` falls by about 16 per halving of `h`
    /// (fourth order; reading the input at the step's start only would be first order).
    #[test]
    fn rk4_in_place_uses_the_stage_times() {
        let run = |h: Real, nodes: [Real; 4]| {
            let n = (1.0 / h).round() as usize;
            let mut x = [0.0];
            let mut k = [[0.0; 1]; 5];
            for step in 0..n {
                let t = step as Real * h;
                let s = Rk4Scratch::from_arrays(&mut k);
                let r: Result<(), ()> = rk4_step_in_place(&mut x, h, s, |stage, _, out| {
                    out[0] = (t + nodes[stage] * h).cos();
                    Ok(())
                });
                assert!(r.is_ok());
            }
            (x[0] - 1.0f64.sin()).abs()
        };
        let ratio = run(0.1, RK4_NODES) / run(0.05, RK4_NODES);
        assert!((ratio - 16.0).abs() < 1.0, "ratio {ratio}");
        // negative control: the input frozen at the step's start is first order
        let frozen = run(0.1, [0.0; 4]) / run(0.05, [0.0; 4]);
        assert!((frozen - 2.0).abs() < 0.2, "frozen ratio {frozen}");
    }

    /// An error of the right-hand side is returned and leaves the state untouched.
    #[test]
    fn in_place_steps_propagate_errors() {
        let mut x = [1.0, 2.0];
        let mut k = [0.0; 2];
        let r = euler_step_in_place(&mut x, 0.1, &mut k, |_, _| Err("bad input"));
        assert_eq!(r, Err("bad input"));
        assert_eq!(x, [1.0, 2.0]);
        let mut kk = [[0.0; 2]; 5];
        let s = Rk4Scratch::from_arrays(&mut kk);
        let r = rk4_step_in_place(&mut x, 0.1, s, |stage, _, out| {
            out.fill(1.0);
            if stage == 2 { Err(stage) } else { Ok(()) }
        });
        assert_eq!(r, Err(2));
        assert_eq!(x, [1.0, 2.0]);
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
