//! The stepping engine of [`BrettNetwork`](super::brette2007::BrettNetwork) with its default
//! neuron [`BrettLif`] (issue 18): the population's state as a struct of arrays (potentials,
//! refractory counters), the neuron update on the CPU's widest SIMD path, and a multi-threaded
//! run on persistent threads that gives the same bits as one thread.
//!
//! **Update.** The potentials `v`, refractory counters `refr` and the synaptic variables `g_e`,
//! `g_i` are separate arrays, so one step streams through them without gathering fields from an
//! array of structs. Each chunk of 64 neurons is updated branch-free (the new potential is
//! computed for every neuron and kept where it is not refractory; the counter counts down
//! saturating at 0; both synaptic variables decay) while noting whether a potential crossed the
//! threshold; only such a chunk is scanned for spikes and reset. The arithmetic is
//! [`BrettLif`]'s own (`NeuronModel::step` then `reset`), element-wise, so every SIMD path and
//! the generic per-neuron loop give the same bits.
//!
//! **Invariant.** A neuron whose refractory counter is above 0 has `V = V_reset`: the reset sets
//! both, the update leaves `V` alone while the counter runs, and the engine is built only from
//! states that satisfy it (`BrettNetwork::with_model` falls back to the generic path
//! otherwise). The update therefore writes `V_reset` for a refractory neuron instead of the `V`
//! it loaded, which keeps the store a plain vector store (see `update_chunk`).
//!
//! **Propagation.** A spike of neuron `i` adds its weight to `g[j]` for every target `j` of its
//! CSR row (sorted `u32` targets), spikes in ascending index order.
//!
//! **Threads.** The neurons are split into `B` contiguous blocks (multiples of 64 neurons), one
//! per thread, for the whole run: the caller's thread steps block 0 and calls the observer, `B -
//! 1` scoped threads step the others. A step is: every thread updates its block and publishes
//! its spikes (double-buffered by step parity, with a per-block counter of published steps on a
//! cache line of its own; lock-free, no barrier); it waits for every other block's spikes of the
//! step and adds them all (blocks in order, so ascending index) to the targets *inside its own
//! block* (a row's part in a block is a sub-slice, located by binary search once per run, so a
//! step only adds). The caller's thread
//! hands the step's spikes to the observer before it propagates and publishes the verdict; the
//! other threads wait for that verdict before their next update (by then it is usually there), so
//! an observer error stops every thread after the same step as on one thread. One exchange per
//! step is what the data needs (every block needs every spike of the step before its next
//! update); the earlier engine had a barrier and then a wait for the observer, which ran after
//! the caller's propagation. Each synaptic variable is thus written by one thread only, and
//! receives the same additions in the same order as on one thread: the states, synaptic
//! variables and spikes are bit-identical for every thread count. A waiting thread spins
//! (`std::hint::spin_loop`), then parks, so a descheduled partner can run on a busy machine.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::thread::Thread;

use super::brette2007::{BenchmarkKind, BrettLif};
use crate::connectivity::Csr;
use crate::simd;
use crate::{Real, Result};

/// Neurons per chunk of the update (a chunk with a threshold crossing is scanned for spikes).
pub(crate) const CHUNK: usize = 64;

/// The state of the neurons as a struct of arrays.
#[derive(Debug, Clone)]
pub(crate) struct SoaState {
    pub(crate) model: BrettLif,
    pub(crate) v: Vec<Real>,
    pub(crate) refr: Vec<u32>,
    pub(crate) spikes: Vec<u32>,
}

/// What the engine needs besides the state: synaptic decay factors, the projections and weights.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wiring<'a> {
    pub(crate) c_e: Real,
    pub(crate) c_i: Real,
    pub(crate) exc: &'a Csr,
    pub(crate) inh: &'a Csr,
    pub(crate) w_e: Real,
    pub(crate) w_i: Real,
    pub(crate) n_exc: u32,
}

