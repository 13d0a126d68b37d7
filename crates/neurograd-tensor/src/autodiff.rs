//! Reverse-mode automatic differentiation on a tape of matrix-valued nodes.
//!
//! A [`Tape`] records every operation in creation order (a Wengert list; Wengert, 1964; Griewank &
//! Walther, *Evaluating Derivatives*, 2008). Each node stores its value; [`Tape::backward`] walks
//! the list once in reverse and accumulates adjoints `Ḡ_v = ∂L/∂v` for a scalar (1 × 1) output `L`
//! by the chain rule `Ḡ_x += Σ_{y = f(x, …)} J_f(x)ᵀ Ḡ_y`. Only nodes that depend on a
//! [`Tape::leaf`] receive adjoints; [`Tape::constant`]s do not. Second derivatives are not
//! supported.
//!
//! The vector-Jacobian products used, with `G` the adjoint of the result:
//!
//! | op | forward | backward |
//! |---|---|---|
//! | `matmul` | `C = A B` | `Ā += G Bᵀ`, `B̄ += Aᵀ G` |
//! | `matmul_t` | `C = A Bᵀ` | `Ā += G B`, `B̄ += Gᵀ A` |
//! | `add`, `sub` | `A ± B` | `Ā += G`, `B̄ += ±G` |
//! | `mul` | `A ⊙ B` | `Ā += G ⊙ B`, `B̄ += G ⊙ A` |
//! | `div` | `A ⊘ B` | `Ā += G ⊘ B`, `B̄ -= G ⊙ A ⊘ B²` |
//! | `add_row`, `sub_row` | `A ± 1 r` (`r` is `1 × n`) | `Ā += G`, `r̄ += ±Σ_rows G` |
//! | `add_col`, `sub_col` | `A ± c 1ᵀ` (`c` is `m × 1`) | `Ā += G`, `c̄ += ±Σ_cols G` |
//! | `scale`, `add_scalar`, `neg` | `sA`, `A + s`, `-A` | `sG`, `G`, `-G` |
//! | `transpose` | `Aᵀ` | `Ā += Gᵀ` |
//! | `activation` | `f(A)` | `Ā += G ⊙ f'(A)` |
//! | `exp`, `log`, `square` | `e^A`, `ln A`, `A²` | `G ⊙ e^A`, `G ⊘ A`, `2 G ⊙ A` |
//! | `sum`, `mean` | `Σ A`, `Σ A / (mn)` | `G·1`, `G·1/(mn)` |
//! | `sum_rows`, `mean_rows` | `1 × n` column totals | `G` broadcast down the rows (`/m`) |
//! | `sum_cols`, `mean_cols` | `m × 1` row totals | `G` broadcast along the columns (`/n`) |
//! | `softmax_cross_entropy` | see [`crate::loss`] | `Z̄ += G (softmax(Z) - Y) / m` |
//! | `mse` | see [`crate::loss`] | `P̄ += 2G (P - T)/(mn)`, `T̄ -= 2G (P - T)/(mn)` |
//! | `spike` | `H(U)` (strict: 1 where `u > 0`) | `Ū += G ⊙ ψ(U)`, `ψ` a [`Surrogate`] pseudo-derivative |
//! | `detach` | `A` (a copy) | none: a constant, the stop-gradient of the spiking tape |
//! | `conv2d` | `Y = conv(X; W) + b` (NCHW rows, see [`crate::conv`]) | `X̄ += col2im(G W)`, `W̄ += Gᵀ U`, `b̄ += Σ_{n,i,j} G` |
//! | `max_pool2d` | window max, first maximum in row-major order | `X̄[argmax] += G` |
//! | `avg_pool2d` | window mean (divisor `D`) | `X̄[Ω] += G / D` |
//! | `global_avg_pool` | `N × C` channel means | `X̄ += G / (HW)` spread over each plane |
//! | `reshape` | row-major reshape (NumPy semantics) | `Ā += reshape(G)` back to `A`'s shape |
//!
//! Matrix products go through [`crate::gemm`] (faer's kernels, dispatched at run time to AVX2 or
//! AVX-512), with transposed factors read in place. Adjoints are accumulated in place (`gemm` with
//! `β = 1` for products), so a node used many times does not allocate per use.
//!
//! # Panics
//! Operations whose result type is `Var` (the infallible ones), [`Tape::value`] and
//! [`Gradients::wrt`] panic if given a [`Var`] created by a different tape, or before
//! [`Tape::clear`]: this is a programming error, not bad data. The fallible operations return
//! [`TensorError::ForeignVar`] instead.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::activation::Activation;
use crate::conv::{self, Conv2dGeometry, ImageShape, Pool2dGeometry};
use crate::gemm::{self, GemmRef};
use crate::loss::{check_labels, softmax_in_place};
use crate::surrogate::{Surrogate, heaviside};
use crate::{Matrix, Real, Result, TensorError};

static NEXT_TAPE_ID: AtomicU64 = AtomicU64::new(1);

fn fresh_id() -> u64 {
    NEXT_TAPE_ID.fetch_add(1, Ordering::Relaxed)
}

