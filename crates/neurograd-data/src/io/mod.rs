//! Loaders and writers for the user's own files: MNIST-style [`idx`], NumPy [`npy`] and [`csv`].
//!
//! Every reader parses the whole file into memory first and validates it completely before a
//! [`Dataset`](crate::Dataset) or matrix is built, so an error never leaves a partially filled
//! result. Gzip-compressed input is recognised by its magic bytes (`1f 8b`), whatever the file name.
//! Writers go to a temporary file in the target directory that is renamed over the target only
//! after everything was written and flushed, so a failure never leaves a truncated file.

mod bytes;
pub mod csv;
pub mod idx;
pub mod npy;

use crate::{DataError, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Upper bound on the decompressed size of a gzip input (4 GiB); guards against gzip bombs.
pub const MAX_DECOMPRESSED_BYTES: u64 = 4 << 30;

/// Reads a whole file; transparently gunzips it when it starts with the gzip magic `1f 8b`.
///
/// # Errors
/// [`DataError::Io`] when the file cannot be read, [`DataError::Format`] for a corrupt gzip stream
/// or one larger than [`MAX_DECOMPRESSED_BYTES`].
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| DataError::Io {
        path: path.into(),
        source: e,
    })?;
    maybe_gunzip(bytes, path)
}

/// Gunzips `bytes` if they start with the gzip magic, else returns them unchanged.
pub(crate) fn maybe_gunzip(bytes: Vec<u8>, source: &Path) -> Result<Vec<u8>> {
    if bytes::is_gzip(&bytes) {
        let mut out = Vec::with_capacity(bytes.len().saturating_mul(4));
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(MAX_DECOMPRESSED_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| DataError::format(source, format!("corrupt gzip stream: {e}")))?;
        if out.len() as u64 > MAX_DECOMPRESSED_BYTES {
            return Err(DataError::format(
                source,
                "gzip stream decompresses to more than 4 GiB",
            ));
        }
        Ok(out)
    } else {
        Ok(bytes)
    }
}

/// Writes `bytes` to `path` atomically: a temporary file `.<name>.tmp-<pid>-<n>` in the same
/// directory is written, flushed and synced, then renamed over `path`. On any failure the
/// temporary file is removed and `path` is left untouched. When `gzip` is set the bytes are
/// gzip-compressed (flate2, default level) on the way.
///
/// # Errors
/// [`DataError::Io`] naming the path that failed.
pub fn write_atomic(path: &Path, bytes: &[u8], gzip: bool) -> Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| DataError::invalid("path", path.display(), "has no file name"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(
        ".{}.tmp-{}-{n}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        if gzip {
            let mut gz = flate2::write::GzEncoder::new(&mut w, flate2::Compression::default());
            gz.write_all(bytes)?;
            gz.finish()?;
        } else {
            w.write_all(bytes)?;
        }
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(DataError::Io {
            path: tmp,
            source: e,
        });
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        DataError::Io {
            path: path.into(),
            source: e,
        }
    })
}

/// Whether a path's name ends in `.gz` (writers then compress).
pub(crate) fn is_gz_path(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_and_gzip_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.bin.gz");
        write_atomic(&p, b"hello", true).unwrap();
        assert_eq!(read_maybe_gz(&p).unwrap(), b"hello");
        let q = dir.path().join("b.bin");
        write_atomic(&q, b"raw", false).unwrap();
        assert_eq!(read_maybe_gz(&q).unwrap(), b"raw");
        // Only the two targets remain: no temporary files left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing-subdir").join("x.npy");
        let e = write_atomic(&p, b"x", false).unwrap_err();
        assert!(matches!(e, DataError::Io { .. }));
        assert!(!p.exists());
        let e = read_maybe_gz(&dir.path().join("nope")).unwrap_err();
        assert!(e.to_string().contains("nope"), "{e}");
    }

    #[test]
    fn corrupt_gzip_is_an_error() {
        let e = maybe_gunzip(vec![0x1f, 0x8b, 1, 2, 3], Path::new("f.gz")).unwrap_err();
        assert!(matches!(e, DataError::Format { .. }));
    }
}
