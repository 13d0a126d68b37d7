//! `align`: for each algorithm and its condition parameter, how close its update is to the true
//! gradient (relative error and/or cosine and angle): EP over beta (one-sided, symmetric), CHL over
//! gamma, PC over the output precision, recirculation over lambda, FA over training steps (on a
//! linear teacher), ES over population size.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::plasticity::credit::{self, EpVariant};
use crate::tensor::{Matrix, Vector};
use crate::{Progress, Result, VERSION};

/// Parameters of `align`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignParams {
    /// Seed.
    pub seed: u64,
    /// FA training steps on the teacher task.
    pub fa_steps: usize,
}

impl Default for AlignParams {
    fn default() -> Self {
        Self {
            seed: 0,
            fa_steps: 2000,
        }
    }
}

/// One measurement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignRow {
    /// Algorithm (`ep`, `ep-sym`, `chl`, `pc`, `recirculation`, `fa`, `es`).
    pub algorithm: String,
    /// Condition parameter (`beta`, `gamma`, `precision`, `lambda`, `step`, `population`).
    pub parameter: String,
    /// Its value.
    pub value: f64,
    /// Relative error `|u - g| / |g|` to the true gradient, where measured.
    pub relative_error: Option<f64>,
    /// Cosine to the true gradient, where measured.
    pub cosine: Option<f64>,
    /// `acos(cosine)` in degrees.
    pub angle_deg: Option<f64>,
}

/// Result of `align`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlignResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: AlignParams,
    /// All measurements, grouped by algorithm.
    pub rows: Vec<AlignRow>,
}

fn row(
    algorithm: &str,
    parameter: &str,
    value: f64,
    relative_error: Option<f64>,
    cosine: Option<f64>,
) -> AlignRow {
    AlignRow {
        algorithm: algorithm.into(),
        parameter: parameter.into(),
        value,
        relative_error,
        cosine,
        angle_deg: cosine.map(|c| c.clamp(-1.0, 1.0).acos().to_degrees()),
    }
}

/// Runs `align`.
///
/// # Errors
/// The experiments' errors (non-convergence of a relaxation, invalid parameters).
pub fn run(p: &AlignParams, progress: &dyn Progress) -> Result<AlignResult> {
    let r = run_until(p, progress, &|| false)?;
    r.ok_or_else(|| crate::Error::Internal {
        what: "align",
        reason: "stopped although never asked to".into(),
    })
}

