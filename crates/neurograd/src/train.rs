//! Training, as the facade composes it: datasets are loaded ([`load_dataset`]) and prepared
//! ([`prepare`]: stratified split, standardisation, one-hot targets) with the data crate; the
//! random streams of a run are chosen from one master seed ([`seeds`]); the one training loop,
//! [`Trainer`] of the plasticity crate (`neurograd::plasticity::credit::train`, re-exported
//! here), does the training; [`run`] drives it with a [`Progress`] observer and writes a
//! [`Checkpoint`] after every epoch ([`save_checkpoint`], [`load_checkpoint`]: atomic JSON).
//!
//! Every algorithm of the plasticity registry trains the same way, the evolution strategy `es`
//! included (`neurograd::plasticity::credit::es`). Because the shuffle (shuffle stream, epoch),
//! the algorithm's random feedback (algorithm stream) and the evolution strategy's noise
//! (algorithm stream, step) are pure functions of the seed and the position, a run resumed from
//! a checkpoint is bit-identical to an uninterrupted one.

use crate::data::Dataset;
use crate::tensor::{Matrix, Real};
use crate::{Error, Progress, Result};

pub use crate::plasticity::credit::train::{
    Checkpoint, EpochRecord, Seeds, TrainConfig, TrainData, TrainOutcome, Trainer,
};

/// Names of the dataset sources [`load_dataset`] accepts (`idx:` and `npy:` take paths).
pub const DATASETS: &[&str] = &["digits", "mnist5k", "idx:DIR", "npy:X.npy,Y.npy"];

/// Loads a dataset by specification: `digits` (bundled UCI 8x8 digits), `mnist5k` (bundled MNIST
/// subset), `idx:DIR` (a directory with the four standard MNIST idx files; train and test are
/// concatenated and re-split by [`prepare`]), `npy:X.npy,Y.npy` (features n x d and integer labels).
///
/// # Errors
/// [`Error::UnknownName`] listing [`DATASETS`]; the data crate's errors naming a missing or corrupt
/// file.
pub fn load_dataset(spec: &str) -> Result<Dataset> {
    let spec = spec.trim();
    if let Some(dir) = spec.strip_prefix("idx:") {
        let s = crate::data::io::idx::load_mnist_dir(dir)?;
        let (a, b) = (&s.train, &s.test);
        let d = a.n_features();
        let features = Matrix::from_fn(a.len() + b.len(), d, |i, j| {
            if i < a.len() {
                a.features[(i, j)]
            } else {
                b.features[(i - a.len(), j)]
            }
        });
        let labels = a.labels.iter().chain(&b.labels).copied().collect();
        return Ok(Dataset::new(
            features,
            labels,
            a.class_names.clone(),
            a.image_shape,
        )?);
    }
    if let Some(rest) = spec.strip_prefix("npy:") {
        let (x, y) = rest.split_once(',').ok_or_else(|| {
            Error::invalid("dataset", spec, "npy: takes two paths, npy:X.npy,Y.npy")
        })?;
        return Ok(crate::data::io::npy::load_dataset(x.trim(), y.trim())?);
    }
    match spec {
        "digits" => Ok(crate::data::bundled::digits()?),
        "mnist5k" => Ok(crate::data::bundled::mnist5k()?),
        _ => Err(Error::unknown("dataset", spec, DATASETS)),
    }
}

/// A dataset split and standardised for training.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The dataset specification it came from.
    pub name: String,
    /// Standardised training inputs (n_train, d).
    pub x_train: Matrix,
    /// One-hot training targets (n_train, classes).
    pub t_train: Matrix,
    /// Training labels.
    pub labels_train: Vec<usize>,
    /// Standardised test inputs (n_test, d), with the training set's mean and scale.
    pub x_test: Matrix,
    /// Test labels.
    pub labels_test: Vec<usize>,
    /// Number of classes.
    pub n_classes: usize,
    /// Image shape, if the samples are images.
    pub image_shape: Option<(usize, usize)>,
}

impl Prepared {
    /// The borrowed view the training loop takes.
    pub fn train_data(&self) -> TrainData<'_> {
        TrainData {
            x_train: &self.x_train,
            t_train: &self.t_train,
            x_test: &self.x_test,
            labels_test: &self.labels_test,
        }
    }
}

