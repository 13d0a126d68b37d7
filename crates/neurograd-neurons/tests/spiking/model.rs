//! The neuron-model contract (`model.rs`): every model runs through `Population` and `simulate`,
//! a circuit swaps its model by type, and the rate unit's Euler step has its closed form.

use neurograd_neurons::adex::{Adex, NaudPattern};
use neurograd_neurons::alif::{Alif, AlifParams};
use neurograd_neurons::circuits::brette2007::{BenchmarkKind, BrettLif, BrettNetwork, BrettParams};
use neurograd_neurons::hh::{HhParams, HodgkinHuxley};
use neurograd_neurons::integrators::Integrator;
use neurograd_neurons::izhikevich::{IzhParams, IzhVariant, Izhikevich};
use neurograd_neurons::lif::{Lif, LifParams, LifRun, simulate_constant_current};
use neurograd_neurons::model::{RunConfig, simulate};
use neurograd_neurons::rate::{Activation, RateUnit};
use neurograd_neurons::{Input, NeuronError, NeuronModel, Population};

/// What every model must satisfy: a finite initial state, `set_potential` then `potential`
/// round-trips, a strong drive makes a spiking model spike, and every state stays finite across
/// spikes and resets.
fn contract<M: NeuronModel>(m: &M, drive: f64, spikes: bool) {
    let mut s = m.initial_state();
    assert!(m.potential(&s).is_finite(), "{}", M::NAME);
    m.set_potential(&mut s, -61.5);
    assert_eq!(m.potential(&s), -61.5, "{}", M::NAME);
    assert!(m.dt_ms() > 0.0);
    let cfg = RunConfig {
        steps: (200.0 / m.dt_ms()) as usize,
        record_every: 1,
    };
    let tr = simulate(m, m.initial_state(), &cfg, |_| Input::current(drive)).unwrap();
    assert_eq!(tr.v.len(), cfg.steps);
    assert!(tr.v.iter().all(|v| v.is_finite()), "{}", M::NAME);
    assert_eq!(
        !tr.spike_steps.is_empty(),
        spikes,
        "{}: {:?}",
        M::NAME,
        tr.spike_steps
    );
    for (&k, &t) in tr.spike_steps.iter().zip(&tr.spikes_ms) {
        let start = k as f64 * m.dt_ms();
        let want = if M::SPIKE_AT_STEP_END {
            start + m.dt_ms()
        } else {
            start
        };
        assert_eq!(t, want, "{}", M::NAME);
    }
}

#[test]
fn every_model_satisfies_the_contract() {
    contract(&Lif::new(LifParams::default(), 0.1).unwrap(), 3.0, true);
    contract(&Lif::new(LifParams::default(), 0.1).unwrap(), 1.0, false);
    let (p, i) = NaudPattern::Tonic.params();
    contract(&Adex::new(p, 0.1).unwrap(), i, true);
    contract(
        &Izhikevich::new(IzhParams::RS, IzhVariant::Standard, 0.25).unwrap(),
        10.0,
        true,
    );
    contract(
        &HodgkinHuxley::new(HhParams::default(), Integrator::Rk4, 0.01).unwrap(),
        10.0,
        true,
    );
    contract(
        &Alif::new(AlifParams::bellec_2020_evidence_accumulation(), 1.0).unwrap(),
        0.1,
        true,
    );
    contract(&BrettLif::new(&BrettParams::coba()).unwrap(), 15.0, true);
    contract(
        &RateUnit::new(10.0, Activation::Rectified, 0.1).unwrap(),
        5.0,
        false,
    );
}

/// A population of LIF neurons with different currents: each neuron's spikes are those of the
/// single neuron at its current (the population only does the bookkeeping), and the spike lists
/// are sorted indices.
#[test]
fn population_matches_single_neurons() {
    let model = Lif::new(LifParams::default(), 0.1).unwrap();
    let currents = [1.0, 1.6, 2.0, 3.0, 5.0];
    let mut pop = Population::new(model.clone(), currents.len()).unwrap();
    let mut trains = vec![Vec::new(); currents.len()];
    for k in 0..3000 {
        let spikes = pop.step_with(|i| Input::current(currents[i]));
        assert!(spikes.windows(2).all(|w| w[0] < w[1]));
        for &i in spikes {
            trains[i as usize].push(k as f64 * 0.1);
        }
    }
    for (i, &c) in currents.iter().enumerate() {
        let single = simulate_constant_current(
            &LifRun {
                params: *model.params(),
                dt_ms: 0.1,
                duration_ms: 300.0,
            },
            c,
        )
        .unwrap();
        assert_eq!(trains[i], single, "current {c}");
    }
    assert!(trains[0].is_empty() && trains[4].len() > trains[1].len());
    let e = pop.step(&[Input::ZERO; 3]).unwrap_err();
    assert!(
        matches!(
            e,
            NeuronError::ShapeMismatch {
                expected: (5, 1),
                got: (3, 1),
                ..
            }
        ),
        "{e}"
    );
}

