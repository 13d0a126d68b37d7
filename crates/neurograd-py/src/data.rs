//! `neurograd.data`: bundled datasets, generators and file loaders as NumPy arrays.

use neurograd::data::{self as nd, Dataset};
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::arrays::{labels_to_py, matrix_from_py, matrix_to_py, vector_from_py, vector_to_py};
use crate::errors::IntoPy;

/// `(X, y)`: features `(n, d)` float64 and labels `(n,)` int64.
type Xy<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<i64>>);

/// Two 1-D float64 arrays.
type Vec2<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// Two 2-D float64 arrays.
type Mat2<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<f64>>);

/// A linear teacher: inputs, targets, weights and bias.
type Teacher<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
);

/// An MLP teacher: inputs, targets, labels, the weights and the biases.
type MlpOut<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyList>,
    Bound<'py, PyList>,
);

/// A Gaussian with a given spectrum: samples, eigenvalues, eigenvectors, covariance.
type Spectrum<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
);

/// Whitened patches, the whitening matrix and the mean.
type Zca<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<f64>>,
);

fn xy<'py>(py: Python<'py>, ds: &Dataset) -> Xy<'py> {
    (matrix_to_py(py, &ds.features), labels_to_py(py, &ds.labels))
}

/// The generator `f` run with the GIL released, its error raised as the Python exception: the
/// shared body of the wrappers below.
fn run<T: Send, E: Into<neurograd::Error> + Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, E> + Send,
) -> PyResult<T> {
    py.detach(f).py_err()
}

/// Matrices (images, weights, trials) as a list of 2-D arrays.
fn matrices_to_py<'py>(py: Python<'py>, ms: &[nd::Matrix]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, ms.iter().map(|m| matrix_to_py(py, m)))
}

/// The UCI 8x8 digits: `X` (1797, 64) with pixels 0..16, `y` (1797,).
#[pyfunction]
fn load_digits(py: Python<'_>) -> PyResult<Xy<'_>> {
    Ok(xy(py, &nd::bundled::digits().py_err()?))
}

/// 5,000 MNIST images (500 per class): `X` (5000, 784) with pixels 0..255, `y` (5000,).
#[pyfunction]
fn load_mnist5k(py: Python<'_>) -> PyResult<Xy<'_>> {
    Ok(xy(py, &nd::bundled::mnist5k().py_err()?))
}

/// A bundled dataset by name (`digits`, `mnist5k`).
#[pyfunction]
fn load_bundled<'py>(py: Python<'py>, name: &str) -> PyResult<Xy<'py>> {
    Ok(xy(py, &nd::bundled::by_name(name).py_err()?))
}

/// The bundled natural images (grayscale, float64), as a list of 2-D arrays.
#[pyfunction]
fn natural_images(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let imgs = nd::natural::images().py_err()?;
    matrices_to_py(py, &imgs)
}

/// Features and labels from two `.npy` files (`.npy.gz` too).
#[pyfunction]
fn load_npy<'py>(py: Python<'py>, features: &str, labels: &str) -> PyResult<Xy<'py>> {
    Ok(xy(
        py,
        &nd::io::npy::load_dataset(features, labels).py_err()?,
    ))
}

/// A 2-D float64 matrix from one `.npy` file.
#[pyfunction]
fn load_npy_matrix<'py>(py: Python<'py>, path: &str) -> PyResult<Bound<'py, PyArray2<f64>>> {
    Ok(matrix_to_py(py, &nd::io::npy::read_matrix(path).py_err()?))
}

/// Images and labels from a pair of IDX files (the MNIST format; gzip allowed).
#[pyfunction]
fn load_idx<'py>(py: Python<'py>, images: &str, labels: &str) -> PyResult<Xy<'py>> {
    Ok(xy(
        py,
        &nd::io::idx::load_images_labels(images, labels).py_err()?,
    ))
}

