//! Natural images: the bundled photographs, the `.npy` image loader, patch sampling, the
//! Olshausen & Field whitening filter (reference T9), ZCA and the two controls.

use neurograd_data::DataError;
use neurograd_data::Matrix;
use neurograd_data::generators::radial_power_spectrum;
use neurograd_data::io::npy::{self, NpyArray, NpyData};
use neurograd_data::natural::{
    self, IMAGE_NAMES, OlshausenField, PatchSampler, fft::Spectrum, phase_scramble,
    power_law_image, white_noise_image, white_noise_like, zca_whiten, zca_whiten_per_image,
};

fn mean_sd(m: &Matrix) -> (f64, f64) {
    let n = m.len() as f64;
    let mean = m.sum() / n;
    let var = m.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The six bundled images have the shapes and pixel statistics of the data README (which took
/// them from the files with NumPy), integer values in 0..=255.
#[test]
fn bundled_images_match_their_readme() {
    let expected = [
        ("astronaut", (512, 512), 115.4, 75.1),
        ("brick", (512, 512), 111.5, 26.1),
        ("chelsea", (300, 451), 119.5, 32.1),
        ("grass", (512, 512), 118.2, 38.6),
        ("gravel", (512, 512), 126.5, 38.7),
        ("rocket", (427, 640), 61.0, 30.6),
    ];
    let all = natural::images().unwrap();
    assert_eq!(all.len(), IMAGE_NAMES.len());
    for ((name, shape, mean, sd), im) in expected.iter().zip(&all) {
        assert_eq!(im.shape(), *shape, "{name}");
        let (m, s) = mean_sd(im);
        assert!(
            (m - mean).abs() < 0.06 && (s - sd).abs() < 0.06,
            "{name}: {m} {s}"
        );
        assert!(
            im.iter()
                .all(|&v| v.fract() == 0.0 && (0.0..=255.0).contains(&v))
        );
    }
    assert_eq!(natural::image("chelsea").unwrap(), all[2]);
    let e = natural::image("lena").unwrap_err();
    assert!(matches!(e, DataError::UnknownName { .. }));
    assert!(e.to_string().contains("gravel"), "{e}");
}

/// A user's 2-D uint8 or float image loads as rows x cols; 1-D and 3-D arrays are refused with a
/// `Format` error naming the file.
#[test]
fn loads_user_images_and_refuses_other_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let u8img = NpyArray::new(vec![2, 3], false, NpyData::U8(vec![0, 1, 2, 3, 4, 255])).unwrap();
    let p = dir.path().join("img.npy.gz");
    npy::write_npy(&p, &u8img).unwrap();
    let m = natural::load_image(&p).unwrap();
    assert_eq!(
        m,
        Matrix::from_row_slice(2, 3, &[0.0, 1.0, 2.0, 3.0, 4.0, 255.0])
    );
    let f4 = NpyArray::new(vec![2, 2], true, NpyData::F32(vec![0.5, 1.5, 2.5, 3.5])).unwrap();
    let p = dir.path().join("f4.npy");
    npy::write_npy(&p, &f4).unwrap();
    // Fortran order: column-major data.
    assert_eq!(
        natural::load_image(&p).unwrap(),
        Matrix::from_row_slice(2, 2, &[0.5, 2.5, 1.5, 3.5])
    );
    for shape in [vec![6], vec![1, 2, 3], vec![]] {
        let n = shape.iter().product::<usize>();
        let a = NpyArray::new(shape.clone(), false, NpyData::U8(vec![7; n])).unwrap();
        let p = dir.path().join("bad.npy");
        npy::write_npy(&p, &a).unwrap();
        let e = natural::load_image(&p).unwrap_err();
        assert!(matches!(e, DataError::Format { .. }), "{shape:?}: {e}");
        assert!(
            e.to_string().contains("bad.npy") && e.to_string().contains("2-D"),
            "{e}"
        );
    }
    let nan = NpyArray::new(vec![1, 2], false, NpyData::F64(vec![1.0, f64::NAN])).unwrap();
    let p = dir.path().join("nan.npy");
    npy::write_npy(&p, &nan).unwrap();
    assert!(matches!(
        natural::load_image(&p),
        Err(DataError::NonFinite { col: 1, .. })
    ));
    assert!(matches!(
        natural::load_image(dir.path().join("missing.npy")),
        Err(DataError::Io { .. })
    ));
}

/// Same seed, same patches; another seed, other patches; the border is never sampled; per-image
/// mode draws `count` patches from each image in order; pooled mode with no border is the
/// generators' `sample_patches`.
#[test]
fn patch_sampler_is_reproducible_and_respects_the_border() {
    let (h, w) = (30, 40);
    // Pixel value encodes (image, row, col), so a patch tells where it came from.
    let ims: Vec<Matrix> = (0..3)
        .map(|i| Matrix::from_fn(h, w, |r, c| (i * 10_000 + r * 100 + c) as f64))
        .collect();
    let s = PatchSampler::new(6, 500).with_border(5);
    let a = s.sample(&ims, 11).unwrap();
    assert_eq!(a, s.sample(&ims, 11).unwrap());
    assert_ne!(a, s.sample(&ims, 12).unwrap());
    let mut seen_images = [false; 3];
    let (mut min_r, mut max_r, mut min_c, mut max_c) = (usize::MAX, 0, usize::MAX, 0);
    for row in a.row_iter() {
        let v = row[0] as usize;
        seen_images[v / 10_000] = true;
        let (r, c) = ((v % 10_000) / 100, v % 100);
        // The patch is contiguous: pixel (i, j) is the corner plus (i, j).
        assert_eq!(row[6 * 5 + 5] as usize, v + 5 * 100 + 5);
        (min_r, max_r, min_c, max_c) = (min_r.min(r), max_r.max(r), min_c.min(c), max_c.max(c));
    }
    assert_eq!(seen_images, [true; 3]);
    // Corners range over exactly border..=extent - border - size (500 draws hit both ends).
    assert_eq!((min_r, max_r, min_c, max_c), (5, h - 5 - 6, 5, w - 5 - 6));

    let per = PatchSampler::new(3, 4).per_image().sample(&ims, 2).unwrap();
    assert_eq!(per.nrows(), 12);
    for (k, row) in per.row_iter().enumerate() {
        assert_eq!(row[0] as usize / 10_000, k / 4);
    }
    assert_eq!(
        PatchSampler::new(4, 9).sample(&ims, 3).unwrap(),
        neurograd_data::generators::sample_patches(&ims, 4, 9, 3).unwrap()
    );
}

#[test]
fn patch_sampler_bad_input() {
    let im = vec![Matrix::zeros(10, 12)];
    assert!(matches!(
        PatchSampler::new(11, 1).sample(&im, 0),
        Err(DataError::InvalidParameter { name: "patch", .. })
    ));
    // 6 + 2 * 2 = 10 fits, 6 + 2 * 3 = 12 does not (rows are 10).
    assert!(
        PatchSampler::new(6, 1)
            .with_border(2)
            .sample(&im, 0)
            .is_ok()
    );
    assert!(matches!(
        PatchSampler::new(6, 1).with_border(3).sample(&im, 0),
        Err(DataError::InvalidParameter { name: "patch", .. })
    ));
    assert!(matches!(
        PatchSampler::new(2, 1)
            .with_border(usize::MAX)
            .sample(&im, 0),
        Err(DataError::InvalidParameter { name: "patch", .. })
    ));
    assert!(matches!(
        PatchSampler::new(0, 1).sample(&im, 0),
        Err(DataError::InvalidParameter { name: "patch", .. })
    ));
    assert!(matches!(
        PatchSampler::new(2, 0).sample(&im, 0),
        Err(DataError::InvalidParameter { name: "count", .. })
    ));
    assert!(matches!(
        PatchSampler::new(2, usize::MAX / 2).sample(&im, 0),
        Err(DataError::InvalidParameter { name: "count", .. })
    ));
    assert!(matches!(
        PatchSampler::new(2, 1).sample(&[], 0),
        Err(DataError::Empty { .. })
    ));
}

/// Least-squares slope of log power against log frequency over `lo..=hi` cycles per pixel, from
/// the radially averaged power spectrum of a square image; `correct(f)` divides each power first.
fn spectral_slope(img: &Matrix, lo: f64, hi: f64, correct: impl Fn(f64) -> f64) -> f64 {
    let n = img.nrows() as f64;
    let pts: Vec<(f64, f64)> = radial_power_spectrum(img)
        .unwrap()
        .into_iter()
        .map(|(k, p)| (k / n, p))
        .filter(|&(f, _)| (lo..=hi).contains(&f))
        .map(|(f, p)| (f.ln(), (p / correct(f)).ln()))
        .collect();
    let m = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / m,
        pts.iter().map(|p| p.1).sum::<f64>() / m,
    );
    let sxy: f64 = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

/// Reference T9 (Olshausen & Field 1997 filter; thresholds of the vision reference, section 7):
/// a synthetic image with 1/f amplitude and random phase has a power slope of -2; after the
/// whitening filter the slope over 0.02-0.25 cycles/px lies in [-0.3, 0.3] (calibrated -0.05),
/// and dividing out the roll-off exp(-2 (f/0.4)^4) leaves |slope| < 0.1 (calibrated 0.02).
/// Negative control: the filter without its ramp leaves the slope near -2 (calibrated -1.98).
#[test]
fn whitening_flattens_a_one_over_f_spectrum_t9() {
    let img = power_law_image(128, 128, 1.0, 5).unwrap();
    let before = spectral_slope(&img, 0.02, 0.25, |_| 1.0);
    assert!((before + 2.0).abs() < 0.15, "raw slope {before}");
    let of = OlshausenField::default();
    let white = &of.apply(std::slice::from_ref(&img)).unwrap()[0];
    let slope = spectral_slope(white, 0.02, 0.25, |_| 1.0);
    assert!((-0.3..=0.3).contains(&slope), "whitened slope {slope}");
    let flat = spectral_slope(white, 0.02, 0.25, |f| (-2.0 * (f / 0.4).powi(4)).exp());
    assert!(flat.abs() < 0.1, "roll-off divided out: {flat}");
    let no_ramp = OlshausenField { ramp: false, ..of };
    let control = spectral_slope(&no_ramp.apply(&[img]).unwrap()[0], 0.02, 0.25, |_| 1.0);
    assert!(control < -1.7, "missing-ramp control slope {control}");
    eprintln!(
        "T9 slopes: raw {before:.3}, whitened {slope:.3}, roll-off divided {flat:.3}, no ramp {control:.3}"
    );
}

/// sparsenet's normalisation: the whitened set has mean pixel variance 0.1 and zero-mean images,
/// and the result does not depend on the images' offset and scale (each is normalised first).
#[test]
fn whitening_normalisation_and_bad_input() {
    let ims = vec![
        natural::image("chelsea").unwrap(),
        natural::image("grass").unwrap(),
    ];
    let of = OlshausenField::default();
    let w = of.apply(&ims).unwrap();
    let vars: Vec<f64> = w.iter().map(|m| mean_sd(m).1.powi(2)).collect();
    assert!(((vars[0] + vars[1]) / 2.0 - 0.1).abs() < 1e-12, "{vars:?}");
    assert!(w.iter().all(|m| mean_sd(m).0.abs() < 1e-12));
    let shifted: Vec<Matrix> = ims
        .iter()
        .map(|m| m * 3.0 + Matrix::repeat(m.nrows(), m.ncols(), 7.0))
        .collect();
    let w2 = of.apply(&shifted).unwrap();
    assert!((&w2[0] - &w[0]).amax() < 1e-9);
    // The gain is R(f) = f exp(-(f/f0)^4).
    assert!((of.gain(0.4) - 0.4 * (-1.0f64).exp()).abs() < 1e-15);
    assert_eq!(of.gain(0.0), 0.0);

    assert!(matches!(
        of.apply(&[Matrix::repeat(8, 8, 3.0)]),
        Err(DataError::InvalidParameter { name: "images", .. })
    ));
    assert!(matches!(of.apply(&[]), Err(DataError::Empty { .. })));
    assert!(matches!(
        OlshausenField { f0: 0.0, ..of }.apply(&ims),
        Err(DataError::InvalidParameter { name: "f0", .. })
    ));
    assert!(matches!(
        OlshausenField {
            target_variance: f64::NAN,
            ..of
        }
        .check(),
        Err(DataError::InvalidParameter {
            name: "target_variance",
            ..
        })
    ));
    let mut bad = Matrix::zeros(4, 4);
    bad[(2, 3)] = f64::INFINITY;
    assert!(matches!(
        of.apply(&[bad]),
        Err(DataError::NonFinite { row: 2, col: 3, .. })
    ));
}

/// Phase scrambling keeps the amplitude spectrum to 1e-10 (relative to its maximum) and the mean,
/// and loses the phase: the mean cosine of the phase differences to the original over all
/// non-DC frequencies is ~0 (|.| < 0.02; with ~60k frequencies its standard error is ~0.003).
/// Control: the same measure between the image and a slightly noisy copy is near 1, so the
/// measure does detect kept phases.
#[test]
fn phase_scrambling_keeps_amplitudes_and_loses_phases() {
    let img = natural::image("chelsea")
        .unwrap()
        .view((0, 0), (256, 240))
        .into_owned();
    let s = phase_scramble(&img, 3).unwrap();
    assert_eq!(s, phase_scramble(&img, 3).unwrap());
    let (fa, fs) = (Spectrum::of(&img).unwrap(), Spectrum::of(&s).unwrap());
    let (aa, as_) = (fa.amplitude(), fs.amplitude());
    assert!((&aa - &as_).amax() / aa.amax() < 1e-10);
    assert!((mean_sd(&img).0 - mean_sd(&s).0).abs() < 1e-9);
    let phase_cos = |g: &Spectrum| {
        let pairs = fa.data.iter().zip(&g.data).skip(1);
        let (sum, n) = pairs
            .filter(|(a, b)| a.norm() > 1e-9 && b.norm() > 1e-9)
            .fold((0.0, 0usize), |(s, n), (a, b)| {
                (s + ((a * b.conj()).re / (a.norm() * b.norm())), n + 1)
            });
        sum / n as f64
    };
    let scrambled = phase_cos(&fs);
    assert!(scrambled.abs() < 0.02, "{scrambled}");
    let noisy = &img + white_noise_image(256, 240, 1).unwrap() * 2.0;
    let kept = phase_cos(&Spectrum::of(&noisy).unwrap());
    assert!(kept > 0.5, "{kept}");
    eprintln!("phase cosine: scrambled {scrambled:.4}, noisy copy {kept:.4}");
    assert!(matches!(
        phase_scramble(&Matrix::zeros(0, 0), 1),
        Err(DataError::Empty { .. } | DataError::InvalidParameter { .. })
    ));
}

/// White-noise control images: one per input, same shapes, seeded, standard normal pixels.
#[test]
fn white_noise_control() {
    let ims = vec![Matrix::zeros(64, 80), Matrix::zeros(50, 50)];
    let n = white_noise_like(&ims, 4).unwrap();
    assert_eq!(n[0].shape(), (64, 80));
    assert_eq!(n[1].shape(), (50, 50));
    assert_eq!(n, white_noise_like(&ims, 4).unwrap());
    assert_ne!(n[0].view((0, 0), (50, 50)), n[1].view((0, 0), (50, 50)));
    let (m, s) = mean_sd(&n[0]);
    assert!(m.abs() < 0.05 && (s - 1.0).abs() < 0.05, "{m} {s}");
    assert!(matches!(
        white_noise_image(0, 3, 1),
        Err(DataError::InvalidParameter { name: "shape", .. })
    ));
    assert!(matches!(
        white_noise_image(1 << 20, 1 << 20, 1),
        Err(DataError::InvalidParameter { name: "shape", .. })
    ));
    assert!(matches!(
        white_noise_like(&[], 1),
        Err(DataError::Empty { .. })
    ));
    assert!(matches!(
        power_law_image(4, 4, f64::NAN, 1),
        Err(DataError::InvalidParameter {
            name: "exponent",
            ..
        })
    ));
}

/// ZCA on whitened natural patches gives identity covariance (epsilon = 0, exact to rounding).
#[test]
fn zca_on_natural_patches() {
    let w = OlshausenField::default()
        .apply(&[natural::image("gravel").unwrap()])
        .unwrap();
    let p = PatchSampler::new(6, 3000)
        .with_border(16)
        .sample(&w, 1)
        .unwrap();
    let (z, fit) = zca_whiten(&p, 0.0).unwrap();
    let mut zc = z.clone();
    let m = z.row_mean();
    for mut r in zc.row_iter_mut() {
        r -= &m;
    }
    let cov = zc.tr_mul(&zc) / (z.nrows() - 1) as f64;
    assert!((cov - Matrix::identity(36, 36)).amax() < 1e-8);
    assert_eq!(fit.matrix.shape(), (36, 36));
    assert!(matches!(
        zca_whiten(&Matrix::zeros(1, 4), 0.0),
        Err(DataError::Empty { .. })
    ));
}

/// Centred sample covariance of the rows `r0..r0 + n` of `z`.
fn block_cov(z: &Matrix, r0: usize, n: usize) -> Matrix {
    let mut b = z.rows(r0, n).into_owned();
    let m = b.row_mean();
    for mut r in b.row_iter_mut() {
        r -= &m;
    }
    b.tr_mul(&b) / (n - 1) as f64
}

/// ZCA per image whitens each image's block exactly (its sample covariance is `c I`, the same `c`
/// for every block, total variance `target`), where one ZCA fitted to the pooled patches of two
/// images with different spectra leaves each block's covariance far from `c I` (the control:
/// why the phase-scrambled control is whitened per image). Bad input is a typed error.
#[test]
fn zca_per_image_whitens_each_image_exactly() {
    let imgs = [
        power_law_image(96, 96, 1.0, 3).unwrap(),
        power_law_image(96, 96, 2.0, 4).unwrap(),
    ];
    let (p, n) = (4, 400);
    let z = zca_whiten_per_image(&imgs, p, n, 8, 0.1, 7).unwrap();
    assert_eq!(z.shape(), (n, p * p));
    assert!((z.norm_squared() / z.len() as f64 - 0.1).abs() < 1e-12);
    let c0 = block_cov(&z, 0, 200);
    let c = c0.trace() / (p * p) as f64;
    for r0 in [0, 200] {
        let cov = block_cov(&z, r0, 200);
        assert!((cov / c - Matrix::identity(16, 16)).amax() < 1e-8);
    }
    // Control: one ZCA over the pooled, unit-variance patches of both images.
    let unit: Vec<Matrix> = imgs
        .iter()
        .map(|m| {
            let (mean, sd) = mean_sd(m);
            m.map(|v| (v - mean) / sd)
        })
        .collect();
    let mut pooled = Matrix::zeros(n, p * p);
    for (i, u) in unit.iter().enumerate() {
        let x = PatchSampler::new(p, 200)
            .with_border(8)
            .sample(std::slice::from_ref(u), 7 + 1000 * i as u64)
            .unwrap();
        pooled.rows_mut(200 * i, 200).copy_from(&x);
    }
    let (j, _) = zca_whiten(&pooled, 0.0).unwrap();
    let cj = block_cov(&j, 0, 200);
    let dev = (cj.clone() / (cj.trace() / 16.0) - Matrix::identity(16, 16)).amax();
    // 10^6 times the exactness bound above (measured 0.073).
    assert!(dev > 1e-2, "joint ZCA left block 0 white: {dev}");
    // Errors: too few patches per image, a constant image, no images.
    let few = zca_whiten_per_image(&imgs, p, 2 * 16, 8, 0.1, 7);
    assert!(
        matches!(&few, Err(DataError::InvalidParameter { name, .. }) if *name == "count"),
        "{few:?}"
    );
    let flat = [imgs[0].clone(), Matrix::from_element(96, 96, 3.0)];
    assert!(matches!(
        zca_whiten_per_image(&flat, p, n, 8, 0.1, 7),
        Err(DataError::InvalidParameter { .. })
    ));
    assert!(matches!(
        zca_whiten_per_image(&[], p, n, 8, 0.1, 7),
        Err(DataError::Empty { .. })
    ));
    assert!(zca_whiten_per_image(&imgs, p, n, 8, 0.0, 7).is_err());
}

/// Mean power spectrum of patches (one per row, `p x p`), Hann-windowed (to keep the leakage of a
/// steep spectrum from flattening it), radially averaged on integer radii `k = 1..p/2` (cycles per
/// patch); returns `(f, power)` with `f = k / p` cycles per pixel.
fn patch_power_spectrum(patches: &Matrix, p: usize) -> Vec<(f64, f64)> {
    let hann =
        |i: usize| 0.5 - 0.5 * (2.0 * std::f64::consts::PI * (i as f64 + 0.5) / p as f64).cos();
    let mut sum = vec![0.0; p / 2 + 1];
    let mut count = vec![0usize; p / 2 + 1];
    for row in patches.row_iter() {
        let mean = row.mean();
        let w = Matrix::from_fn(p, p, |r, c| (row[r * p + c] - mean) * hann(r) * hann(c));
        let s = Spectrum::of(&w).unwrap();
        for ky in 0..p {
            for kx in 0..p {
                let k = (s.radial_frequency(ky, kx) * p as f64).round() as usize;
                if (1..=p / 2).contains(&k) {
                    sum[k] += s.data[ky * p + kx].norm_sqr();
                    count[k] += 1;
                }
            }
        }
    }
    (1..=p / 2)
        .map(|k| (k as f64 / p as f64, sum[k] / count[k] as f64))
        .collect()
}

fn loglog_slope(pts: &[(f64, f64)]) -> f64 {
    let l: Vec<(f64, f64)> = pts.iter().map(|&(f, p)| (f.ln(), p.ln())).collect();
    let m = l.len() as f64;
    let (mx, my) = (
        l.iter().map(|p| p.0).sum::<f64>() / m,
        l.iter().map(|p| p.1).sum::<f64>() / m,
    );
    let sxy: f64 = l.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = l.iter().map(|p| (p.0 - mx).powi(2)).sum();
    sxy / sxx
}

/// The whitening seen by the learners, on patches: 32 x 32 patches sampled (border 16) from a
/// whitened synthetic 1/f-amplitude image have a mean power spectrum whose log-log slope over
/// 1/32-8/32 cycles/px, with the roll-off `exp(-2 (f/0.4)^4)` divided out, lies in
/// [-0.3, 0.3] (flat); the patches of the unwhitened image (the control) have a slope near -2
/// (the `1/f^2` power of natural images, Field 1987): below -1.7.
#[test]
fn whitened_patches_have_a_flat_spectrum() {
    let img = power_law_image(256, 256, 1.0, 9).unwrap();
    let white = OlshausenField::default()
        .apply(std::slice::from_ref(&img))
        .unwrap();
    let sampler = PatchSampler::new(32, 400).with_border(16);
    let pw: Vec<(f64, f64)> = patch_power_spectrum(&sampler.sample(&white, 1).unwrap(), 32)
        .into_iter()
        .filter(|&(f, _)| f <= 0.25)
        .map(|(f, p)| (f, p / (-2.0 * (f / 0.4).powi(4)).exp()))
        .collect();
    let flat = loglog_slope(&pw);
    let raw: Vec<(f64, f64)> = patch_power_spectrum(&sampler.sample(&[img], 1).unwrap(), 32)
        .into_iter()
        .filter(|&(f, _)| f <= 0.25)
        .collect();
    let control = loglog_slope(&raw);
    eprintln!("patch spectra: whitened slope {flat:.3}, unwhitened {control:.3}");
    assert!((-0.3..=0.3).contains(&flat), "whitened patch slope {flat}");
    assert!(control < -1.7, "unwhitened patch slope {control}");
}
