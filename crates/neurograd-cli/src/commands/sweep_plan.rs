//! Sweep plans: the TOML plan file, its expansion into tasks with stable ids, the manifest that
//! pins each task's array index, shards, and the result file of one task (written atomically,
//! with a digest so that a corrupt or partial file is detected and never merged).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use neurograd::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The subcommands a plan may sweep (each prints one JSON document with `--json`).
pub const COMMANDS: &[&str] = &[
    "compare", "optimize", "simulate", "align", "claims", "features", "v1",
];

/// Flags the sweep sets itself for every task (and so refuses in a plan).
const RESERVED: &[&str] = &[
    "out", "json", "quiet", "threads", "resume", "help", "version",
];

/// The key of a plan that stands for the subcommand's positional argument (`optimize <algorithm>`,
/// `simulate <model>`).
pub const POSITIONAL: &str = "positional";

/// The `format` of a task's result file.
pub const RECORD_FORMAT: &str = "neurograd-sweep-task/1";
/// The `format` of a results directory's manifest.
pub const MANIFEST_FORMAT: &str = "neurograd-sweep-manifest/1";

/// One flag value: text (numbers are kept in their canonical text form) or a switch.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FlagValue {
    /// A switch: `true` passes `--flag`, `false` leaves it out.
    Switch(bool),
    /// Any other value, as passed on the command line.
    Text(String),
}

impl FlagValue {
    /// The canonical text of the value (as hashed into the task id).
    pub fn text(&self) -> String {
        match self {
            FlagValue::Switch(b) => b.to_string(),
            FlagValue::Text(s) => s.clone(),
        }
    }

    fn from_toml(key: &str, v: &toml::Value) -> Result<Self> {
        Ok(match v {
            toml::Value::String(s) => FlagValue::Text(s.clone()),
            toml::Value::Integer(i) => FlagValue::Text(i.to_string()),
            // The shortest text that parses back to the same f64, with an exponent when very large
            // or small (Debug: 1e-8, 1e300, 0.5, 2.0).
            toml::Value::Float(f) if f.is_finite() => FlagValue::Text(format!("{f:?}")),
            toml::Value::Boolean(b) => FlagValue::Switch(*b),
            other => {
                return Err(Error::invalid(
                    "plan flag",
                    format!("{key} = {other}"),
                    "must be a string, integer, finite float or boolean (lists only under [grid]; \
                     give a comma-separated list such as hidden = \"256,128\" as a string)",
                ));
            }
        })
    }
}

/// The plan file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanFile {
    command: String,
    #[serde(default)]
    results: Option<String>,
    #[serde(default)]
    flags: toml::Table,
    #[serde(default)]
    grid: toml::Table,
}

/// A parsed and checked plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan file.
    pub path: PathBuf,
    /// The subcommand.
    pub command: String,
    /// The default results directory (the plan's `results`, relative to the plan file; else
    /// `<stem>.results` next to it).
    pub results: PathBuf,
    /// Fixed flags.
    pub flags: BTreeMap<String, FlagValue>,
    /// Swept flags and their values, in key order.
    pub grid: Vec<(String, Vec<FlagValue>)>,
}

/// One task of a plan: the subcommand with one value per flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// Stable id: a hash of the command and the sorted flags (see [`task_id`]).
    pub id: String,
    /// The subcommand.
    pub command: String,
    /// Every flag of the task (fixed and swept), sorted by name.
    pub flags: BTreeMap<String, FlagValue>,
}

impl Task {
    /// A task from its command and flags, with its id.
    pub fn new(command: &str, flags: BTreeMap<String, FlagValue>) -> Self {
        Self {
            id: task_id(command, &flags),
            command: command.to_string(),
            flags,
        }
    }

    /// The subcommand's arguments (without the executable and the sweep's own flags): the command,
    /// the positional argument if any, then `--name value` per flag in name order (`--name` alone
    /// for a `true` switch, nothing for `false`).
    pub fn args(&self) -> Vec<String> {
        let mut out = vec![self.command.clone()];
        if let Some(p) = self.flags.get(POSITIONAL) {
            out.push(p.text());
        }
        for (k, v) in self.flags.iter().filter(|(k, _)| *k != POSITIONAL) {
            match v {
                FlagValue::Switch(true) => out.push(format!("--{k}")),
                FlagValue::Switch(false) => {}
                FlagValue::Text(s) => {
                    out.push(format!("--{k}"));
                    out.push(s.clone());
                }
            }
        }
        out
    }
}

