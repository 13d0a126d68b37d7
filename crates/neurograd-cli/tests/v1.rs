//! `neurograd v1`: the JSON contract, every flag honoured (changing it changes the result) or
//! refused with exit code 2.

use serde_json::Value;

use super::{json, neurograd, stderr};

/// Small settings that run every method in seconds.
const SMALL: &[&str] = &[
    "v1",
    "--json",
    "--quiet",
    "--patch",
    "8",
    "--patches",
    "600",
    "--filters",
    "8",
    "--sparse-batches",
    "20",
    "--steps",
    "5",
    "--local-steps",
    "50",
    "--cnn-patches",
    "64",
    "--cnn-epochs",
    "1",
];

/// [`SMALL`] with `extra` appended; a flag given in `extra` replaces SMALL's value (a flag may
/// be given only once).
fn with_small<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args: Vec<&str> = vec![SMALL[0], SMALL[1], SMALL[2]];
    for pair in SMALL[3..].chunks(2) {
        if !extra.contains(&pair[0]) {
            args.extend_from_slice(pair);
        }
    }
    args.extend_from_slice(extra);
    args
}

fn run(extra: &[&str], dir: &std::path::Path) -> Value {
    let mut args = with_small(extra);
    args.extend_from_slice(&["--out", dir.to_str().unwrap()]);
    json(&args)
}

fn filters_of(v: &Value, i: usize) -> Value {
    v["methods"][i]["filters"].clone()
}

#[test]
fn v1_json_has_the_contract_keys_and_writes_figures() {
    let dir = tempfile::tempdir().unwrap();
    let v = run(&[], dir.path());
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    let methods = v["methods"].as_array().unwrap();
    let names = [
        "sparse-coding",
        "ica",
        "isa",
        "oja",
        "sanger",
        "bcm",
        "nonlinear-hebb",
        "cnn-bp",
        "cnn-fa",
        "cnn-dfa",
        "cnn-ss",
    ];
    assert_eq!(methods.len(), names.len());
    for (m, name) in methods.iter().zip(names) {
        assert_eq!(m["method"], name);
        let cnn = name.starts_with("cnn-");
        // the CNN autoencoder learns 16 kernels of 8 x 8 (its defaults; here the patch side)
        assert_eq!(m["n_filters"], if cnn { 16 } else { 8 });
        for key in ["fraction_gabor", "median_r2", "orientation_coverage"] {
            let x = m[key].as_f64().unwrap_or_else(|| panic!("{name}.{key}"));
            assert!(
                (0.0..=1.0).contains(&x) || key == "median_r2",
                "{name}.{key} = {x}"
            );
        }
        for key in ["median_nx", "median_ny"] {
            assert!(
                m[key].is_null() || m[key].as_f64().unwrap() > 0.0,
                "{name}.{key}"
            );
        }
        assert_eq!(
            m["filters"].as_array().unwrap().len(),
            m["n_filters"].as_u64().unwrap() as usize
        );
        assert_eq!(m["filters"][0].as_array().unwrap().len(), 64);
        assert_eq!(
            m["fits"].as_array().unwrap().len(),
            m["n_filters"].as_u64().unwrap() as usize
        );
        assert_eq!(m["complex_cells"].is_null(), name != "isa", "{name}");
    }
    let isa = &methods[2]["complex_cells"];
    for key in [
        "median_coherence",
        "median_phase_invariance",
        "random_groups_coherence",
        "random_groups_phase_invariance",
    ] {
        let x = isa[key].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&x), "{key} = {x}");
    }
    assert!(v["ringach"]["n_cells"] == 79, "{}", v["ringach"]);
    for f in [
        "v1.json",
        "v1-nx-ny.svg",
        "v1-ica-filters.svg",
        "v1-isa-orientation.svg",
        "v1-sparse-coding-frequency.svg",
        "v1-cnn-fa-filters.svg",
    ] {
        assert!(dir.path().join(f).exists(), "{f} missing");
    }
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("v1.json")).unwrap())
            .unwrap();
    assert_eq!(saved["methods"][0]["method"], "sparse-coding");
}

