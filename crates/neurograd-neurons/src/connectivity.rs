//! Sparse fixed-probability connectivity in compressed sparse row (CSR) form, with weights and
//! transmission delays.
//!
//! Each ordered pair `(pre, post)` is connected independently with probability `p` (the
//! "fixed probability" rule of Brette et al. 2007 and of Brian2's `connect(p=...)`). Instead of
//! drawing one Bernoulli variable per pair, the generator draws the gaps between successive
//! targets of a row from the geometric law `P(gap = k) = (1-p)^k p`
//! (`k = floor(ln U / ln(1-p))`, `U ~ U(0, 1]`), which produces the same distribution of graphs in
//! `O(p n_pre n_post)` draws (Batagelj & Brandes 2005). Rows are sorted by construction.
//!
//! Propagation is event driven: when presynaptic neuron `i` spikes, the targets
//! `targets[row_ptr[i]..row_ptr[i+1]]` receive their weight, either at once (delay 0: the increment is
//! seen by the membrane from the next step) or through a [`DelayBuffer`] ring of `max_delay + 1`
//! slots.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::validate;
use crate::{NeuronError, Real, Result};

/// Synaptic weights of a projection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Weights {
    /// Every synapse has the same weight.
    Uniform(Real),
    /// One weight per synapse, in CSR order.
    PerSynapse(Vec<Real>),
}

/// Transmission delays of a projection, in whole steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Delays {
    /// Every synapse has the same delay.
    Uniform(u32),
    /// One delay per synapse, in CSR order.
    PerSynapse(Vec<u32>),
}

/// A sparse projection from `n_pre` to `n_post` neurons in CSR form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Csr {
    n_pre: usize,
    n_post: usize,
    row_ptr: Vec<usize>,
    targets: Vec<u32>,
}

impl Csr {
    /// Each pair `(i, j)`, `i < n_pre`, `j < n_post`, is connected independently with probability
    /// `p`. With `exclude_self`, pairs with `i + pre_offset == j` (the same neuron, when pre is a
    /// slice of post's population starting at `pre_offset`) are skipped.
    ///
    /// Errors: `p` outside `[0, 1]` or non-finite; `n_post` above `u32::MAX`.
    pub fn fixed_probability<R: rand::Rng + ?Sized>(
        n_pre: usize,
        n_post: usize,
        p: Real,
        exclude_self: Option<usize>,
        rng: &mut R,
    ) -> Result<Self> {
        validate::finite("p", p)?;
        if !(0.0..=1.0).contains(&p) {
            return Err(NeuronError::InvalidParameter {
                name: "p",
                value: format!("{p}"),
                reason: "connection probability must be in [0, 1]".into(),
            });
        }
        if n_post > u32::MAX as usize {
            return Err(NeuronError::InvalidParameter {
                name: "n_post",
                value: format!("{n_post}"),
                reason: "at most u32::MAX neurons".into(),
            });
        }
        let expected = (p * n_pre as Real * n_post as Real * 1.05) as usize + 16;
        let mut targets = Vec::with_capacity(expected);
        let mut row_ptr = Vec::with_capacity(n_pre + 1);
        row_ptr.push(0);
        let log_q = (1.0 - p).ln();
        for i in 0..n_pre {
            let own = exclude_self.map(|off| i + off);
            if p >= 1.0 {
                targets.extend((0..n_post).filter(|&j| Some(j) != own).map(|j| j as u32));
            } else if p > 0.0 {
                let mut j: usize = 0;
                loop {
                    let u: Real = 1.0 - rng.random::<Real>(); // (0, 1]
                    let gap = (u.ln() / log_q).floor();
                    if gap >= (n_post - j) as Real {
                        break;
                    }
                    j += gap as usize;
                    if Some(j) != own {
                        targets.push(j as u32);
                    }
                    j += 1;
                    if j >= n_post {
                        break;
                    }
                }
            }
            row_ptr.push(targets.len());
        }
        Ok(Self {
            n_pre,
            n_post,
            row_ptr,
            targets,
        })
    }

