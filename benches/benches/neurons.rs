//! Benchmarks of the spiking part of neurograd-neurons: the COBA and CUBA networks of Brette et al.
//! (2007) for 1 s of biological time at dt = 0.1 ms (10,000 steps, 4,000 neurons, ~320k synapses),
//! network construction excluded (measured separately). `run` is one thread on the CPU's widest
//! SIMD path; `run_2threads` steps two blocks of neurons in parallel on rayon's global pool (needs >= 2
//! threads there; bit-identical results);
//! `run_baseline_simd` forces the baseline (SSE2) path of the neuron update, to show what the
//! runtime dispatch gains. `run_cpu` is `run` timed by the thread's CPU time
//! (`/proc/thread-self/schedstat`; wall time where that is unreadable), the clock Brian2's
//! standalone loop time uses (`std::clock()`, process CPU time), so the 1-thread ratio holds on a
//! busy machine too. Peer: Brian2 via `benches/peers/coba_brian2.py` (ratio script
//! `benches/peers/optneur_ratio.sh`); results in `docs/neurons.md`.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use neurograd_neurons::circuits::brette2007::{BenchmarkKind, BrettLif, BrettNetwork, BrettParams};
use neurograd_neurons::monitor::SpikeMonitor;
use neurograd_neurons::simd::SimdPath;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// CPU time of the calling thread (Linux), `None` where it cannot be read.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn network(p: &BrettParams, threads: usize, simd: SimdPath) -> BrettNetwork {
    let model = BrettLif::new(p)
        .expect("valid reference parameters")
        .with_simd_path(simd);
    let mut net = BrettNetwork::with_model(*p, model, 1).expect("valid reference parameters");
    net.set_threads(threads);
    net
}

fn network_1s(c: &mut Criterion) {
    let mut g = c.benchmark_group("brette2007_1s_bio");
    g.sample_size(10);
    for kind in [BenchmarkKind::Coba, BenchmarkKind::Cuba] {
        let params = BrettParams::of(kind);
        for (name, threads, simd) in [
            ("run", 1, SimdPath::Auto),
            ("run_2threads", 2, SimdPath::Auto),
            ("run_baseline_simd", 1, SimdPath::Baseline),
        ] {
            g.bench_with_input(
                BenchmarkId::new(name, format!("{kind:?}")),
                &params,
                |b, p| {
                    b.iter_batched(
                        || network(p, threads, simd),
                        |mut net| {
                            let mut mon = SpikeMonitor::new(p.dt_ms);
                            net.run(10_000, Some(&mut mon))
                                .expect("reference network does not diverge");
                            black_box(mon.count())
                        },
                        criterion::BatchSize::LargeInput,
                    )
                },
            );
        }
        g.bench_with_input(
            BenchmarkId::new("run_cpu", format!("{kind:?}")),
            &params,
            |b, p| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let mut net = network(p, 1, SimdPath::Auto);
                        let mut mon = SpikeMonitor::new(p.dt_ms);
                        let (c0, w0) = (thread_cpu(), Instant::now());
                        net.run(10_000, Some(&mut mon))
                            .expect("reference network does not diverge");
                        total += match (c0, thread_cpu()) {
                            (Some(a), Some(b)) => b - a,
                            _ => w0.elapsed(),
                        };
                        black_box(mon.count());
                    }
                    total
                })
            },
        );
        g.bench_with_input(
            BenchmarkId::new("build", format!("{kind:?}")),
            &params,
            |b, p| {
                b.iter(|| black_box(BrettNetwork::new(*p, 1).expect("valid reference parameters")))
            },
        );
    }
    g.finish();
}

criterion_group!(benches, network_1s);
criterion_main!(benches);
