//! The V1 measures of `receptive::{gabor, v1stats}`: the Gabor fitter round trip (reference T8),
//! the tuning-curve code (T15), the Ringach reference data, and typed errors.

use neurograd_data::rng::{normal, stream, uniform};
use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::receptive::gabor::{GaborFitter, GaborParams, initial_guess};
use neurograd_plasticity::receptive::v1stats::{
    KAPPA, RINGACH_COUNTS, f1_f0, filter_stats, grating, median, nx_ny_histogram,
    orientation_coverage, orientation_half_width_deg, phase_invariance, pooled_energies,
    rectified_f1_f0, ringach_reference, sf_bandwidth_octaves, summarize, tuning,
};
use neurograd_tensor::Matrix;
use std::f64::consts::PI;

/// `n` random 12 x 12 Gabors of the calibrated kind (at least ~1 cycle across the patch,
/// envelope inside it) from stream `(seed, 0)`, with the truth.
fn synthetic_gabors(n: usize, seed: u64) -> Vec<GaborParams> {
    let mut rng = stream(seed, 0);
    (0..n)
        .map(|_| GaborParams {
            amplitude: 1.0,
            x0: 3.0 * uniform(&mut rng) - 1.5,
            y0: 3.0 * uniform(&mut rng) - 1.5,
            theta: PI * uniform(&mut rng),
            sigma_x: 1.5 + 1.5 * uniform(&mut rng),
            sigma_y: 1.5 + 2.0 * uniform(&mut rng),
            frequency: 0.1 + 0.2 * uniform(&mut rng),
            phase: 2.0 * PI * uniform(&mut rng),
            offset: 0.0,
        })
        .collect()
}

/// Reference T8 (vision reference, section 7; calibrated there: all cases pass, median frequency
/// error 0.8 %, noise ceiling R^2 ~ 0.946): 100 synthetic 12 x 12 Gabors plus Gaussian pixel noise
/// of 5 % of the peak amplitude are fitted with R^2 >= 0.9 and the carrier frequency within 5 %
/// in at least 95 % of the cases. Negative control: 300 white-noise filters reach R^2 >= 0.5 in
/// fewer than 1 % (at most 2 of 300; calibrated maximum 0.22, so 0 is expected; with 0 of 300
/// the one-sided 95 % upper bound of the chance rate is 1 %). The misses are printed: they are
/// Gabors with `nx` near the low-pass limit `kappa = 0.187` (about a fifth of a period per
/// envelope sigma), whose carrier frequency is weakly determined. Independent check of the
/// optimiser: no fit ends with a residual above that of the true parameters.
#[test]
fn gabor_fitter_round_trip_t8() {
    let truth = synthetic_gabors(100, 8);
    let mut rng = stream(8, 1);
    let mut filters = Matrix::zeros(truth.len(), 144);
    for (i, g) in truth.iter().enumerate() {
        let img = g.render(12, 12).unwrap();
        let peak = img.amax();
        for k in 0..144 {
            filters[(i, k)] = img[(k / 12, k % 12)] + 0.05 * peak * normal(&mut rng);
        }
    }
    let fits = GaborFitter::default().fit_rows(&filters, 12, 12).unwrap();
    // The optimiser never ends above the cost of the true parameters (which lie inside the box):
    // a miss is then the noise moving the least-squares optimum, not a local minimum.
    let above_truth: Vec<(usize, f64, f64)> = truth
        .iter()
        .enumerate()
        .filter_map(|(i, g)| {
            let img = g.render(12, 12).unwrap();
            let sse_truth: f64 = (0..144)
                .map(|k| (img[(k / 12, k % 12)] - filters[(i, k)]).powi(2))
                .sum();
            (fits[i].sse > sse_truth * (1.0 + 1e-9)).then_some((i, fits[i].sse, sse_truth))
        })
        .collect();
    assert!(
        above_truth.is_empty(),
        "fits above the truth's cost: {above_truth:?}"
    );
    let good = fits
        .iter()
        .zip(&truth)
        .filter(|(f, t)| {
            f.r2 >= 0.9 && (f.params.frequency - t.frequency).abs() / t.frequency < 0.05
        })
        .count();
    for (f, t) in fits.iter().zip(&truth) {
        let err = (f.params.frequency - t.frequency).abs() / t.frequency;
        if f.r2 < 0.9 || err >= 0.05 {
            eprintln!(
                "T8 miss: R^2 {:.3}, f {:.4} fitted {:.4} ({:.1} %), truth nx {:.3} ny {:.3}",
                f.r2,
                t.frequency,
                f.params.frequency,
                100.0 * err,
                t.nx(),
                t.ny()
            );
        }
    }
    let mut r2: Vec<f64> = fits.iter().map(|f| f.r2).collect();
    r2.sort_by(f64::total_cmp);
    assert!(
        good >= 95,
        "{good}/100 recovered; R^2 min {} median {}",
        r2[0],
        r2[50]
    );

    let n_noise = 300;
    let noise = Matrix::from_fn(n_noise, 144, |_, _| normal(&mut rng));
    let fits = GaborFitter::default().fit_rows(&noise, 12, 12).unwrap();
    let chance = fits.iter().filter(|f| f.r2 >= 0.5).count();
    let mut nr2: Vec<f64> = fits.iter().map(|f| f.r2).collect();
    nr2.sort_by(f64::total_cmp);
    assert!(
        100 * chance < n_noise,
        "{chance}/{n_noise} white-noise filters with R^2 >= 0.5 (max {})",
        nr2[n_noise - 1]
    );
    eprintln!(
        "T8: {good}/100 recovered, R^2 min {:.3} median {:.3}; white noise {chance}/{n_noise} with R^2 >= 0.5, R^2 median {:.3} 99th pct {:.3} max {:.3}",
        r2[0],
        r2[50],
        nr2[n_noise / 2],
        nr2[n_noise * 99 / 100],
        nr2[n_noise - 1]
    );
}