/// A handle to a node of a [`Tape`]. Cheap to copy; only meaningful with the tape that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Var {
    index: usize,
    tape: u64,
}

impl Var {
    /// Position of the node on its tape (creation order).
    pub fn index(&self) -> usize {
        self.index
    }
}

#[derive(Debug, Clone)]
enum Op {
    Leaf,
    Constant,
    MatMul(usize, usize),
    MatMulT(usize, usize),
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
    Div(usize, usize),
    AddRow(usize, usize, Real),
    AddCol(usize, usize, Real),
    Scale(usize, Real),
    AddScalar(usize),
    Transpose(usize),
    Act(usize, Activation),
    Exp(usize),
    Log(usize),
    Square(usize),
    Sum(usize),
    Mean(usize),
    SumRows(usize, Real),
    SumCols(usize, Real),
    /// `grad` holds `(softmax(Z) - Y) / m`.
    SoftmaxCe {
        logits: usize,
        grad: Matrix,
    },
    Mse(usize, usize),
    // spiking tape (surrogate.rs): Heaviside forward, pseudo-derivative backward
    Spike(usize, Surrogate),
    // convolution, pooling and reshape (crate::conv)
    /// `cols` holds the im2col patch matrix of the input (for the weight gradient).
    Conv2d {
        x: usize,
        w: usize,
        b: Option<usize>,
        geom: Box<Conv2dGeometry>,
        cols: Matrix,
    },
    MaxPool2d {
        x: usize,
        argmax: Vec<usize>,
        geom: Box<Pool2dGeometry>,
    },
    AvgPool2d {
        x: usize,
        geom: Box<Pool2dGeometry>,
    },
    GlobalAvgPool {
        x: usize,
        shape: ImageShape,
    },
    Reshape(usize),
}

#[derive(Debug, Clone)]
struct Node {
    value: Matrix,
    op: Op,
    needs_grad: bool,
}

/// A tape recording matrix operations for reverse-mode differentiation.
///
/// ```
/// use neurograd_tensor::{Matrix, Tape};
/// let mut t = Tape::new();
/// let w = t.leaf(Matrix::from_row_slice(1, 2, &[1.0, -2.0]));
/// let x = t.constant(Matrix::from_row_slice(2, 1, &[3.0, 4.0]));
/// let y = t.matmul(w, x)?; // 1 x 1: 3 - 8 = -5
/// let l = t.square(y); // 25
/// let g = t.backward(l)?;
/// // dl/dw = 2 y x^T = -10 [3, 4]
/// assert_eq!(g.wrt(w), &Matrix::from_row_slice(1, 2, &[-30.0, -40.0]));
/// # Ok::<(), neurograd_tensor::TensorError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Tape {
    id: u64,
    nodes: Vec<Node>,
}

impl Default for Tape {
    fn default() -> Self {
        Self::new()
    }
}

fn shape_err(op: &'static str, expected: (usize, usize), got: (usize, usize)) -> TensorError {
    TensorError::ShapeMismatch { op, expected, got }
}

impl Tape {
    /// An empty tape.
    pub fn new() -> Self {
        Tape {
            id: fresh_id(),
            nodes: Vec::new(),
        }
    }

    /// An empty tape with room for `n` nodes.
    pub fn with_capacity(n: usize) -> Self {
        Tape {
            id: fresh_id(),
            nodes: Vec::with_capacity(n),
        }
    }

