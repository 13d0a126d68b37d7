//! COBA and CUBA benchmark networks of Brette et al. (2007): rates and irregularity against the
//! Brian2 / NEST measurements of neurons.md section 1 (COBA 17-21 Hz, CUBA 5.2-6.2 Hz in the
//! first second). The full network (4,000 neurons, 10,000 steps) runs in well under a second per
//! seed in the dev profile, so the tests use the real benchmark, not a reduced one.

use neurograd_neurons::NeuronError;
use neurograd_neurons::circuits::brette2007::{
    BenchmarkKind, BrettParams, BrettResult, run_benchmark, run_benchmark_recording,
    run_benchmark_window,
};
use neurograd_neurons::stats::{isi_cv, train_stats};

/// Mean ISI CV over neurons with >= 3 spikes after `t0_ms` (excludes the start-up transient).
fn cv_after(r: &BrettResult, t0_ms: f64) -> f64 {
    let trains = r.spikes.spike_trains(r.params.n()).unwrap();
    let cvs: Vec<f64> = trains
        .iter()
        .map(|t| {
            t.iter()
                .copied()
                .filter(|&x| x >= t0_ms)
                .collect::<Vec<_>>()
        })
        .filter_map(|t| isi_cv(&t).unwrap())
        .collect();
    cvs.iter().sum::<f64>() / cvs.len() as f64
}

/// Synchrony index: CV of the population spike count in 5-ms bins after `t0_ms`. For
/// asynchronous activity the population count is nearly constant (small CV); for synchronous
/// volleys it is large.
fn population_cv(r: &BrettResult, t0_ms: f64) -> f64 {
    let rate = r
        .spikes
        .population_rate(0..r.params.n() as u32, 5.0, r.duration_ms)
        .unwrap();
    let x: Vec<f64> = rate[(t0_ms / 5.0) as usize..].to_vec();
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (x.iter().map(|y| (y - m).powi(2)).sum::<f64>() / x.len() as f64).sqrt() / m
}

/// Reference: COBA mean rate 17.6-20.0 Hz (Brian2, 3 seeds) and 17.0-20.0 Hz (NEST) in the first
/// second; the issue asks for 17-21 Hz, asynchronous irregular activity, ISI CV near 1.
#[test]
fn coba_first_second_asynchronous_irregular() {
    for seed in [1u64, 2] {
        let r = run_benchmark(BrettParams::coba(), seed, 1000.0).unwrap();
        let (cv, sync) = (cv_after(&r, 200.0), population_cv(&r, 200.0));
        eprintln!(
            "COBA seed {seed}: exc {:.2} Hz inh {:.2} Hz, cv(all) {:.3} cv(>200ms) {cv:.3} sync {sync:.3}, spikes {}, syn {}",
            r.mean_rate_exc_hz, r.mean_rate_inh_hz, r.mean_cv_isi, r.spike_count, r.n_synapses
        );
        assert!(
            (17.0..=21.0).contains(&r.mean_rate_exc_hz),
            "exc rate {}",
            r.mean_rate_exc_hz
        );
        assert!((0.8..=1.6).contains(&cv), "ISI CV {cv}");
        assert!(sync < 0.5, "population CV {sync}");
        assert!(
            (300_000..340_000).contains(&r.n_synapses),
            "{}",
            r.n_synapses
        );
    }
}

/// Negative control for the AI criterion: without inhibition the network leaves the asynchronous
/// irregular regime (regular firing at a high rate), and the criterion must say so.
#[test]
fn coba_without_inhibition_is_not_ai() {
    let p = BrettParams {
        w_i: 0.0,
        ..BrettParams::coba()
    };
    let r = run_benchmark(p, 1, 300.0).unwrap();
    let cv = cv_after(&r, 100.0);
    eprintln!("COBA w_i = 0: exc {:.1} Hz, cv {cv:.3}", r.mean_rate_exc_hz);
    assert!(!((17.0..=21.0).contains(&r.mean_rate_exc_hz) && (0.8..=1.6).contains(&cv)));
}

