//! `v1`: which learners grow V1-like receptive fields from natural images?
//!
//! Pipeline (vision reference §3–§5):
//! 1. images: the bundled CC0 / public-domain photographs ([`crate::data::natural::images`]) or
//!    the user's 2-D `.npy` files; optionally replaced by a control with the same power spectrum
//!    and no higher-order structure (white noise of the same size, or each image phase-scrambled);
//! 2. the Olshausen & Field (1997) whitening / low-pass filter `R(f) = f exp(−(f/0.4)⁴)` per image,
//!    the set scaled to variance 0.1 ([`crate::data::natural::OlshausenField`]);
//! 3. `patches` seeded `P × P` patches, 16-px border excluded (FFT wrap-around); with
//!    `whitening = "zca-per-image"` steps 2–3 are instead ZCA fitted to each image's own patches
//!    ([`crate::data::natural::zca_whiten_per_image`]), the exact whitening under which the
//!    phase-scrambled control has no higher-order structure (`docs/v1.md`);
//! 4. each method learns filters from the same patches: sparse coding, ICA, ISA and nonlinear
//!    Hebbian learning (one file per learner in [`crate::plasticity::receptive`]); Oja, Sanger and
//!    BCM, the local rules of [`crate::plasticity::local`] trained by `local::train::train_rule`
//!    on the same patches scaled to unit variance; and the CNN methods `cnn-bp`, `cnn-fa`,
//!    `cnn-dfa`, `cnn-ss`, the first-layer filters of a denoising convolutional autoencoder trained
//!    on the first `cnn_patches` of those patches by backprop, feedback alignment, DFA or sign
//!    symmetry ([`crate::experiments::cnn::autoencoder_filters`] with its defaults and
//!    `cnn_epochs` epochs, as [`crate::experiments::cnn::v1_filters`] but with the epochs set);
//! 5. every filter (sparse-coding atom; ICA, ISA and nonlinear-Hebbian basis vector; local-rule
//!    weight vector; CNN kernel) is fitted by the 2-D Gabor of Jones & Palmer (1987)
//!    ([`crate::plasticity::receptive::gabor`]) and summarised by
//!    [`crate::plasticity::receptive::v1stats::summarize`]: the fraction of well-fit Gabors
//!    (`R² ≥ 0.8`), median `R²`, median Ringach (2002) `(nx, ny) = (σx f, σy f)` over the
//!    non-degenerate fits (`R² ≥ 0.8`, `f ≥ 1/P`), the fraction of those with both below 0.5
//!    (macaque: 58 %), orientation and frequency coverage, bandwidths; for ISA, the complex-cell
//!    measures of its subspaces (orientation coherence and phase invariance, reference T14).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::cnn;
use crate::data::natural::{self, OlshausenField, PatchSampler};
use crate::plasticity::local::train::{RateSchedule, RuleTrainConfig};
use crate::plasticity::local::{self, Batch};
use crate::plasticity::receptive::gabor::{GaborFit, GaborFitter};
use crate::plasticity::receptive::v1stats::{self, FilterStats, RingachReference};
use crate::plasticity::receptive::{ica, isa, nonlinear_hebb, sparse_coding};
use crate::tensor::seed::mix;
use crate::tensor::{Matrix, Real};
use crate::{Error, NoProgress, Progress, Result, VERSION};

/// Every method name of the command, in order.
pub const METHODS: &[&str] = &[
    "sparse-coding",
    "ica",
    "isa",
    "oja",
    "sanger",
    "bcm",
    "nonlinear-hebb",
    "cnn-bp",
    "cnn-fa",
    "cnn-dfa",
    "cnn-ss",
];

/// The methods run by default (all of [`METHODS`]).
pub const DEFAULT_METHODS: &[&str] = METHODS;

/// The controls: images with the natural images' power spectrum and no higher-order structure.
pub const CONTROLS: &[&str] = &["white", "phase-scrambled"];