    /// Removes every node (keeping the allocation) and invalidates all existing [`Var`]s.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.id = fresh_id();
    }

    /// Number of nodes recorded.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether no node has been recorded.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    fn push(&mut self, value: Matrix, op: Op, needs_grad: bool) -> Var {
        self.nodes.push(Node {
            value,
            op,
            needs_grad,
        });
        Var {
            index: self.nodes.len() - 1,
            tape: self.id,
        }
    }

    fn try_idx(&self, v: Var) -> Result<usize> {
        if v.tape == self.id && v.index < self.nodes.len() {
            Ok(v.index)
        } else {
            Err(TensorError::ForeignVar { index: v.index })
        }
    }

    fn idx(&self, v: Var) -> usize {
        match self.try_idx(v) {
            Ok(i) => i,
            Err(e) => panic!("{e}"),
        }
    }

    fn ng(&self, i: usize) -> bool {
        self.nodes[i].needs_grad
    }

    /// Records a differentiable input (a parameter or an input you want the gradient of).
    pub fn leaf(&mut self, value: Matrix) -> Var {
        self.push(value, Op::Leaf, true)
    }

    /// Records a non-differentiable input (data, targets). Its adjoint is never computed;
    /// [`Gradients::wrt`] returns zeros for it.
    pub fn constant(&mut self, value: Matrix) -> Var {
        self.push(value, Op::Constant, false)
    }

    /// The value of a node.
    ///
    /// # Panics
    /// If `v` belongs to another tape (see the [module docs](self)).
    pub fn value(&self, v: Var) -> &Matrix {
        &self.nodes[self.idx(v)].value
    }

    /// The shape `(rows, cols)` of a node.
    ///
    /// # Panics
    /// If `v` belongs to another tape.
    pub fn shape(&self, v: Var) -> (usize, usize) {
        self.value(v).shape()
    }

    /// The single element of a 1 × 1 node.
    ///
    /// # Errors
    /// [`TensorError::ShapeMismatch`] if the node is not 1 × 1, [`TensorError::ForeignVar`].
    pub fn item(&self, v: Var) -> Result<Real> {
        let i = self.try_idx(v)?;
        let m = &self.nodes[i].value;
        if m.shape() != (1, 1) {
            return Err(shape_err("item", (1, 1), m.shape()));
        }
        Ok(m[(0, 0)])
    }

    fn binary_same(&self, op: &'static str, a: Var, b: Var) -> Result<(usize, usize)> {
        let (ia, ib) = (self.try_idx(a)?, self.try_idx(b)?);
        let (sa, sb) = (self.nodes[ia].value.shape(), self.nodes[ib].value.shape());
        if sa != sb {
            return Err(shape_err(op, sa, sb));
        }
        Ok((ia, ib))
    }

    /// Matrix product `A B`.
    ///
    /// # Errors
    /// `A.cols != B.rows` ([`TensorError::ShapeMismatch`]), foreign var.
    pub fn matmul(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.try_idx(a)?, self.try_idx(b)?);
        let (sa, sb) = (self.nodes[ia].value.shape(), self.nodes[ib].value.shape());
        if sa.1 != sb.0 {
            return Err(shape_err("matmul", (sa.1, sb.1), sb));
        }
        let v = gemm::matmul_new(
            (&self.nodes[ia].value).into(),
            (&self.nodes[ib].value).into(),
        );
        let ng = self.ng(ia) || self.ng(ib);
        Ok(self.push(v, Op::MatMul(ia, ib), ng))
    }

    /// Product with a transposed right factor, `A Bᵀ` (a dense layer `X Wᵀ` with `W` in
    /// `(fan_out, fan_in)` layout); cheaper in the backward pass than `matmul(a, transpose(b))`.
    ///
    /// # Errors
    /// `A.cols != B.cols`, foreign var.
    pub fn matmul_t(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = (self.try_idx(a)?, self.try_idx(b)?);
        let (sa, sb) = (self.nodes[ia].value.shape(), self.nodes[ib].value.shape());
        if sa.1 != sb.1 {
            return Err(shape_err("matmul_t", (sb.0, sa.1), sb));
        }
        let v = gemm::matmul_new(
            (&self.nodes[ia].value).into(),
            GemmRef::t(&self.nodes[ib].value),
        );
        let ng = self.ng(ia) || self.ng(ib);
        Ok(self.push(v, Op::MatMulT(ia, ib), ng))
    }

    /// Elementwise sum `A + B`.
    ///
    /// # Errors
    /// Different shapes, foreign var.
    pub fn add(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = self.binary_same("add", a, b)?;
        let v = &self.nodes[ia].value + &self.nodes[ib].value;
        let ng = self.ng(ia) || self.ng(ib);
        Ok(self.push(v, Op::Add(ia, ib), ng))
    }

    /// Elementwise difference `A - B`.
    ///
    /// # Errors
    /// Different shapes, foreign var.
    pub fn sub(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = self.binary_same("sub", a, b)?;
        let v = &self.nodes[ia].value - &self.nodes[ib].value;
        let ng = self.ng(ia) || self.ng(ib);
        Ok(self.push(v, Op::Sub(ia, ib), ng))
    }

    /// Elementwise (Hadamard) product `A ⊙ B`.
    ///
    /// # Errors
    /// Different shapes, foreign var.
    pub fn mul(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = self.binary_same("mul", a, b)?;
        let v = self.nodes[ia].value.component_mul(&self.nodes[ib].value);
        let ng = self.ng(ia) || self.ng(ib);
        Ok(self.push(v, Op::Mul(ia, ib), ng))
    }

    /// Elementwise quotient `A ⊘ B`.
    ///
    /// # Errors
    /// Different shapes, a zero in `B` ([`TensorError::Domain`]), foreign var.
    pub fn div(&mut self, a: Var, b: Var) -> Result<Var> {
        let (ia, ib) = self.binary_same("div", a, b)?;
        let bv = &self.nodes[ib].value;
        if let Some(index) = bv.iter().position(|&x| x == 0.0) {
            return Err(TensorError::Domain {
                op: "div",
                index,
                value: bv[index],
            });
        }
        let v = self.nodes[ia].value.component_div(bv);
        let ng = self.ng(ia) || self.ng(ib);
        Ok(self.push(v, Op::Div(ia, ib), ng))
    }

    fn broadcast_row(&mut self, op: &'static str, a: Var, row: Var, sign: Real) -> Result<Var> {
        let (ia, ir) = (self.try_idx(a)?, self.try_idx(row)?);
        let sa = self.nodes[ia].value.shape();
        let sr = self.nodes[ir].value.shape();
        if sr != (1, sa.1) {
            return Err(shape_err(op, (1, sa.1), sr));
        }
        let mut v = self.nodes[ia].value.clone();
        let r = &self.nodes[ir].value;
        for j in 0..sa.1 {
            let add = sign * r[(0, j)];
            for x in v.column_mut(j).iter_mut() {
                *x += add;
            }
        }
        let ng = self.ng(ia) || self.ng(ir);
        Ok(self.push(v, Op::AddRow(ia, ir, sign), ng))
    }

    fn broadcast_col(&mut self, op: &'static str, a: Var, col: Var, sign: Real) -> Result<Var> {
        let (ia, ic) = (self.try_idx(a)?, self.try_idx(col)?);
        let sa = self.nodes[ia].value.shape();
        let sc = self.nodes[ic].value.shape();
        if sc != (sa.0, 1) {
            return Err(shape_err(op, (sa.0, 1), sc));
        }
        let mut v = self.nodes[ia].value.clone();
        let c = self.nodes[ic].value.as_slice();
        for j in 0..sa.1 {
            for (x, &y) in v.column_mut(j).iter_mut().zip(c) {
                *x += sign * y;
            }
        }
        let ng = self.ng(ia) || self.ng(ic);
        Ok(self.push(v, Op::AddCol(ia, ic, sign), ng))
    }

    /// `A + 1 r`: adds the `1 × n` row `r` to every row of the `m × n` matrix `A` (biases).
    ///
    /// # Errors
    /// `r` not `1 × A.cols`, foreign var.
    pub fn add_row(&mut self, a: Var, row: Var) -> Result<Var> {
        self.broadcast_row("add_row", a, row, 1.0)
    }

    /// `A - 1 r`: subtracts the `1 × n` row `r` from every row of `A`.
    ///
    /// # Errors
    /// `r` not `1 × A.cols`, foreign var.
    pub fn sub_row(&mut self, a: Var, row: Var) -> Result<Var> {
        self.broadcast_row("sub_row", a, row, -1.0)
    }

    /// `A + c 1ᵀ`: adds the `m × 1` column `c` to every column of `A`.
    ///
    /// # Errors
    /// `c` not `A.rows × 1`, foreign var.
    pub fn add_col(&mut self, a: Var, col: Var) -> Result<Var> {
        self.broadcast_col("add_col", a, col, 1.0)
    }

    /// `A - c 1ᵀ`: subtracts the `m × 1` column `c` from every column of `A`.
    ///
    /// # Errors
    /// `c` not `A.rows × 1`, foreign var.
    pub fn sub_col(&mut self, a: Var, col: Var) -> Result<Var> {
        self.broadcast_col("sub_col", a, col, -1.0)
    }

    fn unary(
        &mut self,
        a: Var,
        f: impl FnOnce(&Matrix) -> Matrix,
        op: impl FnOnce(usize) -> Op,
    ) -> Var {
        let ia = self.idx(a);
        let v = f(&self.nodes[ia].value);
        let ng = self.ng(ia);
        self.push(v, op(ia), ng)
    }

    /// `s A`.
    pub fn scale(&mut self, a: Var, s: Real) -> Var {
        self.unary(a, |m| m * s, |i| Op::Scale(i, s))
    }

    /// `A + s` (elementwise).
    pub fn add_scalar(&mut self, a: Var, s: Real) -> Var {
        self.unary(a, |m| m.add_scalar(s), Op::AddScalar)
    }

    /// `-A`.
    pub fn neg(&mut self, a: Var) -> Var {
        self.scale(a, -1.0)
    }

    /// `Aᵀ`.
    pub fn transpose(&mut self, a: Var) -> Var {
        self.unary(a, |m| m.transpose(), Op::Transpose)
    }

    /// `f(A)` elementwise for an [`Activation`].
    pub fn activation(&mut self, a: Var, act: Activation) -> Var {
        self.unary(a, |m| act.map(m), |i| Op::Act(i, act))
    }

    /// `e^A` elementwise.
    pub fn exp(&mut self, a: Var) -> Var {
        self.unary(a, |m| m.map(Real::exp), Op::Exp)
    }

    /// `ln A` elementwise.
    ///
    /// # Errors
    /// A non-positive element ([`TensorError::Domain`]), foreign var.
    pub fn log(&mut self, a: Var) -> Result<Var> {
        let ia = self.try_idx(a)?;
        let m = &self.nodes[ia].value;
        if let Some(index) = m.iter().position(|&x| x.is_nan() || x <= 0.0) {
            return Err(TensorError::Domain {
                op: "log",
                index,
                value: m[index],
            });
        }
        Ok(self.unary(a, |m| m.map(Real::ln), Op::Log))
    }

    /// `A ⊙ A`.
    pub fn square(&mut self, a: Var) -> Var {
        self.unary(a, |m| m.component_mul(m), Op::Square)
    }

    /// Sum of all elements (1 × 1).
    pub fn sum(&mut self, a: Var) -> Var {
        self.unary(a, |m| Matrix::from_element(1, 1, m.sum()), Op::Sum)
    }

    /// Mean of all elements (1 × 1); 0 elements give NaN.
    pub fn mean(&mut self, a: Var) -> Var {
        self.unary(a, |m| Matrix::from_element(1, 1, m.mean()), Op::Mean)
    }

    fn col_totals(m: &Matrix, k: Real) -> Matrix {
        let mut out = Matrix::zeros(1, m.ncols());
        for j in 0..m.ncols() {
            out[(0, j)] = k * m.column(j).sum();
        }
        out
    }

    fn row_totals(m: &Matrix, k: Real) -> Matrix {
        let mut out = Matrix::zeros(m.nrows(), 1);
        for j in 0..m.ncols() {
            for (o, &x) in out.as_mut_slice().iter_mut().zip(m.column(j).iter()) {
                *o += x;
            }
        }
        out *= k;
        out
    }

    /// Sum over rows: `1 × n`, entry `j` is `Σ_i A_ij`.
    pub fn sum_rows(&mut self, a: Var) -> Var {
        self.unary(a, |m| Self::col_totals(m, 1.0), |i| Op::SumRows(i, 1.0))
    }

    /// Mean over rows: `1 × n`, entry `j` is `Σ_i A_ij / m`.
    pub fn mean_rows(&mut self, a: Var) -> Var {
        let k = 1.0 / self.shape(a).0 as Real;
        self.unary(a, |m| Self::col_totals(m, k), |i| Op::SumRows(i, k))
    }

    /// Sum over columns: `m × 1`, entry `i` is `Σ_j A_ij`.
    pub fn sum_cols(&mut self, a: Var) -> Var {
        self.unary(a, |m| Self::row_totals(m, 1.0), |i| Op::SumCols(i, 1.0))
    }

    /// Mean over columns: `m × 1`, entry `i` is `Σ_j A_ij / n`.
    pub fn mean_cols(&mut self, a: Var) -> Var {
        let k = 1.0 / self.shape(a).1 as Real;
        self.unary(a, |m| Self::row_totals(m, k), |i| Op::SumCols(i, k))
    }

    /// Softmax cross-entropy of logits (one row per sample) against integer labels, averaged
    /// over rows (1 × 1); see [`crate::loss::softmax_cross_entropy`].
    ///
    /// # Errors
    /// Empty logits, `labels.len() != rows`, label out of range, non-finite logits, foreign var.
    pub fn softmax_cross_entropy(&mut self, logits: Var, labels: &[usize]) -> Result<Var> {
        let il = self.try_idx(logits)?;
        let z = &self.nodes[il].value;
        check_labels("softmax_cross_entropy", z, labels)?;
        let lse = crate::loss::logsumexp_rows(z);
        let m = labels.len() as Real;
        let loss: Real = labels
            .iter()
            .enumerate()
            .map(|(i, &y)| lse[i] - z[(i, y)])
            .sum::<Real>()
            / m;
        let mut grad = z.clone();
        softmax_in_place(&mut grad);
        for (i, &y) in labels.iter().enumerate() {
            grad[(i, y)] -= 1.0;
        }
        grad /= m;
        let ng = self.ng(il);
        Ok(self.push(
            Matrix::from_element(1, 1, loss),
            Op::SoftmaxCe { logits: il, grad },
            ng,
        ))
    }

    /// Mean squared error over all elements (1 × 1); see [`crate::loss::mse`].
    ///
    /// # Errors
    /// Different shapes, empty input, foreign var.
    pub fn mse(&mut self, pred: Var, target: Var) -> Result<Var> {
        let (ip, it) = self.binary_same("mse", pred, target)?;
        let (p, t) = (&self.nodes[ip].value, &self.nodes[it].value);
        if p.is_empty() {
            return Err(TensorError::Empty {
                what: "mse: prediction".into(),
            });
        }
        let mut s = 0.0;
        for (a, b) in p.as_slice().iter().zip(t.as_slice()) {
            s += (a - b) * (a - b);
        }
        let v = s / p.len() as Real;
        let ng = self.ng(ip) || self.ng(it);
        Ok(self.push(Matrix::from_element(1, 1, v), Op::Mse(ip, it), ng))
    }

    /// The spike nonlinearity `Z = H(U)` elementwise (strict Heaviside: 1 where `u > 0`), whose
    /// backward pass uses the pseudo-derivative `ψ` of `surrogate` instead of `H' = 0`:
    /// `Ū += G ⊙ ψ(U)` (Zenke & Ganguli 2018; Bellec et al. 2018; Neftci, Mostafa & Zenke 2019).
    /// The result is "the gradient formula of a smoothed network evaluated along the Heaviside
    /// trajectory", not the gradient of any fixed function in general (reference §4.4).
    ///
    /// # Errors
    /// Invalid surrogate parameters ([`TensorError::InvalidParameter`]), foreign var.
    pub fn spike(&mut self, u: Var, surrogate: Surrogate) -> Result<Var> {
        surrogate.check()?;
        let iu = self.try_idx(u)?;
        Ok(self.unary(u, |m| m.map(heaviside), |_| Op::Spike(iu, surrogate)))
    }

    /// Stop-gradient: a copy of `A`'s value recorded as a constant, so no adjoint flows back
    /// into `A` through it (TensorFlow's `stop_gradient`, PyTorch's `.detach()`); used for the
    /// detached reset and for e-prop's stopped recurrent spikes.
    ///
    /// # Errors
    /// Foreign var.
    pub fn detach(&mut self, a: Var) -> Result<Var> {
        let ia = self.try_idx(a)?;
        let v = self.nodes[ia].value.clone();
        Ok(self.push(v, Op::Constant, false))
    }

    /// 2-D convolution of a batch `x` (`N × C·H·W`, one image per row in `(c, h, w)` order) with
    /// weights `w` (`K × C·R·S`) and an optional bias (`1 × K`): `N × K·H_o·W_o`; see
    /// [`crate::conv`] for the equations and the layout.
    ///
    /// # Errors
    /// Shapes that do not match `geom` ([`TensorError::ShapeMismatch`]), an empty batch, foreign
    /// var.
    pub fn conv2d(
        &mut self,
        x: Var,
        w: Var,
        bias: Option<Var>,
        geom: &Conv2dGeometry,
    ) -> Result<Var> {
        let (ix, iw) = (self.try_idx(x)?, self.try_idx(w)?);
        let ib = bias.map(|b| self.try_idx(b)).transpose()?;
        let mut cols = Matrix::zeros(0, 0);
        let y = geom.forward_cols(
            &self.nodes[ix].value,
            &self.nodes[iw].value,
            ib.map(|b| &self.nodes[b].value),
            &mut cols,
        )?;
        if !self.ng(iw) {
            cols = Matrix::zeros(0, 0);
        }
        let ng = self.ng(ix) || self.ng(iw) || ib.is_some_and(|b| self.ng(b));
        let op = Op::Conv2d {
            x: ix,
            w: iw,
            b: ib,
            geom: Box::new(*geom),
            cols,
        };
        Ok(self.push(y, op, ng))
    }

    /// Max pooling of a batch `x` (`N × C·H·W`): `N × C·H_o·W_o`; the gradient goes to the first
    /// maximum of each window in row-major order (see [`crate::conv::pool`]).
    ///
    /// # Errors
    /// `x` not `N × C·H·W` for `geom`'s input, an empty batch, foreign var.
    pub fn max_pool2d(&mut self, x: Var, geom: &Pool2dGeometry) -> Result<Var> {
        let ix = self.try_idx(x)?;
        let (y, argmax) = conv::max_pool2d(&self.nodes[ix].value, geom)?;
        let ng = self.ng(ix);
        let geom = Box::new(*geom);
        Ok(self.push(
            y,
            Op::MaxPool2d {
                x: ix,
                argmax,
                geom,
            },
            ng,
        ))
    }

    /// Average pooling of a batch `x` (`N × C·H·W`): `N × C·H_o·W_o`.
    ///
    /// # Errors
    /// `x` not `N × C·H·W` for `geom`'s input, an empty batch, foreign var.
    pub fn avg_pool2d(&mut self, x: Var, geom: &Pool2dGeometry) -> Result<Var> {
        let ix = self.try_idx(x)?;
        let y = conv::avg_pool2d(&self.nodes[ix].value, geom)?;
        let ng = self.ng(ix);
        let geom = Box::new(*geom);
        Ok(self.push(y, Op::AvgPool2d { x: ix, geom }, ng))
    }

    /// Global average pooling of a batch `x` (`N × C·H·W`): `N × C`, each channel's mean.
    ///
    /// # Errors
    /// `x` not `N × C·H·W`, an empty batch, foreign var.
    pub fn global_avg_pool(&mut self, x: Var, shape: ImageShape) -> Result<Var> {
        let ix = self.try_idx(x)?;
        let y = conv::global_avg_pool(&self.nodes[ix].value, shape)?;
        let ng = self.ng(ix);
        Ok(self.push(y, Op::GlobalAvgPool { x: ix, shape }, ng))
    }

    /// Row-major reshape to `rows × cols` (NumPy's `reshape` of a C-ordered array). Flattening an
    /// NCHW batch for a dense layer needs no reshape: it is already `N × C·H·W`.
    ///
    /// # Errors
    /// `rows·cols` differs from the number of entries ([`TensorError::ShapeMismatch`]), foreign var.
    pub fn reshape(&mut self, a: Var, rows: usize, cols: usize) -> Result<Var> {
        let ia = self.try_idx(a)?;
        let y = conv::reshape_row_major(&self.nodes[ia].value, rows, cols)?;
        let ng = self.ng(ia);
        Ok(self.push(y, Op::Reshape(ia), ng))
    }

    /// Reverse pass from a scalar `output`: returns `∂output/∂v` for every node `v`.
    ///
    /// # Errors
    /// `output` not 1 × 1 ([`TensorError::ShapeMismatch`] with op `backward`), foreign var.
    pub fn backward(&self, output: Var) -> Result<Gradients> {
        let out = self.try_idx(output)?;
        let shape = self.nodes[out].value.shape();
        if shape != (1, 1) {
            return Err(shape_err("backward", (1, 1), shape));
        }
        let n = out + 1;
        let mut grads: Vec<Option<Matrix>> = (0..n).map(|_| None).collect();
        if self.nodes[out].needs_grad {
            grads[out] = Some(Matrix::from_element(1, 1, 1.0));
        }
        for i in (0..n).rev() {
            let Some(g) = grads[i].take() else { continue };
            self.propagate(i, &g, &mut grads);
            grads[i] = Some(g);
        }
        Ok(Gradients {
            tape: self.id,
            shapes: self.nodes.iter().map(|n| n.value.shape()).collect(),
            grads,
            zeros: (0..self.nodes.len()).map(|_| OnceLock::new()).collect(),
        })
    }

    fn propagate(&self, i: usize, g: &Matrix, grads: &mut [Option<Matrix>]) {
        let val = |k: usize| &self.nodes[k].value;
        let ng = |k: usize| self.nodes[k].needs_grad;
        match &self.nodes[i].op {
            Op::Leaf | Op::Constant => {}
            &Op::MatMul(a, b) => {
                if ng(a) {
                    acc_gemm(grads, a, g.into(), GemmRef::t(val(b)));
                }
                if ng(b) {
                    acc_gemm(grads, b, GemmRef::t(val(a)), g.into());
                }
            }
            &Op::MatMulT(a, b) => {
                if ng(a) {
                    acc_gemm(grads, a, g.into(), val(b).into());
                }
                if ng(b) {
                    acc_gemm(grads, b, GemmRef::t(g), val(a).into());
                }
            }
            &Op::Add(a, b) => {
                acc_scaled(grads, a, ng(a), g, 1.0);
                acc_scaled(grads, b, ng(b), g, 1.0);
            }
            &Op::Sub(a, b) => {
                acc_scaled(grads, a, ng(a), g, 1.0);
                acc_scaled(grads, b, ng(b), g, -1.0);
            }
            &Op::Mul(a, b) => {
                if ng(a) {
                    acc_zip(grads, a, g, val(b), |g, y| g * y);
                }
                if ng(b) {
                    acc_zip(grads, b, g, val(a), |g, x| g * x);
                }
            }
            &Op::Div(a, b) => {
                if ng(a) {
                    acc_zip(grads, a, g, val(b), |g, y| g / y);
                }
                if ng(b) {
                    // d(a/b)/db = -(a/b)/b = -out/b
                    let q = val(i).component_div(val(b));
                    acc_zip(grads, b, g, &q, |g, q| -g * q);
                }
            }
            &Op::AddRow(a, r, sign) => {
                acc_scaled(grads, a, ng(a), g, 1.0);
                if ng(r) {
                    acc_owned(grads, r, Self::col_totals(g, sign));
                }
            }
            &Op::AddCol(a, c, sign) => {
                acc_scaled(grads, a, ng(a), g, 1.0);
                if ng(c) {
                    acc_owned(grads, c, Self::row_totals(g, sign));
                }
            }
            &Op::Scale(a, s) => acc_scaled(grads, a, true, g, s),
            &Op::AddScalar(a) => acc_scaled(grads, a, true, g, 1.0),
            &Op::Transpose(a) => acc_owned(grads, a, g.transpose()),
            &Op::Act(a, act) => match act {
                Activation::Sigmoid => acc_zip(grads, a, g, val(i), |g, y| g * y * (1.0 - y)),
                Activation::Tanh => acc_zip(grads, a, g, val(i), |g, y| g * (1.0 - y * y)),
                Activation::Identity => acc_scaled(grads, a, true, g, 1.0),
                _ => acc_zip(grads, a, g, val(a), |g, x| g * act.derivative(x)),
            },
            &Op::Exp(a) => acc_zip(grads, a, g, val(i), |g, y| g * y),
            &Op::Log(a) => acc_zip(grads, a, g, val(a), |g, x| g / x),
            &Op::Square(a) => acc_zip(grads, a, g, val(a), |g, x| 2.0 * g * x),
            &Op::Sum(a) => {
                let (r, c) = val(a).shape();
                acc_owned(grads, a, Matrix::from_element(r, c, g[(0, 0)]));
            }
            &Op::Mean(a) => {
                let (r, c) = val(a).shape();
                let k = g[(0, 0)] / (r * c) as Real;
                acc_owned(grads, a, Matrix::from_element(r, c, k));
            }
            &Op::SumRows(a, k) => {
                let (r, c) = val(a).shape();
                let mut m = Matrix::zeros(r, c);
                for j in 0..c {
                    m.column_mut(j).fill(k * g[(0, j)]);
                }
                acc_owned(grads, a, m);
            }
            &Op::SumCols(a, k) => {
                let (r, c) = val(a).shape();
                let mut m = Matrix::zeros(r, c);
                for j in 0..c {
                    m.column_mut(j).copy_from(&g.column(0));
                }
                m *= k;
                acc_owned(grads, a, m);
            }
            Op::SoftmaxCe { logits, grad } => {
                acc_scaled(grads, *logits, true, grad, g[(0, 0)]);
            }
            &Op::Mse(p, t) => {
                let k = 2.0 * g[(0, 0)] / val(p).len() as Real;
                let d = (val(p) - val(t)) * k;
                if ng(t) {
                    acc_scaled(grads, t, true, &d, -1.0);
                }
                if ng(p) {
                    acc_owned(grads, p, d);
                }
            }
            &Op::Spike(u, surrogate) => {
                acc_zip(grads, u, g, val(u), |g, x| g * surrogate.derivative(x));
            }
            // convolution, pooling and reshape (crate::conv); shapes were checked when recorded
            Op::Conv2d {
                x,
                w,
                b,
                geom,
                cols,
            } => {
                if ng(*x) {
                    acc_owned(grads, *x, geom.backward_input_raw(g, val(*w)));
                }
                if ng(*w) {
                    acc_owned(grads, *w, geom.backward_weight_raw(cols, g));
                }
                if let Some(b) = *b
                    && ng(b)
                {
                    acc_owned(grads, b, geom.backward_bias_raw(g));
                }
            }
            Op::MaxPool2d { x, argmax, geom } => {
                acc_owned(
                    grads,
                    *x,
                    conv::pool::max_pool2d_backward_raw(g, argmax, geom),
                );
            }
            Op::AvgPool2d { x, geom } => {
                acc_owned(grads, *x, conv::pool::avg_pool2d_backward_raw(g, geom));
            }
            &Op::GlobalAvgPool { x, shape } => {
                acc_owned(grads, x, conv::pool::global_avg_pool_backward_raw(g, shape));
            }
            &Op::Reshape(a) => {
                let (r, c) = val(a).shape();
                acc_owned(grads, a, conv::reshape_row_major_raw(g, r, c));
            }
        }
    }
}

