//! CMA-ES (Hansen & Ostermeier 2001; Hansen 2016, "The CMA Evolution Strategy: A Tutorial",
//! arXiv 1604.00772) with active covariance update (Jastrebski & Arnold 2006) and the default
//! strategy parameters of pycma 4.5.0.

use super::{
    AskTell, Best, Bounds, StopReason, argsort, bounds_from, budget_stop, check_popsize,
    check_sigma, check_tell, check_x0, update_best,
};
use crate::{OptimError, Result};
use nalgebra::SymmetricEigen;
use neurograd_tensor::{Matrix, Real, Vector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// Smallest dimension whose eigendecompositions use faer's self-adjoint eigensolver (blocked
/// tridiagonalisation, divide and conquer, runtime SIMD dispatch); below it nalgebra's
/// `SymmetricEigen` (Householder + implicit QR), which is cheap there and keeps the trajectories
/// of small problems (and their pinned comparisons with pycma) as they were. The two solvers order
/// the eigenpairs differently, so the same seed gives a different (equally distributed) run.
pub const FAER_MIN_DIM: usize = 64;

/// Settings of [`CmaEs`]; `None` fields take pycma's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CmaEsConfig {
    /// Initial mean `m₀` (finite, length `n >= 1`).
    pub x0: Vec<Real>,
    /// Initial step size `σ₀ > 0`.
    pub sigma0: Real,
    /// Population size `λ >= 2` (default `4 + ⌊3 ln n⌋`).
    pub popsize: Option<usize>,
    /// Seed of the sampling generator (ChaCha8).
    pub seed: u64,
    /// Lower bounds (per coordinate; `-inf` allowed). Candidates are reflected into the box
    /// before evaluation; the distribution is updated with the unreflected samples.
    pub lower: Option<Vec<Real>>,
    /// Upper bounds.
    pub upper: Option<Vec<Real>>,
    /// Stop when the best fitness is `<= ftarget`.
    pub ftarget: Option<Real>,
    /// Stop after this many evaluations.
    pub max_evaluations: Option<usize>,
    /// Stop after this many generations (default `100 + 150 (n+3)² / √λ`, as pycma).
    pub maxiter: Option<usize>,
    /// Stop when the fitness range of the current population and of the best values of the
    /// last `10 + ⌈30 n / λ⌉` generations is below this (default 1e-11).
    pub tolfun: Real,
    /// Stop when the best values of that history vary by less than this (default 1e-12).
    pub tolfunhist: Real,
    /// Stop when `σ √Cᵢᵢ < tolx` and `σ |p_c,i| < tolx` for all `i` (default 1e-11).
    pub tolx: Real,
    /// Stop when the condition number of `C` exceeds this (default 1e14).
    pub tol_condition: Real,
}

impl CmaEsConfig {
    /// Defaults around `x0` with step size `sigma0` and seed 0.
    pub fn new(x0: Vec<Real>, sigma0: Real) -> Self {
        Self {
            x0,
            sigma0,
            popsize: None,
            seed: 0,
            lower: None,
            upper: None,
            ftarget: None,
            max_evaluations: None,
            maxiter: None,
            tolfun: 1e-11,
            tolfunhist: 1e-12,
            tolx: 1e-11,
            tol_condition: 1e14,
        }
    }
}

