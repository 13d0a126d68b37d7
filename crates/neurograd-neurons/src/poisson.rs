//! Poisson spike sources: homogeneous and rate-modulated (inhomogeneous) processes, in continuous
//! time and on a time grid.
//!
//! * Homogeneous, continuous time: inter-spike intervals are i.i.d. exponential with mean `1/r`,
//!   `ISI = -ln(U)/r`, `U ~ U(0, 1]` (Dayan & Abbott 2001, sec. 1.4).
//! * Rate-modulated, continuous time: thinning (Lewis & Shedler 1979): draw a homogeneous process at
//!   `r_max >= r(t)` and keep a candidate at `t` with probability `r(t)/r_max`.
//! * On a grid of step `dt` ([`PoissonGroup`]): each neuron spikes in a step with probability
//!   `r dt` (Bernoulli approximation, needs `r dt <= 1`; error otherwise).
//!
//! Rates in Hz, times in ms. Every function takes the caller's generator (`ChaCha8Rng` is the
//! canonical one), so the same seed gives the same trains.

use rand::RngExt;

use crate::validate;
use crate::{NeuronError, Real, Result};

fn exp_interval<R: rand::Rng + ?Sized>(rate_hz: Real, rng: &mut R) -> Real {
    let u: Real = 1.0 - rng.random::<Real>(); // (0, 1]
    -u.ln() * 1000.0 / rate_hz
}

/// The spike train of one homogeneous Poisson neuron: sorted spike times (ms) on
/// `[0, duration_ms)` at `rate_hz` (Hz), from i.i.d. exponential inter-spike intervals
/// `-ln(U)/r`, `U ~ U(0, 1]` drawn from `rng` (pass a seeded `ChaCha8Rng` for a reproducible
/// train). `rate_hz >= 0` and `duration_ms >= 0`, both finite; a zero rate or duration gives an
/// empty train. This is the workspace's one Poisson train (the plasticity crate's STDP drives its
/// rules with it).
pub fn poisson_train<R: rand::Rng + ?Sized>(
    rate_hz: Real,
    duration_ms: Real,
    rng: &mut R,
) -> Result<Vec<Real>> {
    validate::non_negative("rate_hz", rate_hz)?;
    validate::non_negative("duration_ms", duration_ms)?;
    let mut out = Vec::with_capacity((rate_hz * duration_ms / 1000.0 * 1.2) as usize + 4);
    if rate_hz == 0.0 {
        return Ok(out);
    }
    let mut t = exp_interval(rate_hz, rng);
    while t < duration_ms {
        out.push(t);
        t += exp_interval(rate_hz, rng);
    }
    Ok(out)
}

/// Homogeneous Poisson train of rate `rate_hz` on `[0, duration_ms)` (sorted spike times, ms):
/// [`poisson_train`] with `duration_ms > 0` required.
pub fn homogeneous<R: rand::Rng + ?Sized>(
    rate_hz: Real,
    duration_ms: Real,
    rng: &mut R,
) -> Result<Vec<Real>> {
    validate::non_negative("rate_hz", rate_hz)?;
    validate::positive("duration_ms", duration_ms)?;
    poisson_train(rate_hz, duration_ms, rng)
}

/// Rate-modulated Poisson train with rate `rate_fn(t)` (Hz, must stay in `[0, max_rate_hz]`) on
/// `[0, duration_ms)`, by thinning. A rate above `max_rate_hz`, negative or non-finite is an error.
pub fn inhomogeneous<R: rand::Rng + ?Sized>(
    rate_fn: impl Fn(Real) -> Real,
    max_rate_hz: Real,
    duration_ms: Real,
    rng: &mut R,
) -> Result<Vec<Real>> {
    validate::positive("max_rate_hz", max_rate_hz)?;
    let candidates = homogeneous(max_rate_hz, duration_ms, rng)?;
    let mut out = Vec::with_capacity(candidates.len());
    for t in candidates {
        let r = rate_fn(t);
        if !r.is_finite() || r < 0.0 || r > max_rate_hz * (1.0 + 1e-12) {
            return Err(NeuronError::InvalidParameter {
                name: "rate_fn",
                value: format!("{r} at t = {t} ms"),
                reason: format!("rate must be finite and within [0, max_rate_hz = {max_rate_hz}]"),
            });
        }
        if rng.random::<Real>() * max_rate_hz < r {
            out.push(t);
        }
    }
    Ok(out)
}

/// `n` independent Poisson neurons on a time grid (for driving networks).
#[derive(Debug, Clone, PartialEq)]
pub struct PoissonGroup {
    n: usize,
    p_spike: Real,
}

