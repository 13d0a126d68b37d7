//! Spiking recurrent networks, surrogate-gradient BPTT and e-prop (reference
//! `/shared/reference/recurrence.md`, §7 tests 3-10; docs/spiking-learning.md has the map).
//!
//! "rel" is `max|g_a − g_b| / max|g_b|` over all parameters
//! ([`RecurrentGrads::relative_error`]); every identity also asserts a non-degenerate fixture
//! (`max|g_b| > 1e-8`, spikes present). Negative-control thresholds were calibrated once on
//! their fixed-seed fixtures (measured values in the comments) with a margin of at least 100×
//! over the positive tolerance.

#![allow(clippy::needless_range_loop)]

use neurograd_neurons::alif::AlifParams;
use neurograd_neurons::model::{Input, NeuronModel};
use neurograd_plasticity::PlasticityError;
use neurograd_plasticity::recurrent::spiking::{
    Eprop, EpropConfig, Feedback, KappaFilter, LeakyReset, PseudoDerivative, RateRegularization,
    Reset, SnnTorchLeaky, SpikeFunction, SpikingNet, SpikingNetConfig, TapeSpikingOptions,
    factorised_gradient, surrogate_bptt, tape_gradient, tape_loss, total_learning_signal,
};
use neurograd_plasticity::recurrent::{
    ClassLoss, Param, RecurrentAlgorithm, RecurrentGrads, RecurrentNet, SequenceBatch,
    SequenceTarget, by_name,
};
use neurograd_tensor::{Matrix, Real, Surrogate, Tape};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Inputs: `t_len` steps of `b × n_in` Bernoulli spikes with probability `p`.
fn bernoulli_inputs(t_len: usize, b: usize, n_in: usize, p: Real, seed: u64) -> Vec<Matrix> {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    (0..t_len)
        .map(|_| Matrix::from_fn(b, n_in, |_, _| Real::from(r.random::<f64>() < p)))
        .collect()
}

/// The EP/ver1 fixture (3 inputs at 100 Hz, 4 LIF + 4 ALIF, T = 50, τ 20/500, v_th 0.62,
/// β 0.07, γ 0.3, n_ref 2, κ = e^{−1/20}), batch 2, random regression targets averaged over
/// time (EP: mean over time of the squared readout error). Input weights are scaled ×3 so that
/// every neuron crosses its threshold a few times in 50 ms.
fn ver1(reset: Reset, t_len: usize) -> (SpikingNet, SequenceBatch) {
    let cfg = SpikingNetConfig::bellec_verification().with_reset(reset);
    let net = SpikingNet::new(&cfg, 11).unwrap();
    let mut params = net.params().to_vec();
    params[Param::WIn as usize] *= 3.0;
    let net = SpikingNet::from_params(&cfg, params).unwrap();
    let xs = bernoulli_inputs(t_len, 2, 3, 0.1, 5);
    let mut r = ChaCha8Rng::seed_from_u64(9);
    let ys: Vec<Matrix> = (0..t_len)
        .map(|_| Matrix::from_fn(2, 1, |_, _| r.random::<f64>() - 0.5))
        .collect();
    let target = SequenceTarget::Regression {
        targets: ys,
        step_weights: vec![1.0 / t_len as Real; t_len],
    };
    (net, SequenceBatch::new(xs, target).unwrap())
}

fn max_abs(g: &RecurrentGrads) -> Real {
    g.grads
        .iter()
        .flat_map(|m| m.iter())
        .fold(0.0, |a: Real, &x| a.max(x.abs()))
}

fn rel(a: &Matrix, b: &Matrix) -> Real {
    let d = (a - b).abs().max();
    d / b.abs().max()
}

fn spike_count(net: &SpikingNet, batch: &SequenceBatch) -> Real {
    net.rollout(batch.inputs())
        .unwrap()
        .hidden
        .iter()
        .map(|z| z.sum())
        .sum()
}