/// A noiseless Gabor is recovered exactly (R^2 = 1 to 1e-9, parameters to 1e-5 after
/// normalisation), with and without the offset; the fit is reproducible and thread-count free.
#[test]
fn exact_recovery_and_reproducibility() {
    let t = GaborParams {
        amplitude: 2.0,
        x0: -0.8,
        y0: 1.1,
        theta: 2.5,
        sigma_x: 2.2,
        sigma_y: 3.1,
        frequency: 0.23,
        phase: 4.0,
        offset: 0.3,
    };
    let img = t.render(12, 14).unwrap();
    let fitter = GaborFitter {
        fit_offset: true,
        ..GaborFitter::default()
    };
    let f = fitter.fit(&img).unwrap();
    assert!(f.r2 > 1.0 - 1e-9, "{}", f.r2);
    let p = f.params;
    for (a, b) in [
        (p.amplitude, t.amplitude),
        (p.x0, t.x0),
        (p.y0, t.y0),
        (p.theta, t.theta),
        (p.sigma_x, t.sigma_x),
        (p.sigma_y, t.sigma_y),
        (p.frequency, t.frequency),
        (p.phase, t.phase),
        (p.offset, t.offset),
    ] {
        assert!((a - b).abs() < 1e-5, "{p:?}");
    }
    // Without the offset parameter the same filter cannot be fitted exactly (control).
    let no_offset = GaborFitter::default().fit(&img).unwrap();
    assert!(no_offset.r2 < 1.0 - 1e-4, "{}", no_offset.r2);
    let rows = Matrix::from_fn(3, 168, |i, k| img[(k / 14, k % 14)] * (i + 1) as f64);
    let a = fitter.fit_rows(&rows, 12, 14).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let b = pool.install(|| fitter.fit_rows(&rows, 12, 14).unwrap());
    assert_eq!(a, b);
}

/// The initial guess reads frequency and orientation off the DFT peak.
#[test]
fn initial_guess_finds_the_carrier() {
    let t = GaborParams {
        amplitude: 1.0,
        x0: 0.0,
        y0: 0.0,
        theta: 0.6,
        sigma_x: 3.0,
        sigma_y: 3.0,
        frequency: 0.25,
        phase: 0.0,
        offset: 0.0,
    };
    let g = initial_guess(&t.render(16, 16).unwrap()).unwrap();
    assert!((g.frequency - 0.25).abs() < 1.0 / 64.0 + 1e-9, "{g:?}");
    let dtheta = (g.theta - 0.6).rem_euclid(PI);
    assert!(dtheta.min(PI - dtheta) < 0.1, "{g:?}");
}

