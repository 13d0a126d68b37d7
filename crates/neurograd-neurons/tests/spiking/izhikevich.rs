//! Izhikevich (2004) Fig. 1: each of the 20 features shows its defining property under the paper's
//! protocol, by a measurable criterion (`check_feature`), and the criteria discriminate.

use neurograd_neurons::NeuronError;
use neurograd_neurons::izhikevich::{
    Feature, IzhParams, IzhRun, IzhVariant, check_feature, simulate, simulate_feature,
};

fn run(params: IzhParams, v0: f64, u0: f64, dt_ms: f64, t_end_ms: f64) -> IzhRun {
    IzhRun {
        params,
        variant: IzhVariant::Standard,
        v0,
        u0,
        dt_ms,
        t_end_ms,
    }
}

/// Claim (Izhikevich 2004, Fig. 1): with the parameters and input protocol of panel X the simple
/// model shows feature X. Each criterion is documented on `check_feature`.
#[test]
fn all_twenty_features_hold() {
    let mut failed = Vec::new();
    for f in Feature::ALL {
        let tr = simulate_feature(f, None).unwrap();
        let v = check_feature(f, &tr);
        eprintln!("{} {:?}: {} -- {}", f.panel(), f, v.holds, v.detail);
        if !v.holds {
            failed.push(f);
        }
    }
    assert!(
        failed.is_empty(),
        "features failing their criterion: {failed:?}"
    );
}

/// Negative controls: a criterion applied to a neighbouring feature's trace must fail, so the
/// criteria measure the feature and not something every trace has.
#[test]
fn criteria_discriminate_between_features() {
    use Feature::*;
    let pairs = [
        (TonicSpiking, SpikeFrequencyAdaptation),
        (PhasicSpiking, TonicSpiking),
        (TonicBursting, TonicSpiking),
        (PhasicBursting, TonicBursting),
        (MixedMode, TonicBursting),
        (SpikeFrequencyAdaptation, TonicSpiking),
        (Class1Excitable, Class2Excitable),
        (Class2Excitable, Class1Excitable),
        (SpikeLatency, PhasicSpiking),
        (SubthresholdOscillations, Integrator),
        (Resonator, Integrator),
        (Integrator, Resonator),
        (ReboundSpike, PhasicSpiking),
        (ReboundBurst, ReboundSpike),
        (ThresholdVariability, TonicSpiking),
        (Bistability, TonicSpiking),
        (DepolarizingAfterPotential, PhasicSpiking),
        (Accommodation, Class1Excitable),
        (InhibitionInducedSpiking, TonicSpiking),
        (InhibitionInducedBursting, InhibitionInducedSpiking),
    ];
    for (criterion, other) in pairs {
        let tr = simulate_feature(other, None).unwrap();
        let v = check_feature(criterion, &tr);
        assert!(
            !v.holds,
            "criterion {criterion:?} wrongly holds on {other:?}: {}",
            v.detail
        );
    }
}

#[test]
fn names_round_trip_and_bad_input() {
    for f in Feature::ALL {
        assert_eq!(Feature::from_name(f.name()).unwrap(), f);
        assert_eq!(Feature::from_name(&f.panel().to_string()).unwrap(), f);
    }
    assert!(matches!(
        Feature::from_name("bursty").unwrap_err(),
        NeuronError::UnknownName { .. }
    ));
    let p = IzhParams::RS;
    let e = simulate(&run(p, -65.0, -13.0, 2.0, 100.0), |_| 10.0).unwrap_err();
    assert!(
        matches!(e, NeuronError::InvalidParameter { name: "dt", .. }),
        "{e}"
    );
    let e = simulate(&run(p, -65.0, -13.0, 0.0, 100.0), |_| 10.0).unwrap_err();
    assert!(
        matches!(e, NeuronError::InvalidParameter { name: "dt", .. }),
        "{e}"
    );
    let e = simulate(&run(p, -65.0, -13.0, 0.5, 100.0), |_| f64::NAN).unwrap_err();
    assert!(matches!(e, NeuronError::NonFinite { index: 0, .. }), "{e}");
}