/// Two interleaving half moons.
#[pyfunction]
#[pyo3(signature = (n, noise = 0.1, seed = 0))]
fn moons(py: Python<'_>, n: usize, noise: f64, seed: u64) -> PyResult<Xy<'_>> {
    Ok(xy(py, &nd::generators::moons(n, noise, seed).py_err()?))
}

/// Two concentric circles.
#[pyfunction]
#[pyo3(signature = (n, factor = 0.5, noise = 0.05, seed = 0))]
fn circles(py: Python<'_>, n: usize, factor: f64, noise: f64, seed: u64) -> PyResult<Xy<'_>> {
    Ok(xy(
        py,
        &nd::generators::circles(n, factor, noise, seed).py_err()?,
    ))
}

/// Interleaved spirals, one per class.
#[pyfunction]
#[pyo3(signature = (n, n_classes = 2, noise = 0.1, seed = 0))]
fn spirals(py: Python<'_>, n: usize, n_classes: usize, noise: f64, seed: u64) -> PyResult<Xy<'_>> {
    Ok(xy(
        py,
        &nd::generators::spirals(n, n_classes, noise, seed).py_err()?,
    ))
}

/// Isotropic Gaussian blobs (as scikit-learn's `make_blobs`): sample `i` has class `i mod n_classes`.
#[pyfunction]
#[pyo3(signature = (n, n_classes = 3, n_features = 2, cluster_std = 1.0, seed = 0))]
fn blobs(
    py: Python<'_>,
    n: usize,
    n_classes: usize,
    n_features: usize,
    cluster_std: f64,
    seed: u64,
) -> PyResult<Xy<'_>> {
    Ok(xy(
        py,
        &nd::generators::blobs(n, n_classes, n_features, cluster_std, seed).py_err()?,
    ))
}

/// The four XOR points `(0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0`.
#[pyfunction]
fn xor_table(py: Python<'_>) -> PyResult<Xy<'_>> {
    Ok(xy(py, &nd::generators::xor_table().py_err()?))
}

/// Noisy XOR.
#[pyfunction]
#[pyo3(signature = (n, noise = 0.1, seed = 0))]
fn xor(py: Python<'_>, n: usize, noise: f64, seed: u64) -> PyResult<Xy<'_>> {
    Ok(xy(py, &nd::generators::xor(n, noise, seed).py_err()?))
}

/// Földiák's bars: `(images (n, size^2), bars (n, 2 size))`, pixels and indicators in {0, 1}.
#[pyfunction]
#[pyo3(signature = (n, size = 8, p = 0.125, seed = 0))]
fn bars(py: Python<'_>, n: usize, size: usize, p: f64, seed: u64) -> PyResult<Mat2<'_>> {
    let b = nd::generators::bars(n, size, p, seed).py_err()?;
    Ok((matrix_to_py(py, &b.images), matrix_to_py(py, &b.bars)))
}

/// `n` dead-leaves images (`size x size` each), as a list of 2-D arrays.
#[pyfunction]
#[pyo3(signature = (n, size = 64, r_min = 1.0, r_max = 32.0, alpha = 3.0, seed = 0))]
fn dead_leaves(
    py: Python<'_>,
    n: usize,
    size: usize,
    r_min: f64,
    r_max: f64,
    alpha: f64,
    seed: u64,
) -> PyResult<Bound<'_, PyList>> {
    let g = nd::generators::DeadLeaves {
        size,
        r_min,
        r_max,
        alpha,
    };
    let imgs = run(py, || g.images(n, seed))?;
    matrices_to_py(py, &imgs)
}

fn images_from_py(images: &[PyReadonlyArray2<'_, f64>]) -> Vec<nd::Matrix> {
    images.iter().map(matrix_from_py).collect()
}

/// Square patches from a list of images, one per row (`natural::PatchSampler`).
#[pyfunction]
#[pyo3(signature = (images, size, count, border = 0, per_image = false, seed = 0))]
fn sample_patches<'py>(
    py: Python<'py>,
    images: Vec<PyReadonlyArray2<'py, f64>>,
    size: usize,
    count: usize,
    border: usize,
    per_image: bool,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let imgs = images_from_py(&images);
    let mut s = nd::natural::PatchSampler::new(size, count).with_border(border);
    if per_image {
        s = s.per_image();
    }
    Ok(matrix_to_py(py, &run(py, || s.sample(&imgs, seed))?))
}

/// The Olshausen & Field (1997) whitening / low-pass filter of a list of images.
#[pyfunction]
#[pyo3(signature = (images, f0 = 0.4, target_variance = 0.1, ramp = true))]
fn whiten_images<'py>(
    py: Python<'py>,
    images: Vec<PyReadonlyArray2<'py, f64>>,
    f0: f64,
    target_variance: f64,
    ramp: bool,
) -> PyResult<Bound<'py, PyList>> {
    let imgs = images_from_py(&images);
    let f = nd::natural::OlshausenField {
        f0,
        target_variance,
        ramp,
    };
    let out = run(py, || f.apply(&imgs))?;
    matrices_to_py(py, &out)
}

/// ZCA whitening of patches (one per row): `(whitened, matrix, mean)`, row `i` of `whitened` is
/// `matrix @ (patches[i] - mean)`.
#[pyfunction]
#[pyo3(signature = (patches, epsilon = 1e-5))]
fn zca_whiten<'py>(
    py: Python<'py>,
    patches: PyReadonlyArray2<'py, f64>,
    epsilon: f64,
) -> PyResult<Zca<'py>> {
    let x = matrix_from_py(&patches);
    let (w, t) = run(py, || nd::natural::zca_whiten(&x, epsilon))?;
    Ok((
        matrix_to_py(py, &w),
        matrix_to_py(py, &t.matrix),
        vector_to_py(py, &t.mean),
    ))
}