/// One block of neurons: its slices of the four state arrays and the global index of its first
/// neuron.
struct Block<'a> {
    off: u32,
    v: &'a mut [Real],
    refr: &'a mut [u32],
    ge: &'a mut [Real],
    gi: &'a mut [Real],
}

impl Block<'_> {
    /// Update the block's neurons on `model`'s SIMD path; push the global indices of the spikes.
    fn update(&mut self, model: &BrettLif, c_e: Real, c_i: Real, spikes: &mut Vec<u32>) {
        struct Op<'a, 'b> {
            model: &'a BrettLif,
            block: &'a mut Block<'b>,
            c_e: Real,
            c_i: Real,
            spikes: &'a mut Vec<u32>,
        }
        impl pulp::WithSimd for Op<'_, '_> {
            type Output = ();
            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, _simd: S) {
                let Op {
                    model,
                    block,
                    c_e,
                    c_i,
                    spikes,
                } = self;
                // a local copy: its constants stay in registers across the loop's stores
                let m = *model;
                let m = &m;
                match m.kind() {
                    BenchmarkKind::Coba => {
                        update_chunks(m, block, c_e, c_i, spikes, |v, e, i| m.coba(v, 0.0, e, i))
                    }
                    BenchmarkKind::Cuba => {
                        update_chunks(m, block, c_e, c_i, spikes, |v, e, i| m.cuba(v, 0.0, e, i))
                    }
                }
            }
        }
        simd::dispatch(
            model.simd_path(),
            Op {
                model,
                block: self,
                c_e,
                c_i,
                spikes,
            },
        );
    }

    /// Add every spike of `spikes` (ascending) to the targets inside this block; `cuts` (from
    /// [`Block::cuts`]) locates each row's part in the block, `None` for a block holding every
    /// neuron.
    fn propagate(&mut self, w: &Wiring<'_>, spikes: &[u32], cuts: Option<&Cuts>) {
        let lo = self.off;
        for &i in spikes {
            let (row, g, wt, cut) = if i < w.n_exc {
                let r = i as usize;
                (w.exc.row(r), &mut *self.ge, w.w_e, cuts.map(|c| c.exc[r]))
            } else {
                let r = (i - w.n_exc) as usize;
                (w.inh.row(r), &mut *self.gi, w.w_i, cuts.map(|c| c.inh[r]))
            };
            let part = match cut {
                Some([a, z]) => &row[a as usize..z as usize],
                None => row,
            };
            for &j in part {
                g[(j - lo) as usize] += wt;
            }
        }
    }

    /// Where each row of the two projections enters and leaves this block (rows are sorted):
    /// computed once per run, so a step's propagation adds along sub-slices without searching.
    fn cuts(&self, w: &Wiring<'_>) -> Cuts {
        let lo = self.off;
        let hi = lo + self.v.len() as u32;
        let of = |csr: &Csr| {
            (0..csr.n_pre())
                .map(|r| {
                    let row = csr.row(r);
                    let a = row.partition_point(|&j| j < lo);
                    let z = a + row[a..].partition_point(|&j| j < hi);
                    [a as u32, z as u32]
                })
                .collect()
        };
        Cuts {
            exc: of(w.exc),
            inh: of(w.inh),
        }
    }
}

/// Per row of the excitatory and the inhibitory projection, the range `[a, z)` of its targets
/// that lie in one block.
struct Cuts {
    exc: Vec<[u32; 2]>,
    inh: Vec<[u32; 2]>,
}

