#!/usr/bin/env python3
"""NEST peer for neurograd: Brette et al. (2007) COBA / CUBA benchmark.

Adapted from the project harness (shared/peers/neuro/nest_coba.py). Install in its own venv:
`python3 -m venv venv-nest && venv-nest/bin/pip install nest-simulator` (3.10.0 wheel, cp311).

Same network as brian2_coba.py (see its docstring for the parameter table):
  COBA: iaf_cond_exp, dg_e = 6 nS, dg_i = 67 nS, V0 ~ N(-65, 5) mV,
        g_ex0 ~ N(40, 15) nS, g_in0 ~ N(200, 120) nS (clipped at 0: NEST
        rejects negative conductances -- Brian keeps them; negligible effect).
  CUBA: iaf_psc_exp, E_L = -49 mV, J_e = 16.2 pA, J_i = -90 pA
        (= 1.62 mV / -9 mV voltage jumps * C_m / tau_m), V0 ~ U(-60, -50) mV.
N = 3200 + 800, p = 0.02 pairwise Bernoulli (autapses allowed), dt = 0.1 ms,
delay 0.1 ms, single thread. Note NEST integrates iaf_cond_exp with the GSL
adaptive RKF45 solver (not forward Euler as in Brian's COBA), and
iaf_psc_exp exactly (like Brian's CUBA 'exact' method).

Install: pip install nest-simulator   (3.10.0 ships a cp311 manylinux wheel)
Usage:   python nest_coba.py [--model coba|cuba] [--duration 1.0] [--seed 1]
"""
import argparse
import json
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="coba", choices=["coba", "cuba"])
    ap.add_argument("--duration", type=float, default=1.0, help="seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    t0 = time.perf_counter()
    import nest
    import numpy as np
    try:
        nest.verbosity = nest.VerbosityLevel.ERROR  # NEST >= 3.9
    except AttributeError:
        nest.set_verbosity("M_ERROR")
    t_import = time.perf_counter() - t0

    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": 0.1, "local_num_threads": a.threads,
                          "rng_seed": a.seed})
    rng = np.random.default_rng(a.seed)
    NE, NI = 3200, 800
    N = NE + NI
    tb0 = time.perf_counter()
    common = {"V_th": -50.0, "V_reset": -60.0, "t_ref": 5.0, "C_m": 200.0,
              "tau_syn_ex": 5.0, "tau_syn_in": 10.0, "I_e": 0.0}
    if a.model == "coba":
        params = dict(common, E_L=-60.0, g_L=10.0, E_ex=0.0, E_in=-80.0)
        pop = nest.Create("iaf_cond_exp", N, params=params)
        pop.set({"V_m": list(rng.normal(-65.0, 5.0, N)),
                 "g_ex": list(np.clip(rng.normal(40.0, 15.0, N), 0, None)),
                 "g_in": list(np.clip(rng.normal(200.0, 120.0, N), 0, None))})
        we, wi = 6.0, -67.0  # nS
    else:
        params = dict(common, E_L=-49.0, tau_m=20.0)
        pop = nest.Create("iaf_psc_exp", N, params=params)
        pop.set({"V_m": list(rng.uniform(-60.0, -50.0, N))})
        we, wi = 16.2, -90.0  # pA
    exc, inh = pop[:NE], pop[NE:]
    conn = {"rule": "pairwise_bernoulli", "p": 0.02, "allow_autapses": True}
    nest.Connect(exc, pop, conn, {"synapse_model": "static_synapse",
                                  "weight": we, "delay": 0.1})
    nest.Connect(inh, pop, conn, {"synapse_model": "static_synapse",
                                  "weight": wi, "delay": 0.1})
    sr = nest.Create("spike_recorder")
    nest.Connect(pop, sr)
    build_s = time.perf_counter() - tb0
    n_syn = nest.GetKernelStatus("num_connections") - N  # minus recorder links
    nest.Prepare()
    tr0 = time.perf_counter()
    nest.Run(a.duration * 1000.0)
    loop_s = time.perf_counter() - tr0
    nest.Cleanup()
    ev = sr.get("events")
    senders = np.asarray(ev["senders"])
    n_spikes = int(senders.size)
    first = int(pop[0].global_id)
    n_exc = int((senders < first + NE).sum())
    res = dict(simulator="nest", nest_version=nest.__version__,
               python=sys.version.split()[0], model=a.model, seed=a.seed,
               threads=a.threads, duration_s=a.duration, dt_ms=0.1,
               n_neurons=N, n_synapses=int(n_syn), total_spikes=n_spikes,
               exc_spikes=n_exc, inh_spikes=n_spikes - n_exc,
               mean_rate_hz=n_spikes / N / a.duration, loop_wall_s=loop_s,
               wall_per_sim_s=loop_s / a.duration,
               realtime_factor=a.duration / loop_s, build_s=build_s,
               import_s=t_import)
    print(json.dumps(res, indent=1))
    if a.json:
        json.dump(res, open(a.json, "w"), indent=1)


if __name__ == "__main__":
    main()
