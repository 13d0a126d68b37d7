//! Fitting a 2-D Gabor function to a receptive field (Jones & Palmer 1987; Ringach 2002).
//!
//! **The model** (Jones & Palmer 1987, J Neurophysiol 58:1233, in Ringach's 2002 parameterisation):
//!
//! ```text
//! g(x, y) = A exp(-x'^2 / (2 sx^2) - y'^2 / (2 sy^2)) cos(2 pi f x' + phi) + c
//! x' =  (x - x0) cos(theta) + (y - y0) sin(theta)      (across the bars: the modulation axis)
//! y' = -(x - x0) sin(theta) + (y - y0) cos(theta)      (along the bars)
//! ```
//!
//! Pixel `(r, c)` of a `rows x cols` filter sits at `x = c - (cols - 1)/2`, `y = r - (rows - 1)/2`
//! (pixels, origin at the filter centre, `y` pointing down the rows), so `theta` is the direction
//! of the wave vector `f (cos theta, sin theta)` in (column, row) coordinates and the bars run
//! perpendicular to it. The offset `c` is fitted only with [`GaborFitter::fit_offset`].
//!
//! **The fit** (the recipe of the vision reference, section 3, calibrated there on 12 x 12
//! filters): bounded nonlinear least squares, minimising `sum_i (g(x_i) - w_i)^2` by
//! Levenberg–Marquardt (Levenberg 1944; Marquardt 1963) with Marquardt's diagonal scaling
//! `(J^T J + lambda diag(J^T J)) delta = -J^T r` and the analytic Jacobian, each trial step
//! projected onto the box `sx, sy in [0.3, 2P]` px, `f in [0, 1/2]` cycles/px,
//! `|x0|, |y0| <= P/2` (`P = max(rows, cols)`) and accepted only if the cost falls. Starts:
//!
//! 1. the initial guess [`initial_guess`]: `f` and `theta` from the peak of `|DFT|` of the
//!    mean-removed filter zero-padded to 64 x 64 (DC excluded), the centre from the
//!    energy-weighted centroid of `w^2`, `sx, sy = sqrt(2 m2)` from the second moments `m2` of `w^2`
//!    along the rotated axes (squaring a Gaussian halves its variance), `A = max |w|`;
//! 2. that guess with `phi in {0, pi/2, pi, 3 pi/2} x f in {f0, 0.6 f0}` (8 starts);
//! 3. [`GaborFitter::random_starts`] seeded perturbations of the guess (`theta + N(0, 0.3)`,
//!    `f exp(N(0, 0.3))`, `phi ~ U(0, 2 pi)`, centre `+ N(0, 1)`, widths `exp(N(0, 0.3))`).
//!
//! The best end point (lowest cost; the earlier start on a tie) is normalised to `A >= 0`,
//! `theta in [0, pi)`, `phi in [0, 2 pi)` (the same function). Goodness of fit:
//! `R^2 = 1 - sum (w - g)^2 / sum (w - mean w)^2`.
//!
//! Pitfalls (reference, section 3): as `f -> 0` with `A -> inf` the Gabor tends to a derivative of
//! a Gaussian, so sub-cycle edge filters converge to `f < 1/P` (report them separately: their
//! `nx, ny` are near 0); plane waves (PCA components) fit with `sigma` at the `2P` bound (the
//! localisation test of [`super::v1stats`] catches them).

// The 9 x 9 normal equations and their Cholesky solve are index arithmetic; iterators would hide it.
#![allow(clippy::needless_range_loop)]

use crate::par::*;
use crate::{PlasticityError, Result};
use neurograd_data::natural::fft::{Spectrum, frequency};
use neurograd_data::rng::{normal, uniform};
use neurograd_tensor::seed::mix;
use neurograd_tensor::{Matrix, Real};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Side of the zero-padded DFT grid of the initial guess.
const PAD: usize = 64;
/// Smallest envelope width (pixels) of the fit box.
const SIGMA_MIN: Real = 0.3;
/// Stream tag of the fitter's seeded starts (`mix(seed, index, TAG)`).
const TAG: u64 = 0x0067_6162_6f72; // "gabor"
/// A start stops when an accepted step lowers the cost by less than this fraction.
const REL_TOL: Real = 1e-6;

