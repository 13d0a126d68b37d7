//! Claim 11: "brains don't use layers or back-propagation, so backprop-trained networks tell us
//! nothing about how brains learn" (Bellec et al. 2020, e-prop; Lillicrap & Santoro 2019;
//! Lillicrap et al. 2020).
//!
//! A recurrent spiking network (30 LIF neurons with all-to-all recurrence: no layers) learns the
//! bundled digits through a latency code (20 steps; `compare --task spiking-digits --small`, 150
//! Adam iterations, batch 64), per seed, with
//! - surrogate-gradient BPTT (the backward pass through time the claim says brains cannot do),
//! - e-prop: online eligibility traces `e_ji = psi_j F_alpha(z_i)` times a learning signal
//!   broadcast from the readout errors, `L_j = sum_k B_jk (pi_k - pi*_k)`; no backward pass
//!   through time or layers, nothing stored per time step; with symmetric feedback
//!   (`B = W_out^T`: the readout weights are sent back) and with fixed *random* feedback (no
//!   weight transport at all),
//! - the true gradient of the Heaviside network (`psi = 0`: only the readout learns), the
//!   baseline that says how much learning inside the recurrent network is worth,
//!
//! and the cosine of each e-prop variant's gradient to BPTT's on the untrained network. Once (at
//! the first seed: the sizes do not depend on the seed) it measures the gradient-state bytes of
//! BPTT and e-prop on one batch at `T = 20` and at `T = 200` (the same trials followed by 180
//! silent steps).
//!
//! The seeds `first_seed, ..., first_seed + seeds − 1` run in parallel on the rayon pool (each
//! run is sequential and seeded: the numbers are the same for any thread count). Every accuracy
//! condition of the rule is applied over the seeds by `claims::seeds::holds_over_seeds`: on the
//! means and in at least `ceil(0.8 n)` seeds.

use super::seeds::{holds_over_seeds, push_over_seeds, seeds};
use super::{Claim, Numbers, claim, num};
use crate::tensor::Matrix;
use crate::{Progress, Result};

/// Sizes of claim 11's experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct RecurrenceSizes {
    /// Seeds (data split, network initialisation, random feedback, batches).
    pub seeds: usize,
    /// Adam iterations (`None`: the task's default, 150 for the small spiking-digits task).
    pub iterations: Option<usize>,
}

impl RecurrenceSizes {
    /// The CLI's sizes: 5 seeds, the task's 150 iterations.
    pub fn full() -> Self {
        Self {
            seeds: 5,
            iterations: None,
        }
    }

    /// The unit test's sizes: 2 seeds, the task's 150 iterations.
    pub fn small() -> Self {
        Self {
            seeds: 2,
            iterations: None,
        }
    }
}

/// The per-seed quantities, in the order [`one_seed`] returns them.
const KEYS: [&str; 6] = [
    "bptt_test_accuracy",
    "eprop_sym_test_accuracy",
    "eprop_random_test_accuracy",
    "readout_only_test_accuracy",
    "eprop_sym_cosine_to_bptt_untrained",
    "eprop_random_cosine_to_bptt_untrained",
];

fn spec() -> crate::experiments::recurrent::TaskSpec {
    crate::experiments::recurrent::TaskSpec {
        task: "spiking-digits".into(),
        small: true,
        network: "spiking".into(),
        ..Default::default()
    }
}

/// One seed: the test accuracies of BPTT, symmetric e-prop, random e-prop and the readout alone,
/// and the e-prop cosines to BPTT on the untrained network.
fn one_seed(seed: u64, sizes: &RecurrenceSizes, progress: &dyn Progress) -> Result<Vec<f64>> {
    use crate::experiments::recurrent::{
        self as rec, RecurrentAlignParams, RecurrentCompareParams, TRUE_GRADIENT,
    };
    let cmp = rec::compare(
        &RecurrentCompareParams {
            task: spec(),
            algorithms: vec![
                "bptt".into(),
                "eprop-sym".into(),
                "eprop-random".into(),
                TRUE_GRADIENT.into(),
            ],
            iterations: sizes.iterations,
            cosine_every: 0,
            seed,
            ..RecurrentCompareParams::default()
        },
        progress,
    )?;
    let acc = |i: usize| cmp.results[i].test_accuracy.unwrap_or(f64::NAN);
    let al = rec::align(
        &RecurrentAlignParams {
            task: spec(),
            algorithms: Some(vec!["eprop-sym".into(), "eprop-random".into()]),
            batch_size: None,
            seed,
        },
        progress,
    )?;
    Ok(vec![
        acc(0),
        acc(1),
        acc(2),
        acc(3),
        al.results[0].cosine_to_bptt,
        al.results[1].cosine_to_bptt,
    ])
}

