//! The dead-leaves image model and patch sampling.

use crate::rng::{self, uniform};
use crate::{DataError, Result};
use neurograd_tensor::{Matrix, Real};
use serde::{Deserialize, Serialize};

/// The dead-leaves model (Matheron 1968; as a model of natural images: Lee, Mumford & Huang 2001,
/// "Occlusion models for natural images", IJCV 41:35): opaque discs ("leaves") with uniformly
/// random centres, radii of density `p(r) ∝ r^(-alpha)` on `[r_min, r_max]` and uniform grey levels
/// in `[0, 1)` fall on top of each other; the image is what remains visible. For `alpha = 3` the
/// model is scale invariant and its power spectrum falls as `|f|^-2` between `1/r_max` and
/// `1/r_min`, as measured for natural images (Field 1987; Ruderman 1997).
///
/// Generation is front to back: each new disc only paints pixels no earlier disc covered, and the
/// image is finished when every pixel is covered. The image is periodic (discs wrap around the
/// edges), so its discrete Fourier spectrum has no edge artefacts. A pixel `(r, c)` is covered by
/// a disc with centre `(cy, cx)` and radius `R` when the periodic distance from `(r, c)` to the
/// centre is at most `R`.
///
/// Draws for image `i` come from stream `(seed, i)`: per disc, `cy`, `cx` (uniform in
/// `[0, size)`), the radius (inverse CDF of one uniform), the grey level (one uniform). If after
/// `1000 size^2` discs some pixels are still uncovered (never observed for `r_min >= 1`) they get
/// the grey level 0.5.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DeadLeaves {
    /// Image side in pixels.
    pub size: usize,
    /// Smallest radius (pixels, `>= 1`).
    pub r_min: Real,
    /// Largest radius (pixels, `r_min < r_max <= size`).
    pub r_max: Real,
    /// Radius exponent `alpha` (`p(r) ∝ r^-alpha`); 3 gives the `1/f^2` spectrum.
    pub alpha: Real,
}

impl Default for DeadLeaves {
    /// 64x64 images, radii 1..32 pixels, `alpha = 3`.
    fn default() -> Self {
        DeadLeaves {
            size: 64,
            r_min: 1.0,
            r_max: 32.0,
            alpha: 3.0,
        }
    }
}

impl DeadLeaves {
    /// Validates the parameters.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] naming the offending field.
    pub fn check(&self) -> Result<()> {
        if self.size < 2 {
            return Err(DataError::invalid("size", self.size, "must be at least 2"));
        }
        if !(self.r_min.is_finite() && self.r_min >= 1.0) {
            return Err(DataError::invalid(
                "r_min",
                self.r_min,
                "must be finite and >= 1 pixel",
            ));
        }
        if !(self.r_max.is_finite() && self.r_max > self.r_min && self.r_max <= self.size as Real) {
            return Err(DataError::invalid(
                "r_max",
                self.r_max,
                format!("must lie in ({}, {}]", self.r_min, self.size),
            ));
        }
        if !(self.alpha.is_finite() && self.alpha > 1.0) {
            return Err(DataError::invalid(
                "alpha",
                self.alpha,
                "must be finite and > 1",
            ));
        }
        Ok(())
    }

    /// Radius from a uniform `u` by the inverse CDF of `p(r) ∝ r^-alpha` on `[r_min, r_max]`:
    /// `r = (r_min^(1-alpha) + u (r_max^(1-alpha) - r_min^(1-alpha)))^(1/(1-alpha))`.
    fn radius(&self, u: Real) -> Real {
        let e = 1.0 - self.alpha;
        let (a, b) = (self.r_min.powf(e), self.r_max.powf(e));
        (a + u * (b - a)).powf(1.0 / e)
    }

