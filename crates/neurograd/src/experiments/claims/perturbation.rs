//! Claim 13: node and weight perturbation (Williams 1992; Fiete & Seung 2006), the biological
//! cousin of evolution strategies. A network does not need a backward pass to follow its
//! gradient: jitter the synapses (weight perturbation, WP) or the neurons' summed inputs (node
//! perturbation, NP), broadcast the change in loss as a global reward signal, and correlate it
//! with the jitter (a three-factor rule: for NP the eligibility is jitter × presynaptic
//! activity). WP on the weights is claim 6's one-pair evolution strategy; NP with an eligibility
//! trace is the reward-modulated Hebbian rule of Fiete & Seung 2006, the link to claim 10.
//!
//! Experiment: a `N-H-M` tanh network (10-20-5, no biases, `P = HN + MH = 300` weights,
//! `n = H + M = 25` nodes), one input `x` and target `t`, loss `L = ½‖y − t‖²`, the backprop
//! gradient `g` exact. Estimators, with Gaussian jitter of size `σ = 1e-5`:
//! - WP: `ĝ = (L(w + σξ) − L(w))/σ · ξ`, `ξ ~ N(0, I_P)`;
//! - NP: `ζ ~ N(0, I_n)` added to the pre-activations, `ĝ_node = (L(ζ) − L)/σ · ζ` and
//!   `ĝ_W(i,:) = ĝ_node,i · aᵢᵀ` (`aᵢ` the presynaptic activity of node `i`);
//! - negative control: WP with the reward of an independent jitter (decorrelated).
//!
//! Predictions (small-`σ` limit, exact for Gaussian jitter): `E ĝ = g` for both; WP variance
//! `E‖ĝ − g‖² = (P + 1)‖g‖²`; NP variance `Σᵢ (‖g_node‖² + g_node,i²) ‖aᵢ‖²` (the variance grows
//! with the number of perturbed variables: weights for WP, nodes for NP). The relative error of
//! the mean of `N` estimates falls as `1/sqrt(N)` (no bias floor); the control's stays near 1.
//! Werfel, Xie & Seung (2005): at optimal learning rates NP is slower than gradient descent by a
//! factor `M` (outputs) and WP by a further factor `N` (inputs); not measured here.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{Claim, Numbers, claim, num};
use crate::Result;

/// Sizes of claim 13's experiment.
#[derive(Debug, Clone, PartialEq)]
pub struct PerturbationSizes {
    /// Independent networks (seeds).
    pub seeds: usize,
    /// Estimates per estimator and seed (the largest `N`).
    pub estimates: usize,
}

impl PerturbationSizes {
    /// The CLI's sizes: 10 seeds, 100,000 estimates each.
    pub fn full() -> Self {
        Self {
            seeds: 10,
            estimates: 100_000,
        }
    }

    /// The unit test's sizes: 5 seeds, 10,000 estimates.
    pub fn small() -> Self {
        Self {
            seeds: 5,
            estimates: 10_000,
        }
    }
}

const N_IN: usize = 10;
const N_HID: usize = 20;
const N_OUT: usize = 5;
const SIGMA: f64 = 1e-5;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

/// The network's weights flattened: `W1` (H × N, row-major) then `W2` (M × H).
struct Net {
    w: Vec<f64>,
    x: Vec<f64>,
    t: Vec<f64>,
}

impl Net {
    fn random(rng: &mut ChaCha8Rng) -> Self {
        let mut w = Vec::with_capacity(N_HID * N_IN + N_OUT * N_HID);
        for _ in 0..N_HID * N_IN {
            w.push(normal(rng) / (N_IN as f64).sqrt());
        }
        for _ in 0..N_OUT * N_HID {
            w.push(normal(rng) / (N_HID as f64).sqrt());
        }
        let x = (0..N_IN).map(|_| normal(rng)).collect();
        let t = (0..N_OUT).map(|_| normal(rng)).collect();
        Self { w, x, t }
    }

    /// Forward pass with weights `w` and node jitter `z` (length `H + M`, or empty): returns
    /// the loss, the hidden activity and the output.
    fn forward(&self, w: &[f64], z: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
        let (w1, w2) = w.split_at(N_HID * N_IN);
        let h: Vec<f64> = (0..N_HID)
            .map(|i| {
                let a: f64 = (0..N_IN).map(|j| w1[i * N_IN + j] * self.x[j]).sum();
                (a + z.get(i).copied().unwrap_or(0.0)).tanh()
            })
            .collect();
        let y: Vec<f64> = (0..N_OUT)
            .map(|k| {
                (0..N_HID).map(|i| w2[k * N_HID + i] * h[i]).sum::<f64>()
                    + z.get(N_HID + k).copied().unwrap_or(0.0)
            })
            .collect();
        let loss = 0.5
            * y.iter()
                .zip(&self.t)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>();
        (loss, h, y)
    }

