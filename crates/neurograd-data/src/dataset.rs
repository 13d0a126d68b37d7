//! The labelled dataset type shared by every loader and generator.

use crate::{DataError, Result};
use neurograd_tensor::nalgebra::{Dim, Dyn, VecStorage};
use neurograd_tensor::validate::check_finite_slice;
use neurograd_tensor::{Matrix, Real, TensorError};
use serde::{Deserialize, Serialize};

/// A labelled dataset: one sample per row of `features`, one integer label per sample.
///
/// Invariants (checked by [`Dataset::new`] and on deserialisation): at least one sample and one
/// feature, every feature finite, `labels.len() == features.nrows()`, at least one class name,
/// every label `< class_names.len()`, and `rows * cols == n_features` when `image_shape` is
/// `Some((rows, cols))`. The fields are public for reading; code that builds a `Dataset` by hand
/// should go through [`Dataset::new`] to keep the invariants.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawDataset")]
pub struct Dataset {
    /// Features, `n x d`, one sample per row.
    pub features: Matrix,
    /// Class label of each sample, `< class_names.len()`.
    pub labels: Vec<usize>,
    /// Human-readable class names; their number is the number of classes.
    pub class_names: Vec<String>,
    /// `(rows, cols)` of each image, row-major, when the samples are images.
    pub image_shape: Option<(usize, usize)>,
}

/// The unchecked serde form of [`Dataset`].
#[derive(Deserialize)]
struct RawDataset {
    features: Matrix,
    labels: Vec<usize>,
    class_names: Vec<String>,
    image_shape: Option<(usize, usize)>,
}

impl TryFrom<RawDataset> for Dataset {
    type Error = DataError;
    fn try_from(r: RawDataset) -> Result<Self> {
        Dataset::new(r.features, r.labels, r.class_names, r.image_shape)
    }
}

/// Class names `"0", "1", ..., "k-1"`.
pub fn numeric_class_names(k: usize) -> Vec<String> {
    (0..k).map(|c| c.to_string()).collect()
}

/// The most classes a loaded label file may imply (`max label + 1`). A label beyond it is almost
/// always a corrupt or misread file; refusing it keeps a label of 10^12 from allocating 10^12
/// class names (and one-hot rows) and aborting the process.
pub const MAX_CLASSES: usize = 1 << 16;

/// Class names `"0".."k-1"` for integer labels loaded from `source`, `k = max(min_classes, max
/// label + 1)`, refused before allocating when `k > MAX_CLASSES`.
pub(crate) fn class_names_for_labels(
    labels: &[usize],
    min_classes: usize,
    source: &str,
) -> Result<Vec<String>> {
    let (index, max) = labels
        .iter()
        .copied()
        .enumerate()
        .max_by_key(|&(_, l)| l)
        .unwrap_or((0, 0));
    if max >= MAX_CLASSES {
        return Err(DataError::invalid(
            "label",
            format!("{max} at index {index} of {source}"),
            format!("labels are class indices below {MAX_CLASSES}"),
        ));
    }
    Ok(numeric_class_names((max + 1).max(min_classes)))
}

/// [`neurograd_tensor::validate::check_finite_slice`] on a matrix or vector, with the first
/// non-finite element (in nalgebra's column-major storage order) reported as the data crate's
/// [`DataError::NonFinite`] `(row, col, value)`; `what` names the matrix in the error.
pub(crate) fn check_finite<C: Dim>(m: &DataMatrix<C>, what: &str) -> Result<()> {
    check_finite_slice(m.as_slice(), what).map_err(|e| match e {
        TensorError::NonFinite { what, index } => {
            let (row, col) = (index % m.nrows(), index / m.nrows());
            DataError::NonFinite {
                what,
                row,
                col,
                value: m[(row, col)].to_string(),
            }
        }
        other => other.into(),
    })
}

/// A heap-allocated matrix with a dynamic number of rows: [`Matrix`] (`C = Dyn`) or
/// [`neurograd_tensor::Vector`] (`C = U1`).
type DataMatrix<C> = nalgebra::Matrix<Real, Dyn, C, VecStorage<Real, Dyn, C>>;

/// Checks every label against `n_classes`; `what` names the label vector in the error.
pub(crate) fn check_labels(labels: &[usize], n_classes: usize, what: &str) -> Result<()> {
    if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l >= n_classes) {
        return Err(DataError::LabelOutOfRange {
            what: what.to_string(),
            index,
            label,
            n_classes,
        });
    }
    Ok(())
}