/// Writes a 2-D uint8 `.npy` (format 1.0) of a smooth random-phase image.
fn write_npy(path: &std::path::Path, rows: usize, cols: usize) {
    let mut header =
        format!("{{'descr': '|u1', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for r in 0..rows {
        for c in 0..cols {
            let v = 128.0
                + 60.0 * ((r as f64 * 0.3).sin() * (c as f64 * 0.17).cos())
                + ((r * 7919 + c * 104_729) % 31) as f64;
            bytes.push(v.clamp(0.0, 255.0) as u8);
        }
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn v1_every_flag_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let base = run(&["--methods", "ica,isa,oja,sparse-coding"], d);
    let same = run(&["--methods", "ica,isa,oja,sparse-coding"], d);
    assert_eq!(base["methods"], same["methods"], "not deterministic");
    let seed = run(
        &["--methods", "ica,isa,oja,sparse-coding", "--seed", "3"],
        d,
    );
    assert_ne!(filters_of(&base, 0), filters_of(&seed, 0), "--seed ignored");
    let patches = run(&["--methods", "ica", "--patches", "700"], d);
    assert_ne!(
        filters_of(&base, 0),
        filters_of(&patches, 0),
        "--patches ignored"
    );
    let patch = run(&["--methods", "ica", "--patch", "6"], d);
    assert_eq!(
        patch["methods"][0]["filters"][0].as_array().unwrap().len(),
        36
    );
    let filters = run(&["--methods", "ica", "--filters", "12"], d);
    assert_eq!(filters["methods"][0]["n_filters"], 12);
    let steps = run(&["--methods", "ica,isa", "--steps", "6"], d);
    assert_ne!(
        filters_of(&base, 1),
        filters_of(&steps, 1),
        "--steps ignored"
    );
    let local = run(&["--methods", "ica,isa,oja", "--local-steps", "60"], d);
    assert_ne!(
        filters_of(&base, 2),
        filters_of(&local, 2),
        "--local-steps ignored"
    );
    let sparse = run(
        &[
            "--methods",
            "ica,isa,oja,sparse-coding",
            "--sparse-batches",
            "21",
        ],
        d,
    );
    assert_ne!(
        filters_of(&base, 3),
        filters_of(&sparse, 3),
        "--sparse-batches ignored"
    );
    for control in ["white", "phase-scrambled"] {
        let c = run(&["--methods", "ica", "--control", control], d);
        assert_eq!(c["params"]["control"], control);
        assert_ne!(
            filters_of(&base, 0),
            filters_of(&c, 0),
            "--control {control} ignored"
        );
    }
    let zca = run(&["--methods", "ica", "--whitening", "zca-per-image"], d);
    assert_eq!(zca["params"]["whitening"], "zca-per-image");
    assert_eq!(base["params"]["whitening"], "olshausen-field");
    assert_ne!(
        filters_of(&base, 0),
        filters_of(&zca, 0),
        "--whitening ignored"
    );
    let img = d.join("img.npy");
    write_npy(&img, 80, 90);
    let user = run(&["--methods", "ica", "--images", img.to_str().unwrap()], d);
    assert_eq!(user["params"]["images"][0], img.to_str().unwrap());
    assert_ne!(
        filters_of(&base, 0),
        filters_of(&user, 0),
        "--images ignored"
    );
    let cnn = run(&["--methods", "cnn-bp"], d);
    let cnn_patches = run(&["--methods", "cnn-bp", "--cnn-patches", "80"], d);
    assert_ne!(
        filters_of(&cnn, 0),
        filters_of(&cnn_patches, 0),
        "--cnn-patches ignored"
    );
    let cnn_epochs = run(&["--methods", "cnn-bp", "--cnn-epochs", "2"], d);
    assert_ne!(
        filters_of(&cnn, 0),
        filters_of(&cnn_epochs, 0),
        "--cnn-epochs ignored"
    );
    let cnn_seed = run(&["--methods", "cnn-bp", "--seed", "3"], d);
    assert_ne!(
        filters_of(&cnn, 0),
        filters_of(&cnn_seed, 0),
        "--seed ignored by cnn-bp"
    );
}

/// Without `--json` the table is printed, with the Ringach comparison row.
#[test]
fn v1_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<&str> = SMALL.iter().copied().filter(|a| *a != "--json").collect();
    args.extend_from_slice(&["--methods", "ica", "--out", dir.path().to_str().unwrap()]);
    let o = neurograd(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("Ringach 2002") && out.contains("ica"), "{out}");
    assert!(dir.path().join("v1-ica-filters.svg").exists());
}

/// A file that is not a `.npy` image is a typed error (exit code 2) naming the file.
#[test]
fn v1_refuses_a_bad_npy() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"this is not a numpy file").unwrap();
    let mut args: Vec<&str> = SMALL.to_vec();
    args.extend_from_slice(&["--methods", "ica", "--images", bad.to_str().unwrap()]);
    let o = neurograd(&args);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("bad.npy"), "{}", stderr(&o));
}

#[test]
fn v1_refuses_bad_input_with_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--methods", "ica,ica"], "twice"),
        (&["--cnn-patches", "1"], "cnn_patches"),
        (&["--cnn-epochs", "0"], "cnn_epochs"),
        (&["--sparse-batches", "0"], "sparse_batches"),
        (&["--methods", "pca"], "sparse-coding"),
        (&["--control", "pink"], "phase-scrambled"),
        (&["--whitening", "pca"], "zca-per-image"),
        (
            &["--whitening", "zca-per-image", "--patches", "300"],
            "patches per image",
        ),
        (&["--methods", "isa", "--filters", "6"], "multiple of 4"),
        (&["--patch", "2"], "patch"),
        (&["--filters", "65"], "filters"),
        (&["--patches", "10"], "patches"),
        (&["--images", "/nonexistent/x.npy"], "nonexistent"),
    ];
    for (extra, needle) in cases {
        let o = neurograd(&with_small(extra));
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{extra:?}: {}", stderr(&o));
    }
}
