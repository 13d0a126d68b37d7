//! The conformance suite as a library call: what the registry's tests run on every registered
//! rule, run on one rule (registered or not) and returned as a [`Conformance`] report that the
//! `neurograd rules check` command prints.
//!
//! - A **rate rule** ([`LocalRule`]) that states a [`Theory`] is checked by
//!   the [`Harness`] against central finite differences of its objective on
//!   [`CONFORMANCE_DRAWS`] random inputs ([`conformance_inputs`]: weights with orthonormal rows,
//!   a batch with ±1 targets and a modulator, so every contract input is present). Negative
//!   controls on the same inputs: the rule scaled by −1 (every relation) and by 2 (exact
//!   relations) must be rejected by the same check, so a report that passes shows that the check
//!   could have failed.
//! - A **spike-timing rule** ([`SpikeRule`]) is checked by [`spikes::check_trace`] (the online
//!   trace implementation equals the brute-force sum of its kernel, to 1e-12, on
//!   [`CONFORMANCE_DRAWS`] Poisson draws) and by [`spikes::check_drift`] (the mean drift under
//!   independent Poisson trains at 20 and 10 Hz, 20 runs of 100 s, is within 4 standard errors of
//!   the kernel's rate formula). Negative control: the same drift check with the kernel's
//!   potentiation and depression amplitudes swapped must be rejected on the same runs.
//!
//! A rule passes when every check holds and every control is rejected.

use nalgebra::DVector;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::spikes::{self, DriftConfig};
use super::{Harness, Relation};
use crate::Result;
use crate::local::objective::Batch;
use crate::local::rule::{Activity, LocalRule, Theory};
use crate::local::spike_rule::{SpikeKernel, SpikeRule, SpikeTrains};
use crate::local::{RULES, RuleKind};
use neurograd_tensor::{Matrix, Real, seed};

/// Random draws per check (inputs for rate rules, spike-train sets for the trace check).
pub const CONFORMANCE_DRAWS: u64 = 5;

/// One line of a [`Conformance`] report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRow {
    /// What was checked (`gradient, draw 2`, `control: x(-1), draw 2`, `trace`, `drift`, ...).
    pub check: String,
    /// The measured quantity (relative error to the gradient; trace error relative to the sum of
    /// absolute terms; drift distance to the formula in standard errors).
    pub measured: Real,
    /// The bound it is held to (same unit as `measured`).
    pub bound: Real,
    /// Whether the check held.
    pub holds: bool,
    /// `true` for a check run on a deliberately wrong rule, which must **not** hold.
    pub control: bool,
}

impl CheckRow {
    fn new(check: String, measured: Real, bound: Real, holds: bool, control: bool) -> Self {
        Self {
            check,
            measured,
            bound,
            holds,
            control,
        }
    }

    /// The row is as it must be: a check holds, a control is rejected.
    pub fn ok(&self) -> bool {
        self.holds != self.control
    }
}

/// The conformance report of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conformance {
    /// The rule's name.
    pub rule: String,
    /// `rate` or `spike`.
    pub kind: String,
    /// What theory the rule states (objective, relation, source), or `None` for a rate rule that
    /// states none (nothing to check).
    pub theory: Option<String>,
    /// The checks and controls.
    pub rows: Vec<CheckRow>,
}

impl Conformance {
    /// Every check holds and every control is rejected; `None` for a rule that states no theory.
    pub fn passes(&self) -> Option<bool> {
        self.theory
            .as_ref()
            .map(|_| !self.rows.is_empty() && self.rows.iter().all(CheckRow::ok))
    }
}

/// Weights (`n_out × n_in`, orthonormal rows, so every constraint of the harness holds at them)
/// and a batch of `batch` Gaussian inputs shifted by 0.3, with ±1 targets and a modulator
/// `1 + 0.1 i`, seeded. Needs `n_out ≤ n_in`.
///
/// # Errors
/// [`PlasticityError::InvalidParameter`](crate::PlasticityError::InvalidParameter) for
/// `n_out > n_in` or a zero size.
pub fn conformance_inputs(
    n_out: usize,
    n_in: usize,
    batch: usize,
    seed: u64,
) -> Result<(Matrix, Batch)> {
    if n_out == 0 || batch == 0 || n_out > n_in {
        return Err(crate::PlasticityError::InvalidParameter {
            name: "n_out",
            value: format!("{n_out} (n_in {n_in}, batch {batch})"),
            reason: "need 1 <= n_out <= n_in and batch >= 1".into(),
        });
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut gauss =
        |r: usize, c: usize| Matrix::from_fn(r, c, |_, _| StandardNormal.sample(&mut rng));
    let w = gauss(n_in, n_out).qr().q().transpose();
    let x = gauss(batch, n_in).map(|v| v + 0.3);
    let t = gauss(batch, n_out).map(|v| if v >= 0.0 { 1.0 } else { -1.0 });
    let m = DVector::from_fn(batch, |i, _| 1.0 + 0.1 * i as Real);
    Ok((w, Batch::new(x)?.with_target(t)?.with_modulator(m)?))
}

/// `factor × rule`, with the rule's response and theory: a rule wrong by a factor or a sign.
struct Scaled<'a> {
    rule: &'a dyn LocalRule,
    factor: Real,
}