/// The update loop of one block for one rule `new_v(V, g_e, g_i)` (module docs): whole chunks of
/// [`CHUNK`] neurons as fixed-size arrays (fully unrolled vector code), then the remainder.
#[inline(always)]
fn update_chunks(
    m: &BrettLif,
    b: &mut Block<'_>,
    c_e: Real,
    c_i: Real,
    spikes: &mut Vec<u32>,
    new_v: impl Fn(Real, Real, Real) -> Real,
) {
    let full = b.v.len() / CHUNK * CHUNK;
    let (v0, v1) = b.v.split_at_mut(full.min(b.v.len()));
    let (r0, r1) = b.refr.split_at_mut(full.min(b.refr.len()));
    let (e0, e1) = b.ge.split_at_mut(full.min(b.ge.len()));
    let (i0, i1) = b.gi.split_at_mut(full.min(b.gi.len()));
    for (c, (((vs, rs), ge), gi)) in v0
        .chunks_exact_mut(CHUNK)
        .zip(r0.chunks_exact_mut(CHUNK))
        .zip(e0.chunks_exact_mut(CHUNK))
        .zip(i0.chunks_exact_mut(CHUNK))
        .enumerate()
    {
        let vs: &mut [Real; CHUNK] = vs.try_into().expect("exact chunk");
        let rs: &mut [u32; CHUNK] = rs.try_into().expect("exact chunk");
        let ge: &mut [Real; CHUNK] = ge.try_into().expect("exact chunk");
        let gi: &mut [Real; CHUNK] = gi.try_into().expect("exact chunk");
        let base = b.off + (c * CHUNK) as u32;
        update_chunk(m, vs, rs, ge, gi, c_e, c_i, base, spikes, &new_v);
    }
    let base = b.off + full as u32;
    update_chunk(m, v1, r1, e1, i1, c_e, c_i, base, spikes, &new_v);
}

/// One chunk: the branch-free update noting threshold crossings, then (only if one crossed) the
/// scan for spikes with their reset.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn update_chunk(
    m: &BrettLif,
    vs: &mut [Real],
    rs: &mut [u32],
    ge: &mut [Real],
    gi: &mut [Real],
    c_e: Real,
    c_i: Real,
    base: u32,
    spikes: &mut Vec<u32>,
    new_v: &impl Fn(Real, Real, Real) -> Real,
) {
    let (v_th, v_reset) = (m.v_th(), m.v_reset());
    // equal, known lengths: no bounds checks in the loop
    let n = vs.len().min(rs.len()).min(ge.len()).min(gi.len());
    let (vs, rs, ge, gi) = (&mut vs[..n], &mut rs[..n], &mut ge[..n], &mut gi[..n]);
    let mut crossed = 0u64;
    for k in 0..n {
        let (e, i, v, r) = (ge[k], gi[k], vs[k], rs[k]);
        let nv = new_v(v, e, i);
        // A refractory neuron holds V = V_reset (module docs: the engine's invariant), so this is
        // the model's "keep V" with a value that is not the one loaded: with `else { v }` LLVM
        // turns the store into a masked store of `nv` (`vmaskmovpd`), microcoded on AMD Zen,
        // which made this loop 15 % slower per step (1 thread: 49.5-50.7 ms against 42.1-43.6
        // per simulated second, idle 2-vCPU EPYC, 2026-12-05).
        let v1 = if r == 0 { nv } else { v_reset };
        vs[k] = v1;
        rs[k] = r.saturating_sub(1);
        ge[k] = e * c_e;
        gi[k] = i * c_i;
        crossed |= u64::from(v1 > v_th);
    }
    if crossed != 0 {
        let n_ref = m.n_ref().saturating_sub(1);
        for k in 0..n {
            if vs[k] > v_th {
                vs[k] = v_reset;
                rs[k] = n_ref;
                spikes.push(base + k as u32);
            }
        }
    }
}

/// Split the state arrays into `blocks` blocks of `bs` neurons (the last may be shorter).
fn split<'a>(
    bs: usize,
    v: &'a mut [Real],
    refr: &'a mut [u32],
    ge: &'a mut [Real],
    gi: &'a mut [Real],
) -> Vec<Block<'a>> {
    v.chunks_mut(bs)
        .zip(refr.chunks_mut(bs))
        .zip(ge.chunks_mut(bs))
        .zip(gi.chunks_mut(bs))
        .enumerate()
        .map(|(b, (((v, refr), ge), gi))| Block {
            off: (b * bs) as u32,
            v,
            refr,
            ge,
            gi,
        })
        .collect()
}

