//! Claim 14: "Balanced amplification propagates quite a bit faster" (Murphy & Miller 2009).
//! Amplification by recurrent excitation (a normal mode with eigenvalue `λ` near 1: "Hebbian"
//! amplification) has gain `1/(1 − λ)` and slows the response to `τ/(1 − λ)`: gain and time
//! scale are locked. Balanced amplification amplifies through the hidden feed-forward link of the
//! Schur form (`w_FF = w(1 + k_I)`) while every eigenvalue stays at or below 0, so it should not
//! slow down. Tested at EQUAL steady-state gain:
//!
//! - two populations, `τ dr/dt = −r + W r + I`, `W = [[w, −k_I w], [w, −k_I w]]` (`k_I = 1.1`,
//!   `w` from 1 to 8, Murphy & Miller's 30/7 among them), a step input along the most amplified
//!   direction (top right-singular vector of `(I − W)⁻¹`) then its removal; against it the normal
//!   network `diag(λ, 0)` with `λ = 1 − 1/G` (the same gain `G`); measured: gain, 10-90 % rise
//!   time, the time for `‖r‖` to fall to `1/e` of its steady value after the input ends, and the
//!   asymptotic decay time (log-slope between `e⁻¹⁰` and `e⁻¹⁶`, late enough for the sum mode,
//!   time constant `τ/(1 + w₊)`, to have died out even at `w = 1`). Controls: `w = 0` (gain 1, decay
//!   `τ`) and the normal matrix with the balanced network's eigenvalues (gain ≤ 1);
//! - the 29-area macaque model (Joglekar et al. 2018), linearised at its fixed point: strong GBA
//!   (long-range excitation raised WITH local inhibition, the balanced route) against the
//!   fixed-inhibition branch (long-range excitation raised alone, Fig. 2's route) at the
//!   `μ_EE` where its 24c/V1 peak ratio equals strong GBA's (bisection below the instability);
//!   measured: the 24c peak latency after pulse onset, the 24c `1/e` decay time after its peak,
//!   and the median latency over the 29 areas. A fixed-inhibition network that cannot reach the
//!   gain while stable counts for balanced amplification.

use super::{Claim, Numbers, claim, num};
use crate::Result;
use crate::neurons::circuits::balanced::BalancedAmplification;
use crate::neurons::circuits::macaque::{Gba, MacaqueModel, MacaqueParams, ScanBranch, area_index};

/// `[[a, b], [c, d]]`.
type M2 = [[f64; 2]; 2];

/// What a step response shows.
#[derive(Debug, Clone, Copy)]
struct StepResponse {
    gain: f64,
    rise: f64,
    decay_e: f64,
    decay_asymptotic: f64,
}

fn inv2(m: M2) -> M2 {
    let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    [
        [m[1][1] / det, -m[0][1] / det],
        [-m[1][0] / det, m[0][0] / det],
    ]
}

/// Largest singular value of `a` and its right-singular vector.
fn top_singular(a: M2) -> (f64, [f64; 2]) {
    // AᵀA = [[p, q], [q, r]].
    let p = a[0][0] * a[0][0] + a[1][0] * a[1][0];
    let q = a[0][0] * a[0][1] + a[1][0] * a[1][1];
    let r = a[0][1] * a[0][1] + a[1][1] * a[1][1];
    let l = 0.5 * (p + r) + (0.25 * (p - r).powi(2) + q * q).sqrt();
    let v = if q.abs() > 1e-300 {
        [q, l - p]
    } else if p >= r {
        [1.0, 0.0]
    } else {
        [0.0, 1.0]
    };
    let nv = (v[0] * v[0] + v[1] * v[1]).sqrt();
    (l.sqrt(), [v[0] / nv, v[1] / nv])
}

