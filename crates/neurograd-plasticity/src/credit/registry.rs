//! Name -> constructor for every credit-assignment algorithm, with the network each one is meant
//! to train (activations and loss) and a learning rate that works on digits with Adam.
//!
//! The feed-forward algorithms (backprop, FA, DFA, sign symmetry, DTP) use ReLU hidden units and a
//! softmax cross-entropy output: on digits (64-256-10, 30 epochs, 5 seeds) ReLU backprop reaches
//! 0.975 where tanh reaches 0.968, the gap scikit-learn's `MLPClassifier` shows too (theory.md
//! §17d; docs/benchmarks.md). Predictive coding and CHL keep tanh, whose bounded derivative keeps
//! their relaxations contracting (with ReLU the PC inference does not converge on digits).
//! Equilibrium propagation uses the hard-sigmoid hidden units of its paper and a **linear
//! output** layer: with a hard-sigmoid output, a wrong output unit driven above 1 stays clipped in
//! both phases and gets no update (the true gradient is zero there too), and on digits the 5-seed
//! mean was 0.935 against 0.950 with the linear output (EP permits any `ρ`; the energy stays
//! quadratic in a linear layer, so the block-coordinate relaxation handles it).
//!
//! The list itself is the `registry!` invocation in `credit/mod.rs` (see the
//! [module docs](super)): per algorithm module, the types it re-exports and its registry entries
//! (the fields of [`AlgorithmInfo`] but the name). The macro emits the `pub mod` and `pub use`
//! lines and [`ALGORITHMS`], so adding an algorithm is its file plus one entry there; this module
//! holds the entry type, the shared constructors and the lookups ([`info`], [`by_name`],
//! [`parse_list`]).

use neurograd_tensor::{Activation, Matrix, Real};

use super::{
    CreditAssignment, EpVariant, EquilibriumPropagation, Loss, Network, Relaxation, Updates,
};
use crate::{PlasticityError, Result};

/// One registered algorithm.
#[derive(Clone, Copy, Debug)]
pub struct AlgorithmInfo {
    /// Registry name (`--algorithms` value).
    pub name: &'static str,
    /// One-line description with its source.
    pub summary: &'static str,
    /// `false` for unsupervised algorithms (recirculation: an autoencoder, targets = inputs).
    pub supervised: bool,
    /// Hidden activation the algorithm is meant for.
    pub hidden: Activation,
    /// Output activation the algorithm is meant for.
    pub output: Activation,
    /// Loss the algorithm is meant for.
    pub loss: Loss,
    /// Adam learning rate that works on digits (64-256-10, batch 32).
    pub learning_rate: Real,
    /// Builds the algorithm for a network and a seed (see [`AlgorithmInfo::build`]); set by the
    /// `registry!` entry, private outside `credit`.
    pub(super) constructor: fn(&Network, u64) -> Result<Box<dyn CreditAssignment>>,
}

impl AlgorithmInfo {
    /// Builds the algorithm for `net` (random feedback or inverses drawn from `seed`).
    ///
    /// # Errors
    /// Constructor errors (e.g. a network the algorithm cannot size itself to).
    pub fn build(&self, net: &Network, seed: u64) -> Result<Box<dyn CreditAssignment>> {
        (self.constructor)(net, seed)
    }

    /// A network of the given widths set up for this algorithm (its activations and loss).
    ///
    /// # Errors
    /// As [`Network::new`].
    pub fn network(&self, widths: &[usize], seed: u64) -> Result<Network> {
        Network::new(widths, self.hidden, self.output, self.loss, seed)
    }
}

/// Boxes a constructed algorithm (the usual tail of a registry constructor).
pub(super) fn boxed<A: CreditAssignment + 'static>(a: A) -> Result<Box<dyn CreditAssignment>> {
    Ok(Box::new(a))
}

/// `inner` registered under a second `name` (a baseline on another network).
pub(super) fn renamed<A: CreditAssignment + 'static>(
    name: &'static str,
    inner: A,
) -> Result<Box<dyn CreditAssignment>> {
    boxed(Renamed { name, inner })
}

/// An algorithm registered under a second name (a baseline on another network), delegating
/// everything but the name.
struct Renamed<A> {
    name: &'static str,
    inner: A,
}

impl<A: CreditAssignment> CreditAssignment for Renamed<A> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn updates_into(
        &mut self,
        net: &Network,
        x: &Matrix,
        t: &Matrix,
        out: &mut Updates,
    ) -> Result<()> {
        self.inner.updates_into(net, x, t, out)
    }

    fn predict(&mut self, net: &Network, x: &Matrix) -> Result<Matrix> {
        self.inner.predict(net, x)
    }

    fn set_step(&mut self, step: u64) {
        self.inner.set_step(step);
    }

    fn supports_conv(&self) -> bool {
        self.inner.supports_conv()
    }
}

