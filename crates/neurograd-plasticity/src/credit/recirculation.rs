//! Recirculation (Hinton & McClelland 1988, NIPS 1987 proceedings, pp. 358-366) for a one-hidden-
//! layer autoencoder.
//!
//! The network is `[n_v, n_h, n_v]`: encoder `W = W_1` (n_h, n_v) with bias `b_h` and hidden
//! activation `σ = f_1`, decoder `V = W_2` (n_v, n_h) with bias `b_v` and **linear** visible
//! units (`f_2` must be the identity). With regression `λ ∈ [0, 1)`, one presentation runs
//!
//! ```text
//! h¹ = σ(v⁰ Wᵀ + b_h)                      (pass 1)
//! r  = h¹ Vᵀ + b_v,   v² = λ v⁰ + (1-λ) r  (reconstruction, regressed towards v⁰)
//! h³ = λ h¹ + (1-λ) σ(v² Wᵀ + b_h)         (pass 2, regressed towards h¹)
//! ΔV = (v⁰ - v²)ᵀ h¹,   ΔW = (h¹ - h³)ᵀ v²   (post-synaptic difference × pre-synaptic activity)
//! ```
//!
//! The objective is the squared reconstruction error `E = ½‖v⁰ - r‖²` (mean over the batch).
//! `v⁰ - v² = (1-λ)(v⁰ - r)`, so the decoder update is **exactly** `-(1-λ)·∂E/∂V` for linear
//! visible units; the encoder update is `-(1-λ)²·∂E/∂W` up to a relative error `O(1-λ)` **only
//! if `W = Vᵀ`** (symmetric weights). The algorithm regresses the *hidden* state too (λ appears in
//! both passes), pinned here as in the 1988 paper.
//!
//! Returned updates are rescaled to the gradient's scale and sign: the decoder's by `-1/(1-λ)`,
//! the encoder's by `-1/(1-λ)²` (biases alike), so the step size of an optimizer does not depend
//! on `λ`. The targets passed to [`CreditAssignment::updates_into`] must equal the input (an
//! autoencoder reconstructs its input); they are checked for shape and then `v⁰ = x` is used.

use neurograd_tensor::{Activation, Matrix, Real};

use super::linalg::{add_row, col_sums_into, gemm_nt, gemm_tn};
use super::network::{Loss, Network};
use super::{CreditAssignment, Diagnostics, Updates};
use crate::{PlasticityError, Result};

/// Recirculation with regression parameter `λ`.
#[derive(Clone, Debug, PartialEq)]
pub struct Recirculation {
    lambda: Real,
}

impl Recirculation {
    /// Recirculation with regression `λ ∈ [0, 1)` (Hinton & McClelland used high regression,
    /// e.g. 0.75).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] if `λ` is not in `[0, 1)`.
    pub fn new(lambda: Real) -> Result<Self> {
        if !(lambda.is_finite() && (0.0..1.0).contains(&lambda)) {
            return Err(PlasticityError::InvalidParameter {
                name: "lambda",
                value: format!("{lambda}"),
                reason: "regression must lie in [0, 1)".into(),
            });
        }
        Ok(Recirculation { lambda })
    }

    /// The regression parameter.
    pub fn lambda(&self) -> Real {
        self.lambda
    }

    /// An autoencoder `[n_visible, n_hidden, n_visible]` with a `hidden` activation, linear
    /// visible units and half-squared-error loss, and the encoder tied to the decoder
    /// (`W = Vᵀ`, the symmetric case of the theory).
    ///
    /// # Errors
    /// Zero widths or an invalid activation.
    pub fn autoencoder(
        n_visible: usize,
        n_hidden: usize,
        hidden: Activation,
        seed: u64,
    ) -> Result<Network> {
        let net = Network::new(
            &[n_visible, n_hidden, n_visible],
            hidden,
            Activation::Identity,
            Loss::HalfSquaredError,
            seed,
        )?;
        let mut net = net;
        let encoder = net.layer_weight(1).transpose();
        net.set_weight(0, encoder)?;
        Ok(net)
    }

    /// Reconstruction error `E = ½‖v⁰ - r‖²` (mean over rows) of the autoencoder on `x`.
    ///
    /// # Errors
    /// A network that is not a `[n, h, n]` autoencoder with linear output; bad input.
    pub fn reconstruction_error(net: &Network, x: &Matrix) -> Result<Real> {
        check_autoencoder(net)?;
        let r = net.forward(x)?;
        Ok(0.5 * (x - r).norm_squared() / x.nrows() as Real)
    }
}

fn check_autoencoder(net: &Network) -> Result<()> {
    let w = net.widths();
    if w.len() != 3 || w[0] != w[2] {
        return Err(PlasticityError::ShapeMismatch {
            op: "recirculation: autoencoder widths [n, h, n]",
            expected: (w[0], w[0]),
            got: (w[0], w[w.len() - 1]),
        });
    }
    if net.layer_activation(1) != Activation::Identity {
        return Err(PlasticityError::InvalidParameter {
            name: "output activation",
            value: net.layer_activation(1).name().into(),
            reason: "recirculation needs linear visible units (identity)".into(),
        });
    }
    Ok(())
}

impl CreditAssignment for Recirculation {
    fn name(&self) -> &'static str {
        "recirculation"
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        check_autoencoder(net)?;
        net.check_batch(x, t)?;
        net.require_dense(self.name())?;
        let lam = self.lambda;
        let b = x.nrows();
        let nh = net.widths()[1];
        let sigma = net.layer_activation(0);
        // Pass 1.
        let mut h1 = Matrix::zeros(b, nh);
        gemm_nt(&mut h1, 1.0, x, net.layer_weight(0), 0.0);
        add_row(&mut h1, net.layer_bias(0));
        sigma.map_in_place(&mut h1);
        // Reconstruction.
        let mut r = Matrix::zeros(b, x.ncols());
        gemm_nt(&mut r, 1.0, &h1, net.layer_weight(1), 0.0);
        add_row(&mut r, net.layer_bias(1));
        let loss = 0.5 * (x - &r).norm_squared() / b as Real;
        let v2 = x * lam + &r * (1.0 - lam);
        // Pass 2.
        let mut h3 = Matrix::zeros(b, nh);
        gemm_nt(&mut h3, 1.0, &v2, net.layer_weight(0), 0.0);
        add_row(&mut h3, net.layer_bias(0));
        sigma.map_in_place(&mut h3);
        let h3 = &h1 * lam + h3 * (1.0 - lam);
        let dv = x - &v2; // post difference at the visible units
        let dh = &h1 - &h3; // post difference at the hidden units
        out.prepare(net);
        let inv_b = 1.0 / b as Real;
        let s_dec = -inv_b / (1.0 - lam);
        let s_enc = -inv_b / ((1.0 - lam) * (1.0 - lam));
        {
            let (gw, gb) = out.layer_mut(1);
            gemm_tn(gw, s_dec, &dv, &h1, 0.0);
            col_sums_into(gb, s_dec, &dv);
        }
        {
            let (gw, gb) = out.layer_mut(0);
            gemm_tn(gw, s_enc, &dh, &v2, 0.0);
            col_sums_into(gb, s_enc, &dh);
        }
        out.diagnostics = Diagnostics::feedforward(loss);
        Ok(())
    }
}