impl Dataset {
    /// Builds a dataset after checking every invariant listed on [`Dataset`].
    ///
    /// # Errors
    /// [`DataError::Empty`] for no samples, no features or no class names;
    /// [`DataError::ShapeMismatch`] when labels and rows disagree; [`DataError::InvalidParameter`]
    /// when `image_shape` does not multiply to the number of columns;
    /// [`DataError::NonFinite`] for a NaN/Inf feature; [`DataError::LabelOutOfRange`].
    ///
    /// ```
    /// use neurograd_data::Dataset;
    /// use neurograd_tensor::Matrix;
    /// let x = Matrix::from_row_slice(2, 2, &[0.0, 1.0, 1.0, 0.0]);
    /// let ds = Dataset::new(x, vec![0, 1], vec!["a".into(), "b".into()], None)?;
    /// assert_eq!((ds.len(), ds.n_features(), ds.n_classes()), (2, 2, 2));
    /// # Ok::<(), neurograd_data::DataError>(())
    /// ```
    pub fn new(
        features: Matrix,
        labels: Vec<usize>,
        class_names: Vec<String>,
        image_shape: Option<(usize, usize)>,
    ) -> Result<Self> {
        if features.nrows() == 0 {
            return Err(DataError::Empty {
                what: "dataset features (no samples)".into(),
            });
        }
        if features.ncols() == 0 {
            return Err(DataError::Empty {
                what: "dataset features (no columns)".into(),
            });
        }
        if class_names.is_empty() {
            return Err(DataError::Empty {
                what: "dataset class_names".into(),
            });
        }
        if labels.len() != features.nrows() {
            return Err(DataError::ShapeMismatch {
                op: "dataset labels vs feature rows",
                expected: (features.nrows(), 1),
                got: (labels.len(), 1),
            });
        }
        if let Some((r, c)) = image_shape
            && r.checked_mul(c) != Some(features.ncols())
        {
            return Err(DataError::invalid(
                "image_shape",
                format!("({r}, {c})"),
                format!(
                    "rows * cols must equal the number of feature columns, {}",
                    features.ncols()
                ),
            ));
        }
        check_finite(&features, "dataset features")?;
        check_labels(&labels, class_names.len(), "dataset labels")?;
        Ok(Dataset {
            features,
            labels,
            class_names,
            image_shape,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.features.nrows()
    }

    /// Whether there are no samples (never true for a dataset built by [`Dataset::new`]).
    pub fn is_empty(&self) -> bool {
        self.features.nrows() == 0
    }

    /// Number of features (columns).
    pub fn n_features(&self) -> usize {
        self.features.ncols()
    }

    /// Number of classes (`class_names.len()`).
    pub fn n_classes(&self) -> usize {
        self.class_names.len()
    }

    /// Number of samples of each class, indexed by label.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.n_classes()];
        for &l in &self.labels {
            if let Some(c) = counts.get_mut(l) {
                *c += 1;
            }
        }
        counts
    }

    /// The samples at `indices`, in that order (repeats allowed); classes and image shape kept.
    ///
    /// # Errors
    /// [`DataError::Empty`] for no indices, [`DataError::InvalidParameter`] for an index `>= len()`.
    pub fn subset(&self, indices: &[usize]) -> Result<Dataset> {
        if indices.is_empty() {
            return Err(DataError::Empty {
                what: "subset indices".into(),
            });
        }
        if let Some((pos, &i)) = indices.iter().enumerate().find(|(_, i)| **i >= self.len()) {
            return Err(DataError::invalid(
                "indices",
                format!("indices[{pos}] = {i}"),
                format!("must be < {} (dataset length)", self.len()),
            ));
        }
        if self.labels.len() != self.len() {
            // Only reachable if the public fields were edited by hand after construction.
            return Err(DataError::ShapeMismatch {
                op: "dataset labels vs feature rows",
                expected: (self.len(), 1),
                got: (self.labels.len(), 1),
            });
        }
        let d = self.n_features();
        let features = Matrix::from_fn(indices.len(), d, |r, c| self.features[(indices[r], c)]);
        let labels = indices.iter().map(|&i| self.labels[i]).collect();
        Ok(Dataset {
            features,
            labels,
            class_names: self.class_names.clone(),
            image_shape: self.image_shape,
        })
    }

    /// Replaces the class names (e.g. the Fashion-MNIST names for an IDX file).
    ///
    /// # Errors
    /// [`DataError::LabelOutOfRange`] if a label is not covered by the new names,
    /// [`DataError::Empty`] for no names.
    pub fn with_class_names(mut self, class_names: Vec<String>) -> Result<Dataset> {
        if class_names.is_empty() {
            return Err(DataError::Empty {
                what: "class_names".into(),
            });
        }
        check_labels(&self.labels, class_names.len(), "dataset labels")?;
        self.class_names = class_names;
        Ok(self)
    }

    /// Returns the dataset with every feature multiplied by `factor` (e.g. `1/16` for digits,
    /// `1/255` for MNIST).
    ///
    /// # Errors
    /// [`DataError::InvalidParameter`] for a non-finite or zero factor.
    pub fn scaled(mut self, factor: f64) -> Result<Dataset> {
        if !factor.is_finite() || factor == 0.0 {
            return Err(DataError::invalid(
                "factor",
                factor,
                "must be finite and non-zero",
            ));
        }
        self.features *= factor;
        check_finite(&self.features, "scaled dataset features")?;
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Dataset {
        let x = Matrix::from_row_slice(3, 2, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        Dataset::new(x, vec![0, 1, 1], numeric_class_names(2), Some((1, 2))).unwrap()
    }

    #[test]
    fn accessors_and_subset() {
        let ds = small();
        assert_eq!(ds.len(), 3);
        assert!(!ds.is_empty());
        assert_eq!(ds.class_counts(), vec![1, 2]);
        let s = ds.subset(&[2, 0]).unwrap();
        assert_eq!(s.labels, vec![1, 0]);
        assert_eq!(s.features[(0, 1)], 6.0);
        assert_eq!(s.features[(1, 0)], 1.0);
        assert!(matches!(
            ds.subset(&[3]),
            Err(DataError::InvalidParameter { .. })
        ));
        assert!(matches!(ds.subset(&[]), Err(DataError::Empty { .. })));
    }

    #[test]
    fn new_rejects_bad_input() {
        let x = Matrix::from_row_slice(2, 1, &[1.0, f64::NAN]);
        let e = Dataset::new(x, vec![0, 0], numeric_class_names(1), None).unwrap_err();
        assert!(
            matches!(e, DataError::NonFinite { row: 1, col: 0, .. }),
            "{e}"
        );
        let x = Matrix::zeros(2, 1);
        let e = Dataset::new(x.clone(), vec![0, 2], numeric_class_names(2), None).unwrap_err();
        assert!(matches!(
            e,
            DataError::LabelOutOfRange {
                index: 1,
                label: 2,
                ..
            }
        ));
        let e = Dataset::new(x.clone(), vec![0], numeric_class_names(2), None).unwrap_err();
        assert!(
            matches!(
                e,
                DataError::ShapeMismatch {
                    expected: (2, 1),
                    got: (1, 1),
                    ..
                }
            ),
            "{e}"
        );
        let e = Dataset::new(x.clone(), vec![0, 0], numeric_class_names(2), Some((2, 2)));
        assert!(
            matches!(
                e,
                Err(DataError::InvalidParameter {
                    name: "image_shape",
                    ..
                })
            ),
            "{e:?}"
        );
        let e = Dataset::new(Matrix::zeros(0, 1), vec![], numeric_class_names(2), None);
        assert!(matches!(e, Err(DataError::Empty { .. })));
        let e = Dataset::new(x, vec![0, 0], vec![], None);
        assert!(matches!(e, Err(DataError::Empty { .. })));
    }

    #[test]
    fn with_class_names_and_scaled() {
        let ds = small();
        assert!(matches!(
            ds.clone().with_class_names(vec!["a".into()]),
            Err(DataError::LabelOutOfRange {
                label: 1,
                n_classes: 1,
                ..
            })
        ));
        let ds = ds.with_class_names(vec!["a".into(), "b".into()]).unwrap();
        assert_eq!(ds.class_names[1], "b");
        let ds = ds.scaled(0.5).unwrap();
        assert_eq!(ds.features[(2, 1)], 3.0);
        assert!(matches!(
            ds.scaled(f64::NAN),
            Err(DataError::InvalidParameter { name: "factor", .. })
        ));
    }
}
