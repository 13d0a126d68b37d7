//! Value-stability tests: the first outputs of every seeded initialiser for seed 42.
//!
//! These numbers were computed once by this code and pasted here. They pin **stability** (the
//! same seed keeps giving the same matrices across versions of neurograd, rand, rand_distr and
//! rand_chacha), not correctness; correctness is tested by the distributional and algebraic
//! tests in the `init` module. If a dependency upgrade changes the streams, these tests fail on
//! purpose: update the numbers and say so in the changelog.

use neurograd_tensor::{Init, Matrix, init};

use crate::common::rng;

fn first(init: Init, rows: usize, cols: usize, n: usize) -> Vec<f64> {
    let m: Matrix = init.sample(rows, cols, &mut rng(42)).unwrap();
    // row-major, which is also the draw order
    m.transpose().as_slice().iter().take(n).copied().collect()
}

#[test]
fn uniform_and_normal_are_pinned() {
    assert_eq!(
        first(
            Init::Uniform {
                low: -1.0,
                high: 2.0
            },
            3,
            4,
            4
        ),
        [
            1.0456885769200142,
            1.8508262230174521,
            0.2825492085695591,
            0.882081563592021
        ]
    );
    assert_eq!(
        first(
            Init::Normal {
                mean: 0.5,
                std: 2.0
            },
            3,
            4,
            4
        ),
        [
            1.4559624767020436,
            3.1681412204636157,
            0.07826663345793944,
            1.4526938476176428
        ]
    );
}

#[test]
fn glorot_and_he_are_pinned() {
    assert_eq!(
        first(Init::GlorotUniform, 3, 4, 4),
        [
            0.33680630181921933,
            0.8337480457129307,
            -0.13421354227850069,
            0.23582586088401158
        ]
    );
    assert_eq!(
        first(Init::GlorotNormal, 3, 4, 4),
        [
            0.2554917187450652,
            0.7130907361788377,
            -0.1127129832979388,
            0.25461814087661716
        ]
    );
    assert_eq!(
        first(Init::HeUniform, 3, 4, 4),
        [
            0.44555285730650773,
            1.1029449925212633,
            -0.17754782772298294,
            0.31196829030840467
        ]
    );
    assert_eq!(
        first(Init::HeNormal, 3, 4, 4),
        [
            0.33798377491795095,
            0.9433303750765869,
            -0.14910526166726143,
            0.3368281400225693
        ]
    );
}

/// Orthogonal goes through a Householder QR, whose last bits may depend on the platform's
/// floating-point contraction; pinned to 1e-12 instead of bit-exactly.
#[test]
fn orthogonal_is_pinned() {
    let got = first(Init::Orthogonal { gain: 1.0 }, 3, 4, 4);
    let pinned = [
        0.33999190711569405,
        0.3388294060101136,
        -0.712999439171675,
        -0.5111085368681927,
    ];
    for (g, p) in got.iter().zip(pinned) {
        assert!((g - p).abs() < 1e-12, "{got:?}");
    }
}

#[test]
fn sparse_is_pinned() {
    assert_eq!(
        first(
            Init::Sparse {
                density: 0.5,
                std: 1.0
            },
            3,
            4,
            12
        ),
        [
            0.47798123835102174,
            0.0,
            0.0,
            0.0,
            0.0,
            -0.9339784493906981,
            -1.0023778441376028,
            0.0,
            0.0,
            0.0,
            0.0,
            1.0449801415223063
        ]
    );
}

/// The free functions and the `Init` enum draw the same stream.
#[test]
fn functions_match_enum() {
    let e = Init::HeUniform.sample(5, 3, &mut rng(9)).unwrap();
    assert_eq!(init::he_uniform(5, 3, &mut rng(9)).unwrap(), e);
    let e = Init::Sparse {
        density: 0.3,
        std: 0.2,
    }
    .sample(5, 3, &mut rng(9))
    .unwrap();
    assert_eq!(init::sparse(5, 3, 0.3, 0.2, &mut rng(9)).unwrap(), e);
}
