//! # neurograd-tensor
//!
//! The tensor core of neurograd. Storage is nalgebra's [`DMatrix`](nalgebra::DMatrix) and
//! [`DVector`](nalgebra::DVector) of [`Real`] (`f64`); nalgebra is re-exported so that every crate
//! and every user sees one version of it. Batches store **one sample per row**; weights use the
//! `(fan_out, fan_in)` layout of PyTorch's `nn.Linear`.
//!
//! | module | contents |
//! |---|---|
//! | [`activation`] | [`Activation`]: identity, sigmoid, tanh, ReLU, leaky ReLU, softplus, ELU, hard sigmoid, with derivatives |
//! | [`loss`] | stable MSE, softmax cross-entropy, binary cross-entropy on logits, accuracy, and their gradients |
//! | [`init`] | seeded initialisers: uniform, normal, Glorot, He, orthogonal, sparse; the [`Init`] enum |
//! | [`conv`] | batched NCHW conv2d (stride, padding, dilation; im2col + GEMM), max/average/global-average pooling, forward and backward |
//! | [`autodiff`] | reverse-mode autodiff: [`Tape`], [`Var`], [`Gradients`] |
//! | [`surrogate`] | pseudo-derivatives of the spike (Bellec's triangle, fast sigmoid, arctan, sigmoid') for surrogate-gradient learning |
//! | [`gradcheck`] | central finite differences and [`GradCheckReport`] |
//! | [`geometry`] | flatten/unflatten, cosine, angle, tangent projection, sorted eigendecomposition, PCA, subspace distance |
//! | [`validate`] | [`check_finite`], [`check_shape`] and friends for public boundaries |
//! | `testing` | proptest strategies (feature `testing`) |
//!
//! Public operations on user data return [`Result`] with a structured [`TensorError`].
//!
//! ## Features
//!
//! | feature | adds |
//! |---|---|
//! | `parallel` (default) | multi-threaded matrix products: matrixmultiply's `threading` (nalgebra's GEMM backend; up to 4 threads, `MATMUL_NUM_THREADS`); results are bit-identical without it. The faer kernel of [`gemm`] (the tape, conv2d and credit-assignment products) threads by `MATMUL_NUM_THREADS` with or without this feature |
//! | `testing` | proptest strategies for downstream test suites (pulls in proptest) |
//!
//! # Example: gradient of a tiny MLP, checked against finite differences
//!
//! ```
//! use neurograd_tensor::{Activation, Matrix, Tape, init, gradcheck};
//! use rand::SeedableRng;
//! use rand_chacha::ChaCha8Rng;
//!
//! let mut rng = ChaCha8Rng::seed_from_u64(7);
//! let x = init::normal(4, 3, 0.0, 1.0, &mut rng)?; // batch of 4 samples, 3 features
//! let labels = [0, 1, 1, 0];
//! let w1 = init::glorot_uniform(5, 3, &mut rng)?; // (fan_out, fan_in)
//! let b1 = Matrix::zeros(1, 5);
//! let w2 = init::glorot_uniform(2, 5, &mut rng)?;
//!
//! // loss(W1, b1, W2) = CE(tanh(X W1ᵀ + b1) W2ᵀ, labels)
//! let loss = |p: &[Matrix]| -> neurograd_tensor::Result<(Tape, Vec<neurograd_tensor::Var>, neurograd_tensor::Var)> {
//!     let mut t = Tape::new();
//!     let xv = t.constant(x.clone());
//!     let params: Vec<_> = p.iter().map(|m| t.leaf(m.clone())).collect();
//!     let z1 = t.matmul_t(xv, params[0])?;
//!     let z1 = t.add_row(z1, params[1])?;
//!     let h = t.activation(z1, Activation::Tanh);
//!     let logits = t.matmul_t(h, params[2])?;
//!     let l = t.softmax_cross_entropy(logits, &labels)?;
//!     Ok((t, params, l))
//! };
//!
//! let params = vec![w1, b1, w2];
//! let (tape, vars, l) = loss(&params)?;
//! let grads = tape.backward(l)?;
//! let analytic: Vec<Matrix> = vars.iter().map(|&v| grads.wrt(v).clone()).collect();
//!
//! let f = |p: &[Matrix]| { let (t, _, l) = loss(p)?; t.item(l) };
//! let report = gradcheck::check_gradient(f, &params, &analytic, 1e-5)?;
//! assert!(report.max_rel_error < 1e-6, "{report:?}");
//! # Ok::<(), neurograd_tensor::TensorError>(())
//! ```

pub use nalgebra;

/// The scalar type of neurograd.
pub type Real = f64;
/// A dense matrix of [`Real`]; batches store one sample per row.
pub type Matrix = nalgebra::DMatrix<Real>;
/// A dense column vector of [`Real`].
pub type Vector = nalgebra::DVector<Real>;

pub mod activation;
pub mod autodiff;
pub mod conv;
pub mod error;
pub mod gemm;
pub mod geometry;
pub mod gradcheck;
pub mod init;
pub mod loss;
pub mod seed;
pub mod surrogate;
#[cfg(feature = "testing")]
pub mod testing;

/// The README's quick start, compiled and run as a doctest so that it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
mod readme {}
pub mod validate;

pub use activation::Activation;
pub use autodiff::{Gradients, Tape, Var};
pub use error::TensorError;
pub use gradcheck::{GradCheckReport, check_gradient, numerical_gradient};
pub use init::Init;
pub use surrogate::Surrogate;
pub use validate::{check_finite, check_shape};

/// Result type of this crate.
pub type Result<T> = std::result::Result<T, TensorError>;
