//! `neurograd rules` (the registered plasticity rules) and `neurograd rules check <name>` (the
//! conformance suite on one rule: a contributor's new rule, once registered, is checked here the
//! same way the test suite checks it).

use clap::{Args, Subcommand};

use neurograd::experiments::rules as exp;

use crate::Common;
use crate::table::Table;

/// Arguments of `rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// `check <name>` runs the conformance suite; without it, the registry is listed.
    #[command(subcommand)]
    pub action: Option<RulesAction>,
}

/// What `rules` does.
#[derive(Debug, Subcommand)]
pub enum RulesAction {
    /// Run the conformance suite on a registered rule (rate: gradient of its stated objective by
    /// finite differences, with scaled-rule controls; spike: trace vs brute-force sum and drift
    /// vs rate formula, with a swapped-kernel control). Exit code 1 if it does not pass.
    Check {
        /// Registered rule name (see `neurograd rules`).
        name: String,
    },
}

/// Runs the subcommand.
pub fn run(common: &Common, a: &RulesArgs) -> neurograd::Result<()> {
    match &a.action {
        None => {
            let l = exp::list();
            if let Some(dir) = &common.out {
                let f = super::save_json(dir, "rules.json", &l)?;
                super::report_files(common, &[f]);
            }
            if common.json {
                return super::print_json(&l);
            }
            let mut t = Table::new(&["name", "kind", "module", "summary"]);
            for r in &l.rules {
                t.row(vec![
                    r.name.clone(),
                    r.kind.clone(),
                    r.module.clone(),
                    r.summary.clone(),
                ]);
            }
            super::print_out(&t.render())
        }
        Some(RulesAction::Check { name }) => {
            let c = exp::check(name, common.seed)?;
            if let Some(dir) = &common.out {
                let f = super::save_json(dir, "rules-check.json", &c)?;
                super::report_files(common, &[f]);
            }
            if common.json {
                super::print_json(&c)?;
            } else {
                let r = &c.report;
                let mut out = format!(
                    "{} ({} rule): {}\n",
                    r.rule,
                    r.kind,
                    r.theory.as_deref().unwrap_or("states no theory")
                );
                let mut t = Table::new(&["check", "measured", "bound", "holds", "as required"]);
                for row in &r.rows {
                    t.row(vec![
                        row.check.clone(),
                        format!("{:.3e}", row.measured),
                        format!("{:.1e}", row.bound),
                        row.holds.to_string(),
                        if row.ok() { "yes" } else { "NO" }.to_string(),
                    ]);
                }
                out.push_str(&t.render());
                out.push_str(match c.passes {
                    Some(true) => "conforms: every check holds and every control is rejected\n",
                    Some(false) => "does NOT conform\n",
                    None => "nothing to check: the rule states no theory\n",
                });
                super::print_out(&out)?;
            }
            match c.passes {
                Some(false) => Err(neurograd::Error::Internal {
                    what: "conformance",
                    reason: format!("rule {name} does not conform to its stated theory"),
                }),
                _ => Ok(()),
            }
        }
    }
}
