//! Pointwise activation functions and their derivatives.
//!
//! Every activation `f` is applied elementwise; [`Activation::derivative`] is `f'(x)` with respect
//! to the **pre-activation** `x` (not expressed through the output `f(x)`).
//!
//! | name | `f(x)` | `f'(x)` |
//! |---|---|---|
//! | `identity` | `x` | `1` |
//! | `sigmoid` | `1 / (1 + e^{-x})` | `f(x)(1 - f(x))` |
//! | `tanh` | `tanh x` | `1 - tanh² x` |
//! | `relu` | `max(0, x)` | `1[x > 0]` |
//! | `leaky_relu` | `x` if `x > 0` else `slope·x` | `1` if `x > 0` else `slope` |
//! | `softplus` | `ln(1 + e^x)` | `sigmoid(x)` |
//! | `elu` | `x` if `x > 0` else `α(e^x - 1)` | `1` if `x > 0` else `α e^x` |
//! | `hard_sigmoid` | `clip(x, 0, 1)` | `1[0 < x < 1]` |
//!
//! At the kinks (`relu` and `leaky_relu` at 0, `hard_sigmoid` at 0 and 1, `elu` at 0 unless
//! `α = 1`) the derivative takes the value of the left piece (the subgradient convention of
//! PyTorch for ReLU). The hard sigmoid `ρ(x) = clip(x, 0, 1)` is the one of equilibrium
//! propagation (Scellier & Bengio, 2017). ELU: Clevert, Unterthiner & Hochreiter (2016).
//! Softplus: Dugas et al. (2001). Leaky ReLU: Maas, Hannun & Ng (2013).

use serde::{Deserialize, Serialize};

use crate::{Matrix, Real, Result, TensorError};

/// A pointwise nonlinearity. See the [module docs](self) for the formulas.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `f(x) = x`.
    Identity,
    /// Logistic sigmoid `1 / (1 + e^{-x})`, computed stably for large `|x|`.
    Sigmoid,
    /// Hyperbolic tangent.
    Tanh,
    /// Rectified linear unit `max(0, x)`.
    Relu,
    /// Leaky ReLU: `x` for `x > 0`, `slope·x` otherwise.
    LeakyRelu {
        /// Slope of the negative part (PyTorch default 0.01).
        slope: Real,
    },
    /// Softplus `ln(1 + e^x)`, computed stably.
    Softplus,
    /// Exponential linear unit: `x` for `x > 0`, `α(e^x - 1)` otherwise.
    Elu {
        /// Saturation value `α` of the negative part (PyTorch default 1).
        alpha: Real,
    },
    /// Hard sigmoid `clip(x, 0, 1)` (equilibrium propagation's `ρ`).
    HardSigmoid,
}

