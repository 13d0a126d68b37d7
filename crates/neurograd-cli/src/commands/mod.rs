//! One module per subcommand: argument struct (clap) and rendering of the facade's result.

pub mod align;
pub mod claims;
pub mod compare;
pub mod features;
pub mod optimize;
pub mod recurrent;
pub mod rules;
pub mod simulate;
pub mod sweep;
mod sweep_collect;
mod sweep_plan;
pub mod v1;

use std::path::{Path, PathBuf};

use crate::Common;

/// Prints `value` as one pretty JSON document on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> neurograd::Result<()> {
    print_out(&format!("{}\n", serde_json::to_string_pretty(value)?))
}

/// Writes `text` to stdout; a closed pipe (e.g. `| head`) ends quietly instead of panicking.
pub fn print_out(text: &str) -> neurograd::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(neurograd::Error::Io {
            path: "<stdout>".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// `runs/<UTC timestamp>` (YYYYMMDD-HHMMSS), the default output directory of the commands that
/// always write files, **created** here so that it belongs to this run: `create_dir` is atomic,
/// so a second run started in the same second gets `runs/<timestamp>-2` (then `-3`, ...) instead
/// of overwriting the first one's files.
///
/// # Errors
/// [`neurograd::Error::Io`] naming the directory if it cannot be created.
pub fn default_run_dir() -> neurograd::Result<PathBuf> {
    claim_unique_dir(Path::new("runs"), &timestamp())
}

/// Creates `parent/stem`, or `parent/stem-2`, `-3`, ... if taken, and returns the one created.
fn claim_unique_dir(parent: &Path, stem: &str) -> neurograd::Result<PathBuf> {
    let io = |p: &Path, e| neurograd::Error::Io {
        path: p.to_path_buf(),
        source: e,
    };
    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    for k in 1u32.. {
        let dir = if k == 1 {
            parent.join(stem)
        } else {
            parent.join(format!("{stem}-{k}"))
        };
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(&dir, e)),
        }
    }
    unreachable!("u32 suffixes exhausted")
}

/// The current UTC time as `YYYYMMDD-HHMMSS`.
fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Checks, before any work, that `--out DIR` can be written, without creating anything: a probe
/// file is written to and removed from `DIR` or, if it does not exist yet, its nearest existing
/// ancestor (where it will be created). A read-only or impossible directory (a path through a
/// file) therefore fails at once instead of after the run, when the results would be lost.
///
/// # Errors
/// [`neurograd::Error::Io`] naming the directory.
pub fn check_writable(dir: &Path) -> neurograd::Result<()> {
    let io = |e| neurograd::Error::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut existing = dir;
    while !existing.exists() {
        existing = match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
    }
    if !existing.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a directory", existing.display()),
        )));
    }
    let probe = existing.join(format!(".neurograd-write-probe-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(io)?;
    std::fs::remove_file(&probe).map_err(io)
}

/// The output directory of a command that always writes files: `--out` if given, else a freshly
/// claimed [`default_run_dir`]. The flag says whether it was claimed here (see
/// [`release_if_empty`]).
///
/// # Errors
/// As [`default_run_dir`].
pub fn output_dir(common: &Common) -> neurograd::Result<(PathBuf, bool)> {
    match &common.out {
        Some(d) => Ok((d.clone(), false)),
        None => Ok((default_run_dir()?, true)),
    }
}

/// Removes a directory claimed by [`output_dir`] (and `runs/` if that leaves it empty) when the run
/// failed before writing anything into it, so a usage error leaves no trace.
pub fn release_if_empty(dir: &Path, claimed: bool) {
    if claimed
        && std::fs::remove_dir(dir).is_ok()
        && let Some(parent) = dir.parent()
    {
        let _ = std::fs::remove_dir(parent);
    }
}

/// Tells the user (stderr, unless `--quiet`) which files were written.
pub fn report_files(common: &Common, files: &[PathBuf]) {
    if !common.quiet {
        for f in files {
            eprintln!("wrote {}", f.display());
        }
    }
}

/// Writes the JSON result as `<dir>/<name>` and returns its path.
pub fn save_json<T: serde::Serialize>(
    dir: &Path,
    name: &str,
    value: &T,
) -> neurograd::Result<PathBuf> {
    let p = dir.join(name);
    neurograd::io::write_json(&p, value)?;
    Ok(p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn run_dir_stem_is_a_timestamp() {
        let name = super::timestamp();
        assert_eq!(name.len(), 15);
        assert!(name.starts_with("20"));
        assert_eq!(&name[8..9], "-");
    }

    /// Claims in the same second get distinct directories, each created (so a concurrent run
    /// sees it taken), and no claim reuses an existing one.
    #[test]
    fn claimed_dirs_are_unique() {
        let root = tempfile::tempdir().unwrap();
        let dirs: Vec<_> = (0..4)
            .map(|_| super::claim_unique_dir(root.path(), "20261203-120000").unwrap())
            .collect();
        let names: Vec<_> = dirs
            .iter()
            .map(|d| d.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "20261203-120000",
                "20261203-120000-2",
                "20261203-120000-3",
                "20261203-120000-4"
            ]
        );
        assert!(dirs.iter().all(|d| d.is_dir()));
    }
}
