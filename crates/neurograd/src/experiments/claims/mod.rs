//! `claims`: the claims lab. One experiment per claim heard when neuroscientists and ML engineers
//! argue; every number is computed here and every verdict is derived from those numbers with the
//! thresholds documented on each `claimN` function (and in `docs/cli.md`). Each claim names the
//! property test (crate test function) that guards the same fact.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::plasticity::credit::{self, EpVariant};
use crate::tensor::{Matrix, Vector};
use crate::{Error, Progress, Result, VERSION};

pub mod amplification;
pub mod disjoint;
pub mod evolution;
pub mod lesions;
pub mod perturbation;
pub mod recirculation;
pub mod recurrence;
mod seeds;
pub mod stdp;
pub mod transport;
pub mod vision;

/// Parameters of `claims`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsParams {
    /// Claims to run (ids 1..=15); empty: all.
    pub only: Vec<usize>,
    /// Master seed.
    pub seed: u64,
    /// Epochs of the digits trainings of claims 3 and 5.
    pub epochs: usize,
    /// Use at most this many digits samples in claims 3 and 5 (`None`: all 1,797).
    pub max_samples: Option<usize>,
    /// Seeds of the digits comparisons of claims 3 and 5 (`seed, ..., seed + seeds - 1`).
    #[serde(default = "five")]
    pub seeds: usize,
    /// Hidden units of the one-hidden-layer digits network of claims 3 and 5.
    #[serde(default = "h256")]
    pub hidden: usize,
    /// Target test accuracy of claim 3's samples-to-target.
    #[serde(default = "target")]
    pub target_accuracy: f64,
}

fn five() -> usize {
    5
}

fn h256() -> usize {
    256
}

fn target() -> f64 {
    0.95
}

impl Default for ClaimsParams {
    fn default() -> Self {
        Self {
            only: Vec::new(),
            seed: 0,
            epochs: 15,
            max_samples: None,
            seeds: five(),
            hidden: h256(),
            target_accuracy: target(),
        }
    }
}

/// The numbers of one claim, by name.
pub type Numbers = BTreeMap<String, f64>;

/// One claim's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// 1..=16.
    pub id: usize,
    /// The claim as its proponents put it.
    pub claim: String,
    /// Computed from `numbers` by [`verdict`] (the rule is in `rule`).
    pub verdict: String,
    /// The numbers behind the verdict.
    pub numbers: Numbers,
    /// The rule that turned the numbers into the verdict (the code is [`verdict`]).
    pub rule: String,
    /// The tests guarding the claim, each `path/to/file.rs::test_function` relative to the
    /// repository root (checked by a test to exist).
    pub test: Vec<String>,
    /// The literature the claim and its experiment rest on.
    pub references: Vec<String>,
}

/// Result of `claims`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimsResult {
    /// neurograd version.
    pub version: String,
    /// Parameters used.
    pub params: ClaimsParams,
    /// The claims run, by id.
    pub claims: Vec<Claim>,
}

/// The claim texts, by id (index `id - 1`).
pub const CLAIMS: [&str; 15] = [
    "Even simple Hebbian learning can be viewed as gradient descent.",
    "Hebbian learning is in some cases equivalent to back-propagation.",
    "...but it is way less efficient.",
    "Gradients can be calculated in remarkably simple ways: look at recirculation (two passes of activity around an autoencoder loop give every synapse a local update that trains the network, approximately descending the reconstruction error, with no backward pathway).",
    "Nothing like back-propagation has been observed in real neurons (weight transport).",
    "Blind evolutionary algorithms are effectively descending a gradient.",
    "GA/evolution can explore disjoint domains and discontinuous functions where GD cannot.",
    "Balanced amplification propagates signals (macaque model).",
    "The early layers of a network trained on natural images resemble early visual cortex (Gabor-like simple cells).",
    "Real cells use Hebbian learning (spike timing).",
    "Brains don't use layers or back-propagation, so backprop-trained networks tell us nothing about how brains learn.",
    "Pooling in convolutional networks is what complex cells do: it makes responses phase-invariant.",
    "Neurons need no backward pass: perturbing weights or nodes and correlating the jitter with a global reward follows the gradient (node and weight perturbation, the biological cousin of evolution strategies).",
    "Balanced amplification propagates quite a bit faster: inhibition-stabilised networks amplify without slowing down, unlike amplification by recurrent excitation.",
    "At best those diagrams show what stops working when a part is damaged (lesion studies).",
];

/// The tests guarding each claim (index `id - 1`), each `path::function` from the repository
/// root; `tests::every_listed_test_exists` checks that each file exists and defines the function.
pub const TESTS: [&[&str]; 15] = [
    &[
        "crates/neurograd-plasticity/tests/local/dense.rs::hebb_is_the_gradient_of_half_y_squared",
        "crates/neurograd-plasticity/tests/local/dense.rs::oja_is_projected_gradient_on_the_sphere",
        "crates/neurograd-plasticity/tests/local/dense.rs::oja_expected_field_is_not_a_gradient",
        "crates/neurograd-plasticity/tests/local/dense.rs::bcm_second_moment_threshold_is_intrator_cooper_gradient",
        "crates/neurograd-plasticity/tests/local/dense.rs::bcm_mean_threshold_is_not_the_gradient",
        "crates/neurograd/src/experiments/claims/mod.rs::claim1_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict1_rule",
    ],
    &[
        "crates/neurograd-plasticity/tests/credit/exact.rs::pc_zero_divergence_is_backprop",
        "crates/neurograd-plasticity/tests/credit/exact.rs::pc_fixed_prediction_is_backprop",
        "crates/neurograd-plasticity/tests/credit/exact.rs::pc_zero_divergence_needs_unit_rate",
        "crates/neurograd-plasticity/tests/credit/energy.rs::ep_error_orders_in_beta",
        "crates/neurograd-plasticity/tests/credit/energy.rs::chl_converges_to_backprop_first_order",
        "crates/neurograd/src/experiments/claims/mod.rs::claim2_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict2_rule",
    ],
    &[
        "crates/neurograd-plasticity/tests/credit/training.rs::digits_floor_backprop",
        "crates/neurograd-plasticity/tests/credit/exact.rs::pc_zero_divergence_is_backprop",
        "crates/neurograd/src/experiments/claims/mod.rs::claim3_and_5_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict3_rule",
    ],
    &[
        "crates/neurograd-plasticity/tests/credit/energy.rs::recirculation_matches_gradient_with_symmetric_weights",
        "crates/neurograd/src/experiments/claims/recirculation.rs::claim4_numbers",
        "crates/neurograd/src/experiments/claims/recirculation.rs::verdict4_rule",
    ],
    &[
        "crates/neurograd-plasticity/tests/credit/training.rs::digits_floor_feedback_alignment",
        "crates/neurograd-plasticity/tests/credit/training.rs::digits_floor_direct_feedback_alignment",
        "crates/neurograd-plasticity/tests/credit/training.rs::digits_floor_sign_symmetry",
        "crates/neurograd-plasticity/tests/credit/feedback.rs::fa_aligns_on_linear_teacher",
        "crates/neurograd-plasticity/tests/credit/transport.rs::kp_difference_decays_exactly_geometrically",
        "crates/neurograd-plasticity/tests/credit/transport.rs::kp_and_wm_hidden_angle_falls_fa_does_not",
        "crates/neurograd-plasticity/tests/credit/transport.rs::weight_mirror_converges_to_a_positive_multiple_of_w",
        "crates/neurograd-plasticity/tests/credit/transport.rs::kp_and_wm_are_registered_and_train",
        "crates/neurograd/src/experiments/claims/mod.rs::claim3_and_5_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict5_rule",
    ],
    &[
        "crates/neurograd-optim/tests/es.rs::es_cosine_formula",
        "crates/neurograd/src/experiments/claims/mod.rs::claim6_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict6_rule",
    ],
    &[
        "crates/neurograd-optim/tests/blackbox.rs::step_sphere_gd_stuck_cmaes_solves",
        "crates/neurograd-optim/tests/blackbox.rs::ga_solves_traps_gradient_descent_is_deceived",
        "crates/neurograd/src/experiments/claims/mod.rs::claim7_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict7_rule",
    ],
    &[
        "crates/neurograd-neurons/tests/rate/macaque.rs::strong_gba_propagates_orders_of_magnitude_better",
        "crates/neurograd-neurons/tests/rate/macaque.rs::largest_real_eigenvalues_match_the_reference",
        "crates/neurograd/src/experiments/claims/mod.rs::claim8_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict8_rule",
    ],
    &[
        "crates/neurograd/src/experiments/claims/vision.rs::claims_9_and_12_vision",
        "crates/neurograd/src/experiments/claims/vision.rs::verdict9_rule",
        "crates/neurograd-plasticity/tests/v1_learners.rs::t10_sparse_coding_learns_gabors_from_natural_images",
        "crates/neurograd-plasticity/tests/v1_learners.rs::t10_control_sparse_coding_on_phase_scrambled_images",
        "crates/neurograd-plasticity/tests/v1_learners.rs::t13_ica_learns_gabors_from_natural_images_not_from_controls",
    ],
    &[
        "crates/neurograd-plasticity/tests/local/spikes.rs::pair_stdp_drift_matches_rate_formula",
        "crates/neurograd-plasticity/tests/local/spikes.rs::triplet_drift_changes_sign_at_bcm_threshold",
        "crates/neurograd/src/experiments/claims/stdp.rs::plastic_rule",
        "crates/neurograd/src/experiments/claims/stdp.rs::plastic_run_guard",
        "crates/neurograd/src/experiments/claims/stdp.rs::plastic_run_is_the_library_rule",
        "crates/neurograd/src/experiments/claims/stdp.rs::shuffling_keeps_rates_and_removes_correlation",
        "crates/neurograd/src/experiments/claims/mod.rs::claim10_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict10_rule",
    ],
    &[
        "crates/neurograd/src/experiments/claims/recurrence.rs::claim11_eprop_learns_without_backprop_through_time",
        "crates/neurograd/src/experiments/claims/recurrence.rs::verdict11_rule",
        "crates/neurograd/src/experiments/recurrent.rs::spiking_digits_small_floor_and_true_gradient_control",
    ],
    &[
        "crates/neurograd/src/experiments/claims/vision.rs::claims_9_and_12_vision",
        "crates/neurograd/src/experiments/claims/vision.rs::verdict12_rule",
        "crates/neurograd-plasticity/tests/v1_learners.rs::t14_isa_subspaces_are_coherent_and_more_phase_invariant",
        "crates/neurograd-plasticity/tests/v1measures.rs::energy_model_is_phase_invariant_and_its_subunits_are_not",
    ],
    &[
        "crates/neurograd/src/experiments/claims/mod.rs::claim13_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict13_rule",
        "crates/neurograd/src/experiments/claims/perturbation.rs::tuned_speed_ratios",
        "crates/neurograd-optim/tests/es.rs::es_cosine_formula",
    ],
    &[
        "crates/neurograd/src/experiments/claims/mod.rs::claim14_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict14_rule",
        "crates/neurograd-neurons/tests/rate/macaque.rs::largest_real_eigenvalues_match_the_reference",
    ],
    &[
        "crates/neurograd/src/experiments/claims/mod.rs::claim15_numbers",
        "crates/neurograd/src/experiments/claims/mod.rs::verdict15_rule",
        "crates/neurograd/src/experiments/claims/lesions.rs::claim15_extras",
        "crates/neurograd/src/experiments/claims/lesions.rs::spearman_values",
        "crates/neurograd/src/experiments/claims/lesions.rs::resampling_ablation_limits",
    ],
];