/// FNV-1a, 64 bit: a stable hash (the same on every machine and Rust version), used for task ids
/// and result digests. Not cryptographic: it detects accidents, not forgeries.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// A task's id: 16 hex digits of [`fnv1a64`] over `command` and the canonical `name=value` lines
/// of its flags in name order. It depends on the task's own flags only, so adding values or tasks
/// to a plan leaves the other tasks' ids (and result files) as they were.
pub fn task_id(command: &str, flags: &BTreeMap<String, FlagValue>) -> String {
    let mut s = format!("neurograd-sweep-task\ncommand={command}\n");
    for (k, v) in flags {
        s.push_str(k);
        s.push('=');
        s.push_str(&v.text());
        s.push('\n');
    }
    format!("{:016x}", fnv1a64(s.as_bytes()))
}

fn check_key(key: &str) -> Result<()> {
    if RESERVED.contains(&key) {
        return Err(Error::invalid(
            "plan flag",
            key,
            "is set by the sweep itself (results go to the results directory, --threads comes \
             from `sweep run`/`sweep slurm`)",
        ));
    }
    if key.is_empty()
        || key.starts_with('-')
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(Error::invalid(
            "plan flag",
            key,
            "must be a long option name without the leading dashes, e.g. max-samples",
        ));
    }
    Ok(())
}

impl Plan {
    /// Reads and checks a plan file.
    ///
    /// # Errors
    /// [`Error::Io`] if it cannot be read, [`Error::Corrupt`] if it is not valid TOML of the plan's
    /// shape, [`Error::InvalidParameter`] / [`Error::UnknownName`] for a bad command or flag.
    pub fn load(path: &Path) -> Result<Self> {
        let text = neurograd::io::read_to_string(path)?;
        Self::parse(path, &text)
    }

    /// Parses a plan's text (`path` names it in errors and anchors a relative `results`).
    ///
    /// # Errors
    /// As [`Plan::load`].
    pub fn parse(path: &Path, text: &str) -> Result<Self> {
        let file: PlanFile = toml::from_str(text).map_err(|e| Error::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string().trim().replace('\n', " "),
        })?;
        if !COMMANDS.contains(&file.command.as_str()) {
            return Err(Error::unknown("sweep command", &file.command, COMMANDS));
        }
        let mut flags = BTreeMap::new();
        for (k, v) in &file.flags {
            check_key(k)?;
            flags.insert(k.clone(), FlagValue::from_toml(k, v)?);
        }
        let mut grid = Vec::new();
        for (k, v) in &file.grid {
            check_key(k)?;
            if flags.contains_key(k) {
                return Err(Error::invalid(
                    "plan flag",
                    k,
                    "is both fixed ([flags]) and swept ([grid])",
                ));
            }
            let toml::Value::Array(items) = v else {
                return Err(Error::invalid(
                    "plan grid",
                    k,
                    "must be a list of values, e.g. seed = [0, 1, 2]",
                ));
            };
            if items.is_empty() {
                return Err(Error::invalid("plan grid", k, "has no values"));
            }
            let values = items
                .iter()
                .map(|x| FlagValue::from_toml(k, x))
                .collect::<Result<Vec<_>>>()?;
            for (i, x) in values.iter().enumerate() {
                if values[..i].contains(x) {
                    return Err(Error::invalid(
                        "plan grid",
                        format!("{k} = {}", x.text()),
                        "appears twice",
                    ));
                }
            }
            grid.push((k.clone(), values));
        }
        grid.sort_by(|a, b| a.0.cmp(&b.0));
        let base = path.parent().unwrap_or(Path::new(""));
        let results = match &file.results {
            Some(r) => base.join(r),
            None => {
                let stem = path
                    .file_stem()
                    .map_or("sweep".into(), |s| s.to_string_lossy().to_string());
                base.join(format!("{stem}.results"))
            }
        };
        let plan = Self {
            path: path.to_path_buf(),
            command: file.command,
            results,
            flags,
            grid,
        };
        for t in plan.tasks() {
            check_task_args(&t)?;
        }
        Ok(plan)
    }

    /// The grid's tasks in expansion order: the swept flags in name order, the last varying
    /// fastest, each flag's values in the plan's order.
    pub fn tasks(&self) -> Vec<Task> {
        let mut out = vec![self.flags.clone()];
        for (k, values) in &self.grid {
            out = out
                .into_iter()
                .flat_map(|f| {
                    values.iter().map(move |v| {
                        let mut g = f.clone();
                        g.insert(k.clone(), v.clone());
                        g
                    })
                })
                .collect();
        }
        out.into_iter()
            .map(|f| Task::new(&self.command, f))
            .collect()
    }

    /// The names of the swept flags.
    pub fn swept(&self) -> Vec<String> {
        self.grid.iter().map(|(k, _)| k.clone()).collect()
    }
}

