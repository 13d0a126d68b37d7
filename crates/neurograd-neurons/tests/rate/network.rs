//! The rate unit and rate networks: exact solutions, fixed points, integrator order, bad input.

use neurograd_neurons::NeuronError;
use neurograd_neurons::rate::{Activation, Integrator, RateNetwork, SimConfig};
use neurograd_tensor::{Matrix, Vector};
use proptest::prelude::*;

fn single(tau: f64, w: f64, f: Activation) -> RateNetwork {
    RateNetwork::new(
        Vector::from_element(1, tau),
        Matrix::from_element(1, 1, w),
        f,
    )
    .unwrap()
}

fn final_rate(net: &RateNetwork, r0: f64, input: f64, dt: f64, t: f64, integ: Integrator) -> f64 {
    let steps = (t / dt).round() as usize;
    let cfg = SimConfig {
        dt,
        steps,
        integrator: integ,
        record_every: steps,
    };
    let n = net.size();
    let tr = net
        .simulate_constant(
            &Vector::from_element(n, r0),
            &Vector::from_element(n, input),
            &cfg,
        )
        .unwrap();
    tr.rates.last().unwrap()[0]
}

/// A leaky unit relaxes as r(t) = I + (r0 - I) e^{-t/tau} (Dayan & Abbott 2001, eq. 7.11 with
/// W = 0): RK4 matches to 1e-10 relative, Euler converges at first order (error ratio ~2 when dt
/// halves), which a second-order claim would fail.
#[test]
fn leaky_unit_matches_the_exponential_solution() {
    let net = single(0.01, 0.0, Activation::Linear);
    let (r0, i, t) = (2.0, 7.0, 0.03);
    let exact = i + (r0 - i) * (-t / 0.01f64).exp();
    let rk4 = final_rate(&net, r0, i, 1e-4, t, Integrator::Rk4);
    assert!(
        ((rk4 - exact) / exact).abs() < 1e-10,
        "rk4 {rk4} vs {exact}"
    );
    let e1 = (final_rate(&net, r0, i, 2e-4, t, Integrator::Euler) - exact).abs();
    let e2 = (final_rate(&net, r0, i, 1e-4, t, Integrator::Euler) - exact).abs();
    let ratio = e1 / e2;
    assert!((1.8..2.2).contains(&ratio), "euler error ratio {ratio}");
    // Negative control: second order would need ratio ~4.
    assert!(!(3.5..4.5).contains(&ratio));
}

/// The linear network's steady state is (I - W)^{-1} I (Dayan & Abbott 2001, sec. 7.4);
/// a long RK4 run reaches it to 1e-9.
#[test]
fn linear_network_reaches_the_closed_form_steady_state() {
    let w = Matrix::from_row_slice(3, 3, &[0.2, -0.5, 0.1, 0.4, -0.3, 0.0, 0.1, 0.2, -0.6]);
    let net = RateNetwork::new(
        Vector::from_vec(vec![0.01, 0.02, 0.015]),
        w,
        Activation::Linear,
    )
    .unwrap();
    let input = Vector::from_vec(vec![1.0, -2.0, 0.5]);
    let ss = net.linear_steady_state(&input).unwrap();
    let cfg = SimConfig {
        dt: 1e-4,
        steps: 20_000,
        integrator: Integrator::Rk4,
        record_every: 20_000,
    };
    let tr = net
        .simulate_constant(&Vector::zeros(3), &input, &cfg)
        .unwrap();
    let last = tr.rates.last().unwrap();
    for k in 0..3 {
        assert!(
            (last[k] - ss[k]).abs() < 1e-9,
            "unit {k}: {} vs {}",
            last[k],
            ss[k]
        );
    }
    assert_eq!(tr.times.len(), 2);
}

/// Rectified, threshold-linear and sigmoid units with self-coupling settle on a fixed point of
/// r = f(w r + I), and a rectified unit with negative drive decays to exactly zero drive.
#[test]
fn nonlinear_units_settle_on_their_fixed_points() {
    let cases = [
        (Activation::Rectified, 0.5, 3.0),
        (
            Activation::ThresholdLinear {
                threshold: 1.0,
                gain: 0.8,
            },
            0.4,
            5.0,
        ),
        (
            Activation::Sigmoid {
                max_rate: 50.0,
                threshold: 10.0,
                width: 4.0,
            },
            0.3,
            6.0,
        ),
    ];
    for (f, w, i) in cases {
        let net = single(0.01, w, f);
        let r = final_rate(&net, 0.0, i, 1e-4, 0.5, Integrator::Rk4);
        let residual = (r - f.apply(w * r + i)).abs();
        assert!(residual < 1e-9, "{f:?}: residual {residual}");
        assert!(r > 0.0);
    }
    let net = single(0.01, 0.0, Activation::Rectified);
    let r = final_rate(&net, 5.0, -3.0, 1e-4, 0.5, Integrator::Rk4);
    assert!(r.abs() < 1e-12, "rectified unit should decay to 0, got {r}");
}

