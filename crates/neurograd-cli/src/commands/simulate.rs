//! `neurograd simulate <model>`.

use clap::Args;

use neurograd::experiments::simulate::{self as exp, SimulateParams, SimulationOutput};

use crate::Common;
use crate::plot::{Figure, Series};
use crate::table::Table;

/// Arguments of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Model: lif-fi, izhikevich, adex, hh, alif, coba, cuba, balanced-amplification, macaque.
    pub model: String,
    /// Global balanced amplification regime of the macaque model: weak or strong (default
    /// strong; refused for the other models).
    #[arg(long)]
    pub gba: Option<String>,
    /// Simulated duration in ms (default: the model's reference protocol).
    #[arg(long)]
    pub duration_ms: Option<f64>,
    /// Integration step in ms (default: the model's).
    #[arg(long)]
    pub dt_ms: Option<f64>,
    /// coba/cuba: the raster covers the first RASTER_MS ms of the run (default 1000; 0: no
    /// raster). Only these spikes are kept, so memory does not grow with --duration-ms; refused
    /// for the other models.
    #[arg(long)]
    pub raster_ms: Option<f64>,
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &SimulateArgs) -> neurograd::Result<()> {
    if let Some(g) = &a.gba
        && a.model != "macaque"
    {
        return Err(neurograd::Error::invalid(
            "gba",
            g,
            format!("only the macaque model takes --gba, not {}", a.model),
        ));
    }
    let params = SimulateParams {
        model: a.model.clone(),
        seed: common.seed,
        duration_ms: a.duration_ms,
        dt_ms: a.dt_ms,
        gba: a.gba.clone().unwrap_or_else(|| "strong".into()),
        raster_ms: a.raster_ms,
    };
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&params, &bars)?;
    if let Some(dir) = &common.out {
        let stem = format!("simulate-{}", res.model);
        let mut files = vec![super::save_json(dir, &format!("{stem}.json"), &res)?];
        for (i, fig) in figures(&res.output).iter().enumerate() {
            let name = if i == 0 {
                stem.clone()
            } else {
                format!("{stem}-{i}")
            };
            files.extend(crate::plot::save(fig, dir, &name)?);
        }
        super::report_files(common, &files);
    }
    if common.json {
        return super::print_json(&res);
    }
    super::print_out(&format!(
        "{}model {} simulated in {:.3} s\n",
        render(&res.output),
        res.model,
        res.wall_s
    ))
}

fn trace_panels(
    traces: &[neurograd::experiments::simulate::Trace],
    ylabel: &str,
    columns: usize,
) -> Figure {
    Figure::Panels {
        columns,
        panels: traces
            .iter()
            .map(|t| Figure::Lines {
                title: t.name.clone(),
                xlabel: "time (ms)".into(),
                ylabel: ylabel.into(),
                series: vec![Series {
                    name: t.name.clone(),
                    points: t
                        .t_ms
                        .iter()
                        .copied()
                        .zip(t.values.iter().copied())
                        .collect(),
                }],
                log_y: false,
            })
            .collect(),
    }
}

fn figures(out: &SimulationOutput) -> Vec<Figure> {
    match out {
        SimulationOutput::LifFi(r) => vec![Figure::Lines {
            title: "LIF f-I curve".into(),
            xlabel: "current (nA)".into(),
            ylabel: "rate (Hz)".into(),
            series: vec![
                Series {
                    name: "simulated".into(),
                    points: r.points.iter().map(|p| (p.current_na, p.rate_hz)).collect(),
                },
                Series {
                    name: "analytic".into(),
                    points: r
                        .points
                        .iter()
                        .map(|p| (p.current_na, p.analytic_hz))
                        .collect(),
                },
            ],
            log_y: false,
        }],
        SimulationOutput::Traces { traces, .. } => vec![trace_panels(traces, "V (mV)", 4)],
        SimulationOutput::Network(n) => vec![Figure::Raster {
            title: format!(
                "raster, first {} neurons, first {} ms",
                n.raster_neurons, n.raster_ms
            ),
            spikes: n.raster.clone(),
            n_neurons: n.raster_neurons,
            t_max_ms: n.raster_ms,
        }],
        SimulationOutput::Balanced(b) => vec![Figure::Lines {
            title: "balanced amplification: transient".into(),
            xlabel: "time (s)".into(),
            ylabel: "rate".into(),
            series: vec![
                Series {
                    name: "r_E".into(),
                    points: b
                        .transient
                        .times
                        .iter()
                        .copied()
                        .zip(b.transient.r_e.iter().copied())
                        .collect(),
                },
                Series {
                    name: "r_I".into(),
                    points: b
                        .transient
                        .times
                        .iter()
                        .copied()
                        .zip(b.transient.r_i.iter().copied())
                        .collect(),
                },
                Series {
                    name: "|r|".into(),
                    points: b
                        .transient
                        .times
                        .iter()
                        .copied()
                        .zip(b.transient.norm.iter().copied())
                        .collect(),
                },
            ],
            log_y: false,
        }],
        SimulationOutput::Macaque(m) => vec![
            Figure::Bars {
                title: format!("peak rate rise per area ({} GBA)", m.gba),
                ylabel: "peak (Hz)".into(),
                bars: m
                    .areas
                    .iter()
                    .map(|a| (a.name.clone(), a.peak_hz))
                    .collect(),
                log_y: true,
            },
            Figure::Lines {
                title: format!("rate rise over baseline ({} GBA)", m.gba),
                xlabel: "time (ms)".into(),
                ylabel: "rate rise (Hz)".into(),
                series: m
                    .traces
                    .iter()
                    .map(|t| Series {
                        name: t.name.clone(),
                        points: t
                            .t_ms
                            .iter()
                            .copied()
                            .zip(t.values.iter().copied())
                            .collect(),
                    })
                    .collect(),
                log_y: false,
            },
        ],
    }
}

