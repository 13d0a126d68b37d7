//! NumPy `.npy` files (format versions 1.0, 2.0 and 3.0; NumPy Enhancement Proposal 1, "A Simple
//! File Format for NumPy Arrays", Kern 2007).
//!
//! Layout: the magic `\x93NUMPY`, a major and minor version byte, the header length (`u16` LE for
//! 1.0, `u32` LE for 2.0/3.0), then an ASCII (3.0: UTF-8) Python dict literal
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` padded with spaces and a
//! newline, then the raw data. Read dtypes: `f4`, `f8`, `u1`, `i4`, `i8`, little- or big-endian
//! (`<`, `>`, `|` for one byte), in C or Fortran order. The header is parsed by a small hand-written
//! parser (not `npyz`): it accepts exactly the dict NumPy writes and returns a typed error for
//! anything else, which the fuzz target and property tests exercise.
//!
//! Writing produces version 1.0 (2.0 when the header would exceed 65,535 bytes), little-endian,
//! with the header padded so the data starts at a multiple of 64 bytes, as NumPy >= 1.20 does,
//! through a temporary file renamed at the end.

use super::bytes::{
    BodyLenError, check_body_len, check_dims_len, decode, element_count, encode, parse_maybe_gz,
};
use super::{is_gz_path, read_maybe_gz, write_atomic};
use crate::dataset::{check_finite, numeric_class_names};
use crate::{DataError, Dataset, Result};
use neurograd_tensor::Matrix;
use std::path::Path;

const MAGIC: &[u8; 6] = b"\x93NUMPY";
const SUPPORTED: &str = "f4, f8, u1, i4, i8 (little- or big-endian)";

/// The element data of an `.npy` array, in file order (C or Fortran, see [`NpyArray`]).
#[derive(Debug, Clone, PartialEq)]
pub enum NpyData {
    /// `f4`.
    F32(Vec<f32>),
    /// `f8`.
    F64(Vec<f64>),
    /// `u1`.
    U8(Vec<u8>),
    /// `i4`.
    I32(Vec<i32>),
    /// `i8`.
    I64(Vec<i64>),
}

impl NpyData {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            NpyData::F32(v) => v.len(),
            NpyData::F64(v) => v.len(),
            NpyData::U8(v) => v.len(),
            NpyData::I32(v) => v.len(),
            NpyData::I64(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The little-endian dtype string written by [`NpyArray::to_bytes`].
    pub fn descr(&self) -> &'static str {
        match self {
            NpyData::F32(_) => "<f4",
            NpyData::F64(_) => "<f8",
            NpyData::U8(_) => "|u1",
            NpyData::I32(_) => "<i4",
            NpyData::I64(_) => "<i8",
        }
    }

    fn get_f64(&self, i: usize) -> f64 {
        match self {
            NpyData::F32(v) => f64::from(v[i]),
            NpyData::F64(v) => v[i],
            NpyData::U8(v) => f64::from(v[i]),
            NpyData::I32(v) => f64::from(v[i]),
            // i64 -> f64 rounds beyond 2^53, as NumPy's astype does.
            NpyData::I64(v) => v[i] as f64,
        }
    }

    fn get_int(&self, i: usize) -> Option<i64> {
        match self {
            NpyData::U8(v) => Some(i64::from(v[i])),
            NpyData::I32(v) => Some(i64::from(v[i])),
            NpyData::I64(v) => Some(v[i]),
            _ => None,
        }
    }
}

/// A parsed `.npy` array.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// The shape (empty for a scalar).
    pub shape: Vec<usize>,
    /// Whether `data` is in Fortran (column-major) order rather than C (row-major) order.
    pub fortran_order: bool,
    /// The elements in file order.
    pub data: NpyData,
}

impl NpyArray {
    /// Builds an array after checking that `shape` matches the data length.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] if the product of `shape` differs from the data length.
    pub fn new(shape: Vec<usize>, fortran_order: bool, data: NpyData) -> Result<NpyArray> {
        check_dims_len("shape", &shape, data.len(), "npy array")?;
        Ok(NpyArray {
            shape,
            fortran_order,
            data,
        })
    }

    /// Checks that the (public, hence user-settable) fields agree: product of `shape` equals the
    /// data length.
    fn check_consistent(&self) -> Result<()> {
        check_dims_len("shape", &self.shape, self.data.len(), "npy array")
    }

    /// The file-order position of the element whose C-order (row-major) position is `c_index`.
    fn file_pos(&self, c_index: usize) -> usize {
        if !self.fortran_order || self.shape.len() < 2 {
            return c_index;
        }
        // Decompose the C index into a multi-index (last axis fastest), recompose in Fortran order
        // (first axis fastest).
        let mut rem = c_index;
        let mut pos = 0;
        let mut stride = 1;
        let mut multi = vec![0; self.shape.len()];
        for (a, &s) in self.shape.iter().enumerate().rev() {
            multi[a] = rem % s;
            rem /= s;
        }
        for (a, &s) in self.shape.iter().enumerate() {
            pos += multi[a] * stride;
            stride *= s;
        }
        pos
    }

    /// The array as a matrix: shape `(n,)` gives `n x 1`, `(n, d)` gives `n x d`, and
    /// `(n, d1, d2, ...)` gives `n x (d1 d2 ...)` with the trailing axes flattened in C order
    /// (an image stack becomes one image per row). Values are converted to `f64`.
    ///
    /// # Errors
    /// [`DataError::Format`] for a 0-dimensional array, [`DataError::Empty`] for no elements,
    /// [`DataError::NonFinite`] for NaN/Inf, [`DataError::InvalidParameter`] if `shape` and the
    /// data length disagree.
    pub fn to_matrix(&self) -> Result<Matrix> {
        self.check_consistent()?;
        let (n, d) = match self.shape[..] {
            [] => {
                return Err(DataError::format(
                    "npy array",
                    "a 0-dimensional array (scalar) cannot be read as a matrix",
                ));
            }
            [n] => (n, 1),
            // With zero rows the trailing product may overflow (the array is empty anyway).
            _ => (self.shape[0], element_count(&self.shape[1..]).unwrap_or(0)),
        };
        if n == 0 || d == 0 {
            return Err(DataError::Empty {
                what: format!("npy array of shape {:?}", self.shape),
            });
        }
        let m = Matrix::from_fn(n, d, |r, c| self.data.get_f64(self.file_pos(r * d + c)));
        check_finite(&m, "npy array")?;
        Ok(m)
    }

    /// The array as labels: a 1-D (or `n x 1`) array of an integer dtype with values `>= 0`.
    ///
    /// # Errors
    /// [`DataError::UnsupportedDtype`]-style [`DataError::Format`] for float data, negative values
    /// or more than one column.
    pub fn to_labels(&self) -> Result<Vec<usize>> {
        self.check_consistent()?;
        let n = match self.shape[..] {
            [n] | [n, 1] => n,
            _ => {
                return Err(DataError::format(
                    "npy labels",
                    format!("labels need shape (n,) or (n, 1), got {:?}", self.shape),
                ));
            }
        };
        (0..n)
            .map(|i| {
                let v = self.data.get_int(i).ok_or_else(|| {
                    DataError::format(
                        "npy labels",
                        format!("labels need an integer dtype, got {}", self.data.descr()),
                    )
                })?;
                usize::try_from(v).map_err(|_| {
                    DataError::format("npy labels", format!("negative label {v} at index {i}"))
                })
            })
            .collect()
    }

    /// Serialises to `.npy` bytes (see the module docs for the exact layout).
    pub fn to_bytes(&self) -> Vec<u8> {
        let shape = match self.shape.len() {
            0 => "()".to_string(),
            1 => format!("({},)", self.shape[0]),
            _ => format!(
                "({})",
                self.shape
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let dict = format!(
            "{{'descr': '{}', 'fortran_order': {}, 'shape': {}, }}",
            self.data.descr(),
            if self.fortran_order { "True" } else { "False" },
            shape
        );
        // Pad with spaces so that magic + version + length + header (ending in '\n') is a multiple
        // of 64 bytes.
        let (version, len_bytes) = if dict.len() + 1 + 10 <= 65_535 {
            (1u8, 2)
        } else {
            (2u8, 4)
        };
        let pre = 6 + 2 + len_bytes;
        let total = (pre + dict.len() + 1).div_ceil(64) * 64;
        let hlen = total - pre;
        let mut out = Vec::with_capacity(total + self.data.len() * 8);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[version, 0]);
        if version == 1 {
            out.extend_from_slice(&(hlen as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(hlen as u32).to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.resize(total - 1, b' ');
        out.push(b'\n');
        match &self.data {
            NpyData::F32(v) => encode(&mut out, v, f32::to_le_bytes),
            NpyData::F64(v) => encode(&mut out, v, f64::to_le_bytes),
            NpyData::U8(v) => out.extend_from_slice(v),
            NpyData::I32(v) => encode(&mut out, v, i32::to_le_bytes),
            NpyData::I64(v) => encode(&mut out, v, i64::to_le_bytes),
        }
        out
    }
}

/// A value of the header dict.
#[derive(Debug, PartialEq)]
enum PyVal {
    Str(String),
    Bool(bool),
    Tuple(Vec<usize>),
}

/// A tiny parser for the Python dict literal of an `.npy` header.
struct HeaderParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl HeaderParser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn string(&mut self) -> std::result::Result<String, String> {
        self.ws();
        let q = match self.s.get(self.i) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => {
                return Err(format!(
                    "expected a quoted string at header byte {}",
                    self.i
                ));
            }
        };
        self.i += 1;
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i] != q {
            self.i += 1;
        }
        if self.i >= self.s.len() {
            return Err("unterminated string in header".into());
        }
        let v = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        self.i += 1;
        Ok(v)
    }
    fn value(&mut self) -> std::result::Result<PyVal, String> {
        self.ws();
        let rest = &self.s[self.i..];
        if rest.starts_with(b"True") {
            self.i += 4;
            return Ok(PyVal::Bool(true));
        }
        if rest.starts_with(b"False") {
            self.i += 5;
            return Ok(PyVal::Bool(false));
        }
        if self.eat(b'(') {
            let mut dims = Vec::new();
            loop {
                if self.eat(b')') {
                    return Ok(PyVal::Tuple(dims));
                }
                self.ws();
                let start = self.i;
                while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                    self.i += 1;
                }
                // Python 2 long literals, as in old files: `(3L, 4L)`.
                let digits = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                if digits.is_empty() {
                    return Err(format!("expected a dimension at header byte {}", self.i));
                }
                let d: usize = digits
                    .parse()
                    .map_err(|_| format!("dimension {digits} too large"))?;
                dims.push(d);
                if self.s.get(self.i) == Some(&b'L') {
                    self.i += 1;
                }
                if !self.eat(b',') {
                    if self.eat(b')') {
                        return Ok(PyVal::Tuple(dims));
                    }
                    return Err(format!(
                        "expected ',' or ')' in shape at header byte {}",
                        self.i
                    ));
                }
            }
        }
        Ok(PyVal::Str(self.string()?))
    }
    fn dict(&mut self) -> std::result::Result<Vec<(String, PyVal)>, String> {
        if !self.eat(b'{') {
            return Err("header does not start with '{'".into());
        }
        let mut out = Vec::new();
        loop {
            if self.eat(b'}') {
                break;
            }
            let k = self.string()?;
            if !self.eat(b':') {
                return Err(format!("expected ':' after key '{k}'"));
            }
            let v = self.value()?;
            out.push((k, v));
            if !self.eat(b',') {
                if self.eat(b'}') {
                    break;
                }
                return Err(format!("expected ',' or '}}' at header byte {}", self.i));
            }
        }
        self.ws();
        if self.i != self.s.len() {
            return Err(format!(
                "unexpected bytes after the header dict at byte {}",
                self.i
            ));
        }
        Ok(out)
    }
}

fn chunks<const N: usize, T>(
    body: &[u8],
    big: bool,
    le: fn([u8; N]) -> T,
    be: fn([u8; N]) -> T,
) -> Vec<T> {
    decode(body, if big { be } else { le })
}

/// Parses `.npy` bytes (or gzip-compressed `.npy` bytes); `source` names the origin in errors.
///
/// # Errors
/// [`DataError::Format`] for a wrong magic string, unknown version, truncated or malformed header,
/// or a data length that disagrees with the shape; [`DataError::UnsupportedDtype`] for a dtype
/// other than those listed in the module docs.
pub fn parse_npy(bytes: &[u8], source: &Path) -> Result<NpyArray> {
    parse_maybe_gz(bytes, source, parse_raw)
}

fn parse_raw(bytes: &[u8], source: &Path) -> Result<NpyArray> {
    let fmt = |r: String| DataError::format(source, r);
    if bytes.len() < 10 {
        return Err(fmt(format!(
            "truncated npy preamble: {} bytes, need at least 10",
            bytes.len()
        )));
    }
    if &bytes[..6] != MAGIC {
        return Err(fmt(
            "wrong npy magic string: the file must start with \\x93NUMPY".into(),
        ));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let (hlen, start) = match major {
        1 => (
            usize::from(u16::from_le_bytes([bytes[8], bytes[9]])),
            10usize,
        ),
        2 | 3 => {
            if bytes.len() < 12 {
                return Err(fmt(
                    "truncated npy preamble: version 2/3 needs 12 bytes".into()
                ));
            }
            (
                u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
                12,
            )
        }
        _ => {
            return Err(fmt(format!(
                "unsupported npy format version {major}.{minor}"
            )));
        }
    };
    let end = start
        .checked_add(hlen)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| {
            fmt(format!(
                "truncated npy header: declares {hlen} bytes, {} available",
                bytes.len() - start
            ))
        })?;
    let dict = HeaderParser {
        s: &bytes[start..end],
        i: 0,
    }
    .dict()
    .map_err(|r| fmt(format!("malformed npy header: {r}")))?;
    let mut descr = None;
    let mut fortran = None;
    let mut shape = None;
    for (k, v) in dict {
        match (k.as_str(), v) {
            ("descr", PyVal::Str(s)) => descr = Some(s),
            ("fortran_order", PyVal::Bool(b)) => fortran = Some(b),
            ("shape", PyVal::Tuple(t)) => shape = Some(t),
            (k, v) => return Err(fmt(format!("unexpected npy header entry '{k}': {v:?}"))),
        }
    }
    let (Some(descr), Some(fortran_order), Some(shape)) = (descr, fortran, shape) else {
        return Err(fmt(
            "npy header lacks one of 'descr', 'fortran_order', 'shape'".into(),
        ));
    };
    let unsupported = || DataError::UnsupportedDtype {
        path: source.into(),
        dtype: descr.clone(),
        supported: SUPPORTED.into(),
    };
    let (order, kind) = match descr.as_bytes() {
        [o @ (b'<' | b'>' | b'|' | b'='), rest @ ..] => (*o, rest),
        _ => return Err(unsupported()),
    };
    let big = order == b'>';
    let elem = match kind {
        b"f4" | b"i4" => 4,
        b"f8" | b"i8" => 8,
        b"u1" => 1,
        _ => return Err(unsupported()),
    };
    if order == b'|' && elem != 1 {
        return Err(unsupported());
    }
    let body = &bytes[end..];
    check_body_len(&shape, elem, body.len()).map_err(|e| {
        fmt(match e {
            BodyLenError::Mismatch { need, kind } => format!(
                "npy shape {shape:?} of {descr} needs {need} data bytes, file has {} ({kind})",
                body.len()
            ),
            BodyLenError::Overflow => format!("npy shape {shape:?} overflows the address space"),
        })
    })?;
    let data = match kind {
        b"f4" => NpyData::F32(chunks(body, big, f32::from_le_bytes, f32::from_be_bytes)),
        b"f8" => NpyData::F64(chunks(body, big, f64::from_le_bytes, f64::from_be_bytes)),
        b"i4" => NpyData::I32(chunks(body, big, i32::from_le_bytes, i32::from_be_bytes)),
        b"i8" => NpyData::I64(chunks(body, big, i64::from_le_bytes, i64::from_be_bytes)),
        _ => NpyData::U8(body.to_vec()),
    };
    Ok(NpyArray {
        shape,
        fortran_order,
        data,
    })
}

/// Reads an `.npy` file (raw or gzip-compressed).
///
/// # Errors
/// As [`parse_npy`], plus [`DataError::Io`].
pub fn read_npy(path: impl AsRef<Path>) -> Result<NpyArray> {
    let path = path.as_ref();
    parse_raw(&read_maybe_gz(path)?, path)
}

/// Puts the file's name into the errors of [`NpyArray::to_matrix`] (which only knows "npy array").
pub(crate) fn name_errors(e: DataError, path: &Path) -> DataError {
    match e {
        DataError::Format { reason, .. } => DataError::Format {
            path: path.into(),
            reason,
        },
        DataError::NonFinite {
            row, col, value, ..
        } => DataError::NonFinite {
            what: path.display().to_string(),
            row,
            col,
            value,
        },
        DataError::Empty { what } => DataError::Empty {
            what: format!("{what} in {}", path.display()),
        },
        other => other,
    }
}

/// Reads an `.npy` file into a matrix (see [`NpyArray::to_matrix`]).
///
/// # Errors
/// As [`read_npy`] and [`NpyArray::to_matrix`], naming the file.
pub fn read_matrix(path: impl AsRef<Path>) -> Result<Matrix> {
    let path = path.as_ref();
    read_npy(path)?
        .to_matrix()
        .map_err(|e| name_errors(e, path))
}

/// Reads an `.npy` file of integer labels (see [`NpyArray::to_labels`]).
///
/// # Errors
/// As [`read_npy`] and [`NpyArray::to_labels`], naming the file.
pub fn read_labels(path: impl AsRef<Path>) -> Result<Vec<usize>> {
    let path = path.as_ref();
    read_npy(path)?
        .to_labels()
        .map_err(|e| name_errors(e, path))
}

/// Loads a dataset from a features `.npy` and a labels `.npy`. Class names are `"0".."k-1"` with
/// `k = max label + 1`.
///
/// # Errors
/// As [`read_matrix`], [`read_labels`] and [`Dataset::new`].
pub fn load_dataset(features: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Dataset> {
    let x = read_matrix(&features)?;
    let y = read_labels(&labels)?;
    if y.len() != x.nrows() {
        return Err(DataError::ShapeMismatch {
            op: "npy load_dataset: labels vs feature rows",
            expected: (x.nrows(), 1),
            got: (y.len(), 1),
        });
    }
    let k = y.iter().copied().max().map_or(1, |m| m + 1);
    Dataset::new(x, y, numeric_class_names(k), None)
}

/// Writes an array as `.npy` atomically (temporary file + rename); gzip-compressed when the name
/// ends in `.gz`.
///
/// # Errors
/// [`DataError::Io`].
pub fn write_npy(path: impl AsRef<Path>, array: &NpyArray) -> Result<()> {
    let path = path.as_ref();
    write_atomic(path, &array.to_bytes(), is_gz_path(path))
}

/// Writes a matrix as a C-order `<f8` array of shape `(rows, cols)`.
///
/// # Errors
/// [`DataError::Io`].
pub fn write_matrix(path: impl AsRef<Path>, m: &Matrix) -> Result<()> {
    // nalgebra stores column-major, which is exactly Fortran order: no copy into C order needed,
    // but C order is what most readers expect, so write C order.
    let data: Vec<f64> = (0..m.nrows())
        .flat_map(|r| m.row(r).iter().copied().collect::<Vec<_>>())
        .collect();
    write_npy(
        path,
        &NpyArray {
            shape: vec![m.nrows(), m.ncols()],
            fortran_order: false,
            data: NpyData::F64(data),
        },
    )
}

/// Writes labels as a `<i8` array of shape `(n,)`.
///
/// # Errors
/// [`DataError::Io`], or [`DataError::InvalidParameter`] for a label above `i64::MAX`.
pub fn write_labels(path: impl AsRef<Path>, labels: &[usize]) -> Result<()> {
    let data = labels
        .iter()
        .map(|&l| i64::try_from(l).map_err(|_| DataError::invalid("labels", l, "exceeds i64::MAX")))
        .collect::<Result<Vec<i64>>>()?;
    write_npy(
        path,
        &NpyArray {
            shape: vec![labels.len()],
            fortran_order: false,
            data: NpyData::I64(data),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes as NumPy 2.x writes `np.save(f, np.arange(6, dtype='<i4').reshape(2, 3))`: header
    /// dict padded to 128 bytes in total (pinned from the NEP 1 layout rules).
    fn numpy_like() -> Vec<u8> {
        let dict = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        let hlen = 128 - 10;
        b.extend_from_slice(&(hlen as u16).to_le_bytes());
        b.extend_from_slice(dict.as_bytes());
        b.resize(127, b' ');
        b.push(b'\n');
        for i in 0..6i32 {
            b.extend_from_slice(&i.to_le_bytes());
        }
        b
    }

    #[test]
    fn parses_numpy_layout_and_own_output_is_identical() {
        let b = numpy_like();
        let a = parse_npy(&b, Path::new("x.npy")).unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, NpyData::I32(vec![0, 1, 2, 3, 4, 5]));
        assert_eq!(a.to_bytes(), b);
        let m = a.to_matrix().unwrap();
        assert_eq!(m[(1, 0)], 3.0);
    }

    #[test]
    fn fortran_order_and_big_endian() {
        // Fortran order (2, 3): file holds columns: [a00 a10 a01 a11 a02 a12].
        let a =
            NpyArray::new(vec![2, 3], true, NpyData::F64(vec![0., 3., 1., 4., 2., 5.])).unwrap();
        let m = a.to_matrix().unwrap();
        assert_eq!(m, Matrix::from_row_slice(2, 3, &[0., 1., 2., 3., 4., 5.]));
        // 3-D Fortran (2, 2, 2) flattened per row in C order.
        let f: Vec<f64> = vec![0., 4., 2., 6., 1., 5., 3., 7.];
        let a = NpyArray::new(vec![2, 2, 2], true, NpyData::F64(f)).unwrap();
        let m = a.to_matrix().unwrap();
        assert_eq!(
            m,
            Matrix::from_row_slice(2, 4, &[0., 1., 2., 3., 4., 5., 6., 7.])
        );
        let mut b = numpy_like();
        let s = String::from_utf8_lossy(&b[10..128]).replace("<i4", ">i4");
        b[10..128].copy_from_slice(s.as_bytes());
        for i in 0..6 {
            b[128 + 4 * i..132 + 4 * i].copy_from_slice(&(i as i32).to_be_bytes());
        }
        assert_eq!(
            parse_npy(&b, Path::new("be")).unwrap().data,
            NpyData::I32(vec![0, 1, 2, 3, 4, 5])
        );
    }

    #[test]
    fn bad_files() {
        let p = Path::new("bad.npy");
        let b = numpy_like();
        let e = parse_npy(&b[..b.len() - 1], p).unwrap_err();
        assert!(
            e.to_string().contains("truncated") && e.to_string().contains("bad.npy"),
            "{e}"
        );
        let e = parse_npy(&b[..30], p).unwrap_err();
        assert!(e.to_string().contains("truncated npy header"), "{e}");
        let mut c = b.clone();
        c[0] = b'X';
        assert!(parse_npy(&c, p).unwrap_err().to_string().contains("magic"));
        let mut c = b.clone();
        let s = String::from_utf8_lossy(&c[10..128]).replace("<i4", "<c8");
        c[10..128].copy_from_slice(s.as_bytes());
        assert!(matches!(
            parse_npy(&c, p),
            Err(DataError::UnsupportedDtype { .. })
        ));
        let mut c = b.clone();
        c.push(0);
        assert!(
            parse_npy(&c, p)
                .unwrap_err()
                .to_string()
                .contains("trailing")
        );
        let mut c = b;
        c[6] = 9;
        assert!(
            parse_npy(&c, p)
                .unwrap_err()
                .to_string()
                .contains("version")
        );
    }

    /// Zero rows times huge trailing dimensions is a valid empty array whose trailing product
    /// overflows: an error, not an overflow panic.
    #[test]
    fn empty_array_with_huge_dims() {
        let a = NpyArray::new(vec![0, 1 << 40, 1 << 40], false, NpyData::U8(vec![])).unwrap();
        assert!(matches!(a.to_matrix(), Err(DataError::Empty { .. })));
        let b = parse_npy(&a.to_bytes(), Path::new("e")).unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn labels_need_integers() {
        let a = NpyArray::new(vec![2], false, NpyData::F32(vec![1.0, 2.0])).unwrap();
        assert!(matches!(a.to_labels(), Err(DataError::Format { .. })));
        let a = NpyArray::new(vec![2], false, NpyData::I64(vec![1, -2])).unwrap();
        assert!(a.to_labels().unwrap_err().to_string().contains("negative"));
        let a = NpyArray::new(vec![2, 1], false, NpyData::U8(vec![1, 2])).unwrap();
        assert_eq!(a.to_labels().unwrap(), vec![1, 2]);
    }
}
