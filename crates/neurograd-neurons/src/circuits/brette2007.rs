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
//! Implementation: struct-of-arrays state, CSR projections with uniform weights, no allocation per
//! step, neurons updated in chunks of 64 whose threshold test is a branch-free maximum so the update
//! vectorises and only chunks with a spike are scanned.
//!
//! Stable step range: COBA uses forward Euler, whose stiffest mode is the membrane under the
//! largest conductance; the reference `dt = 0.1` ms is accepted and the check rejects
//! `dt > min(tau_m, tau_e, tau_i) / 10` and `dt > t_ref`. CUBA is exact (stable for every `dt`) and
//! uses the same accuracy bound.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::connectivity::Csr;
use crate::integrators::Integrator;
use crate::monitor::SpikeMonitor;
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

const CHUNK: usize = 64;

/// The network state (struct of arrays) and its fixed connectivity.
#[derive(Debug, Clone)]
pub struct BrettNetwork {
    p: BrettParams,
    n_ref: Real,
    step: u64,
    v: Vec<Real>,
    ge: Vec<Real>,
    gi: Vec<Real>,
    /// Step of the last spike as a float (exact below 2^53), so the refractory test vectorises.
    last_spike: Vec<Real>,
    exc: Csr,
    inh: Csr,
    spikes: Vec<u32>,
    // per-step constants
    c_v: Real,
    c_e: Real,
    c_i: Real,
    c_ve: Real,
    c_vi: Real,
}

impl BrettNetwork {
    /// Build the network: initial state and connectivity drawn from `ChaCha8Rng::seed_from_u64(seed)`
    /// (V, then g_e, then g_i for every neuron, then the excitatory rows, then the inhibitory rows).
    pub fn new(params: BrettParams, seed: u64) -> Result<Self> {
        params.check()?;
        let p = params;
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
        let (c_v, c_e, c_i, c_ve, c_vi) = match p.kind {
            BenchmarkKind::Coba => (
                dt / p.tau_m_ms,
                1.0 - dt / p.tau_e_ms,
                1.0 - dt / p.tau_i_ms,
                0.0,
                0.0,
            ),
            BenchmarkKind::Cuba => {
                let em = (-dt / p.tau_m_ms).exp();
                let ee = (-dt / p.tau_e_ms).exp();
                let ei = (-dt / p.tau_i_ms).exp();
                (
                    em,
                    ee,
                    ei,
                    p.tau_e_ms / (p.tau_e_ms - p.tau_m_ms) * (ee - em),
                    p.tau_i_ms / (p.tau_i_ms - p.tau_m_ms) * (ei - em),
                )
            }
        };
        Ok(Self {
            n_ref: (p.t_ref_ms / dt).round(),
            p,
            step: 0,
            v,
            ge,
            gi,
            last_spike: vec![-1e18; n],
            exc,
            inh,
            spikes: Vec::with_capacity(n),
            c_v,
            c_e,
            c_i,
            c_ve,
            c_vi,
        })
    }

    /// The parameters.
    pub fn params(&self) -> &BrettParams {
        &self.p
    }

