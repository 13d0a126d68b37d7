//! The COBA and CUBA benchmark networks of Brette et al. (2007), *Simulation of networks of
//! spiking neurons: a review of tools and strategies*, J. Comput. Neurosci. 23:349-398,
//! benchmarks 1 and 2 (after Vogels & Abbott 2005), as implemented in the reference scripts of
//! ModelDB 83319 (`Brian/COBA.py`) and Brian2's `examples/CUBA.py`.
//!
//! Both: `N = 4000` LIF neurons (3200 excitatory, 800 inhibitory); every ordered pair connected
//! independently with `p = 0.02` (autapses allowed); `tau_m = 20` ms, `V_th = -50` mV,
//! `V_reset = -60` mV, `t_ref = 5` ms (V clamped, synaptic variables keep decaying);
//! `tau_e = 5` ms, `tau_i = 10` ms; `dt = 0.1` ms, spikes on the grid; a presynaptic spike
//! increments the postsynaptic variable in the step it is emitted, so the membrane sees it from the
//! next step (Brian2: no explicit delay; NEST: delay 0.1 ms = one step).
//!
//! **COBA** (conductances in units of `g_L`, forward Euler as in the reference):
//!
//! ```text
//! tau_m dV/dt = -(V - E_L) + g_e (E_e - V) + g_i (E_i - V),   E_L = -60, E_e = 0, E_i = -80 mV
//! dg_e/dt = -g_e / tau_e,   dg_i/dt = -g_i / tau_i
//! spike from E: g_e += 0.6  (6 nS / g_L = 10 nS);   from I: g_i += 6.7 (67 nS)
//! V(0) ~ N(-65, 5) mV,  g_e(0) ~ N(4, 1.5),  g_i(0) ~ N(20, 12)   (not clipped)
//! ```
//!
//! Forward Euler: `V += dt/tau_m (...)` (unless refractory), `g_e *= 1 - dt/tau_e`,
//! `g_i *= 1 - dt/tau_i`, all right-hand sides evaluated on the old state.
//!
//! **CUBA** (currents written as voltages, exact linear integration as in the reference):
//!
//! ```text
//! tau_m dV/dt = -(V - E_L) + g_e + g_i,   E_L = -49 mV (1 mV above threshold)
//! spike from E: g_e += 1.62 mV;   from I: g_i -= 9 mV
//! V(0) ~ U(V_reset, V_th),  g = 0
//! V(t+dt) = E_L + (V - E_L) e^{-dt/tau_m} + sum_s g_s tau_s/(tau_s - tau_m) (e^{-dt/tau_s} - e^{-dt/tau_m})
//! g_s(t+dt) = g_s e^{-dt/tau_s}
//! ```
//!
//! Step order (Brian2's): update state (skipping V while refractory), threshold `V > V_th` on the
//! new value, propagate spikes through the CSR rows, reset. Refractoriness lasts
//! `round(t_ref/dt)` steps from the spike step.
//!
//! Implementation: the neurons are a [`Population`] of any [`NeuronModel`] (default [`BrettLif`],
//! the reference equations above), the synaptic variables two arrays owned by the network, CSR
//! projections with uniform weights, no allocation per step. With the default model the network
//! keeps the neurons' state as a struct of arrays (potentials, refractory counters) and steps it
//! with its own engine (SIMD update, persistent threads; `set_threads`), bit-identical to the
//! generic path of the same model; [`BrettNetwork::population`] is brought up to date after
//! every public call.
//!
//! Stable step range: COBA uses forward Euler, whose stiffest mode is the membrane under the
//! largest conductance; the reference `dt = 0.1` ms is accepted and the check rejects
//! `dt > min(tau_m, tau_e, tau_i) / 10` and `dt > t_ref`. CUBA is exact (stable for every `dt`) and
//! uses the same accuracy bound.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use std::any::Any;

use super::brette_engine::{self, SoaState, Wiring};
use crate::connectivity::Csr;
use crate::integrators::Integrator;
use crate::model::{Input, NeuronModel, Population, SynapticDrive};
use crate::monitor::SpikeMonitor;
use crate::simd::{self, SimdPath};
use crate::stats;
use crate::validate;
use crate::{NeuronError, Real, Result};

/// Which of the two benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BenchmarkKind {
    /// Benchmark 1: conductance-based exponential synapses, forward Euler.
    Coba,
    /// Benchmark 2: current-based exponential synapses, exact integration.
    Cuba,
}

impl BenchmarkKind {
    /// Parse `"coba"` / `"cuba"` (case-insensitive).
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "coba" => Ok(Self::Coba),
            "cuba" => Ok(Self::Cuba),
            _ => Err(NeuronError::UnknownName {
                kind: "benchmark",
                name: name.into(),
                valid: "coba, cuba".into(),
            }),
        }
    }

    /// The integrator the reference uses.
    pub fn integrator(self) -> Integrator {
        match self {
            Self::Coba => Integrator::ForwardEuler,
            Self::Cuba => Integrator::Exact,
        }
    }
}