/// The whitenings: the Olshausen & Field (1997) filter (the default) or ZCA fitted to each
/// image's own patches (`ε = 0`; [`crate::data::natural::zca_whiten_per_image`]).
pub const WHITENINGS: &[&str] = &["olshausen-field", "zca-per-image"];

/// The default whitening, [`WHITENINGS`]`[0]` (older run files have no `whitening` field).
fn default_whitening() -> String {
    WHITENINGS[0].to_string()
}

/// `R²` above which a filter counts as well fit (reference §7, T10/T13).
pub const R2_THRESHOLD: Real = 0.8;

/// Border (pixels) excluded from each whitened image when sampling patches.
pub const BORDER: usize = 16;

/// Parameters of `v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V1Params {
    /// User images (2-D `.npy`, uint8 or float); empty: the bundled natural images.
    pub images: Vec<PathBuf>,
    /// Methods, in order (subset of [`METHODS`], no repeats).
    pub methods: Vec<String>,
    /// Control replacing the images (one of [`CONTROLS`]), or `None`.
    pub control: Option<String>,
    /// Whitening (one of [`WHITENINGS`]). With `zca-per-image`, ICA keeps `filters` of the `P²`
    /// equal-variance components, an arbitrary choice: use `filters = P²` for ICA there.
    #[serde(default = "default_whitening")]
    pub whitening: String,
    /// Patch side `P` in pixels.
    pub patch: usize,
    /// Number of patches sampled.
    pub patches: usize,
    /// Filters per method (sparse-coding atoms, ICA/ISA/nonlinear-Hebb components, local-rule
    /// units); a multiple of 4 for ISA. The CNN methods learn the autoencoder's 16 filters.
    pub filters: usize,
    /// Dictionary updates of sparse coding (batches of 100 patches).
    pub sparse_batches: usize,
    /// Gradient steps of ISA and of the nonlinear Hebbian network.
    pub steps: usize,
    /// Updates (batches of 16 patches) of the local rules Oja, Sanger and BCM.
    pub local_steps: usize,
    /// Patches (the first of the sample) the CNN autoencoders train on.
    pub cnn_patches: usize,
    /// Epochs of the CNN autoencoders.
    pub cnn_epochs: usize,
    /// Master seed.
    pub seed: u64,
}

impl Default for V1Params {
    /// Bundled images, [`DEFAULT_METHODS`], no control, the Olshausen & Field whitening, 12 × 12 patches (the reference's size),
    /// 20 000 patches, 64 filters, 2000 sparse-coding batches, 300 ISA / nonlinear-Hebb steps,
    /// 4000 local-rule updates, CNN autoencoders on 4000 patches for 10 epochs, seed 0.
    fn default() -> Self {
        Self {
            images: Vec::new(),
            methods: DEFAULT_METHODS.iter().map(|s| s.to_string()).collect(),
            control: None,
            whitening: default_whitening(),
            patch: 12,
            patches: 20_000,
            filters: 64,
            sparse_batches: 2000,
            steps: 300,
            local_steps: 4000,
            cnn_patches: 4000,
            cnn_epochs: 10,
            seed: 0,
        }
    }
}