    /// Membrane potentials (mV).
    pub fn v(&self) -> &[Real] {
        &self.v
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

    /// Advance one step; returns the indices of the neurons that spiked in it (sorted).
    pub fn step(&mut self) -> &[u32] {
        self.spikes.clear();
        let n = self.v.len();
        let step = self.step as Real;
        let n_ref = self.n_ref;
        let vth = self.p.v_th_mv;
        let mut start = 0;
        while start < n {
            let end = (start + CHUNK).min(n);
            let above = match self.p.kind {
                BenchmarkKind::Coba => self.update_coba(start, end, step, n_ref),
                BenchmarkKind::Cuba => self.update_cuba(start, end, step, n_ref),
            };
            if above {
                for i in start..end {
                    if self.v[i] > vth {
                        self.spikes.push(i as u32);
                    }
                }
            }
            start = end;
        }
        // propagate, then reset
        let n_exc = self.p.n_exc as u32;
        for &i in &self.spikes {
            if i < n_exc {
                for &j in self.exc.row(i as usize) {
                    self.ge[j as usize] += self.p.w_e;
                }
            } else {
                for &j in self.inh.row((i - n_exc) as usize) {
                    self.gi[j as usize] += self.p.w_i;
                }
            }
            self.v[i as usize] = self.p.v_reset_mv;
            self.last_spike[i as usize] = step;
        }
        self.step += 1;
        &self.spikes
    }

    #[inline]
    fn update_coba(&mut self, start: usize, end: usize, step: Real, n_ref: Real) -> bool {
        let (c_v, c_e, c_i) = (self.c_v, self.c_e, self.c_i);
        let (el, ee, ei, vth) = (self.p.e_l_mv, self.p.e_e_mv, self.p.e_i_mv, self.p.v_th_mv);
        let v = &mut self.v[start..end];
        let n = v.len();
        // equal, known lengths: no bounds checks in the loop, so it vectorises
        let ge = &mut self.ge[start..start + n];
        let gi = &mut self.gi[start..start + n];
        let ls = &self.last_spike[start..start + n];
        let mut vmax = Real::NEG_INFINITY;
        for k in 0..n {
            let (vv, e, i) = (v[k], ge[k], gi[k]);
            let dv = c_v * (e * (ee - vv) + i * (ei - vv) - (vv - el));
            let free = step - ls[k] >= n_ref;
            let nv = if free { vv + dv } else { vv };
            v[k] = nv;
            ge[k] = e * c_e;
            gi[k] = i * c_i;
            vmax = if nv > vmax { nv } else { vmax };
        }
        vmax > vth
    }

    #[inline]
    fn update_cuba(&mut self, start: usize, end: usize, step: Real, n_ref: Real) -> bool {
        let (c_v, c_e, c_i, c_ve, c_vi) = (self.c_v, self.c_e, self.c_i, self.c_ve, self.c_vi);
        let (el, vth) = (self.p.e_l_mv, self.p.v_th_mv);
        let v = &mut self.v[start..end];
        let n = v.len();
        // equal, known lengths: no bounds checks in the loop, so it vectorises
        let ge = &mut self.ge[start..start + n];
        let gi = &mut self.gi[start..start + n];
        let ls = &self.last_spike[start..start + n];
        let mut vmax = Real::NEG_INFINITY;
        for k in 0..n {
            let (vv, e, i) = (v[k], ge[k], gi[k]);
            let prop = el + (vv - el) * c_v + e * c_ve + i * c_vi;
            let free = step - ls[k] >= n_ref;
            let nv = if free { prop } else { vv };
            v[k] = nv;
            ge[k] = e * c_e;
            gi[k] = i * c_i;
            vmax = if nv > vmax { nv } else { vmax };
        }
        vmax > vth
    }

    /// Run `n_steps` steps, recording spikes into `monitor` (if given). Checks for divergence
    /// (non-finite V) at the end of the run.
    pub fn run(&mut self, n_steps: u64, mut monitor: Option<&mut SpikeMonitor>) -> Result<()> {
        for _ in 0..n_steps {
            let step = self.step as u32;
            let spikes = self.step();
            if let Some(m) = monitor.as_deref_mut() {
                m.record(step, spikes);
            }
        }
        if let Some(i) = self.v.iter().position(|x| !x.is_finite()) {
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
    /// Mean ISI CV over neurons with at least 2 intervals.
    pub mean_cv_isi: Real,
    /// Every spike (index, step) for a raster.
    pub spikes: SpikeMonitor,
}

/// Build the network from `seed`, run it for `duration_ms` and summarise.
pub fn run_benchmark(params: BrettParams, seed: u64, duration_ms: Real) -> Result<BrettResult> {
    params.check()?;
    let steps = validate::n_steps(duration_ms, params.dt_ms)?;
    let mut net = BrettNetwork::new(params, seed)?;
    let mut mon = SpikeMonitor::new(params.dt_ms);
    mon.indices
        .reserve(params.n() * 25 * (duration_ms / 1000.0).ceil() as usize);
    mon.steps.reserve(mon.indices.capacity());
    net.run(steps as u64, Some(&mut mon))?;
    let duration_ms = steps as Real * params.dt_ms;
    let n_exc = params.n_exc as u32;
    let exc = mon.count_in(0..n_exc);
    let total = mon.count();
    let trains = mon.spike_trains(params.n())?;
    let st = stats::train_stats(&trains, duration_ms)?;
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
        spikes: mon,
    })
}