/// The parameters of a 2-D Gabor function (see the module docs for the formula and coordinates).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaborParams {
    /// Amplitude `A`.
    pub amplitude: Real,
    /// Centre column offset `x0` from the filter centre (pixels).
    pub x0: Real,
    /// Centre row offset `y0` from the filter centre (pixels).
    pub y0: Real,
    /// Direction `theta` of the modulation (wave vector), radians.
    pub theta: Real,
    /// Envelope width `sigma_x` across the bars (along the modulation), pixels.
    pub sigma_x: Real,
    /// Envelope width `sigma_y` along the bars, pixels.
    pub sigma_y: Real,
    /// Carrier frequency `f`, cycles per pixel.
    pub frequency: Real,
    /// Carrier phase `phi`, radians.
    pub phase: Real,
    /// Constant offset `c`.
    pub offset: Real,
}

impl GaborParams {
    /// `g(x, y)` at a point in centred pixel coordinates.
    pub fn value(&self, x: Real, y: Real) -> Real {
        let (xp, yp) = self.rotate(x, y);
        self.amplitude * self.envelope(xp, yp) * (2.0 * PI * self.frequency * xp + self.phase).cos()
            + self.offset
    }

    /// `(x', y')` of a point.
    fn rotate(&self, x: Real, y: Real) -> (Real, Real) {
        let (s, c) = self.theta.sin_cos();
        let (dx, dy) = (x - self.x0, y - self.y0);
        (dx * c + dy * s, -dx * s + dy * c)
    }

    fn envelope(&self, xp: Real, yp: Real) -> Real {
        (-0.5 * (xp * xp / (self.sigma_x * self.sigma_x) + yp * yp / (self.sigma_y * self.sigma_y)))
            .exp()
    }

    /// The Gabor sampled on a `rows x cols` pixel grid (module-docs coordinates).
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for a zero side or more than 2^26 pixels.
    pub fn render(&self, rows: usize, cols: usize) -> Result<Matrix> {
        check_shape(rows, cols)?;
        let (cx, cy) = (centre(cols), centre(rows));
        Ok(Matrix::from_fn(rows, cols, |r, c| {
            self.value(c as Real - cx, r as Real - cy)
        }))
    }

    /// `nx = sigma_x f`: the envelope width across the bars in carrier periods (Ringach 2002).
    pub fn nx(&self) -> Real {
        self.sigma_x * self.frequency
    }

    /// `ny = sigma_y f`: the envelope width along the bars in carrier periods (Ringach 2002).
    pub fn ny(&self) -> Real {
        self.sigma_y * self.frequency
    }

    /// The same function with `A >= 0`, `theta in [0, pi)` and `phi in [0, 2 pi)`: `A -> -A` is
    /// `phi -> phi + pi`; `theta -> theta + pi` maps `(x', y') -> (-x', -y')`, i.e. `phi -> -phi`.
    pub fn normalised(mut self) -> GaborParams {
        if self.amplitude < 0.0 {
            self.amplitude = -self.amplitude;
            self.phase += PI;
        }
        let k = (self.theta / PI).floor();
        self.theta -= k * PI;
        if self.theta >= PI {
            self.theta -= PI;
        }
        if (k as i64).rem_euclid(2) == 1 {
            self.phase = -self.phase;
        }
        self.phase = self.phase.rem_euclid(2.0 * PI);
        if self.phase >= 2.0 * PI {
            self.phase = 0.0;
        }
        self
    }

    fn to_vec(self) -> [Real; 9] {
        [
            self.amplitude,
            self.x0,
            self.y0,
            self.theta,
            self.sigma_x,
            self.sigma_y,
            self.frequency,
            self.phase,
            self.offset,
        ]
    }

    fn from_slice(p: &[Real]) -> GaborParams {
        GaborParams {
            amplitude: p[0],
            x0: p[1],
            y0: p[2],
            theta: p[3],
            sigma_x: p[4],
            sigma_y: p[5],
            frequency: p[6],
            phase: p[7],
            offset: p.get(8).copied().unwrap_or(0.0),
        }
    }