/// The independent random streams of one training run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// Network initialisation.
    Network,
    /// The algorithm's own randomness (feedback matrices, inverse-training noise, ES noise).
    Algorithm,
    /// Mini-batch shuffling.
    Shuffle,
}

/// The seed of `stream` for a run seeded `seed`: the SplitMix64 finaliser
/// ([`seed::mix`](crate::tensor::seed::mix); Steele, Lea & Flood 2014) of `seed` and the stream's
/// tag. Runs with neighbouring seeds (`compare --seeds N` uses `seed, seed + 1, ...`) therefore
/// never share a stream, as they would with `seed + k` offsets (seed `s + 1`'s initialisation
/// would be seed `s`'s feedback stream).
pub fn sub_seed(seed: u64, stream: Stream) -> u64 {
    let tag: u64 = match stream {
        Stream::Network => 1,
        Stream::Algorithm => 2,
        Stream::Shuffle => 3,
    };
    crate::tensor::seed::mix(seed, 0, tag)
}

/// The three streams of a run seeded `seed` ([`sub_seed`] of each [`Stream`]), as the training
/// loop takes them.
pub fn seeds(seed: u64) -> Seeds {
    Seeds {
        network: sub_seed(seed, Stream::Network),
        algorithm: sub_seed(seed, Stream::Algorithm),
        shuffle: sub_seed(seed, Stream::Shuffle),
    }
}

/// Splits `ds` (stratified, `test_fraction` held out, seeded) and standardises the features with
/// the training part's statistics.
///
/// # Errors
/// [`Error::InvalidParameter`] for a dataset with fewer than two classes; the data crate's errors
/// (bad fraction, empty split).
pub fn prepare(name: &str, ds: &Dataset, test_fraction: Real, seed: u64) -> Result<Prepared> {
    use crate::data::transform::{Standardizer, one_hot, stratified_split};
    let mut present: Vec<usize> = ds.labels.clone();
    present.sort_unstable();
    present.dedup();
    if present.len() < 2 {
        return Err(Error::invalid(
            "dataset",
            name,
            format!(
                "has {} class(es) ({present:?}); classification needs at least 2",
                present.len()
            ),
        ));
    }
    let (train, test) = stratified_split(ds, test_fraction, seed)?;
    let st = Standardizer::fit(&train.features)?;
    Ok(Prepared {
        name: name.to_string(),
        x_train: st.transform(&train.features)?,
        t_train: one_hot(&train.labels, ds.n_classes())?,
        labels_train: train.labels.clone(),
        x_test: st.transform(&test.features)?,
        labels_test: test.labels.clone(),
        n_classes: ds.n_classes(),
        image_shape: ds.image_shape,
    })
}

/// Writes a checkpoint atomically as JSON.
///
/// # Errors
/// [`Error::Io`], [`Error::Serde`].
pub fn save_checkpoint(ck: &Checkpoint, path: &std::path::Path) -> Result<()> {
    crate::io::write_json(path, ck)
}

