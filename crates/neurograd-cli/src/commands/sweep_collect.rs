//! `neurograd sweep collect DIR`: merges the verified result files of a results directory into
//! one table (mean ± sample std over seeds, grouped by the other flags), `collect.csv`,
//! `collect.json` and a figure; lists missing, failed and corrupt tasks.

use std::collections::BTreeMap;
use std::path::PathBuf;

use neurograd::{Error, Result};
use serde::Serialize;
use serde_json::Value;

use super::sweep::CollectArgs;
use super::sweep_plan::{self as sp, FlagValue, Manifest, Record};
use crate::Common;
use crate::plot::{Figure, Series};
use crate::table::Table;

/// The flag whose values are averaged over.
const SEED: &str = "seed";

/// The labelled rows of numbers one task's result contributes: `compare` one per algorithm,
/// `align` one per measured row, any other command one row of its top-level numbers.
fn rows_of(result: &Value) -> Vec<(String, BTreeMap<String, f64>)> {
    fn numbers(v: &Value) -> BTreeMap<String, f64> {
        v.as_object()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, x)| x.as_f64().map(|f| (k.clone(), f)))
                    .collect()
            })
            .unwrap_or_default()
    }
    let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    if let Some(rs) = result.get("results").and_then(Value::as_array) {
        return rs
            .iter()
            .map(|r| {
                (
                    text(r, "algorithm").unwrap_or_else(|| "-".into()),
                    numbers(r),
                )
            })
            .collect();
    }
    if let Some(rs) = result.get("rows").and_then(Value::as_array) {
        return rs
            .iter()
            .map(|r| {
                let mut label = text(r, "algorithm").unwrap_or_else(|| "-".into());
                if let (Some(p), Some(v)) = (text(r, "parameter"), r.get("value")) {
                    label = format!("{label} {p}={v}");
                }
                let mut n = numbers(r);
                n.remove("value");
                (label, n)
            })
            .collect();
    }
    let label = result
        .get("params")
        .and_then(|p| text(p, "algorithm"))
        .or_else(|| text(result, "model"))
        .unwrap_or_else(|| "-".into());
    vec![(label, numbers(result))]
}

/// Mean, sample standard deviation (divisor n - 1, `None` for one value), min and max.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// Number of values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub std: Option<f64>,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
}

/// [`Stats`] of non-empty `xs`, summed in the given order.
pub fn stats(xs: &[f64]) -> Stats {
    let n = xs.len();
    let mean = xs.iter().sum::<f64>() / n as f64;
    let std = (n > 1)
        .then(|| (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64).sqrt());
    Stats {
        n,
        mean,
        std,
        min: xs.iter().copied().fold(f64::INFINITY, f64::min),
        max: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    }
}

/// One row of the merged table: a label (algorithm) and the flags other than the seed.
#[derive(Debug, Clone, Serialize)]
struct Group {
    label: String,
    flags: BTreeMap<String, FlagValue>,
    seeds: Vec<String>,
    tasks: Vec<String>,
    metrics: BTreeMap<String, Stats>,
    /// Per metric, the values in seed order.
    values: BTreeMap<String, Vec<f64>>,
}

#[derive(Debug, Clone, Serialize)]
struct Problem {
    index: Option<usize>,
    id: String,
    flags: BTreeMap<String, FlagValue>,
    reason: String,
}

#[derive(Debug, Serialize)]
struct CollectReport {
    version: &'static str,
    results: PathBuf,
    command: String,
    swept: Vec<String>,
    metric: Option<String>,
    tasks: usize,
    ok: usize,
    failed: Vec<Problem>,
    missing: Vec<Problem>,
    corrupt: Vec<Problem>,
    groups: Vec<Group>,
}

/// Sort key of a flag value: numbers numerically, then text.
fn value_key(v: &FlagValue) -> (u8, f64, String) {
    match v.text().parse::<f64>() {
        Ok(x) if x.is_finite() => (0, x, String::new()),
        _ => (1, 0.0, v.text()),
    }
}