impl PoissonGroup {
    /// `n` neurons at `rate_hz` with step `dt_ms`; error if `rate_hz * dt_ms / 1000 > 1`.
    pub fn new(n: usize, rate_hz: Real, dt_ms: Real) -> Result<Self> {
        validate::non_negative("rate_hz", rate_hz)?;
        validate::positive("dt", dt_ms)?;
        let p_spike = rate_hz * dt_ms / 1000.0;
        if p_spike > 1.0 {
            return Err(NeuronError::InvalidParameter {
                name: "rate_hz",
                value: format!("{rate_hz}"),
                reason: format!("rate x dt = {p_spike} > 1: reduce dt or the rate"),
            });
        }
        Ok(Self { n, p_spike })
    }

    /// Indices of the neurons spiking in this step, written into `out` (cleared first).
    pub fn step<R: rand::Rng + ?Sized>(&self, rng: &mut R, out: &mut Vec<u32>) {
        out.clear();
        for i in 0..self.n {
            if rng.random::<Real>() < self.p_spike {
                out.push(i as u32);
            }
        }
    }

    /// Like [`step`](Self::step) with a per-step rate `rate_hz` (rate modulation on the grid).
    pub fn step_with_rate<R: rand::Rng + ?Sized>(
        &self,
        rate_hz: Real,
        dt_ms: Real,
        rng: &mut R,
        out: &mut Vec<u32>,
    ) -> Result<()> {
        validate::non_negative("rate_hz", rate_hz)?;
        let p = rate_hz * dt_ms / 1000.0;
        if p > 1.0 {
            return Err(NeuronError::InvalidParameter {
                name: "rate_hz",
                value: format!("{rate_hz}"),
                reason: format!("rate x dt = {p} > 1"),
            });
        }
        out.clear();
        for i in 0..self.n {
            if rng.random::<Real>() < p {
                out.push(i as u32);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Fraction of intervals longer than their mean: `e^{-1}` for exponential intervals
    /// (`P(X > E X) = e^{-1}`), `3 e^{-2}` for the sum of two (gamma of shape 2).
    fn frac_above_mean(isi: &[Real]) -> Real {
        let m = isi.iter().sum::<Real>() / isi.len() as Real;
        isi.iter().filter(|&&x| x > m).count() as Real / isi.len() as Real
    }

    /// Poisson counts and intervals (Dayan & Abbott 2001, sec. 1.4): at 20 Hz over 1000 s the
    /// count is 20000 +- 5 sd (sd = sqrt(20000) = 141), the mean ISI 50 ms, the ISI CV 1 and
    /// P(ISI > mean) = e^{-1} = 0.368; the spike times are sorted and inside the window.
    #[test]
    fn poisson_train_count_and_exponential_intervals() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let t = poisson_train(20.0, 1.0e6, &mut rng).unwrap();
        assert!(
            ((t.len() as Real) - 20000.0).abs() < 5.0 * 20000f64.sqrt(),
            "{}",
            t.len()
        );
        assert!(t.windows(2).all(|w| w[0] < w[1]) && t[0] >= 0.0 && t[t.len() - 1] < 1.0e6);
        let isi: Vec<Real> = t.windows(2).map(|w| w[1] - w[0]).collect();
        let n = isi.len() as Real;
        let m = isi.iter().sum::<Real>() / n;
        let sd = (isi.iter().map(|x| (x - m).powi(2)).sum::<Real>() / n).sqrt();
        assert!((m - 50.0).abs() < 1.5, "mean ISI {m}");
        assert!((sd / m - 1.0).abs() < 0.03, "CV {}", sd / m);
        let f = frac_above_mean(&isi);
        assert!((f - (-1.0 as Real).exp()).abs() < 0.01, "P(ISI > mean) {f}");
        // negative control: intervals that are sums of two exponentials (gamma, shape 2) fail
        // the exponential check (3 e^-2 = 0.406)
        let gamma: Vec<Real> = isi.chunks_exact(2).map(|c| c[0] + c[1]).collect();
        let g = frac_above_mean(&gamma);
        assert!((g - (-1.0 as Real).exp()).abs() > 0.02, "{g}");
        assert!((g - 3.0 * (-2.0 as Real).exp()).abs() < 0.015, "{g}");
    }

    #[test]
    fn poisson_train_edge_cases_and_errors() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(poisson_train(0.0, 100.0, &mut rng).unwrap().is_empty());
        assert!(poisson_train(50.0, 0.0, &mut rng).unwrap().is_empty());
        assert!(matches!(
            poisson_train(-1.0, 10.0, &mut rng),
            Err(NeuronError::InvalidParameter {
                name: "rate_hz",
                ..
            })
        ));
        assert!(matches!(
            poisson_train(1.0, Real::NAN, &mut rng),
            Err(NeuronError::InvalidParameter {
                name: "duration_ms",
                ..
            })
        ));
        // same seed, same train; homogeneous is the same train
        let a = poisson_train(30.0, 500.0, &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
        let b = homogeneous(30.0, 500.0, &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
        assert_eq!(a, b);
    }
}
