//! The `--task` branches of `compare` and `align`: recurrent and spiking networks on sequence
//! tasks (the facade's `experiments::recurrent`).

use clap::Args;

use neurograd::experiments::recurrent::{
    self as exp, RecurrentAlignParams, RecurrentAlignResult, RecurrentCompareParams,
    RecurrentCompareResult, TaskSpec,
};

use crate::Common;
use crate::plot::{Figure, Series};
use crate::table::{Table, num};

/// The default algorithms of `compare --task`.
pub const DEFAULT_TASK_ALGORITHMS: &str = "bptt,eprop-sym,eprop-random";

/// Task options shared by `compare --task` and `align --task` (each requires `--task`).
#[derive(Debug, Args)]
pub struct TaskArgs {
    /// Network family of the task: spiking (LIF/ALIF, default) | rate (tanh RNN).
    #[arg(long, requires = "task", default_value = "spiking")]
    pub network: String,
    /// The scaled-down variant of the task (short trials, few units).
    #[arg(long, requires = "task")]
    pub small: bool,
    /// Evidence task only: all neurons LIF (beta = 0), the control that should not learn.
    #[arg(long, requires = "task")]
    pub lif_only: bool,
    /// Recurrent units (default: the task's).
    #[arg(long, requires = "task")]
    pub units: Option<usize>,
}

impl TaskArgs {
    /// The facade's task specification for `task`.
    pub fn spec(&self, task: &str) -> TaskSpec {
        TaskSpec {
            task: task.trim().to_string(),
            small: self.small,
            network: self.network.trim().to_string(),
            lif_only: self.lif_only,
            units: self.units,
        }
    }
}

/// Splits a comma-separated list.
fn list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `compare --task`: trains, writes run.json, the per-iteration CSV and the figures, prints the
/// table (or the JSON).
pub fn compare(common: &Common, params: RecurrentCompareParams) -> neurograd::Result<()> {
    let (dir, claimed) = super::output_dir(common)?;
    let bars = crate::progress::Bars::new(common.quiet);
    let res =
        exp::compare(&params, &bars).inspect_err(|_| super::release_if_empty(&dir, claimed))?;
    let files = write_compare_files(&res, &dir)?;
    super::report_files(common, &files);
    if common.json {
        return super::print_json(&res);
    }
    super::print_out(&render_compare(&res))
}

/// The algorithm list of `compare --task`: the given one, or [`DEFAULT_TASK_ALGORITHMS`] when
/// the feed-forward default was left in place.
pub fn task_algorithms(given: &str, feed_forward_default: &str) -> Vec<String> {
    if given == feed_forward_default {
        list(DEFAULT_TASK_ALGORITHMS)
    } else {
        list(given)
    }
}

/// The table of `compare --task`.
pub fn render_compare(res: &RecurrentCompareResult) -> String {
    let mut t = Table::new(&[
        "algorithm",
        "test acc",
        "final loss",
        "iterations",
        "wall (s)",
        "cos to bptt",
        "grad state (bytes)",
    ]);
    for r in &res.results {
        t.row(vec![
            r.algorithm.clone(),
            num(r.test_accuracy, 4),
            format!("{:.4}", r.final_loss),
            r.iterations.to_string(),
            format!("{:.2}", r.wall_s),
            num(r.mean_cosine_to_bptt, 3),
            r.peak_gradient_state_bytes.to_string(),
        ]);
    }
    let p = &res.params;
    format!(
        "task {}{} ({} network, {} units, {} steps), seed {}\n{}",
        p.task.task,
        if p.task.small { " (small)" } else { "" },
        p.task.network,
        res.units,
        res.n_steps,
        p.seed,
        t.render()
    )
}

fn write_compare_files(
    res: &RecurrentCompareResult,
    dir: &std::path::Path,
) -> neurograd::Result<Vec<std::path::PathBuf>> {
    let mut files = vec![super::save_json(dir, "run.json", res)?];
    let opt = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x}"));
    let rows: Vec<Vec<String>> = res
        .histories
        .iter()
        .flat_map(|h| {
            h.records.iter().map(|r| {
                vec![
                    h.algorithm.clone(),
                    r.iteration.to_string(),
                    format!("{}", r.loss),
                    opt(r.validation_error),
                    opt(r.cosine_to_reference),
                    r.gradient_state_bytes.to_string(),
                ]
            })
        })
        .collect();
    let p = dir.join("iterations.csv");
    neurograd::io::write_csv(
        &p,
        &[
            "algorithm",
            "iteration",
            "loss",
            "validation_error",
            "cosine_to_bptt",
            "gradient_state_bytes",
        ],
        &rows,
    )?;
    files.push(p);
    let lines = |title: &str,
                 ylabel: &str,
                 pick: &dyn Fn(
        &neurograd::plasticity::recurrent::train::IterationRecord,
    ) -> Option<f64>| {
        Figure::Lines {
            title: title.into(),
            xlabel: "iteration".into(),
            ylabel: ylabel.into(),
            series: res
                .histories
                .iter()
                .map(|h| Series {
                    name: h.algorithm.clone(),
                    points: h
                        .records
                        .iter()
                        .filter_map(|r| pick(r).map(|y| (r.iteration as f64, y)))
                        .collect(),
                })
                .collect(),
            log_y: false,
        }
    };
    let curves = Figure::Panels {
        columns: 2,
        panels: vec![
            lines("training loss", "loss", &|r| Some(r.loss)),
            lines("validation error", "error", &|r| r.validation_error),
        ],
    };
    files.extend(crate::plot::save(&curves, dir, "learning_curves")?);
    let cos = lines("cosine of the update to BPTT's", "cosine", &|r| {
        r.cosine_to_reference
    });
    files.extend(crate::plot::save(&cos, dir, "cosine_to_bptt")?);
    let dt = 1.0;
    let rasters: Vec<Figure> = res
        .histories
        .iter()
        .filter(|h| !h.raster.is_empty())
        .map(|h| Figure::Raster {
            title: format!("{}: trained network, one trial", h.algorithm),
            spikes: h.raster.iter().map(|&(t, j)| (t as f64 * dt, j)).collect(),
            n_neurons: res.units,
            t_max_ms: res.n_steps as f64 * dt,
        })
        .collect();
    if !rasters.is_empty() {
        files.extend(crate::plot::save(
            &Figure::Panels {
                columns: 1,
                panels: rasters,
            },
            dir,
            "raster",
        )?);
    }
    Ok(files)
}

/// `align --task`: gradients of the untrained network against BPTT's.
pub fn align(common: &Common, params: RecurrentAlignParams) -> neurograd::Result<()> {
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::align(&params, &bars)?;
    if let Some(dir) = &common.out {
        let files = vec![super::save_json(dir, "align.json", &res)?];
        super::report_files(common, &files);
    }
    if common.json {
        return super::print_json(&res);
    }
    super::print_out(&render_align(&res))
}

/// The table of `align --task`.
pub fn render_align(res: &RecurrentAlignResult) -> String {
    let mut t = Table::new(&["algorithm", "rel. error to bptt", "cosine to bptt"]);
    for r in &res.results {
        t.row(vec![
            r.algorithm.clone(),
            format!("{:.3e}", r.relative_error_to_bptt),
            format!("{:.4}", r.cosine_to_bptt),
        ]);
    }
    format!(
        "task {} ({} network, untrained), seed {}\n{}",
        res.params.task.task,
        res.params.task.network,
        res.params.seed,
        t.render()
    )
}

/// Parses an optional comma-separated list.
pub fn optional_list(s: &Option<String>) -> Option<Vec<String>> {
    s.as_deref().map(list)
}