/// `grads[k] += s * g` (allocating on first contribution).
fn acc_scaled(grads: &mut [Option<Matrix>], k: usize, needed: bool, g: &Matrix, s: Real) {
    if !needed {
        return;
    }
    match &mut grads[k] {
        Some(d) => {
            for (d, &g) in d.as_mut_slice().iter_mut().zip(g.as_slice()) {
                *d += s * g;
            }
        }
        slot @ None => *slot = Some(if s == 1.0 { g.clone() } else { g * s }),
    }
}

fn acc_owned(grads: &mut [Option<Matrix>], k: usize, g: Matrix) {
    match &mut grads[k] {
        Some(d) => *d += g,
        slot @ None => *slot = Some(g),
    }
}

/// `grads[k] += x y` via [`gemm`] with β = 1 (transposed operands are read in place).
fn acc_gemm(grads: &mut [Option<Matrix>], k: usize, x: GemmRef<'_>, y: GemmRef<'_>) {
    match &mut grads[k] {
        Some(d) => gemm::gemm(d, 1.0, x, y, 1.0),
        slot @ None => *slot = Some(gemm::matmul_new(x, y)),
    }
}

/// `grads[k][e] += f(g[e], y[e])` elementwise.
fn acc_zip(
    grads: &mut [Option<Matrix>],
    k: usize,
    g: &Matrix,
    y: &Matrix,
    f: impl Fn(Real, Real) -> Real,
) {
    match &mut grads[k] {
        Some(d) => {
            for ((d, &g), &y) in d
                .as_mut_slice()
                .iter_mut()
                .zip(g.as_slice())
                .zip(y.as_slice())
            {
                *d += f(g, y);
            }
        }
        slot @ None => {
            let mut d = g.clone();
            for (d, &y) in d.as_mut_slice().iter_mut().zip(y.as_slice()) {
                *d = f(*d, y);
            }
            *slot = Some(d);
        }
    }
}

