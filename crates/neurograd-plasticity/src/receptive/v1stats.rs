//! V1 statistics of receptive fields: Ringach's (2002) shape parameters, bandwidths, coverage, the
//! Ringach reference data, grating tuning curves, and the complex-cell measures.
//!
//! **Shape** (Ringach 2002, J Neurophysiol 88:455): from a Gabor fit ([`super::gabor`]),
//! `nx = sigma_x f` and `ny = sigma_y f`, the envelope widths across and along the bars in carrier
//! periods. Only fits with `R^2 >= threshold` and `f >= 1/P` count: below one cycle per filter the
//! Gabor degenerates towards a derivative of a Gaussian (`A -> inf`, `f -> 0`) and `nx, ny` come out
//! near 0 (the "degenerate" fraction is reported separately). A fit is *localised* when
//! `sigma_x, sigma_y <= P/2` (plane waves such as PCA components fit with `sigma` at the `2P` bound).
//!
//! **Bandwidths** implied by a Gabor, at half amplitude of its Gaussian spectrum, ignoring the
//! negative-frequency lobe, with `kappa = sqrt(2 ln 2) / (2 pi) ~ 0.187`:
//!
//! ```text
//! spatial-frequency bandwidth  B = log2[(1 + kappa/nx) / (1 - kappa/nx)]  octaves (infinite, i.e.
//!                                  low-pass, for nx <= kappa)
//! orientation half-width       ~ atan(kappa / ny)
//! ```
//!
//! (the spectrum of the envelope is a Gaussian of standard deviation `1/(2 pi sigma)`, which falls
//! to half at `kappa / sigma` from the carrier). Macaque medians: about 1.4 octaves (De Valois,
//! Albrecht & Thorell 1982) and about 40 degrees full width (De Valois, Yund & Hepler 1982).
//! [`tuning`] measures both numerically from grating responses of any filter.
//!
//! **Complex cells.** [`phase_invariance`]: the energy `E(psi) = sum_j <w_j, grating(psi)>^2` of a
//! pooled group of subunits (Adelson & Bergen 1985; Hyvärinen & Hoyer 2000) over the grating
//! phase `psi`; `PI = min E / max E` (1 for a quadrature pair, 0 for a single squared filter),
//! at the group's [`preferred_grating`] (for a PCA-whitened learner, the one of its basis vectors,
//! see there).
//! [`f1_f0`]: the modulation ratio of a response to a drifting grating (Skottun et al. 1991;
//! `> 1` simple, `< 1` complex; a half-wave-rectified linear unit gives `pi/2`). Any sum of
//! squares has `F1 = 0` (its modulation is at twice the grating frequency), so use PI for
//! energy units.

use super::gabor::GaborFit;
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// `kappa = sqrt(2 ln 2) / (2 pi)`: a Gabor's spectrum falls to half amplitude `kappa / sigma`
/// from its carrier.
pub const KAPPA: Real = 0.187_390_625_129_277_6;

/// Ringach (2002) macaque simple cells: the joint `(nx, ny)` histogram (n = 79 cells) as digitised
/// in VOneNet (Dapello et al. 2020; `dicarlolab/vonenet`, `vonenet/params.py`, "Ringach 2002b").
/// `counts[i][j]` counts cells with `nx` in bin `i` and `ny` in bin `j`; the bins are
/// [`ringach_bin_edges`].
pub const RINGACH_COUNTS: [[u32; 5]; 5] = [
    [2, 0, 1, 0, 0],
    [8, 9, 4, 1, 0],
    [1, 2, 19, 17, 3],
    [0, 0, 1, 7, 4],
    [0, 0, 0, 0, 0],
];

/// The log-spaced bin edges of [`RINGACH_COUNTS`]: `10^(-1 + 0.24 k)`, `k = 0..=5` (NumPy's
/// `logspace(-1, 0.2, 6)`): 0.100, 0.174, 0.302, 0.525, 0.912, 1.585.
pub fn ringach_bin_edges() -> [Real; 6] {
    std::array::from_fn(|k| 10f64.powf(-1.0 + 0.24 * k as Real))
}

