//! Numbers over seeds for claims 9, 11 and 12, and the rule that turns a per-seed condition into
//! a condition over the seeds.
//!
//! Each measured quantity `key` is reported as `key_seed{k}` for `k = 0, ..., seeds - 1` (seed
//! `first_seed + k`), and as `key_mean`, `key_sd` (sample standard deviation, `n − 1`; 0 for one
//! seed), `key_min` and `key_max`. The numbers `seeds` and `first_seed` say which seeds ran.
//!
//! A condition of a verdict rule is written once, as a predicate on a number-getter, and
//! [`holds_over_seeds`] applies it to the means and to each seed: it holds over the seeds if it
//! holds on the means **and** in at least [`required`] seeds (4 of 5, 3 of 3, all of 1 or 2), so
//! neither one lucky seed nor a mean pulled up by one outlier is enough.

use super::{Numbers, num};

/// Mean and sample standard deviation (`n − 1`; 0 for fewer than two values).
pub(crate) fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, var.sqrt())
}

/// Appends `key_seed{k}`, `key_mean`, `key_sd`, `key_min`, `key_max` for the per-seed values `v`.
pub(crate) fn push_over_seeds(out: &mut Vec<(String, f64)>, key: &str, v: &[f64]) {
    for (k, x) in v.iter().enumerate() {
        out.push((format!("{key}_seed{k}"), *x));
    }
    let (m, sd) = mean_sd(v);
    out.push((format!("{key}_mean"), m));
    out.push((format!("{key}_sd"), sd));
    out.push((
        format!("{key}_min"),
        v.iter().copied().fold(f64::INFINITY, f64::min),
    ));
    out.push((
        format!("{key}_max"),
        v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    ));
}

/// The number of seeds (of `n`) in which a condition must hold: `ceil(0.8 n)` (4 of 5, 3 of 3,
/// all of 1 or 2).
pub(crate) fn required(n: usize) -> usize {
    (4 * n).div_ceil(5)
}

/// The seeds of `n` (the number `seeds`; 0 if absent or not a positive whole number, which makes
/// every condition fail).
pub(crate) fn seeds(n: &Numbers) -> usize {
    let s = num(n, "seeds");
    if s.is_finite() && s >= 1.0 && s.fract() == 0.0 {
        s as usize
    } else {
        0
    }
}

/// How a condition fared over the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OverSeeds {
    /// The condition on the means.
    pub on_mean: bool,
    /// Seeds in which it holds.
    pub count: usize,
    /// Seeds run.
    pub seeds: usize,
}

impl OverSeeds {
    /// On the means and in at least [`required`] seeds (never with no seeds).
    pub fn holds(&self) -> bool {
        self.seeds > 0 && self.on_mean && self.count >= required(self.seeds)
    }
}

/// Applies `cond` (a predicate on a getter of the numbers by `key`) to the `key_mean` numbers and
/// to each seed's `key_seed{k}` numbers.
pub(crate) fn holds_over_seeds(
    n: &Numbers,
    cond: impl Fn(&dyn Fn(&str) -> f64) -> bool,
) -> OverSeeds {
    let s = seeds(n);
    let on_mean = cond(&|key: &str| num(n, &format!("{key}_mean")));
    let count = (0..s)
        .filter(|k| cond(&|key: &str| num(n, &format!("{key}_seed{k}"))))
        .count();
    OverSeeds {
        on_mean,
        count,
        seeds: s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_sd_and_required() {
        let (m, sd) = mean_sd(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert_eq!(sd, 1.0);
        assert_eq!(mean_sd(&[4.0]), (4.0, 0.0));
        assert_eq!(
            [1, 2, 3, 4, 5, 10].map(required),
            [1, 2, 3, 4, 4, 8],
            "ceil(0.8 n)"
        );
    }

    #[test]
    fn a_condition_needs_the_mean_and_enough_seeds() {
        let mut v = vec![("seeds".to_string(), 5.0)];
        push_over_seeds(&mut v, "x", &[0.4, 0.4, 0.4, 0.4, 0.1]);
        let n: Numbers = v.into_iter().collect();
        assert_eq!(num(&n, "x_min"), 0.1);
        assert_eq!(num(&n, "x_max"), 0.4);
        assert!((num(&n, "x_mean") - 0.34).abs() < 1e-12);
        let at = |t: f64| holds_over_seeds(&n, |g| g("x") >= t);
        // Mean 0.34, four of five seeds at 0.4: holds at 0.3.
        assert!(at(0.3).holds());
        assert_eq!(at(0.3).count, 4);
        // At 0.35 the mean fails though four seeds pass.
        assert!(!at(0.35).holds() && at(0.35).count == 4 && !at(0.35).on_mean);
        // Three of five seeds are not enough even when the mean passes.
        let mut v = vec![("seeds".to_string(), 5.0)];
        push_over_seeds(&mut v, "x", &[0.9, 0.9, 0.9, 0.1, 0.1]);
        let n: Numbers = v.into_iter().collect();
        let o = holds_over_seeds(&n, |g| g("x") >= 0.3);
        assert!(o.on_mean && o.count == 3 && !o.holds());
        // No seeds: never holds.
        assert!(!holds_over_seeds(&Numbers::new(), |_| true).holds());
    }
}
