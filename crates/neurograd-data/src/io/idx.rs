//! The IDX format of MNIST and Fashion-MNIST (LeCun, Cortes & Burges 1998; Xiao, Rasul &
//! Vollgraf 2017), raw or gzip-compressed.
//!
//! Layout: two zero bytes, a type byte (`0x08` u8, `0x09` i8, `0x0B` i16, `0x0C` i32, `0x0D` f32,
//! `0x0E` f64), a byte with the number of dimensions `k`, then `k` big-endian `u32` sizes, then
//! the data in row-major (C) order, big-endian. MNIST images are `0x00000803` (u8, 3 dims:
//! n x 28 x 28), labels `0x00000801` (u8, 1 dim). The data length must equal the product of the
//! sizes times the element size exactly; anything else is an error.
//!
//! To train on the full 60k/10k MNIST, download the four standard files into one directory and
//! call [`load_mnist_dir`]:
//!
//! ```no_run
//! let splits = neurograd_data::io::idx::load_mnist_dir("data/mnist")?;
//! assert_eq!(splits.train.len(), 60_000);
//! # Ok::<(), neurograd_data::DataError>(())
//! ```

use super::bytes::{BodyLenError, check_body_len, check_dims_len, decode, encode, parse_maybe_gz};
use super::{is_gz_path, read_maybe_gz, write_atomic};
use crate::dataset::class_names_for_labels;
use crate::{DataError, Dataset, Result};
use neurograd_tensor::Matrix;
use std::path::{Path, PathBuf};

