//! The 29-area macaque cortex rate model of Joglekar, Mejias, Yang & Wang (2018), "Inter-areal
//! balanced amplification enhances signal propagation in a large-scale circuit model of the
//! primate cortex", *Neuron* 98:222-234, built on Chaudhuri et al. (2015, *Neuron* 88:419-431)
//! and the connectivity of Markov et al. (2014, *Cereb Cortex* 24:17-36).
//!
//! Each area `i` (29 areas, in ascending hierarchy `h_i` in `[0, 1]`, V1 = 0, 24c = 1) has an
//! excitatory and an inhibitory population (rates in Hz):
//!
//! ```text
//! tau_E dr_E,i/dt = -r_E,i + [ I_E,i ]_+
//! tau_I dr_I,i/dt = -r_I,i + [ I_I,i ]_+
//! I_E,i = beta_E [ w_EE (1 + eta h_i) r_E,i - w_EI r_I,i + mu_EE (1 + eta h_i) sum_j FLN_ij r_E,j ]
//!         + Ibg_E,i + Iext_i(t)
//! I_I,i = beta_I [ w_IE (1 + eta h_i) r_E,i - w_II r_I,i + mu_IE (1 + eta h_i) sum_j FLN_ij r_E,j ]
//!         + Ibg_I,i
//! ```
//!
//! Subscripts are target-source (`w_EI` is I -> E). `FLN_ij` is the fraction of labelled neurons
//! from source `j` in target `i` (rows are targets). All weights carry `beta`, so currents are in
//! rate units (Hz). With `W` the 58 x 58 weight matrix (E block first), the background
//! `Ibg = r0 - W r0` makes `r0 = (10 Hz E, 35 Hz I)` a fixed point, and the Jacobian of the linear
//! regime is `A = diag(1/tau) (W - I)`.
//!
//! *Weak GBA*: `mu_EE = 33.7`, `w_EI = 19.7`; *strong GBA*: `mu_EE = 51.5`, `w_EI = 25.2`
//! (global balanced amplification: more long-range excitation balanced by more local
//! inhibition). The pulse protocol is the authors' code (github.com/xjwanglab/
//! JoglekarEtAl2018_Neuron, `rishimodel_generatefigs_rate.m`, `runNetworkAreaInputNEW.m`):
//! forward Euler at `dt = 0.2 ms`, state held at `r0` until the pulse, a 250 ms box pulse into the
//! E population of V1 from 2.0 s (steps `round(2.0/dt) ..= round(2.25/dt)`, 1251 steps as in the
//! Matlab), amplitude 41.895 (weak) or 21.926 (strong) in rate units, and the per-area peak
//! `max_{1.75 s <= t <= 5 s} r_E,i(t) - r_E,i(1.75 s)`. Rates are clamped at baseline as in the
//! Matlab code ([`Clamp::Rate`], `r <- max(r + dt/tau (-r + [I]_+), r0)`); the OSB Python port
//! clamps the drive instead ([`Clamp::Drive`]). In the weak/strong pulse runs neither clamp
//! engages. [`Clamp::None`] only rectifies the drive, and [`Clamp::Linear`] neither clamps nor
//! rectifies: it is the linear system whose eigenvalues [`MacaqueModel::largest_real_eigenvalue`]
//! reports.
//!
//! The local E-I circuit of Fig. 1 is [`LocalCircuit`]; the `mu_EE` scan of Fig. 2 (with and
//! without feedback projections, i.e. with `FLN` replaced by its lower triangle in hierarchy
//! order) is [`mu_ee_scan`]. The data are vendored in `data/macaque29/` (MIT, see the README and
//! `LICENSE-xjwanglab` there).

use std::sync::OnceLock;

use neurograd_tensor::{Matrix, Real, Vector};
use serde::{Deserialize, Serialize};

use super::balanced::{BalancedAmplification, eigenvalues, henrici_departure};
use crate::model::{Input, NeuronModel};
use crate::rate::{
    Activation, Integrator, RateState, RateUnit, check_dt_positive, jacobian_radius_bound,
};
use crate::{NeuronError, Result};

const FLN_CSV: &str = include_str!("../../data/macaque29/fln.csv");
const HIERARCHY_CSV: &str = include_str!("../../data/macaque29/hierarchy.csv");

/// Number of areas.
pub const N_AREAS: usize = 29;

/// The 29 areas in ascending hierarchy (the order of every matrix).
pub const AREAS: [&str; N_AREAS] = [
    "V1", "V2", "V4", "DP", "MT", "8m", "5", "8l", "TEO", "2", "F1", "STPc", "7A", "46d", "10",
    "9/46v", "9/46d", "F5", "TEpd", "PBr", "7m", "7B", "F2", "STPi", "ProM", "F7", "8B", "STPr",
    "24c",
];

/// The prefrontal areas (8m, 8l, 46d, 10, 9/46v, 9/46d, 8B, 24c).
pub const PREFRONTAL: [&str; 8] = ["8m", "8l", "46d", "10", "9/46v", "9/46d", "8B", "24c"];

/// The nine areas whose traces Fig. 3B/C shows.
pub const FIGURE_AREAS: [&str; 9] = ["V1", "V4", "8m", "8l", "TEO", "7A", "9/46d", "TEpd", "24c"];

/// The vendored connectivity: FLN (rows = targets) and hierarchy.
#[derive(Clone, Debug, PartialEq)]
pub struct MacaqueData {
    /// FLN_ij, projection from area j to area i.
    pub fln: Matrix,
    /// Raw hierarchy values (Chaudhuri et al. 2015).
    pub hierarchy_raw: Vec<Real>,
    /// Normalised hierarchy `h = raw / max` in `[0, 1]`.
    pub hierarchy: Vec<Real>,
}