/// [`run`], polling `stop` between its measurements (before each EP variant, the CHL sweep,
/// each PC precision, the recirculation sweep, the FA run and each ES population size) and
/// inside the FA run (every
/// [`TEACHER_STOP_POLL_STEPS`](crate::plasticity::credit::compare::TEACHER_STOP_POLL_STEPS)
/// of its `fa_steps` training steps): once it returns `true` the run ends there and the result
/// is `None` (for callers that stop on a signal, e.g. the Python bindings).
///
/// # Errors
/// As [`run`].
pub fn run_until(
    p: &AlignParams,
    progress: &dyn Progress,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<AlignResult>> {
    progress.start("align", 6);
    let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
    let x = Matrix::from_fn(4, 3, |_, _| StandardNormal.sample(&mut rng));
    let t = Matrix::from_fn(4, 2, |_, _| rand::RngExt::random_range(&mut rng, 0.2..0.8));
    let mut rows = Vec::new();
    let ep_net = credit::Network::new(
        &[3, 4, 2],
        crate::tensor::Activation::Sigmoid,
        crate::tensor::Activation::Sigmoid,
        credit::Loss::HalfSquaredError,
        p.seed,
    )?;
    let betas = [0.1, 0.05, 0.025, 0.0125];
    for (name, v) in [
        ("ep", EpVariant::OneSided),
        ("ep-sym", EpVariant::Symmetric),
    ] {
        if stop() {
            return Ok(None);
        }
        for e in credit::compare::ep_error_vs_beta(&ep_net, &x, &t, &betas, v)? {
            rows.push(row(name, "beta", e.param, Some(e.relative_error), None));
        }
        progress.inc(1);
    }
    if stop() {
        return Ok(None);
    }
    let chl_net = credit::registry::info("chl")?.network(&[3, 4, 2], p.seed)?;
    for e in credit::compare::chl_error_vs_gamma(&chl_net, &x, &t, &[0.4, 0.2, 0.1, 0.05, 0.025])? {
        rows.push(row("chl", "gamma", e.param, Some(e.relative_error), None));
    }
    progress.inc(1);
    let pc_net = credit::registry::info("pc")?.network(&[3, 4, 2], p.seed)?;
    // One call per precision: a relaxation that misses its tolerance is reported as a row
    // without a number (never silently used) instead of aborting the whole table.
    for pi in [0.1, 0.03, 0.01, 3e-3, 1e-3] {
        if stop() {
            return Ok(None);
        }
        match credit::compare::pc_error_vs_precision(&pc_net, &x, &t, &[pi]) {
            Ok(v) => rows.extend(
                v.iter()
                    .map(|e| row("pc", "precision", e.param, Some(e.relative_error), None)),
            ),
            Err(crate::plasticity::PlasticityError::NotConverged { .. }) => {
                rows.push(row("pc", "precision", pi, None, None))
            }
            Err(e) => return Err(e.into()),
        }
    }
    progress.inc(1);
    if stop() {
        return Ok(None);
    }
    let rc = credit::registry::info("recirculation")?;
    let mut sym = rc.network(&[6, 3, 6], p.seed)?;
    let enc = sym.weight(0)?.transpose();
    sym.set_weight(1, enc)?;
    let xa = Matrix::from_fn(8, 6, |_, _| rand::RngExt::random_range(&mut rng, 0.0..1.0));
    for r in credit::compare::recirculation_vs_lambda(&sym, &xa, &[0.5, 0.75, 0.9, 0.99])? {
        rows.push(row(
            "recirculation",
            "lambda",
            r.lambda,
            Some(r.encoder_relative_error),
            Some(r.encoder_cosine),
        ));
    }
    progress.inc(1);
    if stop() {
        return Ok(None);
    }
    let every = (p.fa_steps / 10).max(1);
    // `fa_teacher_alignment(seed, fa_steps, 32, 0.01, every, false)`, polling `stop` inside
    let Some(fa) = credit::compare::teacher_alignment_until(
        p.seed,
        &[30, 20, 10],
        credit::compare::TeacherRule::FeedbackAlignment,
        p.fa_steps,
        32,
        0.01,
        every,
        stop,
    )?
    else {
        return Ok(None);
    };
    for a in fa {
        // The crate reports the batch-mean angle of the hidden signal; cosine left empty.
        let mut r = row("fa", "step", a.step as f64, None, None);
        r.angle_deg = Some(a.signal_angle);
        rows.push(r);
    }
    {
        use crate::optim::blackbox::es_gradient::{EsEstimator, mean_cosine};
        let d = 50;
        let theta: Vec<f64> = (0..d).map(|_| StandardNormal.sample(&mut rng)).collect();
        let f = |z: &[f64]| z.iter().map(|v| 0.5 * v * v).sum::<f64>();
        let g = Vector::from_column_slice(&theta);
        for n in [1usize, 4, 16, 64, 256] {
            if stop() {
                return Ok(None);
            }
            let st = mean_cosine(f, &g, &theta, 1e-3, n, EsEstimator::Antithetic, 20, p.seed)?;
            rows.push(row("es", "population", n as f64, None, Some(st.mean)));
        }
    }
    progress.inc(1);
    progress.finish();
    Ok(Some(AlignResult {
        version: VERSION.to_string(),
        params: p.clone(),
        rows,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn run_until_never_stopped_is_run_and_stops_at_each_poll() {
        let p = AlignParams {
            seed: 3,
            fa_steps: 20,
        };
        let full = run(&p, &NoProgress).unwrap();
        let same = run_until(&p, &NoProgress, &|| false).unwrap().unwrap();
        assert_eq!(full, same);
        // 2 EP variants + CHL + 5 PC precisions + recirculation + FA (before it and at its step
        // 0; its 20 steps are fewer than one poll interval) + 5 ES sizes = 16 polls
        for k in 0..16 {
            let calls = AtomicUsize::new(0);
            let stop = || calls.fetch_add(1, Ordering::SeqCst) >= k;
            assert!(
                run_until(&p, &NoProgress, &stop).unwrap().is_none(),
                "k = {k}"
            );
            assert_eq!(calls.load(Ordering::SeqCst), k + 1);
        }
        let calls = AtomicUsize::new(0);
        let stop = || calls.fetch_add(1, Ordering::SeqCst) >= 16;
        assert_eq!(run_until(&p, &NoProgress, &stop).unwrap(), Some(full));
        assert_eq!(calls.load(Ordering::SeqCst), 16);
    }

    #[test]
    fn a_long_fa_run_stops_inside() {
        // 10^9 FA steps (hours): the 12th poll is inside the FA run (10 polls before it, then
        // its steps 0 and 64), and the run ends there
        let p = AlignParams {
            seed: 1,
            fa_steps: 1_000_000_000,
        };
        let calls = AtomicUsize::new(0);
        let stop = || calls.fetch_add(1, Ordering::SeqCst) >= 11;
        let t = std::time::Instant::now();
        assert!(run_until(&p, &NoProgress, &stop).unwrap().is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 12);
        assert!(t.elapsed().as_secs_f64() < 30.0);
    }
}