/// Checks a task's arguments with the command's own parser, so a typo in a plan is a usage error
/// (exit 2) before anything runs rather than one failed task per grid point.
fn check_task_args(t: &Task) -> Result<()> {
    use clap::Parser;
    let mut argv = vec!["neurograd".to_string()];
    argv.extend(t.args());
    crate::Cli::try_parse_from(&argv).map(|_| ()).map_err(|e| {
        let msg = e.to_string();
        let first = msg
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim_start_matches("error: ")
            .to_string();
        Error::invalid(
            "plan task",
            argv[1..].join(" "),
            format!("is refused by the command's parser: {first}"),
        )
    })
}

/// The manifest of a results directory: every task ever planned there with its array index.
/// Indices are never renumbered: tasks new to the plan get the next free indices, so a Slurm
/// array index keeps naming the same task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: String,
    /// The neurograd version that wrote it.
    pub version: String,
    /// The plan's command.
    pub command: String,
    /// The swept flags.
    pub swept: Vec<String>,
    /// The tasks; `tasks[i].index == i`.
    pub tasks: Vec<ManifestTask>,
}

/// One manifest entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestTask {
    /// The array index (`--task K`, `$SLURM_ARRAY_TASK_ID`).
    pub index: usize,
    /// The task.
    #[serde(flatten)]
    pub task: Task,
}

impl Manifest {
    /// `<dir>/manifest.json`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join("manifest.json")
    }

    /// Reads the manifest of `dir`, `None` if there is none.
    ///
    /// # Errors
    /// [`Error::Corrupt`] if it exists but cannot be parsed or is inconsistent.
    pub fn load(dir: &Path) -> Result<Option<Self>> {
        let p = Self::path(dir);
        if !p.exists() {
            return Ok(None);
        }
        let corrupt = |reason: String| Error::Corrupt {
            path: p.clone(),
            reason,
        };
        let m: Self = serde_json::from_str(&neurograd::io::read_to_string(&p)?)
            .map_err(|e| corrupt(e.to_string()))?;
        if m.format != MANIFEST_FORMAT {
            return Err(corrupt(format!("format {:?}", m.format)));
        }
        for (i, t) in m.tasks.iter().enumerate() {
            if t.index != i || t.task.id != task_id(&t.task.command, &t.task.flags) {
                return Err(corrupt(format!("entry {i} is inconsistent")));
            }
        }
        Ok(Some(m))
    }

    /// `old`'s entries followed by the plan's tasks it does not hold yet.
    pub fn extend(old: Option<Self>, plan: &Plan) -> Self {
        let mut m = old.unwrap_or_else(|| Self {
            format: MANIFEST_FORMAT.into(),
            version: neurograd::VERSION.into(),
            command: plan.command.clone(),
            swept: Vec::new(),
            tasks: Vec::new(),
        });
        for k in plan.swept() {
            if !m.swept.contains(&k) {
                m.swept.push(k);
            }
        }
        for t in plan.tasks() {
            if !m.tasks.iter().any(|e| e.task.id == t.id) {
                m.tasks.push(ManifestTask {
                    index: m.tasks.len(),
                    task: t,
                });
            }
        }
        m
    }

    /// The plan's tasks with their indices in this manifest (every plan task must be in it).
    pub fn indexed(&self, plan: &Plan) -> Vec<ManifestTask> {
        plan.tasks()
            .into_iter()
            .filter_map(|t| self.tasks.iter().find(|e| e.task.id == t.id).cloned())
            .collect()
    }
}