#[test]
fn gabor_bad_input_is_typed() {
    let f = GaborFitter::default();
    assert!(matches!(
        f.fit(&Matrix::zeros(0, 4)),
        Err(PlasticityError::InvalidParameter {
            name: "filter shape",
            ..
        })
    ));
    assert!(matches!(
        f.fit(&Matrix::repeat(5, 5, 1.0)),
        Err(PlasticityError::InvalidParameter { name: "filter", .. })
    ));
    let mut nan = Matrix::from_fn(4, 4, |r, c| (r + c) as f64);
    nan[(1, 2)] = f64::NAN;
    assert!(matches!(
        f.fit(&nan),
        Err(PlasticityError::NonFinite { index: 9, .. })
    ));
    assert!(matches!(
        f.fit(&Matrix::from_fn(65, 3, |r, c| (r * c) as f64)),
        Err(PlasticityError::InvalidParameter {
            name: "filter shape",
            ..
        })
    ));
    assert!(matches!(
        f.fit_rows(&Matrix::zeros(2, 10), 3, 3),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        GaborFitter {
            max_iterations: 0,
            ..f
        }
        .fit(&nan),
        Err(PlasticityError::InvalidParameter {
            name: "max_iterations",
            ..
        })
    ));
}

/// A Gabor with Ringach shape `(nx, ny)` at carrier 0.1 cycles/px and phase `phase`, rendered on a
/// 49 x 49 grid (the envelope is inside it with > 5 sigma to spare).
fn shaped(nx: f64, ny: f64, phase: f64) -> Matrix {
    let f = 0.1;
    GaborParams {
        amplitude: 1.0,
        x0: 0.0,
        y0: 0.0,
        theta: 0.4,
        sigma_x: nx / f,
        sigma_y: ny / f,
        frequency: f,
        phase,
        offset: 0.0,
    }
    .render(49, 49)
    .unwrap()
}

/// Reference T15 (derived analytically, section 3): probing a Gabor with nx = 0.42, ny = 0.44 by
/// gratings gives an SF bandwidth of 1.38 +- 0.1 octaves (formula: log2[(1+k/nx)/(1-k/nx)] = 1.385)
/// and an orientation half-width of 23-26 degrees (formula 23.0, measured 24.6 in calibration);
/// the formula and the measurement agree. Negative control: for nx = 0.15 < kappa the carrier-only
/// formula must come back infinite (low-pass), and so must the measurement of the even Gabor.
#[test]
fn tuning_curves_t15() {
    let t = tuning(&shaped(0.42, 0.44, 0.0)).unwrap();
    eprintln!("T15 tuning: {t:?}");
    assert!((t.sf_bandwidth_octaves - 1.38).abs() < 0.1, "{t:?}");
    assert!(
        (23.0..=26.0).contains(&t.orientation_half_width_deg),
        "{t:?}"
    );
    assert!((t.preferred_frequency - 0.1).abs() < 1e-3 && (t.preferred_theta - 0.4).abs() < 1e-2);
    assert!(!t.low_pass);
    assert!((sf_bandwidth_octaves(0.42) - 1.3847).abs() < 1e-3);
    assert!((orientation_half_width_deg(0.44) - 23.07).abs() < 0.05);
    assert!((t.sf_bandwidth_octaves - sf_bandwidth_octaves(0.42)).abs() < 0.1);
    // The reference's table: nx 0.30 -> 2.1, 0.50 -> 1.1, 0.70 -> 0.8 octaves; ny 0.30 -> 32 deg.
    for (nx, b) in [(0.30, 2.1), (0.37, 1.6), (0.50, 1.1), (0.70, 0.8)] {
        assert!((sf_bandwidth_octaves(nx) - b).abs() < 0.06, "{nx}");
    }
    assert!((orientation_half_width_deg(0.30) - 32.0).abs() < 0.5);

    assert_eq!(sf_bandwidth_octaves(0.15), f64::INFINITY);
    let lp = tuning(&shaped(0.15, 0.44, 0.0)).unwrap();
    assert!(
        lp.low_pass && lp.sf_bandwidth_octaves.is_infinite(),
        "{lp:?}"
    );
    assert!(sf_bandwidth_octaves(-1.0).is_nan());
}

