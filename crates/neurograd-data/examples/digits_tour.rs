//! The bundled datasets: sizes, class balance, a stratified split, standardisation fitted on the
//! training part, and one image of each set drawn in text.
//!
//! Run: `cargo run --release -p neurograd-data --example digits_tour`

use neurograd_data::transform::{Standardizer, stratified_split};
use neurograd_data::{Dataset, bundled};

/// One image as text, darkest pixels as `#`.
fn draw(ds: &Dataset, i: usize) {
    let (rows, cols) = ds.image_shape.expect("image data");
    let row = ds.features.row(i);
    let max = row.max();
    let ramp = [' ', '.', ':', '+', '#'];
    for r in 0..rows {
        let line: String = (0..cols)
            .map(|c| ramp[((row[r * cols + c] / max) * 4.0).round() as usize])
            .collect();
        println!("    {line}");
    }
}

fn main() -> Result<(), neurograd_data::DataError> {
    for (name, ds, test_fraction) in [
        ("digits", bundled::digits()?, 0.25),
        ("mnist5k", bundled::mnist5k()?, 0.2),
    ] {
        println!(
            "{name}: {} samples, {} features ({:?} images), {} classes, per class {:?}",
            ds.len(),
            ds.n_features(),
            ds.image_shape.expect("images"),
            ds.n_classes(),
            ds.class_counts()
        );
        let (train, test) = stratified_split(&ds, test_fraction, 0)?;
        let scaler = Standardizer::fit(&train.features)?;
        let z = scaler.transform(&test.features)?;
        let mean = z.mean();
        println!(
            "  split {} / {} (stratified, seed 0); test features standardised with the training \
             statistics: mean {mean:.3}, overall std {:.3}",
            train.len(),
            test.len(),
            z.variance().sqrt()
        );
        println!("  sample 0 (label {}):", ds.class_names[ds.labels[0]]);
        draw(&ds, 0);
    }
    Ok(())
}
