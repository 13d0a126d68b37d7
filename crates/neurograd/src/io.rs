//! Atomic file output: every file is written to a temporary name in the same directory and renamed
//! into place, so an interrupted run leaves only complete files (a rename within one directory is
//! atomic on POSIX file systems).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` atomically: into `path` + `.tmp-<pid>` first, flushed and synced, then
/// renamed over `path`. Creates the parent directory if needed.
///
/// # Errors
/// [`Error::Io`] naming the file when the directory cannot be created or the write or rename fails;
/// the temporary file is removed on failure.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::invalid("path", path.display(), "has no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(file_name);
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp: PathBuf = path.with_file_name(tmp_name);
    // A signal arriving now waits until the file is renamed into place (see `crate::interrupt`).
    let _writing = crate::interrupt::write_guard();
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_err(path, e));
    }
    Ok(())
}

/// Serialises `value` as pretty JSON and writes it atomically to `path`.
///
/// # Errors
/// [`Error::Serde`] if serialisation fails, [`Error::Io`] if writing fails.
pub fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> Result<()> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    write_atomic(path, s.as_bytes())
}

/// Writes a CSV file atomically: one header row, then one row per record. Fields are written with
/// `Display`; fields containing a comma, quote or newline are quoted.
///
/// # Errors
/// [`Error::InvalidParameter`] if a row's length differs from the header's, [`Error::Io`] if
/// writing fails.
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    }
    let mut out = header
        .iter()
        .map(|h| field(h))
        .collect::<Vec<_>>()
        .join(",");
    out.push('\n');
    for (i, row) in rows.iter().enumerate() {
        if row.len() != header.len() {
            return Err(Error::invalid(
                "csv row",
                i,
                format!("has {} fields, header has {}", row.len(), header.len()),
            ));
        }
        out.push_str(&row.iter().map(|f| field(f)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    write_atomic(path, out.as_bytes())
}

/// Reads a whole file, mapping failure to [`Error::Io`] naming the file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read.
pub fn read_to_string(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| io_err(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_only_the_final_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("a.json");
        write_json(&p, &serde_json::json!({"x": 1})).unwrap();
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["a.json".to_string()]);
        let v: serde_json::Value = serde_json::from_str(&read_to_string(&p).unwrap()).unwrap();
        assert_eq!(v["x"], 1);
    }

    #[test]
    fn csv_quotes_and_checks_lengths() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        write_csv(&p, &["a", "b"], &[vec!["1".into(), "x,y".into()]]).unwrap();
        assert_eq!(read_to_string(&p).unwrap(), "a,b\n1,\"x,y\"\n");
        let r = write_csv(&p, &["a", "b"], &[vec!["1".into()]]);
        assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
        // nothing half-written: the earlier file is intact
        assert_eq!(read_to_string(&p).unwrap(), "a,b\n1,\"x,y\"\n");
    }

    #[test]
    fn write_into_a_file_path_as_directory_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("f");
        std::fs::write(&blocker, b"x").unwrap();
        let err = write_atomic(&blocker.join("a.json"), b"{}").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("a.json") || err.to_string().contains("/f"));
    }
}