/// The Ringach (2002) reference distribution and the statistics the reference note derives from
/// it (log-interpolation within bins).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RingachReference {
    /// Number of cells (79).
    pub n_cells: u32,
    /// Median `nx` (about 0.37).
    pub median_nx: Real,
    /// Median `ny` (about 0.44).
    pub median_ny: Real,
    /// Fraction with both `nx` and `ny` below the bin edge 0.525 (46/79, about 58 %).
    pub fraction_both_below_half: Real,
}

/// Statistics of the vendored Ringach histogram (see [`RingachReference`]).
pub fn ringach_reference() -> RingachReference {
    let nx: Vec<u32> = RINGACH_COUNTS.iter().map(|r| r.iter().sum()).collect();
    let ny: Vec<u32> = (0..5)
        .map(|j| RINGACH_COUNTS.iter().map(|r| r[j]).sum())
        .collect();
    let n: u32 = nx.iter().sum();
    let both: u32 = RINGACH_COUNTS[..3]
        .iter()
        .map(|r| r[..3].iter().sum::<u32>())
        .sum();
    RingachReference {
        n_cells: n,
        median_nx: binned_median(&nx),
        median_ny: binned_median(&ny),
        fraction_both_below_half: Real::from(both) / Real::from(n),
    }
}

/// Median of a histogram over [`ringach_bin_edges`], interpolating linearly in `log10` inside the
/// bin that holds the middle count.
fn binned_median(counts: &[u32]) -> Real {
    let edges = ringach_bin_edges();
    let half = Real::from(counts.iter().sum::<u32>()) / 2.0;
    let mut below = 0.0;
    for (k, &c) in counts.iter().enumerate() {
        let c = Real::from(c);
        if below + c >= half && c > 0.0 {
            let t = (half - below) / c;
            return 10f64.powf(edges[k].log10() + t * (edges[k + 1].log10() - edges[k].log10()));
        }
        below += c;
    }
    edges[5]
}

/// Histogram of `(nx, ny)` pairs on the Ringach bins (values outside the bins are not counted),
/// for a side-by-side comparison with [`RINGACH_COUNTS`].
pub fn nx_ny_histogram(pairs: &[(Real, Real)]) -> [[u32; 5]; 5] {
    let edges = ringach_bin_edges();
    let bin = |v: Real| (0..5).find(|&k| v >= edges[k] && v < edges[k + 1]);
    let mut h = [[0; 5]; 5];
    for &(nx, ny) in pairs {
        if let (Some(i), Some(j)) = (bin(nx), bin(ny)) {
            h[i][j] += 1;
        }
    }
    h
}

/// Spatial-frequency bandwidth (octaves, full width at half amplitude) of a Gabor with shape `nx`:
/// `log2[(1 + kappa/nx) / (1 - kappa/nx)]`, and `+inf` (low-pass: the half-amplitude point
/// below the peak does not exist) for `nx <= kappa`; NaN for a NaN or negative `nx`.
pub fn sf_bandwidth_octaves(nx: Real) -> Real {
    if nx.is_nan() || nx < 0.0 {
        return Real::NAN;
    }
    if nx <= KAPPA {
        return Real::INFINITY;
    }
    let r = KAPPA / nx;
    ((1.0 + r) / (1.0 - r)).log2()
}

/// Orientation half-width at half amplitude (degrees) of a Gabor with shape `ny`:
/// `atan(kappa / ny)` (probing with gratings reads about 1.5 degrees higher at `ny = 0.44`).
pub fn orientation_half_width_deg(ny: Real) -> Real {
    (KAPPA / ny).atan().to_degrees()
}