/// A linear teacher: `(inputs (n, d_in), targets (n, d_out), weights (d_out, d_in), bias (d_out,))`.
#[pyfunction]
#[pyo3(signature = (n, d_in, d_out, noise_std = 0.0, seed = 0))]
fn linear_teacher(
    py: Python<'_>,
    n: usize,
    d_in: usize,
    d_out: usize,
    noise_std: f64,
    seed: u64,
) -> PyResult<Teacher<'_>> {
    let t = run(py, || {
        nd::generators::linear_teacher(n, d_in, d_out, noise_std, seed)
    })?;
    Ok((
        matrix_to_py(py, &t.inputs),
        matrix_to_py(py, &t.targets),
        matrix_to_py(py, &t.weights),
        vector_to_py(py, &t.bias),
    ))
}

/// A random MLP teacher: `(inputs, targets, labels, weights, biases)`, the last two lists.
#[pyfunction]
#[pyo3(signature = (n, sizes, noise_std = 0.0, seed = 0))]
fn mlp_teacher<'py>(
    py: Python<'py>,
    n: usize,
    sizes: Vec<usize>,
    noise_std: f64,
    seed: u64,
) -> PyResult<MlpOut<'py>> {
    let t = run(py, || {
        nd::generators::mlp_teacher(n, &sizes, noise_std, seed)
    })?;
    Ok((
        matrix_to_py(py, &t.inputs),
        matrix_to_py(py, &t.targets),
        labels_to_py(py, &t.labels),
        matrices_to_py(py, &t.weights)?,
        PyList::new(py, t.biases.iter().map(|v| vector_to_py(py, v)))?,
    ))
}

/// `n` samples `mean + A z` with `A A^T = cov`, as an `(n, d)` array.
#[pyfunction]
#[pyo3(signature = (n, mean, cov, seed = 0))]
fn gaussian_with_covariance<'py>(
    py: Python<'py>,
    n: usize,
    mean: PyReadonlyArray1<'py, f64>,
    cov: PyReadonlyArray2<'py, f64>,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (m, c) = (vector_from_py(&mean), matrix_from_py(&cov));
    let x = run(py, || {
        nd::generators::gaussian_with_covariance(n, &m, &c, seed)
    })?;
    Ok(matrix_to_py(py, &x))
}

