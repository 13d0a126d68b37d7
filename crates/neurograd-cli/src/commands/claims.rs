//! `neurograd claims`: the claims lab.

use clap::Args;

use neurograd::experiments::claims::{self as exp, ClaimsParams, ClaimsResult};

use crate::Common;

/// Arguments of `claims`.
#[derive(Debug, Args)]
pub struct ClaimsArgs {
    /// Only these claim ids, comma-separated (default: all fifteen).
    #[arg(long, default_value = "")]
    pub only: String,
    /// Epochs of the digits trainings (claims 3 and 5).
    #[arg(long, default_value_t = 15)]
    pub epochs: usize,
    /// Use at most this many digits samples (claims 3 and 5).
    #[arg(long)]
    pub max_samples: Option<usize>,
    /// Seeds of the digits comparisons (claims 3 and 5).
    #[arg(long, default_value_t = 5)]
    pub seeds: usize,
    /// Hidden units of the digits network (claims 3 and 5).
    #[arg(long, default_value_t = 256)]
    pub hidden: usize,
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &ClaimsArgs) -> neurograd::Result<()> {
    let only = a
        .only
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            s.trim()
                .parse::<usize>()
                .map_err(|e| neurograd::Error::invalid("only", s, e.to_string()))
        })
        .collect::<neurograd::Result<Vec<_>>>()?;
    let params = ClaimsParams {
        only,
        seed: common.seed,
        epochs: a.epochs,
        max_samples: a.max_samples,
        seeds: a.seeds,
        hidden: a.hidden,
        ..ClaimsParams::default()
    };
    let bars = crate::progress::Bars::new(common.quiet);
    let res = exp::run(&params, &bars)?;
    if let Some(dir) = &common.out {
        let files = vec![super::save_json(dir, "claims.json", &res)?];
        super::report_files(common, &files);
    }
    if common.json {
        return super::print_json(&res);
    }
    super::print_out(&render(&res))
}

/// Human-readable claims report.
pub fn render(res: &ClaimsResult) -> String {
    let mut s = String::new();
    for c in &res.claims {
        s.push_str(&format!(
            "[{}] \"{}\"\n    verdict: {}\n",
            c.id, c.claim, c.verdict
        ));
        for (k, v) in &c.numbers {
            s.push_str(&format!("    {k:<48} {v:.6}\n"));
        }
        if !c.rule.is_empty() {
            s.push_str(&format!("    rule: {}\n", c.rule));
        }
        s.push_str(&format!("    guarded by: {}\n", c.test.join(", ")));
        s.push_str(&format!("    references: {}\n\n", c.references.join("; ")));
    }
    s
}