fn data_error(file: &str, line: usize, reason: impl Into<String>) -> NeuronError {
    NeuronError::InvalidParameter {
        name: "macaque29 data",
        value: format!("{file}:{line}"),
        reason: reason.into(),
    }
}

fn parse_number(file: &str, line: usize, s: &str) -> Result<Real> {
    s.trim()
        .parse::<Real>()
        .map_err(|e| data_error(file, line, format!("'{s}' is not a number: {e}")))
}

fn parse_data() -> Result<MacaqueData> {
    let mut lines = FLN_CSV.lines();
    let header = lines
        .next()
        .ok_or_else(|| data_error("fln.csv", 1, "empty file"))?;
    let names: Vec<&str> = header.split(',').skip(1).collect();
    if names != AREAS {
        return Err(data_error(
            "fln.csv",
            1,
            "column areas differ from the hierarchy order",
        ));
    }
    let mut fln = Matrix::zeros(N_AREAS, N_AREAS);
    let mut row = 0;
    for (k, line) in lines.enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let mut cells = line.split(',');
        let name = cells.next().unwrap_or_default();
        if row >= N_AREAS || name != AREAS[row] {
            return Err(data_error(
                "fln.csv",
                k + 2,
                format!("unexpected row area '{name}'"),
            ));
        }
        let vals: Vec<&str> = cells.collect();
        if vals.len() != N_AREAS {
            return Err(data_error(
                "fln.csv",
                k + 2,
                format!("{} values, expected 29", vals.len()),
            ));
        }
        for (j, v) in vals.iter().enumerate() {
            fln[(row, j)] = parse_number("fln.csv", k + 2, v)?;
        }
        row += 1;
    }
    if row != N_AREAS {
        return Err(data_error(
            "fln.csv",
            row + 1,
            format!("{row} rows, expected 29"),
        ));
    }
    let mut hierarchy_raw = Vec::with_capacity(N_AREAS);
    let mut hierarchy = Vec::with_capacity(N_AREAS);
    for (k, line) in HIERARCHY_CSV.lines().skip(1).enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != 4 || hierarchy.len() >= N_AREAS || cells[1] != AREAS[hierarchy.len()] {
            return Err(data_error("hierarchy.csv", k + 2, "unexpected row"));
        }
        hierarchy_raw.push(parse_number("hierarchy.csv", k + 2, cells[2])?);
        hierarchy.push(parse_number("hierarchy.csv", k + 2, cells[3])?);
    }
    if hierarchy.len() != N_AREAS {
        return Err(data_error(
            "hierarchy.csv",
            hierarchy.len() + 1,
            "expected 29 areas",
        ));
    }
    Ok(MacaqueData {
        fln,
        hierarchy_raw,
        hierarchy,
    })
}

/// The vendored data, parsed once.
pub fn data() -> Result<&'static MacaqueData> {
    static DATA: OnceLock<std::result::Result<MacaqueData, NeuronError>> = OnceLock::new();
    DATA.get_or_init(parse_data).as_ref().map_err(Clone::clone)
}

/// Index of an area by name (case-sensitive; "PROm" is accepted for "ProM").
pub fn area_index(name: &str) -> Result<usize> {
    let name = if name == "PROm" { "ProM" } else { name };
    AREAS
        .iter()
        .position(|a| *a == name)
        .ok_or_else(|| NeuronError::UnknownName {
            kind: "area",
            name: name.to_string(),
            valid: AREAS.join(", "),
        })
}

/// Weak or strong global balanced amplification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Gba {
    /// `mu_EE = 33.7`, `w_EI = 19.7` (pulse 41.895 Hz-equivalent).
    Weak,
    /// `mu_EE = 51.5`, `w_EI = 25.2` (pulse 21.926 Hz-equivalent).
    Strong,
}

impl Gba {
    /// Parse "weak" or "strong" (case-insensitive).
    pub fn from_name(name: &str) -> Result<Self> {
        match name.to_ascii_lowercase().as_str() {
            "weak" => Ok(Gba::Weak),
            "strong" => Ok(Gba::Strong),
            _ => Err(NeuronError::UnknownName {
                kind: "gba setting",
                name: name.to_string(),
                valid: "weak, strong".to_string(),
            }),
        }
    }
}

/// Which long-range projections are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Projections {
    /// All FLN entries.
    All,
    /// Only feed-forward ones: `FLN_ij` kept for source `j <=` target `i` in hierarchy order
    /// (Matlab `tril(flnMat)`, the authors' "removing fb" case).
    NoFeedback,
}

/// How rates are kept from falling below baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Clamp {
    /// Authors' Matlab: `r <- max(r + dt/tau (-r + [I]_+), r0)`.
    Rate,
    /// OSB Python port: `r <- max(r + dt/tau (-r + max(I, r0)), 0)`.
    Drive,
    /// No clamp: `r <- r + dt/tau (-r + [I]_+)`. The drive is still rectified at 0, so rates
    /// can fall below baseline but never below 0.
    None,
    /// No clamp and no rectification: `r <- r + dt/tau (-r + I)`, i.e. forward Euler on the
    /// purely linear system `dr/dt = A (r - r0) + diag(1/tau) Iext(t)`, `A = diag(1/tau) (W - I)`.
    ///
    /// It exists because it is the system the eigenvalues describe
    /// ([`MacaqueModel::largest_real_eigenvalue`]): an unstable `A` makes it grow as
    /// `e^{lambda_max t}` (per Euler step by `1 + dt lambda_max`). It is also the reading of the
    /// reference's "without any clamp, the points at mu_EE <= 28 diverge"
    /// (shared/reference/macaque29-model.md). On the fixed-inhibition scan the unstable mode has
    /// mixed signs (some areas up, others down), so rectifying the drive ([`Clamp::None`]) already
    /// cuts it and keeps the run bounded, while here it grows. Rates may go negative and, in an
    /// unstable network, grow without bound; the run then stops with [`PulseResponse::blew_up`]
    /// set as soon as some `|r|` exceeds [`BLOWUP_HZ`], long before it could overflow. Nothing is
    /// clamped, so `clamp_engaged` stays 0.
    Linear,
}

