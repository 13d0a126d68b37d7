//! Discrete-time rate RNN with a leak and a linear readout.
//!
//! The model (Elman 1990 for `λ = 1`; the Euler-discretised leaky network of Murray 2019, eLife
//! 8:e43299, eq. 1, for `λ = Δt/τ`), per sample, with `h^0 = 0`:
//!
//! ```text
//! a^t = W_rec h^{t−1} + W_in x^t + b
//! h^t = (1 − λ) h^{t−1} + λ tanh(a^t)
//! y^t = W_out h^t + b_out
//! ```
//!
//! `λ ∈ (0, 1]`; `λ = 1` is the plain tanh RNN `h^t = tanh(a^t)` whose state is its output (the
//! setting of reference test 1, where RTRL's `W·P` term is everything that passes through a
//! unit's output). With a batch in rows (`B × n`): `A^t = H^{t−1} W_recᵀ + X^t W_inᵀ + 1 bᵀ`.
//!
//! Murray's RFLO network is this one with `λ = 1/τ` and `φ = tanh`: `τ ḣ = −h + φ(W_rec h +
//! W_in x)`, discretised with step 1 (the reference's §5 writes the same recursion with the
//! nonlinearity applied to `h`; for the eligibility `p_ij` only `φ'(a_i) h_j` matters, which is
//! what [`super::Rflo`] uses).
//!
//! Initialisation (seeded, [`RateRnn::new`]): `W_rec ~ N(0, g²/n)` (Sompolinsky, Crisanti &
//! Sommers 1988: chaotic for `g > 1` in the continuous-time limit), `W_in ~ N(0, 1/n_in)`,
//! `W_out ~ N(0, 1/n)`, biases zero.

use neurograd_tensor::{Matrix, Real};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::{Param, RecurrentNet, Rollout, SequenceBatch, Sizes, check_steps, invalid};
use crate::Result;

/// Largest number of scalars a single parameter or state buffer may hold (checked before
/// allocating): 2²⁸ f64 = 2 GiB.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// Hyperparameters of a [`RateRnn`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RateRnnConfig {
    /// Inputs per step `n_in ≥ 1`.
    pub n_in: usize,
    /// Recurrent units `n ≥ 1`.
    pub n_rec: usize,
    /// Readouts `n_out ≥ 1`.
    pub n_out: usize,
    /// Leak `λ = Δt/τ ∈ (0, 1]` (1: no leak).
    pub leak: Real,
    /// Gain `g ≥ 0` of the recurrent initialisation `W_rec ~ N(0, g²/n)`.
    pub gain: Real,
}

impl RateRnnConfig {
    /// `n_in`-`n_rec`-`n_out` network without leak (`λ = 1`) and gain `g = 1`.
    pub fn new(n_in: usize, n_rec: usize, n_out: usize) -> Self {
        RateRnnConfig {
            n_in,
            n_rec,
            n_out,
            leak: 1.0,
            gain: 1.0,
        }
    }

    /// With leak `λ`.
    pub fn with_leak(mut self, leak: Real) -> Self {
        self.leak = leak;
        self
    }

    /// With recurrent gain `g`.
    pub fn with_gain(mut self, gain: Real) -> Self {
        self.gain = gain;
        self
    }

    /// Checks the configuration.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`](crate::PlasticityError::InvalidParameter) for a zero size, sizes whose parameters exceed
    /// [`MAX_ELEMENTS`], `λ ∉ (0, 1]` or a negative or non-finite gain.
    pub fn check(&self) -> Result<Sizes> {
        let s = Sizes {
            n_in: self.n_in,
            n_rec: self.n_rec,
            n_out: self.n_out,
        };
        check_sizes(s)?;
        check_leak(self.leak)?;
        if !(self.gain.is_finite() && self.gain >= 0.0) {
            return Err(invalid("gain", self.gain, "must be finite and >= 0"));
        }
        Ok(s)
    }
}

fn check_sizes(s: Sizes) -> Result<()> {
    for (name, v) in [("n_in", s.n_in), ("n_rec", s.n_rec), ("n_out", s.n_out)] {
        if v == 0 {
            return Err(invalid(name, v, "must be >= 1"));
        }
    }
    for p in Param::ALL {
        let (r, c) = p.shape(s);
        if r.checked_mul(c).is_none_or(|e| e > MAX_ELEMENTS) {
            return Err(invalid(
                "n_rec",
                s.n_rec,
                format!(
                    "parameter {} of shape ({r}, {c}) exceeds {MAX_ELEMENTS} elements",
                    p.name()
                ),
            ));
        }
    }
    Ok(())
}