/// The four standard MNIST / Fashion-MNIST file names (train images, train labels, test images,
/// test labels); [`load_mnist_dir`] also accepts each with a `.gz` suffix.
pub const STANDARD_NAMES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// Fashion-MNIST class names (Xiao, Rasul & Vollgraf 2017), for [`Dataset::with_class_names`].
pub const FASHION_MNIST_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The element data of an IDX file, in file (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub enum IdxData {
    /// Type byte `0x08`.
    U8(Vec<u8>),
    /// Type byte `0x09`.
    I8(Vec<i8>),
    /// Type byte `0x0B`.
    I16(Vec<i16>),
    /// Type byte `0x0C`.
    I32(Vec<i32>),
    /// Type byte `0x0D`.
    F32(Vec<f32>),
    /// Type byte `0x0E`.
    F64(Vec<f64>),
}

impl IdxData {
    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            IdxData::U8(v) => v.len(),
            IdxData::I8(v) => v.len(),
            IdxData::I16(v) => v.len(),
            IdxData::I32(v) => v.len(),
            IdxData::F32(v) => v.len(),
            IdxData::F64(v) => v.len(),
        }
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The IDX type byte.
    pub fn type_byte(&self) -> u8 {
        match self {
            IdxData::U8(_) => 0x08,
            IdxData::I8(_) => 0x09,
            IdxData::I16(_) => 0x0B,
            IdxData::I32(_) => 0x0C,
            IdxData::F32(_) => 0x0D,
            IdxData::F64(_) => 0x0E,
        }
    }

    /// Every element converted to `f64` (exact for every IDX type).
    pub fn to_f64(&self) -> Vec<f64> {
        match self {
            IdxData::U8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::I8(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::I16(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::I32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            IdxData::F64(v) => v.clone(),
        }
    }
}

/// A parsed IDX file: its dimensions and data.
#[derive(Debug, Clone, PartialEq)]
pub struct IdxArray {
    /// Sizes of each dimension.
    pub dims: Vec<usize>,
    /// Elements in row-major order.
    pub data: IdxData,
}

impl IdxArray {
    /// Builds an array after checking that `dims` (1..=255 of them, each < 2^32) match the data.
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for bad `dims` or dims that disagree with the data length.
    pub fn new(dims: Vec<usize>, data: IdxData) -> Result<IdxArray> {
        if dims.is_empty() || dims.len() > 255 {
            return Err(DataError::invalid(
                "dims",
                format!("{dims:?}"),
                "needs 1 to 255 dimensions",
            ));
        }
        if dims.iter().any(|&d| u32::try_from(d).is_err()) {
            return Err(DataError::invalid(
                "dims",
                format!("{dims:?}"),
                "each size must fit in u32",
            ));
        }
        check_dims_len("dims", &dims, data.len(), "idx array")?;
        Ok(IdxArray { dims, data })
    }

    /// Serialises to IDX bytes (big-endian).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0, 0, self.data.type_byte(), self.dims.len() as u8];
        for &d in &self.dims {
            out.extend_from_slice(&(d as u32).to_be_bytes());
        }
        match &self.data {
            IdxData::U8(v) => out.extend_from_slice(v),
            IdxData::I8(v) => out.extend(v.iter().map(|x| x.to_be_bytes()[0])),
            IdxData::I16(v) => encode(&mut out, v, i16::to_be_bytes),
            IdxData::I32(v) => encode(&mut out, v, i32::to_be_bytes),
            IdxData::F32(v) => encode(&mut out, v, f32::to_be_bytes),
            IdxData::F64(v) => encode(&mut out, v, f64::to_be_bytes),
        }
        out
    }
}

/// Parses IDX bytes (gzip-compressed or raw); `source` names the origin in errors.
///
/// # Errors
/// [`DataError::Format`] for a wrong magic number, a truncated header, or a data length that
/// disagrees with the header; [`DataError::UnsupportedDtype`] for an unknown type byte.
pub fn parse_idx(bytes: &[u8], source: &Path) -> Result<IdxArray> {
    parse_maybe_gz(bytes, source, parse_raw)
}

fn parse_raw(bytes: &[u8], source: &Path) -> Result<IdxArray> {
    if bytes.len() < 4 {
        return Err(DataError::format(
            source,
            format!(
                "truncated idx header: {} bytes, need at least 4",
                bytes.len()
            ),
        ));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(DataError::format(
            source,
            format!(
                "wrong idx magic number 0x{:02x}{:02x}{:02x}{:02x}: the first two bytes must be zero",
                bytes[0], bytes[1], bytes[2], bytes[3]
            ),
        ));
    }
    let ty = bytes[2];
    let elem = match ty {
        0x08 | 0x09 => 1,
        0x0B => 2,
        0x0C | 0x0D => 4,
        0x0E => 8,
        _ => {
            return Err(DataError::UnsupportedDtype {
                path: source.into(),
                dtype: format!("idx type byte 0x{ty:02x}"),
                supported: "0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64".into(),
            });
        }
    };
    let k = usize::from(bytes[3]);
    if k == 0 {
        return Err(DataError::format(
            source,
            "idx header declares 0 dimensions",
        ));
    }
    let header = 4 + 4 * k;
    if bytes.len() < header {
        return Err(DataError::format(
            source,
            format!(
                "truncated idx header: {} dimensions need {header} bytes, file has {}",
                k,
                bytes.len()
            ),
        ));
    }
    let dims: Vec<usize> = decode(&bytes[4..header], u32::from_be_bytes)
        .into_iter()
        .map(|d| d as usize)
        .collect();
    let body = &bytes[header..];
    check_body_len(&dims, elem, body.len()).map_err(|e| {
        DataError::format(
            source,
            match e {
                BodyLenError::Mismatch { need, kind } => format!(
                    "idx header dims {dims:?} need {need} data bytes, file has {} ({kind})",
                    body.len()
                ),
                BodyLenError::Overflow => format!("idx dims {dims:?} overflow the address space"),
            },
        )
    })?;
    let data = match ty {
        0x08 => IdxData::U8(body.to_vec()),
        0x09 => IdxData::I8(body.iter().map(|&b| i8::from_be_bytes([b])).collect()),
        0x0B => IdxData::I16(decode(body, i16::from_be_bytes)),
        0x0C => IdxData::I32(decode(body, i32::from_be_bytes)),
        0x0D => IdxData::F32(decode(body, f32::from_be_bytes)),
        _ => IdxData::F64(decode(body, f64::from_be_bytes)),
    };
    Ok(IdxArray { dims, data })
}

/// Reads an IDX file (raw or `.gz`).
///
/// # Errors
/// As [`parse_idx`], plus [`DataError::Io`].
pub fn read_idx(path: impl AsRef<Path>) -> Result<IdxArray> {
    let path = path.as_ref();
    let bytes = read_maybe_gz(path)?;
    parse_raw(&bytes, path)
}

/// Writes an IDX file atomically (temporary file + rename); gzip-compressed when the name ends
/// in `.gz`.
///
/// # Errors
/// [`DataError::Io`].
pub fn write_idx(path: impl AsRef<Path>, array: &IdxArray) -> Result<()> {
    let path = path.as_ref();
    write_atomic(path, &array.to_bytes(), is_gz_path(path))
}

/// Builds a dataset from an images array (`n x rows x cols`, or `n x d`) and a labels array (`n`,
/// integer type, values `>= 0`). Class names are `"0".."k-1"` with `k = max(10, max label + 1)`.
///
/// # Errors
/// [`DataError::ShapeMismatch`] when the counts of labels and images disagree,
/// [`DataError::Format`] for images of other than 2 or 3 dimensions, labels of other than 1
/// dimension, or float or negative labels, [`DataError::InvalidParameter`] for dims that disagree
/// with the data length, [`DataError::NonFinite`] for NaN/Inf pixels.
pub fn images_labels_to_dataset(
    images: &IdxArray,
    labels: &IdxArray,
    images_src: &Path,
    labels_src: &Path,
) -> Result<Dataset> {
    for (a, src) in [(images, images_src), (labels, labels_src)] {
        check_dims_len(
            "dims",
            &a.dims,
            a.data.len(),
            format!("idx array {}", src.display()),
        )?;
    }
    let (n, d, shape) = match images.dims[..] {
        // With zero images r * c may overflow (u32 x u32 fits u64, but not a 32-bit usize).
        [n, r, c] => (n, r.checked_mul(c).unwrap_or(0), Some((r, c))),
        [n, d] => (n, d, None),
        _ => {
            return Err(DataError::format(
                images_src,
                format!("idx images need 2 or 3 dimensions, got {:?}", images.dims),
            ));
        }
    };
    if labels.dims.len() != 1 {
        return Err(DataError::format(
            labels_src,
            format!("idx labels need 1 dimension, got {:?}", labels.dims),
        ));
    }
    if labels.dims[0] != n {
        return Err(DataError::ShapeMismatch {
            op: "idx labels vs images",
            expected: (n, 1),
            got: (labels.dims[0], 1),
        });
    }
    let lab: Vec<i64> = match &labels.data {
        IdxData::U8(v) => v.iter().map(|&x| i64::from(x)).collect(),
        IdxData::I8(v) => v.iter().map(|&x| i64::from(x)).collect(),
        IdxData::I16(v) => v.iter().map(|&x| i64::from(x)).collect(),
        IdxData::I32(v) => v.iter().map(|&x| i64::from(x)).collect(),
        _ => {
            return Err(DataError::format(
                labels_src,
                "labels must have an integer idx type",
            ));
        }
    };
    if let Some((i, l)) = lab.iter().enumerate().find(|(_, l)| **l < 0) {
        return Err(DataError::format(
            labels_src,
            format!("negative label {l} at index {i}"),
        ));
    }
    let labels_usize: Vec<usize> = lab.iter().map(|&l| l as usize).collect();
    let names = class_names_for_labels(&labels_usize, 10, &labels_src.display().to_string())?;
    if n == 0 || d == 0 {
        return Err(DataError::Empty {
            what: format!("idx images {} ({n} x {d})", images_src.display()),
        });
    }
    let features = Matrix::from_row_slice(n, d, &images.data.to_f64());
    Dataset::new(features, labels_usize, names, shape).map_err(|e| match e {
        DataError::NonFinite {
            row, col, value, ..
        } => DataError::NonFinite {
            what: images_src.display().to_string(),
            row,
            col,
            value,
        },
        other => other,
    })
}

/// Loads one split from an images file and a labels file (raw or `.gz`).
///
/// # Errors
/// As [`read_idx`] and [`images_labels_to_dataset`].
pub fn load_images_labels(images: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Dataset> {
    let (ip, lp) = (images.as_ref(), labels.as_ref());
    let im = read_idx(ip)?;
    let la = read_idx(lp)?;
    images_labels_to_dataset(&im, &la, ip, lp)
}

/// The train and test splits of an MNIST-style directory.
#[derive(Debug, Clone, PartialEq)]
pub struct MnistSplits {
    /// From `train-images-idx3-ubyte` / `train-labels-idx1-ubyte`.
    pub train: Dataset,
    /// From `t10k-images-idx3-ubyte` / `t10k-labels-idx1-ubyte`.
    pub test: Dataset,
}

/// Finds `name` or `name.gz` in `dir`.
fn find_standard(dir: &Path, name: &str) -> Result<PathBuf> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Ok(raw);
    }
    let gz = dir.join(format!("{name}.gz"));
    if gz.is_file() {
        return Ok(gz);
    }
    Err(DataError::Io {
        path: raw,
        source: std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("neither {name} nor {name}.gz found"),
        ),
    })
}