impl LocalRule for Scaled<'_> {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        Ok(self.rule.delta(activity, weights)? * self.factor)
    }
    fn response(&self, weights: &Matrix, pre: &Matrix) -> Result<Matrix> {
        self.rule.response(weights, pre)
    }
    fn theory(&self) -> Option<Theory> {
        self.rule.theory()
    }
}

/// Runs the rate-rule conformance checks (module docs) on `rule`, with inputs drawn from `seed`.
///
/// # Errors
/// Errors of the rule or the harness on the conformance inputs (e.g. a rule that needs inputs the
/// batch does not carry).
pub fn check_rate_rule(rule: &dyn LocalRule, seed: u64) -> Result<Conformance> {
    check_rate_rule_until(rule, seed, &|| false)?.ok_or_else(never_asked)
}

/// The error of a run that stopped although its `stop` never returned `true` (unreachable).
fn never_asked() -> crate::PlasticityError {
    crate::PlasticityError::InvalidParameter {
        name: "stop",
        value: "false".into(),
        reason: "the check stopped although never asked to".into(),
    }
}

/// [`check_rate_rule`], polling `stop` before each draw: once it returns `true` the check ends
/// there and the result is `Ok(None)` (the rows so far are dropped). For callers that stop on a
/// signal (the Python bindings).
///
/// # Errors
/// As [`check_rate_rule`].
pub fn check_rate_rule_until(
    rule: &dyn LocalRule,
    seed: u64,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Conformance>> {
    let mut report = Conformance {
        rule: rule.name().to_string(),
        kind: "rate".into(),
        theory: None,
        rows: Vec::new(),
    };
    let Some(theory) = rule.theory() else {
        return Ok(Some(report));
    };
    report.theory = Some(format!(
        "{:?} of {} ({})",
        theory.relation,
        theory.objective.name(),
        theory.source
    ));
    let h = Harness {
        force_finite_differences: true,
        ..Harness::default()
    };
    // Rules whose response needs square weights (recurrent ones) get 5 x 5 weights.
    let (w0, b0) = conformance_inputs(3, 5, 12, seed)?;
    let n_out = if rule.response(&w0, &b0.pre).is_ok() {
        3
    } else {
        5
    };
    let mut factors = vec![-1.0];
    if !matches!(theory.relation, Relation::Aligned { .. }) {
        factors.push(2.0);
    }
    for draw in 0..CONFORMANCE_DRAWS {
        if stop() {
            return Ok(None);
        }
        let (w, batch) = conformance_inputs(n_out, 5, 12, seed::mix(seed, draw, 1))?;
        let r = h.check(rule, &w, &batch)?;
        report.rows.push(CheckRow::new(
            format!("gradient, draw {draw}"),
            r.relative_error,
            r.tolerance,
            r.holds,
            false,
        ));
        for &factor in &factors {
            let bad = h.check(&Scaled { rule, factor }, &w, &batch)?;
            report.rows.push(CheckRow::new(
                format!("control: x({factor}), draw {draw}"),
                bad.relative_error,
                bad.tolerance,
                bad.holds,
                true,
            ));
        }
    }
    Ok(Some(report))
}

/// A spike rule with its kernel's potentiation and depression amplitudes swapped (the negative
/// control of the drift check).
struct SwappedKernel<'a>(&'a dyn SpikeRule);

impl SpikeRule for SwappedKernel<'_> {
    fn weight_change(&self, trains: &SpikeTrains<'_>, weight: Real) -> Result<Real> {
        self.0.weight_change(trains, weight)
    }
    fn kernel(&self) -> Result<SpikeKernel> {
        let k = self.0.kernel()?;
        Ok(SpikeKernel {
            a2_plus: k.a2_minus,
            a2_minus: k.a2_plus,
            a3_plus: k.a3_minus,
            a3_minus: k.a3_plus,
            ..k
        })
    }
    fn name(&self) -> &'static str {
        "swapped kernel"
    }
}

/// Runs the spike-rule conformance checks (module docs) on `rule`, with trains drawn from `seed`.
///
/// # Errors
/// Errors of the rule or of the spike harness.
pub fn check_spike_rule(rule: &dyn SpikeRule, seed: u64) -> Result<Conformance> {
    check_spike_rule_until(rule, seed, &|| false)?.ok_or_else(never_asked)
}

