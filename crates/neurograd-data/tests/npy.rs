//! `.npy`: reading NumPy's own files, exact write -> read round trips, atomic writes.

use neurograd_data::io::npy::{self, NpyArray, NpyData};
use neurograd_data::{DataError, Matrix};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `np.arange(6).reshape(2, 3)` as a matrix.
fn a6() -> Matrix {
    Matrix::from_row_slice(2, 3, &[0., 1., 2., 3., 4., 5.])
}

/// Every supported dtype and order, as written by NumPy 2.4.6 (tests/fixtures/README.md).
#[test]
fn reads_numpy_files() {
    assert_eq!(npy::read_matrix(fixture("f8_c.npy")).unwrap(), a6());
    assert_eq!(npy::read_matrix(fixture("f4_c.npy")).unwrap(), a6() / 2.0);
    assert_eq!(npy::read_matrix(fixture("u1_c.npy")).unwrap(), a6());
    assert_eq!(npy::read_matrix(fixture("i4_f.npy")).unwrap(), a6());
    assert_eq!(npy::read_matrix(fixture("f8_be.npy")).unwrap(), a6());
    assert_eq!(npy::read_matrix(fixture("f8_v2.npy")).unwrap(), a6());
    let f = npy::read_matrix(fixture("f8_f.npy")).unwrap();
    assert_eq!(f, Matrix::from_fn(3, 4, |r, c| (4 * r + c) as f64));
    let f3 = npy::read_matrix(fixture("f8_3d_f.npy")).unwrap();
    assert_eq!(f3, Matrix::from_fn(2, 6, |r, c| (6 * r + c) as f64));
    assert_eq!(
        npy::read_labels(fixture("i8_1d.npy")).unwrap(),
        vec![3, 1, 4, 1, 5]
    );
    assert!(npy::read_npy(fixture("i4_f.npy")).unwrap().fortran_order);
    let e = npy::read_matrix(fixture("c8_c.npy")).unwrap_err();
    assert!(matches!(e, DataError::UnsupportedDtype { .. }), "{e}");
    assert!(
        e.to_string().contains("c8_c.npy") && e.to_string().contains("c8"),
        "{e}"
    );
}

/// The writer's bytes equal NumPy's `np.save` bytes for the same C-order `<f8` array.
#[test]
fn writer_bytes_equal_numpy() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("m.npy");
    npy::write_matrix(&p, &a6()).unwrap();
    assert_eq!(
        std::fs::read(&p).unwrap(),
        std::fs::read(fixture("f8_c.npy")).unwrap()
    );
}

/// Write -> read is exact for every dtype, both orders, raw and gzip.
#[test]
fn round_trips_exact() {
    let dir = tempfile::tempdir().unwrap();
    let shape = vec![3, 2, 2];
    let cases = vec![
        NpyData::F32((0..12).map(|i| i as f32 * 0.1 - 0.3).collect()),
        NpyData::F64((0..12).map(|i| (i as f64).sin() * 1e300).collect()),
        NpyData::U8((0..12).map(|i| (i * 21) as u8).collect()),
        NpyData::I32((0..12).map(|i| i32::MIN + i * 1_000_003).collect()),
        NpyData::I64((0..12).map(|i| i64::MAX - i * 7).collect()),
    ];
    for (k, data) in cases.into_iter().enumerate() {
        for fortran in [false, true] {
            for gz in [false, true] {
                let a = NpyArray::new(shape.clone(), fortran, data.clone()).unwrap();
                let p = dir
                    .path()
                    .join(format!("a{k}{fortran}.npy{}", if gz { ".gz" } else { "" }));
                npy::write_npy(&p, &a).unwrap();
                assert_eq!(npy::read_npy(&p).unwrap(), a);
            }
        }
    }
    let m = Matrix::from_fn(5, 3, |r, c| (r as f64 + 0.1).powi(c as i32 + 1) / 3.0);
    let p = dir.path().join("m.npy");
    npy::write_matrix(&p, &m).unwrap();
    assert_eq!(npy::read_matrix(&p).unwrap(), m);
    let labels = vec![0usize, 9, 3, 3];
    let q = dir.path().join("y.npy");
    npy::write_labels(&q, &labels).unwrap();
    assert_eq!(npy::read_labels(&q).unwrap(), labels);
    let r = dir.path().join("x.npy");
    npy::write_matrix(&r, &Matrix::zeros(4, 2)).unwrap();
    let ds = npy::load_dataset(&r, &q).unwrap();
    assert_eq!((ds.len(), ds.n_classes()), (4, 10));
    let r = npy::load_dataset(&p, &q);
    assert!(
        matches!(
            r,
            Err(DataError::ShapeMismatch {
                expected: (5, 1),
                got: (4, 1),
                ..
            })
        ),
        "5 rows vs 4 labels must be a shape mismatch: {:?}",
        r.err()
    );
}

/// NaN in a float file is reported with the file name; a failed write leaves no file.
#[test]
fn nonfinite_and_failed_writes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("nan.npy");
    let a = NpyArray::new(vec![2], false, NpyData::F64(vec![1.0, f64::NAN])).unwrap();
    npy::write_npy(&p, &a).unwrap();
    let e = npy::read_matrix(&p).unwrap_err();
    assert!(
        matches!(e, DataError::NonFinite { row: 1, col: 0, .. }),
        "{e}"
    );
    assert!(e.to_string().contains("nan.npy"));
    // Writing into a directory path fails at the rename and leaves no temporary file behind.
    let target = dir.path().join("adir");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep"), b"x").unwrap();
    assert!(matches!(
        npy::write_matrix(&target, &Matrix::zeros(1, 1)),
        Err(DataError::Io { .. })
    ));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
