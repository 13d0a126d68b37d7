//! One-hot encoding.

use crate::dataset::check_labels;
use crate::{DataError, Result};
use neurograd_tensor::Matrix;

/// One-hot encodes `labels` into an `n x n_classes` matrix: `Y[i, labels[i]] = 1`, else 0.
///
/// # Errors
/// [`DataError::Empty`] for no labels, [`DataError::InvalidParameter`] for `n_classes == 0`,
/// [`DataError::LabelOutOfRange`] for a label `>= n_classes`.
pub fn one_hot(labels: &[usize], n_classes: usize) -> Result<Matrix> {
    if labels.is_empty() {
        return Err(DataError::Empty {
            what: "one_hot labels".into(),
        });
    }
    if n_classes == 0 {
        return Err(DataError::invalid("n_classes", 0, "must be at least 1"));
    }
    check_labels(labels, n_classes, "one_hot labels")?;
    let mut y = Matrix::zeros(labels.len(), n_classes);
    for (i, &l) in labels.iter().enumerate() {
        y[(i, l)] = 1.0;
    }
    Ok(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_rejects() {
        let y = one_hot(&[2, 0], 3).unwrap();
        assert_eq!(
            y,
            Matrix::from_row_slice(2, 3, &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0])
        );
        assert!(matches!(
            one_hot(&[3], 3),
            Err(DataError::LabelOutOfRange { label: 3, .. })
        ));
        assert!(matches!(one_hot(&[], 3), Err(DataError::Empty { .. })));
        assert!(matches!(
            one_hot(&[0], 0),
            Err(DataError::InvalidParameter { .. })
        ));
    }
}
