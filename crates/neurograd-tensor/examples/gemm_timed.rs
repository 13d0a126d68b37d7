//! One square f64 product `C = A B` (n × n) timed the way `benches/peers/peer_timing.py` times
//! NumPy: one warm-up call, then `reps` repetitions, each running enough products (doubling) to
//! last at least 0.1 s; prints the best and the median seconds per product. Used by
//! `benches/peers/gemm_pair.sh`, which runs it and the NumPy peer back to back per size and thread
//! count, so each ratio compares two measurements seconds apart.
//!
//! ```text
//! cargo run --release -p neurograd-tensor --example gemm_timed -- <n> <threads> <reps>
//! ```
use std::process::ExitCode;
use std::time::Instant;

use neurograd_tensor::Matrix;
use neurograd_tensor::gemm::{GemmRef, gemm_with_threads};

fn arg(args: &[String], i: usize, name: &str) -> Result<usize, String> {
    let s = args.get(i).ok_or_else(|| {
        format!("missing argument {name} (usage: gemm_timed <n> <threads> <reps>)")
    })?;
    s.parse::<usize>()
        .map_err(|e| format!("{name} = {s:?}: {e}"))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = (|| {
        let n = arg(&args, 0, "n")?;
        let threads = arg(&args, 1, "threads")?;
        let reps = arg(&args, 2, "reps")?;
        if !(1..=8192).contains(&n) || !(1..=256).contains(&threads) || !(1..=1000).contains(&reps)
        {
            return Err(format!(
                "out of range: n = {n} (1..=8192), threads = {threads} (1..=256), reps = {reps} (1..=1000)"
            ));
        }
        Ok((n, threads, reps))
    })();
    let (n, threads, reps) = match parsed {
        Ok(v) => v,
        Err(e) => {
            eprintln!("gemm_timed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let a = Matrix::from_fn(n, n, |i, j| ((i * 7 + j * 3) as f64 * 0.01).sin());
    let b = Matrix::from_fn(n, n, |i, j| ((i * 5 + j * 11) as f64 * 0.01).cos());
    let mut c = Matrix::zeros(n, n);
    let mut product = || {
        gemm_with_threads(
            &mut c,
            1.0,
            GemmRef::from(&a),
            GemmRef::from(&b),
            0.0,
            threads,
        )
    };
    product();
    let mut inner = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..inner {
            product();
        }
        if t.elapsed().as_secs_f64() >= 0.1 {
            break;
        }
        inner *= 2;
    }
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..inner {
                product();
            }
            t.elapsed().as_secs_f64() / inner as f64
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!("{:e} {:e}", times[0], times[reps / 2]);
    ExitCode::SUCCESS
}
