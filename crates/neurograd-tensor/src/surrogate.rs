//! Pseudo-derivatives ("surrogate gradients") of the spike nonlinearity `z = H(u)`.
//!
//! A spiking neuron emits `z = H(u)` with `u = v - A` (membrane potential minus threshold) and the
//! strict Heaviside step `H(u) = 1` if `u > 0`, else 0. Its derivative is zero almost everywhere,
//! so gradient-based learning replaces `H'(u)` in the backward pass by a smooth bump `ψ(u)` (Bengio,
//! Léonard & Courville 2013; Zenke & Ganguli 2018; Bellec et al. 2018, 2020; Neftci, Mostafa &
//! Zenke 2019). The forward pass keeps the Heaviside. Zenke & Vogels (2021, Neural Comput.
//! 33(4):899-925) found learning insensitive to the *shape* of `ψ` but sensitive to its *scale*.
//!
//! | surrogate | `ψ(u)` | `∫ψ du` | default source |
//! |---|---|---|---|
//! | [`Surrogate::Triangle`] `{ gamma, width }` | `(γ/w) max(0, 1 - abs(u)/w)` | `γ` | Bellec et al. 2020 (e-prop, `γ = 0.3`, `w = v_th`) |
//! | [`Surrogate::FastSigmoid`] `{ slope }` | `1 / (1 + k abs(u))²` | `2/k` | Zenke & Ganguli 2018 (SuperSpike); SpyTorch scale 100, snnTorch slope 25 |
//! | [`Surrogate::Atan`] `{ alpha }` | `(α/2) / (1 + (π α u / 2)²)` | `1` | snnTorch `atan(alpha = 2)`, the default of `snn.Leaky` |
//! | [`Surrogate::SigmoidPrime`] `{ slope }` | `k σ(k u) (1 - σ(k u))` | `1` | snnTorch `sigmoid(slope = 25)`; the derivative of the smooth spike `σ(k u)` |
//!
//! Conventions, checked against the sources named in `/shared/reference/recurrence.md` §1 and §4.1:
//!
//! - **Triangle.** Bellec et al. (2020) write `ψ_j^t = (γ_pd / v_th) max(0, 1 - abs((v_j^t - A_j^t)
//!   / v_th))` with `γ_pd = 0.3`: their spike function returns `γ max(0, 1 - abs(x))` for the
//!   scaled `x = (v - A)/v_th`, and the chain rule through `x` adds the `1/v_th` prefactor. NEST
//!   reproduces it with `surrogate_gradient_height = 0.3/V_th`, `width = V_th`.
//!   [`Surrogate::bellec`] builds it from `v_th`.
//! - **Fast sigmoid.** The SuperSpike paper writes `β / (1 + β abs(U - ϑ))²`; SpyTorch and snnTorch use
//!   the peak-normalised `1 / (1 + k abs(u))²` implemented here (peak 1 at `u = 0`, half-maximum
//!   half-width `(√2 - 1)/k ≈ 0.414/k`).
//! - **Arctan.** snnTorch's `ATan`: the forward smooth step is `(1/π) arctan(π α u / 2) + 1/2`, so
//!   `ψ(0) = α/2` (1 for the default `α = 2`) and `ψ(0.5) = 1/(1 + π²/4) ≈ 0.2884` at `α = 2`.
//! - **Sigmoid'.** `ψ = k σ(ku)(1 - σ(ku))`, exactly the derivative of the smooth spike `σ(k u)`,
//!   which makes "Heaviside forward, sigmoid' backward" comparable with a fully smooth network.
//!
//! Each surrogate is the derivative of a smooth step [`Surrogate::smooth_step`] (its primitive
//! from `-∞`), which rises from 0 to [`Surrogate::integral`]; the tests check `ψ` against central
//! finite differences of that step, its symmetry and its integral.

use serde::{Deserialize, Serialize};

use crate::activation::sigmoid;
use crate::{Real, Result, TensorError};

