//! Hebbian PCA on the bundled 8x8 digits: Oja's rule (1 neuron), Sanger's rule and the Oja
//! subspace rule (3 neurons) trained on the full batch, compared with the principal components
//! (|cos| per row, projector distance), and each rule checked against its theory by the
//! conformance harness at its starting point. The subspace rule finds the top-3 subspace but not
//! the eigenvectors themselves (any rotation within it is a fixed point), so its per-row cosines
//! are below 1 while its projector distance is zero.
//!
//! Run: `cargo run --release -p neurograd-plasticity --example oja_sanger_digits -- [steps]`

use neurograd_plasticity::data::bundled;
use neurograd_plasticity::local::harness::Harness;
use neurograd_plasticity::local::objective::{Batch, centred};
use neurograd_plasticity::local::oja_subspace::{OjaSubspace, projector_distance};
use neurograd_plasticity::local::sanger::{Sanger, row_alignment, top_eigenvectors};
use neurograd_plasticity::local::train::{RateSchedule, RuleTrainConfig, train_rule};
use neurograd_plasticity::local::{LocalRule, oja::Oja};
use neurograd_plasticity::tensor::Matrix;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let steps: usize = std::env::args().nth(1).map_or(Ok(1000), |s| s.parse())?;
    let x = centred(&(bundled::digits()?.features / 16.0));
    let n = x.nrows() as f64;
    let batch = Batch::new(x.clone())?;
    // second-moment matrix of the centred data (the rules' expected update uses it)
    let c = x.transpose() * &x / n;
    let (eigenvalues, e) = top_eigenvectors(&c, 3)?;
    println!(
        "top eigenvalues of the pixel covariance: {:.4?}",
        &eigenvalues[..3]
    );
    let rules: [(&dyn LocalRule, usize); 3] = [(&Oja, 1), (&Sanger, 3), (&OjaSubspace, 3)];
    for (rule, m) in rules {
        // orthonormal, deterministic start: where the rules' theories hold exactly
        let start = Matrix::from_fn(m, 64, |i, j| (((j + 5 * i) * 7 % 11) as f64) - 5.0);
        let mut w = start.transpose().qr().q().transpose();
        if rule.theory().is_some() {
            let report = Harness::default().check(rule, &w, &batch)?;
            println!("\n{report}");
            assert!(report.holds);
        } else {
            println!(
                "\n{}: states no objective (LocalRule::theory is None), so no harness check",
                rule.name()
            );
        }
        let config = RuleTrainConfig::new(RateSchedule::Constant(1.0), steps, x.nrows());
        train_rule(rule, &mut w, &batch, &config)?;
        let target = e.rows(0, m).into_owned();
        let cos = row_alignment(&w, &target)?;
        let norms: Vec<f64> = (0..m).map(|i| w.row(i).norm()).collect();
        println!(
            "{}: after {steps} full-batch steps |cos(w_i, e_i)| = {cos:.5?}, |w_i| = {norms:.5?}, \
             projector distance to the top-{m} subspace {:.2e}",
            rule.name(),
            projector_distance(&w, &target)?
        );
    }
    Ok(())
}