/// Zero-mean samples with a given eigenvalue spectrum in a random orientation:
/// `(samples, eigenvalues, eigenvectors, covariance)`.
#[pyfunction]
#[pyo3(signature = (n, eigenvalues, seed = 0))]
fn gaussian_with_spectrum(
    py: Python<'_>,
    n: usize,
    eigenvalues: Vec<f64>,
    seed: u64,
) -> PyResult<Spectrum<'_>> {
    let g = run(py, || {
        nd::generators::gaussian_with_spectrum(n, &eigenvalues, seed)
    })?;
    Ok((
        matrix_to_py(py, &g.samples),
        vector_to_py(py, &g.eigenvalues),
        matrix_to_py(py, &g.eigenvectors),
        matrix_to_py(py, &g.covariance),
    ))
}

/// A `rows x cols` image of i.i.d. standard normal pixels (stream `(seed, 0)`, row-major).
#[pyfunction]
#[pyo3(signature = (rows, cols, seed = 0))]
fn white_noise_image(
    py: Python<'_>,
    rows: usize,
    cols: usize,
    seed: u64,
) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let m = run(py, || nd::natural::white_noise_image(rows, cols, seed))?;
    Ok(matrix_to_py(py, &m))
}

/// One white-noise image per input image, same shapes (image `i` from stream `(seed, i)`).
#[pyfunction]
#[pyo3(signature = (images, seed = 0))]
fn white_noise_like<'py>(
    py: Python<'py>,
    images: Vec<PyReadonlyArray2<'py, f64>>,
    seed: u64,
) -> PyResult<Bound<'py, PyList>> {
    let imgs = images_from_py(&images);
    let out = run(py, || nd::natural::white_noise_like(&imgs, seed))?;
    matrices_to_py(py, &out)
}

/// `image` with the same amplitude spectrum and the phases of white noise.
#[pyfunction]
#[pyo3(signature = (image, seed = 0))]
fn phase_scramble<'py>(
    py: Python<'py>,
    image: PyReadonlyArray2<'py, f64>,
    seed: u64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let im = matrix_from_py(&image);
    let m = run(py, || nd::natural::phase_scramble(&im, seed))?;
    Ok(matrix_to_py(py, &m))
}

/// A `rows x cols` image with amplitude spectrum `f^-exponent` and white-noise phases.
#[pyfunction]
#[pyo3(signature = (rows, cols, exponent = 1.0, seed = 0))]
fn power_law_image(
    py: Python<'_>,
    rows: usize,
    cols: usize,
    exponent: f64,
    seed: u64,
) -> PyResult<Bound<'_, PyArray2<f64>>> {
    let m = run(py, || {
        nd::natural::power_law_image(rows, cols, exponent, seed)
    })?;
    Ok(matrix_to_py(py, &m))
}

/// Radially averaged power spectrum of a square image: `(f, power)`, two 1-D arrays.
#[pyfunction]
fn radial_power_spectrum<'py>(
    py: Python<'py>,
    image: PyReadonlyArray2<'py, f64>,
) -> PyResult<Vec2<'py>> {
    let im = matrix_from_py(&image);
    let s = run(py, || nd::generators::radial_power_spectrum(&im))?;
    let (f, p): (Vec<f64>, Vec<f64>) = s.into_iter().unzip();
    Ok((PyArray1::from_vec(py, f), PyArray1::from_vec(py, p)))
}

/// The sequence tasks [`sequence`] accepts.
const SEQUENCE_TASKS: &[&str] = &["evidence", "patterns", "randman"];

/// The default configuration of a sequence task as JSON (the crate's `*Config` defaults).
#[pyfunction]
fn sequence_defaults(task: &str) -> PyResult<String> {
    use nd::generators::sequence as sq;
    let j = match task {
        "evidence" => serde_json::to_string(&sq::EvidenceConfig::default()),
        "patterns" => serde_json::to_string(&sq::PatternConfig::default()),
        "randman" => serde_json::to_string(&sq::RandmanConfig::default()),
        other => {
            return Err(crate::errors::to_py(neurograd::Error::unknown(
                "sequence task",
                other,
                SEQUENCE_TASKS,
            )));
        }
    };
    j.map_err(|e| crate::errors::to_py(neurograd::Error::from(e)))
}

