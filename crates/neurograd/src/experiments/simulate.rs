//! `simulate <model>`: neuron models and circuits of `neurograd-neurons`, each result echoing its
//! model parameters.

use serde::{Deserialize, Serialize};

use crate::neurons;
use crate::{Error, Progress, Result, VERSION};

/// The models `simulate` knows, in documentation order.
pub const MODELS: &[&str] = &[
    "lif-fi",
    "izhikevich",
    "adex",
    "hh",
    "alif",
    "coba",
    "cuba",
    "balanced-amplification",
    "macaque",
];

/// Parameters of a simulation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulateParams {
    /// One of [`MODELS`].
    pub model: String,
    /// Master seed (network wiring, Poisson input).
    pub seed: u64,
    /// Simulated duration in ms (`None`: the model's reference protocol).
    pub duration_ms: Option<f64>,
    /// Integration step in ms (`None`: the model's default).
    pub dt_ms: Option<f64>,
    /// Global-balanced-amplification regime of the macaque model: `weak` or `strong`.
    pub gba: String,
    /// Length of the raster window of `coba` / `cuba` in ms, from the start of the run (`None`:
    /// [`DEFAULT_RASTER_MS`]; `0` keeps no raster). Only the window's spikes are kept, so a long
    /// run's memory does not grow with its duration; refused for the other models.
    pub raster_ms: Option<f64>,
}

impl SimulateParams {
    /// Default parameters for `model`.
    pub fn new(model: &str) -> Self {
        Self {
            model: model.to_string(),
            seed: 0,
            duration_ms: None,
            dt_ms: None,
            gba: "strong".into(),
            raster_ms: None,
        }
    }
}

/// A decimated time course for figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Name (feature, pattern, area).
    pub name: String,
    /// Sample times (ms).
    pub t_ms: Vec<f64>,
    /// Values (membrane potential in mV, or rate in Hz).
    pub values: Vec<f64>,
    /// Spike times (ms), if any.
    pub spikes_ms: Vec<f64>,
    /// Whether the model's defining criterion holds on this trace (`None` if none applies).
    pub criterion_holds: Option<bool>,
    /// What the criterion measured.
    pub criterion_detail: Option<String>,
}

fn decimate(t: &[f64], v: &[f64], max_points: usize) -> (Vec<f64>, Vec<f64>) {
    let every = t.len().div_ceil(max_points.max(1)).max(1);
    (
        t.iter().step_by(every).copied().collect(),
        v.iter().step_by(every).copied().collect(),
    )
}

/// Neurons `0..RASTER_NEURONS` are shown in the raster of `coba` / `cuba` (and the only ones
/// whose spikes are kept).
pub const RASTER_NEURONS: usize = 200;

/// The raster window of `coba` / `cuba` when `--raster-ms` is not given: the first second, as
/// in the figures of Brette et al. (2007).
pub const DEFAULT_RASTER_MS: f64 = 1000.0;

/// Output of `coba` / `cuba` (Brette et al. 2007 benchmarks).
#[derive(Debug, Clone, Serialize)]
pub struct NetworkOutput {
    /// Benchmark parameters (sizes, weights, time constants, step).
    pub params: neurons::circuits::brette2007::BrettParams,
    /// Simulated time (ms).
    pub duration_ms: f64,
    /// Number of synapses.
    pub n_synapses: usize,
    /// Total number of spikes.
    pub spikes: usize,
    /// Mean excitatory rate (Hz).
    pub mean_rate_exc_hz: f64,
    /// Mean inhibitory rate (Hz).
    pub mean_rate_inh_hz: f64,
    /// Mean ISI coefficient of variation.
    pub mean_cv_isi: f64,
    /// Raster of the first `raster_neurons` neurons in the first `raster_ms` ms: `[time_ms,
    /// neuron]` pairs.
    pub raster: Vec<(f64, usize)>,
    /// Neurons shown in the raster.
    pub raster_neurons: usize,
    /// The raster's window in ms (from 0; at most `duration_ms`).
    pub raster_ms: f64,
}

/// One area's response of the macaque model.
#[derive(Debug, Clone, Serialize)]
pub struct AreaOutput {
    /// Area name.
    pub name: String,
    /// Normalised hierarchy value.
    pub hierarchy: f64,
    /// Peak rise of the excitatory rate over baseline (Hz).
    pub peak_hz: f64,
    /// Time of the peak (s).
    pub peak_time_s: f64,
}

