//! Three-factor rules: an eligibility trace times a modulator (Izhikevich 2007; Frémaux &
//! Gerstner 2016).
//!
//! Rate form, [`ModulatedHebb`]: the eligibility of a sample is its Hebbian term `e_b = y_b x_bᵀ`
//! and the third factor `m_b` (reward minus baseline, neuromodulator) gates it:
//! `ΔW = η mean_b m_b y_b x_bᵀ`. With `m ≡ 1` it is plain Hebb.
//!
//! Spike form, [`RewardModulatedStdp`] (R-STDP, Izhikevich 2007): pair-STDP increments are
//! written into an eligibility trace `e` that decays with `τ_e`, `de/dt = −e/τ_e + STDP(t)`, and
//! a reward pulse `r` at time `t_r` changes the weight by `Δw = r e(t_r)`. Exactly:
//! `Δw = Σ_r r Σ_pairs W(t_post − t_pre) exp(−(t_r − t_pair)/τ_e)` over pairs whose later spike
//! `t_pair ≤ t_r` (a reward at a spike's time sees that spike's increment).
//!
//! Units: times and `τ_e` in ms. [`RewardModulatedStdp`] implements [`SpikeRule`] with the pair
//! [`SpikeKernel`] gated by an eligibility trace (`tau_eligibility = Some(τ_e)`); its drift under
//! Poisson spikes and Poisson rewards of rate `ρ_r` and amount `a` is
//! `ρ_r a τ_e ρ_pre ρ_post (A₊τ₊ − A₋τ₋)` (the eligibility trace's stationary mean is `τ_e` times
//! the pair drift).

use super::check;
use super::rule::{Activity, LocalRule, mean_outer};
use super::spike_rule::{SpikeKernel, SpikeRule, SpikeTrains};
use super::stdp::{PairStdp, Pairing, Trace, count_at, next_time};
use crate::{PlasticityError, Result};
use neurograd_tensor::{Matrix, Real};

/// Modulated Hebb: `ΔW = mean_b m_b y_b x_bᵀ`; needs [`Activity::modulator`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ModulatedHebb;

impl LocalRule for ModulatedHebb {
    fn delta(&self, activity: &Activity<'_>, weights: &Matrix) -> Result<Matrix> {
        activity.validate("ModulatedHebb::delta", weights)?;
        let m = activity
            .modulator
            .ok_or_else(|| PlasticityError::InvalidParameter {
                name: "modulator",
                value: "none".to_string(),
                reason: "a three-factor rule needs a modulator per sample".to_string(),
            })?;
        let post = activity.post;
        let gated = Matrix::from_fn(post.nrows(), post.ncols(), |b, k| m[b] * post[(b, k)]);
        mean_outer(&gated, activity.pre)
    }

    fn name(&self) -> &'static str {
        "modulated hebb (three-factor)"
    }
}

/// Reward-modulated all-to-all additive pair STDP with an eligibility trace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RewardModulatedStdp {
    /// The pair rule whose increments feed the eligibility trace (all-to-all, additive).
    pub stdp: PairStdp,
    /// Eligibility time constant `τ_e > 0` (ms).
    pub tau_e: Real,
}

impl RewardModulatedStdp {
    /// R-STDP from a pair rule (its pairing is set to all-to-all) and `tau_e > 0`.
    pub fn new(stdp: PairStdp, tau_e: Real) -> Result<Self> {
        check::positive("tau_e", tau_e)?;
        Ok(Self {
            stdp: stdp.with_pairing(Pairing::AllToAll),
            tau_e,
        })
    }

    /// Event-driven run: spike trains `pre`, `post` (sorted, ms), reward pulses `(time, amount)`
    /// sorted by time, from weight `w0`. Returns `(final weight, final eligibility)`.
    pub fn run(
        &self,
        pre: &[Real],
        post: &[Real],
        rewards: &[(Real, Real)],
        w0: Real,
    ) -> Result<(Real, Real)> {
        SpikeTrains::new(pre, post).with_rewards(rewards).validate()?;
        check::finite_slice("w0", &[w0])?;
        let s = &self.stdp;
        let mut x = Trace {
            value: 0.0,
            tau: s.tau_plus,
        };
        let mut o = Trace {
            value: 0.0,
            tau: s.tau_minus,
        };
        let mut e = Trace {
            value: 0.0,
            tau: self.tau_e,
        };
        let mut w = w0;
        let (mut i, mut j, mut k) = (0usize, 0usize, 0usize);
        let mut t_last = 0.0;
        while let Some(t) = next_time(&[
            pre.get(i).copied(),
            post.get(j).copied(),
            rewards.get(k).map(|r| r.0),
        ]) {
            for tr in [&mut x, &mut o, &mut e] {
                tr.decay(t - t_last);
            }
            t_last = t;
            let n_pre = count_at(&pre[i..], t);
            let n_post = count_at(&post[j..], t);
            e.value += -(n_pre as Real) * s.a_minus * o.value + n_post as Real * s.a_plus * x.value;
            x.value += n_pre as Real;
            o.value += n_post as Real;
            i += n_pre;
            j += n_post;
            while k < rewards.len() && rewards[k].0 == t {
                w += rewards[k].1 * e.value;
                k += 1;
            }
        }
        Ok((w, e.value))
    }
}

impl SpikeRule for RewardModulatedStdp {
    fn weight_change(&self, trains: &SpikeTrains<'_>, weight: Real) -> Result<Real> {
        let (w, _) = self.run(trains.pre, trains.post, trains.rewards, weight)?;
        Ok(w - weight)
    }

    fn kernel(&self) -> Result<SpikeKernel> {
        // the run is additive all-to-all whatever `stdp.dependence` says
        let s = &self.stdp;
        Ok(SpikeKernel {
            tau_eligibility: Some(self.tau_e),
            ..SpikeKernel::pair(
                s.a_plus,
                s.a_minus,
                s.tau_plus,
                s.tau_minus,
                Pairing::AllToAll,
            )
        })
    }

    fn name(&self) -> &'static str {
        "reward-modulated STDP (R-STDP)"
    }
}