/// One trial set of a sequence task: `(inputs, target, dt_ms)` with `inputs` a list of `T x n_in`
/// arrays and `target` either `(labels, n_classes, (start, end))` or a list of `T x n_out` arrays.
#[pyfunction]
#[pyo3(signature = (task, config_json, n_trials = 1, seed = 0))]
fn sequence<'py>(
    py: Python<'py>,
    task: &str,
    config_json: &str,
    n_trials: usize,
    seed: u64,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyAny>, f64)> {
    use nd::generators::sequence as sq;
    fn cfg<T: serde::de::DeserializeOwned>(j: &str) -> PyResult<T> {
        serde_json::from_str(j).map_err(|e| {
            crate::errors::to_py(neurograd::Error::InvalidParameter {
                name: "config",
                value: j.to_string(),
                reason: e.to_string(),
            })
        })
    }
    let set = match task {
        "evidence" => {
            let c: sq::EvidenceConfig = cfg(config_json)?;
            py.detach(|| sq::evidence_accumulation(&c, n_trials, seed))
        }
        "patterns" => {
            let c: sq::PatternConfig = cfg(config_json)?;
            py.detach(|| sq::pattern_generation(&c, seed))
        }
        "randman" => {
            let c: sq::RandmanConfig = cfg(config_json)?;
            py.detach(|| sq::randman(&c, seed))
        }
        other => {
            return Err(crate::errors::to_py(neurograd::Error::unknown(
                "sequence task",
                other,
                SEQUENCE_TASKS,
            )));
        }
    }
    .py_err()?;
    let inputs = matrices_to_py(py, &set.inputs)?;
    let target = match &set.target {
        sq::SequenceTarget::Classification {
            labels,
            n_classes,
            window,
        } => (labels_to_py(py, labels), *n_classes, *window)
            .into_pyobject(py)?
            .into_any(),
        sq::SequenceTarget::Regression { targets } => matrices_to_py(py, targets)?.into_any(),
    };
    Ok((inputs, target, set.dt_ms))
}

/// Registers the functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(load_digits, m)?)?;
    m.add_function(wrap_pyfunction!(load_mnist5k, m)?)?;
    m.add_function(wrap_pyfunction!(load_bundled, m)?)?;
    m.add_function(wrap_pyfunction!(natural_images, m)?)?;
    m.add_function(wrap_pyfunction!(load_npy, m)?)?;
    m.add_function(wrap_pyfunction!(load_npy_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(load_idx, m)?)?;
    m.add_function(wrap_pyfunction!(moons, m)?)?;
    m.add_function(wrap_pyfunction!(circles, m)?)?;
    m.add_function(wrap_pyfunction!(spirals, m)?)?;
    m.add_function(wrap_pyfunction!(xor, m)?)?;
    m.add_function(wrap_pyfunction!(blobs, m)?)?;
    m.add_function(wrap_pyfunction!(xor_table, m)?)?;
    m.add_function(wrap_pyfunction!(bars, m)?)?;
    m.add_function(wrap_pyfunction!(dead_leaves, m)?)?;
    m.add_function(wrap_pyfunction!(sample_patches, m)?)?;
    m.add_function(wrap_pyfunction!(whiten_images, m)?)?;
    m.add_function(wrap_pyfunction!(zca_whiten, m)?)?;
    m.add_function(wrap_pyfunction!(linear_teacher, m)?)?;
    m.add_function(wrap_pyfunction!(mlp_teacher, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_with_covariance, m)?)?;
    m.add_function(wrap_pyfunction!(gaussian_with_spectrum, m)?)?;
    m.add_function(wrap_pyfunction!(white_noise_image, m)?)?;
    m.add_function(wrap_pyfunction!(white_noise_like, m)?)?;
    m.add_function(wrap_pyfunction!(phase_scramble, m)?)?;
    m.add_function(wrap_pyfunction!(power_law_image, m)?)?;
    m.add_function(wrap_pyfunction!(radial_power_spectrum, m)?)?;
    m.add_function(wrap_pyfunction!(sequence_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(sequence, m)?)?;
    Ok(())
}
