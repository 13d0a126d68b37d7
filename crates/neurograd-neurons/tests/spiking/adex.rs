//! AdEx firing patterns of Naud et al. (2008) and the Brette & Gerstner (2005) neuron.

use neurograd_neurons::NeuronError;
use neurograd_neurons::adex::{
    AdexParams, AdexRun, NaudPattern, check_pattern, simulate, simulate_pattern,
};

/// Claim (Naud et al. 2008, Fig. 4 / Table 1): each parameter set with its step current produces its
/// firing pattern; the criteria are documented on `check_pattern`.
#[test]
fn naud_patterns_hold() {
    let mut failed = Vec::new();
    for p in NaudPattern::ALL {
        let tr = simulate_pattern(p, 10).unwrap();
        let v = check_pattern(p, &tr);
        eprintln!("{p:?}: {} -- {}", v.holds, v.detail);
        if !v.holds {
            failed.push(p);
        }
    }
    assert!(failed.is_empty(), "{failed:?}");
}

/// Negative controls: each criterion fails on a different pattern's trace.
#[test]
fn pattern_criteria_discriminate() {
    use NaudPattern::*;
    for (criterion, other) in [
        (Tonic, Adapting),
        (Adapting, Tonic),
        (InitialBurst, Tonic),
        (RegularBursting, InitialBurst),
        (DelayedAccelerating, Tonic),
        (DelayedRegularBursting, RegularBursting),
        (Transient, Adapting),
        (Irregular, Tonic),
    ] {
        let tr = simulate_pattern(other, 10).unwrap();
        let v = check_pattern(criterion, &tr);
        assert!(
            !v.holds,
            "{criterion:?} wrongly holds on {other:?}: {}",
            v.detail
        );
    }
}

/// Brette & Gerstner (2005) cell, 1 nA from 20 to 120 ms (Brian2 example protocol): it fires during
/// the step with adapting ISIs and is silent before and after it.
#[test]
fn brette_gerstner_step_adapts() {
    let p = AdexParams::brette_gerstner_2005();
    let run = AdexRun {
        params: p,
        dt_ms: 0.1,
        t_end_ms: 300.0,
        record_every: 1,
    };
    let tr = simulate(&run, |t| {
        if (20.0..120.0).contains(&t) {
            1000.0
        } else {
            0.0
        }
    })
    .unwrap();
    let s = &tr.spikes_ms;
    eprintln!("BG2005 spikes {s:?}");
    assert!(
        s.len() >= 3 && s.iter().all(|&t| t > 20.0 && t < 125.0),
        "{s:?}"
    );
    let i: Vec<f64> = s.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(i[i.len() - 1] > i[0], "ISIs {i:?}");
}

#[test]
fn adex_bad_input() {
    let (p, _) = NaudPattern::Tonic.params();
    let run = |params: AdexParams, dt_ms: f64| AdexRun {
        params,
        dt_ms,
        t_end_ms: 100.0,
        record_every: 1,
    };
    let e = simulate(&run(p, 1.0), |_| 0.0).unwrap_err();
    assert!(
        matches!(e, NeuronError::InvalidParameter { name: "dt", .. }),
        "{e}"
    );
    let e = simulate(
        &run(
            AdexParams {
                tau_w_ms: -3.0,
                ..p
            },
            0.1,
        ),
        |_| 0.0,
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            NeuronError::InvalidParameter {
                name: "tau_w_ms",
                ..
            }
        ),
        "{e}"
    );
    let e = simulate(&run(p, 0.1), |_| f64::NAN).unwrap_err();
    assert!(matches!(e, NeuronError::NonFinite { .. }), "{e}");
    assert!(matches!(
        NaudPattern::from_name("chaotic").unwrap_err(),
        NeuronError::UnknownName { .. }
    ));
}
