//! Conversions between NumPy arrays and the workspace's nalgebra matrices (`f64`, row-major on
//! the Python side, column-major in nalgebra).
//!
//! Each direction is one pass over the data: a C-contiguous array is transposed into the
//! matrix's column-major storage by a cache-friendly strip loop ([`transpose_into`]; nalgebra's
//! `from_row_slice` writes element by element with a stride), an F-contiguous one is copied as is; the
//! output is written by the same loop straight into a new C-ordered NumPy array.

use neurograd::tensor::{Matrix, Vector};
use numpy::ndarray::ArrayView2;
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

/// Rows of `src` transposed together by [`transpose_into`]: one 64-byte cache line of `dst`.
const STRIP: usize = 8;

/// `dst[j * rows + i] = src[i * cols + j]`: the row-major `rows x cols` data `src` written
/// column-major into `dst` (equivalently: the column-major data of a `cols x rows` matrix written
/// row-major). Strips of 8 rows are read as 8 sequential streams and written 8 values (one cache
/// line) at a time per column, so neither side strides through memory element by element (a
/// plain element-wise loop or square tiles with a power-of-two row length thrash the cache
/// sets).
pub fn transpose_into(src: &[f64], rows: usize, cols: usize, dst: &mut [f64]) {
    debug_assert_eq!(src.len(), rows * cols);
    debug_assert_eq!(dst.len(), rows * cols);
    if rows == 0 || cols == 0 {
        return;
    }
    let mut i0 = 0;
    while i0 + STRIP <= rows {
        let r: [&[f64]; STRIP] =
            std::array::from_fn(|k| &src[(i0 + k) * cols..(i0 + k + 1) * cols]);
        for (j, col) in dst.chunks_exact_mut(rows).enumerate() {
            let d = &mut col[i0..i0 + STRIP];
            for k in 0..STRIP {
                d[k] = r[k][j];
            }
        }
        i0 += STRIP;
    }
    for i in i0..rows {
        let row = &src[i * cols..(i + 1) * cols];
        for (col, &x) in dst.chunks_exact_mut(rows).zip(row) {
            col[i] = x;
        }
    }
}

/// A new C-ordered `(rows, cols)` float64 array holding `m`, written in one pass.
pub fn matrix_to_py<'py>(py: Python<'py>, m: &Matrix) -> Bound<'py, PyArray2<f64>> {
    let (r, c) = m.shape();
    let out = PyArray2::<f64>::zeros(py, [r, c], false);
    {
        // A fresh array no one else sees: the borrow cannot fail.
        let mut w = out.readwrite();
        if let Ok(dst) = w.as_slice_mut() {
            // m's column-major data is the row-major data of its c x r transpose
            transpose_into(m.as_slice(), c, r, dst);
        }
    }
    out
}

/// A matrix from a 2-D float64 array in one pass: a blocked transpose of a C-contiguous array,
/// a copy of an F-contiguous one, element by element otherwise.
pub fn matrix_from_py(a: &PyReadonlyArray2<'_, f64>) -> Matrix {
    matrix_from_view(a.as_array())
}

/// [`matrix_from_py`] on the array's view (plain memory, `Send`: callable with the GIL
/// released).
pub fn matrix_from_view(v: ArrayView2<'_, f64>) -> Matrix {
    let (r, c) = v.dim();
    if let Some(s) = v.as_slice() {
        let mut data = vec![0.0; r * c];
        transpose_into(s, r, c, &mut data);
        Matrix::from_vec(r, c, data)
    } else if let Some(s) = v.t().as_slice() {
        // F-contiguous: its transpose's row-major data is the matrix's column-major data
        Matrix::from_column_slice(r, c, s)
    } else {
        Matrix::from_fn(r, c, |i, j| v[(i, j)])
    }
}

/// A 1-D float64 array from a vector.
pub fn vector_to_py<'py>(py: Python<'py>, v: &Vector) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_slice(py, v.as_slice())
}

/// A vector from a 1-D float64 array (any stride).
pub fn vector_from_py(a: &PyReadonlyArray1<'_, f64>) -> Vector {
    let v = a.as_array();
    match v.as_slice() {
        Some(s) => Vector::from_column_slice(s),
        None => Vector::from_iterator(v.len(), v.iter().copied()),
    }
}

/// A 1-D int64 array of labels.
pub fn labels_to_py<'py>(py: Python<'py>, labels: &[usize]) -> Bound<'py, PyArray1<i64>> {
    PyArray1::from_vec(py, labels.iter().map(|&l| l as i64).collect())
}