/// Block size for `blocks` blocks of `n` neurons (a multiple of [`CHUNK`]) and the resulting
/// number of blocks.
pub(crate) fn block_size(n: usize, blocks: usize) -> (usize, usize) {
    let bs = n.div_ceil(blocks.max(1)).next_multiple_of(CHUNK).max(CHUNK);
    (bs, n.div_ceil(bs).max(1))
}

/// One step on the caller's thread; the step's spikes (ascending) are left in `s.spikes`.
pub(crate) fn step_one(s: &mut SoaState, ge: &mut [Real], gi: &mut [Real], w: &Wiring<'_>) {
    let n = s.v.len();
    let mut blk = Block {
        off: 0,
        v: &mut s.v,
        refr: &mut s.refr,
        ge: &mut ge[..n],
        gi: &mut gi[..n],
    };
    s.spikes.clear();
    blk.update(&s.model, w.c_e, w.c_i, &mut s.spikes);
    blk.propagate(w, &s.spikes, None);
}

/// Rounds of a waiting thread ([`spin_then_park`]) before it parks, the first [`PURE_SPINS`] of
/// them `pause` instructions and the rest yields of the core. With 200 `pause`s (about 4 µs) a
/// waiter parked on most steps and the unpark cost a futex wake-up of a halted vCPU: COBA on 2
/// threads took 334-340 ms per simulated second against 61-70 ms with 20,000 spins and 58-80 ms
/// on one thread (idle 2-vCPU AMD EPYC, 2026-12-04).
const SPINS: u32 = 20_000;

/// Of [`SPINS`], the first ones are `pause` instructions only (about 40 µs here, several steps of
/// the benchmark network), the rest yield the core: a wait that long means the partner is not
/// running, and when the machine is busy the yield lets it (or the other program) run. Without
/// the yields, COBA on 2 threads with one core busy took 650-990 ms per simulated second against
/// 55 ms on one thread; with them 155-190 ms (2-vCPU AMD EPYC, 2026-12-04).
const PURE_SPINS: u32 = 1_000;