/// Parameters of the benchmark network. [`BrettParams::coba`] and [`BrettParams::cuba`] give the
/// reference values; every field may be changed for experiments (the checks still apply).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BrettParams {
    /// Which benchmark (selects equations and integrator).
    pub kind: BenchmarkKind,
    /// Excitatory neurons (3200).
    pub n_exc: usize,
    /// Inhibitory neurons (800).
    pub n_inh: usize,
    /// Connection probability (0.02).
    pub p_connect: Real,
    /// Step (ms), 0.1.
    pub dt_ms: Real,
    /// Membrane time constant (ms), 20.
    pub tau_m_ms: Real,
    /// Excitatory synaptic time constant (ms), 5.
    pub tau_e_ms: Real,
    /// Inhibitory synaptic time constant (ms), 10.
    pub tau_i_ms: Real,
    /// Leak reversal (mV): -60 (COBA), -49 (CUBA).
    pub e_l_mv: Real,
    /// Threshold (mV), -50.
    pub v_th_mv: Real,
    /// Reset (mV), -60.
    pub v_reset_mv: Real,
    /// Refractory period (ms), 5.
    pub t_ref_ms: Real,
    /// Excitatory reversal (mV), 0 (COBA only).
    pub e_e_mv: Real,
    /// Inhibitory reversal (mV), -80 (COBA only).
    pub e_i_mv: Real,
    /// Excitatory weight: 0.6 g_L (COBA) or 1.62 mV (CUBA).
    pub w_e: Real,
    /// Inhibitory weight: 6.7 g_L (COBA) or -9 mV (CUBA).
    pub w_i: Real,
}

impl BrettParams {
    /// Benchmark 1 (COBA) exactly as in `neurons.md` section 2.1.
    pub fn coba() -> Self {
        Self {
            kind: BenchmarkKind::Coba,
            n_exc: 3200,
            n_inh: 800,
            p_connect: 0.02,
            dt_ms: 0.1,
            tau_m_ms: 20.0,
            tau_e_ms: 5.0,
            tau_i_ms: 10.0,
            e_l_mv: -60.0,
            v_th_mv: -50.0,
            v_reset_mv: -60.0,
            t_ref_ms: 5.0,
            e_e_mv: 0.0,
            e_i_mv: -80.0,
            w_e: 6.0 / 10.0,
            w_i: 67.0 / 10.0,
        }
    }

    /// Benchmark 2 (CUBA) exactly as in `neurons.md` section 2.2.
    pub fn cuba() -> Self {
        Self {
            kind: BenchmarkKind::Cuba,
            e_l_mv: -49.0,
            w_e: 60.0 * 0.27 / 10.0,
            w_i: -20.0 * 4.5 / 10.0,
            ..Self::coba()
        }
    }

    /// Reference parameters of `kind`.
    pub fn of(kind: BenchmarkKind) -> Self {
        match kind {
            BenchmarkKind::Coba => Self::coba(),
            BenchmarkKind::Cuba => Self::cuba(),
        }
    }

    /// Total neurons.
    pub fn n(&self) -> usize {
        self.n_exc + self.n_inh
    }

    /// Largest accepted step (ms): `min(tau_m, tau_e, tau_i)/10`, and at most `t_ref`.
    pub fn max_dt_ms(&self) -> Real {
        let m = self.tau_m_ms.min(self.tau_e_ms).min(self.tau_i_ms) / 10.0;
        if self.t_ref_ms > 0.0 {
            m.min(self.t_ref_ms)
        } else {
            m
        }
    }

    /// Validate every field (see the module docs for the ranges).
    pub fn check(&self) -> Result<()> {
        if self.n_exc == 0 || self.n() > u32::MAX as usize / 2 {
            return Err(NeuronError::InvalidParameter {
                name: "n_exc",
                value: format!("{}", self.n_exc),
                reason: "need 1..=2^31 excitatory neurons in total".into(),
            });
        }
        validate::finite("p_connect", self.p_connect)?;
        if !(0.0..=1.0).contains(&self.p_connect) {
            return Err(NeuronError::InvalidParameter {
                name: "p_connect",
                value: format!("{}", self.p_connect),
                reason: "connection probability must be in [0, 1]".into(),
            });
        }
        validate::positive("tau_m_ms", self.tau_m_ms)?;
        validate::positive("tau_e_ms", self.tau_e_ms)?;
        validate::positive("tau_i_ms", self.tau_i_ms)?;
        validate::non_negative("t_ref_ms", self.t_ref_ms)?;
        for (n, v) in [
            ("e_l_mv", self.e_l_mv),
            ("v_th_mv", self.v_th_mv),
            ("v_reset_mv", self.v_reset_mv),
            ("e_e_mv", self.e_e_mv),
            ("e_i_mv", self.e_i_mv),
            ("w_e", self.w_e),
            ("w_i", self.w_i),
        ] {
            validate::finite(n, v)?;
        }
        validate::less("v_reset_mv", self.v_reset_mv, self.v_th_mv, "v_th_mv")?;
        if self.kind == BenchmarkKind::Cuba
            && ((self.tau_e_ms - self.tau_m_ms).abs() < 1e-9
                || (self.tau_i_ms - self.tau_m_ms).abs() < 1e-9)
        {
            return Err(NeuronError::InvalidParameter {
                name: "tau_e_ms",
                value: format!("{}", self.tau_e_ms),
                reason: "exact CUBA propagator needs synaptic time constants different from tau_m"
                    .into(),
            });
        }
        validate::dt_in_range("brette2007 network", self.dt_ms, self.max_dt_ms())
    }
}

/// State of a [`BrettLif`] neuron.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BrettLifState {
    /// Membrane potential (mV).
    pub v_mv: Real,
    /// Remaining refractory steps (V is held while > 0).
    pub refractory_steps: u32,
}