/// The batched forward pass equals stepping each neuron's `Alif` through `NeuronModel::advance`
/// with the recorded input current, bit for bit; the current equals `W_in x + W_rec z + b`.
#[test]
fn batched_forward_equals_the_alif_contract_bit_for_bit() {
    let (net, batch) = ver1(Reset::Differentiated, 50);
    let mut p = net.params().to_vec();
    p[Param::B as usize] = Matrix::from_fn(1, 8, |_, j| 0.01 * j as Real);
    let net = SpikingNet::from_params(net.config(), p).unwrap();
    let tr = net.trajectory(batch.inputs()).unwrap();
    let (w_in, w_rec, bias) = (
        net.param(Param::WIn),
        net.param(Param::WRec),
        net.param(Param::B),
    );
    let mut spikes = 0;
    for s in 0..2 {
        for j in 0..8 {
            let m = net.neuron(j);
            let mut st = m.initial_state();
            for t in 0..50 {
                let i = tr.current[t][(s, j)];
                let z = m.advance(&mut st, &Input::current(i));
                assert_eq!(st.v, tr.v[t][(s, j)], "v at ({s}, {j}, {t})");
                assert_eq!(st.a, tr.a[t][(s, j)], "a at ({s}, {j}, {t})");
                assert_eq!(Real::from(z), tr.out.z[t][(s, j)], "z at ({s}, {j}, {t})");
                spikes += usize::from(z);
                let mut want = bias[(0, j)];
                for k in 0..3 {
                    want += w_in[(j, k)] * batch.inputs()[t][(s, k)];
                }
                if t > 0 {
                    for k in 0..8 {
                        want += w_rec[(j, k)] * tr.out.z[t - 1][(s, k)];
                    }
                }
                assert!((want - i).abs() < 1e-12, "current at ({s}, {j}, {t})");
            }
        }
    }
    assert!(spikes > 20, "{spikes} spikes");
    assert_eq!(w_rec.diagonal().abs().max(), 0.0, "no autapses");
    // control: the network without reset is not the Alif neuron
    let off = net
        .with_reset(Reset::Off)
        .trajectory(batch.inputs())
        .unwrap();
    assert_ne!(off.v, tr.v);
}

/// Reference test 3, eq. (1): Σ_t (dE/dz^t) e^t with the total learning signal and the ALIF
/// eligibility traces equals the tape's BPTT gradient (reset differentiated, z_local kept).
/// Control: LIF traces for the ALIF neurons (ε^a dropped).
#[test]
fn eq1_total_learning_signal_times_traces_is_bptt() {
    let (net, batch) = ver1(Reset::Differentiated, 50);
    assert!(spike_count(&net, &batch) > 20.0);
    let (tape, _) = tape_gradient(&net, &batch, &TapeSpikingOptions::default()).unwrap();
    assert!(max_abs(&tape) > 1e-8);
    let signal = total_learning_signal(&net, &batch).unwrap();
    let (g_in, g_rec, g_b) = factorised_gradient(&net, batch.inputs(), &signal, false).unwrap();
    let r = [
        rel(&g_in, tape.get(Param::WIn)),
        rel(&g_rec, tape.get(Param::WRec)),
        rel(&g_b, tape.get(Param::B)),
    ];
    eprintln!("eq1 rel (W_in, W_rec, b): {r:?}");
    assert!(r.iter().all(|&x| x <= 1e-10), "{r:?}");
    let (_, c_rec, _) = factorised_gradient(&net, batch.inputs(), &signal, true).unwrap();
    let control = rel(&c_rec, tape.get(Param::WRec));
    // calibrated once: 6.02e-2 (measured rel of the exact version: 2.0e-16)
    eprintln!("eq1 control (no eps_a): {control:e}");
    assert!(control >= 1e-3, "{control:e}");
}

/// Reference test 9: tape surrogate BPTT = hand-written surrogate BPTT, for both reset
/// conventions, regression and classification, with a rate regulariser. Control: detached and
/// differentiated resets differ.
#[test]
fn tape_surrogate_bptt_equals_hand_written() {
    let reg = RateRegularization {
        target_hz: 10.0,
        coef: 1e-4,
    };
    for reset in [Reset::Differentiated, Reset::Detached] {
        let (net, batch) = ver1(reset, 50);
        let (tape, tr) = tape_gradient(&net, &batch, &TapeSpikingOptions::default()).unwrap();
        let hand = surrogate_bptt(&net, &batch, None, false).unwrap();
        assert!(max_abs(&tape) > 1e-8);
        let e = hand.grads.relative_error(&tape).unwrap();
        eprintln!("hand vs tape BPTT, {reset:?}: {e:e}");
        assert!(e <= 1e-12, "{reset:?}: {e:e}");
        assert!((tr.loss - hand.report.loss).abs() <= 1e-12 * tr.loss.abs().max(1.0));
        // with the rate regulariser
        let opt = TapeSpikingOptions {
            rate_regularization: Some(reg),
            ..Default::default()
        };
        let (tape_r, tr_r) = tape_gradient(&net, &batch, &opt).unwrap();
        let hand_r = surrogate_bptt(&net, &batch, Some(&reg), false).unwrap();
        assert!(hand_r.grads.relative_error(&tape_r).unwrap() <= 1e-12);
        assert!((tr_r.loss - hand_r.report.loss).abs() <= 1e-12 * tr_r.loss.abs());
        assert!(
            tape_r.relative_error(&tape).unwrap() > 1e-6,
            "regulariser matters"
        );
        // classification (both loss kinds)
        for kind in [ClassLoss::MeanLogits, ClassLoss::PerStep] {
            let cfg = SpikingNetConfig {
                n_out: 2,
                ..*net.config()
            };
            let cnet = SpikingNet::new(&cfg, 3).unwrap();
            let mut p = cnet.params().to_vec();
            p[0] *= 3.0;
            let cnet = SpikingNet::from_params(&cfg, p).unwrap();
            let cb = SequenceBatch::new(
                batch.inputs().to_vec(),
                SequenceTarget::Classification {
                    labels: vec![0, 1],
                    window: 30..50,
                    loss: kind,
                },
            )
            .unwrap();
            let (t, _) = tape_gradient(&cnet, &cb, &TapeSpikingOptions::default()).unwrap();
            let h = surrogate_bptt(&cnet, &cb, None, false).unwrap();
            assert!(max_abs(&t) > 1e-8);
            assert!(h.grads.relative_error(&t).unwrap() <= 1e-12, "{kind:?}");
        }
    }
    let (net, batch) = ver1(Reset::Differentiated, 50);
    let a = surrogate_bptt(&net, &batch, None, false).unwrap().grads;
    let b = surrogate_bptt(&net.with_reset(Reset::Detached), &batch, None, false)
        .unwrap()
        .grads;
    let control = a.relative_error(&b).unwrap();
    // calibrated once: 3.71e-2 (hand vs tape: 5.6e-17)
    eprintln!("detach vs differentiated: {control:e}");
    assert!(control >= 1e-6, "{control:e}");
}