/// Parameters of the 29-area model (names follow the paper; subscripts target-source).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MacaqueParams {
    /// E time constant (s).
    pub tau_e: Real,
    /// I time constant (s).
    pub tau_i: Real,
    /// E gain (Hz/pA).
    pub beta_e: Real,
    /// I gain (Hz/pA).
    pub beta_i: Real,
    /// Local E -> E (pA/Hz).
    pub omega_ee: Real,
    /// Local E -> I (pA/Hz).
    pub omega_ie: Real,
    /// Local I -> E (pA/Hz).
    pub omega_ei: Real,
    /// Local I -> I (pA/Hz).
    pub omega_ii: Real,
    /// Long-range E -> E (pA/Hz).
    pub mu_ee: Real,
    /// Long-range E -> I (pA/Hz).
    pub mu_ie: Real,
    /// Hierarchy gain `eta` (the code's `alpha`).
    pub eta: Real,
    /// Baseline E rate (Hz).
    pub r0_e: Real,
    /// Baseline I rate (Hz).
    pub r0_i: Real,
}

impl MacaqueParams {
    /// Weak GBA (Joglekar et al. 2018; Chaudhuri et al. 2015 parameter set).
    pub fn weak() -> Self {
        Self {
            tau_e: 0.020,
            tau_i: 0.010,
            beta_e: 0.066,
            beta_i: 0.351,
            omega_ee: 24.3,
            omega_ie: 12.2,
            omega_ei: 19.7,
            omega_ii: 12.5,
            mu_ee: 33.7,
            mu_ie: 25.3,
            eta: 0.68,
            r0_e: 10.0,
            r0_i: 35.0,
        }
    }

    /// Strong GBA: `mu_EE = 51.5`, `w_EI = 25.2`, everything else as [`MacaqueParams::weak`].
    pub fn strong() -> Self {
        Self {
            mu_ee: 51.5,
            omega_ei: 25.2,
            ..Self::weak()
        }
    }

    /// The preset of a GBA setting.
    pub fn for_gba(gba: Gba) -> Self {
        match gba {
            Gba::Weak => Self::weak(),
            Gba::Strong => Self::strong(),
        }
    }

    /// Validate: time constants and gains finite and > 0, weights and rates finite and >= 0.
    pub fn check(&self) -> Result<()> {
        for (name, v) in [
            ("tau_e", self.tau_e),
            ("tau_i", self.tau_i),
            ("beta_e", self.beta_e),
            ("beta_i", self.beta_i),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(NeuronError::InvalidParameter {
                    name,
                    value: format!("{v}"),
                    reason: "must be finite and > 0".to_string(),
                });
            }
        }
        for (name, v) in [
            ("omega_ee", self.omega_ee),
            ("omega_ie", self.omega_ie),
            ("omega_ei", self.omega_ei),
            ("omega_ii", self.omega_ii),
            ("mu_ee", self.mu_ee),
            ("mu_ie", self.mu_ie),
            ("eta", self.eta),
            ("r0_e", self.r0_e),
            ("r0_i", self.r0_i),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(NeuronError::InvalidParameter {
                    name,
                    value: format!("{v}"),
                    reason: "must be finite and >= 0".to_string(),
                });
            }
        }
        Ok(())
    }
}

/// The assembled 58-population model.
#[derive(Clone, Debug, PartialEq)]
pub struct MacaqueModel {
    params: MacaqueParams,
    projections: Projections,
    weights: Matrix,
    background: Vector,
    baseline: Vector,
    tau: Vector,
}

/// The pulse protocol of Figs. 2 and 3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PulseProtocol {
    /// Area receiving the pulse (E population).
    pub area: String,
    /// Pulse amplitude in rate units (Hz), `> 0`; divide by `beta_E` for pA.
    pub amplitude: Real,
    /// Pulse onset (s).
    pub t_on: Real,
    /// Pulse end (s), inclusive on the step grid as in the Matlab code.
    pub t_off: Real,
    /// Start of the measurement window, also the baseline time (s).
    pub t_measure: Real,
    /// End of the simulation and of the measurement window (s).
    pub t_end: Real,
    /// Euler step (s).
    pub dt: Real,
    /// Clamp variant.
    pub clamp: Clamp,
    /// Record the time courses every this many steps (>= 1).
    pub record_every: usize,
}

impl PulseProtocol {
    /// The authors' protocol for a GBA setting: V1, 41.895 (weak) or 21.926 (strong), 2.0-2.25 s,
    /// window 1.75-5 s, `dt = 0.2 ms`, Matlab rate clamp, time courses every 5 ms.
    pub fn for_gba(gba: Gba) -> Self {
        let amplitude = match gba {
            Gba::Weak => 22.05 * 1.9,
            Gba::Strong => 11.54 * 1.9,
        };
        Self::with_amplitude(amplitude)
    }

    /// The same protocol with another amplitude (the `mu_EE` scans use `22.05 * 1.9`).
    pub fn with_amplitude(amplitude: Real) -> Self {
        Self {
            area: "V1".to_string(),
            amplitude,
            t_on: 2.0,
            t_off: 2.25,
            t_measure: 1.75,
            t_end: 5.0,
            dt: 2e-4,
            clamp: Clamp::Rate,
            record_every: 25,
        }
    }
}

/// Peak E-rate rise of one area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AreaPeak {
    /// Area name.
    pub area: String,
    /// Normalised hierarchy value.
    pub hierarchy: Real,
    /// `max r_E(t) - r_E(t_measure)` over the window (Hz).
    pub peak_hz: Real,
    /// Time of the peak (s).
    pub peak_time_s: Real,
}

