//! How much a second thread gains on the COBA network of Brette et al. (2007) (4,000 LIF
//! neurons, 1 s at dt = 0.1 ms; `BrettNetwork::set_threads`), measured against what the machine
//! gives a trivially parallel loop in the same minutes.
//!
//! The runs alternate (1 thread, 2 threads, 1 thread, ...) `reps` times each; the program prints
//! every 2-thread wall time, the best and the median of each, and their ratios. The control is an
//! element-wise loop over the same number of `f64` pairs (no synchronisation at all) run on 1
//! thread and split over 2 threads the same way: its ratio is the most any 2-thread code can gain
//! on this machine at that moment (on a shared or virtual machine it can be well below 2). Wall
//! times on an otherwise idle machine only; the results are the same bits on either thread count
//! (tested in `spiking::brette`), so only the time differs.
//!
//! Run: `cargo run --release -p neurograd-neurons --example coba_threads -- [reps] [seed]`
//! (default 21 repetitions, seed 1).

use neurograd_neurons::circuits::brette2007::{BrettNetwork, BrettParams};
use neurograd_neurons::monitor::SpikeMonitor;
use std::time::Instant;

/// `steps` passes of a leaky update over `n` neurons (two arrays), as the control workload.
fn control(n: usize, steps: usize) -> f64 {
    let mut v = vec![1.0f64; n];
    let mut g = vec![0.5f64; n];
    for _ in 0..steps {
        for (v, g) in v.iter_mut().zip(g.iter_mut()) {
            *v = *v * 0.999 + *g * 0.001;
            *g *= 0.9999;
        }
        std::hint::black_box(&mut v);
    }
    v[0]
}

/// Best and median of `t` (sorted in place), in ms.
fn best_median(t: &mut [f64]) -> (f64, f64) {
    t.sort_by(|a, b| a.total_cmp(b));
    (t[0], t[t.len() / 2])
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let reps: usize = args.get(1).map_or(Ok(21), |s| s.parse())?;
    let seed: u64 = args.get(2).map_or(Ok(1), |s| s.parse())?;
    if reps == 0 {
        return Err("reps must be at least 1".into());
    }
    let p = BrettParams::coba();
    let n = p.n_exc + p.n_inh;
    let steps = (1000.0 / p.dt_ms).round() as u64;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let (mut net_t, mut ctl_t) = ([vec![], vec![]], [vec![], vec![]]);
    let mut counts = [0usize; 2];
    for _ in 0..reps {
        for (k, threads) in [1usize, 2].into_iter().enumerate() {
            let mut net = BrettNetwork::new(p, seed)?;
            net.set_threads(threads);
            let mut mon = SpikeMonitor::new(p.dt_ms);
            let t0 = Instant::now();
            net.run(steps, Some(&mut mon))?;
            net_t[k].push(ms(t0));
            counts[k] = mon.count();
        }
        let t0 = Instant::now();
        std::hint::black_box(control(n, steps as usize));
        ctl_t[0].push(ms(t0));
        let t0 = Instant::now();
        std::thread::scope(|s| {
            let other = s.spawn(|| std::hint::black_box(control(n / 2, steps as usize)));
            std::hint::black_box(control(n - n / 2, steps as usize));
            other.join().expect("control thread");
        });
        ctl_t[1].push(ms(t0));
    }
    if counts[0] != counts[1] {
        return Err(format!("spike counts differ: {} vs {}", counts[0], counts[1]).into());
    }
    let [mut n1, mut n2] = net_t;
    let [mut c1, mut c2] = ctl_t;
    let (n1b, n1m) = best_median(&mut n1);
    let (n2b, n2m) = best_median(&mut n2);
    let (c1b, c1m) = best_median(&mut c1);
    let (c2b, c2m) = best_median(&mut c2);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    println!(
        "CPU: {cpu}; {reps} alternated repetitions; COBA, 1 s, {} spikes",
        counts[0]
    );
    let sorted: Vec<String> = n2.iter().map(|t| format!("{t:.1}")).collect();
    println!(
        "2-thread COBA wall times (ms, sorted): {}",
        sorted.join(" ")
    );
    println!(
        "workload            1 thread best / median   2 threads best / median   speed-up best / median"
    );
    println!(
        "COBA network        {n1b:8.1} / {n1m:8.1} ms    {n2b:8.1} / {n2m:8.1} ms     {:.2} / {:.2}",
        n1b / n2b,
        n1m / n2m
    );
    println!(
        "control (no sync)   {c1b:8.1} / {c1m:8.1} ms    {c2b:8.1} / {c2m:8.1} ms     {:.2} / {:.2}",
        c1b / c2b,
        c1m / c2m
    );
    Ok(())
}