/// Reference test 4: with W_rec = 0, a detached reset, symmetric feedback and κ-filtered
/// traces, e-prop equals BPTT exactly. Controls: W_rec ≠ 0; the reset differentiated in BPTT.
#[test]
fn eprop_equals_bptt_without_recurrent_coupling() {
    let (net, batch) = ver1(Reset::Detached, 50);
    let net0 = net.without_recurrence();
    assert!(spike_count(&net0, &batch) > 20.0);
    let mut eprop = Eprop::symmetric(EpropConfig::default()).unwrap();
    let (e0, _) = eprop.gradient(&net0, &batch).unwrap();
    let (b0, _) = tape_gradient(&net0, &batch, &TapeSpikingOptions::default()).unwrap();
    assert!(max_abs(&b0) > 1e-8);
    let exact = e0.relative_error(&b0).unwrap();
    eprintln!("eprop vs bptt, W_rec = 0: {exact:e}");
    assert!(exact <= 1e-10, "{exact:e}");
    // the same with the rate regulariser (a direct per-neuron term, §2.4 condition 4)
    let reg = RateRegularization {
        target_hz: 10.0,
        coef: 1e-4,
    };
    let mut eprop_r = Eprop::symmetric(EpropConfig {
        rate_regularization: Some(reg),
        ..Default::default()
    })
    .unwrap();
    let (er, rep) = eprop_r.gradient(&net0, &batch).unwrap();
    let br = surrogate_bptt(&net0, &batch, Some(&reg), false).unwrap();
    assert!(er.relative_error(&br.grads).unwrap() <= 1e-10);
    assert!((rep.loss - br.report.loss).abs() <= 1e-12 * br.report.loss);
    // control 1: recurrent coupling
    let (e1, _) = eprop.gradient(&net, &batch).unwrap();
    let (b1, _) = tape_gradient(&net, &batch, &TapeSpikingOptions::default()).unwrap();
    let c1 = e1.relative_error(&b1).unwrap();
    let cos = e1.cosine(&b1).unwrap();
    // calibrated once: rel 3.42e-2 with cosine 0.99942 (> 0.99: the reference's warning about
    // weakly coupled fixtures holds, so the cosine is logged, not asserted); exact case 5.2e-16
    eprintln!("eprop vs bptt with W_rec: rel {c1:e}, cosine {cos}");
    assert!(c1 >= 1e-3, "{c1:e}");
    // control 2: BPTT differentiates the reset (W_rec still 0)
    let net0d = net0.with_reset(Reset::Differentiated);
    let (b2, _) = tape_gradient(&net0d, &batch, &TapeSpikingOptions::default()).unwrap();
    let c2 = e0.relative_error(&b2).unwrap();
    // calibrated once: 6.06e-2
    eprintln!("eprop vs bptt with differentiated reset: rel {c2:e}");
    assert!(c2 >= 1e-3, "{c2:e}");
    // the registered wrec0 row computes exactly e0 on the original network
    let mut wrec0 = by_name::<SpikingNet>("eprop-sym-wrec0", &net, 0).unwrap();
    let (w0, _) = wrec0.gradient(&net, &batch).unwrap();
    assert_eq!(w0, e0);
}

/// Reference test 5: e-prop through the tape (stop-gradient on the recurrent and reset spikes,
/// z_local kept) equals hand-written symmetric e-prop. Control: the reset not stopped.
#[test]
fn autodiff_eprop_equals_hand_written_eprop() {
    let (net, batch) = ver1(Reset::Detached, 50);
    let opt = TapeSpikingOptions {
        stop_recurrent: true,
        ..Default::default()
    };
    let (tape, _) = tape_gradient(&net, &batch, &opt).unwrap();
    let (hand, _) = Eprop::symmetric(EpropConfig::default())
        .unwrap()
        .compute(&net, &batch)
        .unwrap();
    assert!(max_abs(&tape) > 1e-8);
    let e = hand.relative_error(&tape).unwrap();
    eprintln!("autodiff vs hand e-prop: {e:e}");
    assert!(e <= 1e-10, "{e:e}");
    let (forgot, _) = tape_gradient(&net.with_reset(Reset::Differentiated), &batch, &opt).unwrap();
    let control = hand.relative_error(&forgot).unwrap();
    // calibrated once: 3.77e-2 (exact case: 1.7e-16)
    eprintln!("autodiff e-prop without the reset stop-gradient: {control:e}");
    assert!(control >= 1e-3, "{control:e}");
}

