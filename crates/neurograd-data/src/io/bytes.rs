//! Byte-level helpers shared by the binary formats ([`super::idx`], [`super::npy`]): gzip
//! sniffing, checked element counts, the shape-vs-data-length check, the body-length check and
//! fixed-width element decoding/encoding. Each format file keeps only its own layout logic.

use super::maybe_gunzip;
use crate::{DataError, Result};
use std::path::Path;

/// Whether `bytes` start with the gzip magic `1f 8b`.
pub(crate) fn is_gzip(bytes: &[u8]) -> bool {
    bytes.len() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Runs `parse` on `bytes`, gunzipping them first when they start with the gzip magic `1f 8b`.
pub(crate) fn parse_maybe_gz<T>(
    bytes: &[u8],
    source: &Path,
    parse: fn(&[u8], &Path) -> Result<T>,
) -> Result<T> {
    if is_gzip(bytes) {
        let raw = maybe_gunzip(bytes.to_vec(), source)?;
        return parse(&raw, source);
    }
    parse(bytes, source)
}

/// The product of `dims`, or `None` on overflow.
pub(crate) fn element_count(dims: &[usize]) -> Option<usize> {
    dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d))
}

/// [`DataError::InvalidParameter`] (`name`, the dims, and `what` in the reason) unless the product
/// of `dims` equals the data length `len`. An N-dimensional shape is not a `(rows, cols)` pair, so
/// this is an invalid shape parameter rather than a [`DataError::ShapeMismatch`].
pub(crate) fn check_dims_len(
    name: &'static str,
    dims: &[usize],
    len: usize,
    what: impl std::fmt::Display,
) -> Result<()> {
    if element_count(dims) != Some(len) {
        return Err(DataError::invalid(
            name,
            format!("{dims:?}"),
            format!("{what}: the product of the sizes must equal the data length {len}"),
        ));
    }
    Ok(())
}

/// Why a data body does not match its header.
pub(crate) enum BodyLenError {
    /// The header needs `need` bytes; `kind` is `"truncated"` or `"trailing bytes"`.
    Mismatch { need: usize, kind: &'static str },
    /// The product of the dimensions times the element size overflows `usize`.
    Overflow,
}

/// Checks that a body of `body_len` bytes holds exactly `dims` elements of `elem` bytes.
pub(crate) fn check_body_len(
    dims: &[usize],
    elem: usize,
    body_len: usize,
) -> std::result::Result<(), BodyLenError> {
    match element_count(dims).and_then(|n| n.checked_mul(elem)) {
        Some(need) if need == body_len => Ok(()),
        Some(need) => Err(BodyLenError::Mismatch {
            need,
            kind: if body_len < need {
                "truncated"
            } else {
                "trailing bytes"
            },
        }),
        None => Err(BodyLenError::Overflow),
    }
}

/// Decodes `body` as consecutive `N`-byte elements with `f` (a trailing partial chunk, which the
/// callers rule out by [`check_body_len`], is ignored).
pub(crate) fn decode<const N: usize, T>(body: &[u8], f: fn([u8; N]) -> T) -> Vec<T> {
    body.chunks_exact(N)
        .map(|c| {
            let mut a = [0u8; N];
            a.copy_from_slice(c);
            f(a)
        })
        .collect()
}

/// Appends every element of `v`, encoded by `f`, to `out`.
pub(crate) fn encode<const N: usize, T: Copy>(out: &mut Vec<u8>, v: &[T], f: fn(T) -> [u8; N]) {
    v.iter().for_each(|&x| out.extend_from_slice(&f(x)));
}