/// The Jacobian diag(1/tau)(-I + diag(f'(u)) W) agrees with central finite differences.
#[test]
fn jacobian_matches_finite_differences() {
    let w = Matrix::from_row_slice(2, 2, &[0.5, -1.0, 1.2, -0.4]);
    let f = Activation::Sigmoid {
        max_rate: 20.0,
        threshold: 1.0,
        width: 2.0,
    };
    let net = RateNetwork::new(Vector::from_vec(vec![0.02, 0.01]), w, f).unwrap();
    let r = Vector::from_vec(vec![3.0, 2.0]);
    let input = Vector::from_vec(vec![0.5, -0.5]);
    let j = net.jacobian(&r, &input).unwrap();
    let h = 1e-6;
    for c in 0..2 {
        let (mut rp, mut rm) = (r.clone(), r.clone());
        rp[c] += h;
        rm[c] -= h;
        let (mut fp, mut fm) = (Vector::zeros(2), Vector::zeros(2));
        net.derivative(&rp, &input, &mut fp).unwrap();
        net.derivative(&rm, &input, &mut fm).unwrap();
        for row in 0..2 {
            let fd = (fp[row] - fm[row]) / (2.0 * h);
            assert!(
                (fd - j[(row, c)]).abs() < 1e-5 * (1.0 + fd.abs()),
                "J[{row},{c}]"
            );
        }
    }
}

/// The step-size bound is the real-axis stability limit: for one leaky unit it is exactly
/// dt_max = 2 tau for Euler. Just below it Euler decays, just above it Euler grows, so the
/// check rejects a step that would otherwise blow up.
#[test]
fn dt_beyond_the_stable_range_is_rejected_before_running() {
    let tau = 0.01;
    let net = single(tau, 0.0, Activation::Linear);
    assert!((net.max_stable_dt(Integrator::Euler) - 2.0 * tau).abs() < 1e-15);
    let euler_amplification = |dt: f64| (1.0f64 - dt / tau).abs();
    assert!(euler_amplification(1.9 * tau) < 1.0);
    assert!(euler_amplification(2.1 * tau) > 1.0);
    let cfg = SimConfig {
        dt: 2.1 * tau,
        steps: 10,
        integrator: Integrator::Euler,
        record_every: 1,
    };
    let err = net
        .simulate_constant(&Vector::zeros(1), &Vector::zeros(1), &cfg)
        .unwrap_err();
    assert!(
        matches!(err, NeuronError::InvalidParameter { name: "dt", .. }),
        "{err}"
    );
    let ok = SimConfig {
        dt: 1.9 * tau,
        ..cfg
    };
    assert!(
        net.simulate_constant(&Vector::zeros(1), &Vector::zeros(1), &ok)
            .is_ok()
    );
    for dt in [0.0, -1e-4, f64::NAN] {
        let cfg = SimConfig { dt, ..cfg };
        let err = net
            .simulate_constant(&Vector::zeros(1), &Vector::zeros(1), &cfg)
            .unwrap_err();
        assert!(
            matches!(err, NeuronError::InvalidParameter { name: "dt", .. }),
            "{err}"
        );
    }
}

/// Bad input gives typed errors naming what is wrong.
#[test]
fn bad_input_is_reported() {
    let err = RateNetwork::new(
        Vector::from_vec(vec![0.01, -0.01]),
        Matrix::zeros(2, 2),
        Activation::Rectified,
    )
    .unwrap_err();
    assert!(matches!(
        err,
        NeuronError::InvalidParameter { name: "tau", .. }
    ));
    let net = single(0.01, 0.0, Activation::Rectified);
    let cfg = SimConfig {
        dt: 1e-4,
        steps: 10,
        integrator: Integrator::Euler,
        record_every: 1,
    };
    let err = net
        .simulate_constant(&Vector::zeros(1), &Vector::from_element(1, f64::NAN), &cfg)
        .unwrap_err();
    assert!(matches!(err, NeuronError::NonFinite { .. }), "{err}");
    // A time-dependent input that turns NaN mid-run is caught at that step.
    let err = net
        .simulate(
            &Vector::zeros(1),
            |t, buf| buf[0] = if t > 5e-4 { f64::NAN } else { 1.0 },
            &cfg,
        )
        .unwrap_err();
    assert!(matches!(err, NeuronError::NonFinite { .. }), "{err}");
    let err = net
        .simulate_constant(&Vector::zeros(2), &Vector::zeros(1), &cfg)
        .unwrap_err();
    assert!(
        matches!(
            err,
            NeuronError::ShapeMismatch {
                expected: (1, 1),
                got: (2, 1),
                ..
            }
        ),
        "{err}"
    );
    let err = RateNetwork::new(
        Vector::from_element(1, 0.01),
        Matrix::zeros(1, 1),
        Activation::ThresholdLinear {
            threshold: 0.0,
            gain: -1.0,
        },
    )
    .unwrap_err();
    assert!(matches!(
        err,
        NeuronError::InvalidParameter { name: "gain", .. }
    ));
}