impl V1Params {
    /// Checks names and sizes before any work.
    ///
    /// # Errors
    /// [`Error::UnknownName`] for a method or control, [`Error::InvalidParameter`] for sizes and
    /// repeated methods.
    pub fn check(&self) -> Result<()> {
        if self.methods.is_empty() {
            return Err(Error::invalid("methods", "[]", "name at least one method"));
        }
        for (i, m) in self.methods.iter().enumerate() {
            if !METHODS.contains(&m.as_str()) {
                return Err(Error::unknown("v1 method", m, METHODS));
            }
            if self.methods[..i].contains(m) {
                return Err(Error::invalid("methods", m, "is named twice"));
            }
        }
        if let Some(c) = &self.control
            && !CONTROLS.contains(&c.as_str())
        {
            return Err(Error::unknown("v1 control", c, CONTROLS));
        }
        if !WHITENINGS.contains(&self.whitening.as_str()) {
            return Err(Error::unknown("v1 whitening", &self.whitening, WHITENINGS));
        }
        if self.patch < 4 || self.patch > 32 {
            return Err(Error::invalid(
                "patch",
                self.patch,
                "must lie in 4..=32 pixels",
            ));
        }
        let d = self.patch * self.patch;
        if self.filters == 0 || self.filters > d {
            return Err(Error::invalid(
                "filters",
                self.filters,
                format!("must lie in 1..={d} (patch pixels)"),
            ));
        }
        if self.methods.iter().any(|m| m == "isa") && !self.filters.is_multiple_of(4) {
            return Err(Error::invalid(
                "filters",
                self.filters,
                "ISA pools subspaces of 4: use a multiple of 4",
            ));
        }
        if self.patches < 2 * d || self.patches > 1_000_000 {
            return Err(Error::invalid(
                "patches",
                self.patches,
                format!(
                    "must lie in {}..=1000000 (at least twice the patch pixels)",
                    2 * d
                ),
            ));
        }
        if self.cnn_patches < 2 || self.cnn_patches > self.patches {
            return Err(Error::invalid(
                "cnn_patches",
                self.cnn_patches,
                format!("must lie in 2..={} (the patches sampled)", self.patches),
            ));
        }
        for (name, v) in [
            ("sparse_batches", self.sparse_batches),
            ("steps", self.steps),
            ("local_steps", self.local_steps),
            ("cnn_epochs", self.cnn_epochs),
        ] {
            if v == 0 || v > 1_000_000 {
                return Err(Error::invalid(name, v, "must lie in 1..=1000000"));
            }
        }
        Ok(())
    }
}

/// Complex-cell measures of ISA's subspaces (reference T14).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplexCells {
    /// Median over subspaces of the orientation coherence `|mean e^{2iθ}|` of the Gabor fits of
    /// its basis vectors ([`v1stats::orientation_resultant`]).
    pub median_coherence: Real,
    /// Median over subspaces of the phase-invariance index `min E / max E` of the pooled energy
    /// of its filters ([`v1stats::phase_invariance`] at the grating its basis vectors prefer,
    /// [`group_measures_at_receptive_fields`]).
    pub median_phase_invariance: Real,
    /// The median coherence of a seeded random regrouping of the same filters (the control).
    pub random_groups_coherence: Real,
    /// The median phase invariance of the random regrouping (the control).
    pub random_groups_phase_invariance: Real,
}

/// One method's filters and their summary (the JSON contract's keys first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodSummary {
    /// Method name.
    pub method: String,
    /// Number of filters.
    pub n_filters: usize,
    /// Fraction of filters that are well fit by a Gabor (`R² ≥ 0.8`).
    pub fraction_gabor: Real,
    /// Median `R²` over all filters.
    pub median_r2: Real,
    /// Median `nx` over the non-degenerate fits (`R² ≥ 0.8`, `f ≥ 1/P`); `None` if there are none.
    pub median_nx: Option<Real>,
    /// Median `ny` over the same fits.
    pub median_ny: Option<Real>,
    /// Fraction of the 8 orientation bins (22.5° each) holding a non-degenerate Gabor fit.
    pub orientation_coverage: Real,
    /// Fraction of the octave bands between `1/P` and `1/2` cycles/px holding one.
    pub frequency_coverage: Real,
    /// Fraction of all filters that are Gabor-like and localised (`σx, σy ≤ P/2`; plane waves
    /// such as PCA components fit with `σ` at the `2P` bound).
    pub fraction_localised_gabor: Real,
    /// Among the Gabor-like filters, the fraction with `f < 1/P` (derivative-of-Gaussian fits);
    /// `None` if there are none.
    pub fraction_degenerate: Option<Real>,
    /// Among the non-degenerate fits, the fraction with both `nx, ny < 0.5` (Ringach: 58 %).
    pub fraction_both_below_half: Option<Real>,
    /// Median spatial-frequency bandwidth (octaves) of the non-degenerate fits.
    pub median_sf_bandwidth_octaves: Option<Real>,
    /// Median orientation half-width (degrees) of the non-degenerate fits.
    pub median_orientation_half_width_deg: Option<Real>,
    /// Side of each (square) filter in pixels: `P`, or the CNN's kernel.
    pub filter_size: usize,
    /// ISA only: the complex-cell measures.
    pub complex_cells: Option<ComplexCells>,
    /// Filters, one per row of pixels `filter_size²` row-major.
    pub filters: Vec<Vec<Real>>,
    /// Per-filter Gabor fits and their V1 statistics.
    pub fits: Vec<FilterStats>,
}

