//! The recurrent spiking network of discrete-time LIF and ALIF neurons with a leaky readout
//! (Bellec, Scherr, Subramoney, Hajek, Salaj, Legenstein & Maass 2020, Nat. Commun. 11:3625,
//! "methods"; equations as in their code `IGITUGraz/eligibility_propagation`, `models.py`).
//!
//! The neurons are [`neurograd_neurons::alif::Alif`] models: their parameters, propagators
//! (`α = e^{-δt/τ_m}`, `ρ = e^{-δt/τ_a}`, input scaling `ζ`) and refractory step count come from
//! the neuron crate's contract, and the batched step below reproduces
//! [`NeuronModel::advance`](neurograd_neurons::model::NeuronModel::advance) bit for bit (tested).
//! Per sample, with `n = n_lif + n_alif` neurons (LIF first), input `x^t`, state `v^0 = a^0 = 0`,
//! `z^0 = 0`, for `t = 1..T`:
//!
//! ```text
//! I_j^t = Σ_i W^in_ji x_i^t + Σ_{k≠j} W^rec_jk z_k^{t−1} + b_j              (no autapses: diag W_rec = 0)
//! v_j^t = α_j v_j^{t−1} + ζ_j I_j^t − v_th,j z_j^{t−1}                     (reset by subtraction of the base threshold)
//! a_j^t = ρ_j a_j^{t−1} + z_j^{t−1}                                        (no (1 − ρ) factor)
//! A_j^t = v_th,j + β_j a_j^t                                               (β = 0 for the LIF neurons)
//! z_j^t = H(v_j^t − A_j^t)  (strict),  0 during the n_ref steps after a spike
//! ψ_j^t = ψ(v_j^t − A_j^t), 0 during refractoriness                         (pseudo-derivative)
//! y_k^t = κ y_k^{t−1} + Σ_j W^out_kj z_j^t + b^out_k,  κ = e^{−δt/τ_out}     (leaky readout, y^0 = 0)
//! ```
//!
//! The default pseudo-derivative is Bellec's `ψ = (γ_pd/v_th) max(0, 1 − abs(v − A)/v_th)`,
//! `γ_pd = 0.3` ([`PseudoDerivative::Bellec`]); any [`Surrogate`] can replace it.
//!
//! **Reset convention** ([`Reset`]): the forward pass is the same for `Differentiated` and
//! `Detached`; they differ in whether a gradient flows through the reset term `−v_th z^{t−1}`
//! (Bellec et al.'s BPTT reference differentiates it; SpyTorch and snnTorch detach it).
//! `Off` removes the reset from the forward pass (a test regime of reference §4.4, not Bellec's
//! neuron).
//!
//! Parameters follow the module's layout `[W_in (n × n_in), W_rec (n × n), b (1 × n),
//! W_out (n_out × n), b_out (1 × n_out)]`; `b` is a constant bias current. Initialisation (as EP):
//! `W_in ~ N(0, 1/n_in)`, `W_rec ~ N(0, 1/n)` with zero diagonal, `W_out ~ N(0, 1/n)`, biases 0.

use neurograd_neurons::alif::{Alif, AlifParams, InputScaling};
use neurograd_tensor::{Matrix, Real, Surrogate};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::super::rate::MAX_ELEMENTS;
use super::super::{
    Param, RecurrentNet, Rollout, Sizes, check_input_shapes, check_input_steps, check_param_list,
    invalid, update_param_list,
};
use crate::Result;

/// How the gradient treats the reset by subtraction (see the [module docs](self)).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum Reset {
    /// The reset term `−v_th z^{t−1}` is differentiated (Bellec et al.'s BPTT reference).
    #[default]
    Differentiated,
    /// The reset is a constant for the gradient (SpyTorch, snnTorch `.detach()`).
    Detached,
    /// No reset at all in the forward pass (a test regime; not Bellec's neuron).
    Off,
}

impl Reset {
    /// `1` if the gradient flows through the reset, else `0`.
    pub fn gradient_factor(self) -> Real {
        match self {
            Reset::Differentiated => 1.0,
            Reset::Detached | Reset::Off => 0.0,
        }
    }
}