/// Reference test 6: Σ_t L^t F_κ(e)^t = Σ_t e^t Σ_{t'≥t} κ^{t'−t} L^{t'}. Control: EP's
/// (1 − κ)-normalised filter on one side is off by exactly the factor (1 − κ).
#[test]
fn kappa_filter_reordering_identity() {
    let kappa = (-1.0 / 20.0 as Real).exp();
    let mut r = ChaCha8Rng::seed_from_u64(4);
    let (t_len, ch) = (40, 5);
    let l: Vec<Vec<Real>> = (0..t_len)
        .map(|_| (0..ch).map(|_| r.random::<f64>() - 0.5).collect())
        .collect();
    let e: Vec<Vec<Real>> = (0..t_len)
        .map(|_| (0..ch).map(|_| r.random::<f64>() - 0.5).collect())
        .collect();
    let mut f = KappaFilter::new(kappa, ch);
    let mut f_ep = KappaFilter::new(kappa, ch);
    let (mut lhs, mut lhs_ep) = (vec![0.0; ch], vec![0.0; ch]);
    for t in 0..t_len {
        let fe = f.push(&e[t]).unwrap().to_vec();
        let scaled: Vec<Real> = e[t].iter().map(|x| (1.0 - kappa) * x).collect();
        let fe_ep = f_ep.push(&scaled).unwrap().to_vec();
        for c in 0..ch {
            lhs[c] += l[t][c] * fe[c];
            lhs_ep[c] += l[t][c] * fe_ep[c];
        }
    }
    for c in 0..ch {
        let mut rhs = 0.0;
        for t in 0..t_len {
            let future: Real = (t..t_len)
                .map(|s| kappa.powi((s - t) as i32) * l[s][c])
                .sum();
            rhs += e[t][c] * future;
        }
        assert!((lhs[c] - rhs).abs() <= 1e-12 * rhs.abs().max(1.0), "{c}");
        let off = (lhs_ep[c] - rhs).abs() / rhs.abs();
        assert!(
            (off - kappa).abs() < 1e-9,
            "off by the factor 1 - kappa: {off}"
        );
    }
}

fn smooth_fixture() -> (SpikingNet, SequenceBatch) {
    let mut cfg = SpikingNetConfig::bellec_verification();
    cfg.lif.n_ref = 0;
    cfg.alif.n_ref = 0;
    let net = SpikingNet::new(&cfg, 11).unwrap();
    let mut params = net.params().to_vec();
    params[Param::WIn as usize] *= 3.0;
    let net = SpikingNet::from_params(&cfg, params).unwrap();
    let t_len = 30;
    let xs = bernoulli_inputs(t_len, 2, 3, 0.1, 5);
    let mut r = ChaCha8Rng::seed_from_u64(9);
    let ys: Vec<Matrix> = (0..t_len)
        .map(|_| Matrix::from_fn(2, 1, |_, _| r.random::<f64>() - 0.5))
        .collect();
    (
        net,
        SequenceBatch::new(xs, SequenceTarget::regression(ys)).unwrap(),
    )
}

fn finite_differences(
    net: &SpikingNet,
    batch: &SequenceBatch,
    opt: &TapeSpikingOptions,
    h: Real,
) -> Vec<Matrix> {
    let params = net.params().to_vec();
    let mut out: Vec<Matrix> = params.iter().map(|m| m * 0.0).collect();
    for p in 0..params.len() {
        for k in 0..params[p].len() {
            let loss_at = |d: Real| {
                let mut q = params.clone();
                q[p].as_mut_slice()[k] += d;
                let n = SpikingNet::from_params(net.config(), q).unwrap();
                tape_loss(&n, batch, opt).unwrap()
            };
            out[p].as_mut_slice()[k] = (loss_at(h) - loss_at(-h)) / (2.0 * h);
        }
    }
    out[Param::WRec as usize].fill_diagonal(0.0);
    out
}