/// Result of a pulse run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PulseResponse {
    /// Per-area peaks in hierarchy order.
    pub areas: Vec<AreaPeak>,
    /// `peak_24c / peak_V1`.
    pub propagation_ratio: Real,
    /// Recording times (s) from `t_measure` to `t_end`.
    pub times: Vec<Real>,
    /// `traces[i][k]`: E rate of area `i` minus its value at `t_measure`, at `times[k]` (Hz).
    pub traces: Vec<Vec<Real>>,
    /// Whether a rate left `[-BLOWUP_HZ, BLOWUP_HZ]` (`|r| > 1e6 Hz`; rates can be negative
    /// under [`Clamp::Linear`]) or became non-finite (unstable network), and the run was stopped
    /// at that step.
    pub blew_up: bool,
    /// Number of (step, population) pairs where the clamp was active.
    pub clamp_engaged: usize,
}

impl PulseResponse {
    /// Peak of an area by name.
    pub fn peak(&self, area: &str) -> Result<Real> {
        Ok(self.areas[area_index(area)?].peak_hz)
    }
}

/// Relative margin below baseline from which a clamp counts as engaged (rounding at the fixed
/// point is not counted).
const CLAMP_TOL: Real = 1e-9;

/// Rate magnitude (Hz) above which a run counts as blown up and stops.
pub const BLOWUP_HZ: Real = 1e6;

impl MacaqueModel {
    /// Assemble `W`, the background and the baseline from validated parameters.
    pub fn new(params: &MacaqueParams, projections: Projections) -> Result<Self> {
        params.check()?;
        let d = data()?;
        let n = N_AREAS;
        let p = params;
        let mut w = Matrix::zeros(2 * n, 2 * n);
        for i in 0..n {
            let g = 1.0 + p.eta * d.hierarchy[i];
            w[(i, i)] = p.beta_e * p.omega_ee * g;
            w[(i, n + i)] = -p.beta_e * p.omega_ei;
            w[(n + i, i)] = p.beta_i * p.omega_ie * g;
            w[(n + i, n + i)] = -p.beta_i * p.omega_ii;
            for j in 0..n {
                if projections == Projections::NoFeedback && j > i {
                    continue;
                }
                let f = d.fln[(i, j)];
                w[(i, j)] += p.beta_e * p.mu_ee * g * f;
                w[(n + i, j)] += p.beta_i * p.mu_ie * g * f;
            }
        }
        let mut baseline = Vector::from_element(2 * n, p.r0_e);
        baseline.rows_mut(n, n).fill(p.r0_i);
        let background = &baseline - &w * &baseline;
        let mut tau = Vector::from_element(2 * n, p.tau_e);
        tau.rows_mut(n, n).fill(p.tau_i);
        Ok(Self {
            params: *p,
            projections,
            weights: w,
            background,
            baseline,
            tau,
        })
    }

    /// The model of a GBA setting with all projections.
    pub fn for_gba(gba: Gba) -> Result<Self> {
        Self::new(&MacaqueParams::for_gba(gba), Projections::All)
    }

    /// Parameters.
    pub fn params(&self) -> &MacaqueParams {
        &self.params
    }

    /// Projection set.
    pub fn projections(&self) -> Projections {
        self.projections
    }

    /// `W` (58 x 58, E block first, rows are targets, beta included, no leak).
    pub fn weights(&self) -> &Matrix {
        &self.weights
    }

    /// Background `Ibg = r0 - W r0` (rate units).
    pub fn background(&self) -> &Vector {
        &self.background
    }

    /// Baseline `r0` (E then I).
    pub fn baseline(&self) -> &Vector {
        &self.baseline
    }

    /// Time constants (E then I), s.
    pub fn tau(&self) -> &Vector {
        &self.tau
    }

    /// `max_i |r0_i - [W r0 + Ibg]_+,i|`: zero (to rounding) when `r0` is a fixed point.
    pub fn fixed_point_residual(&self) -> Real {
        let u = &self.weights * &self.baseline + &self.background;
        self.baseline
            .iter()
            .zip(u.iter())
            .map(|(r, u)| (r - u.max(0.0)).abs())
            .fold(0.0, Real::max)
    }

    /// Jacobian of the linear regime, `A = diag(1/tau) (W - I)` (s^-1).
    pub fn jacobian(&self) -> Matrix {
        let n = self.weights.nrows();
        let mut a = &self.weights - Matrix::identity(n, n);
        for i in 0..n {
            let s = 1.0 / self.tau[i];
            a.row_mut(i).scale_mut(s);
        }
        a
    }

    /// Eigenvalues `(re, im)` of the Jacobian.
    pub fn eigenvalues(&self) -> Result<Vec<(Real, Real)>> {
        eigenvalues(&self.jacobian())
    }

    /// Largest real part of the Jacobian's eigenvalues (s^-1).
    pub fn largest_real_eigenvalue(&self) -> Result<Real> {
        Ok(self
            .eigenvalues()?
            .iter()
            .map(|e| e.0)
            .fold(Real::NEG_INFINITY, Real::max))
    }

    /// Henrici departure from normality of the Jacobian (s^-1; the authors' `condA2`).
    pub fn henrici_departure(&self) -> Result<Real> {
        henrici_departure(&self.jacobian())
    }

    /// Largest Euler step accepted: `2 / R`, `R` the Gershgorin bound on the Jacobian's spectral
    /// radius (see [`crate::rate::RateNetwork::max_stable_dt`]).
    pub fn max_stable_dt(&self) -> Real {
        Integrator::Euler.real_axis_limit() / jacobian_radius_bound(&self.tau, &self.weights, 1.0)
    }

