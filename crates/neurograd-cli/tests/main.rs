//! Integration tests of the `neurograd` command: every subcommand with small settings and
//! `--json` (parsed, documented fields checked), and the error cases (unknown names list the valid
//! ones, missing or corrupt files give one clear line, exit codes 2 and 1).

use std::process::{Command, Output};

use serde_json::Value;

mod v1;

fn neurograd(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neurograd"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn json(args: &[&str]) -> Value {
    let out = neurograd(args);
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

mod claims;
mod interrupt;
mod proptest_args;

mod recurrent;
mod sweep;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn compare_json_has_the_documented_fields_and_writes_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let v = json(&[
        "compare",
        "--json",
        "--quiet",
        "--epochs",
        "2",
        "--algorithms",
        "bp,fa,es",
        "--max-samples",
        "300",
        "--hidden",
        "16",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["params"]["epochs"], 2);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for (r, name) in results.iter().zip(["bp", "fa", "es"]) {
        assert_eq!(r["algorithm"], name);
        assert_eq!(r["epochs"], 2);
        let acc = r["test_accuracy"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&acc));
        assert!(r["wall_s"].as_f64().unwrap() >= 0.0);
        let c = r["mean_cosine_to_bp"].as_f64().unwrap();
        assert!((-1.0..=1.0).contains(&c));
    }
    // backprop's update is the gradient: its cosine to itself is 1 (computed, not set).
    assert!((results[0]["mean_cosine_to_bp"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    for f in [
        "run.json",
        "epochs.csv",
        "learning_curves.svg",
        "angle_to_bp.svg",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    // Only complete files: no temporary names left behind.
    for e in std::fs::read_dir(&out).unwrap() {
        let n = e.unwrap().file_name().into_string().unwrap();
        assert!(!n.contains(".tmp-"), "temporary file {n} left");
    }
    let csv = std::fs::read_to_string(out.join("epochs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 3 * 2);
}

#[test]
fn compare_is_deterministic_for_a_seed_and_thread_count() {
    // Several algorithms and seeds: with 2 threads the runs execute in parallel and finish in
    // any order; every number but the wall-clock times must equal the 1-thread run's.
    let a = [
        "compare",
        "--json",
        "--quiet",
        "--epochs",
        "2",
        "--algorithms",
        "bp,es,fa,pc",
        "--max-samples",
        "200",
        "--hidden",
        "8",
        "--seeds",
        "2",
    ];
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.retain(|k, _| !k.starts_with("wall_s"));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_str().unwrap();
    let run = |threads: &str| {
        let mut args = a.to_vec();
        args.extend(["--out", o, "--threads", threads]);
        let mut v = json(&args);
        strip(&mut v);
        v
    };
    let (v1, v2) = (run("1"), run("2"));
    assert_eq!(v1["results"], v2["results"]);
    assert_eq!(v1["results"].as_array().unwrap().len(), 4);
    // the control: another seed gives other numbers
    let mut args = a.to_vec();
    args.extend(["--out", o, "--seed", "7"]);
    let mut v3 = json(&args);
    strip(&mut v3);
    assert_ne!(v1["results"], v3["results"]);
}

/// `--seeds 2`: per-seed accuracies in seed order, their mean and sample standard deviation
/// (divisor N - 1), min and max, the individual runs, and per-seed rows in `epochs.csv`.
#[test]
fn compare_over_seeds_reports_mean_sample_std_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seeds");
    let v = json(&[
        "compare",
        "--json",
        "--quiet",
        "--seeds",
        "2",
        "--seed",
        "3",
        "--algorithms",
        "bp,fa",
        "--epochs",
        "2",
        "--max-samples",
        "300",
        "--hidden",
        "16",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(v["params"]["seeds"], 2);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        let acc: Vec<f64> = r["accuracies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_f64().unwrap())
            .collect();
        assert_eq!(acc.len(), 2);
        let runs = r["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 2);
        for (k, run) in runs.iter().enumerate() {
            assert_eq!(run["seed"], 3 + k as u64);
            assert_eq!(run["algorithm"], r["algorithm"]);
            assert_eq!(run["test_accuracy"].as_f64().unwrap(), acc[k]);
            assert_eq!(run["history"].as_array().unwrap().len(), 2);
        }
        let mean = (acc[0] + acc[1]) / 2.0;
        let std = ((acc[0] - mean).powi(2) + (acc[1] - mean).powi(2)).sqrt(); // divisor N - 1 = 1
        assert!((r["mean_accuracy"].as_f64().unwrap() - mean).abs() < 1e-12);
        assert!((r["test_accuracy"].as_f64().unwrap() - mean).abs() < 1e-12);
        assert!((r["std_accuracy"].as_f64().unwrap() - std).abs() < 1e-12);
        assert_eq!(r["min_accuracy"].as_f64().unwrap(), acc[0].min(acc[1]));
        assert_eq!(r["max_accuracy"].as_f64().unwrap(), acc[0].max(acc[1]));
        let wall: f64 = runs.iter().map(|x| x["wall_s"].as_f64().unwrap()).sum();
        assert!((r["wall_s"].as_f64().unwrap() - wall / 2.0).abs() < 1e-9);
        assert!(r["seeds_reaching_target"].as_u64().unwrap() <= 2);
    }
    // The two seeds split and initialise differently.
    assert_ne!(
        results[0]["runs"][0]["history"][0]["train_loss"],
        results[0]["runs"][1]["history"][0]["train_loss"]
    );
    let csv = std::fs::read_to_string(out.join("epochs.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 2 * 2);
    assert!(csv.lines().next().unwrap().ends_with(",seed"));
    // The human table shows mean ± std (min..max).
    let o = neurograd(&[
        "compare",
        "--quiet",
        "--seeds",
        "2",
        "--algorithms",
        "bp",
        "--epochs",
        "1",
        "--max-samples",
        "200",
        "--hidden",
        "8",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains(" ± ") && table.contains(".."), "{table}");
    assert!(table.contains("seeds 0..=1"), "{table}");
}

#[test]
fn compare_with_zero_seeds_is_a_usage_error() {
    let o = neurograd(&["compare", "--seeds", "0", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("seeds"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "one clear line: {e}");
}

/// mnist5k splits 4,000 / 1,000 by default; an explicit `--test-fraction` wins.
#[test]
fn compare_test_fraction_defaults_per_dataset_and_the_flag_wins() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_str().unwrap();
    let base = [
        "compare",
        "--json",
        "--quiet",
        "--algorithms",
        "bp",
        "--epochs",
        "1",
        "--hidden",
        "4",
        "--out",
        o,
    ];
    let mut a = base.to_vec();
    a.extend(["--dataset", "mnist5k"]);
    let v = json(&a);
    assert_eq!(v["params"]["test_fraction"], 0.2);
    assert_eq!(
        (v["data"]["n_train"].as_u64(), v["data"]["n_test"].as_u64()),
        (Some(4000), Some(1000))
    );
    let mut a = base.to_vec();
    a.extend(["--max-samples", "200", "--test-fraction", "0.5"]);
    let v = json(&a);
    assert_eq!(v["params"]["test_fraction"], 0.5);
    assert_eq!(v["data"]["n_test"], 100);
    let mut a = base.to_vec();
    a.extend(["--max-samples", "200"]);
    assert_eq!(json(&a)["data"]["n_test"], 50);
}

#[test]
fn optimize_json_has_runs_and_median() {
    let v = json(&[
        "optimize",
        "cmaes",
        "--function",
        "sphere",
        "--dim",
        "4",
        "--seeds",
        "3",
        "--target",
        "1e-6",
        "--json",
        "--quiet",
    ]);
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    for r in runs {
        assert!(r["seed"].is_u64() && r["evaluations"].is_u64());
        assert!(r["best_f"].as_f64().unwrap() <= 1e-6);
        assert_eq!(r["reached_target"], true);
    }
    assert!(v["median_evaluations"].as_f64().unwrap() > 0.0);
    assert_eq!(v["params"]["dim"], 4);
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    // The seeds run in parallel: runs in seed order and the same numbers on 1 and 2 threads;
    // another master seed changes them (control).
    let base = [
        "optimize",
        "cmaes",
        "--function",
        "rastrigin",
        "--dim",
        "6",
        "--seeds",
        "4",
        "--max-evals",
        "3000",
        "--json",
        "--quiet",
    ];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        json(&a)["runs"].clone()
    };
    let one = with(&["--threads", "1"]);
    assert_eq!(one, with(&["--threads", "2"]));
    let seeds: Vec<u64> = one
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["seed"].as_u64().unwrap())
        .collect();
    assert_eq!(seeds, vec![0, 1, 2, 3]);
    assert_ne!(one, with(&["--threads", "2", "--seed", "5"]));
}

#[test]
fn simulate_lif_fi_json_has_points_and_parameters() {
    let v = json(&[
        "simulate",
        "lif-fi",
        "--json",
        "--quiet",
        "--duration-ms",
        "200",
    ]);
    let pts = v["points"].as_array().unwrap();
    assert!(pts.len() > 5);
    assert!(
        pts.iter()
            .all(|p| p["current_na"].is_number() && p["rate_hz"].is_number())
    );
    // Above rheobase the neuron fires, below it it does not.
    let rheo = v["rheobase_na"].as_f64().unwrap();
    for p in pts {
        let i = p["current_na"].as_f64().unwrap();
        let r = p["rate_hz"].as_f64().unwrap();
        if i < rheo {
            assert_eq!(r, 0.0);
        }
        if i > rheo + 0.2 {
            assert!(r > 0.0);
        }
    }
    assert!(v["params"]["tau_m_ms"].is_number());
}

#[test]
fn simulate_coba_json_has_rates_spikes_and_wall_time() {
    let v = json(&[
        "simulate",
        "coba",
        "--json",
        "--quiet",
        "--duration-ms",
        "50",
    ]);
    for k in ["mean_rate_exc_hz", "mean_rate_inh_hz", "wall_s"] {
        assert!(v[k].as_f64().unwrap() >= 0.0, "{k}");
    }
    assert!(v["spikes"].is_u64());
    assert_eq!(v["model"], "coba");
}

#[test]
fn simulate_coba_raster_covers_the_raster_window_only() {
    let run = |raster: &str| {
        json(&[
            "simulate",
            "coba",
            "--json",
            "--quiet",
            "--duration-ms",
            "300",
            "--raster-ms",
            raster,
        ])
    };
    let spikes = |v: &serde_json::Value| -> Vec<(f64, u64)> {
        v["raster"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[0].as_f64().unwrap(), p[1].as_u64().unwrap()))
            .collect()
    };
    let all = run("300");
    let early = run("100");
    let none = run("0");
    assert_eq!(early["raster_ms"].as_f64(), Some(100.0));
    // the whole-run statistics do not depend on the window
    for k in ["spikes", "mean_rate_exc_hz", "mean_cv_isi"] {
        assert_eq!(all[k], early[k], "{k}");
        assert_eq!(all[k], none[k], "{k}");
    }
    // the window's raster is the full raster's spikes before 100 ms, computed here
    let full = spikes(&all);
    let expected: Vec<_> = full.iter().copied().filter(|s| s.0 < 100.0).collect();
    assert!(!expected.is_empty() && expected.len() < full.len());
    assert_eq!(spikes(&early), expected);
    assert!(spikes(&none).is_empty());
    // a window beyond the run is the run
    let long = run("1e6");
    assert_eq!(long["raster_ms"].as_f64(), Some(300.0));
    assert_eq!(spikes(&long), full);
}

#[test]
fn simulate_macaque_json_lists_areas_in_hierarchy_order() {
    let v = json(&[
        "simulate", "macaque", "--gba", "strong", "--json", "--quiet",
    ]);
    let areas = v["areas"].as_array().unwrap();
    assert_eq!(areas.len(), 29);
    assert_eq!(areas[0]["name"], "V1");
    assert!(areas.iter().all(|a| a["peak_hz"].is_number()));
    let h: Vec<f64> = areas
        .iter()
        .map(|a| a["hierarchy"].as_f64().unwrap())
        .collect();
    assert!(h.windows(2).all(|w| w[0] <= w[1]), "hierarchy order");
}

#[test]
fn simulate_other_models_run() {
    for m in ["izhikevich", "adex", "balanced-amplification"] {
        let v = json(&["simulate", m, "--json", "--quiet"]);
        assert_eq!(v["model"], m);
    }
    let v = json(&["simulate", "hh", "--json", "--quiet", "--duration-ms", "30"]);
    assert_eq!(v["traces"].as_array().unwrap().len(), 5);
    // ALIF adapts (ISIs lengthen), the same neuron without adaptation does not: 6/6 criteria
    let v = json(&["simulate", "alif", "--json", "--quiet"]);
    assert_eq!(v["traces"].as_array().unwrap().len(), 6);
    assert_eq!(v["criteria_hold"], 6, "{}", v["traces"]);
    // --duration-ms and --dt-ms are honoured: a shorter run has fewer spikes, a finer step other
    // spike times
    let short = json(&[
        "simulate",
        "alif",
        "--json",
        "--quiet",
        "--duration-ms",
        "500",
    ]);
    let n = |v: &Value| v["traces"][3]["spikes_ms"].as_array().unwrap().len();
    assert!(n(&short) < n(&v), "{} vs {}", n(&short), n(&v));
    let fine = json(&["simulate", "alif", "--json", "--quiet", "--dt-ms", "0.5"]);
    assert_ne!(fine["traces"][3]["spikes_ms"], v["traces"][3]["spikes_ms"]);
    let v = json(&[
        "simulate",
        "cuba",
        "--json",
        "--quiet",
        "--duration-ms",
        "20",
    ]);
    assert!(v["spikes"].is_u64());
}

/// Every `simulate` flag is honoured or refused (issue 17 item 2): adex's traces change with
/// `--dt-ms` and `--duration-ms`, macaque's with `--duration-ms`; the flags a model cannot take
/// (izhikevich `--duration-ms`, balanced amplification both, `--gba` outside macaque) exit 2 with
/// one line naming the flag, and a too-large macaque step is reported in ms, in `{:e}` form.
#[test]
fn simulate_flags_are_honoured_or_refused() {
    let base = json(&["simulate", "adex", "--json", "--quiet"]);
    let last_t = |v: &Value| {
        let t = v["traces"][0]["t_ms"].as_array().unwrap();
        t[t.len() - 1].as_f64().unwrap()
    };
    let short = json(&[
        "simulate",
        "adex",
        "--json",
        "--quiet",
        "--duration-ms",
        "300",
    ]);
    assert!(last_t(&short) <= 300.0 + 1e-9 && last_t(&base) > 590.0);
    let coarse = json(&["simulate", "adex", "--json", "--quiet", "--dt-ms", "0.25"]);
    assert_ne!(
        coarse["traces"][0]["spikes_ms"],
        base["traces"][0]["spikes_ms"]
    );
    let mq = |extra: &[&str]| {
        let mut a = vec!["simulate", "macaque", "--json", "--quiet"];
        a.extend_from_slice(extra);
        json(&a)
    };
    let long = mq(&["--duration-ms", "6000"]);
    let t_end = |v: &Value| {
        let t = v["traces"][0]["t_ms"].as_array().unwrap();
        t[t.len() - 1].as_f64().unwrap()
    };
    assert!(t_end(&long) > 5500.0 && t_end(&mq(&[])) <= 5000.0 + 1e-9);
    let refused: [(&[&str], &str); 5] = [
        (
            &["simulate", "izhikevich", "--duration-ms", "100"],
            "duration_ms",
        ),
        (
            &["simulate", "balanced-amplification", "--dt-ms", "0.1"],
            "dt_ms",
        ),
        (
            &["simulate", "balanced-amplification", "--duration-ms", "10"],
            "duration_ms",
        ),
        (
            &["simulate", "hh", "--gba", "weak", "--duration-ms", "5"],
            "gba",
        ),
        (&["simulate", "macaque", "--dt-ms", "5"], "5e0"),
    ];
    for (args, needle) in refused {
        let o = neurograd(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(needle) && e.trim().lines().count() == 1,
            "{args:?}: {e}"
        );
    }
    let o = neurograd(&["simulate", "macaque", "--dt-ms", "5", "--quiet"]);
    assert!(stderr(&o).contains("dt_ms <="), "{}", stderr(&o));
    let o = neurograd(&["simulate", "hh", "--duration-ms", "1e300", "--dt-ms", "-1"]);
    assert!(stderr(&o).len() < 200, "{}", stderr(&o));
}

/// Budgets are never exceeded and silent acceptance is gone (issue 17 items 7-9, 11): every
/// run's evaluations stay within `--max-evals` (the GA's elites and CMA-ES's population no
/// longer overrun it), a budget below one generation, `--max-evals 0`, a seed range past
/// u64::MAX, an impossible CMA-ES dimension, empty `--hidden` entries, `--cosine-every 0` and
/// `--threads 10000` exit 2 naming the flag; every optimizer and function the help names is
/// accepted.
#[test]
fn budgets_hold_and_bad_values_are_refused() {
    for (alg, budget) in [
        ("ga", "1000"),
        ("cmaes", "500"),
        ("nes", "333"),
        ("random-search", "250"),
    ] {
        let v = json(&[
            "optimize",
            alg,
            "--json",
            "--quiet",
            "--seeds",
            "2",
            "--max-evals",
            budget,
            "--target=-1",
        ]);
        let b: u64 = budget.parse().unwrap();
        for r in v["runs"].as_array().unwrap() {
            let e = r["evaluations"].as_u64().unwrap();
            assert!(
                e <= b && e + 100 > b,
                "{alg}: {e} evaluations for budget {b}"
            );
        }
    }
    let refused: [(&[&str], &str); 21] = [
        (
            &[
                "optimize",
                "cmaes",
                "--max-evals",
                "500",
                "--popsize",
                "1000000",
            ],
            "max_evals",
        ),
        (&["optimize", "cmaes", "--max-evals", "1"], "max_evals"),
        (&["optimize", "cmaes", "--max-evals", "0"], "max_evals"),
        (
            &[
                "optimize",
                "cmaes",
                "--seed",
                "18446744073709551615",
                "--seeds",
                "3",
            ],
            "seeds",
        ),
        (&["optimize", "cmaes", "--dim", "100000000"], "dim"),
        (
            &["compare", "--hidden", "10000000000", "--epochs", "1"],
            "hidden",
        ),
        (&["features", "--units", "10000000"], "units"),
        (&["features", "--samples", "100000000000"], "samples"),
        (&["simulate", "coba", "--duration-ms", "1e9"], "duration_ms"),
        // found by the argument property test: these aborted (adex, alif: an 80 GB trace) or
        // ran for hours (macaque, lif-fi at 0.1 ms: 1e10 steps)
        (&["simulate", "adex", "--duration-ms", "1e9"], "duration_ms"),
        (&["simulate", "alif", "--duration-ms", "1e9"], "duration_ms"),
        (
            &["simulate", "macaque", "--duration-ms", "1e9"],
            "duration_ms",
        ),
        (
            &[
                "simulate",
                "lif-fi",
                "--duration-ms",
                "1e9",
                "--dt-ms",
                "0.1",
            ],
            "duration_ms",
        ),
        (&["simulate", "hh", "--duration-ms", "1e9"], "duration_ms"),
        (&["simulate", "coba", "--raster-ms=-1"], "raster_ms"),
        (&["simulate", "cuba", "--raster-ms", "nan"], "raster_ms"),
        (&["simulate", "adex", "--raster-ms", "100"], "raster_ms"),
        (&["compare", "--hidden", ",", "--epochs", "1"], "hidden"),
        (&["compare", "--hidden", "", "--epochs", "1"], "hidden"),
        (
            &["compare", "--hidden", "10,,10", "--epochs", "1"],
            "hidden",
        ),
        (
            &["compare", "--cosine-every", "0", "--epochs", "1"],
            "cosine_every",
        ),
    ];
    for (args, flag) in refused {
        let mut a = args.to_vec();
        a.push("--quiet");
        let o = neurograd(&a);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert!(
            e.contains(flag) && e.trim().lines().count() == 1,
            "{args:?}: {e}"
        );
    }
    let o = neurograd(&["--threads", "10000", "rules"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--threads"), "{}", stderr(&o));
    // the names in `optimize --help` are the accepted ones (the help once showed `es` and
    // `step-sphere`, which were refused)
    let help = String::from_utf8(neurograd(&["optimize", "--help"]).stdout).unwrap();
    let names = |key: &str| -> Vec<String> {
        let start = help.find(key).unwrap() + key.len();
        let text = &help[start..];
        let end = text.find(['.', '[', '\n']).unwrap();
        let text = &text[..end];
        text.replace(" or ", ", ")
            .split(',')
            .map(|w| w.split_whitespace().collect::<String>())
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (algs, funcs) = (names("Black-box optimizer:"), names("Test function:"));
    assert!(algs.len() == 6 && funcs.len() == 9, "{algs:?} {funcs:?}");
    for a in &algs {
        let o = neurograd(&[
            "optimize",
            a,
            "--dim",
            "2",
            "--seeds",
            "1",
            "--max-evals",
            "200",
            "--quiet",
        ]);
        assert_eq!(o.status.code(), Some(0), "{a}: {}", stderr(&o));
    }
    for f in &funcs {
        let o = neurograd(&[
            "optimize",
            "cmaes",
            "--function",
            f,
            "--dim",
            "4",
            "--seeds",
            "1",
            "--max-evals",
            "200",
            "--quiet",
        ]);
        assert_eq!(o.status.code(), Some(0), "{f}: {}", stderr(&o));
    }
}

#[test]
fn align_and_features_run() {
    let v = json(&["align", "--json", "--quiet", "--fa-steps", "200"]);
    let rows = v["rows"].as_array().unwrap();
    for a in ["ep", "ep-sym", "chl", "pc", "recirculation", "fa", "es"] {
        assert!(rows.iter().any(|r| r["algorithm"] == a), "{a}");
    }
    // Every PC precision gets a number (a relaxation stuck at the round-off floor would leave
    // it empty), and the error is first order in the precision: about 10x between 1e-2 and 1e-3.
    let pc: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r["algorithm"] == "pc")
        .map(|r| {
            let e = r["relative_error"].as_f64();
            assert!(e.is_some(), "pc row without an error: {r}");
            (r["value"].as_f64().unwrap(), e.unwrap())
        })
        .collect();
    let at = |pi: f64| pc.iter().find(|(p, _)| (p - pi).abs() < 1e-12).unwrap().1;
    let ratio = at(1e-2) / at(1e-3);
    assert!((8.0..=12.0).contains(&ratio), "pc ratio {ratio}: {pc:?}");
    let dir = tempfile::tempdir().unwrap();
    let v = json(&[
        "features",
        "--json",
        "--quiet",
        "--steps",
        "200",
        "--samples",
        "300",
        "--units",
        "4",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(v["sets"].as_array().unwrap().len(), 6);
    for set in v["sets"].as_array().unwrap() {
        let r = set["rank"].as_u64().unwrap();
        assert!((1..=4).contains(&r));
        let d = set["subspace_distance_to_pca"].as_f64().unwrap();
        assert!(d >= 0.0 && d <= (r as f64).sqrt() + 1e-9);
    }
    assert!(dir.path().join("features-digits-sanger.svg").is_file());
}

#[test]
fn unknown_names_list_the_valid_ones_with_exit_code_2() {
    let cases: [(&[&str], &str); 5] = [
        (&["compare", "--algorithms", "bp,nope", "--quiet"], "fa"),
        (&["simulate", "nope"], "macaque"),
        (&["optimize", "nope"], "cmaes"),
        (&["optimize", "cmaes", "--function", "nope"], "rastrigin"),
        (&["compare", "--dataset", "nope", "--quiet"], "mnist5k"),
    ];
    for (args, valid) in cases {
        let o = neurograd(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains("nope") && e.contains(valid), "{args:?}: {e}");
        assert_eq!(e.trim().lines().count(), 1, "one clear line: {e}");
    }
}

#[test]
fn missing_and_corrupt_files_give_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("absent.npy");
    let spec = format!("npy:{},{}", missing.display(), missing.display());
    let o = neurograd(&["compare", "--dataset", &spec, "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("absent.npy"));
    assert_eq!(stderr(&o).trim().lines().count(), 1);
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"not a numpy file at all").unwrap();
    let spec = format!("npy:{},{}", bad.display(), bad.display());
    let o = neurograd(&["compare", "--dataset", &spec, "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.npy"));
    assert_eq!(stderr(&o).trim().lines().count(), 1);
}

/// Label files that cannot be a classification are refused before anything is allocated (a
/// label of 10^12 once allocated 10^12 class names; a single class trained to a meaningless 100 %),
/// and features near the f64 limit (digits x 1e300) train like the digits instead of silently
/// turning into NaN at chance (issue 17 items 3, 7).
#[test]
fn label_files_are_checked_and_huge_features_train() {
    use neurograd::data::io::npy;
    let dir = tempfile::tempdir().unwrap();
    let digits = neurograd::data::bundled::digits().unwrap();
    let n = 400;
    let x = digits.features.rows(0, n).into_owned();
    let labels = &digits.labels[..n];
    let xp = dir.path().join("x.npy");
    npy::write_matrix(&xp, &x).unwrap();
    let run = |y: &[usize], xfile: &std::path::Path| {
        let yp = dir.path().join("y.npy");
        npy::write_labels(&yp, y).unwrap();
        let spec = format!("npy:{},{}", xfile.display(), yp.display());
        let out = dir.path().join("out");
        neurograd(&[
            "compare",
            "--dataset",
            &spec,
            "--algorithms",
            "bp",
            "--epochs",
            "20",
            "--hidden",
            "32",
            "--json",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let mut huge = labels.to_vec();
    huge[7] = 1_000_000_000_000;
    let o = run(&huge, &xp);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1000000000000 at index 7"),
        "{}",
        stderr(&o)
    );
    let o = run(&vec![3; n], &xp);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 2"), "{}", stderr(&o));
    let acc = |o: &Output| {
        assert!(o.status.success(), "{}", stderr(o));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        v["results"][0]["test_accuracy"].as_f64().unwrap()
    };
    let plain = acc(&run(labels, &xp));
    let big = dir.path().join("x_huge.npy");
    npy::write_matrix(&big, &(x * 1e300)).unwrap();
    let scaled = acc(&run(labels, &big));
    assert!(
        plain > 0.8 && (scaled - plain).abs() < 0.05,
        "plain {plain}, x 1e300 {scaled}"
    );
}

/// Output directories (issue 17 items 4, 5): an `--out` that cannot be written fails before
/// any work (the million-epoch run would otherwise never end) with one line naming it; default
/// directories are claimed per run (two runs started together get two directories, each with
/// its complete set of files); a usage error leaves no directory behind.
#[test]
fn output_directories_are_checked_first_and_unique() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let bad = file.join("sub");
    let o = neurograd(&[
        "compare",
        "--epochs",
        "1000000",
        "--quiet",
        "--out",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a-file") && stderr(&o).trim().lines().count() == 1,
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
    let spawn = || {
        Command::new(env!("CARGO_BIN_EXE_neurograd"))
            .args([
                "features",
                "--steps",
                "20",
                "--samples",
                "60",
                "--units",
                "2",
                "--quiet",
            ])
            .current_dir(tmp.path())
            .spawn()
            .unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
    let runs: Vec<_> = std::fs::read_dir(tmp.path().join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(runs.len(), 2, "{runs:?}");
    for r in &runs {
        assert!(r.join("features.json").is_file(), "{r:?}");
    }
    let clean = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_neurograd"))
        .args(["compare", "--algorithms", "nope", "--quiet"])
        .current_dir(clean.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        std::fs::read_dir(clean.path()).unwrap().count(),
        0,
        "left behind"
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(neurograd(&["no-such-subcommand"]).status.code(), Some(2));
    assert_eq!(
        neurograd(&["compare", "--epochs", "x"]).status.code(),
        Some(2)
    );
    assert_eq!(
        neurograd(&["optimize", "cmaes", "--dim", "0", "--quiet"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        neurograd(&["claims", "--only", "16"]).status.code(),
        Some(2)
    );
}

#[test]
fn divergence_is_a_failure_with_exit_code_1() {
    // A huge learning rate makes SGD-free Adam steps explode the tanh/identity network's logits.
    let o = neurograd(&[
        "compare",
        "--algorithms",
        "bp",
        "--lr",
        "1e300",
        "--epochs",
        "2",
        "--max-samples",
        "200",
        "--json",
        "--quiet",
        "--out",
        tempfile::tempdir().unwrap().path().to_str().unwrap(),
    ]);
    // compare records a divergence per algorithm instead of aborting the whole comparison, still
    // prints and writes its rows, and exits 1 because no algorithm produced a result; the row
    // has no accuracy (null, not 0) and its status names what diverged, the step and the norm
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let row = &v["results"][0];
    let status = row["status"].as_str().unwrap();
    assert!(
        status.contains("of bp diverged at step") && status.contains("norm"),
        "{v}"
    );
    assert!(
        row["test_accuracy"].is_null() && row["runs"][0]["test_accuracy"].is_null(),
        "{row}"
    );
    assert!(
        stderr(&o).contains("every algorithm failed"),
        "{}",
        stderr(&o)
    );
    // control: with one algorithm that trains, the same divergence leaves the exit code at 0
    let o = neurograd(&[
        "compare",
        "--algorithms",
        "bp,fa",
        "--lr",
        "1e300",
        "--epochs",
        "1",
        "--max-samples",
        "200",
        "--json",
        "--quiet",
        "--out",
        tempfile::tempdir().unwrap().path().to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ok = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["status"] == "ok");
    assert_eq!(o.status.code(), Some(if ok { 0 } else { 1 }), "{v}");
}

#[test]
fn rules_lists_the_registry_and_checks_a_rule() {
    let v = json(&["rules", "--json"]);
    let rules = v["rules"].as_array().unwrap();
    let kinds: Vec<&str> = rules.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(
        kinds.contains(&"rate") && kinds.contains(&"spike"),
        "{kinds:?}"
    );
    assert!(rules.iter().any(|r| r["name"] == "triplet-stdp"));
    for name in ["oja", "pair-stdp"] {
        let c = json(&["rules", "check", name, "--json", "--seed", "4"]);
        assert_eq!(c["passes"], true, "{name}: {c}");
        let rows = c["report"]["rows"].as_array().unwrap();
        assert!(
            rows.iter()
                .any(|r| r["control"] == true && r["holds"] == false)
        );
    }
    // --seed is honoured: other inputs, other measured errors
    let (a, b) = (
        json(&["rules", "check", "oja", "--json", "--seed", "1"]),
        json(&["rules", "check", "oja", "--json", "--seed", "2"]),
    );
    assert_ne!(
        a["report"]["rows"][0]["measured"],
        b["report"]["rows"][0]["measured"]
    );
    assert_eq!(a["seed"], 1);
    let none = json(&["rules", "check", "sanger", "--json"]);
    assert!(none["passes"].is_null(), "{none}");
    let bad = neurograd(&["rules", "check", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("pair-stdp"), "{}", stderr(&bad));
}

/// `compare --arch` trains a CNN on the dataset's images for every algorithm (digits: 1 x 8 x 8),
/// records the spec, names it in the table header; backprop's cosine to itself is 1 and the
/// readout-only control's is not; per layer (conv, dense), backprop's cosines are 1, the readout
/// control's frozen conv layer has none (`null`) and its exact readout 1, FA's conv layer is not
/// aligned; `--cosine-every 0` measures nothing. A bad spec, a dense-only algorithm and `--hidden`
/// together with `--arch` are one-line usage errors (exit 2).
#[test]
fn compare_arch_trains_a_cnn_and_validates_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().to_str().unwrap();
    let spec = "conv:6x3,pool:2,dense:10";
    let base = [
        "compare",
        "--quiet",
        "--epochs",
        "2",
        "--max-samples",
        "300",
        "--arch",
        spec,
        "--out",
        o,
    ];
    let mut a = base.to_vec();
    a.extend(["--json", "--algorithms", "bp,fa,readout"]);
    let v = json(&a);
    assert_eq!(v["params"]["arch"], spec);
    let r = v["results"].as_array().unwrap();
    assert_eq!(r.len(), 3);
    assert!((r[0]["mean_cosine_to_bp"].as_f64().unwrap() - 1.0).abs() < 1e-9);
    assert!(r[2]["mean_cosine_to_bp"].as_f64().unwrap() < 0.999);
    let layers = |i: usize| {
        r[i]["mean_cosine_to_bp_per_layer"]
            .as_array()
            .unwrap()
            .clone()
    };
    let bp = layers(0);
    assert_eq!(bp.len(), 2, "{bp:?}");
    assert!(
        bp.iter().all(|c| (c.as_f64().unwrap() - 1.0).abs() < 1e-9),
        "{bp:?}"
    );
    assert!(layers(1)[0].as_f64().unwrap() < 0.99, "{:?}", layers(1));
    let ro = layers(2);
    assert!(
        ro[0].is_null() && (ro[1].as_f64().unwrap() - 1.0).abs() < 1e-9,
        "{ro:?}"
    );
    let h = &r[1]["history"][0]["cosine_to_bp_per_layer"];
    assert_eq!(h.as_array().unwrap().len(), 2, "{h}");
    // `--cosine-every 0` is refused with --arch as without it (issue 17: the cosine is part of
    // compare's output, so turning it off silently is not offered)
    let mut a = base.to_vec();
    a.extend(["--json", "--algorithms", "fa", "--cosine-every", "0"]);
    let o = neurograd(&a);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("cosine_every"), "{}", stderr(&o));
    let mut a = base.to_vec();
    a.extend(["--algorithms", "bp"]);
    let t = neurograd(&a);
    assert!(t.status.success(), "{}", stderr(&t));
    let table = String::from_utf8_lossy(&t.stdout);
    assert!(table.contains(&format!("arch {spec}")), "{table}");
    for (arch, extra) in [
        ("conv:6x3,pool:2", "bp"),
        ("conv:6x3,pool:2,dense:7", "bp"),
        ("conv:6x9,dense:10", "bp"),
        (spec, "bp,pc"),
        (spec, "bp --hidden 32"),
    ] {
        let mut a = base.to_vec();
        a[7] = arch;
        a.push("--algorithms");
        a.extend(extra.split(' '));
        let e = neurograd(&a);
        assert_eq!(e.status.code(), Some(2), "{arch} {extra}: {}", stderr(&e));
        let msg = stderr(&e);
        assert!(
            ["arch", "network", "hidden", "readout"]
                .iter()
                .any(|w| msg.contains(w)),
            "{msg}"
        );
        assert_eq!(msg.trim().lines().count(), 1, "one clear line: {msg}");
    }
}