/// Reference test 7: the smooth network (σ(k(v − A)), k = 5, in both passes; reset and
/// recurrence on) has tape gradient = central finite differences. Control: Heaviside forward +
/// surrogate backward, where finite differences are exactly 0 for ≥ 90 % of the hidden weights
/// while the surrogate gradient is not.
#[test]
fn smooth_network_tape_gradient_equals_finite_differences() {
    let (net, batch) = smooth_fixture();
    let smooth = TapeSpikingOptions {
        spike: SpikeFunction::Smooth { slope: 5.0 },
        ..Default::default()
    };
    let (g, _) = tape_gradient(&net, &batch, &smooth).unwrap();
    let fd = finite_differences(&net, &batch, &smooth, 1e-6);
    let fd = RecurrentGrads { grads: fd };
    assert!(max_abs(&fd) > 1e-8);
    let e = g.relative_error(&fd).unwrap();
    eprintln!("smooth tape vs FD: {e:e}");
    assert!(e <= 1e-6, "{e:e}");
    // control: Heaviside forward with the sigmoid' surrogate backward
    let sg_net = SpikingNet::from_params(
        &net.config()
            .with_pseudo(PseudoDerivative::Fixed(Surrogate::SigmoidPrime {
                slope: 5.0,
            })),
        net.params().to_vec(),
    )
    .unwrap();
    let sg_opt = TapeSpikingOptions::default();
    let (sg, _) = tape_gradient(&sg_net, &batch, &sg_opt).unwrap();
    let fd_h = finite_differences(&sg_net, &batch, &sg_opt, 1e-6);
    let (mut zero, mut total) = (0usize, 0usize);
    for p in [Param::WIn, Param::WRec, Param::B] {
        for (a, b) in fd_h[p as usize].iter().zip(sg.get(p).iter()) {
            if p == Param::WRec && *b == 0.0 {
                continue; // the diagonal
            }
            total += 1;
            zero += usize::from(*a == 0.0);
        }
    }
    let frac = zero as Real / total as Real;
    // calibrated once: 1.0 (every hidden weight); the smooth network's rel to FD is 1.1e-10
    eprintln!("Heaviside FD exactly zero for {frac} of hidden weights");
    assert!(frac >= 0.9, "{frac}");
    assert!(sg.get(Param::WIn).abs().max() > 1e-3);
}

/// Reference test 8: in the spike-independent regime (one layer, no reset, no recurrence, loss
/// Σ_t c_t · z^t) Heaviside forward + sigmoid' backward gives exactly the smooth network's
/// gradient. Control: with the (detached) reset the two differ.
#[test]
fn surrogate_gradient_equals_smooth_gradient_when_spikes_do_not_feed_back() {
    let (b, n_in, n, t_len, k) = (2, 3, 4, 30, 5.0);
    let alpha = (-1.0 / 20.0 as Real).exp();
    let mut r = ChaCha8Rng::seed_from_u64(21);
    let w0 = Matrix::from_fn(n, n_in, |_, _| 2.0 * r.random::<f64>() - 0.5);
    let xs = bernoulli_inputs(t_len, b, n_in, 0.2, 8);
    let cs: Vec<Matrix> = (0..t_len)
        .map(|_| Matrix::from_fn(b, n, |_, _| r.random::<f64>() - 0.5))
        .collect();
    let run = |smooth: bool, reset: bool| -> (Matrix, Real) {
        let mut t = Tape::new();
        let w = t.leaf(w0.clone());
        let mut v = t.constant(Matrix::zeros(b, n));
        let mut z = t.constant(Matrix::zeros(b, n));
        let mut loss = t.constant(Matrix::zeros(1, 1));
        let mut spikes = 0.0;
        for (x, c) in xs.iter().zip(&cs) {
            let xv = t.constant(x.clone());
            let i = t.matmul_t(xv, w).unwrap();
            let av = t.scale(v, alpha);
            v = t.add(av, i).unwrap();
            if reset {
                let zd = t.detach(z).unwrap();
                v = t.sub(v, zd).unwrap();
            }
            let u = t.add_scalar(v, -1.0);
            z = if smooth {
                let ku = t.scale(u, k);
                t.activation(ku, neurograd_tensor::Activation::Sigmoid)
            } else {
                t.spike(u, Surrogate::SigmoidPrime { slope: k }).unwrap()
            };
            spikes += t.value(z).sum();
            let cv = t.constant(c.clone());
            let cz = t.mul(cv, z).unwrap();
            let s = t.sum(cz);
            loss = t.add(loss, s).unwrap();
        }
        let g = t.backward(loss).unwrap();
        (g.wrt(w).clone(), spikes)
    };
    let (g_sg, spikes) = run(false, false);
    let (g_smooth, _) = run(true, false);
    assert!(spikes > 5.0, "{spikes}");
    assert!(g_smooth.abs().max() > 1e-8);
    let e = rel(&g_sg, &g_smooth);
    eprintln!("SG vs smooth, no reset: {e:e}");
    assert!(e <= 1e-12, "{e:e}");
    let control = rel(&run(false, true).0, &run(true, true).0);
    // calibrated once: 0.446 (exact case: 1.3e-16)
    eprintln!("with reset: {control:e}");
    assert!(control >= 1e-3, "{control:e}");
}

