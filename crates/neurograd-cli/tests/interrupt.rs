//! Interruption (issue 17 item 6): a signal stops `compare` between epochs with exit code 130,
//! no temporary file, the completed rows and a checkpoint written; `--resume DIR` then finishes
//! the run with results equal to an uninterrupted run's byte for byte except the wall times.
//! `compare --task` (no resume) and the other commands stop cleanly with 130.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn run_with(args: &[&str], env: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_neurograd"));
    c.args(args);
    match env {
        Some(v) => c.env("NEUROGRAD_TEST_INTERRUPT", v),
        None => c.env_remove("NEUROGRAD_TEST_INTERRUPT"),
    };
    c.output().expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// No `.tmp-` file anywhere below `dir`.
fn assert_no_temp_files(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let n = e.file_name().into_string().unwrap();
        assert!(
            !n.contains(".tmp-"),
            "temporary file {n} left in {}",
            dir.display()
        );
        if e.path().is_dir() {
            assert_no_temp_files(&e.path());
        }
    }
}

/// `run.json` with every `wall_s*` field (the only numbers that depend on the clock) removed.
fn without_wall_times(path: &Path) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, _| !k.starts_with("wall_s"));
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    strip(&mut v);
    v
}

fn compare_args(out: &str, extra: &[&'static str]) -> Vec<String> {
    // One thread unless `extra` names `--threads`: the runs then execute in order, so the
    // point where the hook stops them is deterministic.
    let threads = if extra.contains(&"--threads") {
        &[][..]
    } else {
        &["--threads", "1"][..]
    };
    let mut a: Vec<String> = [
        "--quiet",
        "--json",
        "--out",
        out,
        "compare",
        "--epochs",
        "3",
        "--max-samples",
        "200",
        "--seeds",
        "2",
    ]
    .iter()
    .chain(threads)
    .map(|s| s.to_string())
    .collect();
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

/// Interrupts `compare <extra>` after `epochs` epochs with the test hook `mode` (`raise` or
/// `wait`, the latter answered with a real SIGINT from here), checks the interrupted directory,
/// resumes it and compares with an uninterrupted run.
fn interrupt_and_resume(extra: &[&'static str], epochs: usize, real_signal: bool) {
    let root = tempfile::tempdir().unwrap();
    let full = root.path().join("full");
    let part = root.path().join("part");
    let full_s = full.to_str().unwrap();
    let part_s = part.to_str().unwrap();
    let args = compare_args(full_s, extra);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run_with(&args, None);
    assert!(o.status.success(), "{}", stderr(&o));

    let pargs = compare_args(part_s, extra);
    let pargs: Vec<&str> = pargs.iter().map(String::as_str).collect();
    let o = if real_signal {
        let mut child = Command::new(env!("CARGO_BIN_EXE_neurograd"))
            .args(&pargs)
            .env("NEUROGRAD_TEST_INTERRUPT", format!("wait:{epochs}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the hook's line on stderr, then send SIGINT with kill(1).
        let mut err = child.stderr.take().unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        use std::io::Read;
        while !String::from_utf8_lossy(&seen).contains("waiting for a signal") {
            let n = err.read(&mut buf).unwrap();
            assert!(
                n > 0,
                "child ended before the hook: {}",
                String::from_utf8_lossy(&seen)
            );
            seen.extend_from_slice(&buf[..n]);
        }
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        err.read_to_end(&mut seen).unwrap();
        let mut o = child.wait_with_output().unwrap();
        o.stderr = seen;
        o
    } else {
        run_with(&pargs, Some(&format!("raise:{epochs}")))
    };
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(o.stdout.is_empty(), "no partial JSON on stdout");
    let msg = stderr(&o);
    assert!(
        msg.contains("interrupted") && msg.contains("--resume"),
        "{msg}"
    );
    assert!(part.join("compare.resume.json").is_file());
    assert_no_temp_files(&part);

    let mut rargs = pargs.clone();
    rargs.extend(["--resume", part_s]);
    let o = run_with(&rargs, None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !part.join("compare.resume.json").exists(),
        "state removed when done"
    );
    assert_no_temp_files(&part);
    assert_eq!(
        without_wall_times(&full.join("run.json")),
        without_wall_times(&part.join("run.json"))
    );
    // The JSON on stdout of the resumed run is the finished run.json.
    let stdout: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        stdout["results"].as_array().unwrap().len(),
        extra_algorithms(extra)
    );
}

fn extra_algorithms(extra: &[&str]) -> usize {
    let i = extra.iter().position(|a| *a == "--algorithms").unwrap();
    extra[i + 1].split(',').count()
}

/// Interrupted in the middle of the second algorithm of the first seed (epoch 3 + 1 of 3 + 3 +
/// 3 + 3): the first row is complete for one seed, the second has a checkpoint.
#[test]
fn compare_interrupted_by_the_hook_resumes_bit_identically() {
    interrupt_and_resume(&["--hidden", "12", "--algorithms", "bp,fa,dfa"], 4, false);
}

/// Two threads: four runs in parallel (2 algorithms x 2 seeds), stopped wherever each one is
/// (several checkpoints in the state), and resumed to the uninterrupted run's numbers.
#[test]
fn compare_interrupted_on_two_threads_resumes_bit_identically() {
    interrupt_and_resume(
        &["--hidden", "12", "--algorithms", "bp,fa", "--threads", "2"],
        3,
        false,
    );
}

/// Rules that learn state a checkpoint does not hold (Kolen-Pollack's and weight mirrors'
/// feedback weights, target propagation's inverses) are rerun from the start on resume, so the
/// result still equals the uninterrupted run's (resuming them from a checkpoint would not).
#[test]
fn compare_with_learned_feedback_interrupted_resumes_bit_identically() {
    interrupt_and_resume(
        &["--hidden", "12", "--algorithms", "bp,kp,wm,dtp"],
        5,
        false,
    );
}

/// A real SIGINT from another process (kill -INT) in the second seed.
#[test]
fn compare_interrupted_by_a_real_sigint_resumes_bit_identically() {
    interrupt_and_resume(&["--hidden", "12", "--algorithms", "bp,ss"], 7, true);
}

/// A convolutional architecture (`--arch`) checkpoints and resumes the same way.
#[test]
fn compare_arch_interrupted_resumes_bit_identically() {
    interrupt_and_resume(
        &[
            "--dataset",
            "digits",
            "--arch",
            "conv:2x3,pool:2,dense:10",
            "--algorithms",
            "bp,fa",
        ],
        2,
        false,
    );
}

/// The interrupted directory holds the completed rows (marked) besides the state.
#[test]
fn an_interrupted_compare_writes_the_completed_rows() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("o");
    let args = compare_args(
        out.to_str().unwrap(),
        &["--hidden", "8", "--algorithms", "bp,fa"],
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    // bp seed 0 and fa seed 0 complete (6 epochs), then stop in bp seed 1.
    let o = run_with(&args, Some("raise:7"));
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let rows = v["results"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r["status"], "interrupted after 1 of 2 seeds");
        assert_eq!(r["runs"].as_array().unwrap().len(), 1);
    }
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.resume.json")).unwrap())
            .unwrap();
    // one thread: the runs execute in order, so only bp seed 1 was running (fa seed 1 had not
    // started)
    let running = state["running"].as_array().unwrap();
    assert_eq!(running.len(), 1, "{running:?}");
    assert_eq!(running[0]["algorithm"], 0);
    assert_eq!(running[0]["seed"], 1);
    assert_eq!(running[0]["checkpoint"]["epoch"], 1);
    // A resume with other flags is refused (exit 2), naming the mismatch.
    let mut other = compare_args(
        out.to_str().unwrap(),
        &["--hidden", "9", "--algorithms", "bp,fa"],
    );
    other.extend(["--resume".to_string(), out.to_str().unwrap().to_string()]);
    let other: Vec<&str> = other.iter().map(String::as_str).collect();
    let o = run_with(&other, None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("parameters differ"), "{}", stderr(&o));
}

/// `compare --task` has no resume: a signal ends it with 130 and no temporary file.
#[test]
fn compare_task_stops_cleanly_on_sigint() {
    let root = tempfile::tempdir().unwrap();
    let out = root.path().join("t");
    let child = Command::new(env!("CARGO_BIN_EXE_neurograd"))
        .args([
            "--quiet",
            "--out",
            out.to_str().unwrap(),
            "compare",
            "--task",
            "patterns",
            "--iterations",
            "1000000",
        ])
        .env_remove("NEUROGRAD_TEST_INTERRUPT")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    if out.exists() {
        assert_no_temp_files(&out);
    }
}
