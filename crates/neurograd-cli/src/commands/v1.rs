//! `neurograd v1`: receptive fields learned from natural images, fitted by Gabors and compared
//! with macaque V1 simple cells (Ringach 2002).

use std::path::PathBuf;

use clap::Args;

use neurograd::experiments::v1::{self as exp, MethodSummary, V1Params};

use crate::Common;
use crate::plot::{Figure, Series};
use crate::table::{Table, num};

/// Arguments of `v1`.
#[derive(Debug, Args)]
pub struct V1Args {
    /// Your own images: 2-D `.npy` files (uint8 or float; `.npy.gz` too). Default: the bundled
    /// natural images.
    #[arg(long, num_args = 1.., value_name = "FILE.npy")]
    pub images: Vec<PathBuf>,
    /// Methods, comma-separated: sparse-coding, ica, isa, oja, sanger, bcm, nonlinear-hebb,
    /// cnn-bp, cnn-fa, cnn-dfa, cnn-ss.
    #[arg(
        long,
        default_value = "sparse-coding,ica,isa,oja,sanger,bcm,nonlinear-hebb,cnn-bp,cnn-fa,cnn-dfa,cnn-ss"
    )]
    pub methods: String,
    /// Replace the images by a control with the same power spectrum: white, phase-scrambled.
    #[arg(long)]
    pub control: Option<String>,
    /// Whitening: olshausen-field (the 1/f ramp with roll-off, default) or zca-per-image (ZCA
    /// fitted to each image's own patches, exact; for ica use --filters patch²).
    #[arg(long, default_value = "olshausen-field")]
    pub whitening: String,
    /// Patch side in pixels.
    #[arg(long, default_value_t = 12)]
    pub patch: usize,
    /// Patches sampled from the whitened images.
    #[arg(long, default_value_t = 20_000)]
    pub patches: usize,
    /// Filters per method (a multiple of 4 for isa; the CNN methods learn 16).
    #[arg(long, default_value_t = 64)]
    pub filters: usize,
    /// Dictionary updates of sparse coding (batches of 100 patches).
    #[arg(long, default_value_t = 2000)]
    pub sparse_batches: usize,
    /// Gradient steps of isa and nonlinear-hebb.
    #[arg(long, default_value_t = 300)]
    pub steps: usize,
    /// Updates of oja, sanger and bcm (batches of 16).
    #[arg(long, default_value_t = 4000)]
    pub local_steps: usize,
    /// Patches the CNN autoencoders train on (the first of the sample).
    #[arg(long, default_value_t = 4000)]
    pub cnn_patches: usize,
    /// Epochs of the CNN autoencoders.
    #[arg(long, default_value_t = 10)]
    pub cnn_epochs: usize,
}

/// The parameters `a` and `common` describe.
pub fn params(common: &Common, a: &V1Args) -> V1Params {
    V1Params {
        images: a.images.clone(),
        methods: a
            .methods
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        control: a.control.clone(),
        whitening: a.whitening.clone(),
        patch: a.patch,
        patches: a.patches,
        filters: a.filters,
        sparse_batches: a.sparse_batches,
        steps: a.steps,
        local_steps: a.local_steps,
        cnn_patches: a.cnn_patches,
        cnn_epochs: a.cnn_epochs,
        seed: common.seed,
    }
}

/// Counts of finite `values` in `bins` equal bins over `[lo, hi)` (the top edge in the last bin).
fn histogram(values: impl Iterator<Item = f64>, lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let mut h = vec![0.0; bins];
    for v in values.filter(|v| v.is_finite()) {
        let b = ((v - lo) / (hi - lo) * bins as f64).floor();
        if b >= 0.0 {
            h[(b as usize).min(bins - 1)] += 1.0;
        }
    }
    h
}

