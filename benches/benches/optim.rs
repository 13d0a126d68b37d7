//! Benchmarks of neurograd-optim: CMA-ES overhead per generation (ask + tell, function
//! evaluations excluded) at n = 10, 40, 200 for comparison with pycma
//! (`benches/peers/cmaes_pycma.py overhead`), and one Adam step on a 256 x 256 + 256 model.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use neurograd_optim::blackbox::{AskTell, CmaEs, CmaEsConfig};
use neurograd_optim::functions::by_name;
use neurograd_optim::gradient::{Adam, AdamConfig, GradientOptimizer};
use neurograd_optim::{Matrix, Real};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn cma_overhead(c: &mut Criterion) {
    let mut group = c.benchmark_group("cmaes_ask_tell");
    group.sample_size(20);
    for n in [10usize, 40, 200] {
        let f = by_name("ellipsoid", n).expect("known function");
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let x0: Vec<Real> = (0..n).map(|_| rng.random::<Real>() * 6.0 - 3.0).collect();
        let cfg = CmaEsConfig {
            seed: 1,
            tolfun: 0.0,
            tolfunhist: 0.0,
            tolx: 0.0,
            maxiter: Some(usize::MAX),
            ..CmaEsConfig::new(x0, 1.0)
        };
        let mut es = CmaEs::new(cfg).expect("valid config");
        let eval = |xs: &[neurograd_optim::Vector]| -> Vec<Real> {
            xs.iter()
                .map(|x| f.value(x.as_slice()).expect("finite"))
                .collect()
        };
        // warm up so that C is a full matrix
        for _ in 0..20 {
            let xs = es.ask();
            let fit = eval(&xs);
            es.tell(&fit).expect("finite");
        }
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut t = Duration::ZERO;
                for _ in 0..iters {
                    let t0 = Instant::now();
                    let xs = black_box(es.ask());
                    t += t0.elapsed();
                    let fit = eval(&xs);
                    let t0 = Instant::now();
                    es.tell(black_box(&fit)).expect("finite");
                    t += t0.elapsed();
                }
                t
            });
        });
    }
    group.finish();
}

fn adam_step(c: &mut Criterion) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut params = vec![
        Matrix::from_fn(256, 256, |_, _| rng.random::<Real>()),
        Matrix::from_fn(256, 1, |_, _| rng.random::<Real>()),
    ];
    let grads = vec![
        Matrix::from_fn(256, 256, |_, _| rng.random::<Real>() - 0.5),
        Matrix::from_fn(256, 1, |_, _| rng.random::<Real>() - 0.5),
    ];
    let mut opt = Adam::new(AdamConfig::default()).expect("valid config");
    c.bench_function("adam_step_65792_params", |b| {
        b.iter(|| {
            opt.step(black_box(&mut params), black_box(&grads))
                .expect("finite")
        })
    });
}

criterion_group!(benches, cma_overhead, adam_step);
criterion_main!(benches);