/// The derived strategy parameters (Hansen 2016, Table 1 and eq. 49–58; pycma 4.5.0 variants
/// noted).
///
/// * `w'ᵢ = ln((λ+1)/2) − ln i`, `μ = ⌊λ/2⌋`, `μ_eff = (Σ_{i≤μ} w'ᵢ)² / Σ_{i≤μ} w'ᵢ²`;
///   positive weights normalised to sum 1; negative weights scaled to sum
///   `−min(1 + c₁/c_μ, 1 + 2μ⁻_eff/(μ_eff + 2), (1 − c₁ − c_μ)/(n c_μ))` (eq. 53).
/// * `c_σ = (μ_eff + 2)/(n + μ_eff + 3)` (pycma; the tutorial has `+ 5`),
///   `d_σ = 1 + 2 max(0, √((μ_eff − 1)/(n + 1)) − 1) + c_σ`.
/// * `c_c = (4 + μ_eff/n)/(n + 4 + 2μ_eff/n)`.
/// * `c₁ = 2 min(1, λ/6)/((n + 1.3)² + μ_eff)` (pycma's `min(1, λ/6)` factor).
/// * `c_μ = min(1 − c₁, 2(¼ + μ_eff + 1/μ_eff − 2)/((n + 2)² + μ_eff))` (pycma's ¼ offset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CmaParameters {
    /// Dimension `n`.
    pub n: usize,
    /// Population size `λ`.
    pub lambda: usize,
    /// Parent number `μ`.
    pub mu: usize,
    /// Recombination weights `w₁ ≥ … ≥ w_λ` (the last `λ − μ` negative).
    pub weights: Vec<Real>,
    /// Variance-effective selection mass `μ_eff`.
    pub mueff: Real,
    /// Cumulation constant of the step-size path.
    pub cs: Real,
    /// Step-size damping.
    pub damps: Real,
    /// Cumulation constant of the rank-one path.
    pub cc: Real,
    /// Rank-one learning rate.
    pub c1: Real,
    /// Rank-μ learning rate.
    pub cmu: Real,
    /// `E‖N(0, I)‖ ≈ √n (1 − 1/(4n) + 1/(21n²))`.
    pub chi_n: Real,
}

impl CmaParameters {
    /// Default parameters for dimension `n` and population size `lambda`.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`] for `n = 0` or `lambda < 2`.
    pub fn new(n: usize, lambda: usize) -> Result<Self> {
        super::check_dim(n)?;
        check_popsize(lambda, 2)?;
        let nf = n as Real;
        let lf = lambda as Real;
        let mu = lambda / 2;
        let raw: Vec<Real> = (1..=lambda)
            .map(|i| ((lf + 1.0) / 2.0).ln() - (i as Real).ln())
            .collect();
        let pos_sum: Real = raw[..mu].iter().sum();
        let pos_sq: Real = raw[..mu].iter().map(|w| w * w).sum();
        let mueff = pos_sum * pos_sum / pos_sq;
        let neg_sum: Real = raw[mu..].iter().map(|w| w.abs()).sum();
        let neg_sq: Real = raw[mu..].iter().map(|w| w * w).sum();
        let mueff_neg = if neg_sq > 0.0 {
            neg_sum * neg_sum / neg_sq
        } else {
            0.0
        };

        let cs = ((mueff + 2.0) / (nf + mueff + 3.0)).min(0.5);
        let damps = 1.0 + 2.0 * (((mueff - 1.0) / (nf + 1.0)).sqrt() - 1.0).max(0.0) + cs;
        let cc = (4.0 + mueff / nf) / (nf + 4.0 + 2.0 * mueff / nf);
        let c1 = 2.0 * (lf / 6.0).min(1.0) / ((nf + 1.3).powi(2) + mueff);
        let cmu =
            (1.0 - c1).min(2.0 * (0.25 + mueff + 1.0 / mueff - 2.0) / ((nf + 2.0).powi(2) + mueff));
        let alpha_mu = 1.0 + c1 / cmu;
        let alpha_mueff = 1.0 + 2.0 * mueff_neg / (mueff + 2.0);
        let alpha_posdef = (1.0 - c1 - cmu) / (nf * cmu);
        let neg_scale = alpha_mu.min(alpha_mueff).min(alpha_posdef);
        let weights = raw
            .iter()
            .map(|&w| {
                if w >= 0.0 {
                    w / pos_sum
                } else {
                    w * neg_scale / neg_sum
                }
            })
            .collect();
        let chi_n = nf.sqrt() * (1.0 - 1.0 / (4.0 * nf) + 1.0 / (21.0 * nf * nf));
        Ok(Self {
            n,
            lambda,
            mu,
            weights,
            mueff,
            cs,
            damps,
            cc,
            c1,
            cmu,
            chi_n,
        })
    }
}