/// The filter grid and the orientation and frequency histograms of one method's non-degenerate
/// Gabor fits.
fn figures(m: &MethodSummary) -> Vec<(String, Figure)> {
    let good: Vec<_> = m
        .fits
        .iter()
        .filter(|f| f.well_fit && !f.degenerate)
        .collect();
    let orient = histogram(good.iter().map(|f| f.orientation_deg), 0.0, 180.0, 12);
    let freq = histogram(good.iter().map(|f| f.frequency), 0.0, 0.5, 10);
    vec![
        (
            format!("v1-{}-filters", m.method),
            Figure::Images {
                title: format!("{} filters", m.method),
                images: m.filters.clone(),
                shape: (m.filter_size, m.filter_size),
                columns: 8,
            },
        ),
        (
            format!("v1-{}-orientation", m.method),
            Figure::Bars {
                title: format!("{}: orientation of the Gabor fits (R² ≥ 0.8)", m.method),
                ylabel: "filters".into(),
                bars: orient
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("{}°", i * 15), *c))
                    .collect(),
                log_y: false,
            },
        ),
        (
            format!("v1-{}-frequency", m.method),
            Figure::Bars {
                title: format!(
                    "{}: carrier frequency of the Gabor fits (cycles/px)",
                    m.method
                ),
                ylabel: "filters".into(),
                bars: freq
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("{:.2}", i as f64 * 0.05), *c))
                    .collect(),
                log_y: false,
            },
        ),
    ]
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &V1Args) -> neurograd::Result<()> {
    let p = params(common, a);
    let (dir, claimed) = super::output_dir(common)?;
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&p, &bars).inspect_err(|_| super::release_if_empty(&dir, claimed))?;
    let mut files = vec![super::save_json(&dir, "v1.json", &res)?];
    let mut cloud = vec![Series {
        name: "macaque simple cells (Ringach 2002)".into(),
        points: exp::ringach_points(),
    }];
    for m in &res.methods {
        for (stem, fig) in figures(m) {
            files.extend(crate::plot::save(&fig, &dir, &stem)?);
        }
        cloud.push(Series {
            name: m.method.clone(),
            points: m
                .fits
                .iter()
                .filter(|f| f.well_fit && !f.degenerate)
                .map(|f| (f.nx, f.ny))
                .collect(),
        });
    }
    let scatter = Figure::Scatter {
        title: "(nx, ny) of the Gabor fits vs macaque simple cells".into(),
        xlabel: "nx = σx f".into(),
        ylabel: "ny = σy f".into(),
        series: cloud,
        log: true,
    };
    files.extend(crate::plot::save(&scatter, &dir, "v1-nx-ny")?);
    super::report_files(common, &files);
    if common.json {
        return super::print_json(&res);
    }
    let mut t = Table::new(&[
        "method",
        "filters",
        "Gabor (R² ≥ 0.8)",
        "median R²",
        "localised Gabor",
        "median nx",
        "median ny",
        "nx, ny < 0.5",
        "orientation coverage",
        "ISA coherence / PI (random groups)",
    ]);
    for m in &res.methods {
        t.row(vec![
            m.method.clone(),
            m.n_filters.to_string(),
            format!("{:.2}", m.fraction_gabor),
            format!("{:.3}", m.median_r2),
            format!("{:.2}", m.fraction_localised_gabor),
            num(m.median_nx, 2),
            num(m.median_ny, 2),
            num(m.fraction_both_below_half, 2),
            format!("{:.2}", m.orientation_coverage),
            m.complex_cells
                .as_ref()
                .map(|c| {
                    format!(
                        "{:.2} / {:.2} ({:.2} / {:.2})",
                        c.median_coherence,
                        c.median_phase_invariance,
                        c.random_groups_coherence,
                        c.random_groups_phase_invariance
                    )
                })
                .unwrap_or_default(),
        ]);
    }
    let r = &res.ringach;
    t.row(vec![
        "macaque V1 (Ringach 2002)".into(),
        r.n_cells.to_string(),
        String::new(),
        String::new(),
        String::new(),
        format!("{:.2}", r.median_nx),
        format!("{:.2}", r.median_ny),
        format!("{:.2}", r.fraction_both_below_half),
        String::new(),
        String::new(),
    ]);
    super::print_out(&t.render())
}
