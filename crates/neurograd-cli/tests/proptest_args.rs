//! Property test over the command's argument space (issue 17): random combinations of
//! subcommands, flags and values, valid and invalid, with tiny sizes. Whatever the combination,
//! the exit code is 0, 1 or 2 (never a panic's 101 or an abort's signal), stderr never says
//! "panicked", and a usage error (2) leaves no file behind: neither the `--out` directory nor a
//! default `runs/` directory in the working directory.

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;

/// Each flag of `table` at most once (probability 0.2 each) with one of its candidate values (a
/// mix of valid, boundary and invalid ones); `defaults` fill in the flags not drawn, so that the
/// valid combinations stay tiny.
fn flags(
    table: &'static [(&'static str, &'static [&'static str])],
    defaults: &'static [(&'static str, &'static str)],
) -> BoxedStrategy<Vec<String>> {
    table
        .iter()
        .map(|&(name, values)| {
            prop::option::weighted(0.2, prop::sample::select(values))
                .prop_map(move |v| v.map(|v| (name, v)))
                .boxed()
        })
        .collect::<Vec<_>>()
        .prop_map(move |drawn| {
            let drawn: Vec<(&str, &str)> = drawn.into_iter().flatten().collect();
            let mut out = Vec::new();
            for (name, v) in defaults {
                if !drawn.iter().any(|(n, _)| n == name) {
                    out.extend([name.to_string(), v.to_string()]);
                }
            }
            for (name, v) in drawn {
                out.push(name.to_string());
                out.push(v.to_string());
            }
            out
        })
        .boxed()
}

const COUNTS: &[&str] = &["0", "1", "2", "-1", "x", "", "1e3", "18446744073709551616"];
const REALS: &[&str] = &["0", "0.01", "1", "-1", "nan", "inf", "1e300", "abc", ""];

const COMPARE: &[(&str, &[&str])] = &[
    (
        "--algorithms",
        &["bp", "fa,dfa", "bp,nope", "", ",", "ss,es"],
    ),
    (
        "--hidden",
        &["4", "none", "4,3", ",", "", "0", "10,,10", "a"],
    ),
    ("--batch", COUNTS),
    ("--lr", REALS),
    ("--target", REALS),
    ("--cosine-every", COUNTS),
    ("--seeds", &["1", "2", "0", "-3"]),
    ("--test-fraction", &["0.25", "0", "1", "0.5", "nan"]),
    (
        "--dataset",
        &["digits", "nope", "idx:/nonexistent", "npy:a.npy", ""],
    ),
    (
        "--arch",
        &["conv:2x3,pool:2,dense:10", "conv:0x3", "dense:3", "nope"],
    ),
    ("--max-samples", &["60", "0", "1", "x"]),
    ("--epochs", &["1", "0", "x"]),
];

fn compare() -> BoxedStrategy<Vec<String>> {
    flags(
        COMPARE,
        &[
            ("--epochs", "1"),
            ("--max-samples", "60"),
            ("--hidden", "4"),
            ("--algorithms", "bp"),
        ],
    )
    .prop_map(|v| [vec!["compare".to_string()], v].concat())
    .boxed()
}

const OPTIMIZE: &[(&str, &[&str])] = &[
    (
        "--function",
        &["sphere", "rastrigin", "step_sphere", "step-sphere", "x"],
    ),
    ("--dim", &["2", "0", "1", "100000000000", "x"]),
    ("--max-evals", &["50", "0", "1", "-5"]),
    ("--popsize", &["4", "0", "1", "1000000"]),
    ("--seeds", &["1", "2", "0"]),
    ("--target", REALS),
];

fn optimize() -> BoxedStrategy<Vec<String>> {
    (
        prop::sample::select(&["cmaes", "ga", "random", "es", "nope"][..]),
        flags(OPTIMIZE, &[("--dim", "2"), ("--max-evals", "60")]),
    )
        .prop_map(|(alg, v)| [vec!["optimize".to_string(), alg.to_string()], v].concat())
        .boxed()
}

const SIMULATE: &[(&str, &[&str])] = &[
    (
        "--duration-ms",
        &["20", "0", "-1", "nan", "1e300", "1e9", "x"],
    ),
    ("--dt-ms", &["0.1", "0", "5", "-1", "1000", "nan"]),
    ("--raster-ms", &["10", "0", "-1", "inf", "1e300"]),
];

fn simulate() -> BoxedStrategy<Vec<String>> {
    (
        prop::sample::select(
            &[
                "lif-fi",
                "coba",
                "izhikevich",
                "adex",
                "balanced-amplification",
                "macaque",
                "x",
            ][..],
        ),
        flags(SIMULATE, &[("--duration-ms", "20")]),
    )
        .prop_map(|(m, v)| [vec!["simulate".to_string(), m.to_string()], v].concat())
        .boxed()
}

const FEATURES: &[(&str, &[&str])] = &[
    ("--steps", &["20", "0", "x"]),
    ("--samples", &["60", "0", "100000000000"]),
    ("--units", &["2", "0", "100000"]),
];

fn features() -> BoxedStrategy<Vec<String>> {
    flags(
        FEATURES,
        &[("--steps", "20"), ("--samples", "60"), ("--units", "2")],
    )
    .prop_map(|v| [vec!["features".to_string()], v].concat())
    .boxed()
}

const OTHER: &[&[&str]] = &[
    &["rules"],
    &["rules", "check", "nope"],
    &["claims", "--id", "nope"],
    &["nope"],
    &[],
    &["compare", "--nope"],
    &["align", "--fa-steps", "0"],
    &["compare", "--task", "nope"],
    &["compare", "--task", "patterns", "--epochs", "1"],
];

fn other() -> BoxedStrategy<Vec<String>> {
    prop::sample::select(OTHER)
        .prop_map(|a| a.iter().map(|s| s.to_string()).collect())
        .boxed()
}

const GLOBAL: &[(&str, &[&str])] = &[
    ("--seed", &["0", "7", "18446744073709551615", "-1", "x"]),
    ("--threads", &["1", "2", "0", "10000", "x"]),
    ("--json", &[""]),
    ("--quiet", &[""]),
    ("--bogus", &["1"]),
];

fn command_line() -> impl Strategy<Value = (Vec<String>, Vec<String>)> {
    (
        flags(GLOBAL, &[]).prop_map(|v| v.into_iter().filter(|s| !s.is_empty()).collect()),
        prop_oneof![compare(), optimize(), simulate(), features(), other()],
    )
}

/// Every file and directory below `dir` (relative), sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            out.push(e.path().display().to_string());
            if e.path().is_dir() {
                out.extend(tree(&e.path()));
            }
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_argument_combination_exits_0_1_or_2_without_panic(
        (global, sub) in command_line(),
        with_out in any::<bool>(),
    ) {
        let cwd = tempfile::tempdir().unwrap();
        let out = cwd.path().join("out");
        let mut args = global.clone();
        if with_out {
            args.extend(["--out".to_string(), out.display().to_string()]);
        }
        args.extend(sub);
        let o = Command::new(env!("CARGO_BIN_EXE_neurograd"))
            .args(&args)
            .current_dir(cwd.path())
            .env_remove("NEUROGRAD_TEST_INTERRUPT")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        let code = o.status.code();
        prop_assert!(matches!(code, Some(0..=2)), "{args:?}: exit {:?}\n{err}", o.status);
        prop_assert!(!err.contains("panicked"), "{args:?}: {err}");
        if code == Some(2) {
            prop_assert_eq!(tree(cwd.path()), Vec::<String>::new(), "{:?} left files: {}", args, err);
        }
    }
}