/// Reference: CUBA 5.2-6.2 Hz in the first second (Brian2 5.53-5.62, NEST 5.16-5.71; neurons.md
/// sec. 0), and an ISI CV after 200 ms as the peers measure it (Brian2 C++ standalone 0.48-0.49 in
/// this project's peer run, `docs/neurons.md`), with the population activity asynchronous.
#[test]
fn cuba_first_second() {
    for seed in [1u64, 2] {
        let r = run_benchmark(BrettParams::of(BenchmarkKind::Cuba), seed, 1000.0).unwrap();
        let (cv, sync) = (cv_after(&r, 200.0), population_cv(&r, 200.0));
        eprintln!(
            "CUBA seed {seed}: exc {:.2} Hz inh {:.2} Hz, cv(>200ms) {cv:.3} sync {sync:.3}, spikes {}",
            r.mean_rate_exc_hz, r.mean_rate_inh_hz, r.spike_count
        );
        assert!(
            (5.2..=6.2).contains(&r.mean_rate_hz),
            "rate {}",
            r.mean_rate_hz
        );
        assert!((0.4..=0.6).contains(&cv), "ISI CV {cv}");
        assert!(sync < 0.5, "population CV {sync}");
    }
}

/// Same seed, bit-identical spikes; different seed, different network.
#[test]
fn seeded_and_reproducible() {
    let p = BrettParams {
        n_exc: 320,
        n_inh: 80,
        p_connect: 0.2,
        ..BrettParams::coba()
    };
    let a = run_benchmark(p, 7, 100.0).unwrap();
    let b = run_benchmark(p, 7, 100.0).unwrap();
    let c = run_benchmark(p, 8, 100.0).unwrap();
    assert_eq!(a.spikes, b.spikes);
    assert_ne!(a.spikes, c.spikes);
}

/// The full COBA and CUBA networks give bit-identical potentials, synaptic variables and spikes
/// on every SIMD path of the neuron update this CPU has, and with 1, 2 and 3 threads (blocks of
/// neurons stepped in parallel), 300 steps (30 ms, hundreds of spikes and refractory neurons).
#[test]
fn simd_paths_and_thread_counts_are_bit_identical() {
    use neurograd_neurons::circuits::brette2007::{BrettLif, BrettNetwork};
    use neurograd_neurons::simd::SimdPath;
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(3)
        .build()
        .unwrap();
    for kind in [BenchmarkKind::Coba, BenchmarkKind::Cuba] {
        let p = BrettParams::of(kind);
        let run = |path: SimdPath, threads: usize| {
            let model = BrettLif::new(&p).unwrap().with_simd_path(path);
            let mut net = BrettNetwork::with_model(p, model, 3).unwrap();
            net.set_threads(threads);
            let mut spikes = Vec::new();
            pool.install(|| {
                net.run_observed(300, |step, s| {
                    spikes.extend(s.iter().map(|&i| (step, i)));
                    Ok(())
                })
            })
            .unwrap();
            (
                spikes,
                bits(&net.potentials()),
                bits(net.ge()),
                bits(net.gi()),
            )
        };
        let reference = run(SimdPath::Baseline, 1);
        assert!(reference.0.len() > 500, "{kind:?}: {}", reference.0.len());
        for path in SimdPath::available() {
            for threads in [1, 2, 3] {
                assert!(
                    run(path, threads) == reference,
                    "{kind:?}: {path:?} with {threads} threads differs from the baseline path"
                );
            }
        }
    }
}

#[test]
fn bad_parameters_are_typed_errors() {
    let e = run_benchmark(
        BrettParams {
            dt_ms: 1.0,
            ..BrettParams::coba()
        },
        1,
        10.0,
    )
    .unwrap_err();
    assert!(
        matches!(e, NeuronError::InvalidParameter { name: "dt", .. }),
        "{e}"
    );
    let e = run_benchmark(
        BrettParams {
            dt_ms: -0.1,
            ..BrettParams::coba()
        },
        1,
        10.0,
    )
    .unwrap_err();
    assert!(
        matches!(e, NeuronError::InvalidParameter { name: "dt", .. }),
        "{e}"
    );
    let e = run_benchmark(
        BrettParams {
            p_connect: 1.2,
            ..BrettParams::coba()
        },
        1,
        10.0,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            NeuronError::InvalidParameter {
                name: "p_connect",
                ..
            }
        ),
        "{e}"
    );
    let e = run_benchmark(
        BrettParams {
            tau_m_ms: -20.0,
            ..BrettParams::coba()
        },
        1,
        10.0,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            NeuronError::InvalidParameter {
                name: "tau_m_ms",
                ..
            }
        ),
        "{e}"
    );
    assert!(matches!(
        BenchmarkKind::from_name("vogels").unwrap_err(),
        NeuronError::UnknownName { .. }
    ));
}