/// The benchmark's LIF neuron (module docs), discretised as the reference scripts: the default
/// model of [`BrettNetwork`].
///
/// COBA: forward Euler, `V += dt/tau_m (g_e (E_e - V) + g_i (E_i - V) - (V - E_L) + current)` with
/// [`Input`] `syn_exc = g_e`, `syn_inh = g_i` in units of `g_L` and `current = R I` in mV.
/// CUBA: exact propagation of the membrane with exponentially decaying synaptic currents
/// (Rotter & Diesmann 1999), `V <- E_L + (V - E_L) e^{-dt/tau_m} + g_e c_e + g_i c_i
/// + current (1 - e^{-dt/tau_m})`, `c_s = tau_s/(tau_s - tau_m) (e^{-dt/tau_s} - e^{-dt/tau_m})`,
/// with `syn_exc`, `syn_inh` the synaptic currents (mV) at the step's start. Event: `V > V_th`
/// on the new value, stamped at the step's start; reset `V <- V_reset`, V held for
/// `round(t_ref/dt) - 1` further steps.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BrettLif {
    kind: BenchmarkKind,
    dt_ms: Real,
    e_l: Real,
    v_th: Real,
    v_reset: Real,
    e_e: Real,
    e_i: Real,
    n_ref: u32,
    c_v: Real,
    c_ve: Real,
    c_vi: Real,
    #[serde(default)]
    simd: SimdPath,
}

impl BrettLif {
    /// The neuron of `params` (validated).
    pub fn new(params: &BrettParams) -> Result<Self> {
        params.check()?;
        let p = params;
        let dt = p.dt_ms;
        let (c_v, c_ve, c_vi) = match p.kind {
            BenchmarkKind::Coba => (dt / p.tau_m_ms, 0.0, 0.0),
            BenchmarkKind::Cuba => {
                let em = (-dt / p.tau_m_ms).exp();
                let ee = (-dt / p.tau_e_ms).exp();
                let ei = (-dt / p.tau_i_ms).exp();
                (
                    em,
                    p.tau_e_ms / (p.tau_e_ms - p.tau_m_ms) * (ee - em),
                    p.tau_i_ms / (p.tau_i_ms - p.tau_m_ms) * (ei - em),
                )
            }
        };
        Ok(Self {
            kind: p.kind,
            dt_ms: dt,
            e_l: p.e_l_mv,
            v_th: p.v_th_mv,
            v_reset: p.v_reset_mv,
            e_e: p.e_e_mv,
            e_i: p.e_i_mv,
            n_ref: (p.t_ref_ms / dt).round() as u32,
            c_v,
            c_ve,
            c_vi,
            simd: SimdPath::Auto,
        })
    }

    /// The same neuron with [`NeuronModel::step_many`] run on SIMD path `path` (default
    /// [`SimdPath::Auto`]; every path gives the same bits, see [`crate::simd`]).
    pub fn with_simd_path(mut self, path: SimdPath) -> Self {
        self.simd = path;
        self
    }

    /// The SIMD path of [`NeuronModel::step_many`].
    pub fn simd_path(&self) -> SimdPath {
        self.simd
    }
}

impl BrettLif {
    /// Which benchmark's equations.
    pub(crate) fn kind(&self) -> BenchmarkKind {
        self.kind
    }

    /// Threshold (mV).
    pub(crate) fn v_th(&self) -> Real {
        self.v_th
    }

    /// Reset (mV).
    pub(crate) fn v_reset(&self) -> Real {
        self.v_reset
    }

    /// Refractory steps `round(t_ref/dt)`.
    pub(crate) fn n_ref(&self) -> u32 {
        self.n_ref
    }

    /// COBA forward Euler update of `V` (module docs).
    #[inline(always)]
    pub(crate) fn coba(&self, v: Real, current: Real, e: Real, i: Real) -> Real {
        v + self.c_v * (e * (self.e_e - v) + i * (self.e_i - v) - (v - self.e_l) + current)
    }

    /// CUBA exact propagation of `V` (module docs).
    #[inline(always)]
    pub(crate) fn cuba(&self, v: Real, current: Real, e: Real, i: Real) -> Real {
        self.e_l
            + (v - self.e_l) * self.c_v
            + e * self.c_ve
            + i * self.c_vi
            + current * (1.0 - self.c_v)
    }

    /// One neuron: `V <- new_v(V)` unless refractory, else count one refractory step down;
    /// threshold on the new value (a held `V = V_reset` is below threshold).
    #[inline(always)]
    fn update(&self, s: &mut BrettLifState, new_v: impl Fn(Real) -> Real) -> bool {
        if s.refractory_steps == 0 {
            s.v_mv = new_v(s.v_mv);
        } else {
            s.refractory_steps -= 1;
        }
        s.v_mv > self.v_th
    }