/// Reference test 10: snnTorch `Leaky` (β = 0.9, θ = 1, subtract, reset_delay) with I = 0.5;
/// the same trace from a one-neuron `SpikingNet` (τ_m = −1/ln 0.9); the ATan surrogate values.
/// Control: same-step reset spikes at 3, 5, 7.
#[test]
fn snntorch_leaky_parity() {
    let want = [
        0.5, 0.95, 1.355, 0.7195, 1.14755, 0.532795, 0.979516, 1.381564,
    ];
    let leaky = SnnTorchLeaky::new(0.9, 1.0).unwrap();
    let tr = leaky.run(&[0.5; 8]).unwrap();
    for (a, b) in tr.mem.iter().zip(want) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}"); // the reference rounds to 6 decimals
    }
    let exact = [
        0.5, 0.95, 1.355, 0.7195, 1.14755, 0.532795, 0.9795155, 1.38156395,
    ];
    for (a, b) in tr.mem.iter().zip(exact) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    let steps = |s: &[bool]| (1..=s.len()).filter(|&k| s[k - 1]).collect::<Vec<_>>();
    assert_eq!(steps(&tr.spk), [3, 5, 8]);
    let same = leaky.with_reset_delay(false).run(&[0.5; 8]).unwrap();
    assert_eq!(steps(&same.spk), [3, 5, 7]);
    let zero = leaky.with_reset(LeakyReset::Zero).run(&[0.5; 8]).unwrap();
    assert_eq!(zero.mem[3], 0.5, "reset to zero, then + I");
    // the e-prop LIF with alpha = 0.9, zeta = 1, v_th = 1, n_ref = 0 is the same neuron
    let p = AlifParams {
        tau_m_ms: -1.0 / (0.9 as Real).ln(),
        tau_a_ms: 100.0,
        v_th: 1.0,
        beta: 0.0,
        n_ref: 0,
        input_scaling: neurograd_neurons::alif::InputScaling::Unit,
    };
    let cfg = SpikingNetConfig {
        n_in: 1,
        n_lif: 1,
        n_alif: 0,
        n_out: 1,
        lif: p,
        alif: p,
        dt_ms: 1.0,
        tau_out_ms: 20.0,
        pseudo: PseudoDerivative::Fixed(leaky.surrogate()),
        reset: Reset::Detached,
    };
    let params = vec![
        Matrix::from_element(1, 1, 1.0),
        Matrix::zeros(1, 1),
        Matrix::zeros(1, 1),
        Matrix::from_element(1, 1, 1.0),
        Matrix::zeros(1, 1),
    ];
    let net = SpikingNet::from_params(&cfg, params).unwrap();
    let xs: Vec<Matrix> = (0..8).map(|_| Matrix::from_element(1, 1, 0.5)).collect();
    let t = net.trajectory(&xs).unwrap();
    for k in 0..8 {
        assert!((t.v[k][(0, 0)] - exact[k]).abs() < 1e-12, "{k}");
        assert_eq!(t.out.z[k][(0, 0)] > 0.0, tr.spk[k]);
    }
    let at = leaky.surrogate();
    assert!((at.derivative(0.0) - 1.0).abs() < 1e-15);
    assert!((at.derivative(0.5) - 0.2884).abs() < 5e-5);
}

/// e-prop's gradient state does not grow with T (equal bytes at T = 100 and T = 2000) while
/// BPTT's does (×20).
#[test]
fn eprop_memory_is_independent_of_sequence_length() {
    let mut bytes = Vec::new();
    for t_len in [100, 2000] {
        let (net, _) = ver1(Reset::Detached, 10);
        let xs = bernoulli_inputs(t_len, 1, 3, 0.1, 5);
        let batch = SequenceBatch::new(
            xs,
            SequenceTarget::regression(vec![Matrix::zeros(1, 1); t_len]),
        )
        .unwrap();
        let (_, e) = Eprop::symmetric(EpropConfig::default())
            .unwrap()
            .compute(&net, &batch)
            .unwrap();
        let b = surrogate_bptt(&net, &batch, None, false).unwrap().report;
        bytes.push((e.peak_gradient_state_bytes, b.peak_gradient_state_bytes));
    }
    eprintln!("(eprop, bptt) bytes at T = 100, 2000: {bytes:?}");
    assert_eq!(bytes[0].0, bytes[1].0);
    assert!(bytes[1].1 > 10 * bytes[0].1);
}

