//! One module per subcommand: argument struct (clap) and rendering of the facade's result.

pub mod align;
pub mod claims;
pub mod compare;
pub mod features;
pub mod optimize;
pub mod rules;
pub mod simulate;
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
/// always write files.
pub fn default_run_dir() -> PathBuf {
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
    PathBuf::from("runs").join(format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    ))
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
    fn run_dir_is_a_timestamp() {
        let d = super::default_run_dir();
        let name = d.file_name().unwrap().to_str().unwrap().to_string();
        assert_eq!(name.len(), 15);
        assert!(name.starts_with("20"));
        assert_eq!(&name[8..9], "-");
    }
}