/// The orthonormal eigenbasis `B` of `C = B D² Bᵀ`.
///
/// Below [`FAER_MIN_DIM`] (and before the first decomposition) `B` is stored as a matrix. From
/// `FAER_MIN_DIM` on it is kept factored as `B = Q V`, where `Q` is the product of the `n − 1`
/// Householder reflections that reduce `C` to tridiagonal form `T = Qᵀ C Q` (blocked, in
/// faer's compact WY form) and `V` holds the eigenvectors of `T`. Forming `Q V` (LAPACK's
/// back-transformation, `ormtr`, about `2n³` flops) would cost a sixth of a decomposition at
/// n = 200; CMA-ES only ever multiplies `B` with the `λ` samples and with `z_w`, so it applies `Q`
/// to those `λ + 1` columns instead (`≈ 2n²(λ + 1)` flops per generation). The factors are
/// exactly those of `self_adjoint_evd`, which forms `Q V` from them; the product is the same
/// matrix up to round-off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Eigenbasis {
    /// `B` itself.
    Dense(Matrix),
    /// `B = Q V`.
    Factored {
        /// The tridiagonalised `C`: the Householder vectors of `Q` lie below its subdiagonal.
        reflectors: Matrix,
        /// The block Householder factors of `Q` (`block size × (n − 1)`). A reflection with
        /// nothing to reflect (the last one) has the factor `+∞` (faer's convention for the
        /// identity), which JSON cannot hold, so this is serialised as IEEE bit patterns.
        #[serde(with = "matrix_bits")]
        factors: Matrix,
        /// Eigenvectors of the tridiagonal `T`.
        v: Matrix,
    },
}

impl Eigenbasis {
    /// `B m` for an `n × k` matrix `m`.
    fn times(&self, m: &Matrix) -> Matrix {
        match self {
            Eigenbasis::Dense(b) => b * m,
            Eigenbasis::Factored {
                reflectors,
                factors,
                v,
            } => {
                let mut out = v * m;
                let (n, k) = out.shape();
                if n > 1 {
                    let mut mem = faer::dyn_stack::MemBuffer::new(
                        faer::linalg::householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<Real>(
                            n - 1,
                            factors.nrows(),
                            k,
                        ),
                    );
                    let basis = faer::MatRef::from_column_major_slice(reflectors.as_slice(), n, n);
                    let fac = faer::MatRef::from_column_major_slice(
                        factors.as_slice(),
                        factors.nrows(),
                        factors.ncols(),
                    );
                    let target =
                        faer::MatMut::from_column_major_slice_mut(out.as_mut_slice(), n, k);
                    faer::linalg::householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
                        basis.submatrix(1, 0, n - 1, n - 1),
                        fac,
                        faer::Conj::No,
                        target.subrows_mut(1, n - 1),
                        faer::Par::Seq,
                        faer::dyn_stack::MemStack::new(&mut mem),
                    );
                }
                out
            }
        }
    }

    /// `B` as a matrix.
    fn to_matrix(&self) -> Matrix {
        match self {
            Eigenbasis::Dense(b) => b.clone(),
            Eigenbasis::Factored { v, .. } => self.times(&Matrix::identity(v.nrows(), v.nrows())),
        }
    }
}

/// Lossless serde for a matrix that may hold non-finite values: `(rows, cols, f64 bit patterns in
/// column-major order)`.
mod matrix_bits {
    use super::{Matrix, Real};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    pub fn serialize<S: Serializer>(m: &Matrix, s: S) -> Result<S::Ok, S::Error> {
        let bits: Vec<u64> = m.iter().map(|v| v.to_bits()).collect();
        (m.nrows(), m.ncols(), bits).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Matrix, D::Error> {
        let (rows, cols, bits) = <(usize, usize, Vec<u64>)>::deserialize(d)?;
        if rows.checked_mul(cols) != Some(bits.len()) {
            return Err(D::Error::custom(format!(
                "matrix of {rows} x {cols} with {} entries",
                bits.len()
            )));
        }
        Ok(Matrix::from_iterator(
            rows,
            cols,
            bits.into_iter().map(Real::from_bits),
        ))
    }
}

/// The population of the last `ask`, waiting for `tell`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pending {
    /// Standard normal samples, one column per candidate.
    z: Matrix,
    /// `y = B D z`, one column per candidate.
    y: Matrix,
    /// Candidates as evaluated (reflected into the bounds).
    xs: Vec<Vector>,
}