/// Forward Euler on `tau dr/dt = -r + x` from 0 with constant drive has the closed form
/// `r_k = x (1 - (1 - dt/tau)^k)`.
#[test]
fn rate_unit_euler_closed_form() {
    let (tau, dt, x) = (20.0, 0.5, 7.0);
    let m = RateUnit::new(tau, Activation::Linear, dt).unwrap();
    let mut s = m.initial_state();
    for k in 1..=200 {
        m.advance(&mut s, &Input::current(x));
        let want = x * (1.0 - (1.0 - dt / tau).powi(k));
        assert!(
            (s.r - want).abs() < 1e-12 * x,
            "step {k}: {} vs {want}",
            s.r
        );
    }
    // rectified: a negative drive relaxes to 0, not to the drive
    let m = RateUnit::new(tau, Activation::Rectified, dt).unwrap();
    let mut s = m.initial_state();
    m.set_potential(&mut s, 3.0);
    for _ in 0..2000 {
        m.advance(&mut s, &Input::current(-4.0));
    }
    assert!(s.r.abs() < 1e-9, "{}", s.r);
    assert!(matches!(
        RateUnit::new(1.0, Activation::Linear, 2.5),
        Err(NeuronError::InvalidParameter { name: "dt", .. })
    ));
}

/// A circuit swaps its model by type: the CUBA network with Izhikevich neurons (synaptic
/// variables as currents) runs and fires; a model whose step differs from the network's is a
/// typed error; the default model through `with_model` is the reference network.
#[test]
fn brette_network_swaps_its_model_by_type() {
    let p = BrettParams {
        n_exc: 400,
        n_inh: 100,
        p_connect: 0.05,
        ..BrettParams::of(BenchmarkKind::Cuba)
    };
    let izh = Izhikevich::new(IzhParams::RS, IzhVariant::Standard, p.dt_ms).unwrap();
    let mut net: BrettNetwork<Izhikevich> = BrettNetwork::with_model(p, izh, 3).unwrap();
    let mut count = 0;
    for _ in 0..2000 {
        count += net.step().len();
    }
    assert!(net.potentials().iter().all(|v| v.is_finite()));
    // CUBA starts V uniformly in [-60, -50] mV, above the RS neuron's rest: it fires
    assert!(count > 0, "{count}");
    let wrong = Izhikevich::new(IzhParams::RS, IzhVariant::Standard, 0.25).unwrap();
    assert!(matches!(
        BrettNetwork::with_model(p, wrong, 3),
        Err(NeuronError::InvalidParameter { name: "dt_ms", .. })
    ));
    let mut a = BrettNetwork::new(p, 9).unwrap();
    let mut b = BrettNetwork::with_model(p, BrettLif::new(&p).unwrap(), 9).unwrap();
    for _ in 0..500 {
        assert_eq!(a.step(), b.step());
    }
}