/// ISIs (ms) of a 2003 cortical class under a 10 pA step from t = 10 ms, 300 ms, dt = 0.25 ms,
/// from v = -70 mV, u = b v.
fn class_isis(p: &neurograd_neurons::izhikevich::IzhParams) -> Vec<f64> {
    let tr = simulate(&run(*p, -70.0, p.b * -70.0, 0.25, 300.0), |t| {
        if t >= 10.0 { 10.0 } else { 0.0 }
    })
    .unwrap();
    tr.spikes_ms.windows(2).map(|w| w[1] - w[0]).collect()
}

/// Number of bursts: maximal runs of ISIs below 10 ms.
fn bursts(isi: &[f64]) -> usize {
    let mut n = 0;
    let mut inside = false;
    for &x in isi {
        if x < 10.0 && !inside {
            n += 1;
        }
        inside = x < 10.0;
    }
    n
}

/// Regular spiking: single spikes (no ISI below 10 ms) with spike-frequency adaptation (the
/// steady ISI at least twice the first).
fn is_regular_spiking(isi: &[f64]) -> bool {
    isi.len() >= 3 && bursts(isi) == 0 && isi[isi.len() - 1] > 2.0 * isi[0]
}

/// Intrinsically bursting: one initial burst (at least two ISIs below 10 ms) then tonic single
/// spikes (every later ISI above 20 ms).
fn is_intrinsically_bursting(isi: &[f64]) -> bool {
    let head = isi.iter().take_while(|&&x| x < 10.0).count();
    head >= 2 && isi.len() > head + 2 && isi[head..].iter().all(|&x| x > 20.0)
}

/// Chattering: repeated bursts (at least three).
fn is_chattering(isi: &[f64]) -> bool {
    bursts(isi) >= 3
}

/// Fast spiking: tonic firing above 80 Hz at steady state with weak adaptation (steady ISI less
/// than twice the first).
fn is_fast_spiking(isi: &[f64]) -> bool {
    let last = isi[isi.len() - 1];
    isi.len() >= 10 && 1000.0 / last > 80.0 && last < 2.0 * isi[0]
}

/// Reference: the cortical classes of Izhikevich (2003, IEEE Trans. Neural Netw. 14:1569, Fig. 2)
/// with their parameter sets (neurons.md sec. 4.1): RS adapts with single spikes, IB fires an
/// initial burst then single spikes, CH fires repeated bursts, FS fires fast without adaptation.
/// Negative controls: each criterion fails on the other classes' traces.
#[test]
fn cortical_classes_of_izhikevich_2003() {
    use neurograd_neurons::izhikevich::IzhParams;
    let rs = class_isis(&IzhParams::RS);
    let ib = class_isis(&IzhParams::IB);
    let ch = class_isis(&IzhParams::CH);
    let fs = class_isis(&IzhParams::FS);
    assert!(is_regular_spiking(&rs), "RS {rs:?}");
    assert!(is_intrinsically_bursting(&ib), "IB {ib:?}");
    assert!(is_chattering(&ch), "CH {ch:?}");
    assert!(is_fast_spiking(&fs), "FS {fs:?}");
    for other in [&ib, &ch, &fs] {
        assert!(!is_regular_spiking(other));
    }
    for other in [&rs, &ch, &fs] {
        assert!(!is_intrinsically_bursting(other));
    }
    for other in [&rs, &ib, &fs] {
        assert!(!is_chattering(other));
    }
    for other in [&rs, &ib, &ch] {
        assert!(!is_fast_spiking(other));
    }
    // LTS and TC share b = 0.25; LTS adapts from a high initial rate (first ISI below 5 ms).
    let lts = class_isis(&IzhParams::LTS);
    assert!(
        lts[0] < 5.0 && lts[lts.len() - 1] > 2.0 * lts[0],
        "LTS {lts:?}"
    );
}