/// Wait until `done()`: [`PURE_SPINS`] `pause`s, then yields up to [`SPINS`] rounds in all, then
/// park (woken by `unpark`; spurious wake-ups re-check). The park times out after a millisecond, so a wake-up lost to a thread that had not
/// registered its handle yet costs at most that, never a hang.
fn spin_then_park(done: impl Fn() -> bool) {
    let mut spins = 0u32;
    while !done() {
        if spins < SPINS {
            if spins < PURE_SPINS {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
            spins += 1;
        } else {
            std::thread::park_timeout(std::time::Duration::from_millis(1));
        }
    }
}

/// The handles of the participating threads, so a thread that changed what the others wait for
/// can unpark them (a participant not parked keeps the token and re-checks its condition).
struct Wakers(Vec<OnceLock<Thread>>);

impl Wakers {
    fn new(n: usize) -> Self {
        Self((0..n).map(|_| OnceLock::new()).collect())
    }

    /// Register the calling thread as participant `id` (before its first wait).
    fn register(&self, id: usize) {
        let _ = self.0[id].set(std::thread::current());
    }

    /// Unpark every registered participant but `id`.
    fn unpark_others(&self, id: usize) {
        for (k, t) in self.0.iter().enumerate() {
            if k != id
                && let Some(t) = t.get()
            {
                t.unpark();
            }
        }
    }
}

/// The observer's verdicts, on a cache line of their own: the number of steps it has accepted,
/// and whether it failed.
#[repr(align(128))]
struct Verdict {
    approved: AtomicU64,
    stop: AtomicBool,
}

/// Run `n_steps` steps on `blocks` threads (module docs), handing each step's index (counted from
/// `first_step`) and spikes to `observe` on the caller's thread. Returns the number of steps
/// done (fewer than `n_steps` only if `observe` failed) and the observer's result.
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_threads(
    s: &mut SoaState,
    ge: &mut [Real],
    gi: &mut [Real],
    w: &Wiring<'_>,
    blocks: usize,
    n_steps: u64,
    first_step: u64,
    observe: &mut dyn FnMut(u32, &[u32]) -> Result<()>,
) -> (u64, Result<()>) {
    let n = s.v.len();
    let (bs, blocks) = block_size(n, blocks);
    let model = s.model;
    // per block, two spike buffers (step parity) and a published-steps counter
    let published = Published::new(n, bs, blocks);
    let wakers = Wakers::new(blocks);
    let verdict = Verdict {
        approved: AtomicU64::new(0),
        stop: AtomicBool::new(false),
    };
    let all = &mut s.spikes;
    let mut parts = split(bs, &mut s.v, &mut s.refr, &mut ge[..n], &mut gi[..n]);
    let mut rest = parts.split_off(1);
    let mut first = parts.pop().expect("at least one block");
    let (published, wakers, verdict) = (&published, &wakers, &verdict);
    let mut done = 0u64;
    let mut result = Ok(());
    std::thread::scope(|scope| {
        for (b, blk) in rest.drain(..).enumerate() {
            let b = b + 1;
            scope.spawn(move || {
                wakers.register(b);
                // this thread's own padded copy of its block (see `Own`), written back at the end
                let mut shared = blk;
                let mut own = Own::copy_of(&shared);
                let mut blk = own.block(shared.off);
                let cuts = blk.cuts(w);
                let mut local = Vec::new();
                let mut gathered = Vec::new();
                for t in 0..n_steps {
                    // the observer accepted the previous step (or failed: stop); it decides
                    // before its own thread propagates, so this is usually already true
                    spin_then_park(|| {
                        verdict.approved.load(Ordering::Acquire) >= t
                            || verdict.stop.load(Ordering::Acquire)
                    });
                    if verdict.stop.load(Ordering::Acquire) {
                        break;
                    }
                    local.clear();
                    blk.update(&model, w.c_e, w.c_i, &mut local);
                    published.publish(b, t, &local);
                    wakers.unpark_others(b);
                    published.gather(t, &mut gathered);
                    blk.propagate(w, &gathered, Some(&cuts));
                }
                // `blk` (a borrow of `own`) is not used after the loop
                own.copy_into(&mut shared);
            });
        }
        wakers.register(0);
        let cuts = first.cuts(w);
        let mut local = Vec::new();
        for t in 0..n_steps {
            local.clear();
            first.update(&model, w.c_e, w.c_i, &mut local);
            published.publish(0, t, &local);
            wakers.unpark_others(0);
            published.gather(t, all);
            // the verdict first, so the other threads can start the next step while this one
            // propagates; on an error this block still propagates the step, as one thread does
            let r = observe((first_step + t) as u32, all);
            if r.is_err() {
                verdict.stop.store(true, Ordering::Release);
            } else {
                verdict.approved.store(t + 1, Ordering::Release);
            }
            wakers.unpark_others(0);
            first.propagate(w, all, Some(&cuts));
            done = t + 1;
            if r.is_err() {
                result = r;
                break;
            }
        }
    });
    (done, result)
}

/// A thread's own copy of its block's four state arrays, each with [`Own::PAD`] unused entries
/// on either side, so no cache line holds state of two threads.
///
/// In the shared arrays a block boundary is a multiple of [`CHUNK`] neurons from an allocation
/// that is only 16-byte aligned, so the line across the boundary of `refr`, `g_e` and `g_i`
/// usually held the last neurons of one block and the first of the next: both threads wrote it
/// on every step (update and propagation), and each write waited for the line to cross
/// between the cores. On the 2-vCPU EPYC VM, whose cross-core latency varies from run to run,
/// that false sharing made the update itself slow in about half of the 2-thread runs (the
/// per-thread update time rose by half while a synchronisation-free loop kept its 2x).
struct Own {
    v: Vec<Real>,
    refr: Vec<u32>,
    ge: Vec<Real>,
    gi: Vec<Real>,
}

impl Own {
    /// Entries of padding before and after each array (64 bytes of `u32`, 128 of `f64`).
    const PAD: usize = 16;

    fn copy_of(b: &Block<'_>) -> Self {
        fn pad<T: Copy + Default>(x: &[T]) -> Vec<T> {
            let mut v = vec![T::default(); x.len() + 2 * Own::PAD];
            v[Own::PAD..Own::PAD + x.len()].copy_from_slice(x);
            v
        }
        Self {
            v: pad(b.v),
            refr: pad(b.refr),
            ge: pad(b.ge),
            gi: pad(b.gi),
        }
    }

    /// Where the block's entries lie in each padded array.
    fn range(&self) -> std::ops::Range<usize> {
        Self::PAD..self.v.len() - Self::PAD
    }

    /// The copy as a block starting at global index `off`.
    fn block(&mut self, off: u32) -> Block<'_> {
        let r = self.range();
        Block {
            off,
            v: &mut self.v[r.clone()],
            refr: &mut self.refr[r.clone()],
            ge: &mut self.ge[r.clone()],
            gi: &mut self.gi[r],
        }
    }

    /// Write the copy back into the block it was taken from.
    fn copy_into(&self, b: &mut Block<'_>) {
        let r = self.range();
        b.v.copy_from_slice(&self.v[r.clone()]);
        b.refr.copy_from_slice(&self.refr[r.clone()]);
        b.ge.copy_from_slice(&self.ge[r.clone()]);
        b.gi.copy_from_slice(&self.gi[r]);
    }
}

