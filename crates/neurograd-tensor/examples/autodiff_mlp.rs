//! A 2-8-2 tanh network learns XOR by gradient descent on the autodiff tape; the gradient is
//! checked against central finite differences before training and after it.
//!
//! Run: `cargo run --release -p neurograd-tensor --example autodiff_mlp`

use neurograd_tensor::{Activation, Matrix, Result, Tape, Var, gradcheck, loss};

/// Records `softmax_cross_entropy(tanh(X W1ᵀ + b1) W2ᵀ + b2)` on a fresh tape.
fn forward(x: &Matrix, labels: &[usize], p: &[Matrix]) -> Result<(Tape, Vec<Var>, Var, Var)> {
    let mut t = Tape::new();
    let xv = t.constant(x.clone());
    let v: Vec<Var> = p.iter().map(|m| t.leaf(m.clone())).collect();
    let z1 = t.matmul_t(xv, v[0])?;
    let z1 = t.add_row(z1, v[1])?;
    let h = t.activation(z1, Activation::Tanh);
    let z2 = t.matmul_t(h, v[2])?;
    let logits = t.add_row(z2, v[3])?;
    let l = t.softmax_cross_entropy(logits, labels)?;
    Ok((t, v, logits, l))
}

fn gradients(x: &Matrix, labels: &[usize], p: &[Matrix]) -> Result<(f64, Vec<Matrix>)> {
    let (tape, vars, _, l) = forward(x, labels, p)?;
    let g = tape.backward(l)?;
    Ok((
        tape.item(l)?,
        vars.iter().map(|&v| g.wrt(v).clone()).collect(),
    ))
}

fn check(x: &Matrix, labels: &[usize], p: &[Matrix]) -> Result<f64> {
    let (_, analytic) = gradients(x, labels, p)?;
    let f = |q: &[Matrix]| forward(x, labels, q).and_then(|(t, _, _, l)| t.item(l));
    Ok(gradcheck::check_gradient(f, p, &analytic, 1e-5)?.max_rel_error)
}

fn main() -> Result<()> {
    let x = Matrix::from_row_slice(4, 2, &[0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0]);
    let labels = [0, 1, 1, 0];
    // deterministic, asymmetric start (no random generator needed)
    let mut p = vec![
        Matrix::from_fn(8, 2, |i, j| ((2 * i + j) as f64 * 1.7).sin()),
        Matrix::from_fn(1, 8, |_, j| 0.1 * (j as f64 - 3.5)),
        Matrix::from_fn(2, 8, |i, j| 0.5 * ((i + 3 * j) as f64 * 0.9).cos()),
        Matrix::zeros(1, 2),
    ];
    let before = check(&x, &labels, &p)?;
    println!("gradient check before training: max relative error {before:.2e}");
    assert!(before < 1e-6);
    let lr = 0.5;
    for step in 0..=500 {
        let (l, g) = gradients(&x, &labels, &p)?;
        if step % 100 == 0 {
            println!("step {step:3}: loss {l:.6}");
        }
        for (w, gw) in p.iter_mut().zip(&g) {
            *w -= gw * lr;
        }
    }
    let after = check(&x, &labels, &p)?;
    println!("gradient check after training:  max relative error {after:.2e}");
    assert!(after < 1e-6);
    let (tape, _, logits, _) = forward(&x, &labels, &p)?;
    let acc = loss::accuracy(tape.value(logits), &labels)?;
    println!("XOR accuracy {acc}");
    assert_eq!(acc, 1.0);
    Ok(())
}