/// The gradient-state bytes of BPTT and symmetric e-prop on one batch of 32 trials at `T = 20`
/// and at `T = 200` (the same trials, then 180 silent steps): `[bptt_20, bptt_200, eprop_20,
/// eprop_200]`.
fn state_bytes(seed: u64) -> Result<[f64; 4]> {
    use crate::experiments::recurrent::{Task, TaskNetwork};
    use crate::plasticity::recurrent::spiking::SpikingNet;
    use crate::plasticity::recurrent::{self as prec, SequenceBatch};
    let task = Task::build(&spec(), seed)?;
    let net = SpikingNet::for_task(
        &task,
        crate::train::sub_seed(seed, crate::train::Stream::Network),
    )?;
    let short = task.source().train_batch(0, 32)?;
    let silent = Matrix::zeros(short.batch_size(), task.n_in);
    let mut long_inputs = short.inputs().to_vec();
    long_inputs.resize(10 * short.inputs().len(), silent);
    let long = SequenceBatch::new(long_inputs, short.target().clone())?;
    let bytes = |name: &str, b: &SequenceBatch| -> Result<f64> {
        let mut a = prec::by_name::<SpikingNet>(name, &net, seed)?;
        Ok(a.gradient(&net, b)?.1.peak_gradient_state_bytes as f64)
    };
    Ok([
        bytes("bptt-sg", &short)?,
        bytes("bptt-sg", &long)?,
        bytes("eprop-sym", &short)?,
        bytes("eprop-sym", &long)?,
    ])
}

/// Runs claim 11 (see the module docs) over `sizes.seeds` seeds from `seed`, in parallel.
///
/// # Errors
/// Task, algorithm and training errors.
pub fn claim11(seed: u64, sizes: &RecurrenceSizes, progress: &dyn Progress) -> Result<Claim> {
    use rayon::prelude::*;
    let n = sizes.seeds.max(1);
    let per_seed: Vec<Vec<f64>> = (0..n)
        .into_par_iter()
        .map(|k| one_seed(seed.wrapping_add(k as u64), sizes, progress))
        .collect::<Result<_>>()?;
    let mut v = vec![
        ("seeds".to_string(), n as f64),
        ("first_seed".to_string(), seed as f64),
    ];
    for (i, key) in KEYS.iter().enumerate() {
        let xs: Vec<f64> = per_seed.iter().map(|s| s[i]).collect();
        push_over_seeds(&mut v, key, &xs);
    }
    let [b20, b200, e20, e200] = state_bytes(seed)?;
    v.extend([
        ("bptt_gradient_state_bytes_t20".to_string(), b20),
        ("bptt_gradient_state_bytes_t200".to_string(), b200),
        ("eprop_gradient_state_bytes_t20".to_string(), e20),
        ("eprop_gradient_state_bytes_t200".to_string(), e200),
    ]);
    Ok(claim(
        11,
        v,
        "each accuracy condition on the means of the seeds and in at least ceil(0.8 n) of the n seeds: BPTT - readout-only >= 0.2 (else inconclusive); symmetric e-prop >= BPTT - 0.1 and >= readout-only + 0.2, with BPTT's gradient state x5 or more from T = 20 to 200 and e-prop's not growing -> 'holds only for the mechanism' (random e-prop reported against the same margins); else 'holds'",
    ))
}