/// The literature of each claim (index `id - 1`).
pub const REFERENCES: [&[&str]; 15] = [
    &[
        "Oja 1982, J Math Biol 15:267",
        "Xu 1993, Neural Networks 6:627 (LMSER: Oja's subspace rule is the tied-autoencoder gradient minus a term zero on the Stiefel manifold)",
        "Intrator & Cooper 1992, Neural Networks 5:3",
    ],
    &[
        "Whittington & Bogacz 2017, Neural Comput 29:1229",
        "Song, Lukasiewicz, Xu & Bogacz 2020, NeurIPS (Z-IL)",
        "Millidge, Tschantz & Buckley 2022, Neural Comput 34:1329 (fixed-prediction assumption)",
        "Scellier & Bengio 2017, Front Comput Neurosci 11:24; 2019, Neural Comput 31:312 (EP = recurrent backprop)",
        "Xie & Seung 2003, Neural Comput 15:441",
        "Laborieux et al. 2021, Front Neurosci 15:633674",
    ],
    &[
        "Scellier & Bengio 2017, Front Comput Neurosci 11:24",
        "Laborieux et al. 2021, Front Neurosci 15:633674",
        "Song, Lukasiewicz, Xu & Bogacz 2020, NeurIPS (Z-IL)",
        "Millidge, Tschantz & Buckley 2022, Neural Comput 34:1329",
    ],
    &[
        "Hinton & McClelland 1988, NIPS 0 (Learning representations by recirculation)",
        "Baldi & Sadowski 2018, Neural Networks 108:479 (recirculation as adaptive random backprop)",
        "Lillicrap, Cownden, Tweed & Akerman 2016, Nat Commun 7:13276 (feedback alignment)",
    ],
    &[
        "Lillicrap, Cownden, Tweed & Akerman 2016, Nat Commun 7:13276 (feedback alignment)",
        "Nokland 2016, NIPS (direct feedback alignment)",
        "Liao, Leibo & Poggio 2016, AAAI (sign symmetry)",
        "Kolen & Pollack 1994, ICNN (symmetric updates and decay make W and B converge)",
        "Akrout, Wilson, Humphreys, Lillicrap & Tweed 2019, NeurIPS (weight mirrors, Kolen-Pollack at ImageNet scale)",
        "Bartunov et al. 2018, NeurIPS (FA and target propagation fall far behind backprop on CIFAR-10 and ImageNet)",
    ],
    &[
        "Lande 1979, Evolution 33:402 (response to selection = G times the selection gradient)",
        "Wierstra, Schaul, Glasmachers, Sun, Peters & Schmidhuber 2014, JMLR 15:949 (natural evolution strategies)",
        "Ollivier, Arnold, Auger & Hansen 2017, JMLR 18(18) (information-geometric optimization)",
        "Hansen 2016, arXiv:1604.00772 (the CMA-ES tutorial: weights, c_m)",
        "Salimans, Ho, Chen, Sidor & Sutskever 2017, arXiv:1703.03864",
    ],
    &[
        "Hansen 2016, arXiv:1604.00772 (CMA-ES)",
        "Auger & Hansen 2005, CEC (IPOP-CMA-ES)",
        "Deb & Goldberg 1993, FOGA 2 (deceptive traps)",
        "Kauffman & Levin 1987, J Theor Biol 128:11; Kauffman 1989, Lectures in the Sciences of Complexity (NK landscapes)",
        "Baluja 1994, CMU-CS-94-163 (PBIL: gradient descent on a Bernoulli relaxation)",
        "Wolpert & Macready 1997, IEEE TEC 1:67 (no free lunch)",
    ],
    &[
        "Joglekar, Mejias, Yang & Wang 2018, Neuron 98:222",
        "Murphy & Miller 2009, Neuron 61:635",
        "Markov et al. 2014, Cereb Cortex 24:17",
    ],
    &[
        "Olshausen & Field 1996, Nature 381:607",
        "Bell & Sejnowski 1997, Vision Res 37:3327",
        "Ringach 2002, J Neurophysiol 88:455",
        "Krizhevsky, Sutskever & Hinton 2012, NIPS (Gabor-like first-layer filters of an ImageNet CNN)",
        "Yamins & DiCarlo 2016, Nat Neurosci 19:356 (goal-driven deep networks as models of sensory cortex)",
    ],
    &[
        "Kempter, Gerstner & van Hemmen 1999, Phys Rev E 59:4498",
        "Song, Miller & Abbott 2000, Nat Neurosci 3:919",
        "Pfister & Gerstner 2006, J Neurosci 26:9673",
        "Bi & Poo 1998, J Neurosci 18:10464",
    ],
    &[
        "Bellec et al. 2020, Nat Commun 11:3625 (e-prop)",
        "Neftci, Mostafa & Zenke 2019, IEEE Signal Process Mag 36:51 (surrogate gradients)",
        "Lillicrap & Santoro 2019, Curr Opin Neurobiol 55:82 (backprop through time and the brain)",
        "Lillicrap, Santoro, Marris, Akerman & Hinton 2020, Nat Rev Neurosci 21:335 (backpropagation and the brain)",
    ],
    &[
        "Hubel & Wiesel 1962, J Physiol 160:106",
        "Adelson & Bergen 1985, JOSA A 2:284",
        "Riesenhuber & Poggio 1999, Nat Neurosci 2:1019",
        "Hyvarinen & Hoyer 2000, Neural Comput 12:1705",
    ],
    &[
        "Williams 1992, Mach Learn 8:229 (REINFORCE)",
        "Fiete & Seung 2006, Phys Rev Lett 97:048104 (node perturbation in spiking networks)",
        "Werfel, Xie & Seung 2005, Neural Comput 17:2699 (node perturbation slower than GD by the number of outputs, weight perturbation by a further factor of the inputs)",
        "Jabri & Flower 1992, IEEE TNN 3:154 (weight perturbation)",
    ],
    &[
        "Murphy & Miller 2009, Neuron 61:635 (balanced amplification)",
        "Joglekar, Mejias, Yang & Wang 2018, Neuron 98:222 (global balanced amplification in the macaque model)",
        "Chaudhuri, Knoblauch, Gariel, Kennedy & Wang 2015, Neuron 88:419 (the 29-area model)",
        "Goldman 2009, Neuron 61:621 (non-normal networks and memory)",
    ],
    &[
        "Morcos, Barrett, Rabinowitz & Botvinick 2018, ICLR (single directions and generalisation)",
        "Jonas & Kording 2017, PLoS Comput Biol 13:e1005268 (could a neuroscientist understand a microprocessor?)",
        "Joglekar, Mejias, Yang & Wang 2018, Neuron 98:222",
    ],
];

fn gaussian(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Matrix {
    Matrix::from_fn(rows, cols, |_, _| StandardNormal.sample(rng))
}

/// A number by name; NaN if absent (every comparison with it is false, so a missing number can
/// only make a verdict fail).
pub fn num(n: &Numbers, key: &str) -> f64 {
    n.get(key).copied().unwrap_or(f64::NAN)
}

/// Builds a claim: its verdict is computed from `numbers` by [`verdict`].
fn claim(id: usize, numbers: Vec<(String, f64)>, rule: &str) -> Claim {
    let numbers: Numbers = numbers.into_iter().collect();
    Claim {
        id,
        claim: CLAIMS[id - 1].to_string(),
        verdict: verdict(id, &numbers),
        numbers,
        rule: rule.to_string(),
        test: TESTS[id - 1].iter().map(|s| s.to_string()).collect(),
        references: REFERENCES[id - 1].iter().map(|s| s.to_string()).collect(),
    }
}

/// `(name, value)` pairs from string slices.
fn nums(v: &[(&str, f64)]) -> Vec<(String, f64)> {
    v.iter().map(|(k, x)| (k.to_string(), *x)).collect()
}

/// The verdict of claim `id` given its numbers: the rule documented on each `verdictN`.
pub fn verdict(id: usize, n: &Numbers) -> String {
    match id {
        1 => verdict1(n),
        2 => verdict2(n),
        3 => verdict3(n),
        4 => verdict4(n),
        5 => verdict5(n),
        6 => verdict6(n),
        7 => verdict7(n),
        8 => verdict8(n),
        9 => verdict9(n),
        10 => verdict10(n),
        11 => verdict11(n),
        12 => verdict12(n),
        13 => verdict13(n),
        14 => verdict14(n),
        15 => verdict15(n),
        _ => "unknown claim".to_string(),
    }
}

/// Claim 1 (Oja 1982; Xu 1993; Intrator & Cooper 1992). On 20 Gaussian samples in 6 dimensions:
/// Hebb `Δw = y x` on a linear unit `y = w·x` vs the Euclidean gradient of `y²/2` (central
/// differences); Oja's expected update `Cw - (wᵀCw) w` at `|w| = 1` vs half the gradient of the
/// Rayleigh quotient `R(w) = wᵀCw / wᵀw` (central differences of `R`, which at `|w| = 1` is the
/// Riemannian gradient on the sphere); the asymmetry `‖J - Jᵀ‖_F` of Oja's expected field (not a
/// Euclidean gradient field); BCM with the sliding threshold `θ = E[c²]` vs the gradient of
/// Intrator & Cooper's objective `E[c³]/3 - E[c²]²/4` (central differences).
pub fn claim1(seed: u64) -> Result<Claim> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let d = 6;
    let x = gaussian(20, d, &mut rng);
    let w0 = gaussian(1, d, &mut rng);
    let w: Vector = Vector::from_iterator(d, w0.iter().copied()).normalize();
    let m = x.nrows() as f64;
    let eps = 1e-6;
    let fd = |f: &dyn Fn(&Vector) -> f64, w: &Vector| -> Vector {
        Vector::from_fn(d, |k, _| {
            let (mut wp, mut wm) = (w.clone(), w.clone());
            wp[k] += eps;
            wm[k] -= eps;
            (f(&wp) - f(&wm)) / (2.0 * eps)
        })
    };
    let ys = |w: &Vector| -> Vec<f64> {
        (0..x.nrows())
            .map(|r| x.row(r).transpose().dot(w))
            .collect()
    };
    let mut hebb = Vector::zeros(d);
    let mut oja = Vector::zeros(d);
    let mut bcm = Vector::zeros(d);
    let y0 = ys(&w);
    let theta = y0.iter().map(|y| y * y).sum::<f64>() / m;
    for (r, &y) in y0.iter().enumerate() {
        let xr: Vector = x.row(r).transpose();
        hebb += &xr * (y / m);
        oja += (&xr - &w * y) * (y / m);
        bcm += &xr * (y * (y - theta) / m);
    }
    let half_sq = |w: &Vector| ys(w).iter().map(|y| 0.5 * y * y).sum::<f64>() / m;
    let grad = fd(&half_sq, &w);
    let c = x.transpose() * &x / m;
    let rayleigh = |w: &Vector| (w.transpose() * &c * w)[(0, 0)] / w.dot(w);
    let rq = fd(&rayleigh, &w) * 0.5;
    let ic = |w: &Vector| {
        let y = ys(w);
        let m3 = y.iter().map(|v| v.powi(3)).sum::<f64>() / m;
        let m2 = y.iter().map(|v| v * v).sum::<f64>() / m;
        m3 / 3.0 - m2 * m2 / 4.0
    };
    let icg = fd(&ic, &w);
    let hebb_cos = hebb.dot(&grad) / (hebb.norm() * grad.norm());
    let oja_err = (&oja - &rq).norm() / rq.norm();
    let bcm_err = (&bcm - &icg).norm() / icg.norm();
    let asym = crate::plasticity::local::oja::jacobian_asymmetry(&c, &w)?;
    Ok(claim(
        1,
        nums(&[
            (
                "hebb_cosine_to_euclidean_gradient_of_half_y_squared",
                hebb_cos,
            ),
            (
                "oja_vs_half_rayleigh_gradient_on_sphere_relative_error",
                oja_err,
            ),
            ("oja_expected_field_jacobian_asymmetry", asym),
            ("bcm_vs_intrator_cooper_gradient_relative_error", bcm_err),
        ]),
        "Hebb cosine > 1 - 1e-6, Oja vs half the Rayleigh gradient < 1e-5, BCM vs the Intrator-Cooper gradient < 1e-5 (all central differences of the objective, eps 1e-6) -> holds for each rule with its own objective; Jacobian asymmetry > 1e-6 adds that Oja is a gradient only on the sphere; else does not hold",
    ))
}

