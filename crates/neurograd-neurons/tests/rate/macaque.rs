//! The 29-area macaque model of Joglekar et al. (2018): data, fixed point, eigenvalues, the pulse
//! into V1 under weak and strong GBA, the local circuit of Fig. 1 and the mu_EE scan of Fig. 2.
//! Reference values are from shared/reference/macaque29-model.md (which reran the authors' code).

use std::sync::OnceLock;

use neurograd_neurons::NeuronError;
use neurograd_neurons::circuits::balanced::eigenvalues;
use neurograd_neurons::circuits::macaque::*;
use neurograd_tensor::Matrix;

fn responses() -> &'static (PulseResponse, PulseResponse) {
    static R: OnceLock<(PulseResponse, PulseResponse)> = OnceLock::new();
    R.get_or_init(|| (run_gba(Gba::Weak).unwrap(), run_gba(Gba::Strong).unwrap()))
}

/// The vendored FLN matrix has the properties the data README states: zero diagonal, 536 of 812
/// off-diagonal entries non-zero, values 1.56e-6..0.764, row sums 0.16..0.96; h(V1) = 0,
/// h(24c) = 1 with raw value 3.1162.
#[test]
fn vendored_data_has_the_documented_properties() {
    let d = data().unwrap();
    let mut nnz = 0;
    let (mut lo, mut hi) = (f64::MAX, 0.0f64);
    for (i, area) in AREAS.iter().enumerate() {
        assert_eq!(d.fln[(i, i)], 0.0);
        let s: f64 = d.fln.row(i).sum();
        assert!((0.15..0.97).contains(&s), "row sum of {area} = {s}");
        for j in 0..N_AREAS {
            let v = d.fln[(i, j)];
            if v > 0.0 {
                nnz += 1;
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    assert_eq!(nnz, 536);
    assert!(
        (lo - 1.56e-6).abs() < 5e-9 && (hi - 0.764).abs() < 5e-4,
        "{lo} {hi}"
    );
    assert_eq!(d.hierarchy[0], 0.0);
    assert_eq!(d.hierarchy[N_AREAS - 1], 1.0);
    assert!((d.hierarchy_raw[N_AREAS - 1] - 3.1162).abs() < 5e-5);
    assert!(
        d.hierarchy.windows(2).all(|w| w[0] <= w[1]),
        "areas are in ascending hierarchy"
    );
}

/// Baseline rates (10 Hz E, 35 Hz I) are a fixed point in both settings (Ibg = r0 - W r0).
#[test]
fn baseline_is_a_fixed_point() {
    for gba in [Gba::Weak, Gba::Strong] {
        let m = MacaqueModel::for_gba(gba).unwrap();
        assert!(
            m.fixed_point_residual() < 1e-12,
            "{gba:?}: {}",
            m.fixed_point_residual()
        );
    }
}

/// Largest real eigenvalue of A = diag(1/tau)(W - I): -1.3152 s^-1 (weak), -0.9232 s^-1 (strong);
/// mu_EE = 51.5 without the extra inhibition gives +65.39 s^-1 (negative control: strong
/// long-range excitation alone is unstable). The fixed-inhibition branch gives +22.1, +0.53 and
/// -2.39 s^-1 at mu_EE = 20, 30, 32.
#[test]
fn largest_real_eigenvalues_match_the_reference() {
    let weak = MacaqueModel::for_gba(Gba::Weak)
        .unwrap()
        .largest_real_eigenvalue()
        .unwrap();
    let strong = MacaqueModel::for_gba(Gba::Strong)
        .unwrap()
        .largest_real_eigenvalue()
        .unwrap();
    assert!((weak - -1.3152).abs() < 5e-5, "weak {weak}");
    assert!((strong - -0.9232).abs() < 5e-5, "strong {strong}");
    let unbalanced = MacaqueParams {
        mu_ee: 51.5,
        ..MacaqueParams::weak()
    };
    let e = MacaqueModel::new(&unbalanced, Projections::All)
        .unwrap()
        .largest_real_eigenvalue()
        .unwrap();
    assert!((e - 65.39).abs() < 5e-3, "unbalanced {e}");
    for (mu, expected, tol) in [(20.0, 22.1, 0.05), (30.0, 0.53, 5e-3), (32.0, -2.39, 5e-3)] {
        let p = MacaqueParams {
            mu_ee: mu,
            ..MacaqueParams::weak()
        };
        let e = MacaqueModel::new(&p, Projections::All)
            .unwrap()
            .largest_real_eigenvalue()
            .unwrap();
        assert!((e - expected).abs() < tol, "mu_EE {mu}: {e}");
    }
}

/// Pulse into V1 (Fig. 3): V1 rises by about 100 Hz in both settings (the amplitudes were tuned
/// for it); the clamp never engages; V1 peaks at the end of the pulse (t = 2.2498 s) and 24c at
/// 2.541 s (weak) and 2.520 s (strong) (macaque29-model.md, "Measured quantity").
#[test]
fn v1_rises_by_about_100_hz_in_both_settings() {
    let (weak, strong) = responses();
    for r in [weak, strong] {
        let v1 = r.peak("V1").unwrap();
        assert!((v1 - 100.0).abs() < 1.0, "V1 peak {v1}");
        assert!(!r.blew_up);
        assert_eq!(r.clamp_engaged, 0);
        assert_eq!(r.areas.len(), N_AREAS);
        assert_eq!(r.traces.len(), N_AREAS);
        assert_eq!(r.traces[0].len(), r.times.len());
    }
    for r in [weak, strong] {
        assert!(
            (r.areas[0].peak_time_s - 2.2498).abs() < 1e-3,
            "V1 peak time {}",
            r.areas[0].peak_time_s
        );
    }
    assert!((weak.areas[28].peak_time_s - 2.541).abs() < 1e-3);
    assert!((strong.areas[28].peak_time_s - 2.520).abs() < 1e-3);
}

/// Strong GBA carries the pulse to the frontal areas and to 24c about two orders of magnitude
/// better than weak GBA (Joglekar et al. 2018, Fig. 3D; claims.md #8). Measured: 24c/V1 =
/// 6.2e-5 (weak) vs 1.0e-2 (strong). Negative control: in the early visual areas the gain is
/// far smaller than 100 (V2: 4.7x), so the claim is specific to long-range propagation.
#[test]
fn strong_gba_propagates_orders_of_magnitude_better() {
    let (weak, strong) = responses();
    let improvement = strong.propagation_ratio / weak.propagation_ratio;
    assert!(improvement > 100.0, "24c/V1 improvement {improvement}");
    assert!(weak.propagation_ratio < 1e-4 && strong.propagation_ratio > 1e-2);
    for area in PREFRONTAL {
        let gain = strong.peak(area).unwrap() / weak.peak(area).unwrap();
        assert!(gain > 30.0, "{area}: strong/weak {gain}");
        assert!(
            strong.peak(area).unwrap() > 1.0,
            "{area} strong peak should exceed 1 Hz"
        );
    }
    let v2 = strong.peak("V2").unwrap() / weak.peak("V2").unwrap();
    assert!(v2 < 10.0, "V2 gain {v2}");
}

/// The rate clamp (Matlab), the drive clamp (OSB port), the rectification alone (`Clamp::None`)
/// and the purely linear system (`Clamp::Linear`, neither clamp nor rectification) give identical
/// pulse responses in both the weak and the strong GBA run: no rate falls below baseline and no
/// drive below 0, so "those runs are exactly the response of the linear system"
/// (macaque29-model.md, "Nonlinearity and clamp"). Every peak, peak time and recorded trace is
/// compared with the rate-clamp run (measured: bit-identical).
#[test]
fn clamp_variants_agree_in_the_pulse_runs() {
    let (weak, strong) = responses();
    for (gba, reference) in [(Gba::Weak, weak), (Gba::Strong, strong)] {
        assert_eq!(reference.clamp_engaged, 0);
        let model = MacaqueModel::for_gba(gba).unwrap();
        for clamp in [Clamp::Drive, Clamp::None, Clamp::Linear] {
            let mut p = PulseProtocol::for_gba(gba);
            p.clamp = clamp;
            let r = model.simulate_pulse(&p).unwrap();
            assert!(!r.blew_up && r.clamp_engaged == 0, "{gba:?} {clamp:?}");
            for (a, b) in r.areas.iter().zip(&reference.areas) {
                assert!(
                    (a.peak_hz - b.peak_hz).abs() <= 1e-12 * b.peak_hz,
                    "{gba:?} {clamp:?} {}",
                    a.area
                );
                assert_eq!(a.peak_time_s, b.peak_time_s, "{gba:?} {clamp:?} {}", a.area);
            }
            assert_eq!(r.times, reference.times);
            for (i, (x, y)) in r.traces.iter().zip(&reference.traces).enumerate() {
                let scale = reference.areas[i].peak_hz;
                assert!(
                    x.iter().zip(y).all(|(x, y)| (x - y).abs() <= 1e-12 * scale),
                    "{gba:?} {clamp:?} trace of {}",
                    AREAS[i]
                );
            }
        }
    }
}

/// In the pulse runs the model is exactly linear (macaque29-model.md: no clamp engages), so the
/// response scales with the amplitude: half the pulse gives half of every peak, and a pulse into
/// another area (24c) works by name. Then V1's rise at the end of the pulse equals the exact
/// linear solution `(I - e^{A T}) (-A^{-1}) b` (matrix exponential, T = 1251 steps as in the
/// Matlab) within the reported Euler error (0.06 %).
#[test]
fn pulse_response_is_the_linear_response() {
    let (_, strong) = responses();
    let model = MacaqueModel::for_gba(Gba::Strong).unwrap();
    let mut p = PulseProtocol::for_gba(Gba::Strong);
    p.amplitude *= 0.5;
    p.record_every = usize::MAX;
    let half = model.simulate_pulse(&p).unwrap();
    for (a, b) in half.areas.iter().zip(&strong.areas) {
        assert!(
            (2.0 * a.peak_hz - b.peak_hz).abs() < 1e-9 * b.peak_hz,
            "{}",
            a.area
        );
    }
    p.area = "24c".to_string();
    let top = model.simulate_pulse(&p).unwrap();
    assert!(top.peak("24c").unwrap() > top.peak("V1").unwrap());

    let a = model.jacobian();
    let n = a.nrows();
    let duration = 1251.0 * 2e-4;
    let mut b = neurograd_tensor::Vector::zeros(n);
    b[0] = PulseProtocol::for_gba(Gba::Strong).amplitude / model.params().tau_e;
    let x = a.clone().lu().solve(&b).unwrap();
    let exact = (Matrix::identity(n, n) - (a * duration).exp()) * (-x);
    let v1 = strong.peak("V1").unwrap();
    let rel = (v1 - exact[0]).abs() / exact[0];
    assert!(rel < 6e-4, "V1 Euler {v1} vs exact {} ({rel})", exact[0]);
}

/// Euler at dt = 0.2 ms is converged: halving dt changes every peak by < 0.1 % (the reference
/// reports at most 0.03 %).
#[test]
fn euler_step_is_converged() {
    let (weak, _) = responses();
    let mut p = PulseProtocol::for_gba(Gba::Weak);
    p.dt = 1e-4;
    p.record_every = usize::MAX;
    let fine = MacaqueModel::for_gba(Gba::Weak)
        .unwrap()
        .simulate_pulse(&p)
        .unwrap();
    for (a, b) in fine.areas.iter().zip(&weak.areas) {
        let rel = (a.peak_hz - b.peak_hz).abs() / b.peak_hz;
        assert!(rel < 1e-3, "{}: {rel}", a.area);
    }
}

/// Fig. 1 local circuit: weak and strong local balanced amplification are both stable (closed-form
/// eigenvalues equal the numerical ones), and strong LBA gives the larger transient (measured
/// peaks 2.17 and 5.79 Hz from r_E(0) = 1 Hz). Negative control: lowering I->E to 6.6, below the
/// authors' stability boundary 6.668, makes the strong circuit unstable.
#[test]
fn local_circuit_strong_lba_amplifies_more() {
    let weak = LocalCircuit::weak_lba();
    let strong = LocalCircuit::strong_lba();
    let rw = weak.simulate(1e-4, 0.6).unwrap();
    let rs = strong.simulate(1e-4, 0.6).unwrap();
    for (c, r) in [(weak, &rw), (strong, &rs)] {
        assert!(r.largest_real_eigenvalue < 0.0);
        let m =
            Matrix::from_row_slice(2, 2, &[c.w_ee - 1.0, -c.w_ei, c.w_ie, -c.w_ii - 1.0]) / c.tau;
        let mut num: Vec<f64> = eigenvalues(&m).unwrap().iter().map(|e| e.0).collect();
        num.sort_by(|a, b| b.partial_cmp(a).unwrap());
        assert!((num[0] - r.largest_real_eigenvalue).abs() < 1e-9);
    }
    assert!((rw.peak_e - 2.17).abs() < 0.01, "weak {}", rw.peak_e);
    assert!((rs.peak_e - 5.79).abs() < 0.01, "strong {}", rs.peak_e);
    assert!(rs.peak_e > 2.0 * rw.peak_e);
    let edge = LocalCircuit {
        w_ei: 6.6,
        ..strong
    };
    assert!(edge.eigenvalues()[0].0 > 0.0);
}

/// Fig. 2 mu_EE scan with omega_EI = 19.7: with feedback, propagation to 24c stays weak
/// (< 0.1 Hz at mu_EE <= 34) until the network turns unstable between 34 and 36 and blows up.
/// Without feedback projections (FLN lower triangle) the network is block-triangular, so its
/// eigenvalues are those of the local circuits whatever mu_EE: it never becomes unstable and the
/// 24c response grows gradually with mu_EE ("slow blow-up"); at mu_EE = 34 removing feedback
/// worsens propagation (authors' code comment "removing fb worsens propagation").
#[test]
fn removing_feedback_changes_the_mu_ee_scan() {
    let mus = [30.0, 34.0, 36.0];
    let fb = mu_ee_scan(
        &mus,
        ScanBranch::FixedInhibition,
        Projections::All,
        Clamp::Rate,
    )
    .unwrap();
    assert!(fb[0].peak_24c_hz < 0.1 && fb[1].peak_24c_hz < 0.1);
    assert!(fb[1].largest_real_eigenvalue < 0.0 && fb[2].largest_real_eigenvalue > 0.0);
    assert!(fb[2].blew_up && !fb[1].blew_up);

    let mus_nofb = [30.0, 34.0, 36.0, 38.0, 42.0];
    let nofb = mu_ee_scan(
        &mus_nofb,
        ScanBranch::FixedInhibition,
        Projections::NoFeedback,
        Clamp::Rate,
    )
    .unwrap();
    // Largest local-circuit eigenvalue (the spectrum of a block-triangular matrix).
    let p = MacaqueParams::weak();
    let d = data().unwrap();
    let local_max = d
        .hierarchy
        .iter()
        .map(|h| {
            let g = 1.0 + p.eta * h;
            let m = Matrix::from_row_slice(
                2,
                2,
                &[
                    (p.beta_e * p.omega_ee * g - 1.0) / p.tau_e,
                    -p.beta_e * p.omega_ei / p.tau_e,
                    p.beta_i * p.omega_ie * g / p.tau_i,
                    (-p.beta_i * p.omega_ii - 1.0) / p.tau_i,
                ],
            );
            eigenvalues(&m)
                .unwrap()
                .iter()
                .map(|e| e.0)
                .fold(f64::MIN, f64::max)
        })
        .fold(f64::MIN, f64::max);
    for pt in &nofb {
        assert!(!pt.blew_up, "mu_EE {}", pt.mu_ee);
        assert!((pt.largest_real_eigenvalue - local_max).abs() < 1e-8 * local_max.abs());
        assert!(pt.largest_real_eigenvalue < 0.0);
    }
    assert!(
        nofb.windows(2).all(|w| w[1].peak_24c_hz > w[0].peak_24c_hz),
        "gradual growth"
    );
    assert!(
        nofb[4].peak_24c_hz > 10.0,
        "mu_EE 42 without feedback: {}",
        nofb[4].peak_24c_hz
    );
    assert!(
        nofb[1].peak_24c_hz < fb[1].peak_24c_hz,
        "removing feedback worsens propagation at 34"
    );
}

/// The two clamp variants agree on the scan except on the strong branch at mu_EE = 32, where
/// rates dip below baseline and they differ by 2.4 % (macaque29-model.md).
#[test]
fn clamp_variants_differ_only_where_the_clamp_engages() {
    let mus = [32.0, 34.0];
    let rate = mu_ee_scan(
        &mus,
        ScanBranch::ScaledInhibition,
        Projections::All,
        Clamp::Rate,
    )
    .unwrap();
    let drive = mu_ee_scan(
        &mus,
        ScanBranch::ScaledInhibition,
        Projections::All,
        Clamp::Drive,
    )
    .unwrap();
    let rel32 = (drive[0].peak_24c_hz - rate[0].peak_24c_hz).abs() / rate[0].peak_24c_hz;
    assert!((rel32 - 0.024).abs() < 0.002, "mu_EE 32: {rel32}");
    assert!(rate[0].clamp_engaged);
    let rel34 = (drive[1].peak_24c_hz - rate[1].peak_24c_hz).abs() / rate[1].peak_24c_hz;
    assert!(rel34 < 1e-12 && !rate[1].clamp_engaged, "mu_EE 34: {rel34}");
}

/// Bad input: unknown area (the error lists the valid names), dt <= 0 or beyond Euler's stable
/// range, NaN, zero or negative amplitude, negative time constant, unknown GBA name.
#[test]
fn bad_input_is_reported() {
    let model = MacaqueModel::for_gba(Gba::Weak).unwrap();
    let mut p = PulseProtocol::for_gba(Gba::Weak);
    p.area = "V3".to_string();
    match model.simulate_pulse(&p).unwrap_err() {
        NeuronError::UnknownName { kind, name, valid } => {
            assert_eq!((kind, name.as_str()), ("area", "V3"));
            assert!(valid.contains("24c") && valid.contains("9/46d"));
        }
        e => panic!("unexpected {e}"),
    }
    for dt in [0.0, -2e-4, 1e-3] {
        let p = PulseProtocol {
            dt,
            ..PulseProtocol::for_gba(Gba::Weak)
        };
        let err = model.simulate_pulse(&p).unwrap_err();
        assert!(
            matches!(err, NeuronError::InvalidParameter { name: "dt", .. }),
            "dt {dt}: {err}"
        );
    }
    assert!(model.max_stable_dt() > 2e-4);
    let p = PulseProtocol {
        amplitude: f64::NAN,
        ..PulseProtocol::for_gba(Gba::Weak)
    };
    assert!(matches!(
        model.simulate_pulse(&p),
        Err(NeuronError::NonFinite { .. })
    ));
    // A pulse that does not excite V1 has no peak rise: 0 / 0 would be the propagation ratio.
    for amplitude in [0.0, -41.895] {
        let p = PulseProtocol {
            amplitude,
            ..PulseProtocol::for_gba(Gba::Weak)
        };
        let err = model.simulate_pulse(&p).unwrap_err();
        assert!(
            matches!(
                err,
                NeuronError::InvalidParameter {
                    name: "amplitude",
                    ..
                }
            ),
            "amplitude {amplitude}: {err}"
        );
    }
    let bad = MacaqueParams {
        tau_e: -0.02,
        ..MacaqueParams::weak()
    };
    assert!(matches!(
        MacaqueModel::new(&bad, Projections::All),
        Err(NeuronError::InvalidParameter { name: "tau_e", .. })
    ));
    assert!(matches!(
        Gba::from_name("medium"),
        Err(NeuronError::UnknownName { .. })
    ));
    assert_eq!(Gba::from_name("Strong").unwrap(), Gba::Strong);
    assert_eq!(area_index("PROm").unwrap(), 24);
}

/// Claim 8 report: strong/weak improvement > 100 with both settings stable, and the two-population
/// transient gain equals its Schur prediction.
#[test]
fn claim8_report_is_consistent() {
    let c = claim8().unwrap();
    assert!(c.eigenvalue_weak < 0.0 && c.eigenvalue_strong < 0.0);
    assert!(c.improvement > 100.0);
    assert_eq!(c.per_area.len(), N_AREAS);
    assert!((c.transient_gain_simulated - c.transient_gain_schur).abs() < 1e-5);
    assert!(c.transient_gain_schur > 1.0);
}

/// The mu_EE scan's setting (Fig. 2 branch, `w_EI = 19.7`, all projections, pulse
/// `22.05 * 1.9` into V1, as in [`mu_ee_scan`]) with the pulse scaled by `scale`, run to `t_end`
/// with the E traces recorded every 5 ms.
fn scan_run(mu_ee: f64, clamp: Clamp, t_end: f64, scale: f64) -> (MacaqueModel, PulseResponse) {
    let params = MacaqueParams {
        mu_ee,
        omega_ei: ScanBranch::FixedInhibition.omega_ei(mu_ee),
        ..MacaqueParams::weak()
    };
    let model = MacaqueModel::new(&params, Projections::All).unwrap();
    let mut p = PulseProtocol::with_amplitude(22.05 * 1.9 * scale);
    p.clamp = clamp;
    p.t_end = t_end;
    p.record_every = 25;
    let r = model.simulate_pulse(&p).unwrap();
    (model, r)
}

/// `||r_E(t) - r_E(1.75 s)||` (Euclidean, over the 29 E populations) at each recorded time.
fn deviation_norms(r: &PulseResponse) -> Vec<f64> {
    (0..r.times.len())
        .map(|k| r.traces.iter().map(|t| t[k] * t[k]).sum::<f64>().sqrt())
        .collect()
}

/// Least-squares slope of `ln ||r_E(t) - r0_E||` against `t` over the recorded times in `[a, b]`
/// (s^-1). Panics if the run stopped before `b`.
fn log_growth_rate(r: &PulseResponse, a: f64, b: f64) -> f64 {
    assert!(
        *r.times.last().unwrap() >= b - 1e-9,
        "run stopped at {} s, before the end of the fit window {b} s",
        r.times.last().unwrap()
    );
    let norms = deviation_norms(r);
    let pts: Vec<(f64, f64)> = r
        .times
        .iter()
        .zip(&norms)
        .filter(|(t, _)| **t >= a - 1e-9 && **t <= b + 1e-9)
        .map(|(t, n)| (*t, n.ln()))
        .collect();
    let m = pts.len() as f64;
    let mt = pts.iter().map(|p| p.0).sum::<f64>() / m;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / m;
    let sxy: f64 = pts.iter().map(|p| (p.0 - mt) * (p.1 - my)).sum();
    let sxx: f64 = pts.iter().map(|p| (p.0 - mt).powi(2)).sum();
    sxy / sxx
}

/// Smallest E deviation `r_E,i(t) - r_E,i(1.75 s)` over areas and recorded times (Hz).
fn min_deviation(r: &PulseResponse) -> f64 {
    r.traces
        .iter()
        .flatten()
        .copied()
        .fold(f64::INFINITY, f64::min)
}

/// macaque29-model.md ("Nonlinearity and clamp"): "Without any clamp, the points at mu_EE <= 28
/// diverge, and those at mu_EE = 30-32 dip below baseline and give larger 24c peaks", read as the
/// purely linear system (`Clamp::Linear`: neither clamp nor rectification), in the Fig. 2 scan
/// setting (w_EI = 19.7, pulse 22.05 x 1.9 into V1, the crate's 1.75-5 s protocol).
/// Measured: mu_EE = 20 and 24 blow up (|r| > 1e6 Hz) at 2.675 s and 3.340 s; mu_EE = 28
/// (lambda_max = +4.85 s^-1) grows but is still below the threshold at 5 s (E deviation norm
/// 1.3e4 Hz), so its divergence is tested through the growth rate in
/// `linear_growth_rate_is_the_largest_eigenvalue`. mu_EE = 30 (+0.53 s^-1, too slow to show in
/// 3 s), 32 and 34 stay bounded. At 30 and 32 the linear run dips below baseline (by up to 42.3
/// and 12.6 Hz, i.e. to negative rates) and its 24c peak exceeds the rate clamp's (9.76e-5 vs
/// 1.30e-5 Hz; 9.12e-5 vs 5.13e-5 Hz). At 34 nothing dips and the linear and clamped runs
/// coincide.
#[test]
fn without_clamp_or_rectification_the_scan_diverges_at_low_mu_ee() {
    let mus = [20.0, 24.0, 28.0, 30.0, 32.0, 34.0];
    let linear = mu_ee_scan(
        &mus,
        ScanBranch::FixedInhibition,
        Projections::All,
        Clamp::Linear,
    )
    .unwrap();
    let rate = mu_ee_scan(
        &mus,
        ScanBranch::FixedInhibition,
        Projections::All,
        Clamp::Rate,
    )
    .unwrap();
    for (pt, blows) in linear.iter().zip([true, true, false, false, false, false]) {
        assert_eq!(pt.blew_up, blows, "mu_EE {}", pt.mu_ee);
        assert!(!pt.clamp_engaged, "mu_EE {}: nothing to clamp", pt.mu_ee);
    }
    for pt in &rate {
        assert!(!pt.blew_up, "rate clamp, mu_EE {}", pt.mu_ee);
    }
    // The scan helper reproduces the scan's setting; its runs (with traces) are reused below.
    let runs: Vec<PulseResponse> = mus
        .iter()
        .map(|&mu| scan_run(mu, Clamp::Linear, 5.0, 1.0).1)
        .collect();
    for (r, pt) in runs.iter().zip(&linear) {
        assert_eq!(r.blew_up, pt.blew_up);
        assert_eq!(r.areas[N_AREAS - 1].peak_hz, pt.peak_24c_hz);
    }
    // mu_EE = 20, 24: blow-up inside the protocol, well after the pulse ends (2.25 s).
    for (r, (mu, t_stop)) in runs.iter().zip([(20.0, 2.675), (24.0, 3.340)]) {
        let last = *r.times.last().unwrap();
        assert!(
            (last - t_stop).abs() < 0.05,
            "mu_EE {mu}: stopped at {last} s"
        );
        let worst = r
            .traces
            .iter()
            .map(|t| t.last().unwrap().abs())
            .fold(0.0, f64::max);
        assert!(worst > 1e5 && worst.is_finite(), "mu_EE {mu}: {worst}");
    }
    // mu_EE = 28: not blown up by 5 s, but the deviation has grown more than 500-fold from its
    // minimum after the pulse (measured about 10 -> 1.32e4 Hz).
    let r28 = &runs[2];
    let n28 = deviation_norms(r28);
    let min28 = n28
        .iter()
        .zip(&r28.times)
        .filter(|(_, t)| **t > 2.25)
        .map(|(n, _)| *n)
        .fold(f64::INFINITY, f64::min);
    assert!(
        *n28.last().unwrap() > 500.0 * min28 && *n28.last().unwrap() < 1e6,
        "mu_EE 28: {} from {min28}",
        n28.last().unwrap()
    );
    // mu_EE = 30, 32: bounded, dips below baseline, larger 24c peaks than with the rate clamp.
    for i in [3, 4] {
        let r = &runs[i];
        let (_, rc) = scan_run(mus[i], Clamp::Rate, 5.0, 1.0);
        assert!(
            min_deviation(r) < -5.0,
            "mu_EE {}: {}",
            mus[i],
            min_deviation(r)
        );
        assert!(min_deviation(&rc) >= 0.0);
        assert!(
            linear[i].peak_24c_hz > 1.5 * rate[i].peak_24c_hz,
            "mu_EE {}: {} vs {}",
            mus[i],
            linear[i].peak_24c_hz,
            rate[i].peak_24c_hz
        );
        assert!(linear[i].peak_v1_hz < 120.0 && linear[i].peak_24c_hz < 1e-3);
    }
    // mu_EE = 34: stable and never below baseline, so the linear run is the clamped run.
    assert!(linear[5].largest_real_eigenvalue < 0.0);
    assert_eq!(linear[5].peak_24c_hz, rate[5].peak_24c_hz);
    assert_eq!(linear[5].peak_v1_hz, rate[5].peak_v1_hz);
}

/// The theorem behind "without any clamp, mu_EE <= 28 diverges" (macaque29-model.md): the linear
/// run (`Clamp::Linear`) is forward Euler on `dx/dt = A x`, `x = r - r0`, after the pulse, so
/// `x_k = (I + dt A)^k x_0` and its late-time growth rate is `ln(1 + dt lambda_max) / dt`, with
/// `lambda_max` the largest real eigenvalue of `A = diag(1/tau)(W - I)`
/// (`MacaqueModel::largest_real_eigenvalue`; it is real here). The fit is the least-squares
/// slope of `ln ||r_E(t) - r0_E||` over a late window, in the Fig. 2 scan setting.
/// Windows: the last 0.3-0.45 s before the run stops (20, 24, 28; at 20 and 24 the scan pulse is
/// scaled by 1e-12, which by linearity only scales the trajectory, checked at 2.5 s to 2e-3, and
/// delays the blow-up until the leading mode dominates: with the full pulse the runs stop at
/// 2.7 and 3.3 s while modes at 15.8 and 9.3 s^-1 still dominate); 13-15 s at 30 (the mode at
/// -0.89 s^-1 decays first); 7-8 s at 32, before the deviation reaches rounding at a 10 Hz
/// baseline (about 1e-11 Hz, 8.5 s).
/// Measured (fit vs Euler rate, lambda_max): 22.0971 vs 22.0986 (22.1475); 13.4734 vs 13.4735
/// (13.4917); 4.8434 vs 4.8453 (4.8476); 0.53486 vs 0.53486 (0.53488); all within 4e-4
/// relative (asserted 1e-3). At 32 the second eigenvalue (-2.4949) is only 0.107 s^-1 below lambda_max
/// (-2.3878) and the fit (-2.4543) has not separated them before rounding sets in: asserted is
/// a negative rate between the two.
#[test]
fn linear_growth_rate_is_the_largest_eigenvalue() {
    let dt = 2e-4;
    // (mu_EE, pulse scale, t_end, fit window)
    let cases = [
        (20.0, 1e-12, 10.0, (3.75, 4.05)),
        (24.0, 1e-12, 10.0, (5.0, 5.4)),
        (28.0, 1.0, 10.0, (5.5, 5.95)),
        (30.0, 1.0, 15.0, (13.0, 15.0)),
    ];
    for (mu, scale, t_end, (a, b)) in cases {
        let (model, r) = scan_run(mu, Clamp::Linear, t_end, scale);
        let lambda = model.largest_real_eigenvalue().unwrap();
        assert!(lambda > 0.0, "mu_EE {mu}: {lambda}");
        let euler = (1.0 + dt * lambda).ln() / dt;
        let fit = log_growth_rate(&r, a, b);
        assert!(
            (fit - euler).abs() < 1e-3 * euler,
            "mu_EE {mu}: fitted {fit} vs Euler {euler} (lambda_max {lambda})"
        );
        // Unstable runs end by blowing up (30 only crosses 1e6 Hz at 43.2 s).
        assert_eq!(r.blew_up, mu <= 28.0, "mu_EE {mu}");
        if scale != 1.0 {
            let (_, full) = scan_run(mu, Clamp::Linear, 5.0, 1.0);
            let k = full
                .times
                .iter()
                .position(|t| (t - 2.5).abs() < 1e-9)
                .unwrap();
            let ratio = deviation_norms(&r)[k] / (scale * deviation_norms(&full)[k]);
            assert!((ratio - 1.0).abs() < 2e-3, "mu_EE {mu}: linearity {ratio}");
        }
    }
    let (model, r) = scan_run(32.0, Clamp::Linear, 10.0, 1.0);
    let mut re: Vec<f64> = model.eigenvalues().unwrap().iter().map(|e| e.0).collect();
    re.sort_by(|x, y| y.total_cmp(x));
    let fit = log_growth_rate(&r, 7.0, 8.0);
    assert!(!r.blew_up);
    assert!(
        fit < 0.0 && fit <= re[0] && fit >= re[1],
        "mu_EE 32: fitted {fit}, eigenvalues {} and {}",
        re[0],
        re[1]
    );
}

/// Negative control for the gap (macaque29-model.md: "Without any clamp, the points at
/// mu_EE <= 28 diverge"; "The unstable mode has mixed signs: the E components of some areas go up
/// and others go down, the largest being ... STPi, STPc and STPr and area PBr"). Over the
/// authors' 10 s integration (5e4 Euler steps) the linear run blows up at mu_EE = 20, 24 and 28
/// (measured at 2.675, 3.340 and 5.965 s), while the rectified run (`Clamp::None`, which keeps
/// `[I]_+` but no clamp) stays bounded there: every E rate within 110 Hz of baseline (measured
/// max 108.7 Hz, the V1 pulse), never below 0 Hz (some areas are silenced at 0 Hz), and by 9-10 s
/// no longer growing, at a state away from baseline (E deviation norm 167, 84 and 46 Hz) instead
/// of returning to it. The reason: the growing mode has mixed signs. At mu_EE = 28 the linear
/// run's deviation at the blow-up is led by STPi (+0.70 of the norm), STPc (-0.52), PBr (-0.36)
/// and STPr (-0.30), so the falling areas hit the rectification at 0 Hz and the mode is cut.
#[test]
fn rectification_alone_keeps_the_linearly_unstable_scan_bounded() {
    let mut lin28 = None;
    for (mu, t_stop) in [(20.0, 2.675), (24.0, 3.340), (28.0, 5.965)] {
        let (_, lin) = scan_run(mu, Clamp::Linear, 10.0, 1.0);
        let (_, rect) = scan_run(mu, Clamp::None, 10.0, 1.0);
        assert!(lin.blew_up, "linear, mu_EE {mu}");
        let last = *lin.times.last().unwrap();
        assert!(
            (last - t_stop).abs() < 0.05,
            "mu_EE {mu}: stopped at {last} s"
        );
        assert!(!rect.blew_up, "rectified, mu_EE {mu}");
        assert_eq!(*rect.times.last().unwrap(), 10.0);
        let worst = rect
            .traces
            .iter()
            .flatten()
            .map(|x| x.abs())
            .fold(0.0, f64::max);
        assert!(worst < 110.0, "rectified, mu_EE {mu}: {worst}");
        assert!(min_deviation(&rect) >= -10.0, "rates stay >= 0 Hz");
        let n = deviation_norms(&rect);
        let k9 = n.len() - 201;
        // Some area is silenced by the rectification (r_E = 0 Hz), and the state stays away
        // from baseline but no longer grows: < 5 % over the last second (measured 1.5e-7,
        // 7e-9, 2.5 %), where the linear mode at 28 would grow e^4.85 = 128-fold.
        assert!(
            (min_deviation(&rect) + 10.0).abs() < 1e-12,
            "mu_EE {mu}: silenced area"
        );
        let (n9, n10) = (n[k9], n[n.len() - 1]);
        assert!(
            n9 > 10.0 && (n10 - n9).abs() < 0.05 * n9,
            "mu_EE {mu}: {n9} -> {n10}"
        );
        if mu == 28.0 {
            lin28 = Some(lin);
        }
    }
    let lin = lin28.expect("mu_EE 28 ran");
    let k = lin.times.len() - 1;
    let norm = deviation_norms(&lin)[k];
    let mut order: Vec<usize> = (0..N_AREAS).collect();
    order.sort_by(|&i, &j| lin.traces[j][k].abs().total_cmp(&lin.traces[i][k].abs()));
    let mut top: Vec<&str> = order[..4].iter().map(|&i| AREAS[i]).collect();
    top.sort_unstable();
    assert_eq!(top, ["PBr", "STPc", "STPi", "STPr"]);
    let stpi = lin.traces[area_index("STPi").unwrap()][k] / norm;
    let stpc = lin.traces[area_index("STPc").unwrap()][k] / norm;
    assert!(
        stpi > 0.5 && stpc < -0.4,
        "mixed signs: STPi {stpi}, STPc {stpc}"
    );
}