    /// The value `g(x, y)` and its gradient `d g / d (A, x0, y0, theta, sx, sy, f, phi, c)`.
    fn value_and_gradient(&self, x: Real, y: Real) -> (Real, [Real; 9]) {
        let (s, c) = self.theta.sin_cos();
        let (sx2, sy2) = (self.sigma_x * self.sigma_x, self.sigma_y * self.sigma_y);
        let tpf = 2.0 * PI * self.frequency;
        let (dx, dy) = (x - self.x0, y - self.y0);
        let (xp, yp) = (dx * c + dy * s, -dx * s + dy * c);
        let e = (-0.5 * (xp * xp / sx2 + yp * yp / sy2)).exp();
        let (sn, cs) = (tpf * xp + self.phase).sin_cos();
        let ae = self.amplitude * e;
        let d_xp = ae * (-xp / sx2 * cs - tpf * sn);
        let d_yp = ae * (-yp / sy2) * cs;
        let grad = [
            e * cs,
            -c * d_xp + s * d_yp,
            -s * d_xp - c * d_yp,
            yp * d_xp - xp * d_yp,
            ae * cs * xp * xp / (sx2 * self.sigma_x),
            ae * cs * yp * yp / (sy2 * self.sigma_y),
            -ae * sn * 2.0 * PI * xp,
            -ae * sn,
            1.0,
        ];
        (ae * cs + self.offset, grad)
    }

    /// The sum of squared residuals `sum_i (g(x_i) - w_i)^2` over the grid.
    fn cost(&self, w: &[Real], grid: &Grid) -> Real {
        let (s, c) = self.theta.sin_cos();
        let (ax, ay) = (
            0.5 / (self.sigma_x * self.sigma_x),
            0.5 / (self.sigma_y * self.sigma_y),
        );
        let tpf = 2.0 * PI * self.frequency;
        grid.points
            .iter()
            .zip(w)
            .map(|(&(x, y), &wi)| {
                let (dx, dy) = (x - self.x0, y - self.y0);
                let (xp, yp) = (dx * c + dy * s, -dx * s + dy * c);
                let v = self.amplitude
                    * (-(ax * xp * xp + ay * yp * yp)).exp()
                    * (tpf * xp + self.phase).cos()
                    + self.offset;
                (v - wi) * (v - wi)
            })
            .sum()
    }

    /// The Gauss–Newton normal equations of the first `n_par` parameters: `(J^T J, J^T r)`,
    /// accumulated pixel by pixel (no Jacobian matrix is stored).
    fn normal_equations(
        &self,
        w: &[Real],
        grid: &Grid,
        n_par: usize,
    ) -> ([[Real; 9]; 9], [Real; 9]) {
        let mut h = [[0.0; 9]; 9];
        let mut g = [0.0; 9];
        for (&(x, y), &wi) in grid.points.iter().zip(w) {
            let (v, j) = self.value_and_gradient(x, y);
            let r = v - wi;
            for a in 0..n_par {
                g[a] += j[a] * r;
                for b in 0..=a {
                    h[a][b] += j[a] * j[b];
                }
            }
        }
        for a in 0..n_par {
            for b in 0..a {
                h[b][a] = h[a][b];
            }
        }
        (h, g)
    }
}

/// Solves `a x = b` for a symmetric positive definite `n x n` (`n <= 9`) system by Cholesky;
/// `None` when `a` is not numerically positive definite.
fn cholesky_solve(a: &[[Real; 9]; 9], b: &[Real; 9], n: usize) -> Option<[Real; 9]> {
    let mut l = [[0.0; 9]; 9];
    for i in 0..n {
        for j in 0..=i {
            let s = a[i][j] - (0..j).map(|k| l[i][k] * l[j][k]).sum::<Real>();
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i][i] = s.sqrt();
            } else {
                l[i][j] = s / l[j][j];
            }
        }
    }
    let mut y = [0.0; 9];
    for i in 0..n {
        y[i] = (b[i] - (0..i).map(|k| l[i][k] * y[k]).sum::<Real>()) / l[i][i];
    }
    let mut x = [0.0; 9];
    for i in (0..n).rev() {
        x[i] = (y[i] - (i + 1..n).map(|k| l[k][i] * x[k]).sum::<Real>()) / l[i][i];
    }
    Some(x)
}

