//! The `neurograd` command: compare learning rules on real data, the claims lab, simulations,
//! optimizers and figures. Parsing and rendering only; every number comes from the `neurograd`
//! facade. See `docs/cli.md` for every subcommand and JSON field.
//!
//! Exit codes: `0` success, `2` usage and input errors (unknown names, bad parameters, missing or
//! corrupt files), `1` failures of a run (divergence, non-convergence, internal errors), `130` a
//! run stopped by SIGINT, SIGTERM or SIGHUP (see [`install_signal_handler`]).

mod commands;
mod plot;
mod progress;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Biological learning and machine learning on one bench.
#[derive(Debug, Parser)]
#[command(name = "neurograd", version, about, propagate_version = true)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub common: Common,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Master random seed (every run is a pure function of it).
    #[arg(long, global = true, default_value_t = 0)]
    pub seed: u64,
    /// Worker threads of the global rayon pool, 1 to 256 (default: rayon's choice). Results do
    /// not depend on it.
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// Output directory for result files and figures.
    #[arg(long, global = true)]
    pub out: Option<PathBuf>,
    /// No progress bars and no file list on stderr.
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Print one JSON document to stdout instead of the table.
    #[arg(long, global = true)]
    pub json: bool,
}

/// The subcommands.
// One value per process, parsed once: the size of the largest variant (`compare`'s flags) costs
// nothing, and boxing it would only complicate the derive.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: train one network with backprop and biologically motivated rules, compare.
    Compare(commands::compare::CompareArgs),
    /// Cosine and angle to the true gradient for each algorithm and its condition parameter.
    Align(commands::align::AlignArgs),
    /// The claims lab: one experiment and a computed verdict per claim.
    Claims(commands::claims::ClaimsArgs),
    /// Simulate a neuron model or circuit.
    Simulate(commands::simulate::SimulateArgs),
    /// Run a black-box optimizer on a test function over several seeds.
    Optimize(commands::optimize::OptimizeArgs),
    /// Receptive fields learned by Oja, Sanger and BCM, saved as image grids.
    Features(commands::features::FeaturesArgs),
    /// The registered plasticity rules; `rules check <name>` runs the conformance suite on one.
    Rules(commands::rules::RulesArgs),
    /// Receptive fields learned from natural images, fitted by Gabors, against macaque V1.
    V1(commands::v1::V1Args),
    /// Sweeps from a TOML plan: list, run (locally or a shard), Slurm job arrays, collect.
    Sweep(commands::sweep::SweepArgs),
}

/// The largest `--threads` accepted: beyond it the pool spends its time spawning threads (10,000
/// threads effectively hang the process), and no machine this runs on has more cores.
const MAX_THREADS: usize = 256;

fn run(cli: Cli) -> neurograd::Result<()> {
    if let Some(t) = cli.common.threads {
        if !(1..=MAX_THREADS).contains(&t) {
            return Err(neurograd::Error::invalid(
                "--threads",
                t,
                format!("must be between 1 and {MAX_THREADS}"),
            ));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .map_err(|e| neurograd::Error::Internal {
                what: "thread pool",
                reason: e.to_string(),
            })?;
    }
    let c = &cli.common;
    if let Some(dir) = &c.out {
        commands::check_writable(dir)?;
    }
    match &cli.command {
        Command::Compare(a) => commands::compare::run(c, a),
        Command::Align(a) => commands::align::run(c, a),
        Command::Claims(a) => commands::claims::run(c, a),
        Command::Simulate(a) => commands::simulate::run(c, a),
        Command::Optimize(a) => commands::optimize::run(c, a),
        Command::Features(a) => commands::features::run(c, a),
        Command::Rules(a) => commands::rules::run(c, a),
        Command::V1(a) => commands::v1::run(c, a),
        Command::Sweep(a) => commands::sweep::run(c, a),
    }
}

/// Routes SIGINT, SIGTERM and SIGHUP to [`neurograd::interrupt::on_signal`] on a thread of its own
/// (signal-hook's iterator: the handler itself only wakes that thread, so the thread may take the
/// write lock and exit, which a real signal handler may not). A run that polls for interruption
/// (`compare`) then checkpoints and stops; any other command exits with 130 once the file being
/// written, if any, is complete, so no temporary file survives. If the handler cannot be
/// installed the default disposition stays (the process dies at once; atomic writes still never
/// leave a half-written file under its final name).
fn install_signal_handler() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        std::thread::spawn(move || {
            for _ in signals.forever() {
                neurograd::interrupt::on_signal();
            }
        });
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    install_signal_handler();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
