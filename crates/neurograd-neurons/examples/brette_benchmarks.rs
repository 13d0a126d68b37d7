//! The COBA and CUBA benchmark networks of Brette et al. (2007): 1 s of each, their rates and ISI
//! CV, and a text raster of the first 40 excitatory neurons over the first 200 ms of COBA.
//!
//! Run: `cargo run --release -p neurograd-neurons --example brette_benchmarks -- [seed] [ms]`

use neurograd_neurons::circuits::brette2007::{BrettParams, run_benchmark_recording};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args.get(1).map_or(Ok(1), |s| s.parse())?;
    let duration_ms: f64 = args.get(2).map_or(Ok(1000.0), |s| s.parse())?;
    println!("model  synapses  spikes   exc (Hz)  inh (Hz)  ISI CV  wall (s)");
    let mut coba = None;
    for (name, params) in [("COBA", BrettParams::coba()), ("CUBA", BrettParams::cuba())] {
        let start = std::time::Instant::now();
        let r = run_benchmark_recording(params, seed, duration_ms, 40)?;
        println!(
            "{name}   {:>8}  {:>6}  {:>8.2}  {:>8.2}  {:>6.2}  {:>8.3}",
            r.n_synapses,
            r.spike_count,
            r.mean_rate_exc_hz,
            r.mean_rate_inh_hz,
            r.mean_cv_isi,
            start.elapsed().as_secs_f64()
        );
        if coba.is_none() {
            coba = Some(r);
        }
    }
    let r = coba.expect("COBA ran first");
    // raster: one row per neuron, one column per 5 ms bin ('|' = at least one spike)
    let bins = (200.0_f64.min(r.duration_ms) / 5.0) as usize;
    let steps_per_bin = (5.0 / r.params.dt_ms).round() as u32;
    let mut grid = vec![vec![' '; bins]; 40];
    for (&i, &step) in r.spikes.indices.iter().zip(&r.spikes.steps) {
        let b = (step / steps_per_bin) as usize;
        if b < bins {
            grid[i as usize][b] = '|';
        }
    }
    println!("\nCOBA, neurons 0-39, 0-{} ms (5 ms per column):", bins * 5);
    for row in grid {
        println!("  {}", row.into_iter().collect::<String>());
    }
    Ok(())
}