/// The ISI CV computed while the network runs (per-neuron CV, population std over mean of the
/// intervals, averaged over the neurons with >= 2 intervals) equals the one computed from the
/// stored spikes, and recording only the first 200 neurons changes neither the statistics nor
/// those neurons' spikes.
#[test]
fn streaming_cv_equals_the_stored_spike_computation() {
    for (kind, seed) in [(BenchmarkKind::Coba, 3u64), (BenchmarkKind::Cuba, 4)] {
        let p = BrettParams::of(kind);
        let full = run_benchmark(p, seed, 500.0).unwrap();
        assert_eq!(full.recorded_neurons, p.n());
        let trains = full.spikes.spike_trains(p.n()).unwrap();
        let stored = train_stats(&trains, full.duration_ms).unwrap();
        assert!(stored.n_cv > 100, "{kind:?}: {stored:?}");
        assert!(
            (full.mean_cv_isi - stored.mean_cv_isi).abs() <= 1e-12,
            "{kind:?}: streaming {} stored {}",
            full.mean_cv_isi,
            stored.mean_cv_isi
        );
        assert_eq!(full.spike_count, full.spikes.count());
        assert_eq!(
            full.mean_rate_exc_hz,
            full.spikes.count_in(0..p.n_exc as u32) as f64 / (p.n_exc as f64 * 0.5)
        );

        let kept = run_benchmark_recording(p, seed, 500.0, 200).unwrap();
        assert_eq!(kept.recorded_neurons, 200);
        assert_eq!(kept.mean_cv_isi.to_bits(), full.mean_cv_isi.to_bits());
        assert_eq!(kept.spike_count, full.spike_count);
        assert_eq!(kept.mean_rate_exc_hz, full.mean_rate_exc_hz);
        assert_eq!(kept.mean_rate_inh_hz, full.mean_rate_inh_hz);
        let (idx, steps): (Vec<u32>, Vec<u32>) = full
            .spikes
            .indices
            .iter()
            .zip(&full.spikes.steps)
            .filter(|(i, _)| **i < 200)
            .map(|(&i, &s)| (i, s))
            .unzip();
        assert!(!idx.is_empty());
        assert_eq!(kept.spikes.indices, idx);
        assert_eq!(kept.spikes.steps, steps);

        let none = run_benchmark_recording(p, seed, 500.0, 0).unwrap();
        assert_eq!(none.spikes.count(), 0);
        assert_eq!(none.mean_cv_isi.to_bits(), full.mean_cv_isi.to_bits());

        // a window keeps the recorded neurons' spikes with t = step * dt < 200 ms, computed here
        // from the full record; the whole-run statistics do not change
        let window = run_benchmark_window(p, seed, 500.0, 200, 200.0).unwrap();
        assert_eq!(window.spike_count, full.spike_count);
        assert_eq!(window.mean_cv_isi.to_bits(), full.mean_cv_isi.to_bits());
        assert_eq!(window.mean_rate_exc_hz, full.mean_rate_exc_hz);
        let (widx, wsteps): (Vec<u32>, Vec<u32>) = idx
            .iter()
            .zip(&steps)
            .filter(|(_, s)| (**s as f64) * p.dt_ms < 200.0)
            .map(|(&i, &s)| (i, s))
            .unzip();
        assert!(!widx.is_empty() && widx.len() < idx.len());
        assert_eq!(window.spikes.indices, widx);
        assert_eq!(window.spikes.steps, wsteps);
    }
}

#[test]
fn a_recording_window_must_be_non_negative() {
    let p = BrettParams::of(BenchmarkKind::Coba);
    for bad in [-1.0, f64::NAN] {
        let e = run_benchmark_window(p, 0, 10.0, 10, bad).unwrap_err();
        assert!(e.to_string().contains("record_until_ms"), "{e}");
    }
}

/// `BrettLif` delegated through a wrapper type: the network cannot recognise it, so it steps on
/// the generic path (the model's own per-neuron `advance`, array-of-structs population).
#[derive(Debug, Clone)]
struct Generic(neurograd_neurons::circuits::brette2007::BrettLif);

impl neurograd_neurons::model::NeuronModel for Generic {
    type State = neurograd_neurons::circuits::brette2007::BrettLifState;
    const NAME: &'static str = "generic brette lif";
    const SPIKE_AT_STEP_END: bool = false;
    fn dt_ms(&self) -> f64 {
        self.0.dt_ms()
    }
    fn integrator(&self) -> neurograd_neurons::integrators::Integrator {
        self.0.integrator()
    }
    fn initial_state(&self) -> Self::State {
        self.0.initial_state()
    }
    fn step(&self, s: &mut Self::State, input: &neurograd_neurons::model::Input) -> bool {
        self.0.step(s, input)
    }
    fn reset(&self, s: &mut Self::State) {
        self.0.reset(s)
    }
    fn potential(&self, s: &Self::State) -> f64 {
        self.0.potential(s)
    }
    fn set_potential(&self, s: &mut Self::State, v: f64) {
        self.0.set_potential(s, v)
    }
}

