//! Izhikevich (2004) Fig. 1: each of the 20 features shows its defining property under the paper's
//! protocol, by a measurable criterion (`check_feature`), and the criteria discriminate.

use neurograd_neurons::NeuronError;
use neurograd_neurons::izhikevich::{
    Feature, IzhParams, IzhVariant, check_feature, simulate, simulate_feature,
};

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
    let e = simulate(&p, IzhVariant::Standard, -65.0, -13.0, 2.0, 100.0, |_| 10.0).unwrap_err();
    assert!(
        matches!(e, NeuronError::InvalidParameter { name: "dt", .. }),
        "{e}"
    );
    let e = simulate(&p, IzhVariant::Standard, -65.0, -13.0, 0.0, 100.0, |_| 10.0).unwrap_err();
    assert!(
        matches!(e, NeuronError::InvalidParameter { name: "dt", .. }),
        "{e}"
    );
    let e = simulate(&p, IzhVariant::Standard, -65.0, -13.0, 0.5, 100.0, |_| {
        f64::NAN
    })
    .unwrap_err();
    assert!(matches!(e, NeuronError::NonFinite { index: 0, .. }), "{e}");
}