    /// Run the pulse protocol (forward Euler, as the authors).
    pub fn simulate_pulse(&self, protocol: &PulseProtocol) -> Result<PulseResponse> {
        self.simulate_pulse_until(protocol, &|| false)?
            .ok_or_else(|| NeuronError::InvalidParameter {
                name: "stop",
                value: "false".to_string(),
                reason: "the run stopped although never asked to".to_string(),
            })
    }

    /// [`Self::simulate_pulse`], polling `stop` every [`STOP_POLL_STEPS`] Euler steps (from the
    /// first one): once it returns `true` the run ends there and the result is `Ok(None)` (the
    /// partial traces are dropped; the model is not changed). For callers that stop on a signal
    /// (the Python bindings). Never stopped, it is [`Self::simulate_pulse`], number for number.
    ///
    /// # Errors
    /// As [`Self::simulate_pulse`].
    pub fn simulate_pulse_until(
        &self,
        protocol: &PulseProtocol,
        stop: &dyn Fn() -> bool,
    ) -> Result<Option<PulseResponse>> {
        let pr = protocol;
        let target = area_index(&pr.area)?;
        check_dt_positive(pr.dt)?;
        let max_dt = self.max_stable_dt();
        if pr.dt > max_dt {
            return Err(NeuronError::InvalidParameter {
                name: "dt",
                value: format!("{}", pr.dt),
                reason: format!(
                    "beyond the stable range of forward Euler for this model (dt <= {max_dt:.6e} s)"
                ),
            });
        }
        if !pr.amplitude.is_finite() {
            return Err(NeuronError::NonFinite {
                what: "pulse amplitude".to_string(),
                index: 0,
            });
        }
        if pr.amplitude <= 0.0 {
            // The response is the peak *rise* above the pre-pulse rate and `propagation_ratio`
            // divides by V1's; a pulse that does not excite V1 leaves both undefined (0 / 0).
            return Err(NeuronError::InvalidParameter {
                name: "amplitude",
                value: format!("{}", pr.amplitude),
                reason:
                    "must be > 0 (the response is measured as the peak rise of an excitatory pulse)"
                        .to_string(),
            });
        }
        for (name, v) in [
            ("t_on", pr.t_on),
            ("t_off", pr.t_off),
            ("t_measure", pr.t_measure),
            ("t_end", pr.t_end),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(NeuronError::InvalidParameter {
                    name,
                    value: format!("{v}"),
                    reason: "must be finite and >= 0".to_string(),
                });
            }
        }
        if pr.t_off < pr.t_on {
            return Err(NeuronError::InvalidParameter {
                name: "t_off",
                value: format!("{}", pr.t_off),
                reason: format!("must be >= t_on = {}", pr.t_on),
            });
        }
        if pr.t_end <= pr.t_measure {
            return Err(NeuronError::InvalidParameter {
                name: "t_end",
                value: format!("{}", pr.t_end),
                reason: format!("must be > t_measure = {}", pr.t_measure),
            });
        }
        if pr.record_every == 0 {
            return Err(NeuronError::InvalidParameter {
                name: "record_every",
                value: "0".to_string(),
                reason: "must be >= 1".to_string(),
            });
        }
        let k_on = (pr.t_on / pr.dt).round() as usize;
        let k_off = (pr.t_off / pr.dt).round() as usize;
        let k_start = (pr.t_measure / pr.dt).round() as usize;
        let k_end = (pr.t_end / pr.dt).round() as usize;
        if k_end <= k_start {
            return Err(NeuronError::InvalidParameter {
                name: "t_end",
                value: format!("{}", pr.t_end),
                reason: format!("must be at least one step (dt = {}) after t_measure", pr.dt),
            });
        }
        let n2 = self.weights.nrows();
        let n = n2 / 2;
        let mut r = self.baseline.clone();
        let mut u = Vector::zeros(n2);
        let mut base = self.baseline.rows(0, n).into_owned();
        let mut peak = vec![Real::NEG_INFINITY; n];
        let mut peak_k = vec![k_start; n];
        let mut times = Vec::new();
        let mut traces: Vec<Vec<Real>> = vec![Vec::new(); n];
        let mut blew_up = false;
        let mut clamp_engaged = 0usize;
        // One rate unit per population, stepped through the contract: rectified for the clamps
        // that rectify at 0, linear for `Drive` (its drive is `max(I, r0)`) and `Linear`.
        let activation = match pr.clamp {
            Clamp::Rate | Clamp::None => Activation::Rectified,
            Clamp::Drive | Clamp::Linear => Activation::Linear,
        };
        let units = self
            .tau
            .iter()
            .map(|&t| RateUnit::new_in_seconds(t, activation, pr.dt))
            .collect::<Result<Vec<_>>>()?;
        // Compressed rows of W (about a third of the entries are non-zero).
        let mut row_ptr = Vec::with_capacity(n2 + 1);
        let mut cols = Vec::new();
        let mut vals = Vec::new();
        row_ptr.push(0);
        for i in 0..n2 {
            for j in 0..n2 {
                let v = self.weights[(i, j)];
                if v != 0.0 {
                    cols.push(j);
                    vals.push(v);
                }
            }
            row_ptr.push(cols.len());
        }
        let first = k_on.min(k_start).max(1);
        for k in first..=k_end {
            if (k - first).is_multiple_of(STOP_POLL_STEPS) && stop() {
                return Ok(None);
            }
            // Matlab: the state is held at r0 until the first step with non-zero input.
            if k >= k_on {
                for i in 0..n2 {
                    let mut acc = self.background[i];
                    for p in row_ptr[i]..row_ptr[i + 1] {
                        acc += vals[p] * r[cols[p]];
                    }
                    u[i] = acc;
                }
                if k <= k_off {
                    u[target] += pr.amplitude;
                }
                for (i, unit) in units.iter().enumerate() {
                    let r0 = self.baseline[i];
                    let drive = match pr.clamp {
                        Clamp::Drive => u[i].max(r0),
                        _ => u[i],
                    };
                    let mut st = RateState { r: r[i] };
                    unit.step(&mut st, &Input::current(drive));
                    let v = st.r;
                    r[i] = match pr.clamp {
                        Clamp::Rate => {
                            if v < r0 - CLAMP_TOL * r0 {
                                clamp_engaged += 1;
                            }
                            v.max(r0)
                        }
                        Clamp::Drive => {
                            if u[i] < r0 - CLAMP_TOL * r0 {
                                clamp_engaged += 1;
                            }
                            v.max(0.0)
                        }
                        Clamp::None | Clamp::Linear => v,
                    };
                }
            }
            if k == k_start {
                base.copy_from(&r.rows(0, n));
            }
            if k >= k_start {
                for i in 0..n {
                    let v = r[i] - base[i];
                    if v > peak[i] {
                        peak[i] = v;
                        peak_k[i] = k;
                    }
                }
                if (k - k_start).is_multiple_of(pr.record_every) {
                    times.push(k as Real * pr.dt);
                    for i in 0..n {
                        traces[i].push(r[i] - base[i]);
                    }
                }
            }
            if r.iter().any(|x| !x.is_finite() || x.abs() > BLOWUP_HZ) {
                blew_up = true;
                break;
            }
        }
        let d = data()?;
        let areas: Vec<AreaPeak> = (0..n)
            .map(|i| AreaPeak {
                area: AREAS[i].to_string(),
                hierarchy: d.hierarchy[i],
                peak_hz: peak[i].min(BLOWUP_HZ),
                peak_time_s: peak_k[i] as Real * pr.dt,
            })
            .collect();
        let propagation_ratio = areas[N_AREAS - 1].peak_hz / areas[0].peak_hz;
        Ok(Some(PulseResponse {
            areas,
            propagation_ratio,
            times,
            traces,
            blew_up,
            clamp_engaged,
        }))
    }
}