/// Output of `macaque`.
#[derive(Debug, Clone, Serialize)]
pub struct MacaqueOutput {
    /// `weak` or `strong`.
    pub gba: String,
    /// Model parameters.
    pub params: neurons::circuits::macaque::MacaqueParams,
    /// Pulse protocol.
    pub protocol: neurons::circuits::macaque::PulseProtocol,
    /// Largest real part of the linearised system's eigenvalues (1/s).
    pub largest_real_eigenvalue: f64,
    /// Per-area peaks in hierarchy order.
    pub areas: Vec<AreaOutput>,
    /// `peak(24c) / peak(V1)`.
    pub propagation_ratio: f64,
    /// Whether the rates blew up.
    pub blew_up: bool,
    /// Time courses of the figure's areas (rate rise in Hz, time in ms).
    pub traces: Vec<Trace>,
}

/// The output of one model (flattened into the JSON next to `version`, `model`, `run`, `wall_s`).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum SimulationOutput {
    /// `lif-fi`: f-I curve (`points: [{current_na, rate_hz, analytic_hz, grid_hz, n_spikes}]`,
    /// `params` of the neuron, `rheobase_na`, `dt_ms`, `duration_ms`).
    LifFi(neurons::lif::LifFiResult),
    /// `izhikevich`, `adex`, `hh`, `alif`: `traces: [{name, t_ms, values, spikes_ms, criterion_holds,
    /// criterion_detail}]`.
    Traces {
        /// One trace per feature / pattern / current.
        traces: Vec<Trace>,
        /// Number of traces whose criterion holds.
        criteria_hold: usize,
        /// Model parameters (serialised by the model crate).
        model_params: serde_json::Value,
    },
    /// `coba`, `cuba`.
    Network(NetworkOutput),
    /// `balanced-amplification`: the model crate's report (Schur numbers, transient).
    Balanced(neurons::circuits::balanced::BalancedReport),
    /// `macaque`.
    Macaque(MacaqueOutput),
}

/// A simulation's result: the echoed parameters, the version and the model's output.
#[derive(Debug, Clone, Serialize)]
pub struct SimulateResult {
    /// neurograd version.
    pub version: String,
    /// The model name.
    pub model: String,
    /// The parameters used.
    pub run: SimulateParams,
    /// Wall-clock time of the simulation (s).
    pub wall_s: f64,
    /// The model's output, flattened.
    #[serde(flatten)]
    pub output: SimulationOutput,
}

/// Steps between two polls of the stop request in the single-neuron protocols of [`run_until`]
/// (the same interval as the `coba`/`cuba` networks'
/// [`STOP_POLL_STEPS`](neurons::circuits::brette2007::STOP_POLL_STEPS)).
pub const STOP_POLL_STEPS: u64 = neurons::circuits::brette2007::STOP_POLL_STEPS as u64;

/// The stop point of the single-neuron protocols: their simulations call the input function once
/// per step, so [`StopCheck::input`] counts the steps and polls `stop` every [`STOP_POLL_STEPS`]
/// of them (over all the protocol's runs); once it has returned `true` the input is NaN, which
/// the neuron crate's `model::simulate` refuses at that very step
/// ([`NonFinite`](neurons::NeuronError::NonFinite)), so the run ends there and
/// [`StopCheck::stopped`] tells that error from a real one.
struct StopCheck<'a> {
    stop: &'a dyn Fn() -> bool,
    steps: std::cell::Cell<u64>,
    stopped: std::cell::Cell<bool>,
}

impl<'a> StopCheck<'a> {
    fn new(stop: &'a dyn Fn() -> bool) -> Self {
        Self {
            stop,
            steps: std::cell::Cell::new(0),
            stopped: std::cell::Cell::new(false),
        }
    }

    /// `x` (the step's input), or NaN once a stop was requested.
    fn input(&self, x: f64) -> f64 {
        let k = self.steps.get();
        self.steps.set(k + 1);
        if k.is_multiple_of(STOP_POLL_STEPS) && !self.stopped.get() && (self.stop)() {
            self.stopped.set(true);
        }
        if self.stopped.get() { f64::NAN } else { x }
    }