    /// Build from explicit rows (each row a list of target indices `< n_post`).
    pub fn from_rows(n_post: usize, rows: &[Vec<u32>]) -> Result<Self> {
        let mut row_ptr = vec![0];
        let mut targets = Vec::new();
        for row in rows {
            if let Some(&bad) = row.iter().find(|&&j| j as usize >= n_post) {
                return Err(NeuronError::IndexOutOfRange {
                    what: "csr target index",
                    index: bad as usize,
                    len: n_post,
                });
            }
            targets.extend_from_slice(row);
            row_ptr.push(targets.len());
        }
        Ok(Self {
            n_pre: rows.len(),
            n_post,
            row_ptr,
            targets,
        })
    }

    /// Number of presynaptic neurons.
    pub fn n_pre(&self) -> usize {
        self.n_pre
    }

    /// Number of postsynaptic neurons.
    pub fn n_post(&self) -> usize {
        self.n_post
    }

    /// Number of synapses.
    pub fn n_synapses(&self) -> usize {
        self.targets.len()
    }

    /// Targets of presynaptic neuron `i` (panics if `i >= n_pre`; internal callers check).
    #[inline]
    pub fn row(&self, i: usize) -> &[u32] {
        &self.targets[self.row_ptr[i]..self.row_ptr[i + 1]]
    }

    /// Index range of row `i` into the synapse arrays.
    #[inline]
    pub fn row_range(&self, i: usize) -> std::ops::Range<usize> {
        self.row_ptr[i]..self.row_ptr[i + 1]
    }

    /// Row pointer array (length `n_pre + 1`).
    pub fn row_ptr(&self) -> &[usize] {
        &self.row_ptr
    }

    /// All targets in CSR order.
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// In-degree of every postsynaptic neuron.
    pub fn in_degrees(&self) -> Vec<usize> {
        let mut d = vec![0; self.n_post];
        for &j in &self.targets {
            d[j as usize] += 1;
        }
        d
    }
}

/// A projection: connectivity, weights and delays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Projection {
    /// Connectivity.
    pub csr: Csr,
    /// Weights.
    pub weights: Weights,
    /// Delays (steps).
    pub delays: Delays,
}

impl Projection {
    /// Check that per-synapse arrays have one entry per synapse and weights are finite.
    pub fn new(csr: Csr, weights: Weights, delays: Delays) -> Result<Self> {
        let n = csr.n_synapses();
        match &weights {
            Weights::Uniform(w) => validate::finite("weight", *w)?,
            Weights::PerSynapse(w) => {
                if w.len() != n {
                    return Err(NeuronError::vector_len("projection weights", n, w.len()));
                }
                validate::all_finite("projection weights", w)?;
            }
        }
        if let Delays::PerSynapse(d) = &delays
            && d.len() != n
        {
            return Err(NeuronError::vector_len("projection delays", n, d.len()));
        }
        Ok(Self {
            csr,
            weights,
            delays,
        })
    }

    /// Largest delay (steps).
    pub fn max_delay(&self) -> u32 {
        match &self.delays {
            Delays::Uniform(d) => *d,
            Delays::PerSynapse(d) => d.iter().copied().max().unwrap_or(0),
        }
    }

    /// Add the weights of the spiking presynaptic neurons `spikes` into `target` immediately
    /// (ignores delays). `target.len()` must equal `n_post`.
    pub fn propagate_now(&self, spikes: &[u32], target: &mut [Real]) -> Result<()> {
        self.check_io(spikes, target.len())?;
        for &i in spikes {
            let r = self.csr.row_range(i as usize);
            match &self.weights {
                Weights::Uniform(w) => {
                    for &j in &self.csr.targets[r] {
                        target[j as usize] += w;
                    }
                }
                Weights::PerSynapse(ws) => {
                    for (&j, &w) in self.csr.targets[r.clone()].iter().zip(&ws[r]) {
                        target[j as usize] += w;
                    }
                }
            }
        }
        Ok(())
    }

    fn check_io(&self, spikes: &[u32], n_target: usize) -> Result<()> {
        if n_target != self.csr.n_post {
            return Err(NeuronError::vector_len(
                "propagate target",
                self.csr.n_post,
                n_target,
            ));
        }
        if let Some(&bad) = spikes.iter().find(|&&i| i as usize >= self.csr.n_pre) {
            return Err(NeuronError::IndexOutOfRange {
                what: "propagate spike index",
                index: bad as usize,
                len: self.csr.n_pre,
            });
        }
        Ok(())
    }
}