/// Euler steps between two polls of the stop request of [`MacaqueModel::simulate_pulse_until`].
pub const STOP_POLL_STEPS: usize = 1024;

/// The `mu_EE` values of the authors' final Fig. 2 scan (`28:2:42`).
pub const AUTHORS_MU_EE_RANGE: [Real; 8] = [28.0, 30.0, 32.0, 34.0, 36.0, 38.0, 40.0, 42.0];

/// A GBA run with the model's spectrum, for `simulate macaque --gba weak|strong`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MacaqueReport {
    /// The setting.
    pub gba: Gba,
    /// Its parameters.
    pub params: MacaqueParams,
    /// Pulse protocol used.
    pub protocol: PulseProtocol,
    /// Largest real eigenvalue of the linearised network (s^-1).
    pub largest_real_eigenvalue: Real,
    /// Henrici departure from normality of the Jacobian (s^-1).
    pub henrici_departure: Real,
    /// The pulse response (areas in hierarchy order, time courses).
    pub response: PulseResponse,
}

/// [`run_gba`] plus the spectrum and parameters.
pub fn gba_report(gba: Gba) -> Result<MacaqueReport> {
    let model = MacaqueModel::for_gba(gba)?;
    let protocol = PulseProtocol::for_gba(gba);
    let response = model.simulate_pulse(&protocol)?;
    Ok(MacaqueReport {
        gba,
        params: *model.params(),
        protocol,
        largest_real_eigenvalue: model.largest_real_eigenvalue()?,
        henrici_departure: model.henrici_departure()?,
        response,
    })
}

/// Run a GBA setting with the authors' protocol (what `simulate macaque --gba weak|strong`
/// prints).
pub fn run_gba(gba: Gba) -> Result<PulseResponse> {
    MacaqueModel::for_gba(gba)?.simulate_pulse(&PulseProtocol::for_gba(gba))
}

/// How `w_EI` moves along a `mu_EE` scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScanBranch {
    /// `w_EI = 19.7` fixed (Fig. 2: more long-range excitation only).
    FixedInhibition,
    /// `w_EI = 19.7 + (mu_EE - 33.7) * 55/178`, the line through weak and strong GBA (Fig. 3E).
    ScaledInhibition,
}

impl ScanBranch {
    /// `w_EI` of this branch at `mu_ee`.
    pub fn omega_ei(&self, mu_ee: Real) -> Real {
        match self {
            ScanBranch::FixedInhibition => 19.7,
            ScanBranch::ScaledInhibition => 19.7 + (mu_ee - 33.7) * 55.0 / 178.0,
        }
    }
}

/// One point of a `mu_EE` scan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScanPoint {
    /// Long-range E -> E weight.
    pub mu_ee: Real,
    /// Local I -> E weight used.
    pub omega_ei: Real,
    /// Largest real eigenvalue of the linearised network (s^-1).
    pub largest_real_eigenvalue: Real,
    /// Peak E-rate rise in 24c (Hz), capped at [`BLOWUP_HZ`].
    pub peak_24c_hz: Real,
    /// Peak E-rate rise in V1 (Hz).
    pub peak_v1_hz: Real,
    /// Whether the run blew up.
    pub blew_up: bool,
    /// Whether the clamp was ever active.
    pub clamp_engaged: bool,
}