    /// [`NeuronModel::step_many`]'s loop for one update rule `new_v(V, g_e, g_i)`: per chunk of
    /// 64 neurons, the states are copied into plain `f64`/`u32` arrays; a branch-free pass (the
    /// new potential is computed for every neuron and kept where it is not refractory; the
    /// counter counts down saturating at 0) updates each neuron, decays its synaptic variables
    /// and notes whether any potential crossed the threshold; the states are written back and
    /// only such a chunk is scanned for spikes. Element-wise, so it vectorises and gives the
    /// same bits on every SIMD path.
    #[inline(always)]
    fn update_chunks(
        &self,
        states: &mut [BrettLifState],
        drive: SynapticDrive<'_>,
        spikes: &mut Vec<u32>,
        new_v: impl Fn(Real, Real, Real) -> Real,
    ) {
        const CHUNK: usize = 64;
        let (syn_exc, syn_inh) = (drive.syn_exc, drive.syn_inh);
        let (decay_exc, decay_inh) = (drive.decay_exc, drive.decay_inh);
        let v_th = self.v_th;
        for (c, ((st, ge), gi)) in states
            .chunks_mut(CHUNK)
            .zip(syn_exc.chunks_mut(CHUNK))
            .zip(syn_inh.chunks_mut(CHUNK))
            .enumerate()
        {
            // equal, known lengths: no bounds checks in the loop
            let n = st.len().min(ge.len()).min(gi.len());
            let (st, ge, gi) = (&mut st[..n], &mut ge[..n], &mut gi[..n]);
            // de-interleave the chunk's states so the update runs on plain f64/u32 arrays
            let mut vs = [0.0 as Real; CHUNK];
            let mut rs = [0u32; CHUNK];
            let (vs, rs) = (&mut vs[..n], &mut rs[..n]);
            for ((v, r), s) in vs.iter_mut().zip(rs.iter_mut()).zip(st.iter()) {
                *v = s.v_mv;
                *r = s.refractory_steps;
            }
            let mut crossed = 0u64;
            // the new potentials go to an array of their own: stored back into `vs`, the kept
            // (refractory) ones would make LLVM emit a masked store (`vmaskmovpd`, microcoded on
            // AMD Zen; see `brette_engine::update_chunk`)
            let mut vn = [0.0 as Real; CHUNK];
            let vn = &mut vn[..n];
            for k in 0..n {
                let (e, i, v, r) = (ge[k], gi[k], vs[k], rs[k]);
                let nv = new_v(v, e, i);
                let v1 = if r == 0 { nv } else { v };
                vn[k] = v1;
                rs[k] = r.saturating_sub(1);
                ge[k] = e * decay_exc;
                gi[k] = i * decay_inh;
                crossed |= u64::from(v1 > v_th);
            }
            for ((s, &v), &r) in st.iter_mut().zip(vn.iter()).zip(rs.iter()) {
                *s = BrettLifState {
                    v_mv: v,
                    refractory_steps: r,
                };
            }
            if crossed != 0 {
                for (k, s) in st.iter_mut().enumerate() {
                    if s.v_mv > v_th {
                        self.reset(s);
                        spikes.push((c * CHUNK + k) as u32);
                    }
                }
            }
        }
    }

    /// `update_chunks` for the model's kind, on the model's SIMD path.
    fn step_many_dispatched(
        &self,
        states: &mut [BrettLifState],
        drive: SynapticDrive<'_>,
        spikes: &mut Vec<u32>,
    ) {
        struct Op<'a, 'b> {
            model: &'a BrettLif,
            states: &'a mut [BrettLifState],
            drive: SynapticDrive<'b>,
            spikes: &'a mut Vec<u32>,
        }
        impl pulp::WithSimd for Op<'_, '_> {
            type Output = ();
            #[inline(always)]
            fn with_simd<S: pulp::Simd>(self, _simd: S) {
                let Op {
                    model,
                    states,
                    drive,
                    spikes,
                } = self;
                // a local copy: its constants stay in registers across the loop's stores
                let m = *model;
                let m = &m;
                let current = drive.current;
                match m.kind {
                    BenchmarkKind::Coba => {
                        m.update_chunks(states, drive, spikes, |v, e, i| m.coba(v, current, e, i))
                    }
                    BenchmarkKind::Cuba => {
                        m.update_chunks(states, drive, spikes, |v, e, i| m.cuba(v, current, e, i))
                    }
                }
            }
        }
        simd::dispatch(
            self.simd,
            Op {
                model: self,
                states,
                drive,
                spikes,
            },
        );
    }
}

impl NeuronModel for BrettLif {
    type State = BrettLifState;
    const NAME: &'static str = "brette2007 lif";
    const SPIKE_AT_STEP_END: bool = false;

    fn dt_ms(&self) -> Real {
        self.dt_ms
    }

    fn integrator(&self) -> Integrator {
        self.kind.integrator()
    }

    /// `V = E_L`, not refractory.
    fn initial_state(&self) -> BrettLifState {
        BrettLifState {
            v_mv: self.e_l,
            refractory_steps: 0,
        }
    }

    /// V is held while refractory (module docs).
    #[inline]
    fn step(&self, s: &mut BrettLifState, input: &Input) -> bool {
        let (current, e, i) = (input.current, input.syn_exc, input.syn_inh);
        match self.kind {
            BenchmarkKind::Coba => self.update(s, |v| self.coba(v, current, e, i)),
            BenchmarkKind::Cuba => self.update(s, |v| self.cuba(v, current, e, i)),
        }
    }

    /// The same arithmetic as [`NeuronModel::step`], in chunks of 64 neurons with the model's
    /// kind chosen once per call and the loop compiled for the CPU's widest vectors
    /// ([`crate::simd`]): each chunk is updated branch-free while noting whether a new potential
    /// crossed the threshold, and only such a chunk is scanned for spikes (the COBA/CUBA
    /// networks' hot loop).
    fn step_many(
        &self,
        states: &mut [BrettLifState],
        drive: SynapticDrive<'_>,
        spikes: &mut Vec<u32>,
    ) {
        self.step_many_dispatched(states, drive, spikes)
    }

    #[inline]
    fn reset(&self, s: &mut BrettLifState) {
        s.v_mv = self.v_reset;
        s.refractory_steps = self.n_ref.saturating_sub(1);
    }

    fn potential(&self, s: &BrettLifState) -> Real {
        s.v_mv
    }

    fn set_potential(&self, s: &mut BrettLifState, v: Real) {
        s.v_mv = v;
    }
}

