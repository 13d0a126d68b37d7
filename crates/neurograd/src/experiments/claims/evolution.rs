//! Claim 6: does evolution descend a gradient? Selection, not finite differences: a population
//! `x_i = μ + σ ε_i` (`ε_i ~ N(0, I_d)`) is evaluated, the best fraction `p` is kept (truncation
//! selection, a GA without crossover whose mutation is the Gaussian sampling), and the new mean is
//! the mean of the selected; CMA-ES's first generation does the same with log-rank weights over
//! the best half (`c_m = 1`, `C = I`). The mean's step `Δμ` is compared with the gradient of the
//! Gaussian-smoothed objective `J_σ(μ) = E f(μ + σ ε)` (minimisation: with `-∇J_σ`), estimated
//! with a separate antithetic sample (the reference), on two non-quadratic objectives (Rastrigin,
//! rugged; Rosenbrock, a curved valley) and on a linear one (calibration: `∇J_σ = a` exactly).
//!
//! For a linear objective the selected mean moves by `σ i(p)` along the gradient, where `i(p)`
//! is the selection intensity (`φ(z_p)/p`, 1.40 at `p = 0.2`), plus noise of variance `σ²/k` in
//! each of the `d - 1` orthogonal directions (`k = pλ` selected), so
//! `cos ≈ i / sqrt(i² + (d - 1)/k) ≈ i sqrt(k/d)` for `k ≪ d`: the `sqrt(n/d)` scaling that
//! makes one generation's step nearly orthogonal to the gradient at network sizes (ES has cosine
//! 0.049 to backprop on the 64-256-10 network in `compare`). Lande (1979): `Δz̄ = G β` with
//! `β = ∇ ln W̄`; with `G = P` this is a natural-gradient step on log mean fitness, and IGO
//! (Ollivier et al. 2017) makes CMA-ES and NES natural-gradient ascent on a rank-transformed,
//! time-dependent objective (Wierstra et al. 2014).
//!
//! Negative control: select a random subset of the same size (mean cosine 0, SD about `1/sqrt(d)`).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{Claim, Numbers, claim, num};
use crate::Result;

/// Sizes of claim 6's experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct EvolutionSizes {
    /// Dimension.
    pub dim: usize,
    /// Population sizes (increasing).
    pub lambdas: Vec<usize>,
    /// Independent generations per population size (cosine mean and SE over them).
    pub trials: usize,
    /// Antithetic pairs of the reference `∇J_σ`.
    pub reference_pairs: usize,
}

impl EvolutionSizes {
    /// The CLI's sizes: `d = 100`, `λ = 10, 100, 1000`, 200 generations, 10⁵ reference pairs.
    pub fn full() -> Self {
        Self {
            dim: 100,
            lambdas: vec![10, 100, 1000],
            trials: 200,
            reference_pairs: 100_000,
        }
    }

    /// The unit test's sizes: `d = 20`, `λ = 10, 100, 400`, 100 generations, 20,000 pairs.
    pub fn small() -> Self {
        Self {
            dim: 20,
            lambdas: vec![10, 100, 400],
            trials: 100,
            reference_pairs: 20_000,
        }
    }
}

/// An objective to minimise.
type Objective<'a> = dyn Fn(&[f64]) -> f64 + 'a;

/// Truncation fraction.
const P: f64 = 0.2;
/// Mutation (smoothing) scale.
const SIGMA: f64 = 0.3;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    dot / (na * nb)
}