/// Claim 1's rule: `holds, each rule with its own objective` if the Hebb cosine to the Euclidean
/// gradient of `y²/2` is `> 1 - 1e-6`, Oja's error to half the Rayleigh-quotient gradient on the
/// sphere `< 1e-5` and BCM's to the Intrator-Cooper gradient `< 1e-5`; the verdict adds that Oja
/// is not a Euclidean gradient field when the Jacobian asymmetry is `> 1e-6`. Else `does not
/// hold`.
pub fn verdict1(n: &Numbers) -> String {
    let hebb = num(n, "hebb_cosine_to_euclidean_gradient_of_half_y_squared") > 1.0 - 1e-6;
    let oja = num(n, "oja_vs_half_rayleigh_gradient_on_sphere_relative_error") < 1e-5;
    let bcm = num(n, "bcm_vs_intrator_cooper_gradient_relative_error") < 1e-5;
    if !(hebb && oja && bcm) {
        return "does not hold: a rule's update differs from the gradient of its objective".into();
    }
    let oja_part = if num(n, "oja_expected_field_jacobian_asymmetry") > 1e-6 {
        "Oja is half the gradient of the Rayleigh quotient on the unit sphere (a Riemannian gradient), but its expected field off the sphere is not the gradient of any function (non-symmetric Jacobian)"
    } else {
        "Oja is a gradient field"
    };
    format!(
        "holds, each rule with its own objective: plain Hebb is the Euclidean gradient of y^2/2 (an unbounded objective: ascent on output variance); {oja_part}; BCM with the sliding threshold E[c^2] is the gradient of Intrator & Cooper's objective E[c^3]/3 - E[c^2]^2/4"
    )
}

