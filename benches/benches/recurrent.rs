//! One training step (gradient + plain SGD update) of a 100-unit recurrent LIF network
//! (Bellec et al. 2020's discrete-time LIF: `tau_m = 20` ms, `v_th = 0.6`, `gamma_pd = 0.3`, no
//! refractoriness, reset differentiated, leaky readout `tau_out = 20` ms), 100 Poisson inputs at
//! 20 Hz, 2 readouts with a random regression target (`1/2 sum_t |y - y*|^2 / B`):
//!
//! - `recurrent_step/{bptt-sg,eprop-sym}/1000`: T = 1000 steps, batch 32, the issue's setting and
//!   the peer comparison (`benches/peers/snn_numpy.py`, ratios by `benches/peers/snn_ratio.sh`);
//! - `recurrent_scaling/{bptt-sg,eprop-sym}/T`: batch 1, T = 100, 1000, 10000 (time as T grows);
//!   the peak gradient-state bytes of each are printed to stderr once (memory as T grows).
//!
//! ```text
//! MATMUL_NUM_THREADS=1 cargo bench -p neurograd-benches --bench recurrent
//! ```
//!
//! With `RECURRENT_CPU_TIME=<repeats>` set, the bench instead prints the CPU time of one step of
//! `recurrent_step/{bptt-sg,eprop-sym}/1000` (this thread's time on the CPU from
//! `/proc/thread-self/schedstat`, best of `repeats`, after one warm-up step), a measure less
//! sensitive to other processes on a loaded machine than criterion's wall clock; the NumPy peer's
//! counterpart is `benches/peers/snn_cpu_time.py`:
//!
//! ```text
//! RECURRENT_CPU_TIME=7 MATMUL_NUM_THREADS=1 cargo bench -p neurograd-benches --bench recurrent
//! ```

use criterion::{BenchmarkId, Criterion, criterion_group};
use neurograd_neurons::alif::{AlifParams, InputScaling};
use neurograd_plasticity::recurrent::spiking::{
    PseudoDerivative, Reset, SpikingNet, SpikingNetConfig,
};
use neurograd_plasticity::recurrent::{self, RecurrentNet, SequenceBatch, SequenceTarget};
use neurograd_tensor::Matrix;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

/// The benchmark network: 100 inputs, 100 LIF, 2 readouts.
fn network() -> SpikingNet {
    let lif = AlifParams {
        tau_m_ms: 20.0,
        tau_a_ms: 2000.0,
        v_th: 0.6,
        beta: 0.0,
        n_ref: 0,
        input_scaling: InputScaling::Unit,
    };
    let cfg = SpikingNetConfig {
        n_in: 100,
        n_lif: 100,
        n_alif: 0,
        n_out: 2,
        lif,
        alif: lif,
        dt_ms: 1.0,
        tau_out_ms: 20.0,
        pseudo: PseudoDerivative::Bellec { gamma: 0.3 },
        reset: Reset::Differentiated,
    };
    SpikingNet::new(&cfg, 1).expect("network")
}

/// A batch of `b` trials of `t` steps: Bernoulli(0.02) inputs, N(0, 1) targets.
fn batch(t: usize, b: usize) -> SequenceBatch {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let xs = (0..t)
        .map(|_| {
            Matrix::from_fn(b, 100, |_, _| {
                f64::from(u8::from(rng.random::<f64>() < 0.02))
            })
        })
        .collect();
    let ys = (0..t)
        .map(|_| Matrix::from_fn(b, 2, |_, _| rng.random::<f64>() - 0.5))
        .collect();
    SequenceBatch::new(xs, SequenceTarget::regression(ys)).expect("batch")
}

fn run(c: &mut Criterion, group_name: &str, steps: &[usize], b: usize, report_bytes: bool) {
    let mut group = c.benchmark_group(group_name);
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_secs(3));
    for &t in steps {
        let data = batch(t, b);
        for name in ["bptt-sg", "eprop-sym"] {
            let net = network();
            let mut algo = recurrent::by_name::<SpikingNet>(name, &net, 3).expect("registered");
            if report_bytes {
                let (_, rep) = algo.gradient(&net, &data).expect("gradient");
                eprintln!(
                    "{name} T = {t} B = {b}: peak gradient state {} bytes",
                    rep.peak_gradient_state_bytes
                );
            }
            // Every measured step starts from the same network (a fresh copy, made outside the
            // timing): repeated steps on random targets would otherwise drift the weights until
            // the gradient overflows.
            group.bench_with_input(BenchmarkId::new(name, t), &t, |bench, _| {
                bench.iter_batched(
                    || net.clone(),
                    |mut net| {
                        let (g, _) = algo.gradient(&net, black_box(&data)).expect("gradient");
                        net.update_params(&mut |p: &mut [Matrix]| {
                            for (pm, gm) in p.iter_mut().zip(&g.grads) {
                                *pm -= gm * 1e-3;
                            }
                            Ok(())
                        })
                        .expect("update");
                        net
                    },
                    criterion::BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    run(c, "recurrent_step", &[1000], 32, false);
    run(c, "recurrent_scaling", &[100, 1000, 10_000], 1, true);
}

/// This thread's time on the CPU so far (nanoseconds, Linux; `None` elsewhere).
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// The `RECURRENT_CPU_TIME` mode (see the module docs): best-of-`repeats` CPU milliseconds of
/// one step (gradient + SGD update from the same network) at T = 1000, batch 32.
fn cpu_time(repeats: usize) {
    let data = batch(1000, 32);
    for name in ["bptt-sg", "eprop-sym"] {
        let net = network();
        let mut algo = recurrent::by_name::<SpikingNet>(name, &net, 3).expect("registered");
        let mut best = f64::INFINITY;
        for r in 0..=repeats {
            let mut net = net.clone();
            let Some(t0) = thread_cpu_ns() else {
                eprintln!("no /proc/thread-self/schedstat: CPU time unavailable");
                return;
            };
            let (g, _) = algo.gradient(&net, black_box(&data)).expect("gradient");
            net.update_params(&mut |p: &mut [Matrix]| {
                for (pm, gm) in p.iter_mut().zip(&g.grads) {
                    *pm -= gm * 1e-3;
                }
                Ok(())
            })
            .expect("update");
            black_box(&net);
            let ms = (thread_cpu_ns().unwrap_or(t0) - t0) as f64 / 1e6;
            if r > 0 {
                best = best.min(ms);
            }
        }
        println!("recurrent_step/{name}/1000 cpu_ms {best:.2}");
    }
}

criterion_group!(recurrent_benches, benches);

fn main() {
    if let Some(r) = std::env::var("RECURRENT_CPU_TIME")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        cpu_time(r.max(1));
        return;
    }
    recurrent_benches();
    Criterion::default().configure_from_args().final_summary();
}