/// [`check_spike_rule`], polling `stop` before each trace draw and before each of the two drift
/// checks (each about a second): once it returns `true` the check ends there and the result is
/// `Ok(None)`. For callers that stop on a signal (the Python bindings).
///
/// # Errors
/// As [`check_spike_rule`].
pub fn check_spike_rule_until(
    rule: &dyn SpikeRule,
    seed: u64,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Conformance>> {
    let kernel = rule.kernel()?;
    let mut report = Conformance {
        rule: rule.name().to_string(),
        kind: "spike".into(),
        theory: Some(format!(
            "trace = brute-force kernel sum; drift = rate formula ({:?} pairing{})",
            kernel.pairing,
            if kernel.tau_eligibility.is_some() {
                ", reward-gated"
            } else {
                ""
            }
        )),
        rows: Vec::new(),
    };
    let short = DriftConfig::default()
        .rates(20.0, 20.0)
        .runs(2, 2_000.0)
        .with_rewards(20.0, -0.5);
    for draw in 0..CONFORMANCE_DRAWS {
        if stop() {
            return Ok(None);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed::mix(seed, draw, 2));
        let trains = spikes::poisson_trains(&kernel, &short, &mut rng)?;
        let r = spikes::check_trace(rule, &trains.as_trains(), 1e-12)?;
        report.rows.push(CheckRow::new(
            format!("trace, draw {draw}"),
            r.error / r.magnitude.max(Real::MIN_POSITIVE),
            r.tolerance,
            r.holds,
            false,
        ));
    }
    let cfg = DriftConfig::default()
        .rates(20.0, 10.0)
        .runs(20, 100_000.0)
        .with_rewards(5.0, 1.0);
    let drift_seed = seed::mix(seed, 0, 3);
    let in_se = |d: &spikes::DriftReport| {
        (d.mean - d.formula).abs() / d.standard_error.max(Real::MIN_POSITIVE)
    };
    if stop() {
        return Ok(None);
    }
    let good = spikes::check_drift(rule, &cfg, &mut ChaCha8Rng::seed_from_u64(drift_seed))?;
    report.rows.push(CheckRow::new(
        "drift vs rate formula (SE)".into(),
        in_se(&good),
        good.k,
        good.holds,
        false,
    ));
    if stop() {
        return Ok(None);
    }
    let bad = spikes::check_drift(
        &SwappedKernel(rule),
        &cfg,
        &mut ChaCha8Rng::seed_from_u64(drift_seed),
    )?;
    report.rows.push(CheckRow::new(
        "control: swapped kernel, drift (SE)".into(),
        in_se(&bad),
        bad.k,
        bad.holds,
        true,
    ));
    Ok(Some(report))
}

/// Runs the conformance checks on the registered rule `name` (rate or spike).
///
/// # Errors
/// [`PlasticityError::UnknownName`](crate::PlasticityError::UnknownName) listing every registered
/// name; the errors of [`check_rate_rule`] and [`check_spike_rule`].
pub fn check_registered(name: &str, seed: u64) -> Result<Conformance> {
    check_registered_until(name, seed, &|| false)?.ok_or_else(never_asked)
}

/// [`check_registered`], polling `stop` as [`check_rate_rule_until`] and
/// [`check_spike_rule_until`] do: `Ok(None)` once it returns `true`.
///
/// # Errors
/// As [`check_registered`].
pub fn check_registered_until(
    name: &str,
    seed: u64,
    stop: &dyn Fn() -> bool,
) -> Result<Option<Conformance>> {
    let named = |c: Option<Conformance>| {
        c.map(|mut c| {
            c.rule = name.to_string();
            c
        })
    };
    match RULES.iter().find(|r| r.name == name).map(|r| r.kind) {
        Some(RuleKind::Rate(build)) => {
            Ok(named(check_rate_rule_until(build().as_ref(), seed, stop)?))
        }
        Some(RuleKind::Spike(build)) => {
            Ok(named(check_spike_rule_until(build().as_ref(), seed, stop)?))
        }
        None => Err(crate::PlasticityError::UnknownName {
            kind: "rule",
            name: name.to_string(),
            valid: RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(", "),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn counting(limit: usize, calls: &Cell<usize>) -> impl Fn() -> bool + '_ {
        move || {
            calls.set(calls.get() + 1);
            calls.get() > limit
        }
    }

    #[test]
    fn check_registered_until_is_the_check_unless_stopped_and_stops_at_a_poll() {
        // rate rule: one poll per draw; spike rule: one per trace draw and one per drift check
        for (name, polls) in [
            ("oja", CONFORMANCE_DRAWS as usize),
            ("pair-stdp", CONFORMANCE_DRAWS as usize + 2),
        ] {
            let full = check_registered(name, 4).unwrap();
            let calls = Cell::new(0);
            let same = check_registered_until(name, 4, &counting(usize::MAX, &calls)).unwrap();
            assert_eq!(same.as_ref(), Some(&full), "{name}");
            assert_eq!(calls.get(), polls, "{name}");
            for k in 0..polls {
                let calls = Cell::new(0);
                let r = check_registered_until(name, 4, &counting(k, &calls)).unwrap();
                assert!(r.is_none(), "{name}, k = {k}");
                assert_eq!(calls.get(), k + 1, "{name}, k = {k}");
            }
        }
        // an unknown name is an error, not a stop
        assert!(check_registered_until("nope", 4, &|| true).is_err());
    }
}