/// Parses `i/n` (0 <= i < n).
///
/// # Errors
/// [`Error::InvalidParameter`] otherwise.
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || Error::invalid("--shard", s, "expected i/n with 0 <= i < n, e.g. 0/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n) = (
        i.trim().parse::<usize>().map_err(|_| bad())?,
        n.trim().parse::<usize>().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Whether the task with array index `index` belongs to shard `i` of `n`: round robin over the
/// indices, so neighbouring grid points (often of similar cost) go to different shards.
pub fn in_shard(index: usize, (i, n): (usize, usize)) -> bool {
    index % n == i
}

/// The result file of one task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// [`RECORD_FORMAT`].
    pub format: String,
    /// The task id (the file is `tasks/<id>.json`).
    pub id: String,
    /// The task.
    pub command: String,
    /// The task's flags.
    pub flags: BTreeMap<String, FlagValue>,
    /// The exact command line that ran (executable first).
    pub argv: Vec<String>,
    /// The neurograd version of the sweep that ran it.
    pub version: String,
    /// `ok` or `failed`.
    pub status: String,
    /// The subcommand's exit code.
    pub exit_code: Option<i32>,
    /// The error (last line of the subcommand's stderr) of a failed task.
    pub error: Option<String>,
    /// Wall time of the subcommand in seconds.
    pub wall_s: f64,
    /// The machine that ran it.
    pub host: String,
    /// The subcommand's JSON document (stdout), `null` if it printed none.
    pub result: Value,
}

/// `<dir>/tasks/<id>.json`.
pub fn record_path(dir: &Path, id: &str) -> PathBuf {
    dir.join("tasks").join(format!("{id}.json"))
}

const DIGEST_PREFIX: &str = "{\n  \"digest\": \"";

/// The text of a result file: the record as pretty JSON with a first field `digest`, the
/// [`fnv1a64`] of the same document without that field (its exact bytes).
pub fn record_text(r: &Record) -> Result<String> {
    let mut body = serde_json::to_string_pretty(r)?;
    body.push('\n');
    let digest = fnv1a64(body.as_bytes());
    Ok(format!("{DIGEST_PREFIX}{digest:016x}\",\n{}", &body[2..]))
}

/// Reads and verifies a result file: the digest must match the bytes, the JSON must parse as a
/// [`Record`] of this format, the id must be the file's name and the hash of the recorded flags.
/// Any failure (a truncated, partial or edited file) is the reason it is refused.
pub fn read_record(path: &Path) -> std::result::Result<Record, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let rest = text
        .strip_prefix(DIGEST_PREFIX)
        .ok_or("does not start with the digest field")?;
    let (hex, body) = (rest.get(..16), rest.get(16..));
    let (Some(hex), Some(body)) = (hex, body) else {
        return Err("truncated digest".into());
    };
    let body = body.strip_prefix("\",\n").ok_or("malformed digest field")?;
    let body = format!("{{\n{body}");
    let want = u64::from_str_radix(hex, 16).map_err(|_| "malformed digest")?;
    if fnv1a64(body.as_bytes()) != want {
        return Err(
            "digest mismatch (the file was truncated or changed after it was written)".into(),
        );
    }
    let r: Record = serde_json::from_str(&body).map_err(|e| format!("not a task record: {e}"))?;
    if r.format != RECORD_FORMAT {
        return Err(format!("format {:?}", r.format));
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_string());
    if stem.as_deref() != Some(r.id.as_str()) {
        return Err(format!("holds task {} under another name", r.id));
    }
    if task_id(&r.command, &r.flags) != r.id {
        return Err("its flags do not hash to its id".into());
    }
    if r.status != "ok" && r.status != "failed" {
        return Err(format!("status {:?}", r.status));
    }
    Ok(r)
}

/// The state of a task in a results directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    /// No result file.
    Missing,
    /// A result file that fails [`read_record`] (the reason).
    Corrupt(String),
    /// Finished; `true` if it succeeded.
    Done(bool),
}

/// The state of task `id` in `dir`.
pub fn task_state(dir: &Path, id: &str) -> TaskState {
    let p = record_path(dir, id);
    if !p.exists() {
        return TaskState::Missing;
    }
    match read_record(&p) {
        Ok(r) => TaskState::Done(r.status == "ok"),
        Err(e) => TaskState::Corrupt(e),
    }
}

