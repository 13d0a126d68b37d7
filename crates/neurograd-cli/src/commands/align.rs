//! `neurograd align`: alignment with the true gradient per algorithm and condition parameter.

use clap::Args;

use neurograd::experiments::align::{self as exp, AlignParams};

use crate::Common;
use crate::plot::{Figure, Series};
use crate::table::{Table, num};

/// Arguments of `align`.
#[derive(Debug, Args)]
pub struct AlignArgs {
    /// Feedback-alignment training steps on the linear teacher.
    #[arg(long, default_value_t = 2000)]
    pub fa_steps: usize,
    /// Sequence task (evidence | patterns | randman | spiking-digits): relative error and cosine
    /// of each recurrent algorithm's gradient to BPTT's on the task's untrained network (with
    /// eprop-sym-wrec0: W_rec zeroed) instead of the feed-forward sweep.
    #[arg(long, conflicts_with = "fa_steps")]
    pub task: Option<String>,
    /// Task options (require --task).
    #[command(flatten)]
    pub task_args: super::recurrent::TaskArgs,
    /// Comma-separated algorithms of a task (default: every registered one of the family, plus
    /// eprop-sym-wrec0 for spiking networks).
    #[arg(long, requires = "task")]
    pub algorithms: Option<String>,
    /// Trials in the batch of a task (default: the task's).
    #[arg(long, requires = "task")]
    pub batch: Option<usize>,
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &AlignArgs) -> neurograd::Result<()> {
    if let Some(task) = &a.task {
        let params = neurograd::experiments::recurrent::RecurrentAlignParams {
            task: a.task_args.spec(task),
            algorithms: super::recurrent::optional_list(&a.algorithms),
            batch_size: a.batch,
            seed: common.seed,
        };
        return super::recurrent::align(common, params);
    }
    let params = AlignParams {
        seed: common.seed,
        fa_steps: a.fa_steps,
    };
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&params, &bars)?;
    if let Some(dir) = &common.out {
        let mut files = vec![super::save_json(dir, "align.json", &res)?];
        let mut panels = Vec::new();
        let mut algos: Vec<&str> = res.rows.iter().map(|r| r.algorithm.as_str()).collect();
        algos.dedup();
        for al in algos {
            let rows: Vec<_> = res.rows.iter().filter(|r| r.algorithm == al).collect();
            let param = rows.first().map_or(String::new(), |r| r.parameter.clone());
            let has_err = rows.iter().all(|r| r.relative_error.is_some());
            panels.push(Figure::Lines {
                title: al.to_string(),
                xlabel: param,
                ylabel: if has_err {
                    "relative error".into()
                } else {
                    "angle (deg)".into()
                },
                series: vec![Series {
                    name: al.to_string(),
                    points: rows
                        .iter()
                        .filter_map(|r| {
                            if has_err {
                                r.relative_error
                            } else {
                                r.angle_deg
                            }
                            .map(|y| (r.value, y))
                        })
                        .collect(),
                }],
                log_y: has_err,
            });
        }
        files.extend(crate::plot::save(
            &Figure::Panels { columns: 3, panels },
            dir,
            "align",
        )?);
        super::report_files(common, &files);
    }
    if common.json {
        return super::print_json(&res);
    }
    let mut t = Table::new(&[
        "algorithm",
        "parameter",
        "value",
        "rel. error",
        "cosine",
        "angle (deg)",
    ]);
    for r in &res.rows {
        t.row(vec![
            r.algorithm.clone(),
            r.parameter.clone(),
            format!("{}", r.value),
            r.relative_error.map_or("-".into(), |e| format!("{e:.3e}")),
            num(r.cosine, 4),
            num(r.angle_deg, 2),
        ]);
    }
    super::print_out(&t.render())
}