/// The network state and its fixed connectivity, generic over the neuron model (default: the
/// benchmark's [`BrettLif`]). The network owns the synaptic variables `g_e`, `g_i` (decayed with
/// `tau_e`, `tau_i` as the benchmark's integrator does: `1 - dt/tau` for COBA, `e^{-dt/tau}` for
/// CUBA) and passes them to each neuron as [`Input`] `syn_exc`, `syn_inh`; swap the model by type
/// with [`BrettNetwork::with_model`].
#[derive(Debug, Clone)]
pub struct BrettNetwork<M: NeuronModel = BrettLif> {
    p: BrettParams,
    step: u64,
    pop: Population<M>,
    ge: Vec<Real>,
    gi: Vec<Real>,
    exc: Csr,
    inh: Csr,
    c_e: Real,
    c_i: Real,
    threads: usize,
    block_spikes: Vec<Vec<u32>>,
    /// The struct-of-arrays state of the [`BrettLif`] engine (`None` for other models): the
    /// source of truth while it exists; `pop` is brought up to date after every public call.
    soa: Option<SoaState>,
}

/// Fewest neurons per block of a parallel step ([`BrettNetwork::set_threads`]): below this the
/// cost of handing a block to another thread exceeds its work.
pub const MIN_NEURONS_PER_BLOCK: usize = 1024;

impl BrettNetwork<BrettLif> {
    /// Build the reference network (model [`BrettLif`]); see [`BrettNetwork::with_model`].
    pub fn new(params: BrettParams, seed: u64) -> Result<Self> {
        Self::with_model(params, BrettLif::new(&params)?, seed)
    }
}