/// The step's spikes of every block, double-buffered by step parity: block `b` writes its
/// spikes into its own range `b bs..` of an array of `n` atomics, then their count and the number
/// of steps it has published into its own cache line ([`Slot`]), the last with a release store;
/// a reader waits for that number (acquire), then reads the count and the spikes. No locks and no
/// barrier: each thread waits only for the blocks whose spikes it needs. A buffer of parity `p`
/// is written again two steps later, by a thread that has read every block's next step, which
/// each block publishes only after it has read this one.
struct Published {
    bs: usize,
    spikes: [Vec<AtomicU32>; 2],
    slots: Vec<Slot>,
}

/// One block's published-steps counter and spike counts (by parity), on a cache line of its own,
/// so the threads do not write to each other's lines.
#[repr(align(128))]
struct Slot {
    steps: AtomicU64,
    counts: [AtomicUsize; 2],
}

impl Published {
    fn new(n: usize, bs: usize, blocks: usize) -> Self {
        let arr = || (0..n).map(|_| AtomicU32::new(0)).collect();
        Self {
            bs,
            spikes: [arr(), arr()],
            slots: (0..blocks)
                .map(|_| Slot {
                    steps: AtomicU64::new(0),
                    counts: [AtomicUsize::new(0), AtomicUsize::new(0)],
                })
                .collect(),
        }
    }

    /// Block `b`'s spikes of step `t` (at most the block's size).
    fn publish(&self, b: usize, t: u64, spikes: &[u32]) {
        let par = (t & 1) as usize;
        let dst = &self.spikes[par][b * self.bs..];
        for (d, &s) in dst.iter().zip(spikes) {
            d.store(s, Ordering::Relaxed);
        }
        let slot = &self.slots[b];
        slot.counts[par].store(spikes.len().min(dst.len()), Ordering::Relaxed);
        slot.steps.store(t + 1, Ordering::Release);
    }

    /// Every block's spikes of step `t`, in block order (ascending), into `out`, waiting for
    /// each block to publish them.
    fn gather(&self, t: u64, out: &mut Vec<u32>) {
        let par = (t & 1) as usize;
        out.clear();
        for (b, slot) in self.slots.iter().enumerate() {
            spin_then_park(|| slot.steps.load(Ordering::Acquire) > t);
            let len = slot.counts[par].load(Ordering::Relaxed);
            let src = &self.spikes[par][b * self.bs..];
            out.extend(
                src[..len.min(src.len())]
                    .iter()
                    .map(|s| s.load(Ordering::Relaxed)),
            );
        }
    }
}