/// The struct-of-arrays engine of the default model (every SIMD path, 1, 2 and 3 threads, and
/// single `step` calls) gives the same spikes, states and synaptic variables, bit for bit, as
/// the generic per-neuron path of the same model, on a network whose size is not a multiple of
/// the 64-neuron chunk (1,000 + 237 neurons, 400 steps), for COBA and CUBA.
#[test]
fn the_soa_engine_equals_the_generic_path() {
    use neurograd_neurons::circuits::brette2007::{BrettLif, BrettNetwork};
    use neurograd_neurons::model::NeuronModel;
    use neurograd_neurons::simd::SimdPath;
    for kind in [BenchmarkKind::Coba, BenchmarkKind::Cuba] {
        let p = BrettParams {
            n_exc: 1000,
            n_inh: 237,
            p_connect: 0.06,
            ..BrettParams::of(kind)
        };
        let model = BrettLif::new(&p).unwrap();
        let mut generic = BrettNetwork::with_model(p, Generic(model), 5).unwrap();
        let mut expected = Vec::new();
        for k in 0..400u32 {
            expected.extend(generic.step().iter().map(|&i| (k, i)));
        }
        assert!(expected.len() > 200, "{kind:?}: {}", expected.len());
        let states = generic.population().states().to_vec();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for path in SimdPath::available() {
            for threads in [1, 2, 3] {
                let mut net = BrettNetwork::with_model(p, model.with_simd_path(path), 5).unwrap();
                net.set_threads(threads);
                let mut got = Vec::new();
                net.run_observed(400, |k, s| {
                    got.extend(s.iter().map(|&i| (k, i)));
                    Ok(())
                })
                .unwrap();
                let what = format!("{kind:?} {path:?} {threads} threads");
                assert!(got == expected, "{what}: spikes differ");
                assert_eq!(net.population().states(), &states[..], "{what}");
                assert_eq!(bits(net.ge()), bits(generic.ge()), "{what}");
                assert_eq!(bits(net.gi()), bits(generic.gi()), "{what}");
                assert_eq!(net.steps_done(), 400);
                assert_eq!(net.population().spikes(), generic.population().spikes());
            }
        }
        // single steps on the engine
        let mut net = BrettNetwork::with_model(p, model, 5).unwrap();
        let mut got = Vec::new();
        for k in 0..400u32 {
            got.extend(net.step().iter().map(|&i| (k, i)));
        }
        assert!(got == expected, "{kind:?}: single steps differ");
        assert_eq!(net.population().states(), &states[..]);
        assert!(
            net.population().states().iter().all(|s| net
                .population()
                .model()
                .potential(s)
                .is_finite())
        );
    }
}

/// An observer error stops the run after the failing step on every thread count: the network
/// has taken exactly the steps up to and including it, in the same state as one thread.
#[test]
fn an_observer_error_stops_every_thread_count_at_the_same_step() {
    use neurograd_neurons::circuits::brette2007::BrettNetwork;
    let p = BrettParams::coba();
    let mut reference: Option<(Vec<u64>, u64)> = None;
    for threads in [1, 2, 3] {
        let mut net = BrettNetwork::new(p, 2).unwrap();
        net.set_threads(threads);
        let r = net.run_observed(100, |k, _| {
            if k == 37 {
                Err(NeuronError::Diverged {
                    step: k as usize,
                    what: "test stop".into(),
                })
            } else {
                Ok(())
            }
        });
        assert!(
            matches!(r, Err(NeuronError::Diverged { step: 37, .. })),
            "{r:?}"
        );
        assert_eq!(net.steps_done(), 38, "{threads} threads");
        let now = (
            net.potentials().iter().map(|v| v.to_bits()).collect(),
            net.steps_done(),
        );
        match &reference {
            None => reference = Some(now),
            Some(r) => assert!(*r == now, "{threads} threads"),
        }
        // and it continues from there as one uninterrupted run would
        net.run(10, None).unwrap();
        assert_eq!(net.steps_done(), 48);
    }
}
