//! Claims 9 and 12: the vision claims, from one `v1` experiment per seed.
//!
//! **Claim 9** (Olshausen & Field 1996; Bell & Sejnowski 1997; van Hateren & van der Schaaf
//! 1998; for CNNs: Krizhevsky et al. 2012, Yamins & DiCarlo 2016): the first-layer filters of
//! networks that learn from natural images are localised, oriented and band-pass (Gabor-like),
//! like the receptive fields of V1 simple cells, because of the statistics of natural images.
//! Measured per seed: the fraction of filters with a *localised* Gabor fit (`R² ≥ 0.8`, envelope
//! within the patch) for sparse coding and ICA on whitened natural patches and on phase-scrambled
//! ones (the control: the same power spectrum, no higher-order structure), the same fraction for
//! the first layer of a backprop-trained denoising convolutional autoencoder, and the fraction of
//! Gabor fits with both `nx, ny < 0.5` against Ringach's (2002) 58 % of macaque simple cells.
//!
//! **Claim 12** (Hubel & Wiesel 1962; Adelson & Bergen 1985; Riesenhuber & Poggio 1999;
//! Hyvärinen & Hoyer 2000): pooling, as in convolutional networks, is what complex cells do:
//! pooling the energies of simple-cell-like units of one orientation and different phases gives
//! a phase-invariant response. Measured per seed on independent subspace analysis (learned
//! energy pooling over subspaces of 4): the median orientation coherence of the subspaces and the
//! median phase-invariance index of their pooled energies, against a seeded random regrouping of
//! the same filters (the control); a single linear subunit has phase invariance 0 and the energy
//! of a quadrature pair 1 (`v1stats`, tested).
//!
//! The seeds `first_seed, ..., first_seed + seeds − 1` run in parallel on the rayon pool (each
//! `v1` run is sequential and seeded, so the numbers are the same for any thread count). Every
//! condition of the rules is applied over the seeds by `claims::seeds::holds_over_seeds`: on the
//! means and in at least `ceil(0.8 n)` seeds; the phase-scrambled control must stay clean in
//! every seed.

use super::seeds::{holds_over_seeds, push_over_seeds, seeds};
use super::{Claim, Numbers, claim, num};
use crate::experiments::v1;
use crate::plasticity::receptive::v1stats;
use crate::{Error, Progress, Result};

/// Sizes of the vision experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct VisionSizes {
    /// Seeds (independent `v1` runs: patch sample, learners' initialisations, control images).
    pub seeds: usize,
    /// Patch side in pixels.
    pub patch: usize,
    /// Whitened patches sampled.
    pub patches: usize,
    /// Filters per learner (a multiple of 4, for ISA).
    pub filters: usize,
    /// Sparse-coding dictionary updates (batches of 100 patches).
    pub sparse_batches: usize,
    /// ISA gradient steps.
    pub steps: usize,
    /// Patches the convolutional autoencoder trains on.
    pub cnn_patches: usize,
    /// Epochs of the convolutional autoencoder.
    pub cnn_epochs: usize,
}

impl VisionSizes {
    /// The CLI's sizes: 5 seeds of the test sizes of `docs/v1.md` (8 × 8 patches, 20,000 of them,
    /// 48 filters, sparse coding 2000 batches, ISA 300 steps, the autoencoder on 4000 patches for
    /// 10 epochs).
    pub fn full() -> Self {
        Self {
            seeds: 5,
            patch: 8,
            patches: 20_000,
            filters: 48,
            sparse_batches: 2000,
            steps: 300,
            cnn_patches: 4000,
            cnn_epochs: 10,
        }
    }

    /// The unit test's sizes: 2 seeds, 8 × 8 patches, 10,000 of them, 48 filters, sparse coding
    /// 1000 batches, ISA 300 steps, the autoencoder on 1000 patches for 3 epochs.
    pub fn small() -> Self {
        Self {
            seeds: 2,
            patch: 8,
            patches: 10_000,
            filters: 48,
            sparse_batches: 1000,
            steps: 300,
            cnn_patches: 1000,
            cnn_epochs: 3,
        }
    }

