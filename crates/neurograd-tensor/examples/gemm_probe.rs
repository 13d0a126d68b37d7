//! Times the two kernels of `neurograd_tensor::gemm` (faer, and nalgebra → matrixmultiply) on the
//! shapes of the GEMM, MLP and conv benchmarks, interleaved in one process: `cargo run --release
//! -p neurograd-tensor --example gemm_probe [threads] [reps-scale]`. Prints microseconds per
//! product (best of 7 batches) and the ratio mm/faer (above 1: faer faster); `gemm` uses faer
//! (see `gemm::Kernel` for why). Set `MATMUL_NUM_THREADS` to the same thread count: unset, it
//! lets matrixmultiply use every physical core whatever `threads` says.
use std::hint::black_box;
use std::time::Instant;

use neurograd_tensor::Matrix;
use neurograd_tensor::gemm::{GemmRef, Kernel, gemm_with_kernel};

fn best_us(mut f: impl FnMut(), flops: f64, scale: f64) -> f64 {
    let reps = ((2e8 * scale / flops) as usize).clamp(1, 200_000);
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
    let scale: f64 = std::env::args()
        .nth(2)
        .map_or(1.0, |s| s.parse().expect("reps scale"));
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
        // around the tall-and-thin shape of lenet2 fwd, to see how far its behaviour reaches
        ("tall 2048.150.16 nn", 2048, 150, 16, false, false),
        ("tall 4096.128.16", 4096, 128, 16, false, true),
        ("tall 1024.150.16", 1024, 150, 16, false, true),
        ("tall 2048.64.16", 2048, 64, 16, false, true),
        ("tall 2048.150.32", 2048, 150, 32, false, true),
        ("tall 2048.300.8", 2048, 300, 8, false, true),
    ];
    println!("threads={threads}");
    println!(
        "{:20} {:>10} {:>10} {:>7}",
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
        let run = |k: Kernel, c: &mut Matrix| {
            gemm_with_kernel(c, 1.0, black_box(ar), black_box(br), 0.0, threads, k)
        };
        let mut mm_out = c.clone();
        let mm = best_us(|| run(Kernel::MatrixMultiply, &mut mm_out), flops, scale);
        let fa = best_us(|| run(Kernel::Faer, &mut c), flops, scale);
        let diff = (&c - &mm_out).amax();
        println!(
            "{label:20} {mm:10.2} {fa:10.2} {:7.2}   maxdiff {diff:.1e}",
            mm / fa
        );
    }
}