/// Claim 11's rule. Each accuracy condition over the seeds (`holds_over_seeds`: on the means and
/// in at least `ceil(0.8 n)` seeds): `inconclusive` if BPTT does not beat the readout-only
/// baseline by 0.2; `holds only for the mechanism ...` if symmetric e-prop reaches BPTT's
/// accuracy minus 0.1 and beats the baseline by 0.2 or more, while BPTT's gradient state grows at
/// least 5-fold from `T = 20` to `T = 200` and e-prop's does not grow (the verdict then says
/// whether random e-prop is within 0.1 of BPTT and 0.2 above the baseline, learns 0.2 above the
/// baseline but not within 0.1 of BPTT, or neither); `holds` otherwise.
pub fn verdict11(n: &Numbers) -> String {
    let s = seeds(n);
    let (bp, sym, rnd, ro) = (
        "bptt_test_accuracy",
        "eprop_sym_test_accuracy",
        "eprop_random_test_accuracy",
        "readout_only_test_accuracy",
    );
    let ms = |key: &str| {
        format!(
            "{:.3} ± {:.3}",
            num(n, &format!("{key}_mean")),
            num(n, &format!("{key}_sd"))
        )
    };
    let accs = format!(
        "test accuracy, mean ± sd over {s} seeds: BPTT {}, symmetric e-prop {}, random e-prop {}, readout only {}",
        ms(bp),
        ms(sym),
        ms(rnd),
        ms(ro)
    );
    let needed = holds_over_seeds(n, |g| g(bp) - g(ro) >= 0.2);
    if !needed.holds() {
        return format!(
            "inconclusive: BPTT does not beat the readout-only baseline by 0.2 over the seeds ({}/{s} seeds), the task needs no learning inside the network ({accs})",
            needed.count
        );
    }
    let close =
        |a: &'static str| holds_over_seeds(n, move |g| g(a) >= g(bp) - 0.1 && g(a) - g(ro) >= 0.2);
    let learns = |a: &'static str| holds_over_seeds(n, move |g| g(a) - g(ro) >= 0.2);
    let sym_close = close(sym);
    let memory = num(n, "bptt_gradient_state_bytes_t200")
        >= 5.0 * num(n, "bptt_gradient_state_bytes_t20")
        && num(n, "eprop_gradient_state_bytes_t200") <= num(n, "eprop_gradient_state_bytes_t20");
    if sym_close.holds() && memory {
        let (rc, rl) = (close(rnd), learns(rnd));
        let random_part = if rc.holds() {
            format!(
                "and so does e-prop with random feedback (no weight transport at all; {}/{s} seeds)",
                rc.count
            )
        } else if rl.holds() {
            format!(
                "with random feedback (no weight transport at all) it also learns far above the readout alone ({}/{s} seeds) but does not stay within 0.1 of BPTT at this budget (within 0.1 in {}/{s} seeds)",
                rl.count, rc.count
            )
        } else {
            format!(
                "with random feedback it does not learn 0.2 beyond the readout over the seeds at this budget ({}/{s} seeds)",
                rl.count
            )
        };
        format!(
            "holds only for the mechanism: BPTT needs a backward pass through time whose memory grows with the sequence, which brains do not have; but a recurrent spiking network without layers learns with symmetric e-prop (local eligibility traces, readout errors broadcast through the readout weights, online, memory independent of time) to within 0.1 of BPTT's accuracy and far above its readout alone ({}/{s} seeds); {random_part}. Not back-propagating does not mean not following an approximate gradient ({accs})",
            sym_close.count
        )
    } else {
        format!(
            "holds: in this experiment a rule without BPTT's backward pass does not come close to BPTT (symmetric e-prop within 0.1 of BPTT and 0.2 above the readout in {}/{s} seeds; {accs})",
            sym_close.count
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    fn numbers(per_seed: &[(&str, &[f64])], bytes: [f64; 4]) -> Numbers {
        let s = per_seed[0].1.len();
        let mut v = vec![("seeds".to_string(), s as f64)];
        for (k, xs) in per_seed {
            push_over_seeds(&mut v, k, xs);
        }
        v.extend(
            [
                "bptt_gradient_state_bytes_t20",
                "bptt_gradient_state_bytes_t200",
                "eprop_gradient_state_bytes_t20",
                "eprop_gradient_state_bytes_t200",
            ]
            .iter()
            .zip(bytes)
            .map(|(k, x)| (k.to_string(), x)),
        );
        v.into_iter().collect()
    }

    const BYTES: [f64; 4] = [1e4, 1e5, 1e3, 1e3];

    /// Five seeds: BPTT 0.85, the readout 0.18, symmetric e-prop `sym`, random e-prop `rnd`.
    fn five(sym: &[f64], rnd: &[f64], bytes: [f64; 4]) -> Numbers {
        numbers(
            &[
                ("bptt_test_accuracy", &[0.85; 5]),
                ("eprop_sym_test_accuracy", sym),
                ("eprop_random_test_accuracy", rnd),
                ("readout_only_test_accuracy", &[0.18; 5]),
            ],
            bytes,
        )
    }

    #[test]
    fn verdict11_rule() {
        let ok = five(&[0.82; 5], &[0.56; 5], BYTES);
        let v = verdict11(&ok);
        assert!(
            v.starts_with("holds only for the mechanism")
                && v.contains("does not stay within 0.1 of BPTT"),
            "{v}"
        );
        assert!(
            verdict11(&five(&[0.82; 5], &[0.8; 5], BYTES))
                .contains("and so does e-prop with random feedback")
        );
        assert!(
            verdict11(&five(&[0.82; 5], &[0.3; 5], BYTES))
                .contains("does not learn 0.2 beyond the readout")
        );
        // Random e-prop 0.2 above the readout on the mean but in only 3 of 5 seeds.
        assert!(
            verdict11(&five(&[0.82; 5], &[0.6, 0.6, 0.6, 0.3, 0.3], BYTES))
                .contains("does not learn 0.2 beyond the readout")
        );
        assert!(verdict11(&five(&[0.7; 5], &[0.56; 5], BYTES)).starts_with("holds: in this"));
        // Symmetric e-prop within 0.1 in 4 of 5 seeds: still the mechanism.
        let four = five(&[0.8, 0.8, 0.8, 0.8, 0.7], &[0.56; 5], BYTES);
        assert!(verdict11(&four).starts_with("holds only for the mechanism"));
        // In 3 of 5 seeds (mean 0.77 >= 0.75): not enough.
        let three = five(&[0.8, 0.8, 0.8, 0.72, 0.72], &[0.56; 5], BYTES);
        assert!(
            verdict11(&three).starts_with("holds: in this"),
            "{}",
            verdict11(&three)
        );
        // Memory conditions.
        assert!(
            verdict11(&five(&[0.82; 5], &[0.56; 5], [1e4, 4e4, 1e3, 1e3]))
                .starts_with("holds: in this")
        );
        assert!(
            verdict11(&five(&[0.82; 5], &[0.56; 5], [1e4, 1e5, 1e3, 2e3]))
                .starts_with("holds: in this")
        );
        // The readout alone close to BPTT: inconclusive.
        let mut ro = ok.clone();
        let mut v = Vec::new();
        push_over_seeds(&mut v, "readout_only_test_accuracy", &[0.7; 5]);
        ro.extend(v);
        assert!(verdict11(&ro).starts_with("inconclusive"));
        assert!(verdict11(&Numbers::new()).starts_with("inconclusive"));
    }

    /// Claim 11 at small sizes (2 seeds of the CLI's experiment): in each seed BPTT learns 0.2
    /// beyond the readout alone, symmetric e-prop comes within 0.1 of BPTT and 0.2 above the
    /// readout, and random e-prop stays below symmetric e-prop; the gradient state of e-prop does
    /// not grow with T while BPTT's grows at least 5-fold. The verdict is the rule's on these
    /// numbers. Each could fail (the `holds` and `inconclusive` branches); the readout-only
    /// baseline is the control.
    #[test]
    fn claim11_eprop_learns_without_backprop_through_time() {
        let c = claim11(0, &RecurrenceSizes::small(), &NoProgress).unwrap();
        let x = |k: &str| c.numbers[k];
        for s in 0..2 {
            let at = |k: &str| x(&format!("{k}_seed{s}"));
            let (bp, sym, rnd, ro) = (
                at("bptt_test_accuracy"),
                at("eprop_sym_test_accuracy"),
                at("eprop_random_test_accuracy"),
                at("readout_only_test_accuracy"),
            );
            assert!(bp - ro >= 0.2, "seed {s}: {:?}", c.numbers);
            assert!(
                sym >= bp - 0.1 && sym - ro >= 0.2,
                "seed {s}: {:?}",
                c.numbers
            );
            assert!(rnd < sym, "seed {s}: {:?}", c.numbers);
        }
        assert!(x("bptt_gradient_state_bytes_t200") >= 5.0 * x("bptt_gradient_state_bytes_t20"));
        assert_eq!(
            x("eprop_gradient_state_bytes_t200"),
            x("eprop_gradient_state_bytes_t20")
        );
        assert_eq!(c.verdict, verdict11(&c.numbers));
        assert!(
            c.verdict.starts_with("holds only for the mechanism"),
            "{}",
            c.verdict
        );
    }
}
