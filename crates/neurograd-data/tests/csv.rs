//! CSV: reading files by label name or index, gzip, and the bad-input cases.

use neurograd_data::DataError;
use neurograd_data::io::csv::{CsvOptions, LabelColumn, read_csv};

#[test]
fn reads_plain_and_gzip_files() {
    let dir = tempfile::tempdir().unwrap();
    let text = "x0,label,x1\n0.5,1,2\n-1,0,3e-2\n";
    let p = dir.path().join("d.csv");
    std::fs::write(&p, text).unwrap();
    let by_name = CsvOptions {
        label: LabelColumn::Name("label".into()),
        ..Default::default()
    };
    let by_index = CsvOptions {
        label: LabelColumn::Index(1),
        ..Default::default()
    };
    let a = read_csv(&p, &by_name).unwrap();
    let b = read_csv(&p, &by_index).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.labels, vec![1, 0]);
    assert_eq!(a.features[(1, 1)], 3e-2);
    let gz = dir.path().join("d.csv.gz");
    neurograd_data::io::write_atomic(&gz, text.as_bytes(), true).unwrap();
    assert_eq!(read_csv(&gz, &by_name).unwrap(), a);
}

#[test]
fn bad_files_name_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ragged.csv");
    std::fs::write(&p, "a,b,y\n1,2,0\n1,2\n").unwrap();
    let e = read_csv(&p, &CsvOptions::default()).unwrap_err();
    assert!(matches!(e, DataError::RaggedRow { line: 3, .. }), "{e}");
    assert!(e.to_string().contains("ragged.csv"));
    let q = dir.path().join("inf.csv");
    std::fs::write(&q, "a,y\ninf,0\n").unwrap();
    let e = read_csv(&q, &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(e, DataError::NonFinite { .. }) && e.to_string().contains("inf.csv"),
        "{e}"
    );
    let r = dir.path().join("bin.csv");
    std::fs::write(&r, [0xff, 0xfe, b',', b'\n']).unwrap();
    assert!(matches!(
        read_csv(&r, &CsvOptions::default()),
        Err(DataError::Format { .. })
    ));
    let e = read_csv(dir.path().join("missing.csv"), &CsvOptions::default()).unwrap_err();
    assert!(matches!(e, DataError::Io { .. }) && e.to_string().contains("missing.csv"));
}