/// Reads a checkpoint written by [`save_checkpoint`].
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, [`Error::Corrupt`] naming it if it does not parse.
pub fn load_checkpoint(path: &std::path::Path) -> Result<Checkpoint> {
    let s = crate::io::read_to_string(path)?;
    serde_json::from_str(&s).map_err(|e| Error::Corrupt {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Runs the remaining epochs of `trainer` on `data`, advancing `progress` by one per batch and,
/// if `checkpoint` is given, saving a checkpoint there after every epoch; returns the outcome.
///
/// # Errors
/// The training loop's errors (divergence, algorithm and optimizer errors); checkpoint write
/// errors.
pub fn run(
    mut trainer: Trainer,
    data: &Prepared,
    progress: &dyn Progress,
    checkpoint: Option<&std::path::Path>,
) -> Result<TrainOutcome> {
    let td = data.train_data();
    while !trainer.done() {
        trainer.run_epoch(&td, &mut || progress.inc(1))?;
        if let Some(p) = checkpoint {
            save_checkpoint(&trainer.checkpoint(), p)?;
        }
    }
    Ok(trainer.outcome())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Prepared {
        crate::experiments::compare::prepare_data("digits", Some(200), 0.25, 3).unwrap()
    }

    /// A small run seeded 5, configured as `compare` configures its runs.
    fn config(algorithm: &str) -> TrainConfig {
        let p = crate::experiments::compare::CompareParams {
            hidden: vec![8],
            epochs: 2,
            batch_size: 16,
            cosine_every: 3,
            target_accuracy: 0.5,
            ..Default::default()
        };
        p.train_config(algorithm, 5)
    }

    /// Checkpoints resume bit-identically through a JSON file: 2 epochs straight equal 1 epoch,
    /// [`run`] writing the checkpoint, load, resume, 1 more epoch (network and history compared
    /// exactly), for a feedback algorithm (fixed random feedback from the seed) and for the
    /// evolution strategy (noise stream from the step). Negative control: resuming with a
    /// different master seed's streams changes the run.
    #[test]
    fn checkpoint_resume_is_bit_identical() {
        let d = data();
        let td = d.train_data();
        for algo in ["fa", "es"] {
            let s = config(algo);
            let straight =
                run(Trainer::new(&s, &td).unwrap(), &d, &crate::NoProgress, None).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("ck.json");
            let one = TrainConfig {
                epochs: 1,
                ..s.clone()
            };
            run(
                Trainer::new(&one, &td).unwrap(),
                &d,
                &crate::NoProgress,
                Some(&p),
            )
            .unwrap();
            let mut ck = load_checkpoint(&p).unwrap();
            assert_eq!(ck.epoch, 1);
            ck.config.epochs = 2;
            let r = Trainer::resume(&ck, &td).unwrap();
            let resumed = run(r, &d, &crate::NoProgress, None).unwrap();
            let strip = |h: &[EpochRecord]| {
                h.iter()
                    .map(|e| (e.train_loss, e.test_accuracy, e.mean_cosine_to_bp))
                    .collect::<Vec<_>>()
            };
            assert_eq!(strip(&resumed.history), strip(&straight.history), "{algo}");
            let mut t2 = Trainer::new(&s, &td).unwrap();
            t2.run_epoch(&td, &mut || {}).unwrap();
            t2.run_epoch(&td, &mut || {}).unwrap();
            let mut r2 = Trainer::resume(&ck, &td).unwrap();
            r2.run_epoch(&td, &mut || {}).unwrap();
            assert_eq!(
                r2.network(),
                t2.network(),
                "{algo}: parameters differ after resume"
            );
            // Negative control: resuming with another seed's streams changes the run.
            let mut other = ck.clone();
            other.config.seeds = seeds(6);
            let mut o = Trainer::resume(&other, &td).unwrap();
            o.run_epoch(&td, &mut || {}).unwrap();
            assert_ne!(o.network(), t2.network());
        }
    }

    #[test]
    fn corrupt_checkpoint_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ck.json");
        std::fs::write(&p, b"{not json").unwrap();
        let e = load_checkpoint(&p).unwrap_err();
        assert!(matches!(e, Error::Corrupt { .. }), "{e:?}");
        assert!(e.to_string().contains("ck.json"));
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn unknown_algorithm_lists_valid_names() {
        let d = data();
        let e: Error = Trainer::new(&config("nope"), &d.train_data())
            .err()
            .unwrap()
            .into();
        assert!(
            matches!(
                e,
                Error::Plasticity(crate::plasticity::PlasticityError::UnknownName { .. })
            ),
            "{e:?}"
        );
        assert_eq!(e.exit_code(), 2);
        let m = e.to_string();
        assert!(m.contains("'nope'"), "{m}");
        let Error::Plasticity(crate::plasticity::PlasticityError::UnknownName { valid, .. }) = e
        else {
            unreachable!()
        };
        let valid: Vec<&str> = valid.split(", ").collect();
        // The supervised algorithms, the evolution strategy among them; not the autoencoder.
        for name in ["bp", "fa", "ep", "es"] {
            assert!(valid.contains(&name), "{name}: {valid:?}");
        }
        assert!(!valid.contains(&"recirculation"), "{valid:?}");
    }

    /// The streams of a seed are distinct, and neighbouring seeds share none.
    #[test]
    fn streams_are_distinct() {
        let (a, b) = (seeds(0), seeds(1));
        let all = [
            a.network,
            a.algorithm,
            a.shuffle,
            b.network,
            b.algorithm,
            b.shuffle,
        ];
        for i in 0..all.len() {
            for j in 0..i {
                assert_ne!(all[i], all[j], "{i} {j}");
            }
        }
    }
}