/// Ring buffer that holds delayed synaptic input: slot `(step + d) mod (max_delay + 1)` collects what
/// arrives `d` steps after `step`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DelayBuffer {
    n_post: usize,
    n_slots: usize,
    data: Vec<Real>,
}

impl DelayBuffer {
    /// A buffer for `n_post` neurons and delays up to `max_delay` steps.
    pub fn new(n_post: usize, max_delay: u32) -> Self {
        let n_slots = max_delay as usize + 1;
        Self {
            n_post,
            n_slots,
            data: vec![0.0; n_slots * n_post],
        }
    }

    /// Schedule the input of the presynaptic spikes emitted at `step`.
    pub fn schedule(&mut self, proj: &Projection, spikes: &[u32], step: u64) -> Result<()> {
        proj.check_io(spikes, self.n_post)?;
        if proj.max_delay() as usize >= self.n_slots {
            return Err(NeuronError::InvalidParameter {
                name: "max_delay",
                value: format!("{}", proj.max_delay()),
                reason: format!("buffer holds delays up to {}", self.n_slots - 1),
            });
        }
        for &i in spikes {
            let r = proj.csr.row_range(i as usize);
            for s in r {
                let d = match &proj.delays {
                    Delays::Uniform(d) => *d,
                    Delays::PerSynapse(ds) => ds[s],
                } as u64;
                let w = match &proj.weights {
                    Weights::Uniform(w) => *w,
                    Weights::PerSynapse(ws) => ws[s],
                };
                let slot = ((step + d) % self.n_slots as u64) as usize;
                self.data[slot * self.n_post + proj.csr.targets[s] as usize] += w;
            }
        }
        Ok(())
    }

    /// Add what arrives at `step` into `target` and clear that slot.
    pub fn deliver(&mut self, step: u64, target: &mut [Real]) -> Result<()> {
        if target.len() != self.n_post {
            return Err(NeuronError::vector_len(
                "delay buffer deliver",
                self.n_post,
                target.len(),
            ));
        }
        let slot = (step % self.n_slots as u64) as usize;
        let buf = &mut self.data[slot * self.n_post..(slot + 1) * self.n_post];
        for (t, b) in target.iter_mut().zip(buf.iter_mut()) {
            *t += *b;
            *b = 0.0;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn probability_out_of_range_is_error() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        for p in [-0.1, 1.5, Real::NAN] {
            let e = Csr::fixed_probability(10, 10, p, None, &mut rng).unwrap_err();
            assert!(
                matches!(e, NeuronError::InvalidParameter { name: "p", .. }),
                "{e}"
            );
        }
    }

    #[test]
    fn extremes_and_self_exclusion() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert_eq!(
            Csr::fixed_probability(5, 7, 0.0, None, &mut rng)
                .unwrap()
                .n_synapses(),
            0
        );
        assert_eq!(
            Csr::fixed_probability(5, 7, 1.0, None, &mut rng)
                .unwrap()
                .n_synapses(),
            35
        );
        let c = Csr::fixed_probability(5, 5, 1.0, Some(0), &mut rng).unwrap();
        assert_eq!(c.n_synapses(), 20);
        assert!(c.row(2).iter().all(|&j| j != 2));
    }

    #[test]
    fn delay_buffer_delivers_on_time() {
        let csr = Csr::from_rows(3, &[vec![0, 2], vec![1]]).unwrap();
        let proj = Projection::new(
            csr,
            Weights::PerSynapse(vec![1.0, 2.0, 3.0]),
            Delays::PerSynapse(vec![0, 2, 1]),
        )
        .unwrap();
        let mut buf = DelayBuffer::new(3, 2);
        buf.schedule(&proj, &[0, 1], 10).unwrap();
        let mut got = Vec::new();
        for step in 10..14 {
            let mut t = vec![0.0; 3];
            buf.deliver(step, &mut t).unwrap();
            got.push(t);
        }
        assert_eq!(
            got,
            vec![
                vec![1.0, 0.0, 0.0],
                vec![0.0, 3.0, 0.0],
                vec![0.0, 0.0, 2.0],
                vec![0.0; 3]
            ]
        );
    }
}