fn render(out: &SimulationOutput) -> String {
    match out {
        SimulationOutput::LifFi(r) => {
            let mut t = Table::new(&["current (nA)", "rate (Hz)", "analytic (Hz)", "spikes"]);
            for p in &r.points {
                t.row(vec![
                    format!("{:.2}", p.current_na),
                    format!("{:.2}", p.rate_hz),
                    format!("{:.2}", p.analytic_hz),
                    p.n_spikes.to_string(),
                ]);
            }
            format!("{}rheobase {:.3} nA\n", t.render(), r.rheobase_na)
        }
        SimulationOutput::Traces {
            traces,
            criteria_hold,
            ..
        } => {
            let mut t = Table::new(&["trace", "spikes", "criterion", "detail"]);
            for tr in traces {
                t.row(vec![
                    tr.name.clone(),
                    tr.spikes_ms.len().to_string(),
                    tr.criterion_holds.map_or("-".into(), |h| {
                        if h { "holds".into() } else { "FAILS".into() }
                    }),
                    tr.criterion_detail.clone().unwrap_or_default(),
                ]);
            }
            let with = traces
                .iter()
                .filter(|t| t.criterion_holds.is_some())
                .count();
            if with > 0 {
                format!("{}criteria hold: {criteria_hold}/{with}\n", t.render())
            } else {
                t.render()
            }
        }
        SimulationOutput::Network(n) => {
            let mut t = Table::new(&["quantity", "value"]);
            t.row(vec!["neurons".into(), n.params.n().to_string()]);
            t.row(vec!["synapses".into(), n.n_synapses.to_string()]);
            t.row(vec!["simulated (ms)".into(), format!("{}", n.duration_ms)]);
            t.row(vec!["spikes".into(), n.spikes.to_string()]);
            t.row(vec![
                "mean rate exc (Hz)".into(),
                format!("{:.3}", n.mean_rate_exc_hz),
            ]);
            t.row(vec![
                "mean rate inh (Hz)".into(),
                format!("{:.3}", n.mean_rate_inh_hz),
            ]);
            t.row(vec!["mean ISI CV".into(), format!("{:.3}", n.mean_cv_isi)]);
            t.render()
        }
        SimulationOutput::Balanced(b) => {
            let mut t = Table::new(&["quantity", "value"]);
            t.row(vec!["w_FF = w (1 + k_I)".into(), format!("{:.4}", b.w_ff)]);
            t.row(vec!["w_+ = w (k_I - 1)".into(), format!("{:.4}", b.w_plus)]);
            t.row(vec![
                "eigenvalues (closed form)".into(),
                format!(
                    "{:.4}, {:.4}",
                    b.eigenvalues_closed[0], b.eigenvalues_closed[1]
                ),
            ]);
            t.row(vec![
                "Henrici departure (closed / numeric)".into(),
                format!("{:.4} / {:.4}", b.henrici_closed, b.henrici_numeric),
            ]);
            t.row(vec![
                "transient peak |r| (Schur closed form)".into(),
                format!("{:.4}", b.peak_norm_closed),
            ]);
            t.row(vec![
                "transient peak |r| (simulated)".into(),
                format!("{:.4}", b.peak_norm_simulated),
            ]);
            t.row(vec![
                "transient peak |r| (normal control)".into(),
                format!("{:.4}", b.peak_norm_normal_control),
            ]);
            t.render()
        }
        SimulationOutput::Macaque(m) => {
            let mut t = Table::new(&["area", "hierarchy", "peak (Hz)", "peak time (s)"]);
            for a in &m.areas {
                t.row(vec![
                    a.name.clone(),
                    format!("{:.3}", a.hierarchy),
                    format!("{:.4e}", a.peak_hz),
                    format!("{:.3}", a.peak_time_s),
                ]);
            }
            format!(
                "{}{} GBA: 24c/V1 peak ratio {:.3e}, largest real eigenvalue {:.4} 1/s{}\n",
                t.render(),
                m.gba,
                m.propagation_ratio,
                m.largest_real_eigenvalue,
                if m.blew_up { " (rates blew up)" } else { "" }
            )
        }
    }
}
