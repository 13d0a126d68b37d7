//! Fits the radial power-spectrum exponent of dead-leaves images for a few radius exponents.
//!
//! Run: `cargo run --release -p neurograd-data --example dead_leaves_spectrum`

use neurograd_data::generators::{DeadLeaves, radial_power_spectrum};

/// Least-squares slope of `ln power` against `ln f` over `lo <= f <= hi`.
fn slope(spec: &[(f64, f64)], lo: f64, hi: f64) -> f64 {
    let pts: Vec<(f64, f64)> = spec
        .iter()
        .filter(|(f, _)| *f >= lo && *f <= hi)
        .map(|(f, p)| (f.ln(), p.ln()))
        .collect();
    let n = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / n,
        pts.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxy: f64 = pts.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = pts.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    sxy / sxx
}

fn main() -> Result<(), neurograd_data::DataError> {
    let size = 128;
    for alpha in [2.5, 3.0, 3.5] {
        let dl = DeadLeaves {
            size,
            r_min: 1.0,
            r_max: 64.0,
            alpha,
        };
        let n_img = 8;
        let mut avg = vec![(0.0, 0.0); size / 2];
        for i in 0..n_img {
            let s = radial_power_spectrum(&dl.image(1, i)?)?;
            for (k, (f, p)) in s.into_iter().enumerate() {
                avg[k].0 = f;
                avg[k].1 += p / n_img as f64;
            }
        }
        println!(
            "alpha {alpha}: slope f in [2,32] = {:.3}, [4,32] = {:.3}, [4,16] = {:.3}",
            slope(&avg, 2.0, 32.0),
            slope(&avg, 4.0, 32.0),
            slope(&avg, 4.0, 16.0)
        );
    }
    Ok(())
}