/// Reference T15, complex cells: the energy of a quadrature pair (nx = 0.42) is phase invariant
/// (PI > 0.95; calibrated > 0.9999), a single squared filter is not (PI < 0.05, the control); a
/// half-wave-rectified single filter has F1/F0 = pi/2 +- 0.05, while the energy unit's F1/F0 is
/// ~0 (its modulation is at twice the grating frequency: the reason PI, not F1/F0, is used).
#[test]
fn phase_invariance_and_f1_f0_t15() {
    let (even, odd) = (shaped(0.42, 0.44, 0.0), shaped(0.42, 0.44, PI / 2.0));
    let pair = [even.clone(), odd.clone()];
    let pi_pair = phase_invariance(&pair, None).unwrap();
    assert!(pi_pair > 0.95, "{pi_pair}");
    let pi_single = phase_invariance(std::slice::from_ref(&even), None).unwrap();
    assert!(pi_single < 0.05, "{pi_single}");
    let r = rectified_f1_f0(&even, 0.1, 0.4, 64).unwrap();
    assert!((r - PI / 2.0).abs() < 0.05, "{r}");
    let e = pooled_energies(&pair, 0.1, 0.4, 64).unwrap();
    let single = pooled_energies(std::slice::from_ref(&odd), 0.1, 0.4, 64).unwrap();
    assert!(f1_f0(&e).unwrap() < 1e-3 && f1_f0(&single).unwrap() < 1e-9);
    eprintln!("T15: PI pair {pi_pair:.6}, single {pi_single:.2e}; rectified F1/F0 {r:.4}");

    assert!(matches!(
        phase_invariance(&[even.clone(), Matrix::zeros(3, 3)], None),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        phase_invariance(&[], None),
        Err(PlasticityError::InvalidParameter {
            name: "subunits",
            ..
        })
    ));
    assert!(matches!(
        f1_f0(&[0.0, 0.0]),
        Err(PlasticityError::InvalidParameter {
            name: "responses",
            ..
        })
    ));
    assert!(matches!(
        f1_f0(&[1.0, f64::NAN]),
        Err(PlasticityError::NonFinite { index: 1, .. })
    ));
    assert!(matches!(
        pooled_energies(&pair, 0.1, 0.4, 1),
        Err(PlasticityError::InvalidParameter {
            name: "n_phases",
            ..
        })
    ));
    assert!(matches!(
        tuning(&Matrix::zeros(4, 4)),
        Err(PlasticityError::InvalidParameter { name: "filter", .. })
    ));
}

/// The vendored Ringach (2002) histogram (VOneNet's digitisation) reproduces the reference's
/// derived numbers: n = 79, marginals nx [3, 22, 42, 12, 0] and ny [11, 11, 25, 25, 7], median
/// nx ~ 0.37, median ny ~ 0.44, 58 % with both below 0.525.
#[test]
fn ringach_reference_numbers() {
    let r = ringach_reference();
    assert_eq!(r.n_cells, 79);
    let nx: Vec<u32> = RINGACH_COUNTS.iter().map(|row| row.iter().sum()).collect();
    let ny: Vec<u32> = (0..5)
        .map(|j| RINGACH_COUNTS.iter().map(|row| row[j]).sum())
        .collect();
    assert_eq!(nx, [3, 22, 42, 12, 0]);
    assert_eq!(ny, [11, 11, 25, 25, 7]);
    assert!((r.median_nx - 0.37).abs() < 0.01, "{r:?}");
    assert!((r.median_ny - 0.44).abs() < 0.01, "{r:?}");
    assert!((r.fraction_both_below_half - 46.0 / 79.0).abs() < 1e-12);
    let h = nx_ny_histogram(&[(0.11, 0.2), (0.4, 0.4), (0.4, 0.45), (2.0, 0.3)]);
    assert_eq!(
        (h[0][1], h[2][2], h.iter().flatten().sum::<u32>()),
        (1, 2, 3)
    );
}