/// The pseudo-derivative `ψ(v − A)` of the spike.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum PseudoDerivative {
    /// Bellec et al.'s triangle with each neuron's own threshold as width:
    /// `(γ/v_th) max(0, 1 − abs(v − A)/v_th)` ([`Surrogate::bellec`] with height `gamma`).
    Bellec {
        /// `γ_pd` (0.3 in e-prop).
        gamma: Real,
    },
    /// The same surrogate for every neuron.
    Fixed(Surrogate),
}

/// Hyperparameters of a [`SpikingNet`].
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SpikingNetConfig {
    /// Inputs per step `n_in ≥ 1`.
    pub n_in: usize,
    /// LIF neurons (indices `0..n_lif`).
    pub n_lif: usize,
    /// ALIF neurons (indices `n_lif..n_lif + n_alif`); `n_lif + n_alif ≥ 1`.
    pub n_alif: usize,
    /// Readouts `n_out ≥ 1`.
    pub n_out: usize,
    /// Parameters of the LIF neurons (`beta` must be 0).
    pub lif: AlifParams,
    /// Parameters of the ALIF neurons.
    pub alif: AlifParams,
    /// Step `δt` (ms), > 0.
    pub dt_ms: Real,
    /// Readout time constant `τ_out` (ms), > 0; `κ = e^{−δt/τ_out}`.
    pub tau_out_ms: Real,
    /// The pseudo-derivative.
    pub pseudo: PseudoDerivative,
    /// The reset convention.
    pub reset: Reset,
}

impl SpikingNetConfig {
    /// The fixture of Bellec et al.'s numerical verification of eq. (1) (EP
    /// `numerical_verification_eprop_factorization_vs_BPTT.py`): 3 inputs, 4 LIF + 4 ALIF,
    /// `τ_m = 20`, `τ_a = 500`, `τ_out = 20` ms, `v_th = 0.62`, `β = 0.07`, `γ_pd = 0.3`,
    /// `n_ref = 2`, `ζ = 1`, `δt = 1` ms, one readout, reset differentiated.
    pub fn bellec_verification() -> Self {
        let alif = AlifParams {
            tau_m_ms: 20.0,
            tau_a_ms: 500.0,
            v_th: 0.62,
            beta: 0.07,
            n_ref: 2,
            input_scaling: InputScaling::Unit,
        };
        Self::bellec([3, 4, 4, 1], alif)
    }

    /// Bellec et al. (2020) Fig. 3 (evidence accumulation): 40 inputs, 50 LIF + 50 ALIF, 2
    /// readouts, [`AlifParams::bellec_2020_evidence_accumulation`] (LIF: the same with `β = 0`),
    /// `τ_out = 20` ms, `δt = 1` ms, `γ_pd = 0.3`.
    pub fn bellec_evidence_accumulation() -> Self {
        Self::bellec(
            [40, 50, 50, 2],
            AlifParams::bellec_2020_evidence_accumulation(),
        )
    }

    /// `[n_in, n_lif, n_alif, n_out]` with Bellec's conventions: LIF = `alif` with `β = 0`,
    /// `δt = 1` ms, `τ_out = 20` ms, `γ_pd = 0.3`, reset differentiated.
    fn bellec([n_in, n_lif, n_alif, n_out]: [usize; 4], alif: AlifParams) -> Self {
        SpikingNetConfig {
            n_in,
            n_lif,
            n_alif,
            n_out,
            lif: AlifParams { beta: 0.0, ..alif },
            alif,
            dt_ms: 1.0,
            tau_out_ms: 20.0,
            pseudo: PseudoDerivative::Bellec { gamma: 0.3 },
            reset: Reset::Differentiated,
        }
    }

    /// With the reset convention `reset`.
    pub fn with_reset(mut self, reset: Reset) -> Self {
        self.reset = reset;
        self
    }