/// Result of `v1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V1Result {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: V1Params,
    /// One entry per method, in the order asked for.
    pub methods: Vec<MethodSummary>,
    /// Macaque simple cells (Ringach 2002, VOneNet's digitisation): the comparison row.
    pub ringach: RingachReference,
}

/// The images `v1` whitens: the user's or the bundled ones, replaced by the control if any.
///
/// # Errors
/// Unreadable images, unknown control.
pub fn images(p: &V1Params) -> Result<Vec<Matrix>> {
    let imgs = if p.images.is_empty() {
        natural::images()?
    } else {
        p.images
            .iter()
            .map(natural::load_image)
            .collect::<std::result::Result<Vec<_>, _>>()?
    };
    Ok(match p.control.as_deref() {
        None => imgs,
        Some("white") => natural::white_noise_like(&imgs, mix(p.seed, 1, 0))?,
        Some("phase-scrambled") => imgs
            .iter()
            .enumerate()
            .map(|(i, m)| natural::phase_scramble(m, mix(p.seed, 2, i as u64)))
            .collect::<std::result::Result<Vec<_>, _>>()?,
        Some(other) => return Err(Error::unknown("v1 control", other, CONTROLS)),
    })
}

/// The whitened patches `v1` trains on (`patches × P²`), from the images, control and seed of
/// `p` (steps 1–3 of the module docs).
///
/// # Errors
/// Unreadable images, images smaller than the patch plus border, unknown control or whitening,
/// fewer than `P² + 1` patches per image for `zca-per-image`.
pub fn patches(p: &V1Params) -> Result<Matrix> {
    match p.whitening.as_str() {
        "olshausen-field" => {
            let white = OlshausenField::default().apply(&images(p)?)?;
            Ok(PatchSampler::new(p.patch, p.patches)
                .with_border(BORDER)
                .sample(&white, mix(p.seed, 3, 0))?)
        }
        "zca-per-image" => Ok(natural::zca_whiten_per_image(
            &images(p)?,
            p.patch,
            p.patches,
            BORDER,
            OlshausenField::default().target_variance,
            mix(p.seed, 3, 0),
        )?),
        other => Err(Error::unknown("v1 whitening", other, WHITENINGS)),
    }
}

/// What one method learned.
#[derive(Debug, Clone, PartialEq)]
pub struct Learned {
    /// Filters, one per row (`n × size²`, row-major pixels).
    pub filters: Matrix,
    /// Side of each filter in pixels.
    pub size: usize,
    /// The ISA model (method `isa` only), for the complex-cell measures.
    pub isa: Option<isa::Isa>,
}