/// CMA-ES, `(μ/μ_w, λ)` with cumulative step-size adaptation and active covariance update
/// (Hansen 2016, Algorithm in Appendix A; defaults of pycma 4.5.0, see [`CmaParameters`]).
///
/// Sampling: `zₖ ~ N(0, I)`, `yₖ = B D zₖ`, `xₖ = m + σ yₖ`. Update with `y_w = Σ_{i≤μ} wᵢ y_{i:λ}`:
///
/// * `m ← m + σ y_w`
/// * `p_σ ← (1 − c_σ) p_σ + √(c_σ(2 − c_σ) μ_eff) C^{−½} y_w`
/// * `h_σ = [‖p_σ‖² / (1 − (1 − c_σ)^{2(g+1)}) / n < 2 + 4/(n + 1)]`
/// * `p_c ← (1 − c_c) p_c + h_σ √(c_c(2 − c_c) μ_eff) y_w`
/// * `C ← (1 + c₁δ(h_σ) − c₁ − c_μ Σwⱼ) C + c₁ p_c p_cᵀ + c_μ Σ wᵢ° y_{i:λ} y_{i:λ}ᵀ`, with
///   `wᵢ° = wᵢ` for `wᵢ ≥ 0` and `wᵢ n / ‖C^{−½} y_{i:λ}‖²` otherwise, `δ = (1 − h_σ) c_c (2 − c_c)`
/// * `σ ← σ exp(clip_{[−1,1]}((c_σ/d_σ)(‖p_σ‖/E‖N(0,I)‖ − 1)))`
///
/// `B D² Bᵀ = C` is recomputed when more than `λ / (c₁ + c_μ) / n / 10` evaluations passed since
/// the last decomposition (lazy update, tutorial section B.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CmaEs {
    config: CmaEsConfig,
    params: CmaParameters,
    bounds: Option<Bounds>,
    mean: Vector,
    sigma: Real,
    c: Matrix,
    b: Eigenbasis,
    d: Vector,
    pc: Vector,
    ps: Vector,
    rng: ChaCha8Rng,
    generation: usize,
    evaluations: usize,
    eigen_evaluations: usize,
    best: Option<Best>,
    best_history: VecDeque<Real>,
    last_range: Real,
    maxiter: usize,
    pending: Option<Pending>,
    #[serde(skip)]
    scratch: Scratch,
}

/// Buffers reused from one eigendecomposition to the next (at n = 200, several of a few hundred
/// KiB): not part of the state, so serde skips them and `==` ignores them.
#[derive(Debug, Clone, Default)]
struct Scratch {
    dc: super::tridiag_dc::Workspace,
    /// Storage for the next decomposition's reflectors and tridiagonal eigenvectors, swapped with
    /// those of `B` when it succeeds.
    reflectors: Vec<Real>,
    v: Vec<Real>,
}

impl PartialEq for Scratch {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl CmaEs {
    /// Validates the config and initialises `m = x₀`, `σ = σ₀`, `C = I`.
    ///
    /// # Errors
    /// [`OptimError::InvalidParameter`] for dimension 0, `λ < 2`, `σ₀ <= 0`, lower bound not below
    /// upper, negative tolerances; [`OptimError::NonFinite`] for a NaN/Inf `x₀`;
    /// [`OptimError::ShapeMismatch`] for bounds of the wrong length.
    pub fn new(config: CmaEsConfig) -> Result<Self> {
        check_x0(&config.x0)?;
        check_sigma("sigma0", config.sigma0)?;
        let n = config.x0.len();
        let lambda = config
            .popsize
            .unwrap_or(4 + (3.0 * (n as Real).ln()).floor() as usize);
        let params = CmaParameters::new(n, lambda)?;
        for (name, v) in [
            ("tolfun", config.tolfun),
            ("tolfunhist", config.tolfunhist),
            ("tolx", config.tolx),
            ("tol_condition", config.tol_condition),
        ] {
            if v.is_nan() || v < 0.0 {
                return Err(OptimError::InvalidParameter {
                    name,
                    value: format!("{v}"),
                    reason: "tolerance must be >= 0".into(),
                });
            }
        }
        let bounds = bounds_from(&config.lower, &config.upper, n)?;
        let maxiter = config.maxiter.unwrap_or_else(|| {
            100 + (150.0 * ((n + 3) * (n + 3)) as Real / (lambda as Real).sqrt()) as usize
        });
        Ok(Self {
            mean: Vector::from_column_slice(&config.x0),
            sigma: config.sigma0,
            c: Matrix::identity(n, n),
            b: Eigenbasis::Dense(Matrix::identity(n, n)),
            d: Vector::from_element(n, 1.0),
            pc: Vector::zeros(n),
            ps: Vector::zeros(n),
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            generation: 0,
            evaluations: 0,
            eigen_evaluations: 0,
            best: None,
            best_history: VecDeque::new(),
            last_range: Real::INFINITY,
            maxiter,
            pending: None,
            scratch: Scratch::default(),
            bounds,
            params,
            config,
        })
    }

