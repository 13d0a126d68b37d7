#!/usr/bin/env python3
"""Brian2 peer for neurograd: COBA (and CUBA) benchmark of Brette et al. 2007.

Adapted from the project harness (shared/peers/neuro/brian2_coba.py); adds the
excitatory/inhibitory rates and the mean ISI CV after 200 ms, the same statistics
neurograd's tests assert (crates/neurograd-neurons/tests/spiking/brette.rs).
Compare with `cargo bench -p neurograd-benches --bench neurons` (docs/neurons.md).

Benchmark 1 ("COBA") of Brette et al. (2007) J Comput Neurosci 23:349-398,
based on Vogels & Abbott (2005) J Neurosci 25:10786.  Parameters follow the
reference Brian 1 / NEST implementations shipped with the paper (ModelDB
accession 83319: Brian/COBA.py, NEST/coba.sli):

  N = 4000 LIF neurons (3200 exc, 800 inh), p_connect = 0.02 (fixed
  probability, independent per ordered pair, autapses allowed),
  C_m = 200 pF, g_L = 10 nS (tau_m = 20 ms), E_L = -60 mV, V_th = -50 mV,
  V_reset = -60 mV, t_ref = 5 ms (V clamped at reset), E_e = 0 mV,
  E_i = -80 mV, tau_e = 5 ms, tau_i = 10 ms, exponential conductances,
  dg_e = 6 nS (0.6 g_L), dg_i = 67 nS (6.7 g_L), no external input
  (self-sustained activity from random initial conditions),
  initial V ~ N(-65 mV, 5 mV), g_e ~ N(4, 1.5) g_L, g_i ~ N(20, 12) g_L,
  forward Euler, dt = 0.1 ms, no synaptic delay beyond one step.

CUBA (benchmark 2) uses the Brian example: E_L = -49 mV, w_e = 1.62 mV,
w_i = -9 mV, exponential currents, exact ('linear') integration,
V0 ~ U(V_reset, V_th).

Usage:
  python brian2_coba.py --target numpy|cython|cpp_standalone \
      [--model coba|cuba] [--duration 1.0] [--seed 1] [--json out.json]

Reports wall time of the simulation loop per simulated second (compilation
and network construction excluded and reported separately), total spike
count and mean firing rate.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", default="numpy",
                    choices=["numpy", "cython", "cpp_standalone"])
    ap.add_argument("--model", default="coba", choices=["coba", "cuba"])
    ap.add_argument("--duration", type=float, default=1.0, help="seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    t_import0 = time.perf_counter()
    import brian2 as b2
    from brian2 import ms, mV, second, NeuronGroup, Synapses, SpikeMonitor
    t_import = time.perf_counter() - t_import0

    b2.prefs.logging.console_log_level = "WARNING"
    build_dir = None
    if args.target == "cpp_standalone":
        build_dir = tempfile.mkdtemp(prefix="b2_standalone_")
        b2.set_device("cpp_standalone", directory=build_dir, build_on_run=False)
        b2.prefs.devices.cpp_standalone.openmp_threads = 0  # single thread
    else:
        b2.prefs.codegen.target = args.target
        if args.target == "cython":
            # own cache dir so a cold/warm compile is visible and reproducible
            b2.prefs.codegen.runtime.cython.cache_dir = os.path.join(
                tempfile.gettempdir(), "b2_cython_cache")
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(args.seed)

    t_build0 = time.perf_counter()
    N, NE = 4000, 3200
    ns = {}
    if args.model == "coba":
        ns.update(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV,
                  Vr=-60 * mV, El=-60 * mV, Ee=0 * mV, Ei=-80 * mV,
                  we=6.0 / 10.0, wi=67.0 / 10.0)  # conductances in units of g_L
        eqs = """
        dv/dt  = (ge*(Ee-v) + gi*(Ei-v) - (v-El))/taum : volt (unless refractory)
        dge/dt = -ge/taue : 1
        dgi/dt = -gi/taui : 1
        """
        P = NeuronGroup(N, eqs, threshold="v>Vt", reset="v=Vr",
                        refractory=5 * ms, method="euler", namespace=ns)
        P.v = "El + (randn()*5 - 5)*mV"
        P.ge = "randn()*1.5 + 4"
        P.gi = "randn()*12 + 20"
    else:
        ns.update(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV,
                  Vr=-60 * mV, El=-49 * mV,
                  we=(60 * 0.27 / 10) * mV, wi=(-20 * 4.5 / 10) * mV)
        eqs = """
        dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
        dge/dt = -ge/taue : volt
        dgi/dt = -gi/taui : volt
        """
        P = NeuronGroup(N, eqs, threshold="v>Vt", reset="v=Vr",
                        refractory=5 * ms, method="exact", namespace=ns)
        P.v = "Vr + rand()*(Vt - Vr)"
        P.ge = 0 * mV
        P.gi = 0 * mV
    Ce = Synapses(P[:NE], P, on_pre="ge += we", namespace=ns)
    Ci = Synapses(P[NE:], P, on_pre="gi += wi", namespace=ns)
    Ce.connect(p=0.02)
    Ci.connect(p=0.02)
    mon = SpikeMonitor(P)
    net = b2.Network(P, Ce, Ci, mon)

    t_run0 = time.perf_counter()
    net.run(args.duration * second)
    t_run_total = time.perf_counter() - t_run0
    compile_s = None
    if args.target == "cpp_standalone":
        t_b0 = time.perf_counter()
        b2.device.build(directory=build_dir, compile=True, run=True,
                        debug=False)
        t_build_total = time.perf_counter() - t_b0
        loop_s = float(b2.device._last_run_time)
        # build() = code generation + compilation + binary run (incl. network
        # construction inside the binary); compile_s is an upper bound.
        compile_s = t_build_total - loop_s
        setup_s = t_run0 - t_build0
    else:
        loop_s = float(b2.device._last_run_time)
        setup_s = t_run0 - t_build0
        compile_s = t_run_total - loop_s  # before_run: codegen + compilation
    n_spikes = int(mon.num_spikes)
    n_syn = int(len(Ce) + len(Ci))
    i = mon.i[:]
    n_exc_spk = int((i < NE).sum())
    rate = n_spikes / N / args.duration
    import numpy as np
    t = np.asarray(mon.t[:] / second)
    cvs = []
    for k in range(N):
        tk = np.sort(t[(i == k) & (t >= 0.2)])
        if len(tk) >= 3:
            isi = np.diff(tk)
            cvs.append(isi.std() / isi.mean())
    cv_isi = float(np.mean(cvs)) if cvs else None
    res = dict(
        simulator="brian2", brian2_version=b2.__version__,
        python=sys.version.split()[0], target=args.target, model=args.model,
        seed=args.seed, duration_s=args.duration, dt_ms=0.1,
        n_neurons=N, n_synapses=n_syn,
        total_spikes=n_spikes, exc_spikes=n_exc_spk,
        inh_spikes=n_spikes - n_exc_spk, mean_rate_hz=rate,
        mean_rate_exc_hz=n_exc_spk / NE / args.duration,
        mean_rate_inh_hz=(n_spikes - n_exc_spk) / (N - NE) / args.duration,
        mean_cv_isi_after_200ms=cv_isi,
        loop_wall_s=loop_s, wall_per_sim_s=loop_s / args.duration,
        realtime_factor=args.duration / loop_s if loop_s > 0 else None,
        compile_or_prep_s=compile_s, setup_python_s=setup_s,
        import_s=t_import,
    )
    print(json.dumps(res, indent=1))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1)
    if build_dir:
        shutil.rmtree(build_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