/// The result of fitting one filter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaborFit {
    /// The fitted parameters, normalised ([`GaborParams::normalised`]).
    pub params: GaborParams,
    /// `R^2 = 1 - SSE / sum (w - mean w)^2`.
    pub r2: Real,
    /// Sum of squared residuals.
    pub sse: Real,
    /// Index of the winning start (0..8 the deterministic starts, then the random ones).
    pub start: usize,
    /// Levenberg–Marquardt iterations of the winning start.
    pub iterations: usize,
    /// Filter rows.
    pub rows: usize,
    /// Filter columns.
    pub cols: usize,
}

impl GaborFit {
    /// `P = max(rows, cols)`, the filter size the bounds and the localisation test refer to.
    pub fn size(&self) -> usize {
        self.rows.max(self.cols)
    }
}

/// The bounded multi-start Levenberg–Marquardt Gabor fitter (see the module docs).
///
/// ```
/// use neurograd_plasticity::receptive::gabor::{GaborFitter, GaborParams};
/// let truth = GaborParams { amplitude: 1.0, x0: 0.5, y0: -0.5, theta: 0.7, sigma_x: 2.0,
///     sigma_y: 2.5, frequency: 0.2, phase: 1.0, offset: 0.0 };
/// let fit = GaborFitter::default().fit(&truth.render(12, 12)?)?;
/// assert!(fit.r2 > 0.999_999);
/// assert!((fit.params.frequency - 0.2).abs() < 1e-4);
/// # Ok::<(), neurograd_plasticity::PlasticityError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GaborFitter {
    /// Seeded random starts in addition to the 8 deterministic ones (default 4).
    pub random_starts: usize,
    /// Levenberg–Marquardt iterations per start (`>= 1`; default 200).
    pub max_iterations: usize,
    /// Whether the offset `c` is a free parameter (default `false`: `c = 0`, the 8-parameter
    /// Gabor of Jones & Palmer).
    pub fit_offset: bool,
    /// Seed of the random starts; filter `i` of [`GaborFitter::fit_rows`] uses the stream
    /// `ChaCha8Rng::seed_from_u64(mix(seed, i, TAG))`, so results do not depend on the thread count.
    pub seed: u64,
}

impl Default for GaborFitter {
    /// 4 random starts, 200 iterations, no offset, seed 0.
    fn default() -> Self {
        GaborFitter {
            random_starts: 4,
            max_iterations: 200,
            fit_offset: false,
            seed: 0,
        }
    }
}

/// Pixel coordinates of a filter and its bounds.
struct Grid {
    points: Vec<(Real, Real)>,
    lower: [Real; 9],
    upper: [Real; 9],
}

impl Grid {
    fn new(rows: usize, cols: usize) -> Grid {
        let (cx, cy) = (centre(cols), centre(rows));
        let points = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (c as Real - cx, r as Real - cy)))
            .collect();
        let p = rows.max(cols) as Real;
        let inf = Real::INFINITY;
        Grid {
            points,
            lower: [
                -inf,
                -p / 2.0,
                -p / 2.0,
                -inf,
                SIGMA_MIN,
                SIGMA_MIN,
                0.0,
                -inf,
                -inf,
            ],
            upper: [inf, p / 2.0, p / 2.0, inf, 2.0 * p, 2.0 * p, 0.5, inf, inf],
        }
    }

    fn project(&self, p: &mut [Real]) {
        for (k, v) in p.iter_mut().enumerate() {
            *v = v.clamp(self.lower[k], self.upper[k]);
        }
    }
}

fn centre(n: usize) -> Real {
    (n as Real - 1.0) / 2.0
}

fn check_shape(rows: usize, cols: usize) -> Result<()> {
    if rows == 0 || cols == 0 || rows.checked_mul(cols).is_none_or(|n| n > 1 << 26) {
        return Err(PlasticityError::InvalidParameter {
            name: "filter shape",
            value: format!("{rows}x{cols}"),
            reason: "needs 1 <= rows, cols and rows x cols <= 2^26".into(),
        });
    }
    Ok(())
}

/// Checks a filter: non-empty, finite, not constant; returns its mean.
fn check_filter(filter: &Matrix) -> Result<Real> {
    check_shape(filter.nrows(), filter.ncols())?;
    if let Some(index) = filter.iter().position(|v| !v.is_finite()) {
        return Err(PlasticityError::NonFinite {
            what: "gabor filter".into(),
            index,
        });
    }
    let mean = filter.mean();
    if filter.iter().all(|&v| v == filter[0]) {
        return Err(PlasticityError::InvalidParameter {
            name: "filter",
            value: format!("constant {}", filter[0]),
            reason: "a constant filter has no Gabor fit (R^2 undefined)".into(),
        });
    }
    Ok(mean)
}