/// The V1 statistics of one fitted filter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FilterStats {
    /// `R^2` of the Gabor fit.
    pub r2: Real,
    /// Whether `R^2 >= threshold`.
    pub well_fit: bool,
    /// Whether the carrier has less than one cycle across the filter (`f < 1/P`).
    pub degenerate: bool,
    /// Whether `sigma_x, sigma_y <= P/2`.
    pub localised: bool,
    /// `nx = sigma_x f`.
    pub nx: Real,
    /// `ny = sigma_y f`.
    pub ny: Real,
    /// Orientation of the modulation direction `theta`, degrees in `[0, 180)`.
    pub orientation_deg: Real,
    /// Carrier frequency, cycles per pixel.
    pub frequency: Real,
    /// [`sf_bandwidth_octaves`]`(nx)`.
    pub sf_bandwidth_octaves: Real,
    /// [`orientation_half_width_deg`]`(ny)`.
    pub orientation_half_width_deg: Real,
}

/// The statistics of one fit, with the well-fit threshold `r2_threshold` (0.8 in the reference).
pub fn filter_stats(fit: &GaborFit, r2_threshold: Real) -> FilterStats {
    let p = fit.params;
    let size = fit.size() as Real;
    FilterStats {
        r2: fit.r2,
        well_fit: fit.r2 >= r2_threshold,
        degenerate: p.frequency < 1.0 / size,
        localised: p.sigma_x <= size / 2.0 && p.sigma_y <= size / 2.0,
        nx: p.nx(),
        ny: p.ny(),
        orientation_deg: p.theta.to_degrees().rem_euclid(180.0),
        frequency: p.frequency,
        sf_bandwidth_octaves: sf_bandwidth_octaves(p.nx()),
        orientation_half_width_deg: orientation_half_width_deg(p.ny()),
    }
}

/// The population summary of a set of fitted filters (the `neurograd v1` table row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct V1Summary {
    /// Number of filters.
    pub n_filters: usize,
    /// Fraction with `R^2 >= threshold` (Gabor-like).
    pub fraction_gabor: Real,
    /// Fraction that are Gabor-like and localised.
    pub fraction_localised_gabor: Real,
    /// Among the Gabor-like, the fraction with `f < 1/P` (derivative-of-Gaussian limit).
    pub fraction_degenerate: Real,
    /// Median `R^2` over all filters.
    pub median_r2: Real,
    /// Median `nx` over the Gabor-like, non-degenerate filters (NaN if there are none).
    pub median_nx: Real,
    /// Median `ny` over the Gabor-like, non-degenerate filters (NaN if there are none).
    pub median_ny: Real,
    /// Among those, the fraction with both `nx < 0.5` and `ny < 0.5` (macaque: about 58 %).
    pub fraction_both_below_half: Real,
    /// Fraction of the 8 orientation bins of 22.5 degrees over `[0, 180)` holding at least one
    /// Gabor-like, non-degenerate filter.
    pub orientation_coverage: Real,
    /// Fraction of the octave bands between `1/P` and `1/2` cycles/px holding at least one
    /// Gabor-like, non-degenerate filter's frequency.
    pub frequency_coverage: Real,
    /// Median spatial-frequency bandwidth (octaves) of the Gabor-like, non-degenerate filters.
    pub median_sf_bandwidth_octaves: Real,
    /// Median orientation half-width (degrees) of the Gabor-like, non-degenerate filters.
    pub median_orientation_half_width_deg: Real,
}

