//! Spike-train statistics: mean rate, coefficient of variation of inter-spike intervals, Fano factor.
//!
//! For a spike train on `[0, T)` with `n` spikes and inter-spike intervals `ISI_k`:
//!
//! ```text
//! rate = n / T
//! CV   = std(ISI) / mean(ISI)                  (population std, needs >= 2 intervals)
//! F(W) = Var[N_W] / E[N_W]                     (counts in consecutive windows of width W)
//! ```
//!
//! A homogeneous Poisson process has CV = 1 and F(W) = 1 for every W (Dayan & Abbott 2001,
//! sec. 1.4); a perfectly regular train has CV = 0 and F -> 0 for W a multiple of the period.

use serde::{Deserialize, Serialize};

use crate::validate;
use crate::{NeuronError, Real, Result};

/// Summary statistics of one or more spike trains.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainStats {
    /// Mean rate (Hz) over all trains.
    pub rate_hz: Real,
    /// Mean ISI CV over trains with at least 2 intervals (`NaN` if none).
    pub mean_cv_isi: Real,
    /// Number of trains that entered the CV mean.
    pub n_cv: usize,
}

/// Mean rate (Hz) of a train of `n` spikes in `duration_ms`.
pub fn rate_hz(train_ms: &[Real], duration_ms: Real) -> Result<Real> {
    validate::positive("duration_ms", duration_ms)?;
    Ok(1000.0 * train_ms.len() as Real / duration_ms)
}

/// ISI coefficient of variation; `None` with fewer than 2 intervals. Errors on non-finite or
/// unsorted spike times.
pub fn isi_cv(train_ms: &[Real]) -> Result<Option<Real>> {
    validate::all_finite("spike train", train_ms)?;
    if let Some(k) = train_ms.windows(2).position(|w| w[1] < w[0]) {
        return Err(NeuronError::InvalidParameter {
            name: "train_ms",
            value: format!("{} then {}", train_ms[k], train_ms[k + 1]),
            reason: format!("spike times must be sorted (index {})", k + 1),
        });
    }
    if train_ms.len() < 3 {
        return Ok(None);
    }
    let isi: Vec<Real> = train_ms.windows(2).map(|w| w[1] - w[0]).collect();
    let n = isi.len() as Real;
    let mean = isi.iter().sum::<Real>() / n;
    if mean <= 0.0 {
        return Ok(None);
    }
    let var = isi.iter().map(|x| (x - mean).powi(2)).sum::<Real>() / n;
    Ok(Some(var.sqrt() / mean))
}

/// Fano factor of the spike counts of `train_ms` in consecutive windows of `window_ms` covering
/// `[0, duration_ms)` (incomplete last window dropped). `None` if the mean count is 0; error if
/// fewer than 2 windows fit.
pub fn fano_factor(train_ms: &[Real], duration_ms: Real, window_ms: Real) -> Result<Option<Real>> {
    validate::positive("window_ms", window_ms)?;
    validate::positive("duration_ms", duration_ms)?;
    validate::all_finite("spike train", train_ms)?;
    let n_win = (duration_ms / window_ms).floor() as usize;
    if n_win < 2 {
        return Err(NeuronError::InvalidParameter {
            name: "window_ms",
            value: format!("{window_ms}"),
            reason: format!("fewer than 2 windows fit in duration {duration_ms} ms"),
        });
    }
    let mut counts = vec![0.0; n_win];
    for &t in train_ms {
        if t >= 0.0 {
            let k = (t / window_ms) as usize;
            if k < n_win {
                counts[k] += 1.0;
            }
        }
    }
    let m = counts.iter().sum::<Real>() / n_win as Real;
    if m == 0.0 {
        return Ok(None);
    }
    let var = counts.iter().map(|c| (c - m).powi(2)).sum::<Real>() / n_win as Real;
    Ok(Some(var / m))
}

/// Rate and mean ISI CV of a set of trains over `duration_ms`.
pub fn train_stats(trains_ms: &[Vec<Real>], duration_ms: Real) -> Result<TrainStats> {
    validate::positive("duration_ms", duration_ms)?;
    if trains_ms.is_empty() {
        return Err(NeuronError::InvalidParameter {
            name: "trains_ms",
            value: "[]".into(),
            reason: "need at least one train".into(),
        });
    }
    let total: usize = trains_ms.iter().map(Vec::len).sum();
    let mut cv_sum = 0.0;
    let mut n_cv = 0;
    for t in trains_ms {
        if let Some(cv) = isi_cv(t)? {
            cv_sum += cv;
            n_cv += 1;
        }
    }
    Ok(TrainStats {
        rate_hz: 1000.0 * total as Real / (duration_ms * trains_ms.len() as Real),
        mean_cv_isi: if n_cv > 0 {
            cv_sum / n_cv as Real
        } else {
            Real::NAN
        },
        n_cv,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_train_has_zero_cv_and_fano() {
        let t: Vec<Real> = (0..100).map(|k| 10.0 * k as Real + 5.0).collect();
        assert_eq!(isi_cv(&t).unwrap(), Some(0.0));
        assert_eq!(fano_factor(&t, 1000.0, 100.0).unwrap(), Some(0.0));
        assert!((rate_hz(&t, 1000.0).unwrap() - 100.0).abs() < 1e-12);
        assert!(matches!(
            isi_cv(&[2.0, 1.0, 3.0]),
            Err(NeuronError::InvalidParameter {
                name: "train_ms",
                ..
            })
        ));
        assert!(matches!(
            fano_factor(&t, 100.0, 80.0),
            Err(NeuronError::InvalidParameter {
                name: "window_ms",
                ..
            })
        ));
    }
}
