//! `features`: receptive fields learned by Oja (one unit per run, k seeds), Sanger (Sanger 1989)
//! and BCM (Bienenstock, Cooper & Munro 1982) on dead-leaves image patches (Lee, Mumford & Huang
//! 2001 model of natural-image statistics) and on the bundled digits; each filter set is compared
//! with the principal subspace of the same data (principal-angle distance).

use serde::{Deserialize, Serialize};

use crate::plasticity::local::train::{RateSchedule, RuleTrainConfig};
use crate::plasticity::local::{self, Batch, LocalRule};
use crate::tensor::{Matrix, Real};
use crate::{Error, Progress, Result, VERSION};

/// Learning rules used by `features`.
pub const RULES: &[&str] = &["oja", "sanger", "bcm"];
/// Data sources used by `features`.
pub const SOURCES: &[&str] = &["dead-leaves", "digits"];

/// Parameters of `features`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturesParams {
    /// Number of units (filters) per rule.
    pub units: usize,
    /// Updates per rule.
    pub steps: usize,
    /// Learning rate.
    pub learning_rate: Real,
    /// Patch side for dead leaves.
    pub patch: usize,
    /// Patches (or digits) used.
    pub samples: usize,
    /// Seed.
    pub seed: u64,
    /// Sources (subset of [`SOURCES`]).
    pub sources: Vec<String>,
}

impl Default for FeaturesParams {
    fn default() -> Self {
        Self {
            units: 8,
            steps: 4000,
            learning_rate: 1e-3,
            patch: 8,
            samples: 5000,
            seed: 0,
            sources: SOURCES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// Filters learned by one rule on one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterSet {
    /// Data source.
    pub source: String,
    /// Rule.
    pub rule: String,
    /// Image shape of each filter.
    pub shape: (usize, usize),
    /// Filters, one per unit, row-major.
    pub filters: Vec<Vec<Real>>,
    /// Principal-subspace distance of the filters' span (numerical rank `rank`) to the top-`rank`
    /// principal subspace (0 = same span, `sqrt(rank)` = orthogonal).
    pub subspace_distance_to_pca: Real,
    /// Numerical rank of the filter set (Oja's independent units collapse to rank 1).
    pub rank: usize,
}

/// Result of `features`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturesResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: FeaturesParams,
    /// One entry per (source, rule).
    pub sets: Vec<FilterSet>,
}

/// Centred, unit-variance (global scale) data of `source` and its image shape.
///
/// # Errors
/// [`Error::UnknownName`] listing [`SOURCES`]; generator errors.
pub fn source_data(source: &str, p: &FeaturesParams) -> Result<(Matrix, (usize, usize))> {
    let (mut x, shape) = match source {
        "dead-leaves" => {
            let leaves = crate::data::generators::DeadLeaves::default();
            let imgs = leaves.images(8, p.seed)?;
            (
                crate::data::generators::sample_patches(&imgs, p.patch, p.samples, p.seed)?,
                (p.patch, p.patch),
            )
        }
        "digits" => {
            let ds = crate::data::bundled::digits()?;
            let n = p.samples.min(ds.len());
            (
                ds.features.rows(0, n).into_owned(),
                ds.image_shape.unwrap_or((8, 8)),
            )
        }
        other => return Err(Error::unknown("feature source", other, SOURCES)),
    };
    let mean = x.row_mean();
    for mut r in x.row_iter_mut() {
        r -= &mean;
    }
    let sd = (x.norm_squared() / x.len() as Real).sqrt();
    if sd > 0.0 {
        x /= sd;
    }
    Ok((x, shape))
}

/// Trains `rule` with `units` rows on `x` (rows = samples) and returns the weights (units x d).
///
/// # Errors
/// Unknown rule names; divergence.
pub fn learn(rule: &str, x: &Matrix, p: &FeaturesParams, seed: u64) -> Result<Matrix> {
    use rand::SeedableRng;
    let r: Box<dyn LocalRule> = local::rule_by_name(rule)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut w = Matrix::from_fn(p.units, x.ncols(), |_, _| {
        rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng)
    });
    w *= 0.1 / (x.ncols() as Real).sqrt();
    let batch = Batch::new(x.clone())?;
    let cfg = RuleTrainConfig::new(RateSchedule::Constant(p.learning_rate), p.steps, 16);
    local::train::train_rule(r.as_ref(), &mut w, &batch, &cfg)?;
    Ok(w)
}