/// Loads MNIST or Fashion-MNIST from a directory holding the four [`STANDARD_NAMES`] (each raw
/// or with `.gz`). For Fashion-MNIST, rename the classes with
/// `ds.with_class_names(FASHION_MNIST_CLASSES.map(String::from).to_vec())`.
///
/// # Errors
/// [`DataError::Io`] naming the missing file, and everything [`load_images_labels`] returns.
pub fn load_mnist_dir(dir: impl AsRef<Path>) -> Result<MnistSplits> {
    let dir = dir.as_ref();
    let p: Vec<PathBuf> = STANDARD_NAMES
        .iter()
        .map(|n| find_standard(dir, n))
        .collect::<Result<_>>()?;
    let train = load_images_labels(&p[0], &p[1])?;
    let test = load_images_labels(&p[2], &p[3])?;
    if (test.n_features(), test.image_shape) != (train.n_features(), train.image_shape) {
        let shape = |d: &Dataset| match d.image_shape {
            Some((r, c)) => format!("{r}x{c} images"),
            None => format!("{} features", d.n_features()),
        };
        return Err(DataError::format(
            &p[2],
            format!(
                "the test images are {} but the training images ({}) are {}; both parts of \
                 an MNIST directory must have the same shape",
                shape(&test),
                p[0].display(),
                shape(&train)
            ),
        ));
    }
    Ok(MnistSplits { train, test })
}

