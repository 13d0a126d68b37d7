//! Trains every credit-assignment algorithm on bundled digits (or mnist5k) over several seeds and
//! prints test accuracy as mean ± std.
//!
//! ```text
//! cargo run --release --example credit_digits -p neurograd-plasticity -- [digits|mnist5k] [seeds] [algos] [epochs] [hidden]
//! ```
//!
//! Environment overrides for exploring settings: `NG_LR` (Adam learning rate; default: the
//! registry's), `NG_HIDDEN` (hidden activation name, e.g. `relu`, `tanh`; default: the
//! registry's), `NG_SCALE=global` (divide by the training set's largest value instead of
//! standardising each feature), `NG_VERBOSE` (print every epoch's loss and accuracy).

use neurograd_data::bundled;
use neurograd_data::transform::{Standardizer, one_hot, stratified_split};
use neurograd_optim::GradientOptimizerConfig;
use neurograd_plasticity::credit::{self, Seeds, TrainConfig, TrainData, Trainer};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dataset = args.get(1).map_or("digits", |s| s.as_str());
    let seeds: u64 = args.get(2).map_or(Ok(5), |s| s.parse())?;
    let algos = args
        .get(3)
        .map_or("bp,ss,pc,fa,dfa,ep-sym,chl,dtp", |s| s.as_str());
    let epochs: usize = args.get(4).map_or(Ok(30), |s| s.parse())?;
    let (ds, hidden) = match dataset {
        "mnist5k" => (bundled::mnist5k()?, 256),
        _ => (bundled::digits()?, 128),
    };
    let hidden: usize = args.get(5).map_or(Ok(hidden), |s| s.parse())?;
    let test_fraction = if dataset == "mnist5k" { 0.2 } else { 0.25 };
    for info in credit::parse_list(algos)? {
        let mut accs = Vec::new();
        let mut secs = 0.0;
        for seed in 0..seeds {
            let (train, test) = stratified_split(&ds, test_fraction, seed)?;
            let (x_train, x_test) = if std::env::var("NG_SCALE").as_deref() == Ok("global") {
                let m = train.features.amax().max(1e-12);
                (&train.features / m, &test.features / m)
            } else {
                let (scaler, x_train) = Standardizer::fit_transform(&train.features)?;
                (x_train, scaler.transform(&test.features)?)
            };
            let t_train = one_hot(&train.labels, ds.n_classes())?;
            let widths = [ds.n_features(), hidden, ds.n_classes()];
            let lr = std::env::var("NG_LR")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(info.learning_rate);
            let cfg = TrainConfig {
                algorithm: info.name.into(),
                hidden: vec![hidden],
                epochs,
                batch_size: 32,
                optimizer: "adam".into(),
                learning_rate: Some(lr),
                seeds: Seeds {
                    network: seed,
                    algorithm: seed + 1000,
                    shuffle: seed,
                },
                cosine_every: 0,
                target_accuracy: None,
                arch: None,
            };
            let data = TrainData {
                x_train: &x_train,
                t_train: &t_train,
                x_test: &x_test,
                labels_test: &test.labels,
            };
            let trainer = match std::env::var("NG_HIDDEN") {
                Ok(h) => {
                    let net = neurograd_plasticity::credit::Network::new(
                        &widths,
                        neurograd_tensor::Activation::from_name(&h)?,
                        info.output,
                        info.loss,
                        seed,
                    )?;
                    let algo = info.build(&net, seed + 1000)?;
                    let opt = GradientOptimizerConfig::from_name("adam")?
                        .with_lr(lr)
                        .build()?;
                    Trainer::from_parts(&cfg, net, algo, opt)?
                }
                Err(_) => Trainer::new(&cfg, &data)?,
            };
            let report = trainer.run(&data, &mut || {})?;
            if std::env::var("NG_VERBOSE").is_ok() {
                for e in &report.history {
                    eprintln!(
                        "    epoch {:3} loss {:.4} acc {:.4} steps {:.1}",
                        e.epoch, e.train_loss, e.test_accuracy, e.relaxation_steps
                    );
                }
            }
            if let Some(last) = report.history.last() {
                eprintln!(
                    "  {} seed {seed}: acc {:.4}, relaxation steps/batch {:.1}",
                    info.name, last.test_accuracy, last.relaxation_steps
                );
            }
            secs += report.wall_s;
            accs.push(report.test_accuracy);
        }
        let n = accs.len() as f64;
        let mean = accs.iter().sum::<f64>() / n;
        let std =
            (accs.iter().map(|a| (a - mean) * (a - mean)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        println!(
            "{dataset} {:8} {}-{}-{} epochs {epochs} batch 32 adam lr {:e}: test acc {:.4} ± {:.4} (min {:.4}, max {:.4}) over {} seeds, {:.1} s/run",
            info.name,
            ds.n_features(),
            hidden,
            ds.n_classes(),
            info.learning_rate,
            mean,
            std,
            accs.iter().cloned().fold(f64::INFINITY, f64::min),
            accs.iter().cloned().fold(0.0, f64::max),
            seeds,
            secs / n
        );
    }
    Ok(())
}