impl<M: NeuronModel + Sync + 'static> BrettNetwork<M>
where
    M::State: Send,
{
    /// Build the network with neuron model `model` (its step must equal `params.dt_ms`): initial
    /// state and connectivity drawn from `ChaCha8Rng::seed_from_u64(seed)` (V, then g_e, then g_i
    /// for every neuron, then the excitatory rows, then the inhibitory rows). Each neuron starts
    /// in the model's initial state with its potential set to the drawn V.
    pub fn with_model(params: BrettParams, model: M, seed: u64) -> Result<Self> {
        params.check()?;
        let p = params;
        if model.dt_ms() != p.dt_ms {
            return Err(NeuronError::InvalidParameter {
                name: "dt_ms",
                value: format!("{}", model.dt_ms()),
                reason: format!("the model's step must equal the network's dt = {}", p.dt_ms),
            });
        }
        let n = p.n();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut normal = || -> Real { StandardNormal.sample(&mut rng) };
        let (v, ge, gi) = match p.kind {
            BenchmarkKind::Coba => {
                let v: Vec<Real> = (0..n).map(|_| p.e_l_mv + normal() * 5.0 - 5.0).collect();
                let ge: Vec<Real> = (0..n).map(|_| normal() * 1.5 + 4.0).collect();
                let gi: Vec<Real> = (0..n).map(|_| normal() * 12.0 + 20.0).collect();
                (v, ge, gi)
            }
            BenchmarkKind::Cuba => {
                use rand::RngExt;
                let v: Vec<Real> = (0..n)
                    .map(|_| p.v_reset_mv + rng.random::<Real>() * (p.v_th_mv - p.v_reset_mv))
                    .collect();
                (v, vec![0.0; n], vec![0.0; n])
            }
        };
        let exc = Csr::fixed_probability(p.n_exc, n, p.p_connect, None, &mut rng)?;
        let inh = Csr::fixed_probability(p.n_inh, n, p.p_connect, None, &mut rng)?;
        let dt = p.dt_ms;
        let (c_e, c_i) = match p.kind {
            BenchmarkKind::Coba => (1.0 - dt / p.tau_e_ms, 1.0 - dt / p.tau_i_ms),
            BenchmarkKind::Cuba => ((-dt / p.tau_e_ms).exp(), (-dt / p.tau_i_ms).exp()),
        };
        let states = v
            .iter()
            .map(|&v0| {
                let mut s = model.initial_state();
                model.set_potential(&mut s, v0);
                s
            })
            .collect();
        let pop = Population::from_states(model, states)?;
        let soa = (&pop as &dyn Any)
            .downcast_ref::<Population<BrettLif>>()
            // the engine's invariant (brette_engine module docs): refractory means V = V_reset
            .filter(|p| {
                let v_reset = p.model().v_reset();
                p.states()
                    .iter()
                    .all(|s| s.refractory_steps == 0 || s.v_mv.to_bits() == v_reset.to_bits())
            })
            .map(|p| SoaState {
                model: *p.model(),
                v: p.states().iter().map(|s| s.v_mv).collect(),
                refr: p.states().iter().map(|s| s.refractory_steps).collect(),
                spikes: Vec::with_capacity(n),
            });
        Ok(Self {
            pop,
            soa,
            p,
            step: 0,
            ge,
            gi,
            exc,
            inh,
            c_e,
            c_i,
            threads: 1,
            block_spikes: Vec::new(),
        })
    }

    /// Step with up to `threads` threads (default 1; 0: as many as the current rayon pool has).
    /// The neurons are split into contiguous blocks of at least [`MIN_NEURONS_PER_BLOCK`].
    ///
    /// With the default model [`BrettLif`], [`BrettNetwork::run`] and
    /// [`BrettNetwork::run_observed`] step the blocks on persistent threads for the whole run
    /// (the caller's and `blocks - 1` scoped ones, one spinning-then-parking barrier per step);
    /// each thread adds every spike's weight to the targets in its own block, in the same order
    /// as one thread (the engine's docs are in `circuits/brette_engine.rs`).
    /// [`BrettNetwork::step`] always steps on the caller's thread. With another model each step
    /// updates the blocks in parallel on the rayon pool. Either way the states, synaptic
    /// variables and spikes are bit-identical for every thread count.
    pub fn set_threads(&mut self, threads: usize) {
        self.threads = threads;
    }

    /// The requested thread count (1 by default; 0: the rayon pool's).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Number of blocks the next step is split into.
    fn blocks(&self) -> usize {
        let t = if self.threads == 0 {
            rayon::current_num_threads()
        } else {
            self.threads
        };
        t.min(self.p.n() / MIN_NEURONS_PER_BLOCK).max(1)
    }

    /// The parameters.
    pub fn params(&self) -> &BrettParams {
        &self.p
    }

    /// The neurons (model and states).
    pub fn population(&self) -> &Population<M> {
        &self.pop
    }

    /// Membrane potentials (mV).
    pub fn potentials(&self) -> Vec<Real> {
        self.pop.potentials()
    }

    /// Excitatory synaptic variables (g_L units for COBA, mV for CUBA).
    pub fn ge(&self) -> &[Real] {
        &self.ge
    }

    /// Inhibitory synaptic variables.
    pub fn gi(&self) -> &[Real] {
        &self.gi
    }

    /// Excitatory projection (rows: excitatory neurons `0..n_exc`; targets: all neurons).
    pub fn exc_projection(&self) -> &Csr {
        &self.exc
    }

    /// Inhibitory projection (rows: inhibitory neuron `k` is neuron `n_exc + k`).
    pub fn inh_projection(&self) -> &Csr {
        &self.inh
    }

    /// Steps taken so far.
    pub fn steps_done(&self) -> u64 {
        self.step
    }

    /// Advance one step; returns the indices of the neurons that spiked in it (sorted). Order
    /// (Brian2's): every neuron steps with its synaptic variables at the step's start and is
    /// reset if it spiked; the synaptic variables decay; the spikes are added to their targets'
    /// variables, so the membrane sees them from the next step.
    pub fn step(&mut self) -> &[u32] {
        if self.soa.is_some() {
            self.step_soa();
            self.sync_population();
            self.step += 1;
            return self.pop.spikes();
        }
        let blocks = self.blocks();
        if blocks > 1 {
            self.step_blocks(blocks);
            self.step += 1;
            return self.pop.spikes();
        }
        let (ge, gi) = (&mut self.ge, &mut self.gi);
        // each neuron sees its synaptic variables at the step's start; they decay in the same pass
        self.pop.step_drive_unchecked(SynapticDrive {
            current: 0.0,
            syn_exc: ge,
            syn_inh: gi,
            decay_exc: self.c_e,
            decay_inh: self.c_i,
        });
        let n_exc = self.p.n_exc as u32;
        for &i in self.pop.spikes() {
            if i < n_exc {
                for &j in self.exc.row(i as usize) {
                    ge[j as usize] += self.p.w_e;
                }
            } else {
                for &j in self.inh.row((i - n_exc) as usize) {
                    gi[j as usize] += self.p.w_i;
                }
            }
        }
        self.step += 1;
        self.pop.spikes()
    }

    /// One step of the [`BrettLif`] engine on the caller's thread (`step` not counted).
    fn step_soa(&mut self) {
        let w = Wiring {
            c_e: self.c_e,
            c_i: self.c_i,
            exc: &self.exc,
            inh: &self.inh,
            w_e: self.p.w_e,
            w_i: self.p.w_i,
            n_exc: self.p.n_exc as u32,
        };
        if let Some(s) = self.soa.as_mut() {
            brette_engine::step_one(s, &mut self.ge, &mut self.gi, &w);
        }
    }

    /// Copy the engine's state (potentials, refractory counters, last spikes) into `pop`.
    fn sync_population(&mut self) {
        let Some(s) = self.soa.as_ref() else { return };
        if let Some(pop) = (&mut self.pop as &mut dyn Any).downcast_mut::<Population<BrettLif>>() {
            let (_, states, spikes) = pop.parts_mut();
            for ((st, &v), &r) in states.iter_mut().zip(&s.v).zip(&s.refr) {
                st.v_mv = v;
                st.refractory_steps = r;
            }
            spikes.clear();
            spikes.extend_from_slice(&s.spikes);
        }
    }

    /// [`BrettNetwork::step`] on `blocks` contiguous blocks of neurons in parallel: each block's
    /// neurons step (spikes collected per block, then concatenated in index order), then each
    /// block adds every spike's weight to the targets inside the block (the CSR rows are sorted,
    /// so a row's part in a block is a sub-slice), in spike order as on one thread.
    fn step_blocks(&mut self, blocks: usize) {
        use rayon::prelude::*;
        let n = self.p.n();
        // block boundaries on the 64-neuron chunks of the update loop
        let bs = n.div_ceil(blocks).next_multiple_of(64);
        let blocks = n.div_ceil(bs);
        self.block_spikes.resize_with(blocks, Vec::new);
        let (model, states, spikes) = self.pop.parts_mut();
        let (c_e, c_i) = (self.c_e, self.c_i);
        states
            .par_chunks_mut(bs)
            .zip(self.ge.par_chunks_mut(bs))
            .zip(self.gi.par_chunks_mut(bs))
            .zip(self.block_spikes.par_iter_mut())
            .for_each(|(((st, ge), gi), sp)| {
                sp.clear();
                model.step_many(
                    st,
                    SynapticDrive {
                        current: 0.0,
                        syn_exc: ge,
                        syn_inh: gi,
                        decay_exc: c_e,
                        decay_inh: c_i,
                    },
                    sp,
                );
            });
        spikes.clear();
        for (b, sp) in self.block_spikes.iter().enumerate() {
            let off = (b * bs) as u32;
            spikes.extend(sp.iter().map(|&k| k + off));
        }
        let spikes: &[u32] = spikes;
        let n_exc = self.p.n_exc as u32;
        let (exc, inh, w_e, w_i) = (&self.exc, &self.inh, self.p.w_e, self.p.w_i);
        self.ge
            .par_chunks_mut(bs)
            .zip(self.gi.par_chunks_mut(bs))
            .enumerate()
            .for_each(|(b, (ge, gi))| {
                let lo = (b * bs) as u32;
                let hi = lo + ge.len() as u32;
                for &i in spikes {
                    let (row, g, w) = if i < n_exc {
                        (exc.row(i as usize), &mut *ge, w_e)
                    } else {
                        (inh.row((i - n_exc) as usize), &mut *gi, w_i)
                    };
                    let a = row.partition_point(|&j| j < lo);
                    let z = a + row[a..].partition_point(|&j| j < hi);
                    for &j in &row[a..z] {
                        g[(j - lo) as usize] += w;
                    }
                }
            });
    }

    /// Run `n_steps` steps, recording spikes into `monitor` (if given). Checks for divergence
    /// (non-finite V) at the end of the run.
    pub fn run(&mut self, n_steps: u64, mut monitor: Option<&mut SpikeMonitor>) -> Result<()> {
        self.run_observed(n_steps, |step, spikes| {
            if let Some(m) = monitor.as_deref_mut() {
                m.record(step, spikes);
            }
            Ok(())
        })
    }

    /// Run `n_steps` steps, handing each step's index and spikes (sorted neuron indices) to
    /// `observe`; stops at its first error. Checks for divergence (non-finite V) at the end of
    /// the run.
    pub fn run_observed(
        &mut self,
        n_steps: u64,
        mut observe: impl FnMut(u32, &[u32]) -> Result<()>,
    ) -> Result<()> {
        if self.soa.is_some() {
            let blocks = self.blocks();
            let result = if blocks > 1 {
                let w = Wiring {
                    c_e: self.c_e,
                    c_i: self.c_i,
                    exc: &self.exc,
                    inh: &self.inh,
                    w_e: self.p.w_e,
                    w_i: self.p.w_i,
                    n_exc: self.p.n_exc as u32,
                };
                let s = self.soa.as_mut().expect("checked above");
                let (done, result) = brette_engine::run_threads(
                    s,
                    &mut self.ge,
                    &mut self.gi,
                    &w,
                    blocks,
                    n_steps,
                    self.step,
                    &mut observe,
                );
                self.step += done;
                result
            } else {
                let mut result = Ok(());
                for _ in 0..n_steps {
                    let step = self.step as u32;
                    self.step_soa();
                    self.step += 1;
                    let s = self.soa.as_ref().expect("checked above");
                    if let Err(e) = observe(step, &s.spikes) {
                        result = Err(e);
                        break;
                    }
                }
                result
            };
            self.sync_population();
            result?;
            return self.check_finite();
        }
        for _ in 0..n_steps {
            let step = self.step as u32;
            let spikes = self.step();
            observe(step, spikes)?;
        }
        self.check_finite()
    }

    /// Divergence check at the end of a run: every potential finite.
    fn check_finite(&self) -> Result<()> {
        let model = self.pop.model();
        if let Some(i) = self
            .pop
            .states()
            .iter()
            .position(|s| !model.potential(s).is_finite())
        {
            return Err(NeuronError::Diverged {
                step: self.step as usize,
                what: format!("membrane potential of neuron {i}"),
            });
        }
        Ok(())
    }
}