    /// Image `i` of the stream for `seed`, `size x size`, grey levels in `[0, 1)`.
    ///
    /// # Errors
    /// As [`DeadLeaves::check`].
    pub fn image(&self, seed: u64, i: u64) -> Result<Matrix> {
        self.check()?;
        let s = self.size;
        let mut rng = rng::stream(seed, i);
        let mut img = Matrix::from_element(s, s, 0.5);
        let mut covered = vec![false; s * s];
        let mut left = s * s;
        let sf = s as Real;
        let max_discs = 1000 * s * s;
        for _ in 0..max_discs {
            let cy = uniform(&mut rng) * sf;
            let cx = uniform(&mut rng) * sf;
            let r = self.radius(uniform(&mut rng));
            let grey = uniform(&mut rng);
            let r2 = r * r;
            let (y0, y1) = ((cy - r).floor() as i64, (cy + r).ceil() as i64);
            let (x0, x1) = ((cx - r).floor() as i64, (cx + r).ceil() as i64);
            for y in y0..=y1 {
                let dy = y as Real - cy;
                if dy * dy > r2 {
                    continue;
                }
                let yy = y.rem_euclid(s as i64) as usize;
                for x in x0..=x1 {
                    let dx = x as Real - cx;
                    if dx * dx + dy * dy > r2 {
                        continue;
                    }
                    let xx = x.rem_euclid(s as i64) as usize;
                    let k = yy * s + xx;
                    if !covered[k] {
                        covered[k] = true;
                        img[(yy, xx)] = grey;
                        left -= 1;
                    }
                }
            }
            if left == 0 {
                break;
            }
        }
        Ok(img)
    }

    /// Images `0..n` of the stream for `seed` (image `i` is [`DeadLeaves::image`]`(seed, i)`).
    ///
    /// # Errors
    /// As [`DeadLeaves::check`], or [`DataError::InvalidParameter`] for `n == 0`.
    pub fn images(&self, n: usize, seed: u64) -> Result<Vec<Matrix>> {
        super::check_count("n", n)?;
        (0..n as u64).map(|i| self.image(seed, i)).collect()
    }
}

/// Samples `n` square patches of side `patch` from `images`, one patch per row (row-major
/// pixels). From stream `(seed, 0)`, per patch: image `index(n_images)`, top row
/// `index(rows - patch + 1)`, left column `index(cols - patch + 1)` (see [`crate::rng::index`]).
/// The same as [`crate::natural::PatchSampler::new`]`(patch, n).sample(images, seed)`, which also
/// excludes borders and samples per image.
///
/// # Errors
/// [`DataError::Empty`] for no images, [`DataError::InvalidParameter`] for `n == 0`, `patch == 0`,
/// or a patch larger than an image.
pub fn sample_patches(images: &[Matrix], patch: usize, n: usize, seed: u64) -> Result<Matrix> {
    crate::natural::PatchSampler::new(patch, n).sample(images, seed)
}