    /// Backprop: the weight gradient and the node (pre-activation) gradient.
    fn gradients(&self) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let (_, h, y) = self.forward(&self.w, &[]);
        let w2 = &self.w[N_HID * N_IN..];
        let e: Vec<f64> = y.iter().zip(&self.t).map(|(a, b)| a - b).collect();
        let d1: Vec<f64> = (0..N_HID)
            .map(|i| {
                (0..N_OUT).map(|k| w2[k * N_HID + i] * e[k]).sum::<f64>() * (1.0 - h[i] * h[i])
            })
            .collect();
        let mut g = Vec::with_capacity(self.w.len());
        for d in &d1 {
            g.extend(self.x.iter().map(|xj| d * xj));
        }
        for ek in &e {
            g.extend(h.iter().map(|hi| ek * hi));
        }
        let mut node = d1;
        node.extend(e);
        (g, node, h)
    }
}

fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum()
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>() / (norm2(a) * norm2(b)).sqrt()
}

/// The checkpoints `N` at which the running mean is compared with the gradient: powers of 10
/// from 10 up to `max`.
fn checkpoints(max: usize) -> Vec<usize> {
    let mut v = Vec::new();
    let mut k = 10;
    while k <= max {
        v.push(k);
        k *= 10;
    }
    v
}

/// Least-squares slope of `ln y` against `ln x`.
fn log_slope(x: &[f64], y: &[f64]) -> f64 {
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let n = lx.len() as f64;
    let mx = lx.iter().sum::<f64>() / n;
    let my = ly.iter().sum::<f64>() / n;
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = lx.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (m, var.sqrt())
}

/// Runs claim 13 (see the module docs).
///
/// # Errors
/// None in practice.
pub fn claim13(seed: u64, sizes: &PerturbationSizes) -> Result<Claim> {
    let p = N_HID * N_IN + N_OUT * N_HID;
    let nodes = N_HID + N_OUT;
    let cps = checkpoints(sizes.estimates);
    let names = ["wp", "np", "control"];
    // Per estimator: squared relative errors at each checkpoint (summed over seeds), the
    // measured/predicted variance ratios per seed, the final cosines per seed.
    let mut sq_err = vec![vec![0.0; cps.len()]; 3];
    let mut var_ratio = vec![Vec::new(); 2];
    let mut final_cos = vec![Vec::new(); 3];
    let mut wp_over_np = Vec::new();
    let mut wp_over_np_pred = Vec::new();
    for s in 0..sizes.seeds.max(1) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_mul(104_729).wrapping_add(s as u64));
        let net = Net::random(&mut rng);
        let (g, gn, h) = net.gradients();
        let (l0, _, _) = net.forward(&net.w, &[]);
        let g2 = norm2(&g);
        let gn2 = norm2(&gn);
        let x2 = norm2(&net.x);
        let h2 = norm2(&h);
        let pred_wp = (p as f64 + 1.0) * g2;
        let pred_np: f64 = gn
            .iter()
            .enumerate()
            .map(|(i, gi)| (gn2 + gi * gi) * if i < N_HID { x2 } else { h2 })
            .sum();
        let mut sums = vec![vec![0.0; p]; 3];
        let mut var_sum = [0.0; 2];
        let mut c = 0;
        for k in 1..=sizes.estimates {
            for (e, sum) in sums.iter_mut().enumerate() {
                let est: Vec<f64> = match e {
                    0 | 2 => {
                        let xi: Vec<f64> = (0..p).map(|_| normal(&mut rng)).collect();
                        let jitter: Vec<f64> = if e == 0 {
                            xi.clone()
                        } else {
                            (0..p).map(|_| normal(&mut rng)).collect()
                        };
                        let w: Vec<f64> = net
                            .w
                            .iter()
                            .zip(&jitter)
                            .map(|(a, b)| a + SIGMA * b)
                            .collect();
                        let r = (net.forward(&w, &[]).0 - l0) / SIGMA;
                        xi.iter().map(|v| r * v).collect()
                    }
                    _ => {
                        let z: Vec<f64> = (0..nodes).map(|_| normal(&mut rng)).collect();
                        let zs: Vec<f64> = z.iter().map(|v| SIGMA * v).collect();
                        let r = (net.forward(&net.w, &zs).0 - l0) / SIGMA;
                        let mut out = Vec::with_capacity(p);
                        for zi in &z[..N_HID] {
                            out.extend(net.x.iter().map(|xj| r * zi * xj));
                        }
                        for zk in &z[N_HID..] {
                            out.extend(h.iter().map(|hi| r * zk * hi));
                        }
                        out
                    }
                };
                if e < 2 {
                    var_sum[e] += est
                        .iter()
                        .zip(&g)
                        .map(|(a, b)| (a - b).powi(2))
                        .sum::<f64>();
                }
                for (a, b) in sum.iter_mut().zip(&est) {
                    *a += b;
                }
            }
            if c < cps.len() && k == cps[c] {
                for e in 0..3 {
                    let mean: Vec<f64> = sums[e].iter().map(|v| v / k as f64).collect();
                    let err: f64 = mean
                        .iter()
                        .zip(&g)
                        .map(|(a, b)| (a - b).powi(2))
                        .sum::<f64>()
                        / g2;
                    sq_err[e][c] += err;
                    if c + 1 == cps.len() {
                        final_cos[e].push(cosine(&mean, &g));
                    }
                }
                c += 1;
            }
        }
        let n = sizes.estimates as f64;
        var_ratio[0].push(var_sum[0] / n / pred_wp);
        var_ratio[1].push(var_sum[1] / n / pred_np);
        wp_over_np.push(var_sum[0] / var_sum[1]);
        wp_over_np_pred.push(pred_wp / pred_np);
    }
    let seeds = sizes.seeds.max(1) as f64;
    let mut v: Vec<(String, f64)> = vec![
        ("seeds".into(), seeds),
        ("estimates".into(), sizes.estimates as f64),
        ("weights".into(), p as f64),
        ("nodes".into(), nodes as f64),
        ("sigma".into(), SIGMA),
        ("weights_over_nodes".into(), p as f64 / nodes as f64),
    ];
    let xs: Vec<f64> = cps.iter().map(|&k| k as f64).collect();
    for (e, name) in names.iter().enumerate() {
        let rms: Vec<f64> = sq_err[e].iter().map(|s| (s / seeds).sqrt()).collect();
        for (k, r) in cps.iter().zip(&rms) {
            v.push((format!("{name}_relative_error_n{k}"), *r));
        }
        v.push((format!("{name}_error_slope"), log_slope(&xs, &rms)));
        v.push((
            format!("{name}_relative_error_final"),
            *rms.last().unwrap_or(&f64::NAN),
        ));
        let (m, sd) = mean_sd(&final_cos[e]);
        v.push((format!("{name}_final_cosine_mean"), m));
        v.push((format!("{name}_final_cosine_sd"), sd));
    }
    for (e, name) in names[..2].iter().enumerate() {
        let (m, sd) = mean_sd(&var_ratio[e]);
        v.push((format!("{name}_variance_measured_over_predicted_mean"), m));
        v.push((format!("{name}_variance_measured_over_predicted_sd"), sd));
    }
    let (m, sd) = mean_sd(&wp_over_np);
    v.push(("wp_over_np_variance_mean".into(), m));
    v.push(("wp_over_np_variance_sd".into(), sd));
    v.push((
        "wp_over_np_variance_predicted_mean".into(),
        mean_sd(&wp_over_np_pred).0,
    ));
    Ok(claim(
        13,
        v,
        "WP and NP: error of the mean of N estimates falls with slope in [-0.6, -0.4] in log N and the final cosine to the backprop gradient > 0.9 (unbiased); the decorrelated control's final relative error > 0.9 and |cosine| < 0.3; measured variances within 15 % of (P + 1)|g|^2 (WP) and sum_i (|g_node|^2 + g_i^2)|a_i|^2 (NP); WP variance > NP variance -> holds (unbiased, variance set by the number of perturbed variables); else does not hold",
    ))
}

