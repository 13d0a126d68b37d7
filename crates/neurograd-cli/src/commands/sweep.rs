//! `neurograd sweep {plan,run,slurm,collect}`: a grid of runs of one subcommand from a TOML plan
//! file, run locally (one task, a shard, or all with N worker processes) or as a Slurm job array,
//! one atomically written result file per task, resumable, merged by `collect`.
//!
//! Each task runs as a child process: the current executable with the task's arguments plus
//! `--json --quiet --out <results>/runs/<id>`. A process per task isolates the tasks (a panic, an
//! abort or memory exhaustion ends one task, which is recorded as failed, not the sweep; rayon's
//! global pool and the interrupt state are per process), gives `--jobs N` real parallel workers
//! without sharing a thread pool, and makes the recorded command line exactly what ran, so any
//! task can be re-run by hand.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Args, Subcommand};
use neurograd::{Error, Result};
use serde::Serialize;

use super::sweep_plan::{
    self as sp, Manifest, ManifestTask, Plan, RECORD_FORMAT, Record, TaskState,
};
use crate::Common;
use crate::table::Table;

/// Arguments of `sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The actions of `sweep`.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// List the plan's tasks (index, id, state, flags) with a cost estimate.
    Plan(PlanArgs),
    /// Run one task, a shard, or all tasks; finished tasks are skipped.
    Run(RunArgs),
    /// Write an sbatch script for a Slurm job array of the unfinished tasks; --submit submits it.
    Slurm(SlurmArgs),
    /// Merge the results of a results directory: table, CSV, JSON, figure; missing and failed
    /// tasks.
    Collect(CollectArgs),
}

/// Arguments of `sweep plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The plan file (TOML).
    pub file: PathBuf,
}

/// Arguments of `sweep run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The plan file (TOML).
    pub file: PathBuf,
    /// Run only the task with this array index (see `sweep plan`; `$SLURM_ARRAY_TASK_ID`).
    #[arg(long, conflicts_with_all = ["shard", "jobs"])]
    pub task: Option<usize>,
    /// Run only shard i of n (0-based): the tasks whose index is i modulo n.
    #[arg(long, value_name = "i/n")]
    pub shard: Option<String>,
    /// Worker processes running tasks at once (default 1).
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Also re-run tasks whose result records a failure (by default a failure is a result).
    #[arg(long)]
    pub retry_failed: bool,
}

/// Arguments of `sweep slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// The plan file (TOML).
    pub file: PathBuf,
    /// Submit the script with `sbatch` (default: only write it).
    #[arg(long)]
    pub submit: bool,
    /// Slurm partition (`#SBATCH --partition`).
    #[arg(long)]
    pub partition: Option<String>,
    /// Time limit per array task (`#SBATCH --time`, e.g. 02:00:00).
    #[arg(long)]
    pub time: Option<String>,
    /// CPUs per array task; each task runs with --threads equal to it.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: usize,
    /// At most this many array tasks at once (`--array=...%M`).
    #[arg(long)]
    pub max_parallel: Option<usize>,
    /// Memory per array task (`#SBATCH --mem`, e.g. 2G).
    #[arg(long)]
    pub mem: Option<String>,
    /// Include finished tasks in the array too (they exit at once, skipped).
    #[arg(long)]
    pub all: bool,
}

/// Arguments of `sweep collect`.
#[derive(Debug, Args)]
pub struct CollectArgs {
    /// The results directory (holds manifest.json and tasks/).
    pub dir: PathBuf,
    /// The metric of the table and the figure (default: test_accuracy if present, else
    /// success_rate, else the first numeric field).
    #[arg(long)]
    pub metric: Option<String>,
    /// The swept flag on the figure's x axis (default: the first swept numeric flag other than
    /// seed with at least two values).
    #[arg(long)]
    pub x: Option<String>,
    /// Exit with 1 if a task is missing, failed or corrupt.
    #[arg(long)]
    pub strict: bool,
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &SweepArgs) -> Result<()> {
    match &a.action {
        Action::Plan(p) => plan(common, p),
        Action::Run(r) => run_tasks(common, r),
        Action::Slurm(s) => slurm(common, s),
        Action::Collect(c) => super::sweep_collect::collect(common, c),
    }
}