/// Radially averaged power spectrum of a square image: the mean of `|F(k)|^2` over the discrete
/// frequencies `k = (ky, kx)` (in cycles per image, `-N/2 < k <= N/2`) with `round(|k|) = f`, for
/// `f = 1, ..., N/2`, after subtracting the image mean. Returns `(f, power)` pairs. Uses a direct
/// separable DFT (`O(N^3)`), fine for the sizes of tests and figures (N <= 256).
///
/// # Errors
/// [`DataError::InvalidParameter`] for a non-square image or a side below 4.
pub fn radial_power_spectrum(image: &Matrix) -> Result<Vec<(Real, Real)>> {
    let n = image.nrows();
    if image.ncols() != n || n < 4 {
        return Err(DataError::invalid(
            "image",
            format!("{}x{}", image.nrows(), image.ncols()),
            "must be square with side >= 4",
        ));
    }
    let mean = image.mean();
    let (cos, sin): (Vec<Real>, Vec<Real>) = (0..n)
        .map(|k| {
            let t = -2.0 * std::f64::consts::PI * k as Real / n as Real;
            (t.cos(), t.sin())
        })
        .unzip();
    // Rows first: A[r][kx] = sum_x img[r][x] e^{-2 pi i kx x / n}.
    let mut re = vec![0.0; n * n];
    let mut im = vec![0.0; n * n];
    for r in 0..n {
        for kx in 0..n {
            let (mut sr, mut si) = (0.0, 0.0);
            for x in 0..n {
                let v = image[(r, x)] - mean;
                let t = (kx * x) % n;
                sr += v * cos[t];
                si += v * sin[t];
            }
            re[r * n + kx] = sr;
            im[r * n + kx] = si;
        }
    }
    let half = n / 2;
    let mut sum = vec![0.0; half + 1];
    let mut cnt = vec![0usize; half + 1];
    for kx in 0..n {
        for ky in 0..n {
            let (mut sr, mut si) = (0.0, 0.0);
            for r in 0..n {
                let t = (ky * r) % n;
                let (ar, ai) = (re[r * n + kx], im[r * n + kx]);
                sr += ar * cos[t] - ai * sin[t];
                si += ar * sin[t] + ai * cos[t];
            }
            let fy = if ky > half {
                ky as Real - n as Real
            } else {
                ky as Real
            };
            let fx = if kx > half {
                kx as Real - n as Real
            } else {
                kx as Real
            };
            let f = (fy * fy + fx * fx).sqrt().round() as usize;
            if (1..=half).contains(&f) {
                sum[f] += sr * sr + si * si;
                cnt[f] += 1;
            }
        }
    }
    Ok((1..=half)
        .filter(|&f| cnt[f] > 0)
        .map(|f| (f as Real, sum[f] / cnt[f] as Real))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_is_fully_painted_and_reproducible() {
        let dl = DeadLeaves {
            size: 32,
            r_min: 1.0,
            r_max: 16.0,
            alpha: 3.0,
        };
        let a = dl.image(3, 0).unwrap();
        assert!(a.iter().all(|&v| (0.0..1.0).contains(&v)));
        assert_eq!(a, dl.image(3, 0).unwrap());
        assert_ne!(a, dl.image(3, 1).unwrap());
        // Occlusion makes flat regions: many neighbouring pixels are exactly equal.
        let equal = (0..32)
            .flat_map(|r| (0..31).map(move |c| (r, c)))
            .filter(|&(r, c)| a[(r, c)] == a[(r, c + 1)])
            .count();
        assert!(equal > 32 * 31 / 2, "{equal}");
    }

    #[test]
    fn radius_inverse_cdf_endpoints() {
        let dl = DeadLeaves::default();
        assert!((dl.radius(0.0) - 1.0).abs() < 1e-12);
        assert!((dl.radius(1.0 - 1e-16) - 32.0).abs() < 1e-6);
    }

    #[test]
    fn bad_parameters_and_patches() {
        let ok = DeadLeaves::default();
        assert!(matches!(
            DeadLeaves { r_min: 0.5, ..ok }.check(),
            Err(DataError::InvalidParameter { name: "r_min", .. })
        ));
        assert!(matches!(
            DeadLeaves { r_max: 100.0, ..ok }.check(),
            Err(DataError::InvalidParameter { name: "r_max", .. })
        ));
        assert!(matches!(
            DeadLeaves { alpha: 1.0, ..ok }.check(),
            Err(DataError::InvalidParameter { name: "alpha", .. })
        ));
        assert!(matches!(
            DeadLeaves { size: 1, ..ok }.check(),
            Err(DataError::InvalidParameter { name: "size", .. })
        ));
        let im = vec![Matrix::from_fn(4, 4, |r, c| (4 * r + c) as f64)];
        let p = sample_patches(&im, 4, 2, 0).unwrap();
        assert_eq!(
            p.row(0).iter().copied().collect::<Vec<_>>(),
            (0..16).map(f64::from).collect::<Vec<_>>()
        );
        assert!(matches!(
            sample_patches(&im, 5, 1, 0),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(
            sample_patches(&[], 2, 1, 0),
            Err(DataError::Empty { .. })
        ));
        assert!(matches!(
            radial_power_spectrum(&Matrix::zeros(4, 5)),
            Err(DataError::InvalidParameter { .. })
        ));
    }

    /// A single cosine of frequency 3 puts all its power at radius 3 (Parseval: total power
    /// `sum |F|^2 = N^2 sum x^2`).
    #[test]
    fn spectrum_of_a_cosine() {
        let n = 16;
        let img = Matrix::from_fn(n, n, |_, c| {
            (2.0 * std::f64::consts::PI * 3.0 * c as f64 / n as f64).cos()
        });
        let s = radial_power_spectrum(&img).unwrap();
        let total: f64 = img.iter().map(|v| v * v).sum::<f64>() * (n * n) as f64;
        let (f3, p3) = s[2];
        assert_eq!(f3, 3.0);
        let others: f64 = s.iter().filter(|(f, _)| *f != 3.0).map(|(_, p)| p).sum();
        assert!(others < 1e-12 * p3);
        // radius 3 has several lattice points; the two carrying power are (0, ±3).
        let count3 = (0..n)
            .flat_map(|a| (0..n).map(move |b| (a, b)))
            .filter(|&(a, b)| {
                let fa = if a > n / 2 {
                    a as f64 - n as f64
                } else {
                    a as f64
                };
                let fb = if b > n / 2 {
                    b as f64 - n as f64
                } else {
                    b as f64
                };
                (fa * fa + fb * fb).sqrt().round() == 3.0
            })
            .count() as f64;
        assert!((p3 * count3 - total).abs() < 1e-9 * total);
    }
}