    /// The strategy parameters in use.
    pub fn parameters(&self) -> &CmaParameters {
        &self.params
    }

    /// Current mean `m`.
    pub fn mean(&self) -> &Vector {
        &self.mean
    }

    /// Current step size `σ`.
    pub fn sigma(&self) -> Real {
        self.sigma
    }

    /// Current covariance matrix `C`.
    pub fn covariance(&self) -> &Matrix {
        &self.c
    }

    /// Condition number of `C` from the last eigendecomposition (`(max D / min D)²`).
    pub fn condition(&self) -> Real {
        let (mx, mn) = (self.d.max(), self.d.min());
        (mx / mn).powi(2)
    }

    /// The last eigendecomposition `(B, D)` of `C`: `B` orthonormal, `D` the square roots of the
    /// eigenvalues (nondecreasing from [`FAER_MIN_DIM`] on), so that `C = B D² Bᵀ` held when it
    /// was computed (the lazy update lets `C` move on for a few generations). Samples are
    /// `y = B D z`. From `FAER_MIN_DIM` on, `B` is kept factored (see the struct docs) and this
    /// forms it, at `O(n³)`.
    pub fn eigendecomposition(&self) -> (Matrix, Vector) {
        (self.b.to_matrix(), self.d.clone())
    }

    /// The config.
    pub fn config(&self) -> &CmaEsConfig {
        &self.config
    }

    fn history_len(&self) -> usize {
        10 + (30 * self.params.n).div_ceil(self.params.lambda)
    }

    fn decompose(&mut self) {
        let n = self.params.n;
        // symmetrise against round-off
        for i in 0..n {
            for j in 0..i {
                let v = 0.5 * (self.c[(i, j)] + self.c[(j, i)]);
                self.c[(i, j)] = v;
                self.c[(j, i)] = v;
            }
        }
        if n < FAER_MIN_DIM {
            let eig = SymmetricEigen::new(self.c.clone());
            let floor = eig.eigenvalues.max().abs() * 1e-300 + Real::MIN_POSITIVE;
            self.d = eig.eigenvalues.map(|v| v.max(floor).sqrt());
            self.b = Eigenbasis::Dense(eig.eigenvectors);
            self.eigen_evaluations = self.evaluations;
            return;
        }
        // faer's blocked Householder tridiagonalisation T = Qᵀ C Q (sequential, reads the lower
        // triangle), then divide and conquer on T (`tridiag_dc`, eigenvalues nondecreasing);
        // B = Q V stays factored
        let par = faer::Par::Seq;
        let params: faer::linalg::evd::SelfAdjointEvdParams = faer::Auto::<Real>::auto();
        let mut mem = faer::dyn_stack::MemBuffer::new(
            faer::linalg::evd::tridiag::tridiag_in_place_scratch::<Real>(
                n,
                par,
                params.tridiag.into(),
            ),
        );
        let bs = faer::linalg::qr::no_pivoting::factor::recommended_block_size::<Real>(n, n);
        let mut buf = std::mem::take(&mut self.scratch.reflectors);
        buf.clear();
        buf.extend_from_slice(self.c.as_slice());
        let mut reflectors = Matrix::from_vec(n, n, buf);
        let mut factors = Matrix::zeros(bs, n - 1);
        faer::linalg::evd::tridiag::tridiag_in_place(
            faer::MatMut::from_column_major_slice_mut(reflectors.as_mut_slice(), n, n),
            faer::MatMut::from_column_major_slice_mut(factors.as_mut_slice(), bs, n - 1),
            par,
            faer::dyn_stack::MemStack::new(&mut mem),
            params.tridiag.into(),
        );
        let mut vals: Vec<Real> = (0..n).map(|i| reflectors[(i, i)]).collect();
        let sub: Vec<Real> = (0..n - 1).map(|i| reflectors[(i + 1, i)]).collect();
        let mut buf = std::mem::take(&mut self.scratch.v);
        buf.resize(n * n, 0.0);
        let mut v = Matrix::from_vec(n, n, buf);
        let res = super::tridiag_dc::tridiagonal_eigen(
            &mut vals,
            &sub,
            v.as_mut_slice(),
            &mut self.scratch.dc,
        );
        if res.is_err()
            || !all_finite(&vals)
            || !all_finite(v.as_slice())
            || !all_finite(reflectors.as_slice())
        {
            // no convergence (non-finite C): keep the last B and D
            self.scratch.reflectors = reflectors.data.into();
            self.scratch.v = v.data.into();
            return;
        }
        let vmax = vals.iter().fold(0.0, |a: Real, v| a.max(v.abs()));
        let floor = vmax * 1e-300 + Real::MIN_POSITIVE;
        for (d, v) in self.d.iter_mut().zip(&vals) {
            *d = v.max(floor).sqrt();
        }
        let old = std::mem::replace(
            &mut self.b,
            Eigenbasis::Factored {
                reflectors,
                factors,
                v,
            },
        );
        if let Eigenbasis::Factored { reflectors, v, .. } = old {
            self.scratch.reflectors = reflectors.data.into();
            self.scratch.v = v.data.into();
        }
        self.eigen_evaluations = self.evaluations;
    }
}

impl AskTell for CmaEs {
    fn dim(&self) -> usize {
        self.params.n
    }