    /// With the pseudo-derivative `pseudo`.
    pub fn with_pseudo(mut self, pseudo: PseudoDerivative) -> Self {
        self.pseudo = pseudo;
        self
    }

    /// Sizes of the network.
    pub fn sizes(&self) -> Sizes {
        Sizes {
            n_in: self.n_in,
            n_rec: self.n_lif.saturating_add(self.n_alif),
            n_out: self.n_out,
        }
    }

    /// Checks the configuration.
    ///
    /// # Errors
    /// [`crate::PlasticityError::InvalidParameter`] for a zero size, sizes whose parameters exceed
    /// [`MAX_ELEMENTS`], a LIF `beta ≠ 0`, non-positive `dt_ms` or `tau_out_ms`, an invalid
    /// pseudo-derivative; [`crate::PlasticityError::Neuron`] for invalid neuron parameters.
    pub fn check(&self) -> Result<Sizes> {
        let s = self.sizes();
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
                    format!("parameter {} of shape ({r}, {c}) is too large", p.name()),
                ));
            }
        }
        if self.lif.beta != 0.0 {
            return Err(invalid(
                "lif.beta",
                self.lif.beta,
                "must be 0 for LIF neurons",
            ));
        }
        if !(self.tau_out_ms.is_finite() && self.tau_out_ms > 0.0) {
            return Err(invalid(
                "tau_out_ms",
                self.tau_out_ms,
                "must be finite and > 0",
            ));
        }
        if !(self.dt_ms.is_finite() && self.dt_ms > 0.0) {
            return Err(invalid("dt_ms", self.dt_ms, "must be finite and > 0"));
        }
        Alif::new(self.lif, self.dt_ms)?;
        Alif::new(self.alif, self.dt_ms)?;
        match self.pseudo {
            PseudoDerivative::Bellec { gamma } => {
                Surrogate::Triangle { gamma, width: 1.0 }.check()?;
            }
            PseudoDerivative::Fixed(s) => s.check()?,
        }
        Ok(s)
    }
}

/// Per-neuron constants of the batched step (from the neurons' [`Alif`] models).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct NeuronConsts {
    pub(crate) alpha: Vec<Real>,
    pub(crate) rho: Vec<Real>,
    pub(crate) beta: Vec<Real>,
    pub(crate) v_th: Vec<Real>,
    pub(crate) zeta: Vec<Real>,
    pub(crate) n_ref: Vec<u32>,
    pub(crate) surrogate: Vec<Surrogate>,
    /// `(γ/w, w)` per neuron when every neuron uses the triangle surrogate and none is
    /// refractory (`n_ref = 0`): the branch-free update of the sample-major step.
    pub(crate) fast_triangle: Option<(Vec<Real>, Vec<Real>)>,
}

/// A recurrent network of LIF and ALIF neurons with a leaky readout (see the [module docs](self)).
#[derive(Clone, Debug, PartialEq)]
pub struct SpikingNet {
    config: SpikingNetConfig,
    sizes: Sizes,
    lif: Alif,
    alif: Alif,
    kappa: Real,
    pub(crate) consts: NeuronConsts,
    params: Vec<Matrix>,
}

/// The state of a batch at one step (all `B × n`, readout `B × n_out`).
#[derive(Clone, Debug, PartialEq)]
pub struct SpikingState {
    /// Membrane potentials `v^t`.
    pub v: Matrix,
    /// Threshold adaptations `a^t`.
    pub a: Matrix,
    /// Spikes `z^t` (0/1).
    pub z: Matrix,
    /// Pseudo-derivatives `ψ^t` (0 while refractory).
    pub psi: Matrix,
    /// Refractory steps left per neuron (column-major like the matrices).
    pub refractory: Vec<u32>,
    /// Readouts `y^t`.
    pub y: Matrix,
    /// Scratch: input currents `I^t`.
    pub current: Matrix,
}

