//! Synaptic kernels: exact propagation against the closed forms.

use neurograd_neurons::NeuronError;
use neurograd_neurons::synapse::{Coupling, Kernel, Synapse};

/// Closed forms (Rall 1967 alpha; exponential): after a spike of weight w at t = 0, the exact
/// propagator reproduces s(k dt) to 1e-12 relative at every step, the alpha peak is w at t = tau.
#[test]
fn kernels_match_closed_forms() {
    let (w, tau, dt) = (2.0, 5.0, 0.1);
    let mut e = Synapse::new(Kernel::Exponential { tau_ms: tau }, Coupling::Current, dt).unwrap();
    let mut a = Synapse::new(Kernel::Alpha { tau_ms: tau }, Coupling::Current, dt).unwrap();
    e.spike(w);
    a.spike(w);
    let mut peak: (f64, f64) = (0.0, 0.0);
    for k in 0..500 {
        let t = k as f64 * dt;
        let want_e = w * (-t / tau).exp();
        let want_a = w * (t / tau) * (1.0 - t / tau).exp();
        assert!((e.value() - want_e).abs() <= 1e-12 * w, "exp at {t}");
        assert!(
            (a.value() - want_a).abs() <= 1e-12 * w,
            "alpha at {t}: {} vs {want_a}",
            a.value()
        );
        if a.value() > peak.1 {
            peak = (t, a.value());
        }
        e.step();
        a.step();
    }
    assert!(
        (peak.0 - tau).abs() < 1e-9 && (peak.1 - w).abs() < 1e-12,
        "{peak:?}"
    );
    let mut d = Synapse::new(Kernel::Delta, Coupling::Current, dt).unwrap();
    d.spike(w);
    assert_eq!(d.value(), w);
    d.step();
    assert_eq!(d.value(), 0.0);
}

/// Conductance coupling: I = g (E - V); excitatory (E = 0) depolarises, inhibitory (E = -80)
/// hyperpolarises at V = -65 mV, and the current vanishes at the reversal potential.
#[test]
fn conductance_coupling_sign() {
    let mut ex = Synapse::new(
        Kernel::Exponential { tau_ms: 5.0 },
        Coupling::Conductance { e_rev_mv: 0.0 },
        0.1,
    )
    .unwrap();
    let mut inh = Synapse::new(
        Kernel::Exponential { tau_ms: 10.0 },
        Coupling::Conductance { e_rev_mv: -80.0 },
        0.1,
    )
    .unwrap();
    ex.spike(0.006);
    inh.spike(0.067);
    assert!(ex.current(-65.0) > 0.0 && inh.current(-65.0) < 0.0);
    assert_eq!(inh.current(-80.0), 0.0);
    let e = Synapse::new(Kernel::Alpha { tau_ms: -1.0 }, Coupling::Current, 0.1).unwrap_err();
    assert!(matches!(
        e,
        NeuronError::InvalidParameter { name: "tau_ms", .. }
    ));
    let e = Synapse::new(Kernel::Delta, Coupling::Current, 0.0).unwrap_err();
    assert!(matches!(
        e,
        NeuronError::InvalidParameter { name: "dt", .. }
    ));
}