/// Kolen-Pollack: with W_out updated by SGD with the same rate and decay as B, W_out − B
/// shrinks by exactly (1 − λ) per step; random feedback keeps B fixed.
#[test]
fn adaptive_feedback_converges_to_the_readout() {
    let (mut net, batch) = ver1(Reset::Detached, 30);
    let cfg = EpropConfig {
        adaptive_lr: 0.05,
        adaptive_decay: 0.1,
        ..Default::default()
    };
    let mut kp = Eprop::adaptive(&net, cfg, 3).unwrap();
    let mut random = by_name::<SpikingNet>("eprop-random", &net, 3).unwrap();
    let b_of = |e: &Eprop| match e.feedback() {
        Feedback::Adaptive { b, .. } => b.clone(),
        _ => unreachable!(),
    };
    let d0 = (net.param(Param::WOut) - b_of(&kp)).norm();
    for _ in 0..5 {
        let (g, _) = kp.gradient(&net, &batch).unwrap();
        random.gradient(&net, &batch).unwrap();
        net.update_params(&mut |p| {
            p[Param::WOut as usize] *= 1.0 - cfg.adaptive_decay;
            p[Param::WOut as usize] -= g.get(Param::WOut) * cfg.adaptive_lr;
            Ok(())
        })
        .unwrap();
    }
    let d5 = (net.param(Param::WOut) - b_of(&kp)).norm();
    assert!((d5 / d0 - 0.9f64.powi(5)).abs() < 1e-12, "{}", d5 / d0);
    // control: random feedback stays where it was drawn (same seed, same draw as KP's start)
    let fresh = Eprop::random(&net, EpropConfig::default(), 3).unwrap();
    let r0 = match fresh.feedback() {
        Feedback::Random(m) => m.clone(),
        _ => unreachable!(),
    };
    assert_ne!(b_of(&kp), r0);
}