/// Distance between the row span of `w` (k x d) and the principal subspace of `x` of the same
/// dimension. The span is taken from the singular vectors of `w` whose singular values exceed
/// `1e-6` of the largest (its numerical rank `r`), and compared with the top-`r` principal
/// subspace: several Oja units (Oja 1982, one unit per row, no decorrelation) all converge to the
/// first principal component, so their span has rank 1 and is compared with PC 1.
///
/// # Errors
/// Tensor errors (e.g. empty data).
pub fn distance_to_pca(w: &Matrix, x: &Matrix) -> Result<Real> {
    let pca = crate::tensor::geometry::pca(x)?;
    let wt = w.transpose();
    let svd = wt.clone().svd(true, false);
    let smax = svd.singular_values.iter().copied().fold(0.0, Real::max);
    let u = svd.u.ok_or_else(|| Error::Internal {
        what: "svd",
        reason: "no left singular vectors".into(),
    })?;
    let keep: Vec<usize> = (0..svd.singular_values.len())
        .filter(|&i| svd.singular_values[i] > 1e-6 * smax)
        .collect();
    let r = keep.len().min(pca.components.ncols());
    if r == 0 {
        return Err(Error::invalid("filters", "all zero", "no span to compare"));
    }
    let basis = Matrix::from_fn(wt.nrows(), r, |i, j| u[(i, keep[j])]);
    let top = pca.components.columns(0, r).into_owned();
    Ok(crate::tensor::geometry::subspace_distance(&basis, &top)?)
}

/// Numerical rank of the filters (see [`distance_to_pca`]).
pub fn rank(w: &Matrix) -> usize {
    let sv = w.clone().svd(false, false).singular_values;
    let smax = sv.iter().copied().fold(0.0, Real::max);
    sv.iter().filter(|&&v| v > 1e-6 * smax).count()
}

/// Runs `features`.
///
/// # Errors
/// Unknown source names; invalid sizes; divergence of a rule.
pub fn run(p: &FeaturesParams, progress: &dyn Progress) -> Result<FeaturesResult> {
    if p.units == 0 || p.steps == 0 || p.samples < 2 || p.patch < 2 {
        return Err(Error::invalid(
            "units/steps/samples/patch",
            format!("{}/{}/{}/{}", p.units, p.steps, p.samples, p.patch),
            "units, steps >= 1; samples, patch >= 2",
        ));
    }
    // Sanger's and Oja's subspace rules form units x units products; the data is samples x
    // patch^2 (a few copies while sampling and centring).
    let (u, d, n) = (p.units as f64, (p.patch * p.patch) as f64, p.samples as f64);
    let flag = if n * d > u * u { "samples" } else { "units" };
    let value = if flag == "samples" {
        p.samples
    } else {
        p.units
    };
    super::check_memory(flag, value, 8.0 * (4.0 * u * u + 4.0 * u * d + 3.0 * n * d))?;
    let mut sets = Vec::new();
    progress.start("features", (p.sources.len() * RULES.len()) as u64);
    for src in &p.sources {
        let (x, shape) = source_data(src, p)?;
        for rule in RULES {
            let w = learn(rule, &x, p, p.seed).map_err(|e| match e {
                Error::Plasticity(crate::plasticity::PlasticityError::Diverged {
                    what,
                    step,
                    norm,
                }) => Error::Plasticity(crate::plasticity::PlasticityError::Diverged {
                    what: format!("{what} on source {src}"),
                    step,
                    norm,
                }),
                e => e,
            })?;
            sets.push(FilterSet {
                source: src.clone(),
                rule: rule.to_string(),
                shape,
                filters: w.row_iter().map(|r| r.iter().copied().collect()).collect(),
                subspace_distance_to_pca: distance_to_pca(&w, &x)?,
                rank: rank(&w),
            });
            progress.inc(1);
        }
    }
    progress.finish();
    Ok(FeaturesResult {
        version: VERSION.to_string(),
        params: p.clone(),
        sets,
    })
}
