//! Times `neurograd_tensor::gemm` (faer) against nalgebra's `gemm` (matrixmultiply) on the shapes
//! of the GEMM, MLP and conv benchmarks: `cargo run --release -p neurograd-tensor --example
//! gemm_probe [threads]`. Prints microseconds per product (best of 7 batches) and the ratio.
use std::hint::black_box;
use std::time::Instant;

use neurograd_tensor::Matrix;
use neurograd_tensor::gemm::{GemmRef, gemm_with_threads};

fn best_us(mut f: impl FnMut(), flops: f64) -> f64 {
    let reps = ((2e8 / flops) as usize).clamp(3, 200_000);
    f();
    let mut best = f64::INFINITY;
    for _ in 0..7 {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    best * 1e6
}

fn fill(r: usize, c: usize, s: f64) -> Matrix {
    Matrix::from_fn(r, c, |i, j| ((i * 31 + j * 17) as f64 * s).sin())
}

fn main() {
    let threads: usize = std::env::args()
        .nth(1)
        .map_or(1, |s| s.parse().expect("threads"));
    // (label, m, k, n, a transposed, b transposed)
    let shapes: &[(&str, usize, usize, usize, bool, bool)] = &[
        ("sq64", 64, 64, 64, false, false),
        ("sq256", 256, 256, 256, false, false),
        ("sq1024", 1024, 1024, 1024, false, false),
        ("mlp1 fwd x.W1t", 32, 64, 256, false, true),
        ("mlp1 fwd h.W2t", 32, 256, 10, false, true),
        ("mlp1 dW2 dT.h", 10, 32, 256, true, false),
        ("mlp1 dh d.W2", 32, 10, 256, false, false),
        ("mlp1 dW1 dT.x", 256, 32, 64, true, false),
        ("mlp2 fwd x.W1t", 128, 784, 256, false, true),
        ("mlp2 fwd h.W2t", 128, 256, 10, false, true),
        ("mlp2 dW2", 10, 128, 256, true, false),
        ("mlp2 dh", 128, 10, 256, false, false),
        ("mlp2 dW1", 256, 128, 784, true, false),
        ("lenet1 fwd U.Wt", 9216, 25, 6, false, true),
        ("lenet1 dW Gt.U", 6, 9216, 25, true, false),
        ("lenet1 dU G.W", 9216, 6, 25, false, false),
        ("lenet2 fwd U.Wt", 2048, 150, 16, false, true),
        ("lenet2 dW Gt.U", 16, 2048, 150, true, false),
        ("lenet2 dU G.W", 2048, 16, 150, false, false),
    ];
    println!("threads={threads}");
    println!(
        "{:18} {:>10} {:>10} {:>7}",
        "shape", "mm_us", "faer_us", "mm/faer"
    );
    for &(label, m, k, n, ta, tb) in shapes {
        let a = if ta {
            fill(k, m, 0.01)
        } else {
            fill(m, k, 0.01)
        };
        let b = if tb {
            fill(n, k, 0.02)
        } else {
            fill(k, n, 0.02)
        };
        let mut c = Matrix::zeros(m, n);
        let flops = 2.0 * (m * n * k) as f64;
        let av = if ta { a.transpose() } else { a.clone() };
        let bv = if tb { b.transpose() } else { b.clone() };
        let ar = if ta {
            GemmRef::t(&a)
        } else {
            GemmRef::from(&a)
        };
        let br = if tb {
            GemmRef::t(&b)
        } else {
            GemmRef::from(&b)
        };
        // nalgebra path: strided views for transposes, as credit/linalg.rs did
        let at = nalgebra::DMatrixView::from_slice_with_strides(
            a.as_slice(),
            m,
            k,
            if ta { k } else { 1 },
            if ta { 1 } else { m },
        );
        let bt = nalgebra::DMatrixView::from_slice_with_strides(
            b.as_slice(),
            k,
            n,
            if tb { n } else { 1 },
            if tb { 1 } else { k },
        );
        let _ = (&av, &bv);
        let mm = best_us(|| c.gemm(1.0, black_box(&at), black_box(&bt), 0.0), flops);
        let mm_out = c.clone();
        let fa = best_us(
            || gemm_with_threads(&mut c, 1.0, black_box(ar), black_box(br), 0.0, threads),
            flops,
        );
        let diff = (&c - &mm_out).amax();
        println!(
            "{label:18} {mm:10.2} {fa:10.2} {:7.2}   maxdiff {diff:.1e}",
            mm / fa
        );
    }
}