/// `i(p) = φ(z_p)/p`, `z_p` the upper `p` quantile of the standard normal (bisection on erfc).
fn selection_intensity(p: f64) -> f64 {
    let upper = |z: f64| 0.5 * libm_erfc(z / std::f64::consts::SQRT_2);
    let (mut lo, mut hi) = (-10.0_f64, 10.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if upper(mid) > p { lo = mid } else { hi = mid }
    }
    let z = 0.5 * (lo + hi);
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt() / p
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
fn libm_erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398
                                    + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// `E|u_1|` for `u` uniform on the sphere in `d` dimensions: `Γ(d/2) / (sqrt(π) Γ((d+1)/2))`,
/// the exact mean cosine of a one-pair antithetic ES estimate on a linear function.
pub fn exact_one_pair_cosine(d: usize) -> f64 {
    // c_1 = 1, c_2 = 2/π, c_{d+2} = c_d d/(d+1).
    let mut c = if d % 2 == 1 {
        1.0
    } else {
        2.0 / std::f64::consts::PI
    };
    let mut k = if d % 2 == 1 { 1 } else { 2 };
    while k < d {
        c *= k as f64 / (k as f64 + 1.0);
        k += 2;
    }
    c
}

/// How the next mean is formed from a ranked population.
#[derive(Clone, Copy, PartialEq)]
enum Method {
    Truncation,
    Cmaes,
    Random,
}

/// One generation's mean step (divided by σ) from `μ`.
fn mean_step(
    f: &dyn Fn(&[f64]) -> f64,
    mu: &[f64],
    lambda: usize,
    method: Method,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let d = mu.len();
    let eps: Vec<Vec<f64>> = (0..lambda)
        .map(|_| (0..d).map(|_| normal(rng)).collect())
        .collect();
    let vals: Vec<f64> = eps
        .iter()
        .map(|e| {
            let x: Vec<f64> = mu.iter().zip(e).map(|(m, e)| m + SIGMA * e).collect();
            f(&x)
        })
        .collect();
    let mut order: Vec<usize> = (0..lambda).collect();
    order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
    let weights: Vec<(usize, f64)> = match method {
        Method::Truncation | Method::Random => {
            let k = ((P * lambda as f64).round() as usize).max(1);
            if method == Method::Random {
                // A seeded random subset of the same size (the control).
                let mut idx: Vec<usize> = (0..lambda).collect();
                for i in 0..k {
                    let j = rand::RngExt::random_range(rng, i..lambda);
                    idx.swap(i, j);
                }
                idx[..k].iter().map(|&i| (i, 1.0 / k as f64)).collect()
            } else {
                order[..k].iter().map(|&i| (i, 1.0 / k as f64)).collect()
            }
        }
        Method::Cmaes => {
            let mu_count = (lambda / 2).max(1);
            let raw: Vec<f64> = (1..=mu_count)
                .map(|i| ((lambda as f64 + 1.0) / 2.0).ln() - (i as f64).ln())
                .collect();
            let s: f64 = raw.iter().sum();
            order[..mu_count]
                .iter()
                .zip(raw)
                .map(|(&i, w)| (i, w / s))
                .collect()
        }
    };
    let mut step = vec![0.0; d];
    for (i, w) in weights {
        for (s, e) in step.iter_mut().zip(&eps[i]) {
            *s += w * e;
        }
    }
    step
}

/// `-∇J_σ(μ)` by `pairs` antithetic pairs.
fn smoothed_descent(
    f: &dyn Fn(&[f64]) -> f64,
    mu: &[f64],
    pairs: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<f64> {
    let d = mu.len();
    let mut g = vec![0.0; d];
    for _ in 0..pairs {
        let e: Vec<f64> = (0..d).map(|_| normal(rng)).collect();
        let xp: Vec<f64> = mu.iter().zip(&e).map(|(m, e)| m + SIGMA * e).collect();
        let xm: Vec<f64> = mu.iter().zip(&e).map(|(m, e)| m - SIGMA * e).collect();
        let diff = f(&xp) - f(&xm);
        for (gi, ei) in g.iter_mut().zip(&e) {
            *gi -= diff * ei / (2.0 * SIGMA * pairs as f64);
        }
    }
    g
}

fn mean_se(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, (var / n).sqrt())
}

/// Runs claim 6 (see the module docs).
///
/// # Errors
/// Unknown test functions (none: the names are fixed).
pub fn claim6(seed: u64, sizes: &EvolutionSizes) -> Result<Claim> {
    let d = sizes.dim;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let a: Vec<f64> = (0..d).map(|_| normal(&mut rng)).collect();
    let ras = crate::optim::functions::by_name("rastrigin", d)?;
    let ros = crate::optim::functions::by_name("rosenbrock", d)?;
    let linear = |x: &[f64]| x.iter().zip(&a).map(|(x, a)| x * a).sum::<f64>();
    let rastrigin = |x: &[f64]| ras.value(x).unwrap_or(f64::NAN);
    let rosenbrock = |x: &[f64]| ros.value(x).unwrap_or(f64::NAN);
    let objectives: [(&str, &Objective); 3] = [
        ("linear", &linear),
        ("rastrigin", &rastrigin),
        ("rosenbrock", &rosenbrock),
    ];
    let i_p = selection_intensity(P);
    let mut v: Vec<(String, f64)> = vec![
        ("dimension".into(), d as f64),
        ("sigma".into(), SIGMA),
        ("truncation_fraction".into(), P),
        ("selection_intensity".into(), i_p),
        ("trials".into(), sizes.trials as f64),
        ("reference_pairs".into(), sizes.reference_pairs as f64),
        (
            "largest_lambda".into(),
            *sizes.lambdas.last().unwrap_or(&0) as f64,
        ),
    ];
    for (name, f) in objectives {
        let mu: Vec<f64> = (0..d)
            .map(|_| rand::RngExt::random_range(&mut rng, -1.5..1.5))
            .collect();
        let reference = if name == "linear" {
            a.iter().map(|x| -x).collect()
        } else {
            smoothed_descent(f, &mu, sizes.reference_pairs, &mut rng)
        };
        if name != "linear" {
            // The reference's own noise: its cosine to a second, independent estimate.
            let again = smoothed_descent(f, &mu, sizes.reference_pairs, &mut rng);
            v.push((
                format!("{name}_reference_self_cosine"),
                cosine(&reference, &again),
            ));
        }
        for &lambda in &sizes.lambdas {
            for (mname, method) in [
                ("ga", Method::Truncation),
                ("cmaes", Method::Cmaes),
                ("random_selection", Method::Random),
            ] {
                let cs: Vec<f64> = (0..sizes.trials)
                    .map(|_| cosine(&mean_step(f, &mu, lambda, method, &mut rng), &reference))
                    .collect();
                let (m, se) = mean_se(&cs);
                v.push((format!("{name}_{mname}_lambda{lambda}_mean_cosine"), m));
                v.push((format!("{name}_{mname}_lambda{lambda}_cosine_se"), se));
            }
            if name == "linear" {
                let k = (P * lambda as f64).round().max(1.0);
                v.push((
                    format!("linear_ga_lambda{lambda}_predicted_cosine"),
                    i_p / (i_p * i_p + (d as f64 - 1.0) / k).sqrt(),
                ));
            }
        }
    }
    // One antithetic pair on a linear function: the exact mean cosine E|u_1| and the
    // approximation sqrt(n/(n+d+1)) at n = 1.
    let one_pair: Vec<f64> = (0..sizes.trials * 10)
        .map(|_| {
            let e: Vec<f64> = (0..d).map(|_| normal(&mut rng)).collect();
            cosine(&e, &a).abs()
        })
        .collect();
    let (m1, se1) = mean_se(&one_pair);
    v.push(("es_one_pair_mean_cosine".into(), m1));
    v.push(("es_one_pair_cosine_se".into(), se1));
    v.push(("es_one_pair_exact_cosine".into(), exact_one_pair_cosine(d)));
    v.push((
        "es_one_pair_approximate_cosine_sqrt_1_over_d_plus_2".into(),
        (1.0 / (d as f64 + 2.0)).sqrt(),
    ));
    v.push(("lambdas".into(), sizes.lambdas.len() as f64));
    for (i, l) in sizes.lambdas.iter().enumerate() {
        v.push((format!("lambda_{i}"), *l as f64));
    }
    Ok(claim(
        6,
        v,
        "at the largest lambda, for GA (truncation 0.2) and CMA-ES on Rastrigin and Rosenbrock: mean cosine of the mean's step to -grad J_sigma > 5 SE; the GA's cosine on Rastrigin rises with lambda; on the linear calibration the GA's cosine is within 0.05 of i/sqrt(i^2 + (d-1)/k) at every lambda; the random-selection control within 4 SE of 0 at the largest lambda on every objective; the one-pair ES cosine within 4 SE of its exact value -> holds in expectation (cosine ~ i sqrt(k/d) per generation); else does not hold",
    ))
}

/// Claim 6's rule (see the `rule` text in [`claim6`]): `holds in expectation` if every condition
/// holds, else `does not hold`.
pub fn verdict6(n: &Numbers) -> String {
    let count = num(n, "lambdas") as usize;
    let lambdas: Vec<usize> = (0..count)
        .map(|i| num(n, &format!("lambda_{i}")) as usize)
        .collect();
    let Some(&top) = lambdas.last() else {
        return "does not hold: nothing measured".into();
    };
    let c = |o: &str, m: &str, l: usize| num(n, &format!("{o}_{m}_lambda{l}_mean_cosine"));
    let se = |o: &str, m: &str, l: usize| num(n, &format!("{o}_{m}_lambda{l}_cosine_se"));
    let follows = ["rastrigin", "rosenbrock"].iter().all(|o| {
        ["ga", "cmaes"]
            .iter()
            .all(|m| c(o, m, top) > 5.0 * se(o, m, top))
    });
    let rises = lambdas
        .windows(2)
        .all(|w| c("rastrigin", "ga", w[1]) > c("rastrigin", "ga", w[0]));
    let calibrated = lambdas.iter().all(|&l| {
        (c("linear", "ga", l) - num(n, &format!("linear_ga_lambda{l}_predicted_cosine"))).abs()
            < 0.05
    });
    let control = ["linear", "rastrigin", "rosenbrock"]
        .iter()
        .all(|o| c(o, "random_selection", top).abs() < 4.0 * se(o, "random_selection", top));
    let one_pair = (num(n, "es_one_pair_mean_cosine") - num(n, "es_one_pair_exact_cosine")).abs()
        < 4.0 * num(n, "es_one_pair_cosine_se");
    if follows && rises && calibrated && control && one_pair {
        let d = num(n, "dimension");
        format!(
            "holds in expectation, not per step: selection (a truncation GA, CMA-ES) moves the population mean along the gradient of the Gaussian-smoothed objective on rugged and curved functions (d = {d}, lambda = {top}: GA cosine {:.2} on Rastrigin, {:.2} on Rosenbrock; CMA-ES {:.2}, {:.2}; random selection {:.3}), Lande's response to selection as a natural-gradient step; but one generation's step has cosine about i(p) sqrt(k/d) to it (k selected, d dimensions: measured {:.2} at lambda = {}), so at network sizes (d ~ 1e5) each step is nearly orthogonal to the gradient; a single antithetic pair has exact mean cosine {:.4} (not sqrt(1/(d+2)) = {:.4})",
            c("rastrigin", "ga", top),
            c("rosenbrock", "ga", top),
            c("rastrigin", "cmaes", top),
            c("rosenbrock", "cmaes", top),
            c("rastrigin", "random_selection", top),
            c("linear", "ga", lambdas[0]),
            lambdas[0],
            num(n, "es_one_pair_exact_cosine"),
            num(n, "es_one_pair_approximate_cosine_sqrt_1_over_d_plus_2"),
        )
    } else {
        format!(
            "does not hold: selection's mean step does not follow the smoothed gradient as predicted (follows {follows}, rises with lambda {rises}, linear calibration {calibrated}, control null {control}, one-pair exact {one_pair})"
        )
    }
}
