//! Tensor-core benchmarks: dense f64 matrix multiply at n = 64 … 1024, through
//! `neurograd_tensor::gemm` (faer's kernels, `neurograd_gemm`, the path every product of the
//! library takes) and through nalgebra's own `gemm` (matrixmultiply, `nalgebra_gemm`, kept for
//! comparison), and forward + backward of an MLP 784-256-10 at batch 128 through the autodiff
//! tape.
//!
//! Throughput is reported in elements/s where one "element" is one floating-point operation
//! (`2 n³` per n × n product), so criterion's `Gelem/s` reads as GFLOP/s.
//! Threads: `MATMUL_NUM_THREADS=1` or `=2` selects the thread count of both (read once per
//! process). Peer: `benches/peers/gemm.py` (NumPy/OpenBLAS); `benches/peers/gemm_ratio.sh` runs
//! both alternately and prints the ratios. Results and exact commands: `docs/benchmarks.md`.
use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use neurograd_tensor::gemm::{GemmRef, gemm as ng_gemm};
use neurograd_tensor::{Activation, Matrix, Tape, init};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn gemm(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm_f64");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for n in [64usize, 128, 256, 512, 1024] {
        let a = init::uniform(n, n, -1.0, 1.0, &mut rng).expect("valid range");
        let b = init::uniform(n, n, -1.0, 1.0, &mut rng).expect("valid range");
        let mut out = Matrix::zeros(n, n);
        group.throughput(Throughput::Elements(2 * (n as u64).pow(3)));
        group.bench_with_input(BenchmarkId::new("neurograd_gemm", n), &n, |bch, _| {
            bch.iter(|| {
                ng_gemm(
                    &mut out,
                    1.0,
                    GemmRef::from(black_box(&a)),
                    GemmRef::from(black_box(&b)),
                    0.0,
                );
                black_box(&out);
            })
        });
        group.bench_with_input(BenchmarkId::new("nalgebra_gemm", n), &n, |bch, _| {
            bch.iter(|| {
                out.gemm(1.0, black_box(&a), black_box(&b), 0.0);
                black_box(&out);
            })
        });
    }
    group.finish();
}

/// One training step's gradient: `CE(relu(X W1ᵀ + b1) W2ᵀ + b2, y)`, forward and backward.
fn mlp_step(
    tape: &mut Tape,
    x: &Matrix,
    labels: &[usize],
    params: &[Matrix; 4],
) -> neurograd_tensor::Result<Matrix> {
    tape.clear();
    let xv = tape.constant(x.clone());
    let w1 = tape.leaf(params[0].clone());
    let b1 = tape.leaf(params[1].clone());
    let w2 = tape.leaf(params[2].clone());
    let b2 = tape.leaf(params[3].clone());
    let z1 = tape.matmul_t(xv, w1)?;
    let z1 = tape.add_row(z1, b1)?;
    let h = tape.activation(z1, Activation::Relu);
    let z2 = tape.matmul_t(h, w2)?;
    let z2 = tape.add_row(z2, b2)?;
    let loss = tape.softmax_cross_entropy(z2, labels)?;
    let mut g = tape.backward(loss)?;
    Ok(g.take(w1))
}

fn mlp(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (batch, din, hidden, classes) = (128, 784, 256, 10);
    let x = init::uniform(batch, din, 0.0, 1.0, &mut rng).expect("valid range");
    let labels: Vec<usize> = (0..batch).map(|i| (i * 7) % classes).collect();
    let params = [
        init::he_uniform(hidden, din, &mut rng).expect("valid"),
        Matrix::zeros(1, hidden),
        init::glorot_uniform(classes, hidden, &mut rng).expect("valid"),
        Matrix::zeros(1, classes),
    ];
    let mut group = c.benchmark_group("mlp_784_256_10");
    group.sample_size(20);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    // forward 2·B·(784·256 + 256·10) flops, backward twice that for the weight and input
    // adjoints of layer 2 and the weight adjoint of layer 1 (no input adjoint for X)
    let fwd = 2 * batch * (din * hidden + hidden * classes);
    let bwd = 2 * batch * (din * hidden + 2 * hidden * classes);
    group.throughput(Throughput::Elements((fwd + bwd) as u64));
    let mut tape = Tape::with_capacity(16);
    group.bench_function(BenchmarkId::new("tape_fwd_bwd", batch), |b| {
        b.iter(|| {
            black_box(mlp_step(&mut tape, black_box(&x), &labels, &params).expect("valid shapes"))
        })
    });
    group.finish();
}

criterion_group!(benches, gemm, mlp);
criterion_main!(benches);