    /// Whether the run was ended by a stop request.
    fn stopped(&self) -> bool {
        self.stopped.get()
    }
}

/// `r`, or `Ok(None)` if the run was ended by a stop request (the error is then the refused NaN
/// input of [`StopCheck::input`]).
fn or_stopped<T, E: Into<Error>>(
    r: std::result::Result<T, E>,
    check: &StopCheck<'_>,
) -> Result<Option<T>> {
    match r {
        Err(_) if check.stopped() => Ok(None),
        r => r.map(Some).map_err(Into::into),
    }
}

/// `lif-fi`: the f-I curve of `neurons::lif::fi_curve` (same numbers), each current's run
/// polling `check`.
fn lif_fi(run: &neurons::lif::LifRun, check: &StopCheck<'_>) -> Result<Option<SimulationOutput>> {
    use neurons::lif::{Lif, LifFiPoint, LifFiResult};
    use neurons::model::{Input, NeuronModel, RunConfig, simulate};
    let model = Lif::new(run.params, run.dt_ms)?;
    let cfg = RunConfig::for_duration(run.duration_ms, run.dt_ms, 0)?;
    let mut points = Vec::new();
    for k in 0..=30 {
        let i = 0.1 * k as f64;
        let Some(tr) = or_stopped(
            simulate(&model, model.initial_state(), &cfg, |_| {
                Input::current(check.input(i))
            }),
            check,
        )?
        else {
            return Ok(None);
        };
        let st = tr.spikes_ms;
        let rate_hz = if st.len() >= 3 {
            1000.0 * (st.len() - 2) as f64 / (st[st.len() - 1] - st[1])
        } else {
            0.0
        };
        points.push(LifFiPoint {
            current_na: i,
            rate_hz,
            analytic_hz: run.params.analytic_rate_hz(i),
            grid_hz: run.params.grid_rate_hz(i, run.dt_ms),
            n_spikes: st.len(),
        });
    }
    Ok(Some(SimulationOutput::LifFi(LifFiResult {
        params: run.params,
        dt_ms: run.dt_ms,
        duration_ms: run.duration_ms,
        rheobase_na: run.params.rheobase_na(),
        points,
    })))
}

/// `alif`: the discrete-time LIF/ALIF neuron of Bellec et al. (2020) (evidence-accumulation
/// parameters, `dt` 1 ms by default) under constant input `I` in units of `v_th` per step, once
/// with adaptation (`beta` of the paper) and once without (`beta = 0`, plain LIF) at each input:
/// the adaptive threshold lengthens the inter-spike intervals over the run (spike-frequency
/// adaptation), which the criterion checks: the last ISI is longer than the first with
/// adaptation, and equal to it (within half a step) without.
fn alif_traces(p: &SimulateParams, check: &StopCheck<'_>) -> Result<Option<SimulationOutput>> {
    use neurons::alif::{Alif, AlifParams};
    use neurons::model::{Input, NeuronModel, RunConfig, simulate};
    let adaptive = AlifParams::bellec_2020_evidence_accumulation();
    let dt = p.dt_ms.unwrap_or(1.0);
    check_steps(dt, p.duration_ms.unwrap_or(2000.0), 64.0, 1)?;
    let cfg = RunConfig::for_duration(p.duration_ms.unwrap_or(2000.0), dt, 1)?;
    let mut traces = Vec::new();
    for i in [0.05, 0.1, 0.2] {
        for (label, beta) in [("ALIF", adaptive.beta), ("LIF", 0.0)] {
            let model = Alif::new(AlifParams { beta, ..adaptive }, dt)?;
            let Some(tr) = or_stopped(
                simulate(&model, model.initial_state(), &cfg, |_| Input {
                    current: check.input(i * adaptive.v_th),
                    ..Input::ZERO
                }),
                check,
            )?
            else {
                return Ok(None);
            };
            let t: Vec<f64> = tr.step.iter().map(|&k| (k + 1) as f64 * dt).collect();
            let (t, v) = decimate(&t, &tr.v, 1000);
            let isi: Vec<f64> = tr.spikes_ms.windows(2).map(|w| w[1] - w[0]).collect();
            let (first, last) = (isi.first().copied(), isi.last().copied());
            let holds = match (first, last) {
                (Some(a), Some(b)) if beta > 0.0 => Some(b > a),
                (Some(a), Some(b)) => Some((b - a).abs() <= 0.5 * dt),
                _ => None,
            };
            traces.push(Trace {
                name: format!("{label}, I = {i} v_th"),
                t_ms: t,
                values: v,
                spikes_ms: tr.spikes_ms.clone(),
                criterion_holds: holds,
                criterion_detail: Some(format!(
                    "{} spikes; first ISI {}, last ISI {} ms",
                    tr.spikes_ms.len(),
                    first.map_or("-".into(), |x| format!("{x}")),
                    last.map_or("-".into(), |x| format!("{x}"))
                )),
            });
        }
    }
    let criteria_hold = traces
        .iter()
        .filter(|t| t.criterion_holds == Some(true))
        .count();
    Ok(Some(SimulationOutput::Traces {
        traces,
        criteria_hold,
        model_params: serde_json::to_value(adaptive)?,
    }))
}

