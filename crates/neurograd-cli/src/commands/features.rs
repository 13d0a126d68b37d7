//! `neurograd features`: receptive fields as image grids.

use clap::Args;

use neurograd::experiments::features::{self as exp, FeaturesParams};

use crate::Common;
use crate::plot::Figure;
use crate::table::Table;

/// Arguments of `features`.
#[derive(Debug, Args)]
pub struct FeaturesArgs {
    /// Filters per rule.
    #[arg(long, default_value_t = 8)]
    pub units: usize,
    /// Updates per rule.
    #[arg(long, default_value_t = 4000)]
    pub steps: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 1e-3)]
    pub lr: f64,
    /// Patches (or digits) used.
    #[arg(long, default_value_t = 5000)]
    pub samples: usize,
    /// Sources, comma-separated: dead-leaves, digits.
    #[arg(long, default_value = "dead-leaves,digits")]
    pub sources: String,
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &FeaturesArgs) -> neurograd::Result<()> {
    let params = FeaturesParams {
        units: a.units,
        steps: a.steps,
        learning_rate: a.lr,
        samples: a.samples,
        seed: common.seed,
        sources: a
            .sources
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        ..FeaturesParams::default()
    };
    let (dir, claimed) = super::output_dir(common)?;
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&params, &bars).inspect_err(|_| super::release_if_empty(&dir, claimed))?;
    let mut files = vec![super::save_json(&dir, "features.json", &res)?];
    for s in &res.sets {
        let fig = Figure::Images {
            title: format!("{} on {}", s.rule, s.source),
            images: s.filters.clone(),
            shape: s.shape,
            columns: 8,
        };
        files.extend(crate::plot::save(
            &fig,
            &dir,
            &format!("features-{}-{}", s.source, s.rule),
        )?);
    }
    super::report_files(common, &files);
    if common.json {
        return super::print_json(&res);
    }
    let mut t = Table::new(&[
        "source",
        "rule",
        "filters",
        "rank",
        "distance to PCA subspace",
    ]);
    for s in &res.sets {
        t.row(vec![
            s.source.clone(),
            s.rule.clone(),
            s.filters.len().to_string(),
            s.rank.to_string(),
            format!("{:.4}", s.subspace_distance_to_pca),
        ]);
    }
    super::print_out(&t.render())
}