/// Step response of `τ dr/dt = −r + W r + I` (τ = 1) to a unit input along the most amplified
/// direction, RK4 with `dt = 1e-3`.
fn step_response(w: M2) -> StepResponse {
    let m = [[1.0 - w[0][0], -w[0][1]], [-w[1][0], 1.0 - w[1][1]]];
    let (g_pred, u) = top_singular(inv2(m));
    let dt = 1e-3;
    let f = |r: [f64; 2], inp: f64| {
        [
            -r[0] + w[0][0] * r[0] + w[0][1] * r[1] + inp * u[0],
            -r[1] + w[1][0] * r[0] + w[1][1] * r[1] + inp * u[1],
        ]
    };
    let step = |r: [f64; 2], inp: f64| {
        let k1 = f(r, inp);
        let k2 = f([r[0] + 0.5 * dt * k1[0], r[1] + 0.5 * dt * k1[1]], inp);
        let k3 = f([r[0] + 0.5 * dt * k2[0], r[1] + 0.5 * dt * k2[1]], inp);
        let k4 = f([r[0] + dt * k3[0], r[1] + dt * k3[1]], inp);
        [
            r[0] + dt / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
            r[1] + dt / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
        ]
    };
    let norm = |r: [f64; 2]| (r[0] * r[0] + r[1] * r[1]).sqrt();
    // On: long enough for the slowest mode (time constant up to g_pred) to settle.
    let t_on = 25.0 * g_pred.max(1.0);
    let steps = (t_on / dt) as usize;
    let mut r = [0.0, 0.0];
    let mut norms = Vec::with_capacity(steps);
    for _ in 0..steps {
        r = step(r, 1.0);
        norms.push(norm(r));
    }
    let gain = norm(r);
    let t10 = norms.iter().position(|&v| v >= 0.1 * gain).unwrap_or(0) as f64 * dt;
    let t90 = norms.iter().position(|&v| v >= 0.9 * gain).unwrap_or(0) as f64 * dt;
    // Off.
    let (mut t_e, mut t3, mut t6) = (f64::NAN, f64::NAN, f64::NAN);
    let e = std::f64::consts::E;
    let mut k = 0usize;
    while t6.is_nan() && k < steps * 4 {
        r = step(r, 0.0);
        k += 1;
        let v = norm(r);
        let t = k as f64 * dt;
        if t_e.is_nan() && v <= gain / e {
            t_e = t;
        }
        if t3.is_nan() && v <= gain * e.powi(-10) {
            t3 = t;
        }
        if t6.is_nan() && v <= gain * e.powi(-16) {
            t6 = t;
        }
    }
    StepResponse {
        gain,
        rise: t90 - t10,
        decay_e: t_e,
        decay_asymptotic: (t6 - t3) / 6.0,
    }
}

fn balanced_w(w: f64, k: f64) -> M2 {
    [[w, -k * w], [w, -k * w]]
}

/// Linearised macaque pulse response: `dx/dt = J x + u(t)`, a unit pulse into V1's E
/// population for 0.25 s, forward Euler. Returns per-area (E) peak and its time after onset,
/// the 24c trace's `1/e` decay time after its peak, and whether the run stayed bounded.
pub(crate) struct LinearPulse {
    pub peaks: Vec<f64>,
    pub peak_times: Vec<f64>,
    pub decay_24c: f64,
}