    fn ask_size(&self) -> usize {
        self.params.lambda
    }

    fn ask(&mut self) -> Vec<Vector> {
        let (n, lambda) = (self.params.n, self.params.lambda);
        let mut z = Matrix::zeros(n, lambda);
        for v in z.iter_mut() {
            *v = StandardNormal.sample(&mut self.rng);
        }
        let mut dz = z.clone();
        for (i, mut row) in dz.row_iter_mut().enumerate() {
            row *= self.d[i];
        }
        let y = self.b.times(&dz);
        let xs = (0..lambda)
            .map(|k| {
                let mut x = &self.mean + y.column(k) * self.sigma;
                if let Some(b) = &self.bounds {
                    b.reflect(&mut x);
                }
                x
            })
            .collect::<Vec<_>>();
        self.pending = Some(Pending {
            z,
            y,
            xs: xs.clone(),
        });
        xs
    }

    fn tell(&mut self, fitness: &[Real]) -> Result<()> {
        check_tell(
            self.pending.as_ref().map(|p| p.xs.len()),
            fitness,
            self.generation,
        )?;
        let Some(pending) = self.pending.take() else {
            return Err(OptimError::Protocol {
                reason: "no pending population".into(),
            });
        };
        let p = self.params.clone();
        let (n, lambda, mu) = (p.n, p.lambda, p.mu);
        update_best(&mut self.best, &pending.xs, fitness, self.evaluations);
        self.evaluations += lambda;
        self.generation += 1;

        let order = argsort(fitness);
        let w = &p.weights;
        // weighted means of y and z over the μ best
        let mut yw = Vector::zeros(n);
        let mut zw = Vector::zeros(n);
        for (i, &k) in order.iter().take(mu).enumerate() {
            yw.axpy(w[i], &pending.y.column(k), 1.0);
            zw.axpy(w[i], &pending.z.column(k), 1.0);
        }
        self.mean.axpy(self.sigma, &yw, 1.0);

        // step-size path: C^{-1/2} y_w = B z_w
        let invsqrt_yw = self
            .b
            .times(&Matrix::from_column_slice(n, 1, zw.as_slice()))
            .column(0)
            .into_owned();
        let cs = p.cs;
        self.ps *= 1.0 - cs;
        self.ps
            .axpy((cs * (2.0 - cs) * p.mueff).sqrt(), &invsqrt_yw, 1.0);
        let g = self.generation as i32;
        let ps_sq = self.ps.norm_squared();
        let hsig_denom = 1.0 - (1.0 - cs).powi(2 * g.min(i32::MAX / 2));
        let nf = n as Real;
        let hsig = ps_sq / hsig_denom / nf < 2.0 + 4.0 / (nf + 1.0);
        let cc = p.cc;
        self.pc *= 1.0 - cc;
        if hsig {
            self.pc.axpy((cc * (2.0 - cc) * p.mueff).sqrt(), &yw, 1.0);
        }

        // covariance update
        let (c1, cmu) = (p.c1, p.cmu);
        let delta = if hsig { 0.0 } else { cc * (2.0 - cc) };
        let wsum: Real = w.iter().sum();
        let decay = 1.0 + c1 * delta - c1 - cmu * wsum;
        // C ← decay C + [Y_sel p_c] diag(c_μ w°, c₁) [Y_sel p_c]ᵀ: the rank-one and rank-μ terms
        // as one product
        let mut ysel = Matrix::zeros(n, lambda + 1);
        let mut yscaled = Matrix::zeros(n, lambda + 1);
        for (i, &k) in order.iter().enumerate() {
            let wi = if w[i] >= 0.0 {
                w[i]
            } else {
                let zn = pending.z.column(k).norm_squared();
                w[i] * n as Real / zn.max(Real::MIN_POSITIVE)
            };
            let col = pending.y.column(k);
            ysel.set_column(i, &col);
            yscaled.set_column(i, &(col * (cmu * wi)));
        }
        ysel.set_column(lambda, &self.pc);
        yscaled.set_column(lambda, &(&self.pc * c1));
        self.c *= decay;
        self.c.gemm(1.0, &yscaled, &ysel.transpose(), 1.0);

        // step size
        let s = (cs / p.damps) * (ps_sq.sqrt() / p.chi_n - 1.0);
        self.sigma *= s.clamp(-1.0, 1.0).exp();

        // lazy eigendecomposition
        let gap = lambda as Real / (c1 + cmu) / n as Real / 10.0;
        if (self.evaluations - self.eigen_evaluations) as Real > gap {
            self.decompose();
        }

        // fitness history
        let fbest = fitness[order[0]];
        self.best_history.push_back(fbest);
        while self.best_history.len() > self.history_len() {
            self.best_history.pop_front();
        }
        self.last_range = fitness[order[lambda - 1]] - fbest;
        Ok(())
    }