/// The filters that `method` learns from `x` (`n × P²`; step 4 of the module docs).
///
/// # Errors
/// Unknown method; learner errors.
pub fn learn(method: &str, x: &Matrix, p: &V1Params) -> Result<Learned> {
    let idx = METHODS
        .iter()
        .position(|m| *m == method)
        .ok_or_else(|| Error::unknown("v1 method", method, METHODS))?;
    let seed = mix(p.seed, 4, idx as u64);
    let k = p.filters;
    let plain = |filters: Matrix| Learned {
        filters,
        size: p.patch,
        isa: None,
    };
    Ok(match method {
        "sparse-coding" => {
            let cfg = sparse_coding::SparseCodingConfig {
                atoms: k,
                batches: p.sparse_batches,
                seed,
                ..sparse_coding::SparseCodingConfig::default()
            };
            plain(sparse_coding::learn(x, &cfg)?.filters())
        }
        "ica" => {
            let mut cfg = ica::FastIcaConfig::new(k);
            cfg.seed = seed;
            plain(ica::fit(x, &cfg)?.basis())
        }
        "isa" => {
            let mut cfg = isa::IsaConfig::new(k);
            cfg.steps = p.steps;
            cfg.seed = seed;
            let m = isa::fit(x, &cfg)?;
            Learned {
                filters: m.basis(),
                size: p.patch,
                isa: Some(m),
            }
        }
        "nonlinear-hebb" => {
            let mut cfg = nonlinear_hebb::NonlinearHebbConfig::new(k);
            cfg.steps = p.steps;
            cfg.seed = seed;
            plain(nonlinear_hebb::fit(x, &cfg)?.basis())
        }
        "oja" | "sanger" | "bcm" => plain(local_rule(method, x, k, p.local_steps, seed)?),
        cnn => {
            let n = p.cnn_patches.min(x.nrows());
            let sub = x.rows(0, n).into_owned();
            let &(_, algorithm) = cnn::V1_METHODS
                .iter()
                .find(|(name, _)| *name == cnn)
                .ok_or_else(|| Error::unknown("v1 method", cnn, METHODS))?;
            let d = cnn::AutoencoderParams::default();
            let ap = cnn::AutoencoderParams {
                algorithm: algorithm.into(),
                kernel: d.kernel.min(p.patch),
                epochs: p.cnn_epochs,
                seed,
                ..d
            };
            let f = cnn::autoencoder_filters(&sub, p.patch, &ap, &NoProgress)?;
            let size = f.kernel;
            let filters = Matrix::from_fn(f.filters.len(), size * size, |i, j| f.filters[i][j]);
            Learned {
                filters,
                size,
                isa: None,
            }
        }
    })
}

/// A registered local rule with `units` rows trained by `train_rule` (batches of 16, `η = 1e-3`)
/// on `x` scaled to unit variance per pixel on average (the scaling of `features`).
fn local_rule(rule: &str, x: &Matrix, units: usize, steps: usize, seed: u64) -> Result<Matrix> {
    use rand::SeedableRng;
    let r = local::rule_by_name(rule)?;
    let sd = (x.norm_squared() / x.len() as Real).sqrt();
    let data = if sd > 0.0 { x / sd } else { x.clone() };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut w = Matrix::from_fn(units, x.ncols(), |_, _| {
        rand_distr::Distribution::<Real>::sample(&rand_distr::StandardNormal, &mut rng)
    });
    w *= 0.1 / (x.ncols() as Real).sqrt();
    let cfg = RuleTrainConfig::new(RateSchedule::Constant(1e-3), steps, 16);
    local::train::train_rule(r.as_ref(), &mut w, &Batch::new(data)?, &cfg)?;
    Ok(w)
}

/// `Some(x)` for a finite `x`.
fn finite(x: Real) -> Option<Real> {
    x.is_finite().then_some(x)
}

/// Summarises the fits of one method's filters (module docs, step 5).
///
/// # Errors
/// No fits.
pub fn summarise(
    method: &str,
    filters: &Matrix,
    fits: &[GaborFit],
    size: usize,
) -> Result<MethodSummary> {
    let s = v1stats::summarize(fits, R2_THRESHOLD)?;
    Ok(MethodSummary {
        method: method.to_string(),
        n_filters: s.n_filters,
        fraction_gabor: s.fraction_gabor,
        median_r2: s.median_r2,
        median_nx: finite(s.median_nx),
        median_ny: finite(s.median_ny),
        orientation_coverage: s.orientation_coverage,
        frequency_coverage: s.frequency_coverage,
        fraction_localised_gabor: s.fraction_localised_gabor,
        fraction_degenerate: finite(s.fraction_degenerate),
        fraction_both_below_half: finite(s.fraction_both_below_half),
        median_sf_bandwidth_octaves: finite(s.median_sf_bandwidth_octaves),
        median_orientation_half_width_deg: finite(s.median_orientation_half_width_deg),
        filter_size: size,
        complex_cells: None,
        filters: filters
            .row_iter()
            .map(|r| r.iter().copied().collect())
            .collect(),
        fits: fits
            .iter()
            .map(|f| v1stats::filter_stats(f, R2_THRESHOLD))
            .collect(),
    })
}