/// A whole forward pass: `T` steps of each quantity.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikingTrajectory {
    /// `v^t`, `T` matrices `B × n`.
    pub v: Vec<Matrix>,
    /// `a^t`.
    pub a: Vec<Matrix>,
    /// Input currents `I^t` (before the scaling `ζ`).
    pub current: Vec<Matrix>,
    /// Spikes `z^t`, pseudo-derivatives `ψ^t` and readouts `y^t`.
    pub out: SpikesAndReadouts,
}

impl SpikingNet {
    /// A seeded network (initialisation in the [module docs](self)).
    ///
    /// # Errors
    /// As [`SpikingNetConfig::check`].
    pub fn new(cfg: &SpikingNetConfig, seed: u64) -> Result<Self> {
        let s = cfg.check()?;
        let draw = |stream: u64, rows, cols, std: Real| -> Result<Matrix> {
            let mut rng = ChaCha8Rng::seed_from_u64(neurograd_tensor::seed::mix(seed, stream, 0));
            Ok(neurograd_tensor::init::normal(
                rows, cols, 0.0, std, &mut rng,
            )?)
        };
        let n = s.n_rec as Real;
        let mut w_rec = draw(2, s.n_rec, s.n_rec, 1.0 / n.sqrt())?;
        w_rec.fill_diagonal(0.0);
        let params = vec![
            draw(1, s.n_rec, s.n_in, 1.0 / (s.n_in as Real).sqrt())?,
            w_rec,
            Matrix::zeros(1, s.n_rec),
            draw(3, s.n_out, s.n_rec, 1.0 / n.sqrt())?,
            Matrix::zeros(1, s.n_out),
        ];
        Self::from_params(cfg, params)
    }

