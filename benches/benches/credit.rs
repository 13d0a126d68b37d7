//! Samples per second of every credit-assignment algorithm (one mini-batch update: forward,
//! credit assignment, plain SGD step) at the MNIST scale (784-256-10, batch 128) and the digits
//! scale (64-256-10, batch 32). Peers: `benches/peers/bp_fa_numpy.py`, `bp_fa_torch.py`.
//!
//! ```text
//! MATMUL_NUM_THREADS=1 cargo bench -p neurograd-benches --bench credit
//! ```

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use neurograd_plasticity::credit::{self, Updates};
use neurograd_tensor::{Matrix, init};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

fn scale(c: &mut Criterion, label: &str, widths: [usize; 3], batch: usize, names: &[&str]) {
    let mut group = c.benchmark_group(format!("credit/{label}"));
    group.throughput(Throughput::Elements(batch as u64));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = init::uniform(batch, widths[0], 0.0, 1.0, &mut rng).expect("uniform");
    let t = Matrix::from_fn(
        batch,
        widths[2],
        |i, j| if i % widths[2] == j { 1.0 } else { 0.0 },
    );
    for &name in names {
        let info = credit::registry::info(name).expect("registered");
        let mut net = info.network(&widths, 2).expect("network");
        let mut algo = info.build(&net, 3).expect("algorithm");
        let mut up = Updates::zeros(&net);
        if let Err(e) = algo.updates_into(&net, &x, &t, &mut up) {
            eprintln!("skipping {name} at {label}: {e}");
            continue;
        }
        group.bench_with_input(BenchmarkId::new(name, batch), &batch, |b, _| {
            b.iter(|| {
                algo.updates_into(&net, black_box(&x), black_box(&t), &mut up)
                    .expect("updates");
                for (p, g) in net.param_slices_mut().zip(&up.grads) {
                    // Slices, not nalgebra's strided element iterators (which do not vectorise).
                    for (pv, gv) in p.iter_mut().zip(g.as_slice()) {
                        *pv -= 1e-3 * gv;
                    }
                }
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let all: Vec<&str> = credit::algorithms()
        .iter()
        .filter(|a| a.supervised)
        .map(|a| a.name)
        .collect();
    scale(c, "digits_64-256-10", [64, 256, 10], 32, &all);
    scale(c, "mnist_784-256-10", [784, 256, 10], 128, &all);
}

criterion_group!(credit_benches, benches);
criterion_main!(credit_benches);
