//! COBA and CUBA benchmark networks of Brette et al. (2007): rates and irregularity against the
//! Brian2 / NEST measurements of neurons.md section 1.

use neurograd_neurons::circuits::brette2007::{BenchmarkKind, BrettParams, run_benchmark};

#[test]
fn coba_first_second() {
    for seed in [1u64, 2] {
        let r = run_benchmark(BrettParams::coba(), seed, 1000.0).unwrap();
        eprintln!(
            "COBA seed {seed}: exc {:.2} Hz inh {:.2} Hz all {:.2} Hz, cv {:.3}, spikes {}, syn {}",
            r.mean_rate_exc_hz,
            r.mean_rate_inh_hz,
            r.mean_rate_hz,
            r.mean_cv_isi,
            r.spike_count,
            r.n_synapses
        );
    }
}

#[test]
fn cuba_first_second() {
    for seed in [1u64, 2] {
        let r = run_benchmark(BrettParams::of(BenchmarkKind::Cuba), seed, 1000.0).unwrap();
        eprintln!(
            "CUBA seed {seed}: exc {:.2} Hz inh {:.2} Hz all {:.2} Hz, cv {:.3}, spikes {}, syn {}",
            r.mean_rate_exc_hz,
            r.mean_rate_inh_hz,
            r.mean_rate_hz,
            r.mean_cv_isi,
            r.spike_count,
            r.n_synapses
        );
    }
}
