//! Convolution benchmarks: conv2d forward and backward (im2col + GEMM, f64, NCHW batch 32) on the
//! shapes of `benches/peers/conv_numpy.py`, and 2 × 2 max pooling of the first stage's output.
//!
//! | case | input | kernel | output |
//! |---|---|---|---|
//! | `lenet1` | 32 × 1 × 28 × 28 | 8 × 5 × 5, stride 1, pad 0 | 32 × 8 × 24 × 24 |
//! | `lenet2` | 32 × 8 × 12 × 12 | 16 × 5 × 5, stride 1, pad 0 | 32 × 16 × 8 × 8 |
//! | `same3` | 32 × 16 × 14 × 14 | 16 × 3 × 3, stride 1, pad 1 | 32 × 16 × 14 × 14 |
//!
//! "forward" is im2col (into a reused buffer) + GEMM + bias; "backward" is `∂W` from the stored
//! patch matrix, `∂b`, and `∂X` (GEMM + col2im), as the tape does it. The peer times the same
//! two steps. Run the comparison on one thread on an idle machine:
//!
//! ```text
//! MATMUL_NUM_THREADS=1 cargo bench -p neurograd-benches --bench conv
//! OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 benches/peers/conv_numpy.py
//! ```
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion, criterion_group, criterion_main};
use neurograd_tensor::conv::{
    Conv2dGeometry, Conv2dParams, ImageShape, Pool2dGeometry, Pool2dParams, max_pool2d,
    max_pool2d_backward,
};
use neurograd_tensor::{Matrix, init};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// (name, N, C, H, W, K, kernel, stride, padding).
type Case = (
    &'static str,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
    usize,
);

/// The peer's `CASES`.
const CASES: [Case; 3] = [
    ("lenet1", 32, 1, 28, 28, 8, 5, 1, 0),
    ("lenet2", 32, 8, 12, 12, 16, 5, 1, 0),
    ("same3", 32, 16, 14, 14, 16, 3, 1, 1),
];

fn uniform(r: usize, c: usize, rng: &mut ChaCha8Rng) -> Matrix {
    init::uniform(r, c, -1.0, 1.0, rng).expect("valid range")
}

/// A benchmark group with 10 samples, 0.5 s warm-up and 2 s of measurement.
fn short_group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    group
}

fn conv2d(c: &mut Criterion) {
    let mut group = short_group(c, "conv2d");
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for (name, n, ch, h, w, k, ks, stride, pad) in CASES {
        let geom = Conv2dGeometry::new(
            ImageShape::new(ch, h, w).expect("valid shape"),
            Conv2dParams::new(k, ks)
                .with_stride(stride)
                .with_padding(pad),
        )
        .expect("valid geometry");
        let x = uniform(n, geom.input().len(), &mut rng);
        let (wr, wc) = geom.weight_shape();
        let wm = uniform(wr, wc, &mut rng);
        let b = uniform(1, k, &mut rng);
        let g = uniform(n, geom.output().len(), &mut rng);
        let mut cols = Matrix::zeros(0, 0);
        group.bench_with_input(BenchmarkId::new("forward", name), &name, |bch, _| {
            bch.iter(|| {
                let y = geom
                    .forward_cols(black_box(&x), black_box(&wm), Some(&b), &mut cols)
                    .expect("shapes match");
                black_box(y);
            })
        });
        group.bench_with_input(BenchmarkId::new("backward", name), &name, |bch, _| {
            bch.iter(|| {
                let dw = geom
                    .backward_weight_from_cols(black_box(&cols), black_box(&g))
                    .expect("shapes match");
                let db = geom.backward_bias(&g).expect("shapes match");
                let dx = geom.backward_input(&g, &wm).expect("shapes match");
                black_box((dw, db, dx));
            })
        });
    }
    group.finish();
}

fn max_pool(c: &mut Criterion) {
    let mut group = short_group(c, "max_pool2d");
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let shape = ImageShape::new(8, 24, 24).expect("valid shape");
    let geom = Pool2dGeometry::new(shape, Pool2dParams::new(2)).expect("valid geometry");
    let x = uniform(32, shape.len(), &mut rng);
    let g = uniform(32, geom.output().len(), &mut rng);
    let (_, arg) = max_pool2d(&x, &geom).expect("shapes match");
    group.bench_function(BenchmarkId::new("forward", "8x24x24"), |bch| {
        bch.iter(|| black_box(max_pool2d(black_box(&x), &geom).expect("shapes match")))
    });
    group.bench_function(BenchmarkId::new("backward", "8x24x24"), |bch| {
        bch.iter(|| {
            black_box(max_pool2d_backward(black_box(&g), &arg, &geom).expect("shapes match"))
        })
    });
    group.finish();
}

criterion_group!(benches, conv2d, max_pool);
criterion_main!(benches);
