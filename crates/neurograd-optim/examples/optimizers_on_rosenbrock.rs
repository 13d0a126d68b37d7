//! One problem, two kinds of optimizer: Adam follows the gradient of the 10-D Rosenbrock function,
//! CMA-ES, the (1+1)-ES and NES see only its values (evaluated in parallel by the driver, with
//! the feature `parallel`); each prints its best value and the evaluations it used.
//!
//! Run: `cargo run --release -p neurograd-optim --example optimizers_on_rosenbrock`

use neurograd_optim::blackbox::driver::{DriverConfig, minimize};
use neurograd_optim::blackbox::{
    AskTell, CmaEs, CmaEsConfig, Nes, NesConfig, OnePlusOneConfig, OnePlusOneEs,
};
use neurograd_optim::{Adam, AdamConfig, GradientOptimizer, Matrix, OptimError, functions};

fn main() -> Result<(), OptimError> {
    let n = 10;
    let f = functions::by_name("rosenbrock", n)?;
    let x0 = vec![0.0; n];
    println!("{:<10} {:>12} {:>12}", "optimizer", "best f", "evaluations");

    // gradient descent with Adam: one gradient per step
    let mut adam = Adam::new(AdamConfig {
        lr: 0.02,
        ..AdamConfig::default()
    })?;
    let mut x = vec![Matrix::from_row_slice(1, n, &x0)];
    let steps = 20_000;
    for _ in 0..steps {
        let g = f
            .gradient(x[0].as_slice())?
            .expect("rosenbrock has a gradient");
        adam.step(&mut x, &[Matrix::from_row_slice(1, n, g.as_slice())])?;
    }
    println!(
        "{:<10} {:>12.3e} {:>12}",
        "adam",
        f.value(x[0].as_slice())?,
        steps
    );

    // black-box optimizers through the driver (ask, evaluate the population, tell)
    let value = |x: &neurograd_optim::Vector| f.value(x.as_slice()).unwrap_or(f64::INFINITY);
    let budget = DriverConfig {
        max_evaluations: Some(50_000),
        ..DriverConfig::default()
    };
    let mut cma = CmaEs::new(CmaEsConfig {
        seed: 1,
        ftarget: Some(1e-10),
        ..CmaEsConfig::new(x0.clone(), 0.5)
    })?;
    let mut one = OnePlusOneEs::new(OnePlusOneConfig {
        seed: 1,
        ..OnePlusOneConfig::new(x0.clone(), 0.5)
    })?;
    let mut nes = Nes::new(NesConfig {
        seed: 1,
        ..NesConfig::new(x0.clone(), 0.5)
    })?;
    let optimizers: [(&str, &mut dyn AskTell); 3] = [
        ("cma-es", &mut cma),
        ("(1+1)-es", &mut one),
        ("nes", &mut nes),
    ];
    for (name, opt) in optimizers {
        let run = minimize(opt, value, &budget, None)?;
        let best = run.best.expect("evaluated");
        println!("{name:<10} {:>12.3e} {:>12}", best.f, run.evaluations);
    }
    let best = cma.best().expect("evaluated");
    assert!(best.f <= 1e-10, "CMA-ES reached only {}", best.f);
    Ok(())
}