fn check_leak(leak: Real) -> Result<()> {
    if leak.is_finite() && leak > 0.0 && leak <= 1.0 {
        Ok(())
    } else {
        Err(invalid("leak", leak, "must be in (0, 1]"))
    }
}

/// A discrete-time leaky tanh RNN with a linear readout (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct RateRnn {
    sizes: Sizes,
    leak: Real,
    params: Vec<Matrix>,
}

impl RateRnn {
    /// A seeded network (initialisation in the module docs).
    ///
    /// # Errors
    /// As [`RateRnnConfig::check`].
    pub fn new(cfg: &RateRnnConfig, seed: u64) -> Result<Self> {
        let s = cfg.check()?;
        let n = s.n_rec as Real;
        let draw = |stream: u64, rows, cols, std: Real| -> Result<Matrix> {
            let mut rng = ChaCha8Rng::seed_from_u64(neurograd_tensor::seed::mix(seed, stream, 0));
            Ok(neurograd_tensor::init::normal(
                rows, cols, 0.0, std, &mut rng,
            )?)
        };
        let params = vec![
            draw(1, s.n_rec, s.n_in, 1.0 / (s.n_in as Real).sqrt())?,
            draw(2, s.n_rec, s.n_rec, cfg.gain / n.sqrt())?,
            Matrix::zeros(1, s.n_rec),
            draw(3, s.n_out, s.n_rec, 1.0 / n.sqrt())?,
            Matrix::zeros(1, s.n_out),
        ];
        Ok(RateRnn {
            sizes: s,
            leak: cfg.leak,
            params,
        })
    }

    /// A network with the given leak and parameters `[W_in, W_rec, b, W_out, b_out]`.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`](crate::PlasticityError::InvalidParameter) for a bad leak or a wrong number of parameters,
    /// [`PlasticityError::ShapeMismatch`](crate::PlasticityError::ShapeMismatch) for inconsistent shapes, `NonFinite` values.
    pub fn from_params(leak: Real, params: Vec<Matrix>) -> Result<Self> {
        check_leak(leak)?;
        if params.len() != 5 {
            return Err(invalid(
                "params",
                params.len(),
                "need [W_in, W_rec, b, W_out, b_out]",
            ));
        }
        let (n_rec, n_in) = params[0].shape();
        let n_out = params[3].nrows();
        let s = Sizes { n_in, n_rec, n_out };
        check_sizes(s)?;
        super::check_param_list("RateRnn parameters", s, &params)?;
        Ok(RateRnn {
            sizes: s,
            leak,
            params,
        })
    }

    /// The leak `λ`.
    pub fn leak(&self) -> Real {
        self.leak
    }

    /// One parameter.
    pub fn param(&self, p: Param) -> &Matrix {
        &self.params[p as usize]
    }

    /// Checks `inputs` (`T ≥ 1` steps of `B × n_in`, finite) against the network.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`](crate::PlasticityError::InvalidParameter) for no steps or no samples,
    /// [`PlasticityError::ShapeMismatch`](crate::PlasticityError::ShapeMismatch), `NonFinite`.
    pub fn check_inputs(&self, inputs: &[Matrix]) -> Result<()> {
        let Some(first) = inputs.first() else {
            return Err(invalid("inputs", 0, "a sequence needs at least one step"));
        };
        let b = first.nrows();
        if b == 0 {
            return Err(invalid("inputs", 0, "a step needs at least one sample"));
        }
        check_steps(
            "RateRnn (input step)",
            inputs,
            (b, self.sizes.n_in),
            "input",
        )
    }

    /// Checks `batch` against the network and returns the batch loss and the readout errors
    /// `e^t = ∂L/∂y^t` of a readout-only forward pass (no hidden states stored): what the
    /// algorithms that keep their own state (RTRL, RFLO, truncated BPTT) start from.
    ///
    /// # Errors
    /// As [`SequenceBatch::check_for`] and [`SequenceBatch::loss_and_errors`].
    pub(crate) fn loss_and_errors(&self, batch: &SequenceBatch) -> Result<(Real, Vec<Matrix>)> {
        batch.check_for(self.sizes)?;
        let ys = self.readouts(batch.inputs())?;
        let mut errors = Vec::new();
        let loss = batch.loss_and_errors(&ys, &mut errors)?;
        Ok((loss, errors))
    }