/// A relative cost of a task: for `compare`, sample-epochs times algorithms times seeds (the
/// work of the training loops, ignoring the algorithms' different costs per sample); for
/// `optimize`, the evaluation budget times seeds; 1 otherwise.
pub fn cost_units(t: &Task) -> f64 {
    let num = |k: &str, d: f64| {
        t.flags
            .get(k)
            .and_then(|v| v.text().parse::<f64>().ok())
            .unwrap_or(d)
    };
    match t.command.as_str() {
        "compare" if !t.flags.contains_key("task") => {
            let samples = t.flags.get("max-samples").map_or_else(
                || match t.flags.get("dataset").map(FlagValue::text).as_deref() {
                    None | Some("digits") => 1797.0,
                    Some("mnist5k") => 5000.0,
                    _ => 10_000.0,
                },
                |v| v.text().parse().unwrap_or(1.0),
            );
            let algorithms = t.flags.get("algorithms").map_or(10, |v| {
                v.text().split(',').filter(|s| !s.trim().is_empty()).count()
            });
            num("epochs", 30.0) * samples * algorithms as f64 * num("seeds", 1.0)
        }
        "compare" => num("iterations", 1000.0),
        "optimize" => num("max-evals", 100_000.0) * num("seeds", 11.0),
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"
command = "compare"
[flags]
dataset = "digits"
epochs = 2
hidden = "16"
[grid]
seed = [0, 1, 2]
algorithms = ["bp", "fa"]
"#;

    fn plan(text: &str) -> Plan {
        Plan::parse(Path::new("/x/p.toml"), text).unwrap()
    }

    #[test]
    fn expands_to_the_grid_in_key_order() {
        let p = plan(PLAN);
        assert_eq!(p.results, Path::new("/x/p.results"));
        let tasks = p.tasks();
        assert_eq!(tasks.len(), 6);
        // algorithms < seed: seed varies fastest.
        let pairs: Vec<_> = tasks
            .iter()
            .map(|t| (t.flags["algorithms"].text(), t.flags["seed"].text()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("bp", "0"),
                ("bp", "1"),
                ("bp", "2"),
                ("fa", "0"),
                ("fa", "1"),
                ("fa", "2")
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
        assert_eq!(
            tasks[4].args(),
            [
                "compare",
                "--algorithms",
                "fa",
                "--dataset",
                "digits",
                "--epochs",
                "2",
                "--hidden",
                "16",
                "--seed",
                "1"
            ]
        );
        let ids: std::collections::BTreeSet<_> = tasks.iter().map(|t| &t.id).collect();
        assert_eq!(ids.len(), 6, "ids are distinct");
    }

    #[test]
    fn ids_do_not_change_when_entries_are_added() {
        let a = plan(PLAN).tasks();
        let bigger = PLAN
            .replace("seed = [0, 1, 2]", "seed = [5, 0, 1, 2]")
            .replace("[\"bp\", \"fa\"]", "[\"dfa\", \"bp\", \"fa\"]");
        let b = plan(&bigger).tasks();
        assert_eq!(b.len(), 12);
        for t in &a {
            assert!(b.iter().any(|u| u.id == t.id && u.flags == t.flags));
        }
        // The id is a function of the task alone, not of its position or of key order in the file.
        let reordered = "command = \"compare\"\n[grid]\nalgorithms = [\"fa\", \"bp\"]\nseed = [2, 1, 0]\n[flags]\nhidden = \"16\"\nepochs = 2\ndataset = \"digits\"\n";
        let c = plan(reordered).tasks();
        let mut x: Vec<_> = a.iter().map(|t| t.id.clone()).collect();
        let mut y: Vec<_> = c.iter().map(|t| t.id.clone()).collect();
        x.sort();
        y.sort();
        assert_eq!(x, y);
        // Pinned: a change of the hash or the canonical form would orphan existing result files.
        let mut f = BTreeMap::new();
        f.insert("seed".to_string(), FlagValue::Text("0".into()));
        assert_eq!(
            task_id("compare", &f),
            format!(
                "{:016x}",
                fnv1a64(b"neurograd-sweep-task\ncommand=compare\nseed=0\n")
            )
        );
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn values_have_one_canonical_text() {
        let p = plan(
            "command = \"optimize\"\n[flags]\npositional = \"cmaes\"\nsigma0 = 0.5\nmax-evals = 1000\n[grid]\ntarget = [1e-8, 0.001]\n",
        );
        let t = p.tasks();
        assert_eq!(t[0].args()[..2], ["optimize", "cmaes"]);
        assert_eq!(t[0].flags["target"].text(), "1e-8");
        assert_eq!(t[1].flags["sigma0"].text(), "0.5");
        assert_eq!("1e-8".parse::<f64>().unwrap(), 1e-8);
    }

    #[test]
    fn bad_plans_are_refused() {
        let bad = [
            "command = \"sweep\"\n",
            "command = \"compare\"\nunknown = 1\n",
            "command = \"compare\"\n[flags]\nout = \"x\"\n",
            "command = \"compare\"\n[flags]\nepochs = 2\n[grid]\nepochs = [1, 2]\n",
            "command = \"compare\"\n[grid]\nseed = 3\n",
            "command = \"compare\"\n[grid]\nseed = []\n",
            "command = \"compare\"\n[grid]\nseed = [1, 1]\n",
            "command = \"compare\"\n[flags]\nno-such-flag = 1\n",
            "command = \"compare\"\n[flags]\nepochs = \"many\"\n",
            "command = \"compare\"\n[flags]\nhidden = [1, 2]\n",
            "command = [\n",
        ];
        for b in bad {
            let e = Plan::parse(Path::new("p.toml"), b).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{b}: {e}");
        }
    }

    #[test]
    fn shards_partition_the_indices() {
        for n in 1..7 {
            for index in 0..40 {
                let owners: Vec<_> = (0..n).filter(|&i| in_shard(index, (i, n))).collect();
                assert_eq!(owners.len(), 1);
            }
        }
        assert_eq!(parse_shard("1/3").unwrap(), (1, 3));
        for s in ["3/3", "0/0", "1", "a/2", "-1/2"] {
            assert!(parse_shard(s).is_err(), "{s}");
        }
    }

    #[test]
    fn manifest_keeps_indices_when_the_plan_grows() {
        let m1 = Manifest::extend(None, &plan(PLAN));
        let bigger = PLAN.replace("seed = [0, 1, 2]", "seed = [0, 1, 2, 3]");
        let p2 = plan(&bigger);
        let m2 = Manifest::extend(Some(m1.clone()), &p2);
        assert_eq!(m2.tasks.len(), 8);
        assert_eq!(m2.tasks[..6], m1.tasks[..]);
        assert!(
            m2.tasks[6..]
                .iter()
                .all(|t| t.task.flags["seed"].text() == "3")
        );
        assert_eq!(m2.indexed(&p2).len(), 8);
    }

    fn record() -> Record {
        let t = plan(PLAN).tasks().remove(0);
        Record {
            format: RECORD_FORMAT.into(),
            id: t.id.clone(),
            command: t.command.clone(),
            flags: t.flags.clone(),
            argv: t.args(),
            version: "0".into(),
            status: "ok".into(),
            exit_code: Some(0),
            error: None,
            wall_s: 1.5,
            host: "h".into(),
            result: serde_json::json!({"results": [{"algorithm": "bp", "test_accuracy": 0.93}]}),
        }
    }

    #[test]
    fn corrupt_and_partial_result_files_are_detected() {
        let dir = tempfile::tempdir().unwrap();
        let r = record();
        let p = record_path(dir.path(), &r.id);
        let text = record_text(&r).unwrap();
        neurograd::io::write_atomic(&p, text.as_bytes()).unwrap();
        let back = read_record(&p).unwrap();
        assert_eq!(back.flags, r.flags);
        assert_eq!(back.result, r.result);
        assert_eq!(task_state(dir.path(), &r.id), TaskState::Done(true));
        // Truncated at every length: never accepted.
        for cut in [0, 5, 20, text.len() / 2, text.len() - 2] {
            std::fs::write(&p, &text[..cut]).unwrap();
            assert!(read_record(&p).is_err(), "cut at {cut}");
        }
        // One digit changed, still valid JSON: the digest catches it.
        let edited = text.replacen("0.93", "0.98", 1);
        assert_ne!(edited, text);
        std::fs::write(&p, &edited).unwrap();
        let e = read_record(&p).unwrap_err();
        assert!(e.contains("digest"), "{e}");
        assert!(matches!(
            task_state(dir.path(), &r.id),
            TaskState::Corrupt(_)
        ));
        // A valid record under another task's name.
        std::fs::write(record_path(dir.path(), "0000000000000000"), &text).unwrap();
        assert!(read_record(&record_path(dir.path(), "0000000000000000")).is_err());
        assert_eq!(
            task_state(dir.path(), "ffffffffffffffff"),
            TaskState::Missing
        );
    }
}
