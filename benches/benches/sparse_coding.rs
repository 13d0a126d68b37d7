//! Sparse-coding inference (Olshausen & Field 1997 with ISTA / FISTA; Beck & Teboulle 2009) per
//! batch of patches, the inner loop of dictionary learning and of `neurograd v1`'s sparse coding.
//!
//! Shapes (the reference calibration's, vision note §4): 12 x 12 patches (`d = 144`), a complete
//! dictionary of `M = 144` unit-norm atoms, a batch of `B = 100` patches, `λ = 0.15`, 60
//! iterations. Each iteration is one `B x M x M` product with the Gram matrix `ΦᵀΦ` and the soft
//! threshold; the setup (Gram matrix, `L = ‖Φ‖₂²`, drive `XΦ`) is inside the timed call.
//!
//! The NumPy peer `benches/peers/ista_numpy.py` times the same arithmetic on the same shapes.
//!
//! Run: `MATMUL_NUM_THREADS=1 cargo bench -p neurograd-benches --bench sparse_coding`.

use criterion::{Criterion, criterion_group, criterion_main};
use nalgebra::DMatrix;
use neurograd_plasticity::receptive::sparse_coding::{
    Inference, InferenceConfig, infer, random_unit_columns,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const D: usize = 144;
const M: usize = 144;
const B: usize = 100;
const LAMBDA: f64 = 0.15;
const ITERATIONS: usize = 60;

fn inference(c: &mut Criterion) {
    let dict = random_unit_columns(D, M, 1);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let x = DMatrix::from_fn(B, D, |_, _| rng.random_range(-1.0..1.0));
    let mut g = c.benchmark_group("sparse_coding_inference_144x144_b100_60it");
    for (name, method) in [("ista", Inference::Ista), ("fista", Inference::Fista)] {
        let cfg = InferenceConfig::new(method, LAMBDA, ITERATIONS);
        g.bench_function(name, |bch| {
            bch.iter(|| infer(black_box(&dict), black_box(&x), &cfg, false).expect("inference"))
        });
    }
    g.finish();
}

criterion_group!(benches, inference);
criterion_main!(benches);
