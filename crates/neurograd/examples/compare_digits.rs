//! `compare` from Rust: backprop and its biologically plausible rivals trained on the bundled
//! digits, one table row per algorithm (test accuracy, mean cosine to the backprop gradient,
//! epochs to 95% test accuracy, wall time).
//!
//! Run: `cargo run --release -p neurograd --example compare_digits -- [epochs] [algorithms]`
//! (default: 10 epochs of bp,fa,dfa,ss,dtp on a 64-256-10 network).

use neurograd::NoProgress;
use neurograd::experiments::compare::{self, CompareParams};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let epochs: usize = args.get(1).map_or(Ok(10), |s| s.parse())?;
    let algorithms = args.get(2).map_or("bp,fa,dfa,ss,dtp", |s| s.as_str());
    let params = CompareParams {
        algorithms: algorithms.split(',').map(str::to_string).collect(),
        epochs,
        ..CompareParams::default()
    };
    let result = compare::run(&params, &NoProgress)?;
    let d = &result.data;
    println!(
        "{} ({} train / {} test, {} features, {} classes), hidden {:?}, {} epochs, seed {}",
        d.name, d.n_train, d.n_test, d.n_features, d.n_classes, params.hidden, epochs, params.seed
    );
    println!("algorithm  test acc  cos to bp  epochs to 95%  wall (s)  status");
    for r in &result.results {
        let fmt = |v: Option<f64>, p: usize| v.map_or("-".to_string(), |v| format!("{v:.p$}"));
        println!(
            "{:<9}  {:>8}  {:>9}  {:>13}  {:>8.2}  {}",
            r.algorithm,
            fmt(r.test_accuracy, 4),
            fmt(r.mean_cosine_to_bp, 3),
            r.epochs_to_target
                .map_or("-".to_string(), |e| e.to_string()),
            r.wall_s,
            r.status
        );
    }
    Ok(())
}