proptest! {
    /// Claim: for a linear network whose weights are small enough (Gershgorin discs of W inside
    /// the unit disc), the dynamics converge to (I - W)^{-1} I (Dayan & Abbott 2001, sec. 7.4).
    #[test]
    fn linear_steady_state_is_reached(ws in proptest::collection::vec(-0.3f64..0.3, 9),
                                      input in proptest::collection::vec(-5.0f64..5.0, 3)) {
        let w = Matrix::from_row_slice(3, 3, &ws);
        let net = RateNetwork::new(Vector::from_element(3, 0.01), w, Activation::Linear).unwrap();
        let input = Vector::from_vec(input);
        let ss = net.linear_steady_state(&input).unwrap();
        let cfg = SimConfig { dt: 5e-4, steps: 6_000, integrator: Integrator::Rk4, record_every: 6_000 };
        let tr = net.simulate_constant(&Vector::zeros(3), &input, &cfg).unwrap();
        let last = tr.rates.last().unwrap();
        for k in 0..3 {
            prop_assert!((last[k] - ss[k]).abs() < 1e-8 * (1.0 + ss[k].abs()));
        }
    }
}

proptest! {
    /// Claim: the step bound dt_max = 2/R (R the Gershgorin bound on the Jacobian's spectral
    /// radius) makes forward Euler stable for networks with real spectra: for symmetric W, equal
    /// tau and a stable linear network, the Euler map I + dt (W - I)/tau is normal with all
    /// eigenvalues in [-1, 1], so ||r|| never grows (Hairer & Wanner 1996, sec. IV.2). Negative
    /// control: a step 10 % beyond the fastest mode's limit 2/|mu_min| makes the same map grow.
    #[test]
    fn euler_within_the_checked_step_never_amplifies(s in proptest::collection::vec(-1.0f64..1.0, 16),
                                                     r0 in proptest::collection::vec(-1.0f64..1.0, 4)) {
        let tau = 0.01;
        let mut w = Matrix::from_row_slice(4, 4, &s);
        w = (&w + w.transpose()) * 0.5;
        let shift = (0..4).map(|i| w.row(i).iter().map(|x| x.abs()).sum::<f64>()).fold(0.0, f64::max);
        for i in 0..4 {
            w[(i, i)] -= shift + 0.1;
        }
        let net = RateNetwork::new(Vector::from_element(4, tau), w.clone(), Activation::Linear).unwrap();
        let dt = net.max_stable_dt(Integrator::Euler);
        let r0 = Vector::from_vec(r0);
        let cfg = SimConfig { dt, steps: 400, integrator: Integrator::Euler, record_every: 1 };
        let tr = net.simulate_constant(&r0, &Vector::zeros(4), &cfg).unwrap();
        let n0 = r0.norm();
        for r in &tr.rates {
            prop_assert!(Vector::from_vec(r.clone()).norm() <= n0 * (1.0 + 1e-12) + 1e-300);
        }
        // Negative control: beyond the fastest mode's real-axis limit Euler amplifies.
        let jac = (&w - Matrix::identity(4, 4)) / tau;
        let eig = jac.clone().symmetric_eigen();
        let (k, mu_min) = eig.eigenvalues.iter().enumerate().fold((0, 0.0), |acc, (k, v)| if *v < acc.1 { (k, *v) } else { acc });
        let bad_dt = 2.2 / mu_min.abs();
        prop_assert!(bad_dt > dt);
        let m = Matrix::identity(4, 4) + jac * bad_dt;
        let mut x = eig.eigenvectors.column(k).into_owned() + r0 * 1e-3;
        let start = x.norm();
        for _ in 0..50 {
            x = &m * x;
        }
        prop_assert!(x.norm() > 10.0 * start);
        let rejected = net.simulate_constant(&Vector::zeros(4), &Vector::zeros(4), &SimConfig { dt: bad_dt, ..cfg });
        prop_assert!(
            matches!(rejected, Err(NeuronError::InvalidParameter { name: "dt", .. })),
            "{:?}",
            rejected
        );
    }
}