/// The summary of fits: synthetic Ringach-like Gabors are all Gabor-like, localised and
/// non-degenerate with the medians of their truth; white-noise filters are not Gabor-like (the
/// control); bad input is typed.
#[test]
fn summary_of_fits() {
    let truth = synthetic_gabors(24, 3);
    let mut filters = Matrix::zeros(24, 144);
    for (i, g) in truth.iter().enumerate() {
        let img = g.render(12, 12).unwrap();
        for k in 0..144 {
            filters[(i, k)] = img[(k / 12, k % 12)];
        }
    }
    let fits = GaborFitter::default().fit_rows(&filters, 12, 12).unwrap();
    let s = summarize(&fits, 0.8).unwrap();
    assert_eq!(s.n_filters, 24);
    assert_eq!(s.fraction_gabor, 1.0);
    assert_eq!(s.fraction_localised_gabor, 1.0);
    assert_eq!(s.fraction_degenerate, 0.0);
    let nx: Vec<f64> = truth.iter().map(|g| g.nx()).collect();
    assert!((s.median_nx - median(&nx)).abs() < 1e-3, "{s:?}");
    assert!(s.orientation_coverage >= 0.75, "{s:?}");
    let stats = filter_stats(&fits[0], 0.8);
    assert!((stats.sf_bandwidth_octaves - sf_bandwidth_octaves(truth[0].nx())).abs() < 1e-3);

    let mut rng = stream(3, 9);
    let noise = Matrix::from_fn(24, 144, |_, _| normal(&mut rng));
    let n = summarize(
        &GaborFitter::default().fit_rows(&noise, 12, 12).unwrap(),
        0.8,
    )
    .unwrap();
    assert_eq!(n.fraction_gabor, 0.0);
    assert!(n.median_nx.is_nan() && n.orientation_coverage == 0.0);

    assert!(matches!(
        summarize(&[], 0.8),
        Err(PlasticityError::InvalidParameter { name: "fits", .. })
    ));
    assert!(matches!(
        summarize(&fits, 1.5),
        Err(PlasticityError::InvalidParameter {
            name: "r2_threshold",
            ..
        })
    ));
}

/// A plane wave (a PCA-like global filter) fits with an envelope wider than P/2: not localised.
#[test]
fn plane_waves_fail_the_localisation_test() {
    let wave = grating(12, 12, 0.25, 0.3, 0.5);
    let fit = GaborFitter::default().fit(&wave).unwrap();
    let s = filter_stats(&fit, 0.8);
    assert!(s.well_fit && !s.localised, "{fit:?}");
}

/// Ringach's shape of a known Gabor, two independent ways. (1) The fit: `nx = sigma_x f` and
/// `ny = sigma_y f` of the fitted parameters equal the truth's to 1e-4 (noiseless 24 x 24
/// filters, the widths swapped between the two cases so that swapping `nx` and `ny` in the
/// code would fail). (2) The spectrum: inverting the grating-measured SF bandwidth `B` through
/// `nx = kappa (2^B - 1) / (2^B + 1)` (the bandwidth formula solved for `nx`; no fit involved)
/// gives the fitted `nx` within 3 %.
#[test]
fn known_gabor_nx_ny_fit_and_spectrum_agree() {
    for (sx, sy) in [(2.4, 3.6), (3.6, 2.4)] {
        let f = 0.15;
        let truth = GaborParams {
            amplitude: 1.0,
            x0: 0.3,
            y0: -0.4,
            theta: 1.1,
            sigma_x: sx,
            sigma_y: sy,
            frequency: f,
            phase: 0.7,
            offset: 0.0,
        };
        let img = truth.render(24, 24).unwrap();
        let fit = GaborFitter::default().fit(&img).unwrap();
        let s = filter_stats(&fit, 0.8);
        assert!(
            (s.nx - sx * f).abs() < 1e-4 && (s.ny - sy * f).abs() < 1e-4,
            "{s:?}"
        );
        assert!(s.well_fit && s.localised && !s.degenerate);
        let t = tuning(&img).unwrap();
        let b = 2f64.powf(t.sf_bandwidth_octaves);
        let nx_spectral = KAPPA * (b + 1.0) / (b - 1.0);
        assert!(
            (nx_spectral / s.nx - 1.0).abs() < 0.03,
            "spectral nx {nx_spectral} vs fitted {}",
            s.nx
        );
        eprintln!(
            "nx truth {:.3}: fitted {:.5}, from the measured SF bandwidth {:.4}",
            sx * f,
            s.nx,
            nx_spectral
        );
    }
}

