//! Conversions between NumPy arrays and the workspace's nalgebra matrices (`f64`, row-major on
//! the Python side, column-major in nalgebra).

use neurograd::tensor::{Matrix, Vector};
use numpy::ndarray::Array2;
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// A C-ordered `(rows, cols)` float64 array from a matrix (the column-major data of its
/// transpose is the row-major data of the matrix; nalgebra's blocked transpose is the one copy).
pub fn matrix_to_py<'py>(py: Python<'py>, m: &Matrix) -> Bound<'py, PyArray2<f64>> {
    let data: Vec<f64> = m.transpose().data.into();
    match Array2::from_shape_vec(m.shape(), data) {
        Ok(a) => PyArray2::from_owned_array(py, a),
        // unreachable (the shape is the data's), kept panic-free
        Err(_) => {
            PyArray2::from_owned_array(py, Array2::from_shape_fn(m.shape(), |(i, j)| m[(i, j)]))
        }
    }
}

/// A matrix from a 2-D float64 array: one row-major copy for a C-contiguous array, element by
/// element otherwise.
pub fn matrix_from_py(a: &PyReadonlyArray2<'_, f64>) -> Matrix {
    let v = a.as_array();
    let (r, c) = v.dim();
    match v.as_slice() {
        Some(s) => Matrix::from_row_slice(r, c, s),
        None => Matrix::from_fn(r, c, |i, j| v[(i, j)]),
    }
}

/// A 1-D float64 array from a vector.
pub fn vector_to_py<'py>(py: Python<'py>, v: &Vector) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_slice(py, v.as_slice())
}

/// A vector from a 1-D float64 array (any stride).
pub fn vector_from_py(a: &PyReadonlyArray1<'_, f64>) -> Vector {
    let v = a.as_array();
    Vector::from_iterator(v.len(), v.iter().copied())
}

/// A 1-D int64 array of labels.
pub fn labels_to_py<'py>(py: Python<'py>, labels: &[usize]) -> Bound<'py, PyArray1<i64>> {
    PyArray1::from_vec(py, labels.iter().map(|&l| l as i64).collect())
}
