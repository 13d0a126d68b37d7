//! The phase-scrambled control under two whitenings (docs/v1.md, "What is not met, and why"):
//! the Olshausen & Field 1/f filter of the tests (`of`) or ZCA fitted to each data set's own
//! patches (`zca:<eps>`, `eps` relative to the mean pixel variance; `zca:0` whitens exactly),
//! on natural, white-noise and phase-scrambled images, with the settings and seeds of
//! `tests/v1_learners.rs` (8 x 8 patches; sparse coding: 10 000 patches, 64 atoms, 5000
//! batches; ICA: 20 000 patches, `k` PCA components, basis vectors fitted).
//!
//! ```text
//! whitening_controls spectrum of|zca:EPS natural,white,scrambled   # radial power of the patches
//! whitening_controls sc       of|zca:EPS natural,white,scrambled   # sparse-coding Gabor fractions
//! whitening_controls ica      of|zca:EPS natural,white,scrambled [k]  # ICA basis vectors (k = 48)
//! ```
//!
//! `zcai:<eps>` fits ZCA to each image's own patches (`n / 6` from each) and stacks them.
//! `IMG=<name>` restricts the images to one bundled image. The ZCA patches are sampled from the
//! images normalised to zero mean and unit variance (as the O&F filter does first), whitened,
//! and scaled to pixel variance 0.1 (the O&F target, for which sparse coding's λ is set).
use neurograd_data::generators::radial_power_spectrum;
use neurograd_data::natural::{self, OlshausenField, PatchSampler, zca_whiten};
use neurograd_plasticity::receptive::gabor::GaborFitter;
use neurograd_plasticity::receptive::ica::{self, FastIcaConfig};
use neurograd_plasticity::receptive::sparse_coding::{self, SparseCodingConfig};
use neurograd_plasticity::receptive::v1stats;
use neurograd_tensor::{Matrix, Real};

const P: usize = 8;

fn imgs(kind: &str, seed: u64) -> Vec<Matrix> {
    let mut imgs = natural::images().unwrap();
    if let Ok(one) = std::env::var("IMG") {
        let i = natural::IMAGE_NAMES.iter().position(|n| *n == one).unwrap();
        imgs = vec![imgs[i].clone()];
    }
    match kind {
        "natural" => imgs,
        "white" => natural::white_noise_like(&imgs, seed + 100).unwrap(),
        _ => imgs
            .iter()
            .enumerate()
            .map(|(i, m)| natural::phase_scramble(m, seed + 200 + i as u64).unwrap())
            .collect(),
    }
}

/// whitening: "of" or "zca:<rel eps>"
fn patches(kind: &str, whitening: &str, n: usize, seed: u64) -> Matrix {
    let im = imgs(kind, seed);
    if whitening == "of" {
        let w = OlshausenField::default().apply(&im).unwrap();
        return PatchSampler::new(P, n)
            .with_border(16)
            .sample(&w, seed)
            .unwrap();
    }
    if let Some(rel) = whitening.strip_prefix("zcai:") {
        // ZCA fitted to each image's own patches (n / images patches each), stacked
        let k = im.len();
        let parts: Vec<Matrix> = im
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let one = vec![m.clone()];
                let share = n / k + usize::from(i < n % k);
                zca_patches(&one, &format!("zca:{rel}"), share, seed + 1000 * i as u64)
            })
            .collect();
        let mut x = Matrix::zeros(n, P * P);
        let mut r0 = 0;
        for part in &parts {
            x.rows_mut(r0, part.nrows()).copy_from(part);
            r0 += part.nrows();
        }
        let v = x.norm_squared() / x.len() as Real;
        return x * (0.1 / v).sqrt();
    }
    zca_patches(&im, whitening, n, seed)
}

/// Patches of `im` ZCA-whitened with `zca:<rel eps>` fitted on them, pixel variance 0.1.
fn zca_patches(im: &[Matrix], whitening: &str, n: usize, seed: u64) -> Matrix {
    let rel: Real = whitening.trim_start_matches("zca:").parse().unwrap();
    // per-image unit variance, like O&F, then raw patches
    let im: Vec<Matrix> = im
        .iter()
        .map(|m| {
            let n = m.len() as Real;
            let mu = m.sum() / n;
            let sd = (m.iter().map(|v| (v - mu) * (v - mu)).sum::<Real>() / n).sqrt();
            m.map(|v| (v - mu) / sd)
        })
        .collect();
    let x = PatchSampler::new(P, n)
        .with_border(16)
        .sample(&im, seed)
        .unwrap();
    // eps relative to mean eigenvalue = mean pixel variance (trace / d)
    let mean_row = x.row_mean();
    let mut tr = 0.0;
    for r in 0..x.nrows() {
        for c in 0..x.ncols() {
            let d = x[(r, c)] - mean_row[c];
            tr += d * d;
        }
    }
    let mean_eig = tr / (x.nrows() * x.ncols()) as Real;
    let (z, _) = zca_whiten(&x, rel * mean_eig).unwrap();
    // scale to pixel variance 0.1
    let v = z.norm_squared() / z.len() as Real;
    z * (0.1 / v).sqrt()
}

fn spectrum(x: &Matrix) -> Vec<Real> {
    let mut acc = vec![0.0; P / 2];
    for r in 0..x.nrows() {
        let m = Matrix::from_fn(P, P, |i, j| x[(r, i * P + j)]);
        for (k, (_, p)) in radial_power_spectrum(&m).unwrap().into_iter().enumerate() {
            acc[k] += p / x.nrows() as Real;
        }
    }
    acc
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let what = args[1].as_str();
    let whitening = args[2].as_str();
    let kinds: Vec<&str> = args[3].split(',').collect();
    for kind in kinds {
        match what {
            "spectrum" => {
                let x = patches(kind, whitening, 10_000, 1);
                let s = spectrum(&x);
                println!("{whitening} {kind} radial power f=1..4 cyc/patch: {s:.4?}");
            }
            "sc" => {
                let x = patches(kind, whitening, 10_000, 1);
                let cfg = SparseCodingConfig {
                    atoms: 64,
                    batches: 5000,
                    seed: 2,
                    ..SparseCodingConfig::default()
                };
                let f = sparse_coding::learn(&x, &cfg).unwrap().filters();
                let s =
                    v1stats::summarize(&GaborFitter::default().fit_rows(&f, P, P).unwrap(), 0.8)
                        .unwrap();
                println!(
                    "SC {whitening} {kind}: gabor {:.3} localised {:.3} degenerate {:.3} medianR2 {:.3}",
                    s.fraction_gabor,
                    s.fraction_localised_gabor,
                    s.fraction_degenerate,
                    s.median_r2
                );
            }
            "ica" => {
                let k: usize = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(48);
                let x = patches(kind, whitening, 20_000, 3);
                let mut cfg = FastIcaConfig::new(k);
                cfg.seed = 4;
                let m = ica::fit(&x, &cfg).unwrap();
                let b = m.basis();
                let s =
                    v1stats::summarize(&GaborFitter::default().fit_rows(&b, P, P).unwrap(), 0.8)
                        .unwrap();
                println!(
                    "ICA k={k} {whitening} {kind}: gabor {:.3} localised {:.3} degenerate {:.3} medianR2 {:.3}",
                    s.fraction_gabor,
                    s.fraction_localised_gabor,
                    s.fraction_degenerate,
                    s.median_r2
                );
            }
            _ => panic!("first argument: spectrum, sc or ica"),
        }
    }
}