/// Result of a benchmark run (serialisable for the CLI: raster, rates, counts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrettResult {
    /// Parameters used.
    pub params: BrettParams,
    /// Seed.
    pub seed: u64,
    /// Simulated time (ms).
    pub duration_ms: Real,
    /// Number of synapses.
    pub n_synapses: usize,
    /// Total spikes.
    pub spike_count: usize,
    /// Mean excitatory rate (Hz).
    pub mean_rate_exc_hz: Real,
    /// Mean inhibitory rate (Hz).
    pub mean_rate_inh_hz: Real,
    /// Mean rate over all neurons (Hz).
    pub mean_rate_hz: Real,
    /// Mean ISI CV over neurons with at least 2 intervals (over all neurons, computed while the
    /// network runs: [`stats::IsiAccumulator`]).
    pub mean_cv_isi: Real,
    /// Neurons whose spikes [`BrettResult::spikes`] holds: `0..recorded_neurons`.
    pub recorded_neurons: usize,
    /// Every spike (index, step) of the neurons `0..recorded_neurons`, for a raster.
    pub spikes: SpikeMonitor,
}

/// A generous mean rate of the benchmark networks (Hz; COBA and CUBA fire at a few to ~20 Hz),
/// for sizing spike storage: [`expected_spike_bytes`].
pub const EXPECTED_RATE_HZ: Real = 25.0;

/// The largest spike count [`run_benchmark`] reserves storage for up front.
const MAX_RESERVED_SPIKES: Real = (1u64 << 22) as Real;

/// Bytes a run of `duration_ms` that records the spikes of `recorded_neurons` neurons is expected
/// to need at [`EXPECTED_RATE_HZ`]: an index and a step per recorded spike, plus the streaming
/// ISI statistics of every neuron. A caller can refuse a run that cannot fit in memory.
pub fn expected_spike_bytes(
    params: &BrettParams,
    duration_ms: Real,
    recorded_neurons: usize,
) -> Real {
    let per_spike = (2 * std::mem::size_of::<u32>()) as Real;
    let recorded = recorded_neurons.min(params.n()) as Real;
    recorded * EXPECTED_RATE_HZ * duration_ms / 1000.0 * per_spike
        + (params.n() * stats::IsiAccumulator::BYTES_PER_NEURON) as Real
}

