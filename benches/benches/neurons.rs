//! Benchmarks of the spiking part of neurograd-neurons: the COBA and CUBA networks of Brette et al.
//! (2007) for 1 s of biological time at dt = 0.1 ms (10,000 steps, 4,000 neurons, ~320k synapses),
//! single thread, network construction excluded (measured separately). Peer: Brian2 via
//! `benches/peers/coba_brian2.py`; results in `docs/neurons.md`.
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use neurograd_neurons::circuits::brette2007::{BenchmarkKind, BrettNetwork, BrettParams};
use neurograd_neurons::monitor::SpikeMonitor;
use std::hint::black_box;

fn network_1s(c: &mut Criterion) {
    let mut g = c.benchmark_group("brette2007_1s_bio");
    g.sample_size(10);
    for kind in [BenchmarkKind::Coba, BenchmarkKind::Cuba] {
        let params = BrettParams::of(kind);
        g.bench_with_input(
            BenchmarkId::new("run", format!("{kind:?}")),
            &params,
            |b, p| {
                b.iter_batched(
                    || BrettNetwork::new(*p, 1).expect("valid reference parameters"),
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
