//! Shared fixtures: small seeded networks and batches.

use neurograd_plasticity::credit::{Loss, Network};
use neurograd_tensor::{Activation, Matrix, init};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// A seeded batch `(x, t)` of Gaussian inputs and targets.
pub fn batch(rows: usize, n_in: usize, n_out: usize, seed: u64) -> (Matrix, Matrix) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x = init::normal(rows, n_in, 0.0, 1.0, &mut rng).expect("valid normal");
    let t = init::normal(rows, n_out, 0.0, 0.5, &mut rng).expect("valid normal");
    (x, t)
}

/// A seeded network whose biases are nonzero too.
pub fn net(
    widths: &[usize],
    hidden: Activation,
    output: Activation,
    loss: Loss,
    seed: u64,
) -> Network {
    let mut n = Network::new(widths, hidden, output, loss, seed).expect("valid network");
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xb1a5);
    for l in 0..n.num_layers() {
        let c = n.bias(l).expect("layer").ncols();
        let b = init::uniform(1, c, -0.3, 0.3, &mut rng).expect("valid uniform");
        n.set_bias(l, b).expect("bias of the same shape");
    }
    n
}

/// One-hot targets for `rows` rows cycling through the classes.
pub fn one_hot_cycle(rows: usize, classes: usize) -> Matrix {
    Matrix::from_fn(
        rows,
        classes,
        |i, j| if i % classes == j { 1.0 } else { 0.0 },
    )
}