/// The results directory: `--out`, else the plan's.
fn results_dir(common: &Common, plan: &Plan) -> PathBuf {
    common.out.clone().unwrap_or_else(|| plan.results.clone())
}

/// The plan's tasks with their array indices: from the results directory's manifest if it holds
/// them all, else as the manifest would be extended (written only when `write`).
fn indexed_tasks(plan: &Plan, dir: &Path, write: bool) -> Result<Vec<ManifestTask>> {
    let old = Manifest::load(dir)?;
    if let Some(m) = &old {
        if m.command != plan.command {
            return Err(Error::invalid(
                "results directory",
                dir.display(),
                format!(
                    "holds a sweep of `{}`, the plan sweeps `{}`; give another --out",
                    m.command, plan.command
                ),
            ));
        }
        let idx = m.indexed(plan);
        if idx.len() == plan.tasks().len() {
            return Ok(idx);
        }
    }
    let m = Manifest::extend(old, plan);
    if write {
        neurograd::io::write_json(&Manifest::path(dir), &m)?;
    }
    Ok(m.indexed(plan))
}

#[derive(Debug, Serialize)]
struct PlanRow {
    index: usize,
    id: String,
    state: String,
    flags: std::collections::BTreeMap<String, sp::FlagValue>,
    args: Vec<String>,
    cost_units: f64,
    estimated_s: Option<f64>,
}

#[derive(Debug, Serialize)]
struct PlanReport {
    version: &'static str,
    plan: PathBuf,
    command: String,
    results: PathBuf,
    swept: Vec<String>,
    tasks: Vec<PlanRow>,
    total_cost_units: f64,
    remaining_cost_units: f64,
    seconds_per_unit: Option<f64>,
    estimated_remaining_s: Option<f64>,
}

fn state_name(s: &TaskState) -> String {
    match s {
        TaskState::Missing => "todo".into(),
        TaskState::Corrupt(_) => "corrupt".into(),
        TaskState::Done(true) => "ok".into(),
        TaskState::Done(false) => "failed".into(),
    }
}

fn plan(common: &Common, a: &PlanArgs) -> Result<()> {
    let plan = Plan::load(&a.file)?;
    let dir = results_dir(common, &plan);
    let tasks = indexed_tasks(&plan, &dir, false)?;
    // Seconds per cost unit, measured on the finished tasks if any.
    let (mut units, mut secs) = (0.0, 0.0);
    let mut rows = Vec::new();
    for t in &tasks {
        let state = sp::task_state(&dir, &t.task.id);
        let cost = sp::cost_units(&t.task);
        if let TaskState::Done(true) = state
            && let Ok(r) = sp::read_record(&sp::record_path(&dir, &t.task.id))
        {
            units += cost;
            secs += r.wall_s;
        }
        rows.push(PlanRow {
            index: t.index,
            id: t.task.id.clone(),
            state: state_name(&state),
            flags: t.task.flags.clone(),
            args: t.task.args(),
            cost_units: cost,
            estimated_s: None,
        });
    }
    let rate = (units > 0.0).then(|| secs / units);
    for r in &mut rows {
        r.estimated_s = rate.map(|k| k * r.cost_units);
    }
    let remaining: f64 = rows
        .iter()
        .filter(|r| r.state != "ok" && r.state != "failed")
        .map(|r| r.cost_units)
        .fold(0.0, |a, b| a + b);
    let report = PlanReport {
        version: neurograd::VERSION,
        plan: plan.path.clone(),
        command: plan.command.clone(),
        results: dir,
        swept: plan.swept(),
        total_cost_units: rows.iter().map(|r| r.cost_units).sum(),
        remaining_cost_units: remaining,
        seconds_per_unit: rate,
        estimated_remaining_s: rate.map(|k| k * remaining),
        tasks: rows,
    };
    if common.json {
        return super::print_json(&report);
    }
    let mut head = vec!["index", "id", "state", "cost", "est (s)"];
    let swept = plan.swept();
    head.extend(swept.iter().map(String::as_str));
    let mut t = Table::new(&head);
    for r in &report.tasks {
        let mut row = vec![
            r.index.to_string(),
            r.id.clone(),
            r.state.clone(),
            format!("{:.3e}", r.cost_units),
            r.estimated_s.map_or("-".into(), |s| format!("{s:.1}")),
        ];
        row.extend(
            swept
                .iter()
                .map(|k| r.flags.get(k).map_or(String::new(), sp::FlagValue::text)),
        );
        t.row(row);
    }
    let est = match report.estimated_remaining_s {
        Some(s) => format!(
            ", about {s:.0} s of one worker at the finished tasks' {:.3e} s per unit",
            report.seconds_per_unit.unwrap_or(0.0)
        ),
        None => " (no finished task to calibrate seconds per unit yet)".into(),
    };
    super::print_out(&format!(
        "{} tasks of `{}` from {}, results in {}\ncost units: {} (compare: sample-epochs x algorithms x seeds; optimize: evaluations x seeds); remaining {:.3e}{est}\n{}\n",
        report.tasks.len(),
        report.command,
        report.plan.display(),
        report.results.display(),
        report.total_cost_units,
        report.remaining_cost_units,
        t.render().trim_end()
    ))
}

