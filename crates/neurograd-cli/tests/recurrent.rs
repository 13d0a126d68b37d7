//! `compare --task` and `align --task`: the JSON contract of the issue, the files and figures,
//! every flag honoured (changing it changes the result) or refused (exit code 2).

use super::{json, neurograd, stderr};
use serde_json::Value;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

fn compare(extra: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap().to_string();
    let mut args = vec![
        "compare", "--task", "evidence", "--small", "--json", "--quiet", "--out", &d,
    ];
    // the defaults of these tests unless overridden
    for (flag, value) in [("--iterations", "2"), ("--batch", "8")] {
        if !extra.contains(&flag) {
            args.extend_from_slice(&[flag, value]);
        }
    }
    args.extend_from_slice(extra);
    json(&args)
}

#[test]
fn compare_task_json_contract_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let v = json(&[
        "compare",
        "--task",
        "evidence",
        "--small",
        "--iterations",
        "3",
        "--batch",
        "8",
        "--algorithms",
        "bptt,eprop-sym",
        "--cosine-every",
        "1",
        "--json",
        "--quiet",
        "--out",
        d,
    ]);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(
            keys(r),
            [
                "algorithm",
                "final_loss",
                "iterations",
                "mean_cosine_to_bptt",
                "peak_gradient_state_bytes",
                "test_accuracy",
                "wall_s"
            ]
        );
        assert_eq!(r["iterations"], 3);
        assert!(r["test_accuracy"].as_f64().unwrap() >= 0.0);
        assert!(r["peak_gradient_state_bytes"].as_u64().unwrap() > 0);
    }
    assert_eq!(results[0]["algorithm"], "bptt");
    let c = results[0]["mean_cosine_to_bptt"].as_f64().unwrap();
    assert!((c - 1.0).abs() < 1e-12, "bptt against itself: {c}");
    let c = results[1]["mean_cosine_to_bptt"].as_f64().unwrap();
    assert!(c < 1.0 - 1e-6, "eprop-sym is not bptt: {c}");
    for f in [
        "run.json",
        "iterations.csv",
        "learning_curves.svg",
        "cosine_to_bptt.svg",
        "raster.svg",
    ] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
    let h = &v["histories"][0];
    assert!(!h["raster"].as_array().unwrap().is_empty());
    assert_eq!(h["records"].as_array().unwrap().len(), 3);
}

#[test]
fn compare_task_regression_has_null_accuracy() {
    let dir = tempfile::tempdir().unwrap();
    let v = json(&[
        "compare",
        "--task",
        "patterns",
        "--small",
        "--network",
        "rate",
        "--iterations",
        "2",
        "--algorithms",
        "bptt,rflo",
        "--json",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    for r in v["results"].as_array().unwrap() {
        assert!(r["test_accuracy"].is_null());
        assert!(r["final_loss"].as_f64().unwrap() > 0.0);
    }
}

/// Every task flag is honoured: changing it changes the result.
#[test]
fn compare_task_flags_are_honoured() {
    let base = compare(&[]);
    let loss = |v: &Value| v["results"][0]["final_loss"].as_f64().unwrap();
    assert_eq!(base["results"][0]["iterations"], 2);
    assert_eq!(base["results"].as_array().unwrap().len(), 3);
    assert_eq!(base["units"], 20);
    assert_ne!(loss(&compare(&["--seed", "1"])), loss(&base));
    assert_ne!(loss(&compare(&["--batch", "4"])), loss(&base));
    assert_ne!(
        loss(&compare(&["--lr", "0.05", "--iterations", "3"])),
        loss(&compare(&["--iterations", "3"]))
    );
    assert_eq!(
        compare(&["--iterations", "3"])["results"][0]["iterations"],
        3
    );
    assert_eq!(compare(&["--units", "12"])["units"], 12);
    // The cosine to BPTT is part of the output: 0 is refused (issue 17 item 7), not read as "off".
    let zero = neurograd(&[
        "compare",
        "--task",
        "evidence",
        "--small",
        "--quiet",
        "--iterations",
        "2",
        "--cosine-every",
        "0",
    ]);
    assert_eq!(zero.status.code(), Some(2), "{}", stderr(&zero));
    assert!(stderr(&zero).contains("cosine_every"), "{}", stderr(&zero));
    assert_ne!(loss(&compare(&["--lif-only"])), loss(&base));
    assert_ne!(
        loss(&compare(&["--network", "rate", "--algorithms", "bptt"])),
        loss(&base)
    );
    let stop = compare(&["--stop-error", "0.9", "--iterations", "30"]);
    assert_eq!(
        stop["results"][0]["iterations"], 10,
        "stops at the first validation after 0"
    );
    let one = compare(&["--algorithms", "eprop-random"]);
    assert_eq!(one["results"].as_array().unwrap().len(), 1);
    let small_off = json(&[
        "align",
        "--task",
        "evidence",
        "--network",
        "rate",
        "--algorithms",
        "bptt",
        "--json",
        "--quiet",
        "--small",
    ]);
    assert_eq!(small_off["results"].as_array().unwrap().len(), 1);
}

#[test]
fn align_task_json_contract() {
    let v = json(&[
        "align", "--task", "evidence", "--small", "--batch", "4", "--json", "--quiet",
    ]);
    let rows = v["results"].as_array().unwrap();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["algorithm"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"eprop-sym-wrec0") && names.contains(&"eprop-sym"),
        "{names:?}"
    );
    for r in rows {
        assert_eq!(
            keys(r),
            ["algorithm", "cosine_to_bptt", "relative_error_to_bptt"]
        );
    }
    let bptt = rows.iter().find(|r| r["algorithm"] == "bptt-sg").unwrap();
    assert_eq!(bptt["relative_error_to_bptt"].as_f64().unwrap(), 0.0);
    let tape = rows
        .iter()
        .find(|r| r["algorithm"] == "bptt-sg-tape")
        .unwrap();
    assert!(tape["relative_error_to_bptt"].as_f64().unwrap() < 1e-10);
    let e = rows
        .iter()
        .find(|r| r["algorithm"] == "eprop-random")
        .unwrap();
    assert!(e["relative_error_to_bptt"].as_f64().unwrap() > 1e-3);
}

/// Feed-forward-only flags with --task, task flags without it, unknown names: usage errors.
#[test]
fn task_flags_are_refused_where_they_do_not_apply() {
    for args in [
        &["compare", "--task", "evidence", "--epochs", "3", "--quiet"][..],
        &["compare", "--task", "evidence", "--hidden", "8", "--quiet"],
        &[
            "compare",
            "--task",
            "evidence",
            "--dataset",
            "mnist5k",
            "--quiet",
        ],
        &["compare", "--task", "evidence", "--seeds", "2", "--quiet"],
        &[
            "compare", "--task", "evidence", "--target", "0.5", "--quiet",
        ],
        &["compare", "--small", "--quiet"],
        &["compare", "--iterations", "3", "--quiet"],
        &["align", "--task", "evidence", "--fa-steps", "3", "--quiet"],
        &["align", "--algorithms", "bptt", "--quiet"],
        &["compare", "--task", "randman", "--lif-only", "--quiet"],
    ] {
        let o = neurograd(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    let o = neurograd(&["compare", "--task", "nope", "--quiet"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("spiking-digits"), "{}", stderr(&o));
    let o = neurograd(&[
        "align",
        "--task",
        "evidence",
        "--network",
        "nope",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rate"), "{}", stderr(&o));
    let o = neurograd(&[
        "compare",
        "--task",
        "evidence",
        "--small",
        "--algorithms",
        "nope",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("eprop-sym"), "{}", stderr(&o));
}