/// The adjoints computed by [`Tape::backward`].
#[derive(Debug)]
pub struct Gradients {
    tape: u64,
    shapes: Vec<(usize, usize)>,
    grads: Vec<Option<Matrix>>,
    zeros: Vec<OnceLock<Matrix>>,
}

impl Gradients {
    fn check(&self, v: Var) -> usize {
        if v.tape != self.tape || v.index >= self.shapes.len() {
            panic!("{}", TensorError::ForeignVar { index: v.index });
        }
        v.index
    }

    /// `∂output/∂v`, shaped like `v`; zeros if the output does not depend on `v` through a
    /// differentiable path (constants, nodes created after the output).
    ///
    /// # Panics
    /// If `v` was not created by the tape that produced these gradients.
    pub fn wrt(&self, v: Var) -> &Matrix {
        let i = self.check(v);
        match self.grads.get(i) {
            Some(Some(g)) => g,
            _ => self.zeros[i].get_or_init(|| {
                let (r, c) = self.shapes[i];
                Matrix::zeros(r, c)
            }),
        }
    }

    /// `∂output/∂v` if the output depends on `v` through a differentiable path, else `None`.
    ///
    /// # Panics
    /// If `v` was not created by the tape that produced these gradients.
    pub fn get(&self, v: Var) -> Option<&Matrix> {
        let i = self.check(v);
        self.grads.get(i).and_then(Option::as_ref)
    }

    /// Moves the adjoint of `v` out (zeros if none); a second call returns zeros.
    ///
    /// # Panics
    /// If `v` was not created by the tape that produced these gradients.
    pub fn take(&mut self, v: Var) -> Matrix {
        let i = self.check(v);
        match self.grads.get_mut(i).and_then(Option::take) {
            Some(g) => g,
            None => {
                let (r, c) = self.shapes[i];
                Matrix::zeros(r, c)
            }
        }
    }
}