pub(crate) fn linear_pulse(model: &MacaqueModel, lesioned: &[usize], t_end: f64) -> LinearPulse {
    let j = model.jacobian();
    let n2 = j.nrows();
    let n = n2 / 2;
    let tau = model.tau();
    let dead = |p: usize| lesioned.contains(&(p % n));
    // Sparse rows of J with lesioned areas cut out (their deviation stays 0).
    let rows: Vec<Vec<(usize, f64)>> = (0..n2)
        .map(|i| {
            if dead(i) {
                return Vec::new();
            }
            (0..n2)
                .filter(|&c| !dead(c) && j[(i, c)] != 0.0)
                .map(|c| (c, j[(i, c)]))
                .collect()
        })
        .collect();
    let dt = (0.5 * model.max_stable_dt()).min(2e-4);
    let steps = (t_end / dt) as usize;
    let k_off = (0.25 / dt) as usize;
    let v1 = 0;
    let a24c = n - 1;
    let mut x = vec![0.0; n2];
    let mut next = vec![0.0; n2];
    let mut peaks = vec![0.0_f64; n];
    let mut peak_k = vec![0usize; n];
    let mut trace24 = Vec::with_capacity(steps);
    for k in 0..steps {
        for i in 0..n2 {
            let d: f64 = rows[i].iter().map(|&(c, v)| v * x[c]).sum();
            let inp = if i == v1 && k < k_off && !dead(v1) {
                1.0 / tau[v1]
            } else {
                0.0
            };
            next[i] = x[i] + dt * (d + inp);
        }
        std::mem::swap(&mut x, &mut next);
        for a in 0..n {
            if x[a] > peaks[a] {
                peaks[a] = x[a];
                peak_k[a] = k + 1;
            }
        }
        trace24.push(x[a24c]);
    }
    let pk = peak_k[a24c];
    let decay_24c = trace24
        .iter()
        .enumerate()
        .skip(pk)
        .find(|(_, v)| **v <= peaks[a24c] / std::f64::consts::E)
        .map_or(t_end - pk as f64 * dt, |(k, _)| (k + 1 - pk) as f64 * dt);
    LinearPulse {
        peaks,
        peak_times: peak_k.iter().map(|&k| k as f64 * dt).collect(),
        decay_24c,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

/// Sizes of claim 14.
#[derive(Debug, Clone, PartialEq)]
pub struct AmplificationSizes {
    /// Bisection steps on the fixed-inhibition `μ_EE`.
    pub bisection: usize,
    /// Simulated time after onset (s).
    pub t_end: f64,
}

impl AmplificationSizes {
    /// The CLI's sizes: 20 bisection steps, 4 s.
    pub fn full() -> Self {
        Self {
            bisection: 20,
            t_end: 4.0,
        }
    }

    /// The unit test's sizes: 8 bisection steps, 2 s.
    pub fn small() -> Self {
        Self {
            bisection: 8,
            t_end: 2.0,
        }
    }
}

/// The `w` values of the two-population sweep (`k_I = 1.1`).
pub const WS: [f64; 4] = [1.0, 2.0, 30.0 / 7.0, 8.0];

/// Runs claim 14 (see the module docs).
///
/// # Errors
/// The macaque model's errors.
pub fn claim14(sizes: &AmplificationSizes) -> Result<Claim> {
    let mut v: Vec<(String, f64)> = vec![("k_inh".into(), 1.1), ("ws".into(), WS.len() as f64)];
    for (i, &w) in WS.iter().enumerate() {
        let b = step_response(balanced_w(w, 1.1));
        let lam = 1.0 - 1.0 / b.gain;
        let h = step_response([[lam, 0.0], [0.0, 0.0]]);
        v.push((format!("w{i}"), w));
        for (name, s) in [("balanced", b), ("hebbian", h)] {
            v.push((format!("w{i}_{name}_gain"), s.gain));
            v.push((format!("w{i}_{name}_rise_time_tau"), s.rise));
            v.push((format!("w{i}_{name}_decay_1_over_e_tau"), s.decay_e));
            v.push((
                format!("w{i}_{name}_decay_asymptotic_tau"),
                s.decay_asymptotic,
            ));
        }
        v.push((format!("w{i}_hebbian_lambda"), lam));
    }
    let zero = step_response(balanced_w(0.0, 1.1));
    v.push(("control_w0_gain".into(), zero.gain));
    v.push(("control_w0_decay_1_over_e_tau".into(), zero.decay_e));
    let mm = BalancedAmplification::murphy_miller_2009().normal_counterpart();
    let normal = step_response([[mm[(0, 0)], mm[(0, 1)]], [mm[(1, 0)], mm[(1, 1)]]]);
    v.push(("control_normal_same_eigenvalues_gain".into(), normal.gain));

    // The macaque model.
    let strong = MacaqueModel::for_gba(Gba::Strong)?;
    let weak = MacaqueModel::for_gba(Gba::Weak)?;
    let proj = weak.projections();
    let i24 = area_index("24c")?;
    let s = linear_pulse(&strong, &[], sizes.t_end);
    let target = s.peaks[i24] / s.peaks[0];
    let fixed = |mu: f64| -> Result<MacaqueModel> {
        let params = MacaqueParams {
            mu_ee: mu,
            omega_ei: ScanBranch::FixedInhibition.omega_ei(mu),
            ..MacaqueParams::weak()
        };
        Ok(MacaqueModel::new(&params, proj)?)
    };
    // The stability edge of the fixed-inhibition branch.
    let (mut lo, mut hi) = (MacaqueParams::weak().mu_ee, 200.0);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if fixed(mid)?.largest_real_eigenvalue()? < 0.0 {
            lo = mid
        } else {
            hi = mid
        }
    }
    let mu_edge = lo;
    let ratio_at = |mu: f64| -> Result<(f64, LinearPulse)> {
        let r = linear_pulse(&fixed(mu)?, &[], sizes.t_end);
        Ok((r.peaks[i24] / r.peaks[0], r))
    };
    // Just below the edge (the largest gain the branch reaches while stable).
    let near_edge = MacaqueParams::weak().mu_ee + 0.999 * (mu_edge - MacaqueParams::weak().mu_ee);
    let (edge_ratio, _) = ratio_at(near_edge)?;
    v.push(("macaque_strong_ratio_24c_v1".into(), target));
    v.push(("macaque_fixed_mu_ee_stability_edge".into(), mu_edge));
    v.push(("macaque_fixed_ratio_near_edge".into(), edge_ratio));
    v.push(("macaque_strong_24c_latency_s".into(), s.peak_times[i24]));
    v.push(("macaque_strong_24c_decay_s".into(), s.decay_24c));
    v.push((
        "macaque_strong_median_latency_s".into(),
        median(s.peak_times.clone()),
    ));
    v.push((
        "macaque_strong_largest_real_eigenvalue".into(),
        strong.largest_real_eigenvalue()?,
    ));
    if edge_ratio >= target {
        let (mut a, mut b) = (MacaqueParams::weak().mu_ee, near_edge);
        for _ in 0..sizes.bisection {
            let mid = 0.5 * (a + b);
            if ratio_at(mid)?.0 < target {
                a = mid
            } else {
                b = mid
            }
        }
        let (ratio, f) = ratio_at(b)?;
        v.push(("macaque_fixed_reaches_gain".into(), 1.0));
        v.push(("macaque_fixed_mu_ee".into(), b));
        v.push(("macaque_fixed_ratio_24c_v1".into(), ratio));
        v.push(("macaque_fixed_24c_latency_s".into(), f.peak_times[i24]));
        v.push(("macaque_fixed_24c_decay_s".into(), f.decay_24c));
        v.push((
            "macaque_fixed_median_latency_s".into(),
            median(f.peak_times),
        ));
        v.push((
            "macaque_fixed_largest_real_eigenvalue".into(),
            fixed(b)?.largest_real_eigenvalue()?,
        ));
    } else {
        v.push(("macaque_fixed_reaches_gain".into(), 0.0));
    }
    Ok(claim(
        14,
        v,
        "two populations, at every w: Hebbian gain within 1 % of balanced; balanced asymptotic decay within 10 % of tau and Hebbian within 10 % of G tau; Hebbian 1/e decay within 10 % of G tau while the balanced 1/e decay does not grow with gain (largest / smallest over the sweep <= 1.25, the gain growing > 2x); controls: w = 0 gain and decay within 2 % of 1 and tau, the normal matrix's gain <= 1. Macaque: the fixed-inhibition branch cannot reach strong GBA's 24c/V1 ratio while stable, or at equal ratio its 24c decay time is >= 1.5x strong GBA's -> holds; two-population part only -> holds in the two-population model only; else does not hold",
    ))
}

/// Claim 14's rule (see the `rule` text in [`claim14`]).
pub fn verdict14(n: &Numbers) -> String {
    let count = num(n, "ws");
    if count.is_nan() || count < 1.0 {
        return "does not hold: nothing measured".into();
    }
    let mut two_pop = true;
    let mut slow_min = f64::INFINITY;
    let mut slow_max = 0.0_f64;
    let (mut bal_lo, mut bal_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut g_lo, mut g_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..count as usize {
        let g = |k: &str| num(n, &format!("w{i}_{k}"));
        let gb = g("balanced_gain");
        let equal = ((g("hebbian_gain") - gb) / gb).abs() < 0.01;
        let fast = (g("balanced_decay_asymptotic_tau") - 1.0).abs() < 0.1;
        let slow = ((g("hebbian_decay_asymptotic_tau") - gb) / gb).abs() < 0.1
            && ((g("hebbian_decay_1_over_e_tau") - gb) / gb).abs() < 0.1;
        let be = g("balanced_decay_1_over_e_tau");
        bal_lo = bal_lo.min(be);
        bal_hi = bal_hi.max(be);
        g_lo = g_lo.min(gb);
        g_hi = g_hi.max(gb);
        slow_min = slow_min.min(g("hebbian_decay_1_over_e_tau") / be);
        slow_max = slow_max.max(g("hebbian_decay_1_over_e_tau") / be);
        two_pop &= equal && fast && slow;
    }
    two_pop &= bal_hi / bal_lo <= 1.25 && g_hi / g_lo > 2.0;
    let controls = (num(n, "control_w0_gain") - 1.0).abs() < 0.02
        && (num(n, "control_w0_decay_1_over_e_tau") - 1.0).abs() < 0.02
        && num(n, "control_normal_same_eigenvalues_gain") <= 1.0 + 1e-9;
    let reaches = num(n, "macaque_fixed_reaches_gain");
    let decay_ratio = num(n, "macaque_fixed_24c_decay_s") / num(n, "macaque_strong_24c_decay_s");
    let macaque = reaches == 0.0 || (reaches == 1.0 && decay_ratio >= 1.5);
    let macaque_text = if reaches == 0.0 {
        "in the macaque model raising long-range excitation alone cannot reach strong GBA's 24c/V1 ratio while stable".to_string()
    } else {
        format!(
            "in the macaque model, at strong GBA's 24c/V1 ratio, raising long-range excitation alone makes the 24c response last {decay_ratio:.1}x longer (1/e decay {:.3} s vs {:.3} s; 24c peak latency {:.3} s vs {:.3} s)",
            num(n, "macaque_fixed_24c_decay_s"),
            num(n, "macaque_strong_24c_decay_s"),
            num(n, "macaque_fixed_24c_latency_s"),
            num(n, "macaque_strong_24c_latency_s"),
        )
    };
    if two_pop && controls && macaque {
        format!(
            "holds: at equal gain, amplification by recurrent excitation slows the response to G tau while balanced amplification decays with tau (its 1/e decay, {bal_lo:.2}-{bal_hi:.2} tau, does not grow with gain from {g_lo:.1} to {g_hi:.1}; {slow_min:.1}x to {slow_max:.1}x faster than at the same gain by recurrent excitation); {macaque_text}"
        )
    } else if two_pop && controls {
        format!(
            "holds in the two-population model only: at equal gain balanced amplification is faster ({slow_min:.1}x or more), but {macaque_text}"
        )
    } else {
        format!(
            "does not hold: equal-gain comparison two-population {two_pop}, controls {controls}, macaque {macaque}"
        )
    }
}
