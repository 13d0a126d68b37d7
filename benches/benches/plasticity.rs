//! Benchmarks of the local plasticity rules (issue 4).
//!
//! - Dense rules (Hebb, Oja, Sanger, BCM): one full batch update `Y = X Wᵀ`, `Δ = rule.delta`,
//!   `W += η Δ` at 784 inputs, 256 outputs, batch 128 (the NumPy peer
//!   `benches/peers/dense_rules.py` times the same arithmetic).
//! - STDP: clock-driven all-to-all pair STDP over 10⁵ synapses (1000 pre x 100 post, 10 Hz Poisson
//!   spikes, dt = 1 ms), 1000 steps (1 s of simulated time) per iteration.
//!
//! Run: `cargo bench -p neurograd-benches --bench plasticity`. Results: `docs/local-rules.md`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use nalgebra::DMatrix;
use neurograd_plasticity::local::bcm::{Bcm, Threshold};
use neurograd_plasticity::local::hebb::Hebb;
use neurograd_plasticity::local::oja::Oja;
use neurograd_plasticity::local::sanger::Sanger;
use neurograd_plasticity::local::stdp::{PairStdp, StdpPopulation};
use neurograd_plasticity::local::{Activity, LocalRule};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const N_IN: usize = 784;
const N_OUT: usize = 256;
const BATCH: usize = 128;

fn uniform(rows: usize, cols: usize, scale: f64, rng: &mut ChaCha8Rng) -> DMatrix<f64> {
    DMatrix::from_fn(rows, cols, |_, _| rng.random_range(-scale..scale))
}

fn dense_rules(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = uniform(BATCH, N_IN, 1.0, &mut rng);
    let w0 = uniform(N_OUT, N_IN, 0.05, &mut rng);
    let rules: Vec<(&str, Box<dyn LocalRule>)> = vec![
        ("hebb", Box::new(Hebb)),
        ("oja", Box::new(Oja)),
        ("sanger", Box::new(Sanger)),
        ("bcm", Box::new(Bcm::new(Threshold::SecondMoment))),
    ];
    let mut group = c.benchmark_group("dense_rule_update_784x256_b128");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    for (name, rule) in &rules {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            let mut w = w0.clone();
            b.iter(|| {
                let y = rule.response(&w, &x).unwrap();
                let d = rule.delta(&Activity::new(&x, &y), &w).unwrap();
                w += d * 1e-6;
                black_box(&w);
            })
        });
    }
    group.finish();
}

fn stdp_population(c: &mut Criterion) {
    // dt in ms (the workspace's time unit); 10 Hz Poisson spikes: p = rate * dt / 1000.
    let (n_pre, n_post, steps, dt) = (1000usize, 100usize, 1000usize, 1.0);
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let p = 10.0 * dt / 1000.0;
    let spikes: Vec<(Vec<usize>, Vec<usize>)> = (0..steps)
        .map(|_| {
            (
                (0..n_pre).filter(|_| rng.random::<f64>() < p).collect(),
                (0..n_post).filter(|_| rng.random::<f64>() < p).collect(),
            )
        })
        .collect();
    let mut group = c.benchmark_group("stdp_1e5_synapses");
    group.throughput(Throughput::Elements((n_pre * n_post * steps) as u64));
    group.sample_size(20);
    group.bench_function(BenchmarkId::from_parameter("all_to_all_1s_dt1ms"), |b| {
        b.iter(|| {
            let mut pop =
                StdpPopulation::new(PairStdp::song_2000(), n_pre, n_post, 0.5, dt).unwrap();
            for (pre, post) in &spikes {
                pop.step(pre, post).unwrap();
            }
            black_box(pop.weight(0, 0))
        })
    });
    group.finish();
}

criterion_group!(benches, dense_rules, stdp_population);
criterion_main!(benches);
