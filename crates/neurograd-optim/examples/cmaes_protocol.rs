//! The pycma comparison protocol of issue 6, run in Rust:
//! `cargo run --release -p neurograd-optim --example cmaes_protocol -- [n ...]`.
//!
//! For sphere, ellipsoid (condition 1e6) and Rosenbrock: x0 uniform in [-3, 3]^n
//! (Rosenbrock: [-0.5, 0.5]^n) from ChaCha8 seeded by the run index, sigma0 = 1, default
//! settings, ftarget 1e-8, 11 seeds; prints the median number of evaluations to f < 1e-8, and
//! the IPOP results on Rastrigin (budget 1e5 n, restart x0 uniform in [-5, 5]^n, sigma0 = 2).

use neurograd_optim::blackbox::{AskTell, CmaEs, CmaEsConfig, IpopCmaEs, IpopConfig};
use neurograd_optim::functions::by_name;
use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn x0(n: usize, half: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| -half + 2.0 * half * rng.random::<f64>())
        .collect()
}

fn run<O: AskTell>(opt: &mut O, f: &neurograd_optim::TestFunction) -> (usize, bool) {
    while opt.stop().is_none() {
        let xs = opt.ask();
        let fit: Vec<f64> = xs
            .iter()
            .map(|x| f.value(x.as_slice()).expect("finite"))
            .collect();
        opt.tell(&fit).expect("finite fitness");
    }
    (opt.evaluations(), opt.best().is_some_and(|b| b.f < 1e-8))
}

fn median(v: &mut [usize]) -> usize {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    let dims: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let dims = if dims.is_empty() { vec![10, 40] } else { dims };
    println!("| function | n | median evals | successes | all evals |");
    println!("|---|---|---|---|---|");
    for &n in &dims {
        for (name, half) in [("sphere", 3.0), ("ellipsoid", 3.0), ("rosenbrock", 0.5)] {
            let f = by_name(name, n).expect("known");
            let mut evals = Vec::new();
            let mut ok = 0;
            for seed in 0..11u64 {
                let cfg = CmaEsConfig {
                    seed: seed + 1,
                    ftarget: Some(1e-8),
                    ..CmaEsConfig::new(x0(n, half, seed), 1.0)
                };
                let mut es = CmaEs::new(cfg).expect("valid");
                let (e, s) = run(&mut es, &f);
                evals.push(e);
                ok += usize::from(s);
            }
            let mut sorted = evals.clone();
            let m = median(&mut sorted);
            println!("| {name} | {n} | {m} | {ok}/11 | {sorted:?} |");
        }
    }
    println!();
    println!("| Rastrigin n | successes | median evals (successful) | max restarts used |");
    println!("|---|---|---|---|");
    for &n in &dims {
        let f = by_name("rastrigin", n).expect("known");
        let mut evals = Vec::new();
        let mut restarts = 0;
        for seed in 0..11u64 {
            let cma = CmaEsConfig {
                seed: seed + 1,
                ftarget: Some(1e-8),
                ..CmaEsConfig::new(x0(n, 5.0, seed), 2.0)
            };
            let cfg = IpopConfig {
                max_evaluations: Some(100_000 * n),
                restart_box: Some((-5.0, 5.0)),
                ..IpopConfig::new(cma)
            };
            let mut es = IpopCmaEs::new(cfg).expect("valid");
            let (e, s) = run(&mut es, &f);
            if s {
                evals.push(e);
            }
            restarts = restarts.max(es.restarts());
        }
        let k = evals.len();
        let m = if k > 0 {
            median(&mut evals).to_string()
        } else {
            "-".into()
        };
        println!("| {n} | {k}/11 | {m} | {restarts} |");
    }
}