/// Numerically stable logistic sigmoid.
#[inline]
pub fn sigmoid(x: Real) -> Real {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// Numerically stable softplus `ln(1 + e^x) = max(x, 0) + ln(1 + e^{-|x|})`.
#[inline]
pub fn softplus(x: Real) -> Real {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

impl Activation {
    /// Every activation with its default parameters (leaky slope 0.01, ELU α = 1), in the order of
    /// [`Activation::names`].
    pub const ALL: [Activation; 8] = [
        Activation::Identity,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Relu,
        Activation::LeakyRelu { slope: 0.01 },
        Activation::Softplus,
        Activation::Elu { alpha: 1.0 },
        Activation::HardSigmoid,
    ];

    /// The valid names accepted by [`Activation::from_name`].
    pub fn names() -> [&'static str; 8] {
        Self::ALL.map(|a| a.name())
    }

    /// The snake_case name of this activation (parameters are not part of the name).
    pub fn name(&self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::LeakyRelu { .. } => "leaky_relu",
            Activation::Softplus => "softplus",
            Activation::Elu { .. } => "elu",
            Activation::HardSigmoid => "hard_sigmoid",
        }
    }

    /// Parses a name (case-insensitive, `-` accepted for `_`) into an activation with default
    /// parameters.
    ///
    /// # Errors
    /// [`TensorError::UnknownName`] listing the valid names.
    pub fn from_name(name: &str) -> Result<Activation> {
        let key = name.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .iter()
            .find(|a| a.name() == key)
            .copied()
            .ok_or_else(|| TensorError::UnknownName {
                kind: "activation",
                name: name.to_string(),
                valid: Self::names().join(", "),
            })
    }

    /// Checks the parameters: `slope` and `alpha` must be finite.
    ///
    /// # Errors
    /// [`TensorError::InvalidParameter`] for a non-finite slope or alpha.
    pub fn check(&self) -> Result<()> {
        match *self {
            Activation::LeakyRelu { slope } if !slope.is_finite() => {
                Err(TensorError::InvalidParameter {
                    name: "slope",
                    value: slope.to_string(),
                    reason: "must be finite".into(),
                })
            }
            Activation::Elu { alpha } if !alpha.is_finite() => Err(TensorError::InvalidParameter {
                name: "alpha",
                value: alpha.to_string(),
                reason: "must be finite".into(),
            }),
            _ => Ok(()),
        }
    }

    /// `f(x)`.
    #[inline]
    pub fn apply(&self, x: Real) -> Real {
        match *self {
            Activation::Identity => x,
            Activation::Sigmoid => sigmoid(x),
            Activation::Tanh => x.tanh(),
            Activation::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu { slope } => {
                if x > 0.0 {
                    x
                } else {
                    slope * x
                }
            }
            Activation::Softplus => softplus(x),
            Activation::Elu { alpha } => {
                if x > 0.0 {
                    x
                } else {
                    alpha * x.exp_m1()
                }
            }
            Activation::HardSigmoid => x.clamp(0.0, 1.0),
        }
    }

    /// `f'(x)`, the derivative with respect to the pre-activation `x`.
    #[inline]
    pub fn derivative(&self, x: Real) -> Real {
        match *self {
            Activation::Identity => 1.0,
            Activation::Sigmoid => {
                let s = sigmoid(x);
                s * (1.0 - s)
            }
            Activation::Tanh => {
                let t = x.tanh();
                1.0 - t * t
            }
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu { slope } => {
                if x > 0.0 {
                    1.0
                } else {
                    slope
                }
            }
            Activation::Softplus => sigmoid(x),
            Activation::Elu { alpha } => {
                if x > 0.0 {
                    1.0
                } else {
                    alpha * x.exp()
                }
            }
            Activation::HardSigmoid => {
                if x > 0.0 && x < 1.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }

    /// `f` applied elementwise to a matrix.
    pub fn map(&self, m: &Matrix) -> Matrix {
        let mut out = m.clone();
        self.map_in_place(&mut out);
        out
    }

    /// `f` applied elementwise, in place.
    pub fn map_in_place(&self, m: &mut Matrix) {
        let a = *self;
        for x in m.as_mut_slice() {
            *x = a.apply(*x);
        }
    }

    /// Slice form of [`Activation::apply`]: `out[i] = f(x[i])`, with the choice of function made
    /// once outside the loop (so the piecewise-linear ones vectorise). Bit-identical to calling
    /// [`Activation::apply`] per element. Writes `min(x.len(), out.len())` entries.
    pub fn apply_slice(&self, x: &[Real], out: &mut [Real]) {
        let pairs = out.iter_mut().zip(x);
        match *self {
            Activation::Identity => pairs.for_each(|(o, &v)| *o = v),
            Activation::Relu => pairs.for_each(|(o, &v)| *o = if v > 0.0 { v } else { 0.0 }),
            Activation::LeakyRelu { slope } => {
                pairs.for_each(|(o, &v)| *o = if v > 0.0 { v } else { slope * v })
            }
            Activation::HardSigmoid => pairs.for_each(|(o, &v)| *o = v.clamp(0.0, 1.0)),
            Activation::Tanh => pairs.for_each(|(o, &v)| *o = v.tanh()),
            a => pairs.for_each(|(o, &v)| *o = a.apply(v)),
        }
    }

    /// Multiplies `delta` elementwise by the derivative at the pre-activations:
    /// `delta[i] *= f'(pre[i])` (the `⊙ f'(a)` of a backward pass), with the choice of function
    /// made once outside the loop. Bit-identical to `delta[i] *= self.derivative(pre[i])`.
    /// Updates `min(delta.len(), pre.len())` entries.
    pub fn mul_derivative_slice(&self, pre: &[Real], delta: &mut [Real]) {
        let pairs = delta.iter_mut().zip(pre);
        match *self {
            Activation::Identity => pairs.for_each(|(d, _)| *d *= 1.0),
            Activation::Relu => pairs.for_each(|(d, &v)| *d *= if v > 0.0 { 1.0 } else { 0.0 }),
            Activation::LeakyRelu { slope } => {
                pairs.for_each(|(d, &v)| *d *= if v > 0.0 { 1.0 } else { slope })
            }
            Activation::HardSigmoid => {
                pairs.for_each(|(d, &v)| *d *= if v > 0.0 && v < 1.0 { 1.0 } else { 0.0 })
            }
            a => pairs.for_each(|(d, &v)| *d *= a.derivative(v)),
        }
    }

    /// `f'` applied elementwise to a matrix of pre-activations.
    pub fn derivative_map(&self, m: &Matrix) -> Matrix {
        let mut out = m.clone();
        let a = *self;
        for x in out.as_mut_slice() {
            *x = a.derivative(*x);
        }
        out
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Activation {
    type Err = TensorError;
    fn from_str(s: &str) -> Result<Self> {
        Activation::from_name(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for a in Activation::ALL {
            assert_eq!(Activation::from_name(a.name()).unwrap(), a);
        }
        assert_eq!(
            Activation::from_name("Leaky-ReLU").unwrap(),
            Activation::LeakyRelu { slope: 0.01 }
        );
    }

    #[test]
    fn unknown_name_lists_valid() {
        match Activation::from_name("swish") {
            Err(TensorError::UnknownName { kind, name, valid }) => {
                assert_eq!(kind, "activation");
                assert_eq!(name, "swish");
                assert!(valid.contains("hard_sigmoid") && valid.contains("relu"));
            }
            other => panic!("expected UnknownName, got {other:?}"),
        }
    }

    /// The slice forms hoist the `match` out of the loop; they must give exactly the per-element
    /// results (bit for bit), also at the kinks, at ±0, ±∞ and NaN.
    #[test]
    fn slice_forms_equal_per_element() {
        let xs = [
            -3.5,
            -1.0,
            -0.0,
            0.0,
            1e-300,
            0.25,
            1.0,
            2.0,
            Real::INFINITY,
            Real::NEG_INFINITY,
            Real::NAN,
        ];
        let deltas = [0.7, -1.5, 2.0, -0.0, 3.0, -4.0, 5.5, 1e300, -1.0, 2.5, 0.5];
        let acts = Activation::ALL.into_iter().chain([
            Activation::LeakyRelu { slope: 0.3 },
            Activation::Elu { alpha: 0.5 },
        ]);
        for a in acts {
            let mut out = [0.0; 11];
            a.apply_slice(&xs, &mut out);
            let mut d = deltas;
            a.mul_derivative_slice(&xs, &mut d);
            for i in 0..xs.len() {
                assert_eq!(
                    out[i].to_bits(),
                    a.apply(xs[i]).to_bits(),
                    "{a:?} apply {i}"
                );
                let want = deltas[i] * a.derivative(xs[i]);
                assert_eq!(d[i].to_bits(), want.to_bits(), "{a:?} derivative {i}");
            }
        }
        // Negative control: the derivative is not the function (the comparison can fail).
        let mut d = [1.0; 3];
        Activation::Tanh.mul_derivative_slice(&[0.5, 1.0, 2.0], &mut d);
        assert_ne!(d[0].to_bits(), Activation::Tanh.apply(0.5).to_bits());
    }

    #[test]
    fn stable_at_extremes() {
        assert_eq!(sigmoid(-1000.0), 0.0);
        assert_eq!(sigmoid(1000.0), 1.0);
        assert_eq!(softplus(1000.0), 1000.0);
        assert!(softplus(-1000.0) >= 0.0 && softplus(-1000.0) < 1e-300);
        assert!((softplus(0.0) - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn hard_sigmoid_clips() {
        let h = Activation::HardSigmoid;
        assert_eq!(h.apply(-0.5), 0.0);
        assert_eq!(h.apply(0.25), 0.25);
        assert_eq!(h.apply(3.0), 1.0);
        assert_eq!(h.derivative(0.5), 1.0);
        assert_eq!(h.derivative(1.5), 0.0);
        assert_eq!(h.derivative(-0.5), 0.0);
    }

    #[test]
    fn serde_round_trip() {
        for a in Activation::ALL {
            let s = serde_json::to_string(&a).unwrap();
            let b: Activation = serde_json::from_str(&s).unwrap();
            assert_eq!(a, b);
        }
        let s = serde_json::to_string(&Activation::Elu { alpha: 0.5 }).unwrap();
        assert_eq!(s, r#"{"elu":{"alpha":0.5}}"#);
    }

    #[test]
    fn invalid_parameters_rejected() {
        assert!(matches!(
            Activation::LeakyRelu { slope: Real::NAN }.check(),
            Err(TensorError::InvalidParameter { name: "slope", .. })
        ));
        assert!(matches!(
            Activation::Elu {
                alpha: Real::INFINITY
            }
            .check(),
            Err(TensorError::InvalidParameter { name: "alpha", .. })
        ));
        assert!(Activation::Elu { alpha: 1.0 }.check().is_ok());
    }
}
