//! `neurograd sweep`: plan, run (all, one task, shards, N workers), resume, a failing task,
//! corrupt result files, collect, and the sbatch script (without Slurm; the real Slurm test is
//! .ci/slurm_test.sh).

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use super::{neurograd, stderr};

/// compare: 2 algorithms x 2 seeds, 1 epoch on 300 digits.
const PLAN: &str = r#"
command = "compare"
results = "out"
[flags]
dataset = "digits"
epochs = 1
hidden = "8"
max-samples = 300
[grid]
algorithms = ["bp", "fa"]
seed = [0, 1]
"#;

fn write_plan(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("plan.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn ok_json(o: &Output) -> Value {
    assert!(o.status.success(), "failed: {}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("one JSON document")
}

fn sweep(args: &[&str]) -> Output {
    let mut a = vec!["sweep"];
    a.extend_from_slice(args);
    neurograd(&a)
}

/// Every result field but wall times and the command line.
fn numbers(dir: &Path) -> Vec<Value> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(o) => {
                o.retain(|k, _| !k.starts_with("wall_s") && k != "argv" && k != "host");
                o.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut files: Vec<_> = std::fs::read_dir(dir.join("tasks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let mut v: Value = serde_json::from_str(&text).unwrap();
            strip(&mut v);
            v.as_object_mut().unwrap().remove("digest");
            v
        })
        .collect()
}

#[test]
fn plan_lists_the_tasks_with_stable_ids_and_costs() {
    let d = tempfile::tempdir().unwrap();
    let p = write_plan(d.path(), PLAN);
    let v = ok_json(&sweep(&["plan", p.to_str().unwrap(), "--json"]));
    let tasks = v["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 4);
    assert_eq!(v["swept"], serde_json::json!(["algorithms", "seed"]));
    for (i, t) in tasks.iter().enumerate() {
        assert_eq!(t["index"], i);
        assert_eq!(t["state"], "todo");
        // 1 epoch x 300 samples x 1 algorithm
        assert_eq!(t["cost_units"], 300.0);
    }
    assert_eq!(tasks[1]["flags"]["seed"], "1");
    assert_eq!(tasks[2]["flags"]["algorithms"], "fa");
    // A bigger plan keeps the ids of the old tasks.
    let p2 = write_plan(d.path(), &PLAN.replace("seed = [0, 1]", "seed = [0, 1, 7]"));
    let v2 = ok_json(&sweep(&["plan", p2.to_str().unwrap(), "--json"]));
    let ids2: Vec<_> = v2["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].clone())
        .collect();
    assert_eq!(ids2.len(), 6);
    assert!(tasks.iter().all(|t| ids2.contains(&t["id"])));
    // Nothing was written by `plan`.
    assert!(!d.path().join("out").exists());
}

#[test]
fn bad_plans_are_usage_errors() {
    let d = tempfile::tempdir().unwrap();
    for (text, needle) in [
        ("command = \"compare\"\n[flags]\nepoch = 2\n", "epoch"),
        ("command = \"train\"\n", "train"),
        ("command = \"compare\"\n[grid]\nseed = 1\n", "seed"),
        ("command = \"compare\n", "plan.toml"),
    ] {
        let p = write_plan(d.path(), text);
        for action in ["plan", "run", "slurm"] {
            let o = sweep(&[action, p.to_str().unwrap()]);
            assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
            assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        }
    }
    let o = sweep(&["run", "/no/such/plan.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let p = write_plan(d.path(), PLAN);
    let o = sweep(&["run", p.to_str().unwrap(), "--shard", "2/2"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = sweep(&["run", p.to_str().unwrap(), "--task", "4"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn run_resume_shards_and_collect() {
    let d = tempfile::tempdir().unwrap();
    let p = write_plan(d.path(), PLAN);
    let ps = p.to_str().unwrap();
    let out = d.path().join("out");

    // One task by index, then shard 0/2 (indices 0 and 2): task 0 is skipped the second time.
    let v = ok_json(&sweep(&["run", ps, "--task", "0", "--json", "--quiet"]));
    assert_eq!(v["tasks"][0]["status"], "ok");
    let v = ok_json(&sweep(&["run", ps, "--shard", "0/2", "--json", "--quiet"]));
    let st: Vec<_> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["index"].clone(), t["status"].clone()))
        .collect();
    assert_eq!(
        st,
        [(0.into(), "skipped (ok)".into()), (2.into(), "ok".into())]
    );

    // A partial collect lists the two missing tasks.
    let c = ok_json(&sweep(&[
        "collect",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]));
    assert_eq!(c["ok"], 2);
    let missing: Vec<_> = c["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["index"].clone())
        .collect();
    assert_eq!(missing, [Value::from(1), Value::from(3)]);
    let o = sweep(&["collect", out.to_str().unwrap(), "--quiet", "--strict"]);
    assert_eq!(o.status.code(), Some(1));

    // The rest with two workers: only the missing tasks run.
    let v = ok_json(&sweep(&["run", ps, "--jobs", "2", "--json", "--quiet"]));
    let ran: Vec<_> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["status"] == "ok")
        .map(|t| t["index"].clone())
        .collect();
    assert_eq!(ran, [Value::from(1), Value::from(3)]);

    // Each result file: the subcommand's JSON, the exact command line and the version.
    let files: Vec<_> = std::fs::read_dir(out.join("tasks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 4);
    for f in &files {
        let r: Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        assert_eq!(r["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(r["status"], "ok");
        let argv: Vec<&str> = r["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(argv[1], "compare");
        assert!(
            argv.windows(2)
                .any(|w| w == ["--seed", r["flags"]["seed"].as_str().unwrap()])
        );
        assert_eq!(r["result"]["params"]["epochs"], 1);
        assert_eq!(
            r["result"]["results"][0]["algorithm"],
            r["flags"]["algorithms"]
        );
        assert!(
            f.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(r["id"].as_str().unwrap())
        );
    }

    // Collect: groups by algorithm over the two seeds, with sample statistics.
    let c = ok_json(&sweep(&[
        "collect",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
        "--strict",
    ]));
    assert_eq!(c["ok"], 4);
    assert_eq!(c["metric"], "test_accuracy");
    let groups = c["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    for g in groups {
        assert_eq!(g["seeds"], serde_json::json!(["0", "1"]));
        let xs: Vec<f64> = g["values"]["test_accuracy"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let m = g["metrics"]["test_accuracy"]["mean"].as_f64().unwrap();
        assert_eq!(m, (xs[0] + xs[1]) / 2.0);
        let sd = g["metrics"]["test_accuracy"]["std"].as_f64().unwrap();
        assert!((sd - (xs[0] - xs[1]).abs() / 2f64.sqrt()).abs() < 1e-12);
    }
    let csv = std::fs::read_to_string(out.join("collect.csv")).unwrap();
    assert!(csv.starts_with("algorithms,label,n,seeds,"), "{csv}");
    assert_eq!(csv.lines().count(), 3);
    assert!(out.join("collect.svg").is_file());
    assert!(out.join("collect.json").is_file());

    // Everything finished: a rerun runs nothing, and the results equal a fresh --jobs 2 run's.
    let before = numbers(&out);
    let v = ok_json(&sweep(&["run", ps, "--json", "--quiet"]));
    assert!(
        v["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] == "skipped (ok)")
    );
    let fresh = d.path().join("fresh");
    ok_json(&sweep(&[
        "run",
        ps,
        "--jobs",
        "2",
        "--json",
        "--quiet",
        "--out",
        fresh.to_str().unwrap(),
    ]));
    assert_eq!(numbers(&fresh), before);

    // A corrupt file (one number edited) and a partial one are refused, not merged, and rerun.
    let mut files = files;
    files.sort();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let edited = text.replacen("\"test_accuracy\": 0.", "\"test_accuracy\": 1.", 1);
    assert_ne!(edited, text);
    std::fs::write(&files[0], edited).unwrap();
    let t1 = std::fs::read_to_string(&files[1]).unwrap();
    std::fs::write(&files[1], &t1[..t1.len() / 3]).unwrap();
    let c = ok_json(&sweep(&[
        "collect",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]));
    assert_eq!(c["ok"], 2);
    assert_eq!(c["corrupt"].as_array().unwrap().len(), 2);
    let merged: usize = c["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["seeds"].as_array().unwrap().len())
        .sum();
    assert_eq!(merged, 2);
    assert!(c["groups"].as_array().unwrap().iter().all(|g| {
        g["values"]["test_accuracy"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x.as_f64().unwrap() < 1.0)
    }));
    let o = sweep(&["run", ps, "--json"]);
    let v = ok_json(&o);
    assert!(stderr(&o).contains("refused"), "{}", stderr(&o));
    assert_eq!(
        v["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] == "ok")
            .count(),
        2
    );
    assert_eq!(numbers(&out), before);
}

#[test]
fn a_failing_task_is_recorded_and_does_not_stop_the_others() {
    let d = tempfile::tempdir().unwrap();
    // lr 1e6 makes backprop diverge (every algorithm of its compare fails: exit 1); 1e-3 trains.
    let p = write_plan(
        d.path(),
        "command = \"compare\"\n[flags]\nalgorithms = \"bp\"\nepochs = 1\nhidden = \"8\"\nmax-samples = 200\n[grid]\nlr = [1e300, 0.001]\n",
    );
    let o = sweep(&["run", p.to_str().unwrap(), "--json", "--quiet"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("1 of 2 tasks failed"), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let st: Vec<_> = v["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(st, ["failed", "ok"], "{v}");
    assert!(
        v["tasks"][0]["error"]
            .as_str()
            .unwrap()
            .contains("diverged"),
        "{v}"
    );
    let out = d.path().join("plan.results");
    let c = ok_json(&sweep(&[
        "collect",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]));
    assert_eq!(c["ok"], 1);
    assert_eq!(c["failed"].as_array().unwrap().len(), 1);
    assert_eq!(c["failed"][0]["flags"]["lr"], "1e300");
    // A failure is a result: skipped on rerun unless --retry-failed.
    let o = sweep(&["run", p.to_str().unwrap(), "--json", "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["tasks"][0]["status"], "skipped (failed)");
    assert_eq!(v["tasks"][1]["status"], "skipped (ok)");
    let o = sweep(&[
        "run",
        p.to_str().unwrap(),
        "--json",
        "--quiet",
        "--retry-failed",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["tasks"][0]["status"], "failed");
    assert_eq!(v["tasks"][1]["status"], "skipped (ok)");
}

#[test]
fn slurm_writes_an_array_script_of_the_unfinished_tasks() {
    let d = tempfile::tempdir().unwrap();
    let p = write_plan(d.path(), PLAN);
    let ps = p.to_str().unwrap();
    let v = ok_json(&sweep(&[
        "slurm",
        ps,
        "--json",
        "--partition",
        "short",
        "--time",
        "00:30:00",
        "--cpus-per-task",
        "2",
        "--max-parallel",
        "3",
    ]));
    assert_eq!(v["array"], "0-3%3");
    assert_eq!(v["submitted"], false);
    let script = std::fs::read_to_string(v["script"].as_str().unwrap()).unwrap();
    for line in [
        "#SBATCH --array=0-3%3",
        "#SBATCH --partition=short",
        "#SBATCH --time=00:30:00",
        "#SBATCH --cpus-per-task=2",
    ] {
        assert!(
            script.lines().any(|l| l == line),
            "{line} missing:\n{script}"
        );
    }
    assert!(script.contains("sweep run"));
    assert!(script.contains("--task \"$SLURM_ARRAY_TASK_ID\""));
    assert!(script.contains("--threads \"${SLURM_CPUS_PER_TASK:-2}\""));
    // The manifest pins the indices; after task 1 finished, the array holds the others.
    let out = d.path().join("out");
    assert!(out.join("manifest.json").is_file());
    ok_json(&sweep(&["run", ps, "--task", "1", "--json", "--quiet"]));
    let v = ok_json(&sweep(&["slurm", ps, "--json"]));
    assert_eq!(v["array"], "0,2-3");
}

#[test]
fn an_interrupted_task_writes_no_result_and_continues_from_its_checkpoint() {
    let d = tempfile::tempdir().unwrap();
    let p = write_plan(d.path(), &PLAN.replace("epochs = 1", "epochs = 3"));
    let ps = p.to_str().unwrap();
    let out = d.path().join("out");
    // The CLI's test hook (docs/reliability.md), inherited by every task: each compare gets a real
    // SIGINT before its second epoch, saves a checkpoint and exits with 130.
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_neurograd"))
        .args(["sweep", "run", ps, "--quiet", "--task", "2"])
        .env("NEUROGRAD_TEST_INTERRUPT", "raise:1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    let tasks = ok_json(&sweep(&["plan", ps, "--json"]));
    let id = tasks["tasks"][2]["id"].as_str().unwrap().to_string();
    assert_eq!(tasks["tasks"][2]["state"], "todo");
    assert!(!out.join("tasks").join(format!("{id}.json")).exists());
    assert!(
        out.join("runs")
            .join(&id)
            .join("compare.resume.json")
            .is_file()
    );
    // Resumed: continued with compare --resume, the same numbers as an uninterrupted run.
    let v = ok_json(&sweep(&["run", ps, "--task", "2", "--json", "--quiet"]));
    assert_eq!(v["tasks"][0]["status"], "ok");
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("tasks").join(format!("{id}.json"))).unwrap(),
    )
    .unwrap();
    assert!(
        r["argv"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--resume")
    );
    assert!(
        !out.join("runs")
            .join(&id)
            .join("compare.resume.json")
            .exists()
    );
    // `--task` alone wrote the manifest, so collect knows the three tasks that never ran.
    let c = ok_json(&sweep(&[
        "collect",
        out.to_str().unwrap(),
        "--json",
        "--quiet",
    ]));
    assert_eq!(c["ok"], 1);
    assert_eq!(c["missing"].as_array().unwrap().len(), 3);
    let fresh = d.path().join("fresh");
    ok_json(&sweep(&[
        "run",
        ps,
        "--task",
        "2",
        "--json",
        "--quiet",
        "--out",
        fresh.to_str().unwrap(),
    ]));
    assert_eq!(numbers(&out), numbers(&fresh));
    assert_eq!(r["result"]["results"][0]["epochs"], 3);
}