/// The `mu_EE` scan of Fig. 2 (pulse `22.05 * 1.9` into V1; the authors scan 28:2:42).
pub fn mu_ee_scan(
    mu_values: &[Real],
    branch: ScanBranch,
    projections: Projections,
    clamp: Clamp,
) -> Result<Vec<ScanPoint>> {
    let mut protocol = PulseProtocol::with_amplitude(22.05 * 1.9);
    protocol.clamp = clamp;
    protocol.record_every = usize::MAX;
    mu_values
        .iter()
        .map(|&mu_ee| {
            let params = MacaqueParams {
                mu_ee,
                omega_ei: branch.omega_ei(mu_ee),
                ..MacaqueParams::weak()
            };
            let model = MacaqueModel::new(&params, projections)?;
            let resp = model.simulate_pulse(&protocol)?;
            Ok(ScanPoint {
                mu_ee,
                omega_ei: params.omega_ei,
                largest_real_eigenvalue: model.largest_real_eigenvalue()?,
                peak_24c_hz: resp.areas[N_AREAS - 1].peak_hz,
                peak_v1_hz: resp.areas[0].peak_hz,
                blew_up: resp.blew_up,
                clamp_engaged: resp.clamp_engaged > 0,
            })
        })
        .collect()
}

/// The local E-I circuit of one area (Fig. 1): `tau dr/dt = -r + W r` with
/// `W = [[w_EE, -w_EI], [w_IE, -w_II]]`, rectified at 0 and integrated by forward Euler as in the
/// authors' code, starting from `r = (1, 0)` Hz.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalCircuit {
    /// E -> E.
    pub w_ee: Real,
    /// I -> E.
    pub w_ei: Real,
    /// E -> I.
    pub w_ie: Real,
    /// I -> I.
    pub w_ii: Real,
    /// Time constant of both populations (s).
    pub tau: Real,
}

/// Trajectory of the local circuit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalResponse {
    /// Times (s).
    pub times: Vec<Real>,
    /// E rate (Hz).
    pub r_e: Vec<Real>,
    /// I rate (Hz).
    pub r_i: Vec<Real>,
    /// Peak E rate (Hz).
    pub peak_e: Real,
    /// Largest real part of the eigenvalues of `(W - I)/tau` (s^-1).
    pub largest_real_eigenvalue: Real,
}

impl LocalCircuit {
    /// Weak local balanced amplification of Fig. 1: `w_EE = 4.45`, `w_EI = 4.7`,
    /// `w_IE = 4 + 2/7`, `w_II = 1.1 (4 + 2/7)`, `tau = 20 ms` (authors' code, `caseval = 7`).
    pub fn weak_lba() -> Self {
        let w = 4.0 + 2.0 / 7.0;
        Self {
            w_ee: 4.45,
            w_ei: 4.7,
            w_ie: w,
            w_ii: 1.1 * w,
            tau: 0.02,
        }
    }

    /// Strong local balanced amplification: `w_EE = 6`, `w_EI = 6.7`, the rest as weak.
    pub fn strong_lba() -> Self {
        Self {
            w_ee: 6.0,
            w_ei: 6.7,
            ..Self::weak_lba()
        }
    }

    fn check(&self) -> Result<()> {
        for (name, v) in [
            ("w_ee", self.w_ee),
            ("w_ei", self.w_ei),
            ("w_ie", self.w_ie),
            ("w_ii", self.w_ii),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(NeuronError::InvalidParameter {
                    name,
                    value: format!("{v}"),
                    reason: "must be finite and >= 0".to_string(),
                });
            }
        }
        if !(self.tau.is_finite() && self.tau > 0.0) {
            return Err(NeuronError::InvalidParameter {
                name: "tau",
                value: format!("{}", self.tau),
                reason: "time constant must be finite and > 0".to_string(),
            });
        }
        Ok(())
    }

    /// Closed-form eigenvalues `(re, im)` of `(W - I)/tau`:
    /// `lambda = (tr/2 +- sqrt(tr^2/4 - det)) / tau` with `tr`, `det` of `W - I`.
    pub fn eigenvalues(&self) -> [(Real, Real); 2] {
        let a = self.w_ee - 1.0;
        let dd = -self.w_ii - 1.0;
        let tr = a + dd;
        let det = a * dd + self.w_ei * self.w_ie;
        let disc = tr * tr / 4.0 - det;
        if disc >= 0.0 {
            let s = disc.sqrt();
            [
                ((tr / 2.0 + s) / self.tau, 0.0),
                ((tr / 2.0 - s) / self.tau, 0.0),
            ]
        } else {
            let s = (-disc).sqrt();
            [
                (tr / 2.0 / self.tau, s / self.tau),
                (tr / 2.0 / self.tau, -s / self.tau),
            ]
        }
    }

    /// Simulate from `r = (1, 0)` with forward Euler at `dt` for `t_max` (the authors use
    /// `dt = 0.1 ms`, `t_max = 0.6 s`), rectifying at 0 after every step.
    ///
    /// **Why this loop does not go through [`RateUnit`]**: it keeps the authors' arithmetic,
    /// `e <- max(e + (dt/tau) ((w_EE - 1) e - w_EI i), 0)` (and `i` likewise), in which the leak
    /// `-e` is folded into the self-coupling `w_EE - 1` *before* rounding. The rate unit's step
    /// (`r + (dt/tau)(-r + f(x))`, [`NeuronModel::step`]) and its right-hand side
    /// (`(-r + f(x))/tau`, [`ContinuousModel::derivative`](crate::model::ContinuousModel::derivative))
    /// round `x = w_EE e - w_EI i` first and subtract `r` afterwards; no input `x` makes
    /// `-e + x` equal `(w_EE - 1) e - w_EI i` bit for bit in general, so routing this circuit
    /// through the contract would change its published trajectories in the last bits. The
    /// macaque pulse ([`MacaqueModel::simulate_pulse`]) and the rate networks
    /// ([`crate::rate::RateNetwork`], balanced amplification) use the contract.
    pub fn simulate(&self, dt: Real, t_max: Real) -> Result<LocalResponse> {
        self.check()?;
        check_dt_positive(dt)?;
        let w = Matrix::from_row_slice(2, 2, &[self.w_ee, -self.w_ei, self.w_ie, -self.w_ii]);
        let max_dt = 2.0 / jacobian_radius_bound(&Vector::from_element(2, self.tau), &w, 1.0);
        if dt > max_dt {
            return Err(NeuronError::InvalidParameter {
                name: "dt",
                value: format!("{dt}"),
                reason: format!("beyond the stable range of forward Euler (dt <= {max_dt:.6e} s)"),
            });
        }
        if !(t_max.is_finite() && t_max > 0.0) {
            return Err(NeuronError::InvalidParameter {
                name: "t_max",
                value: format!("{t_max}"),
                reason: "must be finite and > 0".to_string(),
            });
        }
        let steps = (t_max / dt).round() as usize;
        let (mut e, mut i) = (1.0, 0.0);
        let mut out = LocalResponse {
            times: Vec::with_capacity(steps + 1),
            r_e: Vec::with_capacity(steps + 1),
            r_i: Vec::with_capacity(steps + 1),
            peak_e: 1.0,
            largest_real_eigenvalue: self.eigenvalues()[0].0.max(self.eigenvalues()[1].0),
        };
        out.times.push(0.0);
        out.r_e.push(e);
        out.r_i.push(i);
        let c = dt / self.tau;
        for k in 1..=steps {
            let de = (self.w_ee - 1.0) * e - self.w_ei * i;
            let di = self.w_ie * e - (self.w_ii + 1.0) * i;
            e = (e + c * de).max(0.0);
            i = (i + c * di).max(0.0);
            out.times.push(k as Real * dt);
            out.r_e.push(e);
            out.r_i.push(i);
            out.peak_e = out.peak_e.max(e);
        }
        Ok(out)
    }
}