    /// A network with the given parameters `[W_in, W_rec, b, W_out, b_out]` (the diagonal of
    /// `W_rec` is set to zero: no autapses).
    ///
    /// # Errors
    /// As [`SpikingNetConfig::check`]; [`crate::PlasticityError::ShapeMismatch`] for wrong shapes,
    /// [`crate::PlasticityError::InvalidParameter`] for a wrong number of parameters, `NonFinite`.
    pub fn from_params(cfg: &SpikingNetConfig, mut params: Vec<Matrix>) -> Result<Self> {
        let s = cfg.check()?;
        check_param_list("SpikingNet parameters", s, &params)?;
        params[Param::WRec as usize].fill_diagonal(0.0);
        let lif = Alif::new(cfg.lif, cfg.dt_ms)?;
        let alif = Alif::new(cfg.alif, cfg.dt_ms)?;
        let n = s.n_rec;
        let model = |j: usize| if j < cfg.n_lif { &lif } else { &alif };
        let zeta = |m: &Alif| match m.params().input_scaling {
            InputScaling::Unit => 1.0,
            InputScaling::OneMinusAlpha => 1.0 - m.alpha(),
        };
        let consts = NeuronConsts {
            alpha: (0..n).map(|j| model(j).alpha()).collect(),
            rho: (0..n).map(|j| model(j).rho()).collect(),
            beta: (0..n).map(|j| model(j).params().beta).collect(),
            v_th: (0..n).map(|j| model(j).params().v_th).collect(),
            zeta: (0..n).map(|j| zeta(model(j))).collect(),
            n_ref: (0..n).map(|j| model(j).params().n_ref).collect(),
            surrogate: (0..n)
                .map(|j| match cfg.pseudo {
                    PseudoDerivative::Bellec { gamma } => Surrogate::Triangle {
                        gamma,
                        width: model(j).params().v_th,
                    },
                    PseudoDerivative::Fixed(s) => s,
                })
                .collect(),
            fast_triangle: None,
        };
        let consts = NeuronConsts {
            fast_triangle: fast_triangle(&consts),
            ..consts
        };
        Ok(SpikingNet {
            config: *cfg,
            sizes: s,
            lif,
            alif,
            kappa: (-cfg.dt_ms / cfg.tau_out_ms).exp(),
            consts,
            params,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SpikingNetConfig {
        &self.config
    }

    /// The neuron model of neuron `j` (the LIF model for `j < n_lif`, else the ALIF model).
    pub fn neuron(&self, j: usize) -> &Alif {
        if j < self.config.n_lif {
            &self.lif
        } else {
            &self.alif
        }
    }

    /// Readout decay `κ = e^{−δt/τ_out}`.
    pub fn kappa(&self) -> Real {
        self.kappa
    }

    /// The pseudo-derivative of neuron `j` (`None` if `j ≥ n`).
    pub fn surrogate(&self, j: usize) -> Option<Surrogate> {
        self.consts.surrogate.get(j).copied()
    }

    /// One parameter.
    pub fn param(&self, p: Param) -> &Matrix {
        &self.params[p as usize]
    }

    /// The same network with another reset convention (the forward pass is unchanged unless
    /// `Off` is involved).
    pub fn with_reset(&self, reset: Reset) -> SpikingNet {
        let mut n = self.clone();
        n.config.reset = reset;
        n
    }

    /// The same network with `W_rec = 0` (e-prop is exact there; reference §2.4 and the
    /// `align` row `eprop-sym-wrec0`).
    pub fn without_recurrence(&self) -> SpikingNet {
        let mut n = self.clone();
        n.params[Param::WRec as usize].fill(0.0);
        n
    }

    /// Checks `inputs` (`T ≥ 1` steps of `B × n_in`, finite).
    ///
    /// # Errors
    /// [`crate::PlasticityError::InvalidParameter`] for no steps or no samples,
    /// [`crate::PlasticityError::ShapeMismatch`], `NonFinite`.
    pub fn check_inputs(&self, inputs: &[Matrix]) -> Result<()> {
        check_input_steps("SpikingNet (input step)", self.sizes.n_in, inputs)?;
        self.check_batch(inputs)
    }

    /// [`Self::check_inputs`] without the finiteness of the values (the passes that scan the
    /// inputs anyway check it step by step: `check_input_finite` when
    /// `RowState::input_finite` is false).
    pub(crate) fn check_input_shapes(&self, inputs: &[Matrix]) -> Result<()> {
        check_input_shapes("SpikingNet (input step)", self.sizes.n_in, inputs)?;
        self.check_batch(inputs)
    }

    fn check_batch(&self, inputs: &[Matrix]) -> Result<()> {
        let b = inputs[0].nrows();
        let cells = b.checked_mul(self.sizes.n_rec.max(self.sizes.n_out));
        if cells.is_none_or(|c| c > MAX_ELEMENTS) {
            return Err(invalid("inputs", b, "batch too large for the network"));
        }
        Ok(())
    }

    /// The initial state of a batch of `b` samples (everything zero).
    pub(crate) fn initial_state(&self, b: usize) -> SpikingState {
        let (n, n_out) = (self.sizes.n_rec, self.sizes.n_out);
        SpikingState {
            v: Matrix::zeros(b, n),
            a: Matrix::zeros(b, n),
            z: Matrix::zeros(b, n),
            psi: Matrix::zeros(b, n),
            refractory: vec![0; b * n],
            y: Matrix::zeros(b, n_out),
            current: Matrix::zeros(b, n),
        }
    }

    /// Runs the forward pass from the initial state, calling `record(t, state)` after every
    /// step (O(n) state besides what `record` keeps).
    ///
    /// # Errors
    /// As [`SpikingNet::check_inputs`].
    pub fn run(
        &self,
        inputs: &[Matrix],
        mut record: impl FnMut(usize, &SpikingState),
    ) -> Result<()> {
        self.check_inputs(inputs)?;
        let b = inputs[0].nrows();
        let mut rows = self.row_state(b);
        let mut st = self.initial_state(b);
        for (t, x) in inputs.iter().enumerate() {
            self.step_rows(x, &mut rows);
            rows.write_into(&mut st);
            record(t, &st);
        }
        Ok(())
    }

    /// The whole forward pass, storing every step of every quantity (for inspection and
    /// rasters; BPTT stores only `z` and `ψ`).
    ///
    /// # Errors
    /// As [`SpikingNet::check_inputs`].
    pub fn trajectory(&self, inputs: &[Matrix]) -> Result<SpikingTrajectory> {
        let t_len = inputs.len();
        let mut tr = SpikingTrajectory {
            v: Vec::with_capacity(t_len),
            a: Vec::with_capacity(t_len),
            current: Vec::with_capacity(t_len),
            out: SpikesAndReadouts::with_capacity(t_len),
        };
        self.run(inputs, |_, st| {
            tr.v.push(st.v.clone());
            tr.a.push(st.a.clone());
            tr.current.push(st.current.clone());
            tr.out.push(st);
        })?;
        Ok(tr)
    }

    /// Spikes, pseudo-derivatives and readouts of every step (what BPTT stores: O(nT)).
    ///
    /// # Errors
    /// As [`SpikingNet::check_inputs`].
    pub fn spikes_and_readouts(&self, inputs: &[Matrix]) -> Result<SpikesAndReadouts> {
        let mut out = SpikesAndReadouts::with_capacity(inputs.len());
        self.run(inputs, |_, st| out.push(st))?;
        Ok(out)
    }

    /// Readouts only (O(n) state), for the loss of online algorithms.
    ///
    /// # Errors
    /// As [`SpikingNet::check_inputs`].
    pub fn readouts(&self, inputs: &[Matrix]) -> Result<Vec<Matrix>> {
        let mut y = Vec::with_capacity(inputs.len());
        self.run(inputs, |_, st| y.push(st.y.clone()))?;
        Ok(y)
    }
}

/// `(γ/w, w)` per neuron if every surrogate is a triangle and no neuron is refractory.
fn fast_triangle(c: &NeuronConsts) -> Option<(Vec<Real>, Vec<Real>)> {
    if c.n_ref.iter().any(|&r| r > 0) {
        return None;
    }
    c.surrogate
        .iter()
        .map(|sg| match *sg {
            Surrogate::Triangle { gamma, width } => Some((gamma / width, width)),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map(|hw| hw.into_iter().unzip())
}

/// The per-step spikes `z^t`, pseudo-derivatives `ψ^t` (`B × n`) and readouts `y^t`
/// (`B × n_out`) of a forward pass.
#[derive(Clone, Debug, PartialEq)]
pub struct SpikesAndReadouts {
    /// `z^t`.
    pub z: Vec<Matrix>,
    /// `ψ^t`.
    pub psi: Vec<Matrix>,
    /// `y^t`.
    pub y: Vec<Matrix>,
}

impl SpikesAndReadouts {
    fn with_capacity(t_len: usize) -> Self {
        SpikesAndReadouts {
            z: Vec::with_capacity(t_len),
            psi: Vec::with_capacity(t_len),
            y: Vec::with_capacity(t_len),
        }
    }

    fn push(&mut self, st: &SpikingState) {
        self.z.push(st.z.clone());
        self.psi.push(st.psi.clone());
        self.y.push(st.y.clone());
    }

    /// Bytes of the stored neuron states (`z` and `ψ`; the readouts belong to the loss).
    pub fn stored_state_bytes(&self) -> usize {
        let per: usize = self.z.iter().chain(&self.psi).map(|m| m.len()).sum();
        super::super::real_bytes(per)
    }
}

impl RecurrentNet for SpikingNet {
    fn kind(&self) -> &'static str {
        "spiking"
    }

    fn sizes(&self) -> Sizes {
        self.sizes
    }

    fn params(&self) -> &[Matrix] {
        &self.params
    }

    fn update_params(&mut self, f: &mut dyn FnMut(&mut [Matrix]) -> Result<()>) -> Result<()> {
        update_param_list(
            "SpikingNet parameters",
            self.sizes,
            &mut self.params,
            f,
            |p| p[Param::WRec as usize].fill_diagonal(0.0),
        )
    }

    fn rollout(&self, inputs: &[Matrix]) -> Result<Rollout> {
        let out = self.spikes_and_readouts(inputs)?;
        Ok(Rollout {
            readouts: out.y,
            hidden: out.z,
            spiking: true,
        })
    }
}