/// The most steps one simulated trace may take: beyond it a run takes hours (about 1e8 steps per
/// second for the simplest model) and usually comes from a unit mistake.
pub const MAX_STEPS: f64 = 1e9;

/// Refuses a run of `duration_ms / dt_ms` steps beyond [`MAX_STEPS`], or whose recorded trace
/// (`bytes_per_step` per step, `traces` held at once) would not fit in memory, before anything
/// is allocated.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `duration_ms` with the step count or the memory estimate.
fn check_steps(dt_ms: f64, duration_ms: f64, bytes_per_step: f64, traces: usize) -> Result<()> {
    let steps = (duration_ms / dt_ms).round();
    if steps > MAX_STEPS {
        return Err(Error::invalid(
            "duration_ms",
            format!("{duration_ms:e}"),
            format!(
                "gives {steps:e} steps of dt = {dt_ms:e} ms; at most {MAX_STEPS:e} steps per run"
            ),
        ));
    }
    super::check_memory(
        "duration_ms",
        format!("{duration_ms:e}"),
        steps * bytes_per_step * traces as f64,
    )
}

/// Whether `model` takes a step (`--dt-ms`) and a duration (`--duration-ms`): every other
/// combination is refused, never ignored. Izhikevich's twenty features each run their own
/// protocol's duration, and balanced amplification is a fixed analysis of the Murphy & Miller
/// (2009) circuit.
pub fn takes_dt_duration(model: &str) -> (bool, bool) {
    match model {
        "izhikevich" => (true, false),
        "balanced-amplification" => (false, false),
        _ => (true, true),
    }
}

/// Runs one simulation.
///
/// # Errors
/// [`Error::UnknownName`] listing [`MODELS`] for an unknown model (or GBA regime); the neuron
/// crate's errors for invalid durations or steps.
pub fn run(p: &SimulateParams, progress: &dyn Progress) -> Result<SimulateResult> {
    match run_until(p, progress, &|| false)? {
        Some(r) => Ok(r),
        None => Err(Error::Internal {
            what: "simulate",
            reason: "stopped without a stop request".into(),
        }),
    }
}