    fn best(&self) -> Option<&Best> {
        self.best.as_ref()
    }

    fn stop(&self) -> Option<StopReason> {
        let cfg = &self.config;
        if let Some(r) = budget_stop(
            &self.best,
            cfg.ftarget,
            self.evaluations + self.params.lambda,
            cfg.max_evaluations,
            self.generation,
            Some(self.maxiter),
        ) {
            return Some(r);
        }
        if self.generation == 0 {
            return None;
        }
        let hist_full = self.best_history.len() >= self.history_len();
        let (hmin, hmax) = self
            .best_history
            .iter()
            .fold((Real::INFINITY, Real::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        if hist_full && (hmax - hmin).max(self.last_range) < cfg.tolfun {
            return Some(StopReason::TolFun);
        }
        if hist_full && hmax - hmin < cfg.tolfunhist {
            return Some(StopReason::TolFunHist);
        }
        let tolx = (0..self.params.n).all(|i| {
            self.sigma * self.c[(i, i)].sqrt() < cfg.tolx
                && self.sigma * self.pc[i].abs() < cfg.tolx
        });
        if tolx {
            return Some(StopReason::TolX);
        }
        if self.condition() > cfg.tol_condition {
            return Some(StopReason::ConditionCov);
        }
        None
    }

    fn generation(&self) -> usize {
        self.generation
    }

    fn evaluations(&self) -> usize {
        self.evaluations
    }

    fn name(&self) -> &'static str {
        "cmaes"
    }
}

/// Whether every value is finite, in eight independent lanes so that it vectorises (`x · 0` is
/// `0` for finite `x` and NaN for ±∞ and NaN).
fn all_finite(xs: &[Real]) -> bool {
    let mut acc = [0.0; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in &mut chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x * 0.0;
        }
    }
    acc.iter().all(|a| *a == 0.0) && chunks.remainder().iter().all(|x| x.is_finite())
}