/// The data-driven initial guess of the fit (module docs, step 1), before normalisation.
///
/// # Errors
/// [`PlasticityError::InvalidParameter`] for an empty or constant filter or one larger than
/// 64 x 64, [`PlasticityError::NonFinite`].
pub fn initial_guess(filter: &Matrix) -> Result<GaborParams> {
    let mean = check_filter(filter)?;
    let (rows, cols) = filter.shape();
    if rows > PAD || cols > PAD {
        return Err(PlasticityError::InvalidParameter {
            name: "filter shape",
            value: format!("{rows}x{cols}"),
            reason: format!("the Gabor fitter takes filters up to {PAD}x{PAD}"),
        });
    }
    let centred = filter.map(|v| v - mean);
    let spec =
        Spectrum::of_padded(&centred, PAD, PAD).map_err(|e| PlasticityError::InvalidParameter {
            name: "filter",
            value: format!("{rows}x{cols}"),
            reason: e.to_string(),
        })?;
    let amp = spec.amplitude();
    let (mut best, mut at) = (-1.0, (0, 1));
    for ky in 0..PAD {
        for kx in 0..PAD {
            if (ky, kx) != (0, 0) && amp[(ky, kx)] > best {
                best = amp[(ky, kx)];
                at = (ky, kx);
            }
        }
    }
    let (fy, fx) = (frequency(at.0, PAD), frequency(at.1, PAD));
    let f0 = fy.hypot(fx);
    let theta = fy.atan2(fx);
    // Energy-weighted centroid and second moments of w^2 along the rotated axes.
    let (cx, cy) = (centre(cols), centre(rows));
    let mut sum = 0.0;
    let (mut mx, mut my) = (0.0, 0.0);
    for r in 0..rows {
        for c in 0..cols {
            let e = centred[(r, c)].powi(2);
            sum += e;
            mx += e * (c as Real - cx);
            my += e * (r as Real - cy);
        }
    }
    let p = rows.max(cols) as Real;
    let (x0, y0) = (
        (mx / sum).clamp(-p / 2.0, p / 2.0),
        (my / sum).clamp(-p / 2.0, p / 2.0),
    );
    let (s, c) = theta.sin_cos();
    let (mut m2x, mut m2y) = (0.0, 0.0);
    for r in 0..rows {
        for col in 0..cols {
            let e = centred[(r, col)].powi(2);
            let (dx, dy) = (col as Real - cx - x0, r as Real - cy - y0);
            m2x += e * (dx * c + dy * s).powi(2);
            m2y += e * (-dx * s + dy * c).powi(2);
        }
    }
    let width = |m2: Real| (2.0 * m2 / sum).sqrt().clamp(SIGMA_MIN, 2.0 * p);
    Ok(GaborParams {
        amplitude: filter.iter().fold(0.0, |a: Real, v| a.max(v.abs())),
        x0,
        y0,
        theta,
        sigma_x: width(m2x),
        sigma_y: width(m2y),
        frequency: f0,
        phase: 0.0,
        offset: 0.0,
    })
}