/// Registry names and bad input: typed errors, never panics.
#[test]
fn registry_and_bad_input() {
    let (net, batch) = ver1(Reset::Differentiated, 20);
    for name in [
        "bptt-sg",
        "bptt-sg-tape",
        "eprop-sym",
        "eprop-random",
        "eprop-adaptive",
        "eprop-sym-wrec0",
    ] {
        let mut a = by_name::<SpikingNet>(name, &net, 1).unwrap();
        assert_eq!(a.name(), name);
        let (g, r) = a.gradient(&net, &batch).unwrap();
        assert!(r.loss > 0.0 && r.peak_gradient_state_bytes > 0);
        assert!(max_abs(&g) > 0.0);
    }
    assert!(matches!(
        by_name::<SpikingNet>("bptt-nope", &net, 0),
        Err(PlasticityError::UnknownName { .. })
    ));
    let mut cfg = SpikingNetConfig::bellec_verification();
    cfg.n_in = 0;
    assert!(matches!(
        SpikingNet::new(&cfg, 0),
        Err(PlasticityError::InvalidParameter { name: "n_in", .. })
    ));
    let mut cfg = SpikingNetConfig::bellec_verification();
    cfg.lif.beta = 0.1;
    assert!(matches!(
        SpikingNet::new(&cfg, 0),
        Err(PlasticityError::InvalidParameter {
            name: "lif.beta",
            ..
        })
    ));
    let mut cfg = SpikingNetConfig::bellec_verification();
    cfg.alif.tau_m_ms = -1.0;
    assert!(matches!(
        SpikingNet::new(&cfg, 0),
        Err(PlasticityError::Neuron(_))
    ));
    let mut cfg = SpikingNetConfig::bellec_verification();
    cfg.tau_out_ms = Real::NAN;
    assert!(matches!(
        SpikingNet::new(&cfg, 0),
        Err(PlasticityError::InvalidParameter {
            name: "tau_out_ms",
            ..
        })
    ));
    let cfg = SpikingNetConfig::bellec_verification();
    let mut p = net.params().to_vec();
    p[1] = Matrix::zeros(3, 3);
    assert!(matches!(
        SpikingNet::from_params(&cfg, p),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    let mut n2 = net.clone();
    let r = n2.update_params(&mut |p| {
        p[0][(0, 0)] = Real::NAN;
        Ok(())
    });
    assert!(matches!(r, Err(PlasticityError::Tensor(_))));
    assert_eq!(n2, net, "a failed update leaves the network unchanged");
    let wrong = SequenceBatch::new(
        vec![Matrix::zeros(2, 4); 5],
        SequenceTarget::regression(vec![Matrix::zeros(2, 1); 5]),
    )
    .unwrap();
    assert!(matches!(
        surrogate_bptt(&net, &wrong, None, false),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        Eprop::symmetric(EpropConfig::default())
            .unwrap()
            .compute(&net, &wrong),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        tape_gradient(&net, &wrong, &TapeSpikingOptions::default()),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    let smooth = TapeSpikingOptions {
        spike: SpikeFunction::Smooth { slope: 5.0 },
        ..Default::default()
    };
    assert!(matches!(
        tape_gradient(&net, &batch, &smooth),
        Err(PlasticityError::InvalidParameter { name: "n_ref", .. })
    ));
    assert!(matches!(
        factorised_gradient(&net, batch.inputs(), &[], false),
        Err(PlasticityError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        Eprop::symmetric(EpropConfig {
            rate_regularization: Some(RateRegularization {
                target_hz: 10.0,
                coef: -1.0
            }),
            ..Default::default()
        }),
        Err(PlasticityError::InvalidParameter { name: "coef", .. })
    ));
    assert!(matches!(
        Eprop::adaptive(
            &net,
            EpropConfig {
                adaptive_decay: 1.0,
                ..Default::default()
            },
            0
        ),
        Err(PlasticityError::InvalidParameter {
            name: "adaptive_decay",
            ..
        })
    ));
    assert!(matches!(
        SnnTorchLeaky::new(0.9, 0.0),
        Err(PlasticityError::InvalidParameter {
            name: "threshold",
            ..
        })
    ));
    assert!(matches!(
        SnnTorchLeaky::new(0.9, 1.0).unwrap().run(&[Real::INFINITY]),
        Err(PlasticityError::Tensor(_))
    ));
    assert!(matches!(
        net.trajectory(&[]),
        Err(PlasticityError::InvalidParameter { name: "inputs", .. })
    ));
}

proptest::proptest! {
    /// Random LIF/ALIF networks (sizes from 1, both resets, input scalings, seeds, T, B): the
    /// hand-written surrogate BPTT equals the tape to 1e-12 and eq. (1) (total learning signal ×
    /// eligibility traces) equals the tape's W_in, W_rec and b gradients to 1e-10.
    #[test]
    fn exact_identities_on_random_spiking_networks(
        seed in 0u64..10_000,
        n_lif in 0usize..4,
        n_alif in 1usize..4,
        n_in in 1usize..4,
        t_len in 1usize..25,
        b in 1usize..3,
        detached in proptest::bool::ANY,
        leaky_input in proptest::bool::ANY,
        n_ref in 0u32..3,
    ) {
        let mut cfg = SpikingNetConfig::bellec_verification()
            .with_reset(if detached { Reset::Detached } else { Reset::Differentiated });
        cfg.n_in = n_in;
        cfg.n_lif = n_lif;
        cfg.n_alif = n_alif;
        cfg.lif.n_ref = n_ref;
        cfg.alif.n_ref = n_ref;
        cfg.alif.tau_m_ms = 15.0; // two neuron classes for ε^v
        if leaky_input {
            cfg.alif.input_scaling = neurograd_neurons::alif::InputScaling::OneMinusAlpha;
        }
        let net = SpikingNet::new(&cfg, seed).unwrap();
        let mut p = net.params().to_vec();
        p[Param::WIn as usize] *= if leaky_input { 30.0 } else { 3.0 };
        let net = SpikingNet::from_params(&cfg, p).unwrap();
        let xs = bernoulli_inputs(t_len, b, n_in, 0.3, seed + 1);
        let mut r = ChaCha8Rng::seed_from_u64(seed + 2);
        let ys: Vec<Matrix> = (0..t_len)
            .map(|_| Matrix::from_fn(b, 1, |_, _| r.random::<f64>() - 0.5))
            .collect();
        let batch = SequenceBatch::new(xs, SequenceTarget::regression(ys)).unwrap();
        let (tape, _) = tape_gradient(&net, &batch, &TapeSpikingOptions::default()).unwrap();
        let hand = surrogate_bptt(&net, &batch, None, true).unwrap();
        let scale = max_abs(&tape);
        proptest::prop_assume!(scale > 1e-12);
        let e = hand.grads.relative_error(&tape).unwrap();
        proptest::prop_assert!(e <= 1e-12, "hand vs tape {e:e}");
        let signal = hand.learning_signal.unwrap();
        let (g_in, g_rec, g_b) = factorised_gradient(&net, batch.inputs(), &signal, false).unwrap();
        for (g, p) in [(g_in, Param::WIn), (g_rec, Param::WRec), (g_b, Param::B)] {
            let d = (&g - tape.get(p)).abs().max() / scale;
            proptest::prop_assert!(d <= 1e-10, "eq. (1) {p:?}: {d:e}");
        }
    }
}

/// Value stability: the first initial weights of a seeded spiking network and the first random
/// feedback weight are pinned (computed once with this code, 2026-12), so a change of the
/// streams fails here.
#[test]
fn seeded_initialisation_is_pinned() {
    let net = SpikingNet::new(&SpikingNetConfig::bellec_verification(), 7).unwrap();
    let w_in = net.param(Param::WIn);
    let w_rec = net.param(Param::WRec);
    let w_out = net.param(Param::WOut);
    let got = [w_in[(0, 0)], w_in[(1, 0)], w_rec[(1, 0)], w_out[(0, 0)]];
    let fb = match Eprop::random(&net, EpropConfig::default(), 7)
        .unwrap()
        .feedback()
    {
        Feedback::Random(m) => m[(0, 0)],
        _ => unreachable!(),
    };
    assert_eq!(got, PINNED_WEIGHTS);
    assert_eq!(fb, PINNED_FEEDBACK);
}

const PINNED_WEIGHTS: [Real; 4] = [
    0.44898955335914287,
    0.08912562742351499,
    -0.03458053402684407,
    0.005829859267618431,
];
const PINNED_FEEDBACK: Real = 1.584831787254244;