/// [`run`], polling `stop` every [`STOP_POLL_STEPS`] simulation steps during the `coba`/`cuba`
/// networks and the single-neuron models (`lif-fi`, `izhikevich`, `adex`, `hh`, `alif`; counted
/// over all the runs of their protocol), every
/// [`macaque::STOP_POLL_STEPS`](neurons::circuits::macaque::STOP_POLL_STEPS) Euler steps of
/// `macaque`, and once before `balanced-amplification` (a fixed analysis of a few thousand RK4
/// steps of a two-unit circuit, milliseconds). Once `stop` returns `true` the result is `None`
/// (for callers that stop on a signal, e.g. the Python bindings).
///
/// # Errors
/// As [`run`].
pub fn run_until(
    p: &SimulateParams,
    progress: &dyn Progress,
    stop: &dyn Fn() -> bool,
) -> Result<Option<SimulateResult>> {
    if !MODELS.contains(&p.model.as_str()) {
        return Err(Error::unknown("model", &p.model, MODELS));
    }
    if let Some(d) = p.duration_ms
        && !(d.is_finite() && d > 0.0)
    {
        return Err(Error::invalid(
            "duration_ms",
            format!("{d:e}"),
            "must be positive and finite",
        ));
    }
    if let Some(d) = p.dt_ms
        && !(d.is_finite() && d > 0.0)
    {
        return Err(Error::invalid(
            "dt_ms",
            format!("{d:e}"),
            "must be positive and finite",
        ));
    }
    let (takes_dt, takes_duration) = takes_dt_duration(&p.model);
    if let (Some(d), false) = (p.dt_ms, takes_dt) {
        return Err(Error::invalid(
            "dt_ms",
            format!("{d:e}"),
            format!("model {} has a fixed step; it takes no --dt-ms", p.model),
        ));
    }
    if let (Some(d), false) = (p.duration_ms, takes_duration) {
        return Err(Error::invalid(
            "duration_ms",
            format!("{d:e}"),
            format!(
                "model {} runs its reference protocol's fixed duration; it takes no --duration-ms",
                p.model
            ),
        ));
    }
    if let Some(r) = p.raster_ms {
        if !(r.is_finite() && r >= 0.0) {
            return Err(Error::invalid(
                "raster_ms",
                format!("{r:e}"),
                "must be >= 0 and finite (0: no raster)",
            ));
        }
        if !matches!(p.model.as_str(), "coba" | "cuba") {
            return Err(Error::invalid(
                "raster_ms",
                format!("{r:e}"),
                format!("only coba and cuba draw a raster, not {}", p.model),
            ));
        }
    }
    progress.start(&p.model, 1);
    let t0 = std::time::Instant::now();
    let check = StopCheck::new(stop);
    let output = match p.model.as_str() {
        "lif-fi" => {
            check_steps(
                p.dt_ms.unwrap_or(0.01),
                p.duration_ms.unwrap_or(1000.0),
                0.0,
                1,
            )?;
            let run = neurons::lif::LifRun {
                params: neurons::lif::LifParams::default(),
                dt_ms: p.dt_ms.unwrap_or(0.01),
                duration_ms: p.duration_ms.unwrap_or(1000.0),
            };
            match lif_fi(&run, &check)? {
                Some(o) => o,
                None => return Ok(None),
            }
        }
        "izhikevich" => {
            use neurons::izhikevich::{Feature, check_feature, simulate};
            let mut traces = Vec::new();
            for f in Feature::ALL {
                // `simulate_feature(f, p.dt_ms)` with the stop point in its input
                let mut run = f.protocol();
                run.dt_ms = p.dt_ms.unwrap_or(run.dt_ms);
                let Some(tr) = or_stopped(simulate(&run, |t| check.input(f.input(t))), &check)?
                else {
                    return Ok(None);
                };
                let v = check_feature(f, &tr);
                let (t, vv) = decimate(&tr.t_ms, &tr.v_mv, 1000);
                traces.push(Trace {
                    name: format!("({}) {}", f.panel(), f.name()),
                    t_ms: t,
                    values: vv,
                    spikes_ms: tr.spikes_ms.clone(),
                    criterion_holds: Some(v.holds),
                    criterion_detail: Some(v.detail),
                });
            }
            let criteria_hold = traces
                .iter()
                .filter(|t| t.criterion_holds == Some(true))
                .count();
            let model_params = serde_json::to_value(
                Feature::ALL
                    .iter()
                    .map(|f| (f.name(), f.protocol().params))
                    .collect::<Vec<_>>(),
            )?;
            SimulationOutput::Traces {
                traces,
                criteria_hold,
                model_params,
            }
        }
        "adex" => {
            use neurons::adex::{NAUD_DT_MS, NAUD_DURATION_MS, NaudPattern, check_pattern};
            // one full-resolution trace (time, v, w, current and the step's state) at a time
            check_steps(
                p.dt_ms.unwrap_or(NAUD_DT_MS),
                p.duration_ms.unwrap_or(NAUD_DURATION_MS),
                64.0,
                1,
            )?;
            let mut traces = Vec::new();
            let mut params = Vec::new();
            for pat in NaudPattern::ALL {
                // `simulate_pattern(pat, 1)` by default, with the stop point in its input
                let (pat_params, i) = pat.params();
                let run = neurons::adex::AdexRun {
                    params: pat_params,
                    dt_ms: p.dt_ms.unwrap_or(NAUD_DT_MS),
                    t_end_ms: p.duration_ms.unwrap_or(NAUD_DURATION_MS),
                    record_every: 1,
                };
                let Some(tr) =
                    or_stopped(neurons::adex::simulate(&run, |_| check.input(i)), &check)?
                else {
                    return Ok(None);
                };
                let v = check_pattern(pat, &tr);
                let (t, vv) = decimate(&tr.t_ms, &tr.v_mv, 1000);
                params.push((pat.name(), pat.params()));
                traces.push(Trace {
                    name: pat.name().to_string(),
                    t_ms: t,
                    values: vv,
                    spikes_ms: tr.spikes_ms.clone(),
                    criterion_holds: Some(v.holds),
                    criterion_detail: Some(v.detail),
                });
            }
            let criteria_hold = traces
                .iter()
                .filter(|t| t.criterion_holds == Some(true))
                .count();
            SimulationOutput::Traces {
                traces,
                criteria_hold,
                model_params: serde_json::to_value(params)?,
            }
        }
        "hh" => {
            use neurons::hh::{HhParams, HhRun, resting_state, simulate};
            let params = HhParams::default();
            let rest = resting_state(&params)?;
            let dt = p.dt_ms.unwrap_or(0.01);
            let dur = p.duration_ms.unwrap_or(100.0);
            check_steps(dt, dur, 96.0, 1)?;
            let mut traces = Vec::new();
            for amp in [0.0, 2.5, 5.0, 10.0, 20.0] {
                let run = HhRun {
                    params,
                    integrator: neurons::integrators::Integrator::Rk4,
                    dt_ms: dt,
                    t_end_ms: dur,
                    state0: rest,
                    record_every: 1,
                };
                let Some(tr) = or_stopped(
                    simulate(&run, |t| check.input(if t >= 10.0 { amp } else { 0.0 })),
                    &check,
                )?
                else {
                    return Ok(None);
                };
                let (t, vv) = decimate(&tr.t_ms, &tr.v_mv, 1000);
                traces.push(Trace {
                    name: format!("{amp} uA/cm^2 step at 10 ms"),
                    t_ms: t,
                    values: vv,
                    spikes_ms: tr.spikes_ms.clone(),
                    criterion_holds: None,
                    criterion_detail: Some(format!("{} spikes", tr.spikes_ms.len())),
                });
            }
            SimulationOutput::Traces {
                traces,
                criteria_hold: 0,
                model_params: serde_json::to_value(params)?,
            }
        }
        "alif" => match alif_traces(p, &check)? {
            Some(o) => o,
            None => return Ok(None),
        },
        "coba" | "cuba" => {
            use neurons::circuits::brette2007::{
                BenchmarkKind, BrettParams, expected_spike_bytes, run_benchmark_window_until,
            };
            let mut params = BrettParams::of(BenchmarkKind::from_name(&p.model)?);
            if let Some(dt) = p.dt_ms {
                params.dt_ms = dt;
            }
            let duration = p.duration_ms.unwrap_or(1000.0);
            // only the raster's neurons are recorded, only in the raster's window; the ISI CV
            // is computed while running, so memory does not grow with the duration
            let raster_neurons = RASTER_NEURONS.min(params.n());
            // the step cap every model has: memory no longer bounds a long run (the raster is
            // windowed), so without it `--duration-ms 1e9` would run for days
            check_steps(params.dt_ms, duration, 0.0, 0)?;
            let raster_ms = p.raster_ms.unwrap_or(DEFAULT_RASTER_MS).min(duration);
            let bytes = expected_spike_bytes(&params, raster_ms, raster_neurons);
            super::check_memory("duration_ms", format!("{duration:e}"), bytes)?;
            let r = match run_benchmark_window_until(
                params,
                p.seed,
                duration,
                raster_neurons,
                raster_ms,
                stop,
            ) {
                Err(_) if stop() => return Ok(None),
                r => r?,
            };
            let trains = r.spikes.spike_trains(raster_neurons)?;
            let mut raster = Vec::new();
            for (i, tr) in trains.iter().enumerate() {
                raster.extend(tr.iter().map(|&t| (t, i)));
            }
            raster.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            SimulationOutput::Network(NetworkOutput {
                params: r.params,
                duration_ms: r.duration_ms,
                n_synapses: r.n_synapses,
                spikes: r.spike_count,
                mean_rate_exc_hz: r.mean_rate_exc_hz,
                mean_rate_inh_hz: r.mean_rate_inh_hz,
                mean_cv_isi: r.mean_cv_isi,
                raster,
                raster_neurons,
                raster_ms,
            })
        }
        "balanced-amplification" if stop() => return Ok(None),
        "balanced-amplification" => SimulationOutput::Balanced(
            neurons::circuits::balanced::BalancedAmplification::murphy_miller_2009().report()?,
        ),
        "macaque" => {
            use neurons::circuits::macaque::{FIGURE_AREAS, Gba, MacaqueModel, PulseProtocol};
            let gba = Gba::from_name(&p.gba)?;
            let model = MacaqueModel::for_gba(gba)?;
            let mut protocol = PulseProtocol::for_gba(gba);
            if let Some(dt) = p.dt_ms {
                let max_ms = 1000.0 * model.max_stable_dt();
                if dt > max_ms {
                    return Err(Error::invalid(
                        "dt_ms",
                        format!("{dt:e}"),
                        format!(
                            "beyond the stable range of forward Euler for the {} GBA model \
                             (dt_ms <= {max_ms:e})",
                            p.gba
                        ),
                    ));
                }
                protocol.dt = dt / 1000.0;
            }
            if let Some(d) = p.duration_ms {
                let min_ms = 1000.0 * protocol.t_measure;
                if d <= min_ms {
                    return Err(Error::invalid(
                        "duration_ms",
                        format!("{d:e}"),
                        format!(
                            "must exceed the start of the measurement window ({min_ms:e} ms) of \
                             the pulse protocol"
                        ),
                    ));
                }
                protocol.t_end = d / 1000.0;
            }
            // 58 populations' rates every `record_every` steps (29 areas' traces and the times)
            check_steps(
                1000.0 * protocol.dt,
                1000.0 * protocol.t_end,
                30.0 * 8.0 / protocol.record_every.max(1) as f64,
                1,
            )?;
            let Some(r) = model.simulate_pulse_until(&protocol, stop)? else {
                return Ok(None);
            };
            let times_ms: Vec<f64> = r.times.iter().map(|t| 1000.0 * t).collect();
            let traces = r
                .areas
                .iter()
                .zip(&r.traces)
                .filter(|(a, _)| FIGURE_AREAS.contains(&a.area.as_str()))
                .map(|(a, tr)| Trace {
                    name: a.area.clone(),
                    t_ms: times_ms.clone(),
                    values: tr.clone(),
                    spikes_ms: Vec::new(),
                    criterion_holds: None,
                    criterion_detail: None,
                })
                .collect();
            SimulationOutput::Macaque(MacaqueOutput {
                gba: p.gba.clone(),
                params: *model.params(),
                largest_real_eigenvalue: model.largest_real_eigenvalue()?,
                areas: r
                    .areas
                    .iter()
                    .map(|a| AreaOutput {
                        name: a.area.clone(),
                        hierarchy: a.hierarchy,
                        peak_hz: a.peak_hz,
                        peak_time_s: a.peak_time_s,
                    })
                    .collect(),
                propagation_ratio: r.propagation_ratio,
                blew_up: r.blew_up,
                protocol,
                traces,
            })
        }
        other => return Err(Error::unknown("model", other, MODELS)),
    };
    let wall_s = t0.elapsed().as_secs_f64();
    progress.finish();
    Ok(Some(SimulateResult {
        version: VERSION.to_string(),
        model: p.model.clone(),
        run: p.clone(),
        wall_s,
        output,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;
    use std::cell::Cell;

    const SINGLE_NEURON: &[&str] = &["lif-fi", "izhikevich", "adex", "hh", "alif"];

    /// The result's JSON without the wall-clock time.
    fn json(r: &SimulateResult) -> serde_json::Value {
        let mut v = serde_json::to_value(r).unwrap();
        v.as_object_mut().unwrap().remove("wall_s");
        v
    }

    #[test]
    fn single_neuron_models_poll_the_stop_check_and_stop_early() {
        for &model in SINGLE_NEURON {
            let mut p = SimulateParams::new(model);
            if model == "lif-fi" {
                // 31 currents of 10^4 steps
                p.duration_ms = Some(100.0);
            }
            // never stopped: polled, and the same numbers as `run`
            let polls = Cell::new(0u64);
            let never = || {
                polls.set(polls.get() + 1);
                false
            };
            let r = run_until(&p, &NoProgress, &never).unwrap().unwrap();
            assert_eq!(json(&r), json(&run(&p, &NoProgress).unwrap()), "{model}");
            assert!(polls.get() >= 2, "{model}: {} polls", polls.get());
            if model == "lif-fi" {
                // every STOP_POLL_STEPS steps of the 31 x 10^4: steps 0, 1024, ..., 309248
                assert_eq!(polls.get(), (31 * 10_000_u64).div_ceil(STOP_POLL_STEPS));
            }
            // stopped at the second poll: the run ends there, nothing is polled afterwards
            let calls = Cell::new(0u64);
            let second = || {
                calls.set(calls.get() + 1);
                calls.get() >= 2
            };
            assert!(
                run_until(&p, &NoProgress, &second).unwrap().is_none(),
                "{model}"
            );
            assert_eq!(calls.get(), 2, "{model}");
        }
    }

    #[test]
    fn lif_fi_is_the_neuron_crates_fi_curve() {
        let mut p = SimulateParams::new("lif-fi");
        p.duration_ms = Some(200.0);
        p.dt_ms = Some(0.05);
        let r = run(&p, &NoProgress).unwrap();
        let run = neurons::lif::LifRun {
            params: neurons::lif::LifParams::default(),
            dt_ms: 0.05,
            duration_ms: 200.0,
        };
        let currents: Vec<f64> = (0..=30).map(|k| 0.1 * k as f64).collect();
        let want = neurons::lif::fi_curve(&run, &currents).unwrap();
        match r.output {
            SimulationOutput::LifFi(got) => assert_eq!(got, want),
            other => panic!("not an f-I curve: {other:?}"),
        }
    }

    #[test]
    fn a_long_single_neuron_run_stops_within_the_poll_interval() {
        // 31 currents of 10^9 steps each (hours) with no trace: stopped at the third poll
        let mut p = SimulateParams::new("lif-fi");
        p.duration_ms = Some(1e7);
        let calls = Cell::new(0u64);
        let stop = || {
            calls.set(calls.get() + 1);
            calls.get() >= 3
        };
        let t = std::time::Instant::now();
        assert!(run_until(&p, &NoProgress, &stop).unwrap().is_none());
        assert_eq!(calls.get(), 3);
        assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
    }

    #[test]
    fn macaque_and_balanced_amplification_poll_the_stop_request() {
        // macaque: 1e7 Euler steps requested (tens of seconds), stopped at the second poll
        let mut p = SimulateParams::new("macaque");
        p.gba = "weak".into();
        p.duration_ms = Some(2e6);
        let calls = Cell::new(0u64);
        let stop = || {
            calls.set(calls.get() + 1);
            calls.get() >= 2
        };
        let t = std::time::Instant::now();
        assert!(run_until(&p, &NoProgress, &stop).unwrap().is_none());
        assert_eq!(calls.get(), 2);
        assert!(t.elapsed().as_secs_f64() < 5.0, "{:?}", t.elapsed());
        // the reference protocol, never stopped: the same numbers as `run`
        let p = SimulateParams::new("macaque");
        let full = run(&p, &NoProgress).unwrap();
        let same = run_until(&p, &NoProgress, &|| false).unwrap().unwrap();
        assert_eq!(json(&full), json(&same));
        // balanced amplification is polled once, before its analysis
        let p = SimulateParams::new("balanced-amplification");
        assert!(run_until(&p, &NoProgress, &|| true).unwrap().is_none());
        let full = run(&p, &NoProgress).unwrap();
        let same = run_until(&p, &NoProgress, &|| false).unwrap().unwrap();
        assert_eq!(json(&full), json(&same));
    }

    #[test]
    fn a_real_error_is_not_taken_for_a_stop() {
        // hh at dt = 1 ms diverges (RK4 unstable): an error, not `None`
        let mut p = SimulateParams::new("hh");
        p.dt_ms = Some(1.0);
        assert!(run_until(&p, &NoProgress, &|| false).is_err());
    }
}