impl GaborFitter {
    /// Validates the settings.
    ///
    /// # Errors
    /// [`PlasticityError::InvalidParameter`] for `max_iterations == 0` or more than 1000 random
    /// starts.
    pub fn check(&self) -> Result<()> {
        if self.max_iterations == 0 {
            return Err(PlasticityError::InvalidParameter {
                name: "max_iterations",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        if self.random_starts > 1000 {
            return Err(PlasticityError::InvalidParameter {
                name: "random_starts",
                value: self.random_starts.to_string(),
                reason: "must be at most 1000".into(),
            });
        }
        Ok(())
    }

    /// Fits one filter (`rows x cols`, at most 64 x 64) with the random-start stream of index 0.
    ///
    /// # Errors
    /// As [`GaborFitter::check`] and [`initial_guess`].
    pub fn fit(&self, filter: &Matrix) -> Result<GaborFit> {
        self.fit_indexed(filter, 0)
    }

    /// Fits one filter with the random-start stream of index `index` (see [`GaborFitter::seed`]).
    ///
    /// # Errors
    /// As [`GaborFitter::fit`].
    pub fn fit_indexed(&self, filter: &Matrix, index: u64) -> Result<GaborFit> {
        self.check()?;
        let mean = check_filter(filter)?;
        let guess = initial_guess(filter)?;
        let (rows, cols) = filter.shape();
        let grid = Grid::new(rows, cols);
        let w: Vec<Real> = (0..rows)
            .flat_map(|r| (0..cols).map(move |c| (r, c)))
            .map(|(r, c)| filter[(r, c)])
            .collect();
        let sst: Real = w.iter().map(|v| (v - mean) * (v - mean)).sum();

        let mut starts = Vec::with_capacity(8 + self.random_starts);
        for fscale in [1.0, 0.6] {
            for k in 0..4 {
                starts.push(GaborParams {
                    frequency: guess.frequency * fscale,
                    phase: k as Real * PI / 2.0,
                    ..guess
                });
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, index, TAG));
        for _ in 0..self.random_starts {
            starts.push(GaborParams {
                theta: guess.theta + 0.3 * normal(&mut rng),
                frequency: guess.frequency * (0.3 * normal(&mut rng)).exp(),
                phase: 2.0 * PI * uniform(&mut rng),
                x0: guess.x0 + normal(&mut rng),
                y0: guess.y0 + normal(&mut rng),
                sigma_x: guess.sigma_x * (0.3 * normal(&mut rng)).exp(),
                sigma_y: guess.sigma_y * (0.3 * normal(&mut rng)).exp(),
                ..guess
            });
        }
        let n_par = if self.fit_offset { 9 } else { 8 };
        let mut best: Option<(Real, GaborParams, usize, usize)> = None;
        for (k, start) in starts.into_iter().enumerate() {
            let (sse, p, it) = self.levenberg_marquardt(start, &w, &grid, n_par);
            if best.as_ref().is_none_or(|b| sse < b.0) {
                best = Some((sse, p, k, it));
            }
        }
        let (sse, params, start, iterations) = best.ok_or(PlasticityError::NotConverged {
            iterations: 0,
            residual: Real::NAN,
            tolerance: 0.0,
        })?;
        Ok(GaborFit {
            params: params.normalised(),
            r2: 1.0 - sse / sst,
            sse,
            start,
            iterations,
            rows,
            cols,
        })
    }

    /// Fits every row of `filters` as a `rows x cols` filter (row-major pixels, as patches are
    /// stored), in parallel; filter `i` uses the random-start stream of index `i`, so the result is
    /// the same for any number of threads.
    ///
    /// # Errors
    /// [`PlasticityError::ShapeMismatch`] when `filters.ncols() != rows * cols`; as
    /// [`GaborFitter::fit`] for the first failing filter.
    pub fn fit_rows(&self, filters: &Matrix, rows: usize, cols: usize) -> Result<Vec<GaborFit>> {
        check_shape(rows, cols)?;
        if filters.ncols() != rows * cols {
            return Err(PlasticityError::ShapeMismatch {
                op: "gabor fit_rows (one filter of rows x cols pixels per row)",
                expected: (filters.nrows(), rows * cols),
                got: filters.shape(),
            });
        }
        (0..filters.nrows())
            .into_par_iter()
            .map(|i| {
                let f = Matrix::from_fn(rows, cols, |r, c| filters[(i, r * cols + c)]);
                self.fit_indexed(&f, i as u64)
            })
            .collect()
    }

    /// Projected Levenberg–Marquardt from `start`; returns (SSE, parameters, iterations).
    fn levenberg_marquardt(
        &self,
        start: GaborParams,
        w: &[Real],
        grid: &Grid,
        n_par: usize,
    ) -> (Real, GaborParams, usize) {
        let mut p = start.to_vec();
        if n_par == 8 {
            p[8] = 0.0;
        }
        grid.project(&mut p);
        let mut cost = GaborParams::from_slice(&p).cost(w, grid);
        let mut lambda = 1e-3;
        let mut it = 0;
        while it < self.max_iterations {
            it += 1;
            let (h, g) = GaborParams::from_slice(&p).normal_equations(w, grid, n_par);
            let minus_g = g.map(|v| -v);
            let mut improved = false;
            while lambda < 1e12 {
                let mut a = h;
                for d in 0..n_par {
                    a[d][d] += lambda * h[d][d].max(1e-12);
                }
                let Some(delta) = cholesky_solve(&a, &minus_g, n_par) else {
                    lambda *= 4.0;
                    continue;
                };
                let mut q = p;
                for d in 0..n_par {
                    q[d] += delta[d];
                }
                grid.project(&mut q);
                let c = GaborParams::from_slice(&q).cost(w, grid);
                if c.is_finite() && c < cost {
                    let rel = (cost - c) / cost.max(Real::MIN_POSITIVE);
                    p = q;
                    cost = c;
                    lambda = (lambda / 3.0).max(1e-12);
                    improved = rel > REL_TOL;
                    break;
                }
                lambda *= 4.0;
            }
            if !improved {
                break;
            }
        }
        (cost, GaborParams::from_slice(&p), it)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> GaborParams {
        GaborParams {
            amplitude: 1.3,
            x0: 0.4,
            y0: -0.7,
            theta: 2.2,
            sigma_x: 1.8,
            sigma_y: 2.6,
            frequency: 0.17,
            phase: 0.9,
            offset: 0.05,
        }
    }

    /// The analytic gradient against central finite differences (h = 1e-6), all 9 parameters,
    /// and the normal equations against the explicit `J^T J`, `J^T r`; the Cholesky solve
    /// against the product it inverts.
    #[test]
    fn gradient_matches_finite_differences() {
        let g = example();
        let grid = Grid::new(7, 9);
        let h = 1e-6;
        let w: Vec<Real> = (0..63).map(|i| (i as Real * 0.37).sin()).collect();
        let mut jtj = [[0.0; 9]; 9];
        let mut jtr = [0.0; 9];
        for (&(x, y), &wi) in grid.points.iter().zip(&w) {
            let (v, j) = g.value_and_gradient(x, y);
            assert!((v - g.value(x, y)).abs() < 1e-15);
            for k in 0..9 {
                let (mut a, mut b) = (g.to_vec(), g.to_vec());
                a[k] += h;
                b[k] -= h;
                let fd = (GaborParams::from_slice(&a).value(x, y)
                    - GaborParams::from_slice(&b).value(x, y))
                    / (2.0 * h);
                assert!(
                    (fd - j[k]).abs() < 1e-7 * (1.0 + fd.abs()),
                    "param {k} at ({x}, {y})"
                );
                jtr[k] += j[k] * (v - wi);
                for l in 0..9 {
                    jtj[k][l] += j[k] * j[l];
                }
            }
        }
        let (hh, gg) = g.normal_equations(&w, &grid, 9);
        for k in 0..9 {
            assert!((gg[k] - jtr[k]).abs() < 1e-12 * (1.0 + jtr[k].abs()));
            for l in 0..9 {
                assert!((hh[k][l] - jtj[k][l]).abs() < 1e-12 * (1.0 + jtj[k][l].abs()));
            }
        }
        let mut a = hh;
        for (d, row) in a.iter_mut().enumerate() {
            row[d] += 1.0;
        }
        let x = cholesky_solve(&a, &gg, 9).unwrap();
        for k in 0..9 {
            let back: Real = (0..9).map(|l| a[k][l] * x[l]).sum();
            assert!((back - gg[k]).abs() < 1e-9 * (1.0 + gg[k].abs()));
        }
        assert!(cholesky_solve(&[[0.0; 9]; 9], &gg, 3).is_none());
    }

    /// Normalisation keeps the function and lands in the canonical ranges.
    #[test]
    fn normalisation_keeps_the_function() {
        for (a, t) in [(1.3, 2.2), (-1.3, 2.2), (1.3, -4.0), (-0.7, 7.5), (1.0, PI)] {
            let g = GaborParams {
                amplitude: a,
                theta: t,
                ..example()
            };
            let n = g.normalised();
            assert!(n.amplitude >= 0.0 && (0.0..PI).contains(&n.theta));
            assert!((0.0..2.0 * PI).contains(&n.phase));
            let d = (g.render(8, 8).unwrap() - n.render(8, 8).unwrap()).amax();
            assert!(d < 1e-12, "{a} {t}: {d}");
        }
    }
}
