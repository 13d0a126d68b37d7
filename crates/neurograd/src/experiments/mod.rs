//! One function per experiment of the `neurograd` command. Each takes a serialisable parameter
//! struct and a [`Progress`](crate::Progress) observer and returns a serialisable result that
//! echoes the parameters and the neurograd [`VERSION`](crate::VERSION).

pub mod align;
pub mod claims;
pub mod cnn;
pub mod compare;
pub mod features;
pub mod optimize;
pub mod recurrent;
pub mod rules;
pub mod simulate;
pub mod v1;

use crate::{Error, Result};

/// The seeds `seed, seed + 1, ..., seed + seeds - 1` of a multi-seed run.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `seeds` for `seeds = 0` or a range past `u64::MAX` (it is
/// refused, never wrapped around to seed 0).
pub fn seed_range(seed: u64, seeds: usize) -> Result<std::ops::RangeInclusive<u64>> {
    if seeds == 0 {
        return Err(Error::invalid("seeds", seeds, "must be at least 1"));
    }
    let last = u64::try_from(seeds - 1)
        .ok()
        .and_then(|k| seed.checked_add(k))
        .ok_or_else(|| {
            Error::invalid(
                "seeds",
                seeds,
                format!(
                    "seed {seed} + seeds - 1 exceeds the largest seed {}",
                    u64::MAX
                ),
            )
        })?;
    Ok(seed..=last)
}

/// The memory this machine has available (Linux `MemAvailable` of `/proc/meminfo`), if known.
pub fn available_memory_bytes() -> Option<f64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024.0)
}

/// Refuses a run whose estimated memory, `bytes`, exceeds what the machine has available (or
/// 2^50 bytes when that is unknown), before anything is allocated: an out-of-memory abort
/// loses the user's work and says nothing useful. `flag` and `value` name the setting that drives
/// the estimate.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `flag`, its value and the estimate.
pub fn check_memory(flag: &'static str, value: impl std::fmt::Display, bytes: f64) -> Result<()> {
    let limit = available_memory_bytes().unwrap_or(2f64.powi(50));
    if bytes.is_finite() && bytes <= limit {
        return Ok(());
    }
    Err(Error::invalid(
        flag,
        value,
        format!(
            "the run would need about {bytes:.2e} bytes of memory, more than the {limit:.2e} \
             bytes available"
        ),
    ))
}

/// Median of finite values (mean of the two middle ones for an even count); `None` if empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    };
    m.is_finite().then_some(m)
}

#[cfg(test)]
mod tests {
    #[test]
    fn median_of_odd_even_and_infinite() {
        assert_eq!(super::median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(super::median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(super::median(&[1.0, f64::INFINITY, f64::INFINITY]), None);
        assert_eq!(super::median(&[]), None);
    }

    #[test]
    fn seed_ranges_refuse_zero_and_overflow() {
        assert_eq!(super::seed_range(5, 3).unwrap(), 5..=7);
        assert_eq!(super::seed_range(u64::MAX, 1).unwrap(), u64::MAX..=u64::MAX);
        for (seed, n) in [(0, 0), (u64::MAX, 2), (u64::MAX - 1, 3)] {
            let e = super::seed_range(seed, n).unwrap_err();
            assert!(
                matches!(e, crate::Error::InvalidParameter { name: "seeds", .. }),
                "{e}"
            );
        }
    }

    #[test]
    fn memory_estimates_beyond_the_machine_are_refused() {
        assert!(super::check_memory("dim", 10, 1e3).is_ok());
        for bytes in [1e30, f64::INFINITY, f64::NAN] {
            let e = super::check_memory("dim", 7, bytes).unwrap_err();
            assert!(
                e.to_string().contains("dim") && e.to_string().contains("bytes"),
                "{e}"
            );
        }
    }
}