/// EP as registered: β = 0.5, block-coordinate relaxation to a residual of 1e-4 within 5000
/// sweeps, optionally with a random sign of β per batch.
pub(super) fn ep(
    variant: EpVariant,
    random_sign: Option<u64>,
) -> Result<Box<dyn CreditAssignment>> {
    let a = EquilibriumPropagation::new(0.5, variant)?
        .with_relaxation(Relaxation {
            step: 0.5,
            tol: 1e-4,
            max_iters: 5000,
        })?
        .with_block_coordinate(true);
    match random_sign {
        Some(seed) => boxed(a.with_random_sign(seed)),
        None => boxed(a),
    }
}

pub(super) const TANH: Activation = Activation::Tanh;
pub(super) const RELU: Activation = Activation::Relu;
pub(super) const ID: Activation = Activation::Identity;
pub(super) const HS: Activation = Activation::HardSigmoid;
pub(super) const CE: Loss = Loss::SoftmaxCrossEntropy;
pub(super) const SE: Loss = Loss::HalfSquaredError;

/// Every registered algorithm, in a stable order (the `registry!` list of `credit/mod.rs`).
pub const ALGORITHMS: &[AlgorithmInfo] = super::REGISTERED;

/// Every registered algorithm.
pub fn algorithms() -> &'static [AlgorithmInfo] {
    ALGORITHMS
}

/// Comma-separated list of the valid names.
pub fn valid_names() -> String {
    ALGORITHMS
        .iter()
        .map(|a| a.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The registry entry called `name`.
///
/// # Errors
/// [`PlasticityError::UnknownName`] listing the valid names.
pub fn info(name: &str) -> Result<&'static AlgorithmInfo> {
    ALGORITHMS
        .iter()
        .find(|a| a.name == name.trim())
        .ok_or_else(|| PlasticityError::UnknownName {
            kind: "credit-assignment algorithm",
            name: name.to_string(),
            valid: valid_names(),
        })
}

/// Builds the algorithm called `name` for `net`.
///
/// # Errors
/// [`PlasticityError::UnknownName`] listing the valid names; constructor errors.
pub fn by_name(name: &str, net: &Network, seed: u64) -> Result<Box<dyn CreditAssignment>> {
    info(name)?.build(net, seed)
}

/// Parses a comma-separated list such as `"bp,fa,ep"`.
///
/// # Errors
/// [`PlasticityError::UnknownName`] for the first unknown entry; an empty list is
/// [`PlasticityError::InvalidParameter`].
pub fn parse_list(list: &str) -> Result<Vec<&'static AlgorithmInfo>> {
    let out = list
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(info)
        .collect::<Result<Vec<_>>>()?;
    if out.is_empty() {
        return Err(PlasticityError::InvalidParameter {
            name: "algorithms",
            value: list.to_string(),
            reason: format!("no algorithm named; valid names: {}", valid_names()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `registry!` list keeps the registry order documented in docs/credit-assignment.md
    /// (the order of `compare`'s rows and of `valid_names`), with unique names; new algorithms
    /// go after these.
    #[test]
    fn registry_order_is_the_documented_one_and_names_are_unique() {
        let names: Vec<&str> = algorithms().iter().map(|a| a.name).collect();
        let documented = [
            "bp",
            "bp-tape",
            "fa",
            "dfa",
            "ss",
            "pc",
            "pc-fpa",
            "pc-zil",
            "ep",
            "ep-rs",
            "ep-sym",
            "bp-ep",
            "chl",
            "dtp",
            "es",
            "recirculation",
        ];
        assert!(names.len() >= documented.len(), "{names:?}");
        assert_eq!(&names[..documented.len()], &documented[..]);
        for (i, a) in names.iter().enumerate() {
            assert!(!names[..i].contains(a), "{a} registered twice");
        }
        assert_eq!(valid_names(), names.join(", "));
    }

    /// Every entry's network is the one the module docs give its family: ReLU + cross-entropy for
    /// the feed-forward algorithms, tanh + squared error for PC and CHL, hard-sigmoid + linear
    /// output + squared error for EP and its backprop baseline; Adam 1e-3 except ES (1e-2).
    #[test]
    fn networks_and_learning_rates_follow_the_module_docs() {
        for a in algorithms() {
            let (hidden, loss, lr) = match a.name {
                "bp" | "bp-tape" | "fa" | "dfa" | "ss" | "dtp" | "kp" | "wm" => (RELU, CE, 1e-3),
                "es" => (RELU, CE, 1e-2),
                "pc" | "pc-fpa" | "pc-zil" | "chl" => (TANH, SE, 1e-3),
                "ep" | "ep-rs" | "ep-sym" | "bp-ep" => (HS, SE, 1e-3),
                "recirculation" => (Activation::Sigmoid, SE, 1e-3),
                _ => continue,
            };
            assert_eq!(
                (a.hidden, a.output, a.loss),
                (hidden, ID, loss),
                "{}",
                a.name
            );
            assert_eq!(a.learning_rate, lr, "{}", a.name);
            assert_eq!(a.supervised, a.name != "recirculation", "{}", a.name);
        }
    }
}