/// The value of a filter's discrete-space Fourier transform `V = sum_x w(x) exp(i k . x)` at the
/// grating `(f, theta)`, by direct summation (independent of `v1stats`).
fn fourier_at(w: &Matrix, f: f64, theta: f64) -> (f64, f64) {
    let (rows, cols) = w.shape();
    let (cx, cy) = ((cols as f64 - 1.0) / 2.0, (rows as f64 - 1.0) / 2.0);
    let (mut re, mut im) = (0.0, 0.0);
    for r in 0..rows {
        for c in 0..cols {
            let t = 2.0 * PI * f * ((c as f64 - cx) * theta.cos() + (r as f64 - cy) * theta.sin());
            re += w[(r, c)] * t.cos();
            im += w[(r, c)] * t.sin();
        }
    }
    (re, im)
}

/// The pooled energy of any group against its closed form: with `V_j` the Fourier value of
/// subunit `j` at the grating, `<w_j, cos(k.x + psi)> = Re(exp(i psi) V_j)`, so
/// `E(psi) = S/2 + Re(exp(2 i psi) Z)/2` with `S = sum |V_j|^2`, `Z = sum V_j^2`, and over a
/// continuum of phases `PI = (S - |Z|) / (S + |Z|)`. Claims: `pooled_energies` equals the closed
/// form at 32 phases to 1e-10 (relative), and `phase_invariance` (32 sampled phases) is within
/// 0.02 of the continuum formula, for four groups: a quadrature pair (energy model, Adelson &
/// Bergen 1985: PI > 0.95), each of its subunits alone (PI < 0.05: subunits are not phase
/// invariant), and two controls that are not quadrature pairs (same phase twice: PI < 0.05;
/// phases 0.3 rad apart: PI < 0.2).
#[test]
fn energy_model_is_phase_invariant_and_its_subunits_are_not() {
    let (f, theta) = (0.1, 0.4);
    let even = shaped(0.42, 0.44, 0.0);
    let odd = shaped(0.42, 0.44, PI / 2.0);
    let near = shaped(0.42, 0.44, 0.3);
    let groups: [(&str, Vec<Matrix>, f64, f64); 5] = [
        (
            "quadrature pair",
            vec![even.clone(), odd.clone()],
            0.95,
            1.0,
        ),
        ("even subunit", vec![even.clone()], 0.0, 0.05),
        ("odd subunit", vec![odd.clone()], 0.0, 0.05),
        (
            "same phase twice",
            vec![even.clone(), even.clone()],
            0.0,
            0.05,
        ),
        ("phases 0.3 apart", vec![even.clone(), near], 0.0, 0.2),
    ];
    for (name, group, lo, hi) in groups {
        let v: Vec<(f64, f64)> = group.iter().map(|w| fourier_at(w, f, theta)).collect();
        let s: f64 = v.iter().map(|(a, b)| a * a + b * b).sum();
        let (zr, zi) = v.iter().fold((0.0, 0.0), |(r, i), (a, b)| {
            (r + a * a - b * b, i + 2.0 * a * b)
        });
        let e = pooled_energies(&group, f, theta, 32).unwrap();
        for (k, ek) in e.iter().enumerate() {
            let psi = 2.0 * PI * k as f64 / 32.0;
            let closed = s / 2.0 + (zr * (2.0 * psi).cos() - zi * (2.0 * psi).sin()) / 2.0;
            assert!(
                (ek - closed).abs() < 1e-10 * s,
                "{name} phase {k}: {ek} vs {closed}"
            );
        }
        let z = zr.hypot(zi);
        let continuum = (s - z) / (s + z);
        let pi = phase_invariance(&group, Some((f, theta))).unwrap();
        assert!((pi - continuum).abs() < 0.02, "{name}: {pi} vs {continuum}");
        assert!((lo..=hi).contains(&pi), "{name}: PI {pi}");
        eprintln!("PI {name}: {pi:.5} (closed form {continuum:.5})");
    }
}

