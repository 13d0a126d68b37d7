//! BPTT through the autodiff [`Tape`] for the rate RNN: the reference the hand-written
//! [`Bptt`](super::Bptt) and RTRL are checked against.
//!
//! The forward pass of [`RateRnn`] is recorded op by op
//! (`A^t = H^{t−1} W_recᵀ + X^t W_inᵀ + 1 bᵀ`, `H^t = (1 − λ) H^{t−1} + λ tanh(A^t)`,
//! `Y^t = H^t W_outᵀ + 1 b_outᵀ`) together with the loss (written again with tape ops, not through
//! [`SequenceBatch::loss_and_errors`](super::SequenceBatch::loss_and_errors), so the test of the
//! hand-written errors is independent); one reverse sweep gives every parameter gradient.
//! Memory: every node's value and adjoint, O(T B n) matrices of intermediate values (about 10
//! per step); this is the "tape" cost that the hand-written BPTT avoids.

use neurograd_tensor::{Activation, Matrix, Real, Tape, Var};

use super::{
    ClassLoss, GradientReport, RateRnn, RecurrentAlgorithm, RecurrentGrads, RecurrentNet,
    SequenceBatch, SequenceTarget, real_bytes,
};
use crate::Result;

/// BPTT through the autodiff tape (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct TapeBptt {
    _private: (),
}

impl TapeBptt {
    /// The tape reference.
    pub fn new() -> Self {
        TapeBptt { _private: () }
    }
}

impl RecurrentAlgorithm<RateRnn> for TapeBptt {
    fn name(&self) -> &'static str {
        "bptt-tape"
    }

    fn gradient(
        &mut self,
        net: &RateRnn,
        batch: &SequenceBatch,
    ) -> Result<(RecurrentGrads, GradientReport)> {
        let s = net.sizes();
        batch.check_for(s)?;
        let b = batch.batch_size();
        let lam = net.leak();
        let mut tape = Tape::with_capacity(12 * batch.steps() + 16);
        let params: Vec<Var> = net.params().iter().map(|p| tape.leaf(p.clone())).collect();
        let [w_in, w_rec, bias, w_out, b_out] = [0, 1, 2, 3, 4].map(|i| params[i]);
        let mut h = tape.constant(Matrix::zeros(b, s.n_rec));
        let mut ys = Vec::with_capacity(batch.steps());
        for x in batch.inputs() {
            let x = tape.constant(x.clone());
            let rec = tape.matmul_t(h, w_rec)?;
            let inp = tape.matmul_t(x, w_in)?;
            let sum = tape.add(rec, inp)?;
            let a = tape.add_row(sum, bias)?;
            let th = tape.activation(a, Activation::Tanh);
            h = if lam == 1.0 {
                th
            } else {
                let keep = tape.scale(h, 1.0 - lam);
                let new = tape.scale(th, lam);
                tape.add(keep, new)?
            };
            let lin = tape.matmul_t(h, w_out)?;
            ys.push(tape.add_row(lin, b_out)?);
        }
        let loss = tape_loss(&mut tape, batch, &ys)?;
        let loss_value = tape.item(loss)?;
        let grads = tape.backward(loss)?;
        let out = RecurrentGrads {
            grads: params.iter().map(|&p| grads.wrt(p).clone()).collect(),
        };
        // values of the per-step nodes (about 9 of B × n, 3 of B × n_out), and their adjoints
        let node_reals = batch.steps() * (9 * b * s.n_rec + 3 * b * s.n_out);
        out.check_finite()?;
        Ok((
            out,
            GradientReport::new(loss_value, real_bytes(2 * node_reals)),
        ))
    }
}

/// The batch loss of the module docs of [`super`], recorded on the tape.
fn tape_loss(tape: &mut Tape, batch: &SequenceBatch, ys: &[Var]) -> Result<Var> {
    let bf = batch.batch_size() as Real;
    match batch.target() {
        SequenceTarget::Regression {
            targets,
            step_weights,
        } => {
            let mut total: Option<Var> = None;
            for (t, (&y, target)) in ys.iter().zip(targets).enumerate() {
                let w = step_weights[t];
                let c = tape.constant(target.clone());
                let diff = tape.sub(y, c)?;
                let sq = tape.square(diff);
                let sum = tape.sum(sq);
                let term = tape.scale(sum, 0.5 * w / bf);
                total = Some(match total {
                    None => term,
                    Some(acc) => tape.add(acc, term)?,
                });
            }
            // `ys` is non-empty (a validated batch has T >= 1)
            Ok(total.unwrap_or_else(|| tape.constant(Matrix::zeros(1, 1))))
        }
        SequenceTarget::Classification {
            labels,
            window,
            loss,
        } => {
            let wlen = window.len() as Real;
            let mut acc: Option<Var> = None;
            for t in window.clone() {
                let term = match loss {
                    ClassLoss::MeanLogits => tape.scale(ys[t], 1.0 / wlen),
                    ClassLoss::PerStep => {
                        let ce = tape.softmax_cross_entropy(ys[t], labels)?;
                        tape.scale(ce, 1.0 / wlen)
                    }
                };
                acc = Some(match acc {
                    None => term,
                    Some(a) => tape.add(a, term)?,
                });
            }
            let acc = acc.unwrap_or_else(|| tape.constant(Matrix::zeros(1, 1)));
            match loss {
                ClassLoss::MeanLogits => Ok(tape.softmax_cross_entropy(acc, labels)?),
                ClassLoss::PerStep => Ok(acc),
            }
        }
    }
}