/// Runs `sweep collect`.
pub fn collect(common: &Common, a: &CollectArgs) -> Result<()> {
    let dir = &a.dir;
    let manifest = Manifest::load(dir)?.ok_or_else(|| {
        Error::invalid(
            "results directory",
            dir.display(),
            "has no manifest.json (not written by `sweep run` or `sweep slurm`)",
        )
    })?;
    let mut failed = Vec::new();
    let mut missing = Vec::new();
    let mut corrupt = Vec::new();
    let mut records: Vec<(usize, Record)> = Vec::new();
    for e in &manifest.tasks {
        let p = sp::record_path(dir, &e.task.id);
        let problem = |reason: String| Problem {
            index: Some(e.index),
            id: e.task.id.clone(),
            flags: e.task.flags.clone(),
            reason,
        };
        if !p.exists() {
            missing.push(problem("no result file".into()));
            continue;
        }
        match sp::read_record(&p) {
            Err(why) => {
                corrupt.push(problem(format!("{}: {why}", p.display())));
                missing.push(problem("result file refused (corrupt)".into()));
            }
            Ok(r) if r.status != "ok" => {
                failed.push(problem(r.error.clone().unwrap_or_else(|| "failed".into())));
            }
            Ok(r) => records.push((e.index, r)),
        }
    }
    // Result files of tasks the manifest does not know (another plan's results copied in).
    if let Ok(rd) = std::fs::read_dir(dir.join("tasks")) {
        let mut extra: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().to_string());
                name.is_some_and(|n| n.ends_with(".json") && !n.starts_with('.'))
                    && !manifest
                        .tasks
                        .iter()
                        .any(|t| sp::record_path(dir, &t.task.id) == *p)
            })
            .collect();
        extra.sort();
        for p in extra {
            corrupt.push(Problem {
                index: None,
                id: p
                    .file_stem()
                    .map_or(String::new(), |s| s.to_string_lossy().to_string()),
                flags: BTreeMap::new(),
                reason: format!("{}: not a task of the manifest; not merged", p.display()),
            });
        }
    }
    // Group by (label, flags without the seed), in manifest order of first appearance.
    let mut groups: Vec<Group> = Vec::new();
    for (_, r) in &records {
        let mut flags = r.flags.clone();
        let seed = flags.remove(SEED).map_or("-".into(), |s| s.text());
        for (label, nums) in rows_of(&r.result) {
            let g = match groups
                .iter_mut()
                .position(|g| g.label == label && g.flags == flags)
            {
                Some(i) => &mut groups[i],
                None => {
                    groups.push(Group {
                        label: label.clone(),
                        flags: flags.clone(),
                        seeds: Vec::new(),
                        tasks: Vec::new(),
                        metrics: BTreeMap::new(),
                        values: BTreeMap::new(),
                    });
                    groups.last_mut().expect("just pushed")
                }
            };
            g.seeds.push(seed.clone());
            g.tasks.push(r.id.clone());
            for (k, v) in nums {
                g.values.entry(k).or_default().push(v);
            }
        }
    }
    for g in &mut groups {
        g.metrics = g
            .values
            .iter()
            .map(|(k, xs)| (k.clone(), stats(xs)))
            .collect();
    }
    let metric = a.metric.clone().or_else(|| {
        let has = |m: &str| groups.iter().any(|g| g.metrics.contains_key(m));
        ["test_accuracy", "success_rate", "cosine"]
            .into_iter()
            .find(|m| has(m))
            .map(str::to_string)
            .or_else(|| {
                groups
                    .first()
                    .and_then(|g| g.metrics.keys().next().cloned())
            })
    });
    if let Some(m) = &a.metric
        && !groups.is_empty()
        && !groups.iter().any(|g| g.metrics.contains_key(m))
    {
        return Err(Error::invalid(
            "--metric",
            m,
            format!(
                "is not a number of the results; numbers: {}",
                groups[0]
                    .metrics
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let swept: Vec<String> = manifest
        .swept
        .iter()
        .filter(|k| *k != SEED)
        .cloned()
        .collect();
    let report = CollectReport {
        version: neurograd::VERSION,
        results: dir.clone(),
        command: manifest.command.clone(),
        swept: manifest.swept.clone(),
        metric: metric.clone(),
        tasks: manifest.tasks.len(),
        ok: records.len(),
        failed,
        missing,
        corrupt,
        groups,
    };
    let out = common.out.clone().unwrap_or_else(|| dir.clone());
    let mut files = vec![super::save_json(&out, "collect.json", &report)?];
    // CSV: the swept flags, the label, the seeds, then mean/std/min/max of every metric.
    let names: Vec<String> = {
        let mut s = std::collections::BTreeSet::new();
        for g in &report.groups {
            s.extend(g.metrics.keys().cloned());
        }
        s.into_iter().collect()
    };
    let mut header: Vec<String> = swept.clone();
    header.extend(["label".into(), "n".into(), "seeds".into()]);
    for m in &names {
        for s in ["mean", "std", "min", "max"] {
            header.push(format!("{m}_{s}"));
        }
    }
    let rows: Vec<Vec<String>> = report
        .groups
        .iter()
        .map(|g| {
            let mut row: Vec<String> = swept
                .iter()
                .map(|k| g.flags.get(k).map_or(String::new(), FlagValue::text))
                .collect();
            row.push(g.label.clone());
            row.push(g.seeds.len().to_string());
            row.push(g.seeds.join(" "));
            for m in &names {
                match g.metrics.get(m) {
                    Some(s) => row.extend([
                        format!("{}", s.mean),
                        s.std.map_or(String::new(), |x| format!("{x}")),
                        format!("{}", s.min),
                        format!("{}", s.max),
                    ]),
                    None => {
                        row.extend([String::new(), String::new(), String::new(), String::new()])
                    }
                }
            }
            row
        })
        .collect();
    let p = out.join("collect.csv");
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    neurograd::io::write_csv(&p, &hdr, &rows)?;
    files.push(p);
    if let Some(m) = &metric
        && !report.groups.is_empty()
    {
        files.extend(crate::plot::save(
            &figure(&report, m, &swept, a.x.as_deref())?,
            &out,
            "collect",
        )?);
    }
    super::report_files(common, &files);
    if common.json {
        super::print_json(&report)?;
    } else {
        super::print_out(&render(&report, metric.as_deref(), &swept))?;
    }
    let problems = report.failed.len() + report.missing.len() + report.corrupt.len();
    if a.strict && problems > 0 {
        return Err(Error::RunFailed {
            what: "sweep collect".into(),
            reason: format!(
                "{} missing, {} failed, {} corrupt (--strict)",
                report.missing.len(),
                report.failed.len(),
                report.corrupt.len()
            ),
        });
    }
    Ok(())
}

/// The metric against the swept x flag (numeric, at least two values), one line per label and
/// combination of the other swept flags; bars of the groups' means when there is no such flag.
fn figure(r: &CollectReport, metric: &str, swept: &[String], x: Option<&str>) -> Result<Figure> {
    let numeric_values = |k: &str| {
        let mut vs: Vec<f64> = r
            .groups
            .iter()
            .filter_map(|g| g.flags.get(k).and_then(|v| v.text().parse::<f64>().ok()))
            .collect();
        let all = r.groups.iter().all(|g| {
            g.flags
                .get(k)
                .is_some_and(|v| v.text().parse::<f64>().is_ok_and(f64::is_finite))
        });
        vs.sort_by(f64::total_cmp);
        vs.dedup();
        (all, vs.len())
    };
    let x = match x {
        Some(k) => {
            if !swept.iter().any(|s| s == k) || !numeric_values(k).0 {
                return Err(Error::invalid(
                    "--x",
                    k,
                    format!(
                        "must be a swept numeric flag other than seed; swept: {}",
                        swept.join(", ")
                    ),
                ));
            }
            Some(k.to_string())
        }
        None => swept
            .iter()
            .find(|k| {
                let (all, n) = numeric_values(k);
                all && n >= 2
            })
            .cloned(),
    };
    let title = format!("{metric} (mean over seeds)");
    let Some(x) = x else {
        return Ok(Figure::Bars {
            title,
            ylabel: metric.into(),
            bars: r
                .groups
                .iter()
                .filter_map(|g| {
                    let mut name = g.label.clone();
                    for k in swept {
                        if let Some(v) = g.flags.get(k) {
                            name.push_str(&format!(" {k}={}", v.text()));
                        }
                    }
                    g.metrics.get(metric).map(|s| (name, s.mean))
                })
                .collect(),
            log_y: false,
        });
    };
    let mut series: Vec<Series> = Vec::new();
    for g in &r.groups {
        let Some(s) = g.metrics.get(metric) else {
            continue;
        };
        let Some(xv) = g.flags.get(&x).and_then(|v| v.text().parse::<f64>().ok()) else {
            continue;
        };
        let mut name = g.label.clone();
        for k in swept.iter().filter(|k| **k != x) {
            if let Some(v) = g.flags.get(k) {
                name.push_str(&format!(" {k}={}", v.text()));
            }
        }
        match series.iter_mut().find(|s| s.name == name) {
            Some(se) => se.points.push((xv, s.mean)),
            None => series.push(Series {
                name,
                points: vec![(xv, s.mean)],
            }),
        }
    }
    for s in &mut series {
        s.points.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    Ok(Figure::Lines {
        title,
        xlabel: x,
        ylabel: metric.into(),
        series,
        log_y: false,
    })
}

fn render(r: &CollectReport, metric: Option<&str>, swept: &[String]) -> String {
    let mut head: Vec<&str> = swept.iter().map(String::as_str).collect();
    head.extend(["label", "seeds"]);
    let col = metric.map(|m| format!("{m} mean ± std (min..max)"));
    if let Some(c) = &col {
        head.push(c);
    }
    let mut t = Table::new(&head);
    let mut groups: Vec<&Group> = r.groups.iter().collect();
    groups.sort_by(|a, b| {
        let ka: Vec<_> = swept
            .iter()
            .map(|k| a.flags.get(k).map(value_key))
            .collect();
        let kb: Vec<_> = swept
            .iter()
            .map(|k| b.flags.get(k).map(value_key))
            .collect();
        ka.partial_cmp(&kb)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.label.cmp(&b.label))
    });
    for g in groups {
        let mut row: Vec<String> = swept
            .iter()
            .map(|k| g.flags.get(k).map_or(String::new(), FlagValue::text))
            .collect();
        row.push(g.label.clone());
        row.push(g.seeds.len().to_string());
        if let Some(m) = metric {
            row.push(g.metrics.get(m).map_or("-".into(), |s| match s.std {
                Some(sd) => format!("{:.4} ± {sd:.4} ({:.4}..{:.4})", s.mean, s.min, s.max),
                None => format!("{:.4}", s.mean),
            }));
        }
        t.row(row);
    }
    let mut s = format!(
        "{} of {} tasks merged from {} ({})\n{}",
        r.ok,
        r.tasks,
        r.results.display(),
        r.command,
        t.render()
    );
    if !s.ends_with('\n') {
        s.push('\n');
    }
    for (what, list) in [
        ("missing", &r.missing),
        ("failed", &r.failed),
        ("corrupt (not merged)", &r.corrupt),
    ] {
        if !list.is_empty() {
            s.push_str(&format!("{what}: {}\n", list.len()));
            for p in list {
                s.push_str(&format!(
                    "  {} {}: {}\n",
                    p.index.map_or("-".into(), |i| i.to_string()),
                    p.id,
                    p.reason
                ));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_are_the_sample_statistics() {
        let s = stats(&[1.0, 2.0, 4.0]);
        assert_eq!(s.n, 3);
        assert!((s.mean - 7.0 / 3.0).abs() < 1e-15);
        let var = ((1.0f64 - 7.0 / 3.0).powi(2)
            + (2.0f64 - 7.0 / 3.0).powi(2)
            + (4.0f64 - 7.0 / 3.0).powi(2))
            / 2.0;
        assert!((s.std.unwrap() - var.sqrt()).abs() < 1e-15);
        assert_eq!((s.min, s.max), (1.0, 4.0));
        assert_eq!(stats(&[0.5]).std, None);
    }

    #[test]
    fn rows_follow_the_result_shape() {
        let c = serde_json::json!({"results": [{"algorithm": "bp", "test_accuracy": 0.9, "status": "ok"}, {"algorithm": "fa", "test_accuracy": 0.8}]});
        let r = rows_of(&c);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].0, "fa");
        assert_eq!(r[1].1["test_accuracy"], 0.8);
        assert!(!r[0].1.contains_key("status"));
        let o = serde_json::json!({"params": {"algorithm": "cmaes"}, "success_rate": 1.0, "median_evaluations": 300});
        let r = rows_of(&o);
        assert_eq!(r[0].0, "cmaes");
        assert_eq!(r[0].1["median_evaluations"], 300.0);
    }
}