    fn params(&self, seed: u64, control: bool) -> v1::V1Params {
        let methods: &[&str] = if control {
            // Only the learners the control judges (each method's seed depends on its name, not
            // on the list, so these are the same learners as on the natural images).
            &["sparse-coding", "ica"]
        } else {
            &["sparse-coding", "ica", "isa", "cnn-bp"]
        };
        v1::V1Params {
            methods: methods.iter().map(|s| s.to_string()).collect(),
            control: control.then(|| "phase-scrambled".to_string()),
            patch: self.patch,
            patches: self.patches,
            filters: self.filters,
            sparse_batches: self.sparse_batches,
            steps: self.steps,
            cnn_patches: self.cnn_patches,
            cnn_epochs: self.cnn_epochs,
            seed,
            ..v1::V1Params::default()
        }
    }
}

/// The per-seed quantities of claim 9.
const CLAIM9_KEYS: [&str; 9] = [
    "sparse_coding_fraction_localised_gabor",
    "ica_fraction_localised_gabor",
    "cnn_bp_autoencoder_fraction_localised_gabor",
    "sparse_coding_fraction_gabor",
    "ica_fraction_gabor",
    "phase_scrambled_sparse_coding_fraction_localised_gabor",
    "phase_scrambled_ica_fraction_localised_gabor",
    "sparse_coding_fraction_nx_ny_below_half",
    "ica_fraction_nx_ny_below_half",
];

/// The per-seed quantities of claim 12.
const CLAIM12_KEYS: [&str; 4] = [
    "isa_median_orientation_coherence",
    "random_pooling_median_orientation_coherence",
    "isa_median_phase_invariance",
    "random_pooling_median_phase_invariance",
];

fn method(r: &v1::V1Result, m: &str) -> Result<v1::MethodSummary> {
    r.methods
        .iter()
        .find(|s| s.method == m)
        .cloned()
        .ok_or_else(|| Error::invalid("claims", m, "missing from the v1 run"))
}

/// One seed's values: claim 9's in the order of [`CLAIM9_KEYS`], claim 12's in the order of
/// [`CLAIM12_KEYS`].
fn one_seed(natural: &v1::V1Result, scrambled: &v1::V1Result) -> Result<(Vec<f64>, Vec<f64>)> {
    let (sc, ica, isa, cnn) = (
        method(natural, "sparse-coding")?,
        method(natural, "ica")?,
        method(natural, "isa")?,
        method(natural, "cnn-bp")?,
    );
    let (sc_ps, ica_ps) = (
        method(scrambled, "sparse-coding")?,
        method(scrambled, "ica")?,
    );
    let both_below = |m: &v1::MethodSummary| m.fraction_both_below_half.unwrap_or(f64::NAN);
    let c9 = vec![
        sc.fraction_localised_gabor,
        ica.fraction_localised_gabor,
        cnn.fraction_localised_gabor,
        sc.fraction_gabor,
        ica.fraction_gabor,
        sc_ps.fraction_localised_gabor,
        ica_ps.fraction_localised_gabor,
        both_below(&sc),
        both_below(&ica),
    ];
    let cc = isa
        .complex_cells
        .ok_or_else(|| Error::invalid("claims", "isa", "no complex-cell measures"))?;
    let c12 = vec![
        cc.median_coherence,
        cc.random_groups_coherence,
        cc.median_phase_invariance,
        cc.random_groups_phase_invariance,
    ];
    Ok((c9, c12))
}