/// `BrettLif`'s `step_many` (chunked fast path) gives the same bits as the contract's per-neuron
/// loop (`advance` with the input read at the step's start, then the decay), for COBA and CUBA,
/// with neurons spiking and refractory along the way.
#[test]
fn brette_step_many_equals_the_per_neuron_loop() {
    use neurograd_neurons::circuits::brette2007::BrettLifState;
    use neurograd_neurons::model::SynapticDrive;
    use neurograd_neurons::simd::SimdPath;
    let paths = SimdPath::available();
    assert!(paths.contains(&SimdPath::Baseline));
    for (kind, path) in [BenchmarkKind::Coba, BenchmarkKind::Cuba]
        .into_iter()
        .flat_map(|k| paths.iter().chain([&SimdPath::Auto]).map(move |&p| (k, p)))
    {
        let model = BrettLif::new(&BrettParams::of(kind))
            .unwrap()
            .with_simd_path(path);
        assert_eq!(model.simd_path(), path);
        let n = 203; // not a multiple of the chunk size
        // deterministic spread of potentials and synaptic variables
        let mut fast: Vec<BrettLifState> = (0..n)
            .map(|k| {
                let mut s = model.initial_state();
                model.set_potential(&mut s, -60.0 + 10.5 * ((k * 37 % 101) as f64 / 100.0));
                s
            })
            .collect();
        let mut slow = fast.clone();
        let g0 = |k: usize, a: f64| a * ((k * 53 % 97) as f64 / 96.0);
        let (mut ge_f, mut gi_f): (Vec<f64>, Vec<f64>) =
            (0..n).map(|k| (g0(k, 3.0), g0(k + 7, 4.0))).unzip();
        let (mut ge_s, mut gi_s) = (ge_f.clone(), gi_f.clone());
        let (de, di) = (0.98, 0.99);
        let (mut n_spikes, mut n_refractory) = (0, 0);
        for step in 0..300 {
            let mut spikes_f = Vec::new();
            model.step_many(
                &mut fast,
                SynapticDrive {
                    current: 0.4,
                    syn_exc: &mut ge_f,
                    syn_inh: &mut gi_f,
                    decay_exc: de,
                    decay_inh: di,
                },
                &mut spikes_f,
            );
            let mut spikes_s = Vec::new();
            for k in 0..n {
                let input = Input {
                    current: 0.4,
                    syn_exc: ge_s[k],
                    syn_inh: gi_s[k],
                };
                ge_s[k] *= de;
                gi_s[k] *= di;
                if model.advance(&mut slow[k], &input) {
                    spikes_s.push(k as u32);
                }
            }
            assert_eq!(spikes_f, spikes_s, "{kind:?} {path:?} step {step}");
            assert_eq!(fast, slow, "{kind:?} {path:?} step {step}");
            assert!(
                ge_f.iter()
                    .zip(&ge_s)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            assert!(
                gi_f.iter()
                    .zip(&gi_s)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            // keep the drive up so neurons keep firing
            for k in (step % 5..n).step_by(5) {
                ge_f[k] += 0.6;
                ge_s[k] += 0.6;
            }
            n_spikes += spikes_f.len();
            n_refractory += fast.iter().filter(|s| s.refractory_steps > 0).count();
        }
        // not vacuous: spikes and refractory neurons occurred
        assert!(
            n_spikes > 50 && n_refractory > 100,
            "{kind:?}: {n_spikes} spikes, {n_refractory}"
        );
    }
}

/// `Population::step_drive` rejects synaptic slices of the wrong length before stepping.
#[test]
fn population_step_drive_checks_lengths() {
    use neurograd_neurons::model::SynapticDrive;
    let model = BrettLif::new(&BrettParams::coba()).unwrap();
    let mut pop = Population::new(model, 4).unwrap();
    let before = pop.states().to_vec();
    let ge = &mut [0.0; 4];
    for n_inh in [3, 4] {
        let gi = &mut vec![0.0; n_inh];
        let drive = SynapticDrive {
            current: 0.0,
            syn_exc: ge,
            syn_inh: gi,
            decay_exc: 1.0,
            decay_inh: 1.0,
        };
        let r = pop.step_drive(drive).map(|s| s.to_vec());
        if n_inh == 3 {
            assert!(
                matches!(
                    r,
                    Err(NeuronError::ShapeMismatch {
                        expected: (4, 1),
                        got: (3, 1),
                        ..
                    })
                ),
                "{r:?}"
            );
            assert_eq!(pop.states(), &before[..]);
        } else {
            assert_eq!(r, Ok(vec![]));
        }
    }
}

/// The rate unit's right-hand side is the rate equation `(-r + f(x))/tau` (hand-computed), and
/// its Euler step moves by `dt` times it.
#[test]
fn rate_unit_derivative_is_the_rate_equation() {
    use neurograd_neurons::ContinuousModel;
    use neurograd_neurons::rate::RateState;
    let unit = RateUnit::new(
        10.0,
        Activation::ThresholdLinear {
            threshold: 0.5,
            gain: 2.0,
        },
        0.1,
    )
    .unwrap();
    let s = RateState { r: 3.0 };
    let input = Input {
        current: 1.0,
        syn_exc: 0.5,
        syn_inh: -0.25,
    };
    // x = 1.25, f(x) = 2 (1.25 - 0.5) = 1.5, dr/dt = (-3 + 1.5) / 10 = -0.15 per ms
    let d = unit.derivative(&s, &input);
    assert!((d.r + 0.15).abs() < 1e-15, "{d:?}");
    let mut next = s;
    unit.step(&mut next, &input);
    assert!((next.r - (3.0 - 0.1 * 0.15)).abs() < 1e-14, "{next:?}");
    // below threshold the drive is cut: pure decay
    let d0 = unit.derivative(&s, &Input::current(0.2));
    assert!((d0.r + 0.3).abs() < 1e-15, "{d0:?}");
}

/// The HH right-hand side agrees with the model's own RK4 step over a tiny step (a forward
/// difference, error O(dt)), and not with a wrong sign (negative control).
#[test]
fn hh_derivative_matches_a_forward_difference_of_the_step() {
    use neurograd_neurons::ContinuousModel;
    let dt = 1e-4;
    let m = HodgkinHuxley::new(HhParams::default(), Integrator::Rk4, dt).unwrap();
    let mut s = m.initial_state();
    s.v = -55.0; // off rest, so every variable moves
    let input = Input::current(10.0);
    let d = m.derivative(&s, &input);
    let mut next = s;
    m.step(&mut next, &input);
    let fd = [
        (next.v - s.v) / dt,
        (next.m - s.m) / dt,
        (next.h - s.h) / dt,
        (next.n - s.n) / dt,
    ];
    let an = [d.v, d.m, d.h, d.n];
    for (a, f) in an.iter().zip(&fd) {
        assert!(
            (a - f).abs() <= 1e-3 * a.abs().max(1e-3),
            "derivative {an:?} vs difference {fd:?}"
        );
        assert!(a.abs() > 1e-4, "{an:?}");
        // negative control: the opposite sign is far off
        assert!((-a - f).abs() > 1e-3 * a.abs());
    }
}