/// Build the network from `seed`, run it for `duration_ms` and summarise, keeping every spike
/// ([`run_benchmark_recording`] with all neurons recorded).
pub fn run_benchmark(params: BrettParams, seed: u64, duration_ms: Real) -> Result<BrettResult> {
    run_benchmark_recording(params, seed, duration_ms, params.n())
}

/// Build the network from `seed`, run it for `duration_ms` and summarise, keeping the spikes of
/// the neurons `0..recorded_neurons` only (fewer if the network is smaller). The counts, rates
/// and the ISI CV cover every neuron and are computed while the network runs, so the memory of a
/// run grows with the recorded neurons' spikes only: `recorded_neurons = 0` runs in memory
/// independent of `duration_ms`.
pub fn run_benchmark_recording(
    params: BrettParams,
    seed: u64,
    duration_ms: Real,
    recorded_neurons: usize,
) -> Result<BrettResult> {
    run_benchmark_window(params, seed, duration_ms, recorded_neurons, Real::INFINITY)
}

/// Steps between two polls of the stop request of [`run_benchmark_window_until`] (0.1 ms steps:
/// every 102.4 ms of simulated time).
pub const STOP_POLL_STEPS: u32 = 1024;

/// [`run_benchmark_recording`] that keeps the recorded neurons' spikes only in the window
/// `t < record_until_ms` (spike time `step * dt`), so the memory of the run is bounded by the
/// window whatever `duration_ms` is. Counts, rates and the ISI CV still cover the whole run and
/// every neuron; the result's `spikes` monitor holds the window's spikes.
///
/// # Errors
/// As [`run_benchmark_recording`], and [`crate::NeuronError::InvalidParameter`] for a negative or NaN
/// `record_until_ms` (`+inf` keeps every spike).
pub fn run_benchmark_window(
    params: BrettParams,
    seed: u64,
    duration_ms: Real,
    recorded_neurons: usize,
    record_until_ms: Real,
) -> Result<BrettResult> {
    run_benchmark_window_until(
        params,
        seed,
        duration_ms,
        recorded_neurons,
        record_until_ms,
        &|| false,
    )
}

/// [`run_benchmark_window`], polling `stop` every [`STOP_POLL_STEPS`] steps: once it returns
/// `true` the run ends with [`crate::NeuronError::InvalidParameter`] (`name = "run"`, value
/// `"stopped"`), for callers that stop on a signal (the Python bindings).
///
/// # Errors
/// As [`run_benchmark_window`]; the stop above.
pub fn run_benchmark_window_until(
    params: BrettParams,
    seed: u64,
    duration_ms: Real,
    recorded_neurons: usize,
    record_until_ms: Real,
    stop: &dyn Fn() -> bool,
) -> Result<BrettResult> {
    if record_until_ms.is_nan() || record_until_ms < 0.0 {
        return Err(crate::NeuronError::InvalidParameter {
            name: "record_until_ms",
            value: format!("{record_until_ms:e}"),
            reason: "must be >= 0 (+inf keeps every spike)".into(),
        });
    }
    params.check()?;
    let steps = validate::n_steps(duration_ms, params.dt_ms)?;
    let recorded_neurons = recorded_neurons.min(params.n());
    let mut net = BrettNetwork::new(params, seed)?;
    let mut mon = SpikeMonitor::new(params.dt_ms);
    // Room for the recorded spikes of a run at the benchmark's ~25 Hz, capped (the monitor grows
    // past the cap as needed): a reservation of a long run's estimate would be allocated up front.
    let expected =
        recorded_neurons as Real * EXPECTED_RATE_HZ * duration_ms.min(record_until_ms) / 1000.0;
    mon.indices
        .reserve(expected.min(MAX_RESERVED_SPIKES) as usize);
    mon.steps.reserve(mon.indices.capacity());
    let mut isi = stats::IsiAccumulator::new(params.n());
    let n_exc = params.n_exc as u32;
    let mut exc = 0usize;
    let dt = params.dt_ms;
    let keep = recorded_neurons as u32;
    net.run_observed(steps as u64, |step, spikes| {
        if step % STOP_POLL_STEPS == 0 && stop() {
            return Err(crate::NeuronError::InvalidParameter {
                name: "run",
                value: "stopped".into(),
                reason: "stopped on request".into(),
            });
        }
        // spike times as the stored trains have them (SpikeMonitor::spike_trains)
        let t = step as Real * dt;
        for &i in spikes {
            isi.record(i as usize, t)?;
        }
        // spikes are sorted by neuron index
        exc += spikes.partition_point(|&i| i < n_exc);
        if t < record_until_ms {
            mon.record(step, &spikes[..spikes.partition_point(|&i| i < keep)]);
        }
        Ok(())
    })?;
    let duration_ms = steps as Real * params.dt_ms;
    let total = isi.spike_count() as usize;
    let st = isi.stats(duration_ms)?;
    let sec = duration_ms / 1000.0;
    Ok(BrettResult {
        params,
        seed,
        duration_ms,
        n_synapses: net.exc.n_synapses() + net.inh.n_synapses(),
        spike_count: total,
        mean_rate_exc_hz: exc as Real / (params.n_exc as Real * sec),
        mean_rate_inh_hz: if params.n_inh > 0 {
            (total - exc) as Real / (params.n_inh as Real * sec)
        } else {
            0.0
        },
        mean_rate_hz: total as Real / (params.n() as Real * sec),
        mean_cv_isi: st.mean_cv_isi,
        recorded_neurons,
        spikes: mon,
    })
}