/// Claim 2 (Whittington & Bogacz 2017; Song et al. 2020; Millidge et al. 2022; Scellier & Bengio
/// 2017, 2019; Xie & Seung 2003). Exact equivalences at finite parameters: predictive coding with
/// zero-divergence inference learning (Z-IL) and under the fixed-prediction assumption (FPA) vs
/// backprop on a `4-6-5-3` tanh network (maximum relative error over the weight updates); limits:
/// EP (one-sided and symmetric nudging) vs the true gradient over beta and CHL (Xie-Seung
/// scaling) vs backprop over gamma, with the fitted log-log orders.
pub fn claim2(seed: u64) -> Result<Claim> {
    use crate::plasticity::credit::{
        Backprop, CreditAssignment, PcVariant, PredictiveCoding, Relaxation,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = gaussian(4, 3, &mut rng);
    let t = Matrix::from_fn(4, 2, |_, _| rand::RngExt::random_range(&mut rng, 0.2..0.8));
    // Smooth sigmoid units (no hard-sigmoid kinks), as in the crate's EP order test.
    let ep_net = credit::Network::new(
        &[3, 4, 2],
        crate::tensor::Activation::Sigmoid,
        crate::tensor::Activation::Sigmoid,
        credit::Loss::HalfSquaredError,
        seed,
    )?;
    let betas = [0.1, 0.05, 0.025, 0.0125];
    let one = credit::compare::ep_error_vs_beta(&ep_net, &x, &t, &betas, EpVariant::OneSided)?;
    let sym = credit::compare::ep_error_vs_beta(&ep_net, &x, &t, &betas, EpVariant::Symmetric)?;
    let chl_net = credit::registry::info("chl")?.network(&[3, 4, 2], seed)?;
    let gammas = [0.2, 0.1, 0.05, 0.025];
    let chl = credit::compare::chl_error_vs_gamma(&chl_net, &x, &t, &gammas)?;
    let (o1, o2, oc) = (
        credit::compare::fitted_order(&one),
        credit::compare::fitted_order(&sym),
        credit::compare::fitted_order(&chl),
    );
    let last = |v: &[credit::compare::ErrorPoint]| v.last().map_or(f64::NAN, |p| p.relative_error);
    // Exact equivalences at finite parameters.
    let pc_net = credit::registry::info("pc-zil")?.network(&[4, 6, 5, 3], seed)?;
    let px = gaussian(3, 4, &mut rng);
    let pt = gaussian(3, 3, &mut rng);
    let bp = Backprop::new().updates(&pc_net, &px, &pt)?;
    let zil = PredictiveCoding::new(PcVariant::ZeroDivergence).updates(&pc_net, &px, &pt)?;
    let fpa = PredictiveCoding::new(PcVariant::FixedPrediction)
        .with_inference(Relaxation {
            step: 0.1,
            tol: 1e-14,
            max_iters: 100_000,
        })?
        .updates(&pc_net, &px, &pt)?;
    let zil_err = credit::compare::max_layer_relative_error(&zil.grads, &bp.grads)?;
    let fpa_err = credit::compare::max_layer_relative_error(&fpa.grads, &bp.grads)?;
    Ok(claim(
        2,
        nums(&[
            ("pc_zil_vs_backprop_max_layer_relative_error", zil_err),
            ("pc_fpa_vs_backprop_max_layer_relative_error", fpa_err),
            ("ep_one_sided_order_in_beta", o1),
            ("ep_symmetric_order_in_beta", o2),
            ("chl_order_in_gamma", oc),
            ("ep_one_sided_error_at_beta_0.0125", last(&one)),
            ("ep_symmetric_error_at_beta_0.0125", last(&sym)),
            ("chl_error_at_gamma_0.025", last(&chl)),
            ("ep_one_sided_error_at_beta_0.1", one[0].relative_error),
        ]),
        "Z-IL and FPA max layer relative error to backprop < 1e-9 -> exact at finite parameters; EP and CHL orders > 0.5 with errors at the smallest parameter < 0.05 -> also in the limit; both -> holds in both senses; only one -> holds in that sense; neither -> does not hold",
    ))
}

/// Claim 2's rule: exact if the Z-IL and FPA updates equal backprop's to a maximum layer relative
/// error `< 1e-9`; limit if every EP/CHL fitted order is `> 0.5` and every error at the smallest
/// parameter `< 0.05`. Both: `holds, exactly in some circuits and in the limit in others`; only
/// one: `holds only ...` in that sense; neither: `does not hold`.
pub fn verdict2(n: &Numbers) -> String {
    let exact = num(n, "pc_zil_vs_backprop_max_layer_relative_error") < 1e-9
        && num(n, "pc_fpa_vs_backprop_max_layer_relative_error") < 1e-9;
    let limit = num(n, "ep_one_sided_order_in_beta") > 0.5
        && num(n, "ep_symmetric_order_in_beta") > 0.5
        && num(n, "chl_order_in_gamma") > 0.5
        && num(n, "ep_one_sided_error_at_beta_0.0125") < 0.05
        && num(n, "ep_symmetric_error_at_beta_0.0125") < 0.05
        && num(n, "chl_error_at_gamma_0.025") < 0.05;
    match (exact, limit) {
        (true, true) => "holds, exactly in some circuits and in the limit in others: predictive coding with Z-IL (a layer-timed schedule, inference rate 1) and under the fixed-prediction assumption gives backprop's updates exactly at finite parameters; EP (symmetric weights, converged fixed points) and CHL approach the gradient as beta, gamma -> 0 with the measured orders (EP's limit is recurrent backprop, Scellier & Bengio 2019)".into(),
        (true, false) => "holds only exactly in specific circuits (Z-IL, fixed prediction); EP/CHL did not show their limit here".into(),
        (false, true) => "holds only in the limit beta, gamma -> 0 (EP, CHL); the exact predictive-coding equivalences failed here".into(),
        (false, false) => "does not hold".into(),
    }
}

/// Claim 4: see [`recirculation`] (trained over 10 seeds, the CLI's sizes).
///
/// # Errors
/// The experiment's errors.
pub fn claim4(seed: u64) -> Result<Claim> {
    recirculation::claim4(seed, &recirculation::RecirculationSizes::full())
}

/// Claim 4's rule: see [`recirculation::verdict4`].
pub fn verdict4(n: &Numbers) -> String {
    recirculation::verdict4(n)
}

/// The digits comparison behind claims 3 and 5: `compare` with `algorithms` over
/// `seed, ..., seed + seeds - 1`, one hidden layer of `hidden` units (256 in the CLI run).
fn digits_compare(
    p: &ClaimsParams,
    algorithms: &[&str],
    progress: &dyn Progress,
) -> Result<super::compare::CompareResult> {
    let cp = super::compare::CompareParams {
        algorithms: algorithms.iter().map(|s| s.to_string()).collect(),
        epochs: p.epochs,
        seed: p.seed,
        seeds: p.seeds.max(1),
        hidden: vec![p.hidden],
        max_samples: p.max_samples,
        target_accuracy: p.target_accuracy,
        ..Default::default()
    };
    super::compare::run(&cp, progress)
}

/// Claim 3 (Scellier & Bengio 2017; Laborieux et al. 2021; Song et al. 2020). The same
/// `64-h-10` network trained on digits with backprop, predictive coding (standard inference),
/// Z-IL, EP (one-sided, symmetric) and CHL over `seeds` seeds. Hardware-independent costs: the
/// relaxation sweeps per update (sequential latency) and the synaptic operations (multiply-adds)
/// per training sample, counted as `3P` for backprop (forward, backward, weight gradient; `P` the
/// number of weights) and `P + 2P·sweeps + P` for a relaxation rule (initial forward pass, one
/// bottom-up and one top-down pass per sweep, the update); the samples each needs to reach the
/// target accuracy (mean over the seeds that reach it) and how many seeds miss it. Z-IL's sweeps
/// are counted as full sweeps (`L` of them); an event-driven implementation that only propagates
/// the error wavefront would cost about backprop's `3P`.
pub fn claim3(p: &ClaimsParams, progress: &dyn Progress) -> Result<Claim> {
    let algos = ["bp", "pc", "pc-zil", "ep", "ep-sym", "chl"];
    let r = digits_compare(p, &algos, progress)?;
    let weights = (r.data.n_features * p.hidden + p.hidden * r.data.n_classes) as f64;
    let seeds = p.seeds.max(1) as f64;
    let mut v: Vec<(String, f64)> = vec![
        ("seeds".into(), seeds),
        ("weights".into(), weights),
        ("target_accuracy".into(), p.target_accuracy),
        ("n_train".into(), r.data.n_train as f64),
    ];
    for a in &r.results {
        let n = a.algorithm.replace('-', "_");
        let sweeps = a.relaxation_steps_per_batch;
        let sops = if a.algorithm == "bp" {
            3.0 * weights
        } else {
            2.0 * weights + 2.0 * weights * sweeps
        };
        v.push((format!("{n}_sweeps_per_update"), sweeps));
        v.push((format!("{n}_synaptic_ops_per_sample"), sops));
        v.push((
            format!("{n}_synaptic_ops_ratio_to_bp"),
            sops / (3.0 * weights),
        ));
        v.push((
            format!("{n}_samples_to_target"),
            a.mean_epochs_to_target
                .map_or(f64::NAN, |e| e * r.data.n_train as f64),
        ));
        v.push((
            format!("{n}_seeds_missing_target"),
            seeds - a.seeds_reaching_target as f64,
        ));
        v.push((
            format!("{n}_mean_test_accuracy"),
            a.mean_accuracy.unwrap_or(f64::NAN),
        ));
        v.push((
            format!("{n}_std_test_accuracy"),
            a.std_accuracy.unwrap_or(f64::NAN),
        ));
    }
    Ok(claim(
        3,
        v,
        "per-sample synaptic operations / backprop's >= 2 for each of pc, ep, ep_sym, chl -> the relaxation rules are less efficient (Z-IL reported separately: ratio < 2 -> 'not Z-IL'); a rule missing the target in any seed is a miss and is named; backprop missing the target in any seed -> inconclusive; no relaxation rule at >= 2 -> does not hold",
    ))
}

/// Claim 3's rule: `inconclusive` if backprop misses the target in any seed; else `holds for
/// relaxation-based rules` if pc, ep, ep_sym and chl all need at least 2x backprop's synaptic
/// operations per sample, naming the rules that missed the target in some seed (a miss is a
/// miss: such a rule never paid off its cost) and whether Z-IL stays below 2x; `does not hold` if
/// none of them reaches 2x; `holds only for ...` (the rules at 2x or more) otherwise.
pub fn verdict3(n: &Numbers) -> String {
    if !(num(n, "bp_seeds_missing_target") == 0.0) {
        return "inconclusive: backprop itself misses the target accuracy in some seed".into();
    }
    let rules = ["pc", "ep", "ep_sym", "chl"];
    let costly: Vec<&str> = rules
        .iter()
        .copied()
        .filter(|r| num(n, &format!("{r}_synaptic_ops_ratio_to_bp")) >= 2.0)
        .collect();
    let missed: Vec<String> = rules
        .iter()
        .chain(["pc_zil"].iter())
        .filter(|r| !(num(n, &format!("{r}_seeds_missing_target")) == 0.0))
        .map(|r| {
            format!(
                "{r} missed the target in {} seeds",
                num(n, &format!("{r}_seeds_missing_target"))
            )
        })
        .collect();
    let zil = num(n, "pc_zil_synaptic_ops_ratio_to_bp");
    let zil_part = if zil < 2.0 {
        format!(
            "Z-IL, which gives backprop's updates exactly, costs {zil:.1}x (no relaxation overhead)"
        )
    } else {
        format!(
            "even Z-IL costs {zil:.1}x as counted (full sweeps; an event-driven wavefront would cost about 1x)"
        )
    };
    let missed_part = if missed.is_empty() {
        "every rule reached the target in every seed".to_string()
    } else {
        missed.join(", ")
    };
    let ratios = costly
        .iter()
        .map(|r| {
            format!(
                "{r} {:.0}x",
                num(n, &format!("{r}_synaptic_ops_ratio_to_bp"))
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if costly.is_empty() {
        "does not hold: no relaxation rule needs 2x backprop's synaptic operations per sample"
            .into()
    } else if costly.len() == rules.len() {
        format!(
            "holds for the relaxation-based rules, in synaptic operations per sample ({ratios}); {zil_part}; {missed_part}"
        )
    } else {
        format!("holds only for {ratios}; {zil_part}; {missed_part}")
    }
}

/// Claim 5: see [`transport`].
pub fn claim5(p: &ClaimsParams, progress: &dyn Progress) -> Result<Claim> {
    transport::claim5(p, progress)
}

/// Claim 5's rule: see [`transport::verdict5`].
pub fn verdict5(n: &Numbers) -> String {
    transport::verdict5(n)
}

/// Claim 6: see [`evolution`].
pub fn claim6(seed: u64, sizes: &evolution::EvolutionSizes) -> Result<Claim> {
    evolution::claim6(seed, sizes)
}

/// Claim 6's rule: see [`evolution::verdict6`].
pub fn verdict6(n: &Numbers) -> String {
    evolution::verdict6(n)
}

/// Claim 7: see [`disjoint`] (equal evaluation budget; plain, multi-start and smoothed gradient
/// descent vs a truncation GA, IPOP-CMA-ES and a crossover GA on discontinuous, disjoint and
/// combinatorial problems).
pub fn claim7(seed: u64, sizes: &disjoint::DisjointSizes) -> Result<Claim> {
    disjoint::claim7(seed, sizes)
}

/// Claim 7's rule: see [`disjoint::verdict7`].
pub fn verdict7(n: &Numbers) -> String {
    disjoint::verdict7(n)
}

/// Claim 13: see [`perturbation`] (node and weight perturbation vs the backprop gradient).
pub fn claim13(seed: u64, sizes: &perturbation::PerturbationSizes) -> Result<Claim> {
    perturbation::claim13(seed, sizes)
}

/// Claim 13's rule: see [`perturbation::verdict13`].
pub fn verdict13(n: &Numbers) -> String {
    perturbation::verdict13(n)
}

/// Claim 14: see [`amplification`] (balanced vs Hebbian amplification at equal gain).
pub fn claim14(sizes: &amplification::AmplificationSizes) -> Result<Claim> {
    amplification::claim14(sizes)
}

/// Claim 14's rule: see [`amplification::verdict14`].
pub fn verdict14(n: &Numbers) -> String {
    amplification::verdict14(n)
}

/// Claim 15: see [`lesions`] (lesions of a trained network and of the macaque model).
pub fn claim15(seed: u64, sizes: &lesions::LesionSizes) -> Result<Claim> {
    lesions::claim15(seed, sizes)
}

/// Claim 15's rule: see [`lesions::verdict15`].
pub fn verdict15(n: &Numbers) -> String {
    lesions::verdict15(n)
}

/// Claim 8. Joglekar et al. (2018) macaque model, weak vs strong GBA, and the Murphy-Miller
/// two-population circuit. Verdict: `holds` if the strong/weak improvement of the 24c/V1 peak
/// ratio is at least 10 while both settings are stable (largest real eigenvalue < 0) and the
/// simulated transient gain exceeds 1 and matches the Schur closed form within 5 %; `does not
/// hold` otherwise.
pub fn claim8() -> Result<Claim> {
    let r = crate::neurons::circuits::macaque::claim8()?;
    let schur_err =
        (r.transient_gain_simulated - r.transient_gain_schur).abs() / r.transient_gain_schur.abs();
    Ok(claim(
        8,
        nums(&[
            ("ratio_24c_v1_weak", r.ratio_weak),
            ("ratio_24c_v1_strong", r.ratio_strong),
            ("improvement_strong_over_weak", r.improvement),
            ("v1_peak_weak_hz", r.v1_peak_weak),
            ("v1_peak_strong_hz", r.v1_peak_strong),
            ("largest_real_eigenvalue_weak", r.eigenvalue_weak),
            ("largest_real_eigenvalue_strong", r.eigenvalue_strong),
            ("transient_gain_simulated", r.transient_gain_simulated),
            ("transient_gain_schur", r.transient_gain_schur),
            ("transient_gain_relative_error", schur_err),
        ]),
        "24c/V1 improvement >= 10, both eigenvalues < 0, transient gain > 1 and within 5 % of the Schur form",
    ))
}

/// Claim 8's rule: `holds` if the strong/weak improvement of the 24c/V1 peak ratio is at least 10
/// while both settings are stable (largest real eigenvalue < 0) and the simulated transient gain
/// exceeds 1 and matches the Schur closed form within 5 %; else `does not hold`.
pub fn verdict8(n: &Numbers) -> String {
    if num(n, "improvement_strong_over_weak") >= 10.0
        && num(n, "largest_real_eigenvalue_weak") < 0.0
        && num(n, "largest_real_eigenvalue_strong") < 0.0
        && num(n, "transient_gain_simulated") > 1.0
        && num(n, "transient_gain_relative_error") < 0.05
    {
        format!(
            "holds: strong GBA carries the V1 pulse to 24c {:.0}x better while staying stable",
            num(n, "improvement_strong_over_weak")
        )
    } else {
        "does not hold".into()
    }
}

/// Claims 9 and 12: see [`vision`] (one `v1` experiment per seed, natural and phase-scrambled).
///
/// # Errors
/// The `v1` experiment's errors.
pub fn claims_9_and_12(
    seed: u64,
    sizes: &vision::VisionSizes,
    progress: &dyn Progress,
) -> Result<(Claim, Claim)> {
    vision::claims_9_and_12(seed, sizes, progress)
}

/// Claim 9's rule: see [`vision::verdict9`].
pub fn verdict9(n: &Numbers) -> String {
    vision::verdict9(n)
}

/// Claim 12's rule: see [`vision::verdict12`].
pub fn verdict12(n: &Numbers) -> String {
    vision::verdict12(n)
}

/// Claim 10 (Kempter, Gerstner & van Hemmen 1999; Pfister & Gerstner 2006). Pair STDP (Song et
/// al. 2000 parameters, all-to-all) with independent Poisson trains at (10, 10) and (20, 5) Hz:
/// measured drift (10 repeats of 100 s) vs `nu_pre nu_post (A+ tau+ - A- tau-)`; triplet STDP
/// (minimal visual-cortex set) at `nu_pre = 10` Hz and `nu_post = 5, 40` Hz against its rate
/// formula and BCM-like threshold. Verdict: `holds` if every measured drift is within 4 standard
/// errors of its formula and the triplet drift is negative below and positive above the
/// threshold; `does not hold` otherwise.
pub fn claim10(seed: u64, sizes: &stdp::StdpSizes) -> Result<Claim> {
    use crate::plasticity::local::SpikeRule;
    use crate::plasticity::local::harness::spikes::{DriftConfig, measure_drift};
    use crate::plasticity::local::stdp::PairStdp;
    use crate::plasticity::local::triplet::TripletStdp;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // 10 repeats of 100 s (times in ms); drifts in 1/s
    let mut drift = |a: f64, b: f64, rule: &dyn SpikeRule| -> Result<(f64, f64)> {
        Ok(measure_drift(
            rule,
            &DriftConfig::default()
                .rates(a, b)
                .runs(sizes.rate_runs, 100_000.0),
            &mut rng,
        )?)
    };
    let pair = PairStdp::song_2000();
    let mut nums: Vec<(String, f64)> = Vec::new();
    let mut max_dev_se: f64 = 0.0;
    let mut triplet_sign = 1.0;
    for (a, b) in [(10.0, 10.0), (20.0, 5.0)] {
        let (m, se) = drift(a, b, &pair)?;
        let th = pair.rate_drift(a, b);
        max_dev_se = max_dev_se.max((m - th).abs() / se);
        nums.push((format!("pair_drift_measured_{a}_{b}_hz"), m));
        nums.push((format!("pair_drift_formula_{a}_{b}_hz"), th));
        nums.push((format!("pair_drift_standard_error_{a}_{b}_hz"), se));
    }
    let tri = TripletStdp::visual_cortex_minimal();
    let theta = tri.bcm_threshold()?;
    nums.push(("triplet_bcm_threshold_hz".into(), theta));
    for b in [5.0, 40.0] {
        let (m, se) = drift(10.0, b, &tri)?;
        let th = tri.rate_drift(10.0, b);
        max_dev_se = max_dev_se.max((m - th).abs() / se);
        if !(if b < theta { m < 0.0 } else { m > 0.0 }) {
            triplet_sign = 0.0;
        }
        nums.push((format!("triplet_drift_measured_10_{b}_hz"), m));
        nums.push((format!("triplet_drift_formula_10_{b}_hz"), th));
    }
    // window_integral is in ms; published in s
    nums.push(("pair_window_integral".into(), pair.window_integral() * 1e-3));
    nums.push(("rate_part_max_deviation_in_se".into(), max_dev_se));
    nums.push(("triplet_sign_matches_bcm_threshold".into(), triplet_sign));
    // The correlation part (module `stdp`).
    let (d, se, unc, rate) = stdp::difference(stdp::C, sizes, seed);
    let (d0, se0, _, _) = stdp::difference(0.0, sizes, seed.wrapping_add(7));
    nums.push(("corr_input_correlation_c".into(), stdp::C));
    nums.push(("corr_runs".into(), sizes.runs as f64));
    nums.push(("corr_seconds_per_run".into(), sizes.seconds));
    nums.push(("corr_minus_uncorr_drift_per_s".into(), d));
    nums.push(("corr_minus_uncorr_drift_se".into(), se));
    nums.push((
        "corr_minus_uncorr_drift_predicted".into(),
        stdp::predicted_difference(stdp::C),
    ));
    nums.push(("corr_signal_in_se".into(), d / se));
    nums.push(("corr_uncorrelated_group_drift_per_s".into(), unc));
    nums.push(("corr_output_rate_hz".into(), rate));
    nums.push(("control_c0_difference_per_s".into(), d0));
    nums.push(("control_c0_difference_se".into(), se0));
    // Control (c) of the reference protocol: the same trains with each input's spike times
    // shuffled (rates kept, correlation destroyed).
    let (ds, ses, _, rate_s) = stdp::difference_shuffled(stdp::C, sizes, seed.wrapping_add(11));
    nums.push(("control_shuffled_difference_per_s".into(), ds));
    nums.push(("control_shuffled_difference_se".into(), ses));
    nums.push(("control_shuffled_output_rate_hz".into(), rate_s));
    nums.extend(stdp::plastic_numbers(seed, &sizes.plastic)?);
    Ok(claim(
        10,
        nums,
        "rate part: every independent-Poisson drift within 4 SE of its rate formula and the triplet drift's sign as its BCM threshold predicts; correlation part: correlated-minus-uncorrelated drift >= 10 SE, within 4 SE of the KGvH correlation term, and the c = 0 control and the shuffled-spike-time control (each input's spike times shuffled: rates kept, correlation destroyed) each within 4 SE of 0; plastic part (bounded weights, Song et al. 2000): with A-/A+ = 1.05 and a correlated group the weights are bimodal (each 10 % band at a bound holds >= 15 % of them, both together >= 50 %) and competitive (correlated minus uncorrelated group mean >= 0.5 g_max and > 3 SE, the uncorrelated group below its initial 0.5 g_max), without correlation bimodal with a group difference <= 0.1 g_max; the balanced-window control neither bimodal nor competitive, the multiplicative control not bimodal; all three -> holds for what a simulation can show; rate and correlation parts -> holds only for the drifts; rate part only -> holds only for the rate part; else does not hold",
    ))
}

/// Claim 10's rule: the rate part holds if `rate_part_max_deviation_in_se <= 4` and the triplet
/// sign matches; the correlation part if the correlated-minus-uncorrelated drift is at least 10
/// standard errors, within 4 standard errors of the predicted correlation term, and the `c = 0`
/// control and the shuffled-spike-time control ([`stdp::run_shuffled`]) each within 4 standard
/// errors of zero; the plastic part (bounded weights, Song et al.
/// 2000) by [`stdp::plastic_holds`]. All three: `holds for what a simulation can show`; rate and
/// correlation parts only: `holds only for the drifts`; the rate part only: `holds only for the
/// rate part`; else `does not hold`.
pub fn verdict10(n: &Numbers) -> String {
    let rate = num(n, "rate_part_max_deviation_in_se") <= 4.0
        && num(n, "triplet_sign_matches_bcm_threshold") == 1.0;
    let (d, se, pred) = (
        num(n, "corr_minus_uncorr_drift_per_s"),
        num(n, "corr_minus_uncorr_drift_se"),
        num(n, "corr_minus_uncorr_drift_predicted"),
    );
    let corr = d >= 10.0 * se
        && (d - pred).abs() <= 4.0 * se
        && num(n, "control_c0_difference_per_s").abs() <= 4.0 * num(n, "control_c0_difference_se")
        && num(n, "control_shuffled_difference_per_s").abs()
            <= 4.0 * num(n, "control_shuffled_difference_se");
    match (rate, corr) {
        (true, true) if stdp::plastic_holds(n) => format!(
            "holds for what a simulation can show: pair STDP averages to a rate-based Hebbian rule (coefficient = window integral), triplet STDP gives a BCM threshold, and with correlated inputs the timing term does what no rate rule does: inputs that fire together ahead of the output gain {d:.2e}/s over uncorrelated ones at the same rate ({:.0} SE; the KGvH correlation term predicts {pred:.2e}/s; the c = 0 control and the shuffled-spike-time control, same rates without correlation, are null); {}. Whether real cells use it is an empirical matter (windows measured in slices: Markram et al. 1997, Bi & Poo 1998; their dependence on rate and dendritic location: Sjostrom et al. 2001); a simulation only shows what the rule implies",
            d / se,
            stdp::plastic_summary(n)
        ),
        (true, true) => format!("holds only for the drifts: the correlation term is resolved ({:.0} SE), but the plastic run with bounded weights does not show Song et al.'s bimodal competition with its controls null: {}", d / se, stdp::plastic_summary(n)),
        (true, false) => "holds only for the rate part: the correlation term was not resolved (or did not match its prediction) at this sample size".into(),
        _ => "does not hold".into(),
    }
}

/// Claim 11: see [`recurrence`] (BPTT vs e-prop in a layer-free recurrent spiking network).
///
/// # Errors
/// Task, algorithm and training errors.
pub fn claim11(
    seed: u64,
    sizes: &recurrence::RecurrenceSizes,
    progress: &dyn Progress,
) -> Result<Claim> {
    recurrence::claim11(seed, sizes, progress)
}

/// Claim 11's rule: see [`recurrence::verdict11`].
pub fn verdict11(n: &Numbers) -> String {
    recurrence::verdict11(n)
}

/// Runs the requested claims (all by default).
///
/// # Errors
/// [`Error::InvalidParameter`] for an id outside 1..=15 (`CLAIMS.len()`); the experiments' errors.
pub fn run(p: &ClaimsParams, progress: &dyn Progress) -> Result<ClaimsResult> {
    if let Some(&bad) = p.only.iter().find(|&&i| !(1..=CLAIMS.len()).contains(&i)) {
        return Err(Error::invalid("claims", bad, "claim ids are 1..=15"));
    }
    let want = |i: usize| p.only.is_empty() || p.only.contains(&i);
    // The claims' experiments are independent (each seeded from `p.seed`), so they run in
    // parallel on the rayon pool (`--threads`); the verdicts are the same for any thread count.
    // One progress phase counts finished experiments (the experiments' own phases would
    // interleave).
    type Job<'a> = Box<dyn Fn() -> Result<Vec<Claim>> + Send + Sync + 'a>;
    let quiet = crate::NoProgress;
    let q = &quiet;
    let one = |c: Result<Claim>| c.map(|c| vec![c]);
    let mut jobs: Vec<Job<'_>> = Vec::new();
    if want(1) {
        jobs.push(Box::new(move || one(claim1(p.seed))));
    }
    if want(2) {
        jobs.push(Box::new(move || one(claim2(p.seed))));
    }
    if want(3) {
        jobs.push(Box::new(move || one(claim3(p, q))));
    }
    if want(5) {
        jobs.push(Box::new(move || one(claim5(p, q))));
    }
    if want(4) {
        jobs.push(Box::new(move || one(claim4(p.seed))));
    }
    if want(6) {
        jobs.push(Box::new(move || {
            one(claim6(p.seed, &evolution::EvolutionSizes::full()))
        }));
    }
    if want(7) {
        jobs.push(Box::new(move || {
            one(claim7(p.seed, &disjoint::DisjointSizes::full()))
        }));
    }
    if want(8) {
        jobs.push(Box::new(move || one(claim8())));
    }
    if want(9) || want(12) {
        jobs.push(Box::new(move || {
            let (c9, c12) = claims_9_and_12(p.seed, &vision::VisionSizes::full(), q)?;
            Ok(vec![c9, c12])
        }));
    }
    if want(10) {
        jobs.push(Box::new(move || {
            one(claim10(p.seed, &stdp::StdpSizes::full()))
        }));
    }
    if want(11) {
        jobs.push(Box::new(move || {
            one(claim11(p.seed, &recurrence::RecurrenceSizes::full(), q))
        }));
    }
    if want(13) {
        jobs.push(Box::new(move || {
            one(claim13(p.seed, &perturbation::PerturbationSizes::full()))
        }));
    }
    if want(14) {
        jobs.push(Box::new(move || {
            one(claim14(&amplification::AmplificationSizes::full()))
        }));
    }
    if want(15) {
        jobs.push(Box::new(move || {
            one(claim15(p.seed, &lesions::LesionSizes::full()))
        }));
    }
    progress.start("claims", jobs.len() as u64);
    let mut out: Vec<Claim> = {
        use rayon::prelude::*;
        jobs.par_iter()
            .map(|job| {
                let r = job();
                progress.inc(1);
                r
            })
            .collect::<Result<Vec<Vec<Claim>>>>()?
            .into_iter()
            .flatten()
            .filter(|c| want(c.id))
            .collect()
    };
    progress.finish();
    out.sort_by_key(|c| c.id);
    Ok(ClaimsResult {
        version: VERSION.to_string(),
        params: p.clone(),
        claims: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NoProgress;

    fn n(v: &[(&str, f64)]) -> Numbers {
        v.iter().map(|(k, x)| (k.to_string(), *x)).collect()
    }

    /// Numbers with one entry replaced.
    fn with(base: &Numbers, key: &str, value: f64) -> Numbers {
        assert!(
            base.contains_key(key),
            "{key} is not a number of this claim"
        );
        let mut m = base.clone();
        m.insert(key.to_string(), value);
        m
    }

    /// The repository root (two levels above this crate).
    fn repo_root() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// Every `path::function` a claim names exists: the file is in the repository and defines a
    /// function of that name marked as a test (`#[test]` or inside `proptest!`) within the lines
    /// above it.
    #[test]
    fn every_listed_test_exists() {
        let root = repo_root();
        for (i, tests) in TESTS.iter().enumerate() {
            assert!(!tests.is_empty(), "claim {} names no test", i + 1);
            assert!(!REFERENCES[i].is_empty(), "claim {} cites nothing", i + 1);
            for t in *tests {
                let (path, func) = t.split_once("::").expect("path::function");
                let src = std::fs::read_to_string(root.join(path))
                    .unwrap_or_else(|e| panic!("claim {}: {path}: {e}", i + 1));
                let lines: Vec<&str> = src.lines().collect();
                let at = lines
                    .iter()
                    .position(|l| l.trim_start().starts_with(&format!("fn {func}(")))
                    .unwrap_or_else(|| panic!("claim {}: no fn {func} in {path}", i + 1));
                let above = &lines[at.saturating_sub(12)..at];
                let is_test = above.iter().any(|l| l.trim() == "#[test]")
                    || lines[..at]
                        .iter()
                        .rev()
                        .take(400)
                        .any(|l| l.contains("proptest!"));
                assert!(is_test, "claim {}: {path}::{func} is not a test", i + 1);
            }
        }
    }

    /// Every claim id has a rule, and an empty set of numbers never passes as `holds`.
    #[test]
    fn missing_numbers_never_hold() {
        for id in 1..=CLAIMS.len() {
            let v = verdict(id, &Numbers::new());
            assert!(!v.starts_with("holds"), "claim {id}: {v}");
        }
    }

    fn claim1_passing() -> Numbers {
        n(&[
            ("hebb_cosine_to_euclidean_gradient_of_half_y_squared", 1.0),
            (
                "oja_vs_half_rayleigh_gradient_on_sphere_relative_error",
                1e-9,
            ),
            ("oja_expected_field_jacobian_asymmetry", 0.5),
            ("bcm_vs_intrator_cooper_gradient_relative_error", 1e-9),
        ])
    }

    #[test]
    fn verdict1_rule() {
        let ok = claim1_passing();
        assert!(verdict1(&ok).starts_with("holds, each rule"));
        assert!(verdict1(&ok).contains("not the gradient of any function"));
        assert!(
            !verdict1(&with(&ok, "oja_expected_field_jacobian_asymmetry", 0.0))
                .contains("not the gradient of any function")
        );
        for (k, bad) in [
            ("hebb_cosine_to_euclidean_gradient_of_half_y_squared", 0.99),
            (
                "oja_vs_half_rayleigh_gradient_on_sphere_relative_error",
                1e-3,
            ),
            ("bcm_vs_intrator_cooper_gradient_relative_error", 1e-3),
        ] {
            assert!(
                verdict1(&with(&ok, k, bad)).starts_with("does not hold"),
                "{k}"
            );
        }
    }

    /// Claim 1 as measured: every rule matches its objective's gradient by central differences.
    #[test]
    fn claim1_numbers() {
        let c = claim1(0).unwrap();
        let x = |k: &str| c.numbers[k];
        assert!(x("hebb_cosine_to_euclidean_gradient_of_half_y_squared") > 1.0 - 1e-9);
        assert!(x("oja_vs_half_rayleigh_gradient_on_sphere_relative_error") < 1e-7);
        assert!(x("bcm_vs_intrator_cooper_gradient_relative_error") < 1e-7);
        assert!(x("oja_expected_field_jacobian_asymmetry") > 1e-3);
        assert_eq!(c.verdict, verdict1(&c.numbers));
        assert!(c.verdict.starts_with("holds, each rule"), "{}", c.verdict);
    }

    fn claim2_passing() -> Numbers {
        n(&[
            ("pc_zil_vs_backprop_max_layer_relative_error", 1e-14),
            ("pc_fpa_vs_backprop_max_layer_relative_error", 1e-11),
            ("ep_one_sided_order_in_beta", 1.0),
            ("ep_symmetric_order_in_beta", 2.0),
            ("chl_order_in_gamma", 1.0),
            ("ep_one_sided_error_at_beta_0.0125", 0.01),
            ("ep_symmetric_error_at_beta_0.0125", 0.001),
            ("chl_error_at_gamma_0.025", 0.01),
        ])
    }

    #[test]
    fn verdict2_rule() {
        let ok = claim2_passing();
        assert!(verdict2(&ok).starts_with("holds, exactly in some circuits"));
        let no_exact = with(&ok, "pc_zil_vs_backprop_max_layer_relative_error", 1e-3);
        assert!(verdict2(&no_exact).starts_with("holds only in the limit"));
        let no_limit = with(&ok, "ep_symmetric_order_in_beta", 0.2);
        assert!(verdict2(&no_limit).starts_with("holds only exactly"));
        let neither = with(&no_exact, "chl_error_at_gamma_0.025", 0.2);
        assert_eq!(verdict2(&neither), "does not hold");
    }

    /// Claim 2 as measured: Z-IL and FPA are exact, EP one-sided first order, symmetric second.
    #[test]
    fn claim2_numbers() {
        let c = claim2(0).unwrap();
        let x = |k: &str| c.numbers[k];
        assert!(x("pc_zil_vs_backprop_max_layer_relative_error") < 1e-12);
        assert!(x("pc_fpa_vs_backprop_max_layer_relative_error") < 1e-9);
        assert!(x("ep_one_sided_order_in_beta") > 0.8);
        assert!(x("ep_symmetric_order_in_beta") > 1.5);
        assert_eq!(c.verdict, verdict2(&c.numbers));
        assert!(c.verdict.starts_with("holds, exactly"), "{}", c.verdict);
    }

    fn claim3_passing() -> Numbers {
        let mut v = vec![("bp_seeds_missing_target", 0.0)];
        for (r, ratio) in [
            ("pc", 40.0),
            ("ep", 30.0),
            ("ep_sym", 50.0),
            ("chl", 20.0),
            ("pc_zil", 2.0),
        ] {
            v.push((
                Box::leak(format!("{r}_synaptic_ops_ratio_to_bp").into_boxed_str()),
                ratio,
            ));
            v.push((
                Box::leak(format!("{r}_seeds_missing_target").into_boxed_str()),
                0.0,
            ));
        }
        n(&v)
    }

    #[test]
    fn verdict3_rule() {
        let ok = claim3_passing();
        assert!(verdict3(&ok).starts_with("holds for the relaxation-based rules"));
        assert!(verdict3(&ok).contains("even Z-IL costs 2.0x"));
        assert!(
            verdict3(&with(&ok, "pc_zil_synaptic_ops_ratio_to_bp", 1.0))
                .contains("Z-IL, which gives")
        );
        let miss = with(&ok, "ep_seeds_missing_target", 2.0);
        assert!(verdict3(&miss).contains("ep missed the target in 2 seeds"));
        let cheap = with(&ok, "chl_synaptic_ops_ratio_to_bp", 1.5);
        assert!(verdict3(&cheap).starts_with("holds only for"));
        let mut none = ok.clone();
        for r in ["pc", "ep", "ep_sym", "chl"] {
            none.insert(format!("{r}_synaptic_ops_ratio_to_bp"), 1.0);
        }
        assert!(verdict3(&none).starts_with("does not hold"));
        assert!(verdict3(&with(&ok, "bp_seeds_missing_target", 1.0)).starts_with("inconclusive"));
    }

    fn claim5_passing() -> Numbers {
        n(&[
            ("seeds", 5.0),
            ("bp_mean_test_accuracy", 0.98),
            ("bp_std_test_accuracy", 0.005),
            ("fa_mean_test_accuracy", 0.975),
            ("fa_std_test_accuracy", 0.005),
            ("dfa_mean_test_accuracy", 0.975),
            ("dfa_std_test_accuracy", 0.005),
            ("ss_mean_test_accuracy", 0.976),
            ("ss_std_test_accuracy", 0.005),
            ("readout_mean_test_accuracy", 0.95),
            ("readout_std_test_accuracy", 0.005),
            ("fa_hidden_angle_first_epoch_deg", 88.0),
            ("fa_hidden_angle_last_epoch_deg", 70.0),
            ("kp_mean_test_accuracy", 0.978),
            ("kp_std_test_accuracy", 0.005),
            ("kp_hidden_angle_last_epoch_deg", 5.0),
            ("wm_mean_test_accuracy", 0.977),
            ("wm_std_test_accuracy", 0.005),
            ("wm_hidden_angle_last_epoch_deg", 12.0),
        ])
    }

    #[test]
    fn verdict5_rule() {
        let ok = claim5_passing();
        assert!(verdict5(&ok).starts_with("holds that weight transport is not needed"));
        // Within 3 SE of the readout control (SE of the difference 0.0032): not learning.
        let near = with(&ok, "dfa_mean_test_accuracy", 0.958);
        assert!(verdict5(&near).starts_with("does not hold as a counter-argument here: dfa"));
        let far = with(&ok, "dfa_mean_test_accuracy", 0.961);
        assert!(verdict5(&far).starts_with("holds that"));
        assert!(
            verdict5(&with(&ok, "fa_hidden_angle_last_epoch_deg", 85.0))
                .starts_with("holds only in part")
        );
        assert!(verdict5(&with(&ok, "bp_mean_test_accuracy", 0.951)).starts_with("inconclusive"));
        // The fixes' clause: both recover (< 20 degrees, below FA's, beyond the control) ...
        assert!(verdict5(&ok).contains("fixes recover backprop's teaching signal"));
        // ... not at 20 degrees or more, not above FA's angle, not within 3 SE of the control.
        for (fa, k, x) in [
            (70.0, "kp_hidden_angle_last_epoch_deg", 20.0),
            (19.8, "wm_hidden_angle_last_epoch_deg", 19.9),
            (70.0, "wm_mean_test_accuracy", 0.958),
        ] {
            let v = verdict5(&with(
                &with(&ok, "fa_hidden_angle_last_epoch_deg", fa),
                k,
                x,
            ));
            assert!(v.contains("did not all recover"), "{k} {x}: {v}");
        }
        assert!(
            verdict5(&with(&ok, "wm_hidden_angle_last_epoch_deg", 19.9)).contains("fixes recover")
        );
        let v = verdict5(&with(&ok, "kp_hidden_angle_last_epoch_deg", 21.0));
        assert!(
            v.starts_with("holds that") && v.contains("here (kp not below"),
            "{v}"
        );
    }

    /// Claims 3 and 5 at test sizes (1000 digits, 64 hidden units, 12 epochs, 2 seeds): the
    /// hardware-independent costs and the readout control are measured, and the verdicts follow
    /// from the numbers.
    #[test]
    fn claim3_and_5_numbers() {
        let p = ClaimsParams {
            epochs: 12,
            max_samples: Some(1000),
            seeds: 2,
            hidden: 64,
            target_accuracy: 0.8,
            ..ClaimsParams::default()
        };
        let c3 = claim3(&p, &NoProgress).unwrap();
        let x = |k: &str| c3.numbers[k];
        assert_eq!(x("bp_sweeps_per_update"), 0.0);
        assert_eq!(x("bp_synaptic_ops_ratio_to_bp"), 1.0);
        // EP relaxes for many sweeps; Z-IL for exactly L = 2.
        assert!(x("ep_sweeps_per_update") > 5.0, "{:?}", c3.numbers);
        assert_eq!(x("pc_zil_sweeps_per_update"), 2.0);
        assert!(x("ep_synaptic_ops_ratio_to_bp") > 3.0);
        assert_eq!(c3.verdict, verdict3(&c3.numbers));
        let c5 = claim5(&p, &NoProgress).unwrap();
        let y = |k: &str| c5.numbers[k];
        assert!(y("readout_mean_test_accuracy") > 0.3, "{:?}", c5.numbers);
        assert!(y("bp_mean_test_accuracy") > y("readout_mean_test_accuracy"));
        assert!(
            y("fa_hidden_angle_last_epoch_deg") < 90.0,
            "{:?}",
            c5.numbers
        );
        // The whole-network angle is inflated by the exact readout update.
        assert!(y("fa_whole_network_angle_last_epoch_deg") < y("fa_hidden_angle_last_epoch_deg"));
        // The weight-transport fixes bring the hidden-layer update closer to backprop's than FA.
        for fix in ["kp", "wm"] {
            assert!(
                y(&format!("{fix}_hidden_angle_last_epoch_deg"))
                    < y("fa_hidden_angle_last_epoch_deg"),
                "{fix}: {:?}",
                c5.numbers
            );
        }
        assert_eq!(c5.verdict, verdict5(&c5.numbers));
    }

    /// Claim 6 at test sizes: selection follows the smoothed gradient in expectation, the linear
    /// calibration matches i / sqrt(i^2 + (d-1)/k), the random-selection control is null.
    #[test]
    fn claim6_numbers() {
        let c = claim6(0, &evolution::EvolutionSizes::small()).unwrap();
        let x = |k: &str| c.numbers[k];
        assert!(
            c.verdict.starts_with("holds in expectation"),
            "{}: {:?}",
            c.verdict,
            c.numbers
        );
        assert!((x("selection_intensity") - 1.400).abs() < 1e-3);
        assert!(x("rastrigin_ga_lambda400_mean_cosine") > 0.5);
        assert!(x("rastrigin_random_selection_lambda400_mean_cosine").abs() < 0.1);
        // Exact E|u_1| at d = 20 (Gamma(10) / (sqrt(pi) Gamma(10.5))) vs its approximation.
        assert!((x("es_one_pair_exact_cosine") - 0.180_7).abs() < 1e-3);
        assert_eq!(c.verdict, verdict6(&c.numbers));
    }

    #[test]
    fn exact_one_pair_cosine_matches_known_values() {
        assert!((evolution::exact_one_pair_cosine(1) - 1.0).abs() < 1e-15);
        assert!((evolution::exact_one_pair_cosine(2) - 2.0 / std::f64::consts::PI).abs() < 1e-15);
        assert!((evolution::exact_one_pair_cosine(3) - 0.5).abs() < 1e-15);
        // Large d: sqrt(2 / (pi d)).
        let d = 10_000;
        assert!(
            (evolution::exact_one_pair_cosine(d)
                / (2.0 / (std::f64::consts::PI * d as f64)).sqrt()
                - 1.0)
                .abs()
                < 1e-3
        );
    }

    #[test]
    fn verdict6_rule() {
        let c = claim6(1, &evolution::EvolutionSizes::small()).unwrap();
        assert!(verdict6(&c.numbers).starts_with("holds in expectation"));
        let top = "rosenbrock_cmaes_lambda400_mean_cosine";
        assert!(verdict6(&with(&c.numbers, top, 0.0)).starts_with("does not hold"));
        let ctrl = "rastrigin_random_selection_lambda400_mean_cosine";
        assert!(verdict6(&with(&c.numbers, ctrl, 0.5)).starts_with("does not hold"));
        let cal = "linear_ga_lambda10_mean_cosine";
        let pred = c.numbers["linear_ga_lambda10_predicted_cosine"];
        assert!(verdict6(&with(&c.numbers, cal, pred + 0.06)).starts_with("does not hold"));
        assert!(verdict6(&with(&c.numbers, cal, pred + 0.04)).starts_with("holds"));
        let rise = "rastrigin_ga_lambda100_mean_cosine";
        assert!(verdict6(&with(&c.numbers, rise, 0.99)).starts_with("does not hold"));
    }

    fn claim7_passing() -> Numbers {
        let mut v = vec![("seeds", 30.0), ("budget_evaluations", 10_000.0)];
        let names: Vec<String> = disjoint::PROBLEMS
            .iter()
            .flat_map(|(p, _)| {
                ["gd", "multistart_gd", "smoothed_gd", "ga", "cmaes"]
                    .map(|m| format!("{p}_{m}_success_rate"))
            })
            .collect();
        for k in &names {
            let x = if k.contains("_gd_") || k.contains("gd_success") {
                0.0
            } else {
                1.0
            };
            v.push((k.as_str(), x));
        }
        n(&v)
    }

    #[test]
    fn verdict7_rule() {
        let ok = claim7_passing();
        assert!(verdict7(&ok).starts_with("holds: "), "{}", verdict7(&ok));
        // Plain GD succeeding on a step function: does not hold.
        let bad = with(&ok, "step_sphere_gd_success_rate", 0.3);
        assert!(verdict7(&bad).starts_with("does not hold"));
        assert!(verdict7(&with(&ok, "step_sphere_gd_success_rate", 0.2)).starts_with("holds: "));
        // Smoothed GD matching evolution on one problem: holds in part (a tie).
        let part = with(&ok, "traps_smoothed_gd_success_rate", 0.9);
        let v = verdict7(&part);
        assert!(v.starts_with("holds in part"), "{v}");
        assert!(v.contains("ties on: traps"), "{v}");
        // The margin: a difference of 0.2 is a tie, 0.21 with 30 seeds is not (2 SE = 0.15).
        let edge = with(&ok, "nk_multistart_gd_success_rate", 0.8);
        assert!(verdict7(&edge).contains("ties on: nk"));
        let edge = with(&ok, "nk_multistart_gd_success_rate", 0.79);
        assert!(verdict7(&edge).starts_with("holds: "));
        // Gradient methods matching everywhere: holds only against plain GD.
        let mut all = ok.clone();
        for (p, _) in disjoint::PROBLEMS {
            all.insert(format!("{p}_multistart_gd_success_rate"), 1.0);
        }
        assert!(verdict7(&all).starts_with("holds only against plain gradient descent"));
        // Gradient methods winning: listed as losses.
        let loss = with(
            &with(&ok, "onemax_ga_success_rate", 0.1),
            "onemax_cmaes_success_rate",
            0.1,
        );
        let loss = with(&loss, "onemax_smoothed_gd_success_rate", 1.0);
        assert!(
            verdict7(&loss).contains("loses on: onemax"),
            "{}",
            verdict7(&loss)
        );
    }

    /// Claim 7 at small sizes (12 seeds, 3,000 evaluations): plain GD never moves on the step
    /// functions, multi-start GD solves the 25-box disjoint domain (few boxes) but not the
    /// 3,125-box one, smoothed GD and CMA-ES solve the step sphere, OneMax is solved by the
    /// relaxation and by restarted steepest descent, and random search fails where the budget is
    /// far below the inverse hit probability (traps, disjoint_many).
    #[test]
    fn claim7_numbers() {
        let c = claim7(0, &disjoint::DisjointSizes::small()).unwrap();
        let r = |k: &str| c.numbers[k];
        assert_eq!(r("step_sphere_gd_success_rate"), 0.0);
        assert_eq!(r("step_rastrigin_gd_success_rate"), 0.0);
        assert!(
            r("disjoint_few_multistart_gd_success_rate") >= 0.9,
            "{:?}",
            c.numbers
        );
        assert!(
            r("disjoint_many_multistart_gd_success_rate") <= 0.5,
            "{:?}",
            c.numbers
        );
        assert!(
            r("step_sphere_smoothed_gd_success_rate") >= 0.9,
            "{:?}",
            c.numbers
        );
        assert!(
            r("step_sphere_cmaes_success_rate") >= 0.9,
            "{:?}",
            c.numbers
        );
        assert!(
            r("onemax_smoothed_gd_success_rate") >= 0.9,
            "{:?}",
            c.numbers
        );
        assert!(
            r("onemax_multistart_gd_success_rate") >= 0.9,
            "{:?}",
            c.numbers
        );
        assert_eq!(r("traps_random_success_rate"), 0.0);
        assert_eq!(r("disjoint_many_random_success_rate"), 0.0);
        // Tuning (on seeds other than the reported ones): every method's chosen scale is on the
        // grid, methods without a setting keep their default, and the GA's tuned mutation scale
        // on the many-box domain does at least as well as its default on the reported seeds.
        for (p, family) in disjoint::PROBLEMS {
            for m in ["gd", "multistart_gd", "smoothed_gd", "ga", "random"] {
                let sc = r(&format!("{p}_{m}_tuned_scale"));
                assert!(disjoint::SCALES.contains(&sc), "{p} {m} {sc}");
                if m == "random"
                    || (family == "combinatorial" && (m == "gd" || m == "multistart_gd"))
                {
                    assert_eq!(sc, 1.0, "{p} {m}");
                }
            }
        }
        assert!(
            r("disjoint_many_ga_success_rate") >= r("disjoint_many_ga_fixed_success_rate"),
            "{:?}",
            c.numbers
        );
        assert_eq!(c.verdict, verdict7(&c.numbers));
    }

    #[test]
    fn verdict8_rule() {
        let ok = n(&[
            ("improvement_strong_over_weak", 100.0),
            ("largest_real_eigenvalue_weak", -0.1),
            ("largest_real_eigenvalue_strong", -0.01),
            ("transient_gain_simulated", 2.7),
            ("transient_gain_relative_error", 0.01),
        ]);
        assert!(verdict8(&ok).starts_with("holds"));
        for (k, bad) in [
            ("improvement_strong_over_weak", 9.0),
            ("largest_real_eigenvalue_strong", 0.01),
            ("transient_gain_simulated", 0.9),
            ("transient_gain_relative_error", 0.06),
        ] {
            assert_eq!(verdict8(&with(&ok, k, bad)), "does not hold", "{k}");
        }
    }

    #[test]
    fn claim8_numbers() {
        let c = claim8().unwrap();
        assert!(
            c.numbers["improvement_strong_over_weak"] >= 10.0,
            "{:?}",
            c.numbers
        );
        assert!(c.verdict.starts_with("holds"), "{}", c.verdict);
        assert_eq!(c.verdict, verdict8(&c.numbers));
    }

    fn claim10_passing() -> Numbers {
        n(&[
            ("rate_part_max_deviation_in_se", 1.5),
            ("triplet_sign_matches_bcm_threshold", 1.0),
            ("corr_minus_uncorr_drift_per_s", 2.4e-3),
            ("corr_minus_uncorr_drift_se", 1e-4),
            ("corr_minus_uncorr_drift_predicted", 2.5e-3),
            ("control_c0_difference_per_s", 1e-4),
            ("control_c0_difference_se", 1e-4),
            ("control_shuffled_difference_per_s", 1e-4),
            ("control_shuffled_difference_se", 1e-4),
        ])
        .into_iter()
        .chain(stdp::plastic_passing())
        .collect()
    }

    #[test]
    fn verdict10_rule() {
        let ok = claim10_passing();
        assert!(verdict10(&ok).starts_with("holds for what a simulation can show"));
        let unimodal = with(&ok, "plastic_additive_frac_low_mean", 0.1);
        assert!(verdict10(&unimodal).starts_with("holds only for the drifts"));
        // 9 SE: not resolved.
        let weak = with(&ok, "corr_minus_uncorr_drift_se", 2.4e-3 / 9.0);
        assert!(verdict10(&weak).starts_with("holds only for the rate part"));
        let off = with(&ok, "corr_minus_uncorr_drift_predicted", 2.9e-3);
        assert!(verdict10(&off).starts_with("holds only for the rate part"));
        let ctrl = with(&ok, "control_c0_difference_per_s", 5e-4);
        assert!(verdict10(&ctrl).starts_with("holds only for the rate part"));
        let shuf = with(&ok, "control_shuffled_difference_per_s", 4.1e-4);
        assert!(verdict10(&shuf).starts_with("holds only for the rate part"));
        let shuf_ok = with(&ok, "control_shuffled_difference_per_s", -3.9e-4);
        assert!(verdict10(&shuf_ok).starts_with("holds for what a simulation can show"));
        assert_eq!(
            verdict10(&with(&ok, "rate_part_max_deviation_in_se", 4.5)),
            "does not hold"
        );
        assert_eq!(
            verdict10(&with(&ok, "triplet_sign_matches_bcm_threshold", 0.0)),
            "does not hold"
        );
    }

    /// Claim 10 at test sizes (5 runs of 40 s; rate part 3 x 100 s): the correlation term is
    /// resolved at >= 10 SE and matches its prediction; the c = 0 control is null.
    #[test]
    fn claim10_numbers() {
        let c = claim10(0, &stdp::StdpSizes::small()).unwrap();
        let x = |k: &str| c.numbers[k];
        assert!(x("corr_signal_in_se") >= 10.0, "{:?}", c.numbers);
        assert!(
            (x("corr_minus_uncorr_drift_per_s") - x("corr_minus_uncorr_drift_predicted")).abs()
                <= 4.0 * x("corr_minus_uncorr_drift_se"),
            "{:?}",
            c.numbers
        );
        assert!(x("control_c0_difference_per_s").abs() <= 4.0 * x("control_c0_difference_se"));
        // Control (c): shuffling each input's spike times keeps the rates and removes the
        // correlated group's advantage (null within 4 SE, and at most a tenth of the effect).
        assert!(
            x("control_shuffled_difference_per_s").abs()
                <= 4.0 * x("control_shuffled_difference_se"),
            "{:?}",
            c.numbers
        );
        assert!(
            x("control_shuffled_difference_per_s").abs() < 0.1 * x("corr_minus_uncorr_drift_per_s"),
            "{:?}",
            c.numbers
        );
        assert_eq!(c.verdict, verdict10(&c.numbers));
        // The plastic part's own guard is `stdp::tests::plastic_run_guard`; at these sizes it is
        // not required to be bimodal.
        assert!(c.verdict.starts_with("holds"), "{}", c.verdict);
    }

    fn claim13_passing() -> Numbers {
        n(&[
            ("weights", 300.0),
            ("nodes", 25.0),
            ("wp_error_slope", -0.5),
            ("np_error_slope", -0.5),
            ("wp_final_cosine_mean", 0.99),
            ("np_final_cosine_mean", 0.99),
            ("control_relative_error_final", 1.0),
            ("control_final_cosine_mean", 0.05),
            ("wp_variance_measured_over_predicted_mean", 1.02),
            ("np_variance_measured_over_predicted_mean", 0.98),
            ("wp_over_np_variance_mean", 10.0),
            ("wp_over_np_variance_predicted_mean", 10.0),
        ])
    }

    #[test]
    fn verdict13_rule() {
        let ok = claim13_passing();
        assert!(verdict13(&ok).starts_with("holds"), "{}", verdict13(&ok));
        for (k, bad, good) in [
            ("wp_error_slope", -0.3, -0.41),
            ("np_error_slope", -0.65, -0.59),
            ("np_final_cosine_mean", 0.89, 0.91),
            ("control_relative_error_final", 0.89, 0.91),
            ("control_final_cosine_mean", 0.31, 0.29),
            ("wp_variance_measured_over_predicted_mean", 1.16, 1.14),
            ("np_variance_measured_over_predicted_mean", 0.84, 0.86),
            ("wp_over_np_variance_mean", 0.9, 1.1),
        ] {
            assert!(
                verdict13(&with(&ok, k, bad)).starts_with("does not hold"),
                "{k}"
            );
            assert!(verdict13(&with(&ok, k, good)).starts_with("holds"), "{k}");
        }
    }

    /// Claim 13 at small sizes (5 networks, 10,000 estimates each): both estimators converge to
    /// the backprop gradient as 1/sqrt(N), the decorrelated control does not, the variances
    /// match their closed forms, and weight perturbation is the noisier (300 weights, 25 nodes).
    #[test]
    fn claim13_numbers() {
        let c = claim13(0, &perturbation::PerturbationSizes::small()).unwrap();
        let r = |k: &str| c.numbers[k];
        assert!((r("wp_error_slope") + 0.5).abs() < 0.1, "{:?}", c.numbers);
        assert!((r("np_error_slope") + 0.5).abs() < 0.1, "{:?}", c.numbers);
        assert!(r("control_relative_error_final") > 0.9, "{:?}", c.numbers);
        for e in ["wp", "np"] {
            let m = r(&format!("{e}_variance_measured_over_predicted_mean"));
            assert!((m - 1.0).abs() < 0.15, "{e}: {m}");
        }
        let ratio = r("wp_over_np_variance_mean") / r("wp_over_np_variance_predicted_mean");
        assert!((ratio - 1.0).abs() < 0.2, "{ratio}");
        assert!(c.verdict.starts_with("holds"), "{}", c.verdict);
        assert_eq!(c.verdict, verdict13(&c.numbers));
    }

    #[test]
    fn verdict14_rule() {
        let mut v = vec![
            ("ws", 2.0),
            ("control_w0_gain", 1.0),
            ("control_w0_decay_1_over_e_tau", 1.0),
            ("control_normal_same_eigenvalues_gain", 1.0),
            ("macaque_fixed_reaches_gain", 1.0),
            ("macaque_fixed_24c_decay_s", 0.6),
            ("macaque_strong_24c_decay_s", 0.2),
            ("macaque_fixed_24c_latency_s", 0.3),
            ("macaque_strong_24c_latency_s", 0.2),
        ];
        let keys: Vec<(String, f64)> = [(0, 2.0), (1, 6.4)]
            .iter()
            .flat_map(|&(i, g)| {
                [
                    ("balanced_gain", g),
                    ("hebbian_gain", g),
                    ("balanced_decay_asymptotic_tau", 1.0),
                    ("hebbian_decay_asymptotic_tau", g),
                    ("balanced_decay_1_over_e_tau", 1.8),
                    ("hebbian_decay_1_over_e_tau", g),
                ]
                .map(|(k, x)| (format!("w{i}_{k}"), x))
            })
            .collect();
        for (k, x) in &keys {
            v.push((k.as_str(), *x));
        }
        let ok = n(&v);
        assert!(verdict14(&ok).starts_with("holds: "), "{}", verdict14(&ok));
        for (k, bad, good) in [
            ("w1_hebbian_gain", 6.5, 6.45),
            ("w1_balanced_decay_asymptotic_tau", 1.11, 1.09),
            ("w1_hebbian_decay_asymptotic_tau", 5.7, 5.8),
            ("w1_hebbian_decay_1_over_e_tau", 5.7, 5.8),
            // The balanced decay growing with gain: 1.8 -> 2.26 is 1.256x.
            ("w1_balanced_decay_1_over_e_tau", 2.26, 2.24),
            ("control_w0_gain", 1.03, 1.01),
            ("control_normal_same_eigenvalues_gain", 1.01, 0.99),
        ] {
            assert!(
                verdict14(&with(&ok, k, bad)).starts_with("does not hold"),
                "{k}"
            );
            assert!(verdict14(&with(&ok, k, good)).starts_with("holds: "), "{k}");
        }
        // The gain must grow over the sweep for "does not grow with gain" to mean anything.
        let flat = with(
            &with(&with(&ok, "w1_balanced_gain", 3.9), "w1_hebbian_gain", 3.9),
            "w1_hebbian_decay_asymptotic_tau",
            3.9,
        );
        let flat = with(&flat, "w1_hebbian_decay_1_over_e_tau", 3.9);
        assert!(verdict14(&flat).starts_with("does not hold"));
        // The macaque part alone failing: holds in the two-population model only.
        let two = with(&ok, "macaque_fixed_24c_decay_s", 0.29);
        assert!(verdict14(&two).starts_with("holds in the two-population model only"));
        assert!(verdict14(&with(&ok, "macaque_fixed_24c_decay_s", 0.31)).starts_with("holds: "));
        let unreachable = with(&two, "macaque_fixed_reaches_gain", 0.0);
        assert!(verdict14(&unreachable).starts_with("holds: "));
    }

    /// Claim 14 at small sizes: the two-population numbers match their closed forms (Hebbian
    /// decay `G tau`, balanced `tau`; Murphy & Miller's gain 6.42) and the macaque comparison
    /// runs on the linearised model (strong GBA's 24c/V1 ratio near the rectified model's
    /// 0.0102).
    #[test]
    fn claim14_numbers() {
        let c = claim14(&amplification::AmplificationSizes::small()).unwrap();
        let r = |k: &str| c.numbers[k];
        assert!(
            (r("w2_balanced_gain") - 6.42).abs() < 0.01,
            "{:?}",
            c.numbers
        );
        assert!((r("w2_hebbian_decay_asymptotic_tau") - 6.42).abs() < 0.2);
        assert!((r("w2_balanced_decay_asymptotic_tau") - 1.0).abs() < 0.05);
        assert!(r("control_normal_same_eigenvalues_gain") <= 1.0 + 1e-9);
        let ratio = r("macaque_strong_ratio_24c_v1");
        assert!(ratio > 0.005 && ratio < 0.02, "{ratio}");
        assert_eq!(c.verdict, verdict14(&c.numbers));
    }

    fn claim15_passing() -> Numbers {
        n(&[
            ("seeds", 4.0),
            ("draws", 4.0),
            ("mlp_random_lesion_0pct_accuracy_mean", 0.97),
            ("mlp_random_lesion_25pct_accuracy_mean", 0.90),
            ("mlp_targeted_lesion_25pct_accuracy_mean", 0.80),
            ("mlp_random_lesion_25pct_accuracy_sd", 0.03),
            ("mlp_targeted_lesion_25pct_accuracy_sd", 0.04),
            ("mlp_random_50pct_worst_class_excess_drop_mean", 0.1),
            ("macaque_areas_lesioned_singly", 27.0),
            ("macaque_single_lesion_24c_relative_min", 0.3),
            ("macaque_single_lesion_24c_relative_median", 0.8),
            ("macaque_single_lesions_halving_24c", 1.0),
            ("macaque_targeted_3_lesion_24c_relative", 0.1),
            ("macaque_random_3_lesion_24c_relative_mean", 0.5),
            ("macaque_random_3_lesion_24c_relative_sd", 0.2),
        ])
    }

    #[test]
    fn verdict15_rule() {
        let ok = claim15_passing();
        assert!(verdict15(&ok).starts_with("holds"), "{}", verdict15(&ok));
        // 3 SE of the difference: sqrt(0.03^2 + 0.04^2)/sqrt(4) = 0.025, so 0.075.
        // 2 SE over the 4 draws: 2 * 0.2 / 2 = 0.2.
        for (k, bad, good) in [
            ("mlp_targeted_lesion_25pct_accuracy_mean", 0.826, 0.824),
            ("mlp_random_50pct_worst_class_excess_drop_mean", -0.01, 0.01),
            ("macaque_single_lesion_24c_relative_min", 0.51, 0.49),
            ("macaque_targeted_3_lesion_24c_relative", 0.31, 0.29),
        ] {
            assert!(
                verdict15(&with(&ok, k, bad)).starts_with("does not hold"),
                "{k}"
            );
            assert!(verdict15(&with(&ok, k, good)).starts_with("holds"), "{k}");
        }
    }

    /// Claim 15 at small sizes (2 networks of 32 hidden units, 4 epochs): the intact network
    /// learns (> 0.9), a targeted 50 % lesion is worse than a random one, a 90 % random lesion
    /// costs more than a 10 % one, and in the macaque model some single-area lesion cuts the V1
    /// pulse's 24c peak.
    #[test]
    fn claim15_numbers() {
        let c = claim15(0, &lesions::LesionSizes::small()).unwrap();
        let r = |k: &str| c.numbers[k];
        assert!(
            r("mlp_random_lesion_0pct_accuracy_mean") > 0.9,
            "{:?}",
            c.numbers
        );
        assert!(
            r("mlp_targeted_lesion_50pct_accuracy_mean")
                < r("mlp_random_lesion_50pct_accuracy_mean"),
            "{:?}",
            c.numbers
        );
        assert!(
            r("mlp_random_lesion_90pct_accuracy_mean") < r("mlp_random_lesion_10pct_accuracy_mean")
        );
        assert!(
            r("macaque_single_lesion_24c_relative_min") < 0.9,
            "{:?}",
            c.numbers
        );
        assert_eq!(c.verdict, verdict15(&c.numbers));
    }
}