/// The numbers of claim 8 ("balanced amplification propagates signals").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Claim8Report {
    /// Largest real eigenvalue, weak GBA (s^-1).
    pub eigenvalue_weak: Real,
    /// Largest real eigenvalue, strong GBA (s^-1).
    pub eigenvalue_strong: Real,
    /// V1 peak rise, weak (Hz).
    pub v1_peak_weak: Real,
    /// V1 peak rise, strong (Hz).
    pub v1_peak_strong: Real,
    /// 24c / V1 peak ratio, weak.
    pub ratio_weak: Real,
    /// 24c / V1 peak ratio, strong.
    pub ratio_strong: Real,
    /// `ratio_strong / ratio_weak`.
    pub improvement: Real,
    /// Per-area peaks `(area, weak, strong)` in hierarchy order (Hz).
    pub per_area: Vec<(String, Real, Real)>,
    /// Two-population circuit (Murphy & Miller 2009): simulated peak of `||r(t)||`.
    pub transient_gain_simulated: Real,
    /// The same from the Schur (sum/difference) closed form.
    pub transient_gain_schur: Real,
}

/// Compute claim 8: weak vs strong GBA and the two-population transient gain.
pub fn claim8() -> Result<Claim8Report> {
    let weak_model = MacaqueModel::for_gba(Gba::Weak)?;
    let strong_model = MacaqueModel::for_gba(Gba::Strong)?;
    let weak = weak_model.simulate_pulse(&PulseProtocol::for_gba(Gba::Weak))?;
    let strong = strong_model.simulate_pulse(&PulseProtocol::for_gba(Gba::Strong))?;
    let ba = BalancedAmplification::murphy_miller_2009().report()?;
    Ok(Claim8Report {
        eigenvalue_weak: weak_model.largest_real_eigenvalue()?,
        eigenvalue_strong: strong_model.largest_real_eigenvalue()?,
        v1_peak_weak: weak.areas[0].peak_hz,
        v1_peak_strong: strong.areas[0].peak_hz,
        ratio_weak: weak.propagation_ratio,
        ratio_strong: strong.propagation_ratio,
        improvement: strong.propagation_ratio / weak.propagation_ratio,
        per_area: weak
            .areas
            .iter()
            .zip(&strong.areas)
            .map(|(w, s)| (w.area.clone(), w.peak_hz, s.peak_hz))
            .collect(),
        transient_gain_simulated: ba.peak_norm_simulated,
        transient_gain_schur: ba.peak_norm_closed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn simulate_pulse_until_is_the_run_unless_stopped_and_stops_at_a_poll() {
        let model = MacaqueModel::for_gba(Gba::Weak).unwrap();
        let mut pr = PulseProtocol::for_gba(Gba::Weak);
        pr.t_end = 2.5;
        let full = model.simulate_pulse(&pr).unwrap();
        let polls = Cell::new(0usize);
        let never = || {
            polls.set(polls.get() + 1);
            false
        };
        assert_eq!(model.simulate_pulse_until(&pr, &never).unwrap(), Some(full));
        // steps first..=k_end, `first` = the measurement start (1.75 s / 0.2 ms)
        let steps = (2.5f64 / pr.dt).round() as usize - (1.75f64 / pr.dt).round() as usize + 1;
        assert_eq!(polls.get(), steps.div_ceil(STOP_POLL_STEPS));
        // stopped at the second poll: no result, nothing polled afterwards
        let polls = Cell::new(0usize);
        let second = || {
            polls.set(polls.get() + 1);
            polls.get() >= 2
        };
        assert_eq!(model.simulate_pulse_until(&pr, &second).unwrap(), None);
        assert_eq!(polls.get(), 2);
        // a run of 5e9 steps (hours) ends within one poll interval
        pr.t_end = 1e6;
        let polls = Cell::new(0usize);
        let third = || {
            polls.set(polls.get() + 1);
            polls.get() >= 3
        };
        let t = std::time::Instant::now();
        assert_eq!(model.simulate_pulse_until(&pr, &third).unwrap(), None);
        assert_eq!(polls.get(), 3);
        assert!(t.elapsed().as_secs_f64() < 5.0);
        // a refused protocol is still an error, not a stop
        pr.record_every = 0;
        assert!(model.simulate_pulse_until(&pr, &|| true).is_err());
    }
}