/// Writes a dataset as an IDX images file (u8, `n x rows x cols`, or `n x d` without image
/// shape) and an IDX labels file (u8), atomically. Every feature must be an integer in 0..=255 and
/// every label < 256.
///
/// # Errors
/// [`DataError::InvalidParameter`] for a value that does not fit in u8, [`DataError::Io`].
pub fn write_images_labels(
    ds: &Dataset,
    images: impl AsRef<Path>,
    labels: impl AsRef<Path>,
) -> Result<()> {
    let (n, d) = (ds.len(), ds.n_features());
    let mut px = Vec::with_capacity(n * d);
    for r in 0..n {
        for c in 0..d {
            let v = ds.features[(r, c)];
            if !(0.0..=255.0).contains(&v) || v.fract() != 0.0 {
                return Err(DataError::invalid(
                    "dataset features",
                    format!("{v} at row {r}, column {c}"),
                    "idx u8 images need integers in 0..=255",
                ));
            }
            px.push(v as u8);
        }
    }
    let lab = ds
        .labels
        .iter()
        .map(|&l| {
            u8::try_from(l)
                .map_err(|_| DataError::invalid("dataset labels", l, "idx u8 labels need < 256"))
        })
        .collect::<Result<Vec<u8>>>()?;
    let dims = match ds.image_shape {
        Some((r, c)) => vec![n, r, c],
        None => vec![n, d],
    };
    let im = IdxArray::new(dims, IdxData::U8(px))?;
    let la = IdxArray::new(vec![n], IdxData::U8(lab))?;
    write_idx(images, &im)?;
    write_idx(labels, &la)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_minimal_mnist_pair() {
        let im = IdxArray::new(vec![2, 1, 2], IdxData::U8(vec![0, 255, 7, 8])).unwrap();
        let la = IdxArray::new(vec![2], IdxData::U8(vec![3, 9])).unwrap();
        let b = im.to_bytes();
        assert_eq!(&b[..4], &[0, 0, 8, 3]);
        let im2 = parse_idx(&b, Path::new("im")).unwrap();
        assert_eq!(im2, im);
        let ds = images_labels_to_dataset(&im2, &la, Path::new("im"), Path::new("la")).unwrap();
        assert_eq!(ds.labels, vec![3, 9]);
        assert_eq!(ds.image_shape, Some((1, 2)));
        assert_eq!(ds.features[(0, 1)], 255.0);
    }

    #[test]
    fn bad_headers() {
        let p = Path::new("file.idx");
        let e = parse_idx(&[1, 0, 8, 1, 0, 0, 0, 0], p).unwrap_err();
        assert!(
            e.to_string().contains("magic") && e.to_string().contains("file.idx"),
            "{e}"
        );
        let e = parse_idx(&[0, 0, 0x07, 1, 0, 0, 0, 0], p).unwrap_err();
        assert!(matches!(e, DataError::UnsupportedDtype { .. }), "{e}");
        let e = parse_idx(&[0, 0, 8, 2, 0, 0, 0], p).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = parse_idx(&[0, 0, 8, 1, 0, 0, 0, 3, 1, 2], p).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        let e = parse_idx(&[0, 0, 8, 1, 0, 0, 0, 1, 1, 2], p).unwrap_err();
        assert!(e.to_string().contains("trailing"), "{e}");
        let e = parse_idx(&[0, 0, 0x0e, 2, 255, 255, 255, 255, 255, 255, 255, 255], p).unwrap_err();
        assert!(matches!(e, DataError::Format { .. }), "{e}");
    }

    #[test]
    fn label_count_mismatch_and_negative_labels() {
        let im = IdxArray::new(vec![2, 1, 1], IdxData::U8(vec![1, 2])).unwrap();
        let la = IdxArray::new(vec![3], IdxData::U8(vec![1, 2, 3])).unwrap();
        let e = images_labels_to_dataset(&im, &la, Path::new("i"), Path::new("l")).unwrap_err();
        assert!(matches!(e, DataError::ShapeMismatch { .. }));
        let la = IdxArray::new(vec![2], IdxData::I8(vec![1, -2])).unwrap();
        let e = images_labels_to_dataset(&im, &la, Path::new("i"), Path::new("l")).unwrap_err();
        assert!(e.to_string().contains("negative"));
        let la = IdxArray::new(vec![2], IdxData::F32(vec![1.0, 2.0])).unwrap();
        assert!(matches!(
            images_labels_to_dataset(&im, &la, Path::new("i"), Path::new("l")),
            Err(DataError::Format { .. })
        ));
        let im = IdxArray::new(vec![2, 1], IdxData::F64(vec![1.0, f64::NAN])).unwrap();
        let la = IdxArray::new(vec![2], IdxData::U8(vec![1, 2])).unwrap();
        let e = images_labels_to_dataset(&im, &la, Path::new("imgs"), Path::new("l")).unwrap_err();
        assert!(matches!(e, DataError::NonFinite { row: 1, .. }) && e.to_string().contains("imgs"));
    }
}