/// Median orientation coherence and median phase invariance of `groups` of the rows of
/// `filters` (`P × P` each; the phase invariance of their pooled energy) with the orientations
/// `orientation_deg` of the corresponding basis vectors' fits.
///
/// # Errors
/// Shape errors and all-zero filters ([`v1stats::phase_invariance`]).
pub fn group_measures(
    filters: &Matrix,
    orientation_deg: &[Real],
    groups: &[Vec<usize>],
    patch: usize,
) -> Result<(Real, Real)> {
    let mut coherence = Vec::with_capacity(groups.len());
    let mut invariance = Vec::with_capacity(groups.len());
    for g in groups {
        let th: Vec<Real> = g.iter().map(|&i| orientation_deg[i]).collect();
        coherence.push(v1stats::orientation_resultant(&th));
        let subunits: Vec<Matrix> = g
            .iter()
            .map(|&i| Matrix::from_fn(patch, patch, |r, c| filters[(i, r * patch + c)]))
            .collect();
        invariance.push(v1stats::phase_invariance(&subunits, None)?);
    }
    Ok((v1stats::median(&coherence), v1stats::median(&invariance)))
}

/// As [`group_measures`], but the phase invariance of each group's pooled filter energy is taken
/// at the grating preferred by the group's rows of `basis` (its receptive fields, the vectors the
/// Gabor fits describe; [`v1stats::preferred_grating`]) instead of the filters' own optimum, which
/// for a PCA-whitened learner sits near Nyquist where the whitening inverts the data's low-pass
/// (see [`v1stats::preferred_grating`]).
///
/// # Errors
/// Shape errors (`basis` not the shape of `filters`) and all-zero filters.
pub fn group_measures_at_receptive_fields(
    filters: &Matrix,
    basis: &Matrix,
    orientation_deg: &[Real],
    groups: &[Vec<usize>],
    patch: usize,
) -> Result<(Real, Real)> {
    if basis.shape() != filters.shape() {
        return Err(Error::invalid(
            "basis",
            format!("{:?}", basis.shape()),
            format!("must have the filters' shape {:?}", filters.shape()),
        ));
    }
    let rows = |m: &Matrix, g: &[usize]| -> Vec<Matrix> {
        g.iter()
            .map(|&i| Matrix::from_fn(patch, patch, |r, c| m[(i, r * patch + c)]))
            .collect()
    };
    let mut coherence = Vec::with_capacity(groups.len());
    let mut invariance = Vec::with_capacity(groups.len());
    for g in groups {
        let th: Vec<Real> = g.iter().map(|&i| orientation_deg[i]).collect();
        coherence.push(v1stats::orientation_resultant(&th));
        let at = v1stats::preferred_grating(&rows(basis, g))?;
        invariance.push(v1stats::phase_invariance(&rows(filters, g), Some(at))?);
    }
    Ok((v1stats::median(&coherence), v1stats::median(&invariance)))
}

/// The complex-cell measures of ISA (reference T14): per subspace, the orientation coherence of
/// its basis vectors' Gabor fits (`fits`, in the order of [`isa::Isa::basis`]) and the
/// phase-invariance index of its pooled energy over [`isa::Isa::filters`] at the grating its
/// basis vectors prefer ([`group_measures_at_receptive_fields`]); the same for a seeded random
/// regrouping of the same filters.
///
/// # Errors
/// As [`group_measures`].
pub fn complex_cells(
    model: &isa::Isa,
    fits: &[FilterStats],
    patch: usize,
    seed: u64,
) -> Result<ComplexCells> {
    let filters = model.filters();
    let th: Vec<Real> = fits.iter().map(|f| f.orientation_deg).collect();
    let basis = model.basis();
    let (c, pi) =
        group_measures_at_receptive_fields(&filters, &basis, &th, &model.groups(), patch)?;
    let random = isa::random_groups(filters.nrows(), model.subspace_dim, mix(seed, 6, 0));
    let (rc, rpi) = group_measures_at_receptive_fields(&filters, &basis, &th, &random, patch)?;
    Ok(ComplexCells {
        median_coherence: c,
        median_phase_invariance: pi,
        random_groups_coherence: rc,
        random_groups_phase_invariance: rpi,
    })
}