/// Claim 13's rule (see the `rule` text in [`claim13`]).
pub fn verdict13(n: &Numbers) -> String {
    let unbiased = ["wp", "np"].iter().all(|e| {
        let s = num(n, &format!("{e}_error_slope"));
        (-0.6..=-0.4).contains(&s) && num(n, &format!("{e}_final_cosine_mean")) > 0.9
    });
    let control = num(n, "control_relative_error_final") > 0.9
        && num(n, "control_final_cosine_mean").abs() < 0.3;
    let variance = ["wp", "np"].iter().all(|e| {
        (num(n, &format!("{e}_variance_measured_over_predicted_mean")) - 1.0).abs() < 0.15
    });
    let ordered = num(n, "wp_over_np_variance_mean") > 1.0;
    if unbiased && control && variance && ordered {
        format!(
            "holds: weight and node perturbation estimate the backprop gradient without bias (error of the mean falls as N^{:.2} and N^{:.2}; the decorrelated control does not learn, cosine {:.2}); their variance is set by the number of perturbed variables, {:.0} weights vs {:.0} nodes: weight perturbation's is {:.1}x node perturbation's (predicted {:.1}x); at network sizes both are far noisier than backprop (claim 6's sqrt(k/d) scaling)",
            num(n, "wp_error_slope"),
            num(n, "np_error_slope"),
            num(n, "control_final_cosine_mean"),
            num(n, "weights"),
            num(n, "nodes"),
            num(n, "wp_over_np_variance_mean"),
            num(n, "wp_over_np_variance_predicted_mean"),
        )
    } else {
        format!(
            "does not hold: unbiased {unbiased}, control null {control}, variance as predicted {variance}, WP noisier than NP {ordered}"
        )
    }
}
