//! Value-stability tests: the first outputs of every seeded generator, the batch iterator and the
//! split are pinned for stability (recorded once from this implementation, 2026-11-28). A failure
//! means the stream or the draw order changed: that is a breaking change for anyone who recorded
//! results with a seed, so bump the version and re-pin deliberately.
//!
//! Integer outputs (permutations, batches, bar indicators, split sizes) are compared exactly.
//! Float outputs go through `ln`, `cos`, `sin`, `sqrt` or `powf`, whose last bit may differ between
//! platforms' math libraries, so they are compared to 1e-12 relative; any change of draw order
//! changes them at order 1.

use neurograd_data::generators::*;
use neurograd_data::transform::{Batches, stratified_split};
use neurograd_data::{Matrix, Vector, bundled, rng};

fn row(m: &Matrix, r: usize, k: usize) -> Vec<f64> {
    m.row(r).iter().take(k).copied().collect()
}

fn pin(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "got {got:?}, pinned {want:?}"
        );
    }
}

#[test]
fn rng_primitives() {
    assert_eq!(
        rng::permutation(&mut rng::stream(15, 0), 8),
        vec![5, 3, 4, 1, 7, 2, 0, 6]
    );
    pin(
        &[rng::uniform(&mut rng::stream(16, 0))],
        &[0.14218688149110326],
    );
    pin(
        &[rng::normal(&mut rng::stream(16, 0))],
        &[-0.22642830619390894],
    );
}

#[test]
fn batches_and_split() {
    let b = Batches::new(10, 4, 13, false).unwrap();
    assert_eq!(
        b.epoch(0),
        vec![vec![5, 6, 7, 8], vec![9, 4, 1, 2], vec![0, 3]]
    );
    assert_eq!(
        b.epoch(1),
        vec![vec![6, 7, 8, 2], vec![5, 3, 9, 0], vec![1, 4]]
    );
    let ds = bundled::digits().unwrap();
    let (tr, te) = stratified_split(&ds, 0.25, 14).unwrap();
    assert_eq!((tr.len(), te.len()), (1346, 451));
    assert_eq!(te.features.sum(), 140491.0);
}

#[test]
fn toy_classification_generators() {
    let d = xor(4, 0.1, 1).unwrap();
    pin(
        &row(&d.features, 0, 2),
        &[-0.911184702810917, -0.9741910106349593],
    );
    pin(
        &row(&d.features, 1, 2),
        &[-1.020011365011564, 1.0638497210337876],
    );
    let d = blobs(6, 3, 2, 1.0, 2).unwrap();
    pin(
        &row(&d.features, 0, 2),
        &[9.9308952178801, 1.0497165556232628],
    );
    pin(
        &row(&d.features, 1, 2),
        &[7.430928026303818, 7.4342828164813435],
    );
    let d = moons(10, 0.1, 3).unwrap();
    pin(
        &row(&d.features, 0, 2),
        &[1.121841738146463, 0.07638079941579742],
    );
    pin(
        &row(&d.features, 9, 2),
        &[2.159731512867798, 0.5219932599056366],
    );
    let d = circles(10, 0.5, 0.1, 4).unwrap();
    pin(
        &row(&d.features, 0, 2),
        &[1.1457342712273524, 0.014844700369317357],
    );
    pin(
        &row(&d.features, 9, 2),
        &[0.13763193188030043, -0.5023276059070052],
    );
    let d = spirals(9, 3, 0.2, 5).unwrap();
    pin(
        &row(&d.features, 3, 2),
        &[0.4821106871129277, -0.13254918095371512],
    );
    pin(
        &row(&d.features, 8, 2),
        &[0.9969516154469028, -0.07802228180341128],
    );
}

#[test]
fn teachers() {
    let t = linear_teacher(3, 2, 1, 0.1, 6).unwrap();
    pin(
        &row(&t.weights, 0, 2),
        &[-0.73291510479514, 0.06932154311707947],
    );
    pin(&[t.bias[0]], &[-0.05745123235841479]);
    pin(
        &row(&t.inputs, 0, 2),
        &[0.2751159382358338, 0.9045602527907379],
    );
    pin(&[t.targets[(0, 0)]], &[-0.1351036671555071]);
    let t = mlp_teacher(3, &[2, 3, 2], 0.1, 7).unwrap();
    pin(
        &row(&t.weights[0], 0, 2),
        &[0.20421374118835248, -0.1607314048764411],
    );
    pin(
        &row(&t.targets, 0, 2),
        &[0.011867084561031152, 0.5675082229126124],
    );
    assert_eq!(t.labels, vec![1, 1, 0]);
}

#[test]
fn bars_gaussians_dead_leaves() {
    let b = bars(2, 4, 0.3, 8).unwrap();
    assert_eq!(
        row(&b.bars, 0, 8),
        vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        row(&b.bars, 1, 8),
        vec![0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]
    );
    let c = Matrix::from_row_slice(2, 2, &[2.0, 0.5, 0.5, 1.0]);
    let g = gaussian_with_covariance(2, &Vector::zeros(2), &c, 9).unwrap();
    pin(&row(&g, 0, 2), &[-0.009677423884409009, 0.4051425842436647]);
    pin(&row(&g, 1, 2), &[-0.6840517948107816, -0.2493959292449959]);
    let g = gaussian_with_spectrum(2, &[3.0, 1.0], 10).unwrap();
    pin(
        &row(&g.eigenvectors, 0, 2),
        &[0.8279764702799752, 0.5607628417278679],
    );
    pin(
        &row(&g.samples, 0, 2),
        &[0.4407435176800253, -0.13095762149776063],
    );
    let dl = DeadLeaves {
        size: 16,
        r_min: 1.0,
        r_max: 8.0,
        alpha: 3.0,
    };
    let im = dl.image(11, 0).unwrap();
    pin(
        &row(&im, 0, 4),
        &[
            0.720122455715007,
            0.9876719236863416,
            0.9876719236863416,
            0.9876719236863416,
        ],
    );
    let p = sample_patches(&[im], 3, 2, 12).unwrap();
    pin(
        &row(&p, 0, 3),
        &[
            0.20575168869050875,
            0.20575168869050875,
            0.27864739466669386,
        ],
    );
}