/// Localisation separates Gabors from global, PCA-like patterns on real data: the 32 leading
/// principal components (after the first, the mean-luminance one) of 12 x 12 patches of the
/// Olshausen & Field-whitened bundled images are fitted; at most 10 % of them pass the
/// localisation test (`sigma_x, sigma_y <= P/2`) with `R^2 >= 0.8`, while 40 synthetic
/// Gabors of the calibrated kind (the control that must come out the other way) pass it all.
#[test]
fn localisation_separates_gabors_from_principal_components() {
    use neurograd_data::natural::{self, OlshausenField, PatchSampler};
    use neurograd_tensor::geometry::pca_k;
    let ims: Vec<Matrix> = ["astronaut", "grass", "gravel", "chelsea"]
        .iter()
        .map(|n| natural::image(n).unwrap())
        .collect();
    let white = OlshausenField::default().apply(&ims).unwrap();
    let patches = PatchSampler::new(12, 20_000)
        .with_border(16)
        .sample(&white, 5)
        .unwrap();
    let pca = pca_k(&patches, 33).unwrap();
    let comps = pca.components.columns(1, 32).transpose();
    let fits = GaborFitter::default().fit_rows(&comps, 12, 12).unwrap();
    let stats: Vec<_> = fits.iter().map(|f| filter_stats(f, 0.8)).collect();
    let loc_pca = stats.iter().filter(|s| s.well_fit && s.localised).count();
    let gabor_pca = stats.iter().filter(|s| s.well_fit).count();

    let truth = synthetic_gabors(40, 21);
    let g = Matrix::from_fn(40, 144, |i, k| {
        truth[i].render(12, 12).unwrap()[(k / 12, k % 12)]
    });
    let gfits = GaborFitter::default().fit_rows(&g, 12, 12).unwrap();
    let loc_gabor = gfits
        .iter()
        .filter(|f| {
            let s = filter_stats(f, 0.8);
            s.well_fit && s.localised
        })
        .count();
    eprintln!(
        "localisation: PCA {loc_pca}/32 localised Gabors ({gabor_pca}/32 with R^2 >= 0.8, median R^2 {:.3}); synthetic Gabors {loc_gabor}/40",
        median(&fits.iter().map(|f| f.r2).collect::<Vec<_>>())
    );
    assert!(
        loc_pca * 10 <= 32,
        "{loc_pca}/32 principal components localised"
    );
    assert_eq!(loc_gabor, 40);
}

/// Coverage against brute-force counts: Gabors at the 8 bin-centre orientations cover every
/// orientation bin (1.0), all at one orientation cover 1/8 (the control); the fitted
/// orientations of noiseless Gabors are the true ones to 1e-4 degrees (mod 180).
#[test]
fn orientation_coverage_of_fitted_gabors() {
    let fitter = GaborFitter::default();
    let mut fitted = Vec::new();
    for k in 0..8 {
        let theta = (k as f64 + 0.5) * PI / 8.0;
        let g = GaborParams {
            amplitude: 1.0,
            x0: 0.0,
            y0: 0.0,
            theta,
            sigma_x: 2.0,
            sigma_y: 2.5,
            frequency: 0.2,
            phase: 0.4,
            offset: 0.0,
        };
        let s = filter_stats(&fitter.fit(&g.render(12, 12).unwrap()).unwrap(), 0.8);
        let d = (s.orientation_deg - theta.to_degrees()).rem_euclid(180.0);
        assert!(
            d.min(180.0 - d) < 1e-4,
            "{} vs {}",
            s.orientation_deg,
            theta.to_degrees()
        );
        fitted.push(s.orientation_deg);
    }
    assert_eq!(orientation_coverage(&fitted, 8), 1.0);
    assert_eq!(orientation_coverage(&[fitted[3]; 8], 8), 1.0 / 8.0);
}