/// A pseudo-derivative `ψ(u)` of the Heaviside spike `H(u)` (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Surrogate {
    /// Bellec et al.'s piecewise-linear pseudo-derivative `(γ/w) max(0, 1 - abs(u)/w)`.
    Triangle {
        /// Height factor `γ` ("dampening factor" `γ_pd`, 0.3 in e-prop), > 0.
        gamma: Real,
        /// Half-width `w` (the base threshold `v_th` in e-prop), > 0.
        width: Real,
    },
    /// SuperSpike's fast sigmoid, peak-normalised: `1 / (1 + k abs(u))²`.
    FastSigmoid {
        /// Steepness `k` (> 0); SpyTorch uses 100, snnTorch 25, Zenke & Vogels about 10.
        slope: Real,
    },
    /// snnTorch's arctan: `(α/2) / (1 + (π α u / 2)²)`.
    Atan {
        /// Width parameter `α` (> 0); snnTorch's default is 2.
        alpha: Real,
    },
    /// Derivative of the logistic sigmoid `σ(k u)`: `k σ(k u)(1 - σ(k u))`.
    SigmoidPrime {
        /// Steepness `k` (> 0); snnTorch's default is 25.
        slope: Real,
    },
}

fn positive(name: &'static str, value: Real) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(TensorError::InvalidParameter {
            name,
            value: value.to_string(),
            reason: "must be finite and > 0".into(),
        })
    }
}

impl Surrogate {
    /// Bellec et al. (2020)'s pseudo-derivative for threshold `v_th`: `Triangle { gamma: 0.3,
    /// width: v_th }`, i.e. `ψ = (0.3/v_th) max(0, 1 - abs(v - A)/v_th)`.
    ///
    /// # Errors
    /// [`TensorError::InvalidParameter`] if `v_th` is not finite and positive.
    pub fn bellec(v_th: Real) -> Result<Surrogate> {
        let s = Surrogate::Triangle {
            gamma: 0.3,
            width: v_th,
        };
        s.check()?;
        Ok(s)
    }

    /// snnTorch's default surrogate, `Atan { alpha: 2 }`.
    pub const SNNTORCH_DEFAULT: Surrogate = Surrogate::Atan { alpha: 2.0 };

    /// Short snake_case name (`"triangle"`, `"fast_sigmoid"`, `"atan"`, `"sigmoid_prime"`).
    pub fn name(&self) -> &'static str {
        match self {
            Surrogate::Triangle { .. } => "triangle",
            Surrogate::FastSigmoid { .. } => "fast_sigmoid",
            Surrogate::Atan { .. } => "atan",
            Surrogate::SigmoidPrime { .. } => "sigmoid_prime",
        }
    }

    /// Checks the parameters (all must be finite and positive).
    ///
    /// # Errors
    /// [`TensorError::InvalidParameter`] naming the offending parameter.
    pub fn check(&self) -> Result<()> {
        match *self {
            Surrogate::Triangle { gamma, width } => {
                positive("gamma", gamma)?;
                positive("width", width)
            }
            Surrogate::FastSigmoid { slope } | Surrogate::SigmoidPrime { slope } => {
                positive("slope", slope)
            }
            Surrogate::Atan { alpha } => positive("alpha", alpha),
        }
    }

    /// The pseudo-derivative `ψ(u)` (see the [module docs](self) for each formula).
    #[inline]
    pub fn derivative(&self, u: Real) -> Real {
        match *self {
            Surrogate::Triangle { gamma, width } => {
                (gamma / width) * (1.0 - u.abs() / width).max(0.0)
            }
            Surrogate::FastSigmoid { slope } => {
                let d = 1.0 + slope * u.abs();
                1.0 / (d * d)
            }
            Surrogate::Atan { alpha } => {
                let x = std::f64::consts::PI * alpha * u / 2.0;
                (alpha / 2.0) / (1.0 + x * x)
            }
            Surrogate::SigmoidPrime { slope } => {
                // evaluated at abs(u), so that ψ is even to the last bit
                let s = sigmoid(slope * u.abs());
                slope * s * (1.0 - s)
            }
        }
    }

    /// The smooth step whose derivative is `ψ`: `S(u) = ∫_{-∞}^{u} ψ(s) ds`, rising from 0 to
    /// [`Surrogate::integral`].
    ///
    /// | surrogate | `S(u)` |
    /// |---|---|
    /// | triangle | 0 for `u ≤ -w`; `γ (u + w)²/(2w²)` on `(-w, 0]`; `γ - γ (w - u)²/(2w²)` on `(0, w)`; `γ` for `u ≥ w` |
    /// | fast sigmoid | `1/(k (1 + k abs(u)))` for `u ≤ 0`, `2/k - 1/(k (1 + k u))` for `u > 0` |
    /// | arctan | `1/2 + arctan(π α u/2)/π` |
    /// | sigmoid' | `σ(k u)` |
    pub fn smooth_step(&self, u: Real) -> Real {
        match *self {
            Surrogate::Triangle { gamma, width } => {
                if u <= -width {
                    0.0
                } else if u <= 0.0 {
                    gamma * (u + width) * (u + width) / (2.0 * width * width)
                } else if u < width {
                    gamma - gamma * (width - u) * (width - u) / (2.0 * width * width)
                } else {
                    gamma
                }
            }
            Surrogate::FastSigmoid { slope } => {
                let tail = 1.0 / (slope * (1.0 + slope * u.abs()));
                if u <= 0.0 { tail } else { 2.0 / slope - tail }
            }
            Surrogate::Atan { alpha } => {
                0.5 + (std::f64::consts::PI * alpha * u / 2.0).atan() / std::f64::consts::PI
            }
            Surrogate::SigmoidPrime { slope } => sigmoid(slope * u),
        }
    }

    /// The total area `∫ψ du` (`γ`, `2/k`, 1, 1): the height the smooth step rises by.
    pub fn integral(&self) -> Real {
        match *self {
            Surrogate::Triangle { gamma, .. } => gamma,
            Surrogate::FastSigmoid { slope } => 2.0 / slope,
            Surrogate::Atan { .. } | Surrogate::SigmoidPrime { .. } => 1.0,
        }
    }
}