/// What happened to one task in this `sweep run`.
#[derive(Debug, Clone, Serialize)]
struct Outcome {
    index: usize,
    id: String,
    /// `ok`, `failed`, `skipped (ok)`, `skipped (failed)`, `interrupted`.
    status: String,
    wall_s: Option<f64>,
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct RunReport {
    version: &'static str,
    plan: PathBuf,
    results: PathBuf,
    tasks: Vec<Outcome>,
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .or_else(|_| std::env::var("HOSTNAME"))
        .unwrap_or_default()
}

/// Runs one task as a child process and writes its result file (unless it was interrupted).
fn run_one(exe: &Path, dir: &Path, t: &ManifestTask, threads: Option<usize>) -> Result<Outcome> {
    let out_dir = dir.join("runs").join(&t.task.id);
    let mut args = t.task.args();
    // A feed-forward `compare` stopped by a signal left a checkpoint: continue it (the result
    // equals an uninterrupted run's but for wall times, docs/reliability.md).
    let resume = t.task.command == "compare"
        && !t.task.flags.contains_key("task")
        && out_dir
            .join(neurograd::interrupt::COMPARE_STATE_FILE)
            .is_file();
    args.extend(["--json".into(), "--quiet".into()]);
    args.push(if resume { "--resume" } else { "--out" }.into());
    args.push(out_dir.display().to_string());
    if let Some(n) = threads {
        args.extend(["--threads".into(), n.to_string()]);
    }
    let mut argv = vec![exe.display().to_string()];
    argv.extend(args.iter().cloned());
    let start = std::time::Instant::now();
    let output = std::process::Command::new(exe)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|source| Error::Io {
            path: exe.to_path_buf(),
            source,
        })?;
    let wall_s = start.elapsed().as_secs_f64();
    let code = output.status.code();
    let outcome = |status: &str, error: Option<String>| Outcome {
        index: t.index,
        id: t.task.id.clone(),
        status: status.into(),
        wall_s: Some(wall_s),
        error,
    };
    // Stopped by a signal (scancel, Ctrl-C, the OOM killer): no result, the task stays to do.
    if code.is_none() || code == Some(neurograd::interrupt::EXIT_CODE) {
        return Ok(outcome("interrupted", None));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let result: serde_json::Value =
        serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    let ok = code == Some(0) && !result.is_null();
    let error = (!ok).then(|| {
        stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map_or_else(
                || format!("exit code {code:?}, no JSON on stdout"),
                |l| l.trim().trim_start_matches("error: ").to_string(),
            )
    });
    let record = Record {
        format: RECORD_FORMAT.into(),
        id: t.task.id.clone(),
        command: t.task.command.clone(),
        flags: t.task.flags.clone(),
        argv,
        version: neurograd::VERSION.into(),
        status: if ok { "ok" } else { "failed" }.into(),
        exit_code: code,
        error: error.clone(),
        wall_s,
        host: hostname(),
        result,
    };
    neurograd::io::write_atomic(
        &sp::record_path(dir, &t.task.id),
        sp::record_text(&record)?.as_bytes(),
    )?;
    Ok(outcome(&record.status, error))
}

fn run_tasks(common: &Common, a: &RunArgs) -> Result<()> {
    if a.jobs == 0 {
        return Err(Error::invalid("--jobs", 0, "must be at least 1"));
    }
    let plan = Plan::load(&a.file)?;
    let dir = results_dir(common, &plan);
    // The manifest is written only when the plan has tasks it lacks; concurrent array tasks of
    // one plan write the same content (old entries kept, new ones appended in expansion order),
    // each atomically, so no index changes under a running array.
    let tasks = indexed_tasks(&plan, &dir, true)?;
    let selected: Vec<ManifestTask> = match (a.task, &a.shard) {
        (Some(k), _) => {
            let t = tasks.iter().find(|t| t.index == k).ok_or_else(|| {
                Error::invalid(
                    "--task",
                    k,
                    format!(
                        "no task of the plan has this index (indices: {}; see `sweep plan`)",
                        compress(&tasks.iter().map(|t| t.index).collect::<Vec<_>>())
                    ),
                )
            })?;
            vec![t.clone()]
        }
        (None, Some(s)) => {
            let shard = sp::parse_shard(s)?;
            tasks
                .into_iter()
                .filter(|t| sp::in_shard(t.index, shard))
                .collect()
        }
        (None, None) => tasks,
    };
    let exe = std::env::current_exe().map_err(|source| Error::Io {
        path: "<current executable>".into(),
        source,
    })?;
    // With several workers and no --threads, one thread each (results do not depend on it).
    let threads = common.threads.or((a.jobs > 1).then_some(1));
    let mut outcomes: Vec<Option<Outcome>> = vec![None; selected.len()];
    let mut todo = Vec::new();
    for (i, t) in selected.iter().enumerate() {
        match sp::task_state(&dir, &t.task.id) {
            TaskState::Done(ok) if ok || !a.retry_failed => {
                outcomes[i] = Some(Outcome {
                    index: t.index,
                    id: t.task.id.clone(),
                    status: if ok {
                        "skipped (ok)"
                    } else {
                        "skipped (failed)"
                    }
                    .into(),
                    wall_s: None,
                    error: None,
                });
            }
            TaskState::Corrupt(why) => {
                if !common.quiet {
                    eprintln!(
                        "task {} ({}): result file refused ({why}); running it again",
                        t.index, t.task.id
                    );
                }
                todo.push(i);
            }
            _ => todo.push(i),
        }
    }
    let total = todo.len();
    // Signals now only stop new tasks from starting; running children get the terminal's or
    // Slurm's signal themselves and stop (a second signal ends the sweep at once).
    let _cooperation = neurograd::interrupt::cooperate();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let first_err: Mutex<Option<Error>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..a.jobs.min(total.max(1)) {
            s.spawn(|| {
                loop {
                    if neurograd::interrupt::requested()
                        || first_err.lock().map(|e| e.is_some()).unwrap_or(true)
                    {
                        break;
                    }
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&i) = todo.get(k) else { break };
                    let t = &selected[i];
                    match run_one(&exe, &dir, t, threads) {
                        Ok(o) => {
                            let n = done.fetch_add(1, Ordering::SeqCst) + 1;
                            if !common.quiet {
                                eprintln!(
                                    "[{n}/{total}] task {} ({}) {}{}{}",
                                    t.index,
                                    t.task.id,
                                    o.status,
                                    o.wall_s.map_or(String::new(), |w| format!(" in {w:.1} s")),
                                    o.error.as_ref().map_or(String::new(), |e| format!(": {e}"))
                                );
                            }
                            if let Ok(mut r) = results.lock() {
                                r.push((i, o));
                            }
                        }
                        Err(e) => {
                            if let Ok(mut f) = first_err.lock() {
                                f.get_or_insert(e);
                            }
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_err.into_inner().ok().flatten() {
        return Err(e);
    }
    for (i, o) in results.into_inner().unwrap_or_default() {
        outcomes[i] = Some(o);
    }
    let interrupted = neurograd::interrupt::requested()
        || outcomes
            .iter()
            .any(|o| o.as_ref().is_some_and(|o| o.status == "interrupted"));
    let outcomes: Vec<Outcome> = outcomes.into_iter().flatten().collect();
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status == "failed" || o.status == "skipped (failed)")
        .collect();
    let report = RunReport {
        version: neurograd::VERSION,
        plan: plan.path.clone(),
        results: dir.clone(),
        tasks: outcomes.clone(),
    };
    if !interrupted {
        if common.json {
            super::print_json(&report)?;
        } else {
            let mut t = Table::new(&["index", "id", "status", "wall (s)", "error"]);
            for o in &outcomes {
                t.row(vec![
                    o.index.to_string(),
                    o.id.clone(),
                    o.status.clone(),
                    o.wall_s.map_or("-".into(), |w| format!("{w:.2}")),
                    o.error.clone().unwrap_or_default(),
                ]);
            }
            super::print_out(&format!(
                "results in {}\n{}\n",
                dir.display(),
                t.render().trim_end()
            ))?;
        }
    }
    if interrupted {
        let mut cmd: Vec<String> = std::env::args().collect();
        if cmd.is_empty() {
            cmd.push("neurograd".into());
        }
        return Err(Error::Interrupted {
            dir,
            resume: cmd.join(" "),
        });
    }
    if !failed.is_empty() {
        return Err(Error::RunFailed {
            what: "sweep run".into(),
            reason: format!(
                "{} of {} tasks failed (indices {}); their errors are in the result files (--retry-failed runs them again)",
                failed.len(),
                outcomes.len(),
                failed
                    .iter()
                    .map(|o| o.index.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(())
}

/// Slurm's array syntax for sorted indices: runs of consecutive ones as `a-b`, e.g. `0-3,7,9-10`.
pub fn compress(indices: &[usize]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < indices.len() {
        let mut j = i;
        while j + 1 < indices.len() && indices[j + 1] == indices[j] + 1 {
            j += 1;
        }
        parts.push(if j == i {
            indices[i].to_string()
        } else {
            format!("{}-{}", indices[i], indices[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

/// Quotes for a POSIX shell where needed.
fn sh_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:,=+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// A Slurm job name from the plan's file stem: `neurograd-` and the stem with every character
/// outside `[A-Za-z0-9_.-]` replaced by `_` (a name is a label; this keeps `#SBATCH` parsing trivial).
fn job_name(stem: &str) -> String {
    let clean: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("neurograd-{clean}")
}

/// The opening of a double-quoted `#SBATCH --output` value naming a file in `dir`: `"`, the
/// directory with `\` and `"` escaped by a backslash (sbatch's directive parser) and `%` doubled
/// (Slurm's filename patterns read `%%` as `%`), and a trailing `/`. The caller appends the
/// pattern (`%A_%a.out`) and the closing quote. Paths with spaces, quotes or `%` survive.
fn sbatch_path_prefix(dir: &Path) -> String {
    let mut s = String::from("\"");
    for c in dir.display().to_string().chars() {
        match c {
            '\\' | '"' => {
                s.push('\\');
                s.push(c);
            }
            '%' => s.push_str("%%"),
            _ => s.push(c),
        }
    }
    if !s.ends_with('/') {
        s.push('/');
    }
    s
}

fn absolute(p: &Path) -> Result<PathBuf> {
    std::path::absolute(p).map_err(|source| Error::Io {
        path: p.to_path_buf(),
        source,
    })
}

#[derive(Debug, Serialize)]
struct SlurmReport {
    version: &'static str,
    script: PathBuf,
    results: PathBuf,
    array: Option<String>,
    tasks: usize,
    submitted: bool,
    job_id: Option<String>,
}

fn slurm(common: &Common, a: &SlurmArgs) -> Result<()> {
    if a.cpus_per_task == 0 {
        return Err(Error::invalid("--cpus-per-task", 0, "must be at least 1"));
    }
    if a.max_parallel == Some(0) {
        return Err(Error::invalid("--max-parallel", 0, "must be at least 1"));
    }
    for (name, v) in [
        ("--partition", &a.partition),
        ("--time", &a.time),
        ("--mem", &a.mem),
    ] {
        if let Some(v) = v
            && (v.is_empty() || v.chars().any(|c| c.is_whitespace() || c == '\''))
        {
            return Err(Error::invalid(name, v, "must be one word"));
        }
    }
    let plan = Plan::load(&a.file)?;
    let dir = absolute(&results_dir(common, &plan))?;
    let tasks = indexed_tasks(&plan, &dir, true)?;
    let mut indices: Vec<usize> = tasks
        .iter()
        .filter(|t| a.all || !matches!(sp::task_state(&dir, &t.task.id), TaskState::Done(_)))
        .map(|t| t.index)
        .collect();
    indices.sort_unstable();
    let exe = absolute(&std::env::current_exe().map_err(|source| Error::Io {
        path: "<current executable>".into(),
        source,
    })?)?;
    let plan_file = absolute(&plan.path)?;
    let stem = plan_file
        .file_stem()
        .map_or("sweep".into(), |s| s.to_string_lossy().to_string());
    let array = (!indices.is_empty()).then(|| {
        format!(
            "{}{}",
            compress(&indices),
            a.max_parallel.map_or(String::new(), |m| format!("%{m}"))
        )
    });
    let logs = dir.join("slurm");
    let mut s = String::from("#!/bin/bash\n");
    s.push_str(&format!(
        "# neurograd {} sweep of `{}`: {} of {} tasks (written by `neurograd sweep slurm`)\n",
        neurograd::VERSION,
        plan.command,
        indices.len(),
        tasks.len()
    ));
    s.push_str(&format!("#SBATCH --job-name={}\n", job_name(&stem)));
    if let Some(arr) = &array {
        s.push_str(&format!("#SBATCH --array={arr}\n"));
    }
    s.push_str(&format!("#SBATCH --cpus-per-task={}\n", a.cpus_per_task));
    s.push_str("#SBATCH --ntasks=1\n");
    if let Some(p) = &a.partition {
        s.push_str(&format!("#SBATCH --partition={p}\n"));
    }
    if let Some(t) = &a.time {
        s.push_str(&format!("#SBATCH --time={t}\n"));
    }
    if let Some(m) = &a.mem {
        s.push_str(&format!("#SBATCH --mem={m}\n"));
    }
    s.push_str(&format!(
        "#SBATCH --output={}%A_%a.out\"\n",
        sbatch_path_prefix(&logs)
    ));
    s.push_str("set -eu\n");
    s.push_str(&format!(
        "exec {} sweep run {} --out {} --task \"$SLURM_ARRAY_TASK_ID\" --threads \"${{SLURM_CPUS_PER_TASK:-{}}}\" --quiet\n",
        sh_quote(&exe.display().to_string()),
        sh_quote(&plan_file.display().to_string()),
        sh_quote(&dir.display().to_string()),
        a.cpus_per_task
    ));
    let script = dir.join(format!("{stem}.sbatch"));
    neurograd::io::write_atomic(&script, s.as_bytes())?;
    std::fs::create_dir_all(&logs).map_err(|source| Error::Io {
        path: logs.clone(),
        source,
    })?;
    let mut job_id = None;
    if a.submit && array.is_some() {
        let out = std::process::Command::new("sbatch")
            .arg("--parsable")
            .arg(&script)
            .output()
            .map_err(|source| Error::Io {
                path: "sbatch".into(),
                source,
            })?;
        if !out.status.success() {
            return Err(Error::RunFailed {
                what: "sbatch".into(),
                reason: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
        job_id = Some(id.split(';').next().unwrap_or("").to_string());
    }
    let report = SlurmReport {
        version: neurograd::VERSION,
        script: script.clone(),
        results: dir.clone(),
        array: array.clone(),
        tasks: indices.len(),
        submitted: job_id.is_some(),
        job_id: job_id.clone(),
    };
    if common.json {
        return super::print_json(&report);
    }
    let what = match (&array, &job_id) {
        (None, _) => "every task is finished; nothing to submit".to_string(),
        (Some(arr), Some(id)) => format!("submitted job {id}, array {arr}"),
        (Some(arr), None) => format!("array {arr}; submit with: sbatch {}", script.display()),
    };
    super::print_out(&format!(
        "wrote {}\nresults in {}\n{what}\n",
        script.display(),
        dir.display()
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn array_ranges_are_compressed() {
        assert_eq!(super::compress(&[0, 1, 2, 3]), "0-3");
        assert_eq!(super::compress(&[0, 2, 3, 4, 7, 9, 10]), "0,2-4,7,9-10");
        assert_eq!(super::compress(&[5]), "5");
        assert_eq!(super::compress(&[]), "");
    }

    #[test]
    fn sbatch_output_paths_keep_spaces_quotes_and_percent() {
        let p = std::path::Path::new("/tmp/my results/a\"b%c");
        assert_eq!(
            format!("{}%A_%a.out\"", super::sbatch_path_prefix(p)),
            "\"/tmp/my results/a\\\"b%%c/%A_%a.out\""
        );
        assert_eq!(super::job_name("my plan (v2)"), "neurograd-my_plan__v2_");
    }
}