/// Median of a slice (NaN for an empty one; the mean of the two middle values for an even count).
pub fn median(values: &[Real]) -> Real {
    if values.is_empty() {
        return Real::NAN;
    }
    let mut v = values.to_vec();
    v.sort_by(Real::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Fraction of `n_bins` equal orientation bins over `[0, 180)` degrees that hold at least one of
/// `orientations_deg` (taken modulo 180); 0 for no orientations or no bins.
pub fn orientation_coverage(orientations_deg: &[Real], n_bins: usize) -> Real {
    if n_bins == 0 {
        return 0.0;
    }
    let mut hit = vec![false; n_bins];
    for &o in orientations_deg.iter().filter(|o| o.is_finite()) {
        let b = ((o.rem_euclid(180.0) / 180.0) * n_bins as Real) as usize;
        hit[b.min(n_bins - 1)] = true;
    }
    hit.iter().filter(|&&h| h).count() as Real / n_bins as Real
}

/// Fraction of the octave bands `[2^k / P, 2^(k+1) / P)` between `1/P` and `1/2` cycles/px (the
/// last band is closed at 1/2) that hold at least one of `frequencies`; `size` is `P >= 2`.
pub fn frequency_coverage(frequencies: &[Real], size: usize) -> Real {
    if size < 2 {
        return 0.0;
    }
    let lo = 1.0 / size as Real;
    let n_bands = (0.5 / lo).log2().ceil().max(1.0) as usize;
    let mut hit = vec![false; n_bands];
    for &f in frequencies
        .iter()
        .filter(|f| f.is_finite() && **f >= lo && **f <= 0.5)
    {
        let b = (f / lo).log2().floor() as usize;
        hit[b.min(n_bands - 1)] = true;
    }
    hit.iter().filter(|&&h| h).count() as Real / n_bands as Real
}

/// `|mean exp(2 i theta)|` of orientations in degrees: 1 when all are parallel, near 0 when they
/// are spread evenly (the orientation coherence of an ISA subspace; 1 minus it is the circular
/// variance of the set).
pub fn orientation_resultant(orientations_deg: &[Real]) -> Real {
    if orientations_deg.is_empty() {
        return Real::NAN;
    }
    let (c, s) = orientations_deg.iter().fold((0.0, 0.0), |(c, s), o| {
        let t = 2.0 * o.to_radians();
        (c + t.cos(), s + t.sin())
    });
    c.hypot(s) / orientations_deg.len() as Real
}

/// Summarises fits with the well-fit threshold `r2_threshold` (see [`V1Summary`]).
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for no fits or a threshold outside `[0, 1]`.
pub fn summarize(fits: &[GaborFit], r2_threshold: Real) -> Result<V1Summary> {
    if fits.is_empty() {
        return Err(PlasticityError::InvalidParameter {
            name: "fits",
            value: "[]".into(),
            reason: "needs at least one fitted filter".into(),
        });
    }
    if !(0.0..=1.0).contains(&r2_threshold) {
        return Err(PlasticityError::InvalidParameter {
            name: "r2_threshold",
            value: r2_threshold.to_string(),
            reason: "must lie in [0, 1]".into(),
        });
    }
    let stats: Vec<FilterStats> = fits.iter().map(|f| filter_stats(f, r2_threshold)).collect();
    let n = stats.len() as Real;
    let gabor: Vec<&FilterStats> = stats.iter().filter(|s| s.well_fit).collect();
    let good: Vec<&FilterStats> = gabor.iter().copied().filter(|s| !s.degenerate).collect();
    let frac = |k: usize, of: usize| {
        if of == 0 {
            Real::NAN
        } else {
            k as Real / of as Real
        }
    };
    let pick = |g: fn(&FilterStats) -> Real| good.iter().map(|s| g(s)).collect::<Vec<_>>();
    let size = fits.iter().map(GaborFit::size).max().unwrap_or(1);
    Ok(V1Summary {
        n_filters: stats.len(),
        fraction_gabor: gabor.len() as Real / n,
        fraction_localised_gabor: gabor.iter().filter(|s| s.localised).count() as Real / n,
        fraction_degenerate: frac(gabor.iter().filter(|s| s.degenerate).count(), gabor.len()),
        median_r2: median(&stats.iter().map(|s| s.r2).collect::<Vec<_>>()),
        median_nx: median(&pick(|s| s.nx)),
        median_ny: median(&pick(|s| s.ny)),
        fraction_both_below_half: frac(
            good.iter().filter(|s| s.nx < 0.5 && s.ny < 0.5).count(),
            good.len(),
        ),
        orientation_coverage: orientation_coverage(&pick(|s| s.orientation_deg), 8),
        frequency_coverage: frequency_coverage(&pick(|s| s.frequency), size),
        median_sf_bandwidth_octaves: median(&pick(|s| s.sf_bandwidth_octaves)),
        median_orientation_half_width_deg: median(&pick(|s| s.orientation_half_width_deg)),
    })
}

/// Checks a filter for the grating probes: non-empty and finite.
fn check_probe_filter(filter: &Matrix, what: &str) -> Result<()> {
    if filter.is_empty() {
        return Err(PlasticityError::InvalidParameter {
            name: "filter",
            value: "0 pixels".into(),
            reason: format!("{what} needs a non-empty filter"),
        });
    }
    if let Some(index) = filter.iter().position(|v| !v.is_finite()) {
        return Err(PlasticityError::NonFinite {
            what: format!("{what} filter"),
            index,
        });
    }
    Ok(())
}

/// A unit-contrast grating `cos(2 pi f (x cos theta + y sin theta) + phase)` on a `rows x cols`
/// grid in the centred pixel coordinates of [`super::gabor`].
pub fn grating(rows: usize, cols: usize, f: Real, theta: Real, phase: Real) -> Matrix {
    let (cx, cy) = ((cols as Real - 1.0) / 2.0, (rows as Real - 1.0) / 2.0);
    let (s, c) = theta.sin_cos();
    Matrix::from_fn(rows, cols, |r, col| {
        let (x, y) = (col as Real - cx, r as Real - cy);
        (2.0 * PI * f * (x * c + y * s) + phase).cos()
    })
}

/// The amplitude of a linear filter's response to a grating of frequency `f` (cycles/px) and
/// direction `theta`, maximised over the grating phase: `|sum_x w(x) exp(-2 pi i f u . x)|`,
/// `u = (cos theta, sin theta)` (the modulus of the filter's discrete-space Fourier transform).
pub fn grating_amplitude(filter: &Matrix, f: Real, theta: Real) -> Real {
    let (rows, cols) = filter.shape();
    let (cx, cy) = ((cols as Real - 1.0) / 2.0, (rows as Real - 1.0) / 2.0);
    let (s, c) = theta.sin_cos();
    let (mut re, mut im) = (0.0, 0.0);
    for r in 0..rows {
        for col in 0..cols {
            let t = 2.0 * PI * f * ((col as Real - cx) * c + (r as Real - cy) * s);
            re += filter[(r, col)] * t.cos();
            im -= filter[(r, col)] * t.sin();
        }
    }
    re.hypot(im)
}

/// Tuning of a filter measured with gratings (see [`tuning`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Tuning {
    /// Preferred frequency (cycles/px).
    pub preferred_frequency: Real,
    /// Preferred modulation direction (radians, `[0, pi)`).
    pub preferred_theta: Real,
    /// Spatial-frequency bandwidth, octaves at half amplitude; `+inf` when the response does not
    /// fall to half below the peak (low-pass) or above it before 1/2 cycle/px.
    pub sf_bandwidth_octaves: Real,
    /// Whether the response stays above half amplitude down to `f -> 0`.
    pub low_pass: bool,
    /// Orientation half-width at half amplitude (degrees; 90 when never below half).
    pub orientation_half_width_deg: Real,
    /// Circular variance `1 - |sum r_k e^{2 i theta_k}| / sum r_k` of the orientation tuning
    /// curve at the preferred frequency (36 directions; Ringach, Shapley & Hawken 2002).
    pub circular_variance: Real,
}

/// Bisection for the crossing of `g` with `level` between `a` (above) and `b` (below).
fn bisect(g: impl Fn(Real) -> Real, level: Real, mut a: Real, mut b: Real) -> Real {
    for _ in 0..60 {
        let m = 0.5 * (a + b);
        if g(m) >= level {
            a = m;
        } else {
            b = m;
        }
    }
    0.5 * (a + b)
}

/// Measures the grating tuning of any filter: the preferred `(f, theta)` maximises
/// [`grating_amplitude`] (a 64 x 72 grid over `(0, 1/2] x [0, pi)` refined by coordinate golden
/// sections); the SF bandwidth is `log2(f_hi / f_lo)` with `f_lo < f_pk < f_hi` the half-amplitude
/// crossings along `theta_pk` (bisection), the orientation half-width the half-amplitude crossing
/// of `theta` at `f_pk`. For a Gabor with nx = 0.42, ny = 0.44 this reads 1.38 octaves and about
/// 24.6 degrees (vision reference, T15).
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for an empty filter or one with no response to any
/// grating (all zero), [`PlasticityError::NonFinite`].
pub fn tuning(filter: &Matrix) -> Result<Tuning> {
    check_probe_filter(filter, "tuning")?;
    let amp = |f: Real, t: Real| grating_amplitude(filter, f, t);
    let ((mut f_pk, mut t_pk), best) = grid_argmax(amp);
    if best <= 0.0 {
        return Err(PlasticityError::InvalidParameter {
            name: "filter",
            value: "zero response".into(),
            reason: "the filter responds to no grating".into(),
        });
    }
    let golden = |g: &dyn Fn(Real) -> Real, mut a: Real, mut b: Real| {
        let r = (5f64.sqrt() - 1.0) / 2.0;
        for _ in 0..50 {
            let (c, d) = (b - r * (b - a), a + r * (b - a));
            if g(c) >= g(d) {
                b = d;
            } else {
                a = c;
            }
        }
        0.5 * (a + b)
    };
    for _ in 0..3 {
        f_pk = golden(
            &|f| amp(f, t_pk),
            (f_pk - 1.0 / 128.0).max(1e-6),
            (f_pk + 1.0 / 128.0).min(0.5),
        );
        t_pk = golden(&|t| amp(f_pk, t), t_pk - PI / 72.0, t_pk + PI / 72.0);
    }
    let peak = amp(f_pk, t_pk);
    let half = peak / 2.0;
    let along = |f: Real| amp(f, t_pk);
    let low_pass = along(1e-9) >= half;
    let f_lo = (!low_pass).then(|| bisect(along, half, f_pk, 1e-9));
    let f_hi = (along(0.5) < half).then(|| bisect(along, half, f_pk, 0.5));
    let sf_bandwidth_octaves = match (f_lo, f_hi) {
        (Some(lo), Some(hi)) => (hi / lo).log2(),
        _ => Real::INFINITY,
    };
    let across = |d: Real| amp(f_pk, t_pk + d);
    let orientation_half_width_deg = if across(PI / 2.0) < half {
        bisect(across, half, 0.0, PI / 2.0).to_degrees()
    } else {
        90.0
    };
    let (mut c, mut s, mut sum) = (0.0, 0.0, 0.0);
    for k in 0..36 {
        let t = PI * k as Real / 36.0;
        let r = amp(f_pk, t);
        c += r * (2.0 * t).cos();
        s += r * (2.0 * t).sin();
        sum += r;
    }
    Ok(Tuning {
        preferred_frequency: f_pk,
        preferred_theta: t_pk.rem_euclid(PI),
        sf_bandwidth_octaves,
        low_pass,
        orientation_half_width_deg,
        circular_variance: 1.0 - c.hypot(s) / sum,
    })
}

/// Checks a group of subunits: non-empty, equal shapes, finite.
fn check_group(subunits: &[Matrix]) -> Result<(usize, usize)> {
    let first = subunits
        .first()
        .ok_or_else(|| PlasticityError::InvalidParameter {
            name: "subunits",
            value: "[]".into(),
            reason: "needs at least one subunit".into(),
        })?;
    for s in subunits {
        if s.shape() != first.shape() {
            return Err(PlasticityError::ShapeMismatch {
                op: "phase invariance subunits",
                expected: first.shape(),
                got: s.shape(),
            });
        }
        check_probe_filter(s, "phase invariance")?;
    }
    Ok(first.shape())
}

/// The pooled energies `E(psi_k) = sum_j <w_j, grating(f, theta, psi_k)>^2` at `n_phases` equally
/// spaced grating phases `psi_k = 2 pi k / n_phases`.
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for no subunits or `n_phases < 2`,
/// [`PlasticityError::ShapeMismatch`] for subunits of different shapes,
/// [`PlasticityError::NonFinite`].
pub fn pooled_energies(
    subunits: &[Matrix],
    f: Real,
    theta: Real,
    n_phases: usize,
) -> Result<Vec<Real>> {
    let (rows, cols) = check_group(subunits)?;
    if n_phases < 2 {
        return Err(PlasticityError::InvalidParameter {
            name: "n_phases",
            value: n_phases.to_string(),
            reason: "must be at least 2".into(),
        });
    }
    Ok(phase_gratings(rows, cols, f, theta, n_phases)
        .map(|g| subunits.iter().map(|w| w.dot(&g).powi(2)).sum())
        .collect())
}

/// The gratings `(f, theta)` at `n_phases` equally spaced phases `psi_k = 2 pi k / n_phases`.
fn phase_gratings(
    rows: usize,
    cols: usize,
    f: Real,
    theta: Real,
    n_phases: usize,
) -> impl Iterator<Item = Matrix> {
    (0..n_phases).map(move |k| {
        grating(
            rows,
            cols,
            f,
            theta,
            2.0 * PI * k as Real / n_phases as Real,
        )
    })
}

/// The grating `(f, theta)` on the 64 x 72 grid `f = i/128` (`i = 1..=64`), `theta = j pi / 72`
/// that maximises `score`, and the maximum (the first on ties).
fn grid_argmax(score: impl Fn(Real, Real) -> Real) -> ((Real, Real), Real) {
    let (mut at, mut best) = ((0.0, 0.0), Real::NEG_INFINITY);
    for i in 1..=64 {
        let f = 0.5 * i as Real / 64.0;
        for j in 0..72 {
            let t = PI * j as Real / 72.0;
            let v = score(f, t);
            if v > best {
                (at, best) = ((f, t), v);
            }
        }
    }
    (at, best)
}

/// The grating `(f, theta)` preferred by a group of receptive fields: the maximum of the summed
/// power `sum_j |W_j(f, theta)|^2` ([`grating_amplitude`] squared, i.e. twice the phase-averaged
/// pooled energy) on the 64 x 72 grid `f = i/128` (`i = 1..=64`), `theta = j pi / 72` of
/// [`tuning`] (the first maximum on ties).
///
/// For a learner on whitened data, pass the group's *basis vectors* (the receptive fields that
/// the Gabor fits and the orientation coherence describe), then measure
/// [`phase_invariance`] of the *filters* at this grating: the pixel-space filters `W K` of a
/// PCA-whitened model invert the data's covariance, so their power peaks near Nyquist, in the
/// band that the Olshausen & Field low-pass `exp(-(f/0.4)^4)` left almost empty (amplitude gain
/// `e^-2.4 ~ 0.09` at 0.5 cycles/px); a grating there probes that amplification, where a single
/// filter of the group dominates, not the subspace's tuning (measured on ISA at 8 x 8, k = 48:
/// the filters' own optimum sits at 0.41-0.5 cycles/px and gives a median PI of 0.05, the basis
/// vectors' at 0.10-0.23 cycles/px, where the Gabor fits put them, gives 0.50).
///
/// # Errors
/// As [`phase_invariance`] (no receptive fields, different shapes, non-finite values).
pub fn preferred_grating(receptive_fields: &[Matrix]) -> Result<(Real, Real)> {
    check_group(receptive_fields)?;
    Ok(grid_argmax(|f, t| {
        receptive_fields
            .iter()
            .map(|w| grating_amplitude(w, f, t).powi(2))
            .sum()
    })
    .0)
}

/// The phase-invariance index `PI = min_psi E / max_psi E` of the pooled energy of `subunits`
/// (see [`pooled_energies`]) at the grating `(f, theta)`; `None` for `(f, theta) = None` means the
/// subunits' own [`preferred_grating`] (for PCA-whitened learners pass the one of the basis
/// vectors instead, see there). 1 for an ideal quadrature pair (energy model, Adelson & Bergen
/// 1985), 0 for a single squared filter. Uses 32 phases.
///
/// # Errors
/// As [`pooled_energies`]; [`PlasticityError::InvalidParameter`] when the energy is zero at every
/// phase.
pub fn phase_invariance(subunits: &[Matrix], grating_at: Option<(Real, Real)>) -> Result<Real> {
    check_group(subunits)?;
    let (f, theta) = match grating_at {
        Some(ft) => ft,
        None => preferred_grating(subunits)?,
    };
    let e = pooled_energies(subunits, f, theta, 32)?;
    let (lo, hi) = e
        .iter()
        .fold((Real::INFINITY, 0.0), |(lo, hi): (Real, Real), &v| {
            (lo.min(v), hi.max(v))
        });
    if hi <= 0.0 {
        return Err(PlasticityError::InvalidParameter {
            name: "subunits",
            value: format!("grating f = {f}, theta = {theta}"),
            reason: "the pooled energy is zero at every phase".into(),
        });
    }
    Ok(lo / hi)
}

/// The modulation ratio `F1 / F0` of responses `r_k` sampled at `n` equally spaced phases of one
/// grating cycle: `F0 = mean r`, `F1 = 2 |mean r_k exp(-2 pi i k / n)|` (Skottun et al. 1991).
/// A half-wave-rectified cosine gives `pi/2`; any sum of squares gives 0 (its modulation is at
/// twice the frequency).
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for fewer than 2 samples or `F0 <= 0`,
/// [`PlasticityError::NonFinite`].
pub fn f1_f0(responses: &[Real]) -> Result<Real> {
    let n = responses.len();
    if n < 2 {
        return Err(PlasticityError::InvalidParameter {
            name: "responses",
            value: n.to_string(),
            reason: "needs at least 2 phase samples".into(),
        });
    }
    if let Some(index) = responses.iter().position(|v| !v.is_finite()) {
        return Err(PlasticityError::NonFinite {
            what: "f1_f0 responses".into(),
            index,
        });
    }
    let f0 = responses.iter().sum::<Real>() / n as Real;
    if f0 <= 0.0 {
        return Err(PlasticityError::InvalidParameter {
            name: "responses",
            value: format!("mean {f0}"),
            reason: "F1/F0 needs a positive mean response".into(),
        });
    }
    let (c, s) = responses
        .iter()
        .enumerate()
        .fold((0.0, 0.0), |(c, s), (k, r)| {
            let t = 2.0 * PI * k as Real / n as Real;
            (c + r * t.cos(), s - r * t.sin())
        });
    Ok(2.0 * c.hypot(s) / n as Real / f0)
}

/// `F1 / F0` of a simple-cell model: the half-wave-rectified response `max(0, <w, grating(psi)>)`
/// of one linear filter over `n_phases` phases of the grating `(f, theta)`.
///
/// # Errors
/// As [`f1_f0`] (a filter blind to the grating has `F0 = 0`), plus the filter checks.
pub fn rectified_f1_f0(filter: &Matrix, f: Real, theta: Real, n_phases: usize) -> Result<Real> {
    check_probe_filter(filter, "f1_f0")?;
    let (rows, cols) = filter.shape();
    let r: Vec<Real> = phase_gratings(rows, cols, f, theta, n_phases)
        .map(|g| filter.dot(&g).max(0.0))
        .collect();
    f1_f0(&r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappa_and_bin_edges() {
        assert!((KAPPA - (2.0 * 2f64.ln()).sqrt() / (2.0 * PI)).abs() < 1e-16);
        let e = ringach_bin_edges();
        for (a, b) in e.iter().zip([0.100, 0.174, 0.302, 0.525, 0.912, 1.585]) {
            assert!((a - b).abs() < 6e-4, "{a} {b}");
        }
    }

    #[test]
    fn median_and_coverage() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&[]).is_nan());
        assert_eq!(
            orientation_coverage(&[0.0, 10.0, 50.0, 179.9, 200.0], 8),
            3.0 / 8.0
        );
        assert_eq!(orientation_coverage(&[], 8), 0.0);
        // P = 16: bands [1/16, 1/8), [1/8, 1/4), [1/4, 1/2]
        assert_eq!(frequency_coverage(&[0.07, 0.5, 0.01], 16), 2.0 / 3.0);
        assert!((orientation_resultant(&[10.0, 100.0]) - 0.0).abs() < 1e-12);
        assert!((orientation_resultant(&[30.0, 210.0]) - 1.0).abs() < 1e-12);
    }
}