    /// One step for a batch: `a = h_prev W_recᵀ + x W_inᵀ + 1 bᵀ`,
    /// `h = (1 − λ) h_prev + λ tanh(a)`; writes `a` and `h` (shapes `B × n`, preallocated).
    /// `wt` holds the transposes from [`RateRnn::transposes`].
    pub(crate) fn step_into(
        &self,
        wt: &Transposes,
        h_prev: &Matrix,
        x: &Matrix,
        a: &mut Matrix,
        h: &mut Matrix,
    ) {
        a.gemm(1.0, h_prev, &wt.w_rec, 0.0);
        a.gemm(1.0, x, &wt.w_in, 1.0);
        let bias = self.param(Param::B);
        let lam = self.leak;
        for (j, mut col) in a.column_iter_mut().enumerate() {
            col.add_scalar_mut(bias[(0, j)]);
        }
        h.zip_zip_apply(a, h_prev, |hv, av, hp| {
            *hv = (1.0 - lam) * hp + lam * av.tanh();
        });
    }

    /// Readout for a batch: `y = h W_outᵀ + 1 b_outᵀ` into `y` (`B × n_out`, preallocated).
    pub(crate) fn readout_into(&self, wt: &Transposes, h: &Matrix, y: &mut Matrix) {
        y.gemm(1.0, h, &wt.w_out, 0.0);
        let bias = self.param(Param::BOut);
        for (k, mut col) in y.column_iter_mut().enumerate() {
            col.add_scalar_mut(bias[(0, k)]);
        }
    }

    /// Transposed weights for the row-batch products (computed once per pass).
    pub(crate) fn transposes(&self) -> Transposes {
        Transposes {
            w_in: self.param(Param::WIn).transpose(),
            w_rec: self.param(Param::WRec).transpose(),
            w_out: self.param(Param::WOut).transpose(),
        }
    }

    /// Readouts only (no stored hidden states), for the loss of algorithms that keep their own
    /// state (RTRL, RFLO, truncated BPTT).
    pub(crate) fn readouts(&self, inputs: &[Matrix]) -> Result<Vec<Matrix>> {
        self.check_inputs(inputs)?;
        let b = inputs[0].nrows();
        let (n, n_out) = (self.sizes.n_rec, self.sizes.n_out);
        let wt = self.transposes();
        let mut h_prev = Matrix::zeros(b, n);
        let mut h = Matrix::zeros(b, n);
        let mut a = Matrix::zeros(b, n);
        let mut out = Vec::with_capacity(inputs.len());
        for x in inputs {
            self.step_into(&wt, &h_prev, x, &mut a, &mut h);
            let mut y = Matrix::zeros(b, n_out);
            self.readout_into(&wt, &h, &mut y);
            out.push(y);
            std::mem::swap(&mut h_prev, &mut h);
        }
        Ok(out)
    }
}

/// Transposed weights `W_inᵀ, W_recᵀ, W_outᵀ` for row-batch products.
pub(crate) struct Transposes {
    pub(crate) w_in: Matrix,
    pub(crate) w_rec: Matrix,
    pub(crate) w_out: Matrix,
}

impl RecurrentNet for RateRnn {
    fn kind(&self) -> &'static str {
        "rate"
    }

    fn sizes(&self) -> Sizes {
        self.sizes
    }

    fn params(&self) -> &[Matrix] {
        &self.params
    }

    fn update_params(&mut self, f: &mut dyn FnMut(&mut [Matrix]) -> Result<()>) -> Result<()> {
        super::update_param_list(
            "RateRnn parameters",
            self.sizes,
            &mut self.params,
            f,
            |_| {},
        )
    }

    fn rollout(&self, inputs: &[Matrix]) -> Result<Rollout> {
        self.check_inputs(inputs)?;
        let b = inputs[0].nrows();
        let (n, n_out) = (self.sizes.n_rec, self.sizes.n_out);
        let wt = self.transposes();
        let mut a = Matrix::zeros(b, n);
        let mut hidden: Vec<Matrix> = Vec::with_capacity(inputs.len());
        let mut readouts = Vec::with_capacity(inputs.len());
        let zero = Matrix::zeros(b, n);
        for x in inputs {
            let mut h = Matrix::zeros(b, n);
            self.step_into(&wt, hidden.last().unwrap_or(&zero), x, &mut a, &mut h);
            let mut y = Matrix::zeros(b, n_out);
            self.readout_into(&wt, &h, &mut y);
            hidden.push(h);
            readouts.push(y);
        }
        Ok(Rollout {
            readouts,
            hidden,
            spiking: false,
        })
    }
}