/// Runs `v1`.
///
/// # Errors
/// Invalid parameters (checked first), unreadable images, learner failures.
pub fn run(p: &V1Params, progress: &dyn Progress) -> Result<V1Result> {
    p.check()?;
    let x = patches(p)?;
    let fitter = GaborFitter {
        seed: mix(p.seed, 5, 0),
        ..GaborFitter::default()
    };
    progress.start("v1", p.methods.len() as u64);
    let mut methods = Vec::with_capacity(p.methods.len());
    for m in &p.methods {
        let learned = learn(m, &x, p)?;
        let fits = fitter.fit_rows(&learned.filters, learned.size, learned.size)?;
        let mut summary = summarise(m, &learned.filters, &fits, learned.size)?;
        if let Some(model) = &learned.isa {
            summary.complex_cells = Some(complex_cells(model, &summary.fits, p.patch, p.seed)?);
        }
        methods.push(summary);
        progress.inc(1);
    }
    progress.finish();
    Ok(V1Result {
        version: VERSION.to_string(),
        params: p.clone(),
        methods,
        ringach: v1stats::ringach_reference(),
    })
}

/// Ringach's (2002) 79 macaque simple cells as `(nx, ny)` points for the scatter figure: each
/// cell of [`v1stats::RINGACH_COUNTS`] placed inside its log-spaced bin on a deterministic
/// low-discrepancy lattice (the digitised histogram keeps only the bins).
pub fn ringach_points() -> Vec<(Real, Real)> {
    let e: Vec<Real> = v1stats::ringach_bin_edges()
        .iter()
        .map(|v| v.log10())
        .collect();
    let mut out = Vec::new();
    for (i, row) in v1stats::RINGACH_COUNTS.iter().enumerate() {
        for (j, &c) in row.iter().enumerate() {
            for k in 0..c {
                let u = (k as Real + 0.5) / c as Real;
                let v = (0.5 + k as Real * 0.618_033_988_749_895).fract();
                out.push((
                    10f64.powf(e[i] + u * (e[i + 1] - e[i])),
                    10f64.powf(e[j] + v * (e[j + 1] - e[j])),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ringach_points_fall_in_their_bins() {
        let pts = ringach_points();
        assert_eq!(pts.len(), 79);
        let h = v1stats::nx_ny_histogram(&pts);
        assert_eq!(h, v1stats::RINGACH_COUNTS);
    }

    #[test]
    fn check_refuses_bad_parameters() {
        let ok = V1Params::default();
        assert!(ok.check().is_ok());
        let bad = [
            V1Params {
                methods: vec![],
                ..ok.clone()
            },
            V1Params {
                methods: vec!["pca".into()],
                ..ok.clone()
            },
            V1Params {
                methods: vec!["ica".into(), "ica".into()],
                ..ok.clone()
            },
            V1Params {
                control: Some("pink".into()),
                ..ok.clone()
            },
            V1Params {
                whitening: "pca".into(),
                ..ok.clone()
            },
            V1Params {
                filters: 62,
                ..ok.clone()
            },
            V1Params {
                patches: 10,
                ..ok.clone()
            },
            V1Params {
                cnn_patches: 30_000,
                ..ok.clone()
            },
            V1Params {
                steps: 0,
                ..ok.clone()
            },
        ];
        for b in bad {
            assert!(b.check().is_err(), "{b:?}");
        }
    }
}