/// Runs claims 9 and 12 (see the module docs): `sizes.seeds` seeds from `seed`, each one `v1`
/// run on the natural images and one on their phase-scrambled control, in parallel.
///
/// # Errors
/// The `v1` experiment's errors.
pub fn claims_9_and_12(
    seed: u64,
    sizes: &VisionSizes,
    progress: &dyn Progress,
) -> Result<(Claim, Claim)> {
    use rayon::prelude::*;
    let n = sizes.seeds.max(1);
    // 2n independent runs: (seed k, natural) and (seed k, scrambled).
    let runs: Vec<v1::V1Result> = (0..2 * n)
        .into_par_iter()
        .map(|j| {
            v1::run(
                &sizes.params(seed.wrapping_add((j / 2) as u64), j % 2 == 1),
                progress,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let per_seed: Vec<(Vec<f64>, Vec<f64>)> = runs
        .chunks(2)
        .map(|r| one_seed(&r[0], &r[1]))
        .collect::<Result<_>>()?;
    let head = |v: &mut Vec<(String, f64)>| {
        v.push(("seeds".into(), n as f64));
        v.push(("first_seed".into(), seed as f64));
    };
    let mut v9 = Vec::new();
    head(&mut v9);
    for (i, key) in CLAIM9_KEYS.iter().enumerate() {
        let xs: Vec<f64> = per_seed.iter().map(|(a, _)| a[i]).collect();
        push_over_seeds(&mut v9, key, &xs);
    }
    v9.push((
        "macaque_fraction_nx_ny_below_half".into(),
        v1stats::ringach_reference().fraction_both_below_half,
    ));
    let mut v12 = Vec::new();
    head(&mut v12);
    for (i, key) in CLAIM12_KEYS.iter().enumerate() {
        let xs: Vec<f64> = per_seed.iter().map(|(_, b)| b[i]).collect();
        push_over_seeds(&mut v12, key, &xs);
    }
    v12.push(("quadrature_pair_phase_invariance".into(), 1.0));
    v12.push(("single_subunit_phase_invariance".into(), 0.0));
    let c9 = claim(
        9,
        v9,
        "each condition on the means of the seeds and in at least ceil(0.8 n) of the n seeds: a phase-scrambled control (sparse coding or ICA) with > 5 % localised Gabors in any seed -> inconclusive; sparse coding or ICA with >= 30 % localised Gabors on natural patches -> holds for efficient-coding networks (naming which, with the shape mismatch against macaque cells and the CNN autoencoder's fraction); else does not hold",
    );
    let c12 = claim(
        12,
        v12,
        "each condition on the means of the seeds and in at least ceil(0.8 n) of the n seeds: ISA coherence >= 0.8 and >= random pooling's + 0.3 (coherent), and ISA phase invariance >= 0.5 and above random pooling's -> holds; coherent and phase invariance above random pooling's but not >= 0.5 -> holds only in part; else does not hold",
    );
    Ok((c9, c12))
}

/// Claim 9's rule. Over the seeds (`holds_over_seeds`: on the means and in at least
/// `ceil(0.8 n)` seeds): `inconclusive` if a phase-scrambled control (sparse coding or ICA) gives
/// more than 5 % localised Gabors in any seed (the power spectrum alone would explain them);
/// `holds for efficient-coding networks ...` if sparse coding or ICA reaches at least 30 %
/// localised Gabors on natural patches (the verdict names which, and reports the shape mismatch
/// with macaque cells and the autoencoder's fraction); `does not hold` otherwise.
pub fn verdict9(n: &Numbers) -> String {
    let s = seeds(n);
    let control_max = num(
        n,
        "phase_scrambled_sparse_coding_fraction_localised_gabor_max",
    )
    .max(num(n, "phase_scrambled_ica_fraction_localised_gabor_max"));
    if s == 0 || control_max.is_nan() || control_max > 0.05 {
        return format!(
            "inconclusive: the phase-scrambled control (same power spectrum) also gives localised Gabor-like filters (up to {:.0} % in a seed)",
            100.0 * control_max
        );
    }
    let sc = holds_over_seeds(n, |g| g("sparse_coding_fraction_localised_gabor") >= 0.3);
    let ica = holds_over_seeds(n, |g| g("ica_fraction_localised_gabor") >= 0.3);
    let pct = |key: &str| {
        format!(
            "{:.0} ± {:.0} %",
            100.0 * num(n, &format!("{key}_mean")),
            100.0 * num(n, &format!("{key}_sd"))
        )
    };
    let learners = match (sc.holds(), ica.holds()) {
        (true, true) => "sparse coding and ICA learn",
        (true, false) => "sparse coding learns (ICA falls short of 30 % over the seeds)",
        (false, true) => "ICA learns (sparse coding falls short of 30 % over the seeds)",
        (false, false) => {
            return format!(
                "does not hold: no learner gives >= 30 % localised Gabor-like filters on natural images over the seeds (sparse coding {} in {}/{s} seeds, ICA {} in {}/{s})",
                pct("sparse_coding_fraction_localised_gabor"),
                sc.count,
                pct("ica_fraction_localised_gabor"),
                ica.count
            );
        }
    };
    format!(
        "holds for efficient-coding networks: {learners} localised, oriented, band-pass filters from natural images (localised Gabors, mean ± sd over {s} seeds: sparse coding {} with >= 30 % in {}/{s} seeds, ICA {} in {}/{s}) and none from phase-scrambled images with the same power spectrum (at most {:.0} % in any seed), so the higher-order structure of natural images makes them V1-like; but their shapes differ from macaque simple cells (both nx, ny < 0.5: {} and {} vs {:.0} %: too many cycles), and the first layer of a convolutional autoencoder trained by backprop on the same patches is not Gabor-like at this budget ({} localised Gabors)",
        pct("sparse_coding_fraction_localised_gabor"),
        sc.count,
        pct("ica_fraction_localised_gabor"),
        ica.count,
        100.0 * control_max,
        pct("sparse_coding_fraction_nx_ny_below_half"),
        pct("ica_fraction_nx_ny_below_half"),
        100.0 * num(n, "macaque_fraction_nx_ny_below_half"),
        pct("cnn_bp_autoencoder_fraction_localised_gabor"),
    )
}

/// Claim 12's rule. Over the seeds (`holds_over_seeds`: on the means and in at least
/// `ceil(0.8 n)` seeds): *coherent* if the ISA coherence is >= 0.8 and at least 0.3 above the
/// random grouping's; `holds` if coherent and the pooled phase invariance is >= 0.5 and above
/// the random grouping's; `holds only in part` if coherent and the phase invariance is above the
/// random grouping's but the >= 0.5 condition fails; `does not hold` otherwise.
pub fn verdict12(n: &Numbers) -> String {
    let s = seeds(n);
    let m = |key: &str| num(n, &format!("{key}_mean"));
    let sd = |key: &str| num(n, &format!("{key}_sd"));
    let coherent = holds_over_seeds(n, |g| {
        g("isa_median_orientation_coherence") >= 0.8
            && g("isa_median_orientation_coherence")
                - g("random_pooling_median_orientation_coherence")
                >= 0.3
    });
    let above_random = holds_over_seeds(n, |g| {
        g("isa_median_phase_invariance") > g("random_pooling_median_phase_invariance")
    });
    let invariant = holds_over_seeds(n, |g| {
        g("isa_median_phase_invariance") >= 0.5
            && g("isa_median_phase_invariance") > g("random_pooling_median_phase_invariance")
    });
    let (coh, rcoh, inv, rinv) = (
        "isa_median_orientation_coherence",
        "random_pooling_median_orientation_coherence",
        "isa_median_phase_invariance",
        "random_pooling_median_phase_invariance",
    );
    let numbers = format!(
        "coherence {:.2} ± {:.2} vs {:.2} ± {:.2} for random pooling, phase invariance {:.2} ± {:.2} vs {:.2} ± {:.2} (mean ± sd over {s} seeds; >= 0.5 in {}/{s})",
        m(coh),
        sd(coh),
        m(rcoh),
        sd(rcoh),
        m(inv),
        sd(inv),
        m(rinv),
        sd(rinv),
        invariant.count
    );
    if coherent.holds() && invariant.holds() {
        format!(
            "holds: learned energy pooling groups filters of one orientation and gives phase-invariant, complex-cell-like responses, unlike random pooling ({numbers})"
        )
    } else if coherent.holds() && above_random.holds() {
        format!(
            "holds only in part: learned energy pooling groups filters of one orientation and is more phase-invariant than random pooling, but far less than a complex cell (the energy of a quadrature pair: 1.0): pooling as such does not make complex cells, the pooled subunits must be in quadrature ({numbers})"
        )
    } else {
        format!(
            "does not hold: learned pooling is not both more orientation-coherent and more phase-invariant than random pooling over the seeds ({numbers})"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::Numbers;
    use super::*;
    use crate::NoProgress;

    /// Numbers of `seeds` seeds, every seed with the same values (`keys[i] = values[i]`).
    fn same_seeds(seeds: usize, kv: &[(&str, f64)]) -> Numbers {
        let mut v = vec![("seeds".to_string(), seeds as f64)];
        for (k, x) in kv {
            push_over_seeds(&mut v, k, &vec![*x; seeds]);
        }
        v.into_iter().collect()
    }

    /// `base` with `key`'s per-seed values replaced by `xs` (and its statistics recomputed).
    fn with_seeds(base: &Numbers, key: &str, xs: &[f64]) -> Numbers {
        assert!(base.contains_key(&format!("{key}_mean")), "{key}");
        let mut m = base.clone();
        let mut v = Vec::new();
        push_over_seeds(&mut v, key, xs);
        m.extend(v);
        m
    }

    fn claim9_passing() -> Numbers {
        let mut n = same_seeds(
            5,
            &[
                ("sparse_coding_fraction_localised_gabor", 0.31),
                ("ica_fraction_localised_gabor", 0.44),
                ("cnn_bp_autoencoder_fraction_localised_gabor", 0.0),
                ("sparse_coding_fraction_gabor", 0.5),
                ("ica_fraction_gabor", 0.6),
                (
                    "phase_scrambled_sparse_coding_fraction_localised_gabor",
                    0.0,
                ),
                ("phase_scrambled_ica_fraction_localised_gabor", 0.0),
                ("sparse_coding_fraction_nx_ny_below_half", 0.03),
                ("ica_fraction_nx_ny_below_half", 0.04),
            ],
        );
        n.insert("macaque_fraction_nx_ny_below_half".into(), 0.58);
        n
    }

    #[test]
    fn verdict9_rule() {
        let ok = claim9_passing();
        let v = verdict9(&ok);
        assert!(
            v.starts_with("holds for efficient-coding networks: sparse coding and ICA learn"),
            "{v}"
        );
        let sc = "sparse_coding_fraction_localised_gabor";
        let ica = "ica_fraction_localised_gabor";
        // Sparse coding below 30 % in 2 of 5 seeds (mean 0.31 still above): ICA alone.
        let two_low = with_seeds(&ok, sc, &[0.35, 0.35, 0.35, 0.25, 0.25]);
        assert!(verdict9(&two_low).contains("ICA learns (sparse coding falls short"));
        // One low seed of five is allowed.
        let one_low = with_seeds(&ok, sc, &[0.35, 0.35, 0.35, 0.35, 0.25]);
        assert!(verdict9(&one_low).contains("sparse coding and ICA learn"));
        // Four seeds at 0.3 but the mean below: sparse coding fails.
        let low_mean = with_seeds(&ok, sc, &[0.3, 0.3, 0.3, 0.3, 0.0]);
        assert!(verdict9(&low_mean).contains("ICA learns (sparse coding"));
        let ica_low = with_seeds(&ok, ica, &[0.2; 5]);
        assert!(verdict9(&ica_low).contains("sparse coding learns (ICA falls short"));
        let none = with_seeds(&with_seeds(&ok, ica, &[0.2; 5]), sc, &[0.29; 5]);
        assert!(
            verdict9(&none).starts_with("does not hold"),
            "{}",
            verdict9(&none)
        );
        // The control: one seed above 5 % is enough to make it inconclusive.
        let ctl = with_seeds(
            &ok,
            "phase_scrambled_ica_fraction_localised_gabor",
            &[0.0, 0.0, 0.06, 0.0, 0.0],
        );
        assert!(verdict9(&ctl).starts_with("inconclusive"));
        let ctl_ok = with_seeds(
            &ok,
            "phase_scrambled_sparse_coding_fraction_localised_gabor",
            &[0.0, 0.0, 0.05, 0.0, 0.0],
        );
        assert!(verdict9(&ctl_ok).starts_with("holds"));
        assert!(verdict9(&Numbers::new()).starts_with("inconclusive"));
    }

    fn claim12_passing() -> Numbers {
        same_seeds(
            5,
            &[
                ("isa_median_orientation_coherence", 0.94),
                ("random_pooling_median_orientation_coherence", 0.47),
                ("isa_median_phase_invariance", 0.6),
                ("random_pooling_median_phase_invariance", 0.04),
            ],
        )
    }

    #[test]
    fn verdict12_rule() {
        let ok = claim12_passing();
        assert!(
            verdict12(&ok).starts_with("holds: learned"),
            "{}",
            verdict12(&ok)
        );
        let inv = "isa_median_phase_invariance";
        let coh = "isa_median_orientation_coherence";
        assert!(verdict12(&with_seeds(&ok, inv, &[0.44; 5])).starts_with("holds only in part"));
        // >= 0.5 on the mean but in only 3 of 5 seeds: in part.
        let three = with_seeds(&ok, inv, &[0.7, 0.7, 0.7, 0.45, 0.45]);
        assert!(verdict12(&three).starts_with("holds only in part"));
        // 4 of 5: holds.
        let four = with_seeds(&ok, inv, &[0.6, 0.6, 0.6, 0.6, 0.45]);
        assert!(verdict12(&four).starts_with("holds: learned"));
        // Below random pooling's invariance: does not hold.
        let below = with_seeds(&ok, inv, &[0.03; 5]);
        assert!(verdict12(&below).starts_with("does not hold"));
        // Coherence below 0.8, or not 0.3 above random pooling's.
        assert!(verdict12(&with_seeds(&ok, coh, &[0.7; 5])).starts_with("does not hold"));
        let close = with_seeds(
            &ok,
            "random_pooling_median_orientation_coherence",
            &[0.7; 5],
        );
        assert!(verdict12(&close).starts_with("does not hold"));
        // Coherent on the mean but in only 3 of 5 seeds.
        let c3 = with_seeds(&ok, coh, &[0.95, 0.95, 0.95, 0.75, 0.75]);
        assert!(
            verdict12(&c3).starts_with("does not hold"),
            "{}",
            verdict12(&c3)
        );
    }

    /// Claims 9 and 12 at small sizes (2 seeds, 10,000 patches, sparse coding 1000 batches, the
    /// autoencoder on 1000 patches for 3 epochs): sparse coding and ICA learn localised Gabors
    /// from natural patches in both seeds and none from the phase-scrambled control, their fits
    /// have far fewer compact (nx, ny < 0.5) shapes than macaque cells, and ISA's learned pooling
    /// is more orientation-coherent and more phase-invariant than random pooling in each seed.
    /// The verdicts are the rules' on these numbers. Each assertion could fail: the control
    /// giving Gabors, the learners not, learned pooling no better than random pooling.
    #[test]
    fn claims_9_and_12_vision() {
        let (c9, c12) = claims_9_and_12(0, &VisionSizes::small(), &NoProgress).unwrap();
        let n9 = |k: &str| c9.numbers[k];
        for s in 0..2 {
            let at = |k: &str| n9(&format!("{k}_seed{s}"));
            assert!(
                at("phase_scrambled_sparse_coding_fraction_localised_gabor") <= 0.05
                    && at("phase_scrambled_ica_fraction_localised_gabor") <= 0.05,
                "seed {s}: {:?}",
                c9.numbers
            );
            assert!(
                at("ica_fraction_localised_gabor") >= 0.3,
                "seed {s}: {:?}",
                c9.numbers
            );
            assert!(
                at("sparse_coding_fraction_nx_ny_below_half")
                    < 0.5 * n9("macaque_fraction_nx_ny_below_half")
            );
        }
        assert_eq!(c9.verdict, verdict9(&c9.numbers));
        assert!(
            c9.verdict.starts_with("holds for efficient-coding"),
            "{}",
            c9.verdict
        );
        let n12 = |k: &str| c12.numbers[k];
        for s in 0..2 {
            let at = |k: &str| n12(&format!("{k}_seed{s}"));
            assert!(
                at("isa_median_orientation_coherence")
                    >= at("random_pooling_median_orientation_coherence") + 0.3,
                "seed {s}: {:?}",
                c12.numbers
            );
            assert!(
                at("isa_median_phase_invariance") > at("random_pooling_median_phase_invariance"),
                "seed {s}: {:?}",
                c12.numbers
            );
        }
        assert_eq!(c12.verdict, verdict12(&c12.numbers));
        assert!(!c12.verdict.starts_with("does not hold"), "{}", c12.verdict);
    }
}