/// The strict Heaviside spike `H(u) = 1` if `u > 0`, else 0 (Bellec et al. 2020, snnTorch and NIR
/// all compare strictly).
#[inline]
pub fn heaviside(u: Real) -> Real {
    if u > 0.0 { 1.0 } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Surrogate; 4] = [
        Surrogate::Triangle {
            gamma: 0.3,
            width: 0.62,
        },
        Surrogate::FastSigmoid { slope: 10.0 },
        Surrogate::Atan { alpha: 2.0 },
        Surrogate::SigmoidPrime { slope: 5.0 },
    ];

    /// Published values: snnTorch ATan(α = 2) has ψ(0) = 1 and ψ(0.5) = 1/(1 + π²/4) = 0.2884
    /// (reference §7 test 10); Bellec's triangle peaks at γ/v_th; the fast sigmoid at 1 with
    /// half-maximum at u = (√2 - 1)/k; sigmoid' at k/4.
    #[test]
    fn pinned_values() {
        let at = Surrogate::SNNTORCH_DEFAULT;
        assert!((at.derivative(0.0) - 1.0).abs() < 1e-15);
        let want = 1.0 / (1.0 + std::f64::consts::PI.powi(2) / 4.0);
        assert!((at.derivative(0.5) - want).abs() < 1e-15);
        assert!((at.derivative(0.5) - 0.2884).abs() < 5e-5);
        let tri = Surrogate::bellec(0.6).unwrap();
        assert!((tri.derivative(0.0) - 0.5).abs() < 1e-15);
        assert!((tri.derivative(0.3) - 0.25).abs() < 1e-15);
        assert_eq!(tri.derivative(0.6), 0.0);
        assert_eq!(tri.derivative(-0.7), 0.0);
        let fs = Surrogate::FastSigmoid { slope: 10.0 };
        assert_eq!(fs.derivative(0.0), 1.0);
        assert!((fs.derivative((2f64.sqrt() - 1.0) / 10.0) - 0.5).abs() < 1e-14);
        let sp = Surrogate::SigmoidPrime { slope: 25.0 };
        assert!((sp.derivative(0.0) - 6.25).abs() < 1e-14);
        assert_eq!(heaviside(0.0), 0.0);
        assert_eq!(heaviside(1e-300), 1.0);
    }

    /// ψ = S' by central differences, ψ is even, S rises from 0 to the integral, and a wrong
    /// pairing (the triangle without its 1/w prefactor) fails the derivative check.
    #[test]
    fn derivative_of_smooth_step_symmetry_and_area() {
        let h = 1e-6;
        for s in ALL {
            for k in -40..=40 {
                let u = k as Real * 0.0173 + 0.0011;
                let fd = (s.smooth_step(u + h) - s.smooth_step(u - h)) / (2.0 * h);
                assert!((fd - s.derivative(u)).abs() < 1e-6, "{s:?} at {u}");
                assert_eq!(s.derivative(u), s.derivative(-u), "{s:?} even");
            }
            assert!(s.smooth_step(-1e9) < 1e-8, "{s:?}");
            assert!((s.smooth_step(1e9) - s.integral()).abs() < 1e-8, "{s:?}");
            // trapezoid integral over a wide range
            let (lo, n) = (-200.0, 400_000);
            let dx = 400.0 / n as Real;
            let area: Real = (0..=n)
                .map(|i| {
                    let w = if i == 0 || i == n { 0.5 } else { 1.0 };
                    w * s.derivative(lo + i as Real * dx)
                })
                .sum::<Real>()
                * dx;
            assert!((area - s.integral()).abs() < 5e-3, "{s:?}: {area}");
        }
        // negative control: dropping Bellec's 1/v_th prefactor is caught by the same FD check
        let (g, w) = (0.3, 0.62);
        let wrong = |u: Real| g * (1.0 - u.abs() / w).max(0.0);
        let s = Surrogate::Triangle { gamma: g, width: w };
        let u = 0.1;
        let fd = (s.smooth_step(u + h) - s.smooth_step(u - h)) / (2.0 * h);
        assert!((fd - wrong(u)).abs() > 0.05);
    }

    #[test]
    fn bad_parameters_are_typed_errors() {
        assert!(matches!(
            Surrogate::bellec(0.0),
            Err(TensorError::InvalidParameter { name: "width", .. })
        ));
        assert!(matches!(
            Surrogate::FastSigmoid { slope: Real::NAN }.check(),
            Err(TensorError::InvalidParameter { name: "slope", .. })
        ));
        assert!(matches!(
            Surrogate::Atan { alpha: -1.0 }.check(),
            Err(TensorError::InvalidParameter { name: "alpha", .. })
        ));
        assert!(matches!(
            Surrogate::Triangle {
                gamma: 0.0,
                width: 1.0
            }
            .check(),
            Err(TensorError::InvalidParameter { name: "gamma", .. })
        ));
        for s in ALL {
            assert!(s.check().is_ok());
            assert!(!s.name().is_empty());
        }
    }

    /// The tape's `spike` op: Heaviside forward (strict at 0), `G ⊙ ψ(U)` backward; `detach`
    /// stops the gradient: `d/dx [x · detach(x)] = x`, not `2x` (the control without detach).
    #[test]
    fn tape_spike_and_detach() {
        use crate::{Matrix, Tape};
        let s = Surrogate::Atan { alpha: 2.0 };
        let mut t = Tape::new();
        let u = t.leaf(Matrix::from_row_slice(1, 3, &[-0.5, 0.0, 0.5]));
        let z = t.spike(u, s).unwrap();
        assert_eq!(t.value(z).as_slice(), &[0.0, 0.0, 1.0]);
        let w = t.constant(Matrix::from_row_slice(1, 3, &[1.0, 2.0, 3.0]));
        let p = t.mul(z, w).unwrap();
        let l = t.sum(p);
        let g = t.backward(l).unwrap();
        let want = [
            s.derivative(-0.5),
            2.0 * s.derivative(0.0),
            3.0 * s.derivative(0.5),
        ];
        assert_eq!(g.wrt(u).as_slice(), &want);
        assert!(matches!(
            t.spike(u, Surrogate::Atan { alpha: 0.0 }),
            Err(TensorError::InvalidParameter { name: "alpha", .. })
        ));

        let mut t = Tape::new();
        let x = t.leaf(Matrix::from_row_slice(1, 2, &[3.0, -1.0]));
        let d = t.detach(x).unwrap();
        let p = t.mul(x, d).unwrap();
        let l = t.sum(p);
        assert_eq!(t.backward(l).unwrap().wrt(x).as_slice(), &[3.0, -1.0]);
        let p2 = t.mul(x, x).unwrap();
        let l2 = t.sum(p2);
        assert_eq!(t.backward(l2).unwrap().wrt(x).as_slice(), &[6.0, -2.0]);
        let other = Tape::new().leaf(Matrix::zeros(1, 1));
        assert!(matches!(
            t.detach(other),
            Err(TensorError::ForeignVar { .. })
        ));
    }
}
