#!/usr/bin/env python3
"""Peer measurements for neurograd-optim's CMA-ES: pycma (pip install cma==4.5.0 numpy).

Two modes, run by a person on one machine (never by the test suite):

  python3 benches/peers/cmaes_pycma.py evals      # evaluations to f < 1e-8, 11 seeds, n = 10, 40
  python3 benches/peers/cmaes_pycma.py overhead   # ask + tell time per generation, n = 10, 40, 200
  python3 benches/peers/cmaes_pycma.py rastrigin  # IPOP on Rastrigin, budget 1e5 * n

Protocol (issue 6): minimise sphere, ellipsoid f = sum 1e6^((i-1)/(n-1)) x_i^2 and Rosenbrock
(minimum at 1); x0 uniform in [-3, 3]^n (Rosenbrock: [-0.5, 0.5]^n) from numpy's seeded
generator, sigma0 = 1, default options, ftarget = 1e-8, one run per seed (no restarts).
"""
import sys
import time

import numpy as np
import cma


def sphere(x):
    return float(np.dot(x, x))


def ellipsoid(x):
    n = len(x)
    w = 1e6 ** (np.arange(n) / (n - 1))
    return float(np.dot(w, x * x))


def rosenbrock(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def rastrigin(x):
    return float(10.0 * len(x) + np.sum(x * x - 10.0 * np.cos(2 * np.pi * x)))


FUNCS = {"sphere": (sphere, 3.0), "ellipsoid": (ellipsoid, 3.0), "rosenbrock": (rosenbrock, 0.5)}


def evals_to_target(f, n, half, seed):
    x0 = np.random.default_rng(seed).uniform(-half, half, n)
    es = cma.CMAEvolutionStrategy(x0, 1.0, {"seed": seed + 1, "ftarget": 1e-8, "verbose": -9})
    while not es.stop():
        xs = es.ask()
        es.tell(xs, [f(x) for x in xs])
    ok = es.result.fbest < 1e-8
    return es.result.evaluations, ok


def mode_evals(seeds=11):
    print("| function | n | median evals | successes | all evals |")
    print("|---|---|---|---|---|")
    for n in (10, 40):
        for name, (f, half) in FUNCS.items():
            res = [evals_to_target(f, n, half, s) for s in range(seeds)]
            ev = sorted(e for e, ok in res)
            succ = sum(ok for _, ok in res)
            print(f"| {name} | {n} | {int(np.median(ev))} | {succ}/{seeds} | {ev} |", flush=True)


def mode_overhead(gens=200):
    print("| n | lambda | ms per generation (ask + tell) |")
    print("|---|---|---|")
    for n in (10, 40, 200):
        x0 = np.random.default_rng(0).uniform(-3, 3, n)
        es = cma.CMAEvolutionStrategy(x0, 1.0, {"seed": 1, "verbose": -9, "tolx": 0, "tolfun": 0,
                                                "tolfunhist": 0, "tolstagnation": 0,
                                                "tolflatfitness": 0, "maxiter": 10 ** 9})
        # warm up so that the covariance matrix is not diagonal any more
        for _ in range(20):
            xs = es.ask()
            es.tell(xs, [ellipsoid(x) for x in xs])
        t_total = 0.0
        for _ in range(gens):
            t0 = time.perf_counter()
            xs = es.ask()
            t_total += time.perf_counter() - t0
            fs = [ellipsoid(x) for x in xs]
            t0 = time.perf_counter()
            es.tell(xs, fs)
            t_total += time.perf_counter() - t0
        print(f"| {n} | {es.popsize} | {1e3 * t_total / gens:.3f} |", flush=True)


def mode_rastrigin(seeds=11):
    print("| n | successes | median evals (successful runs) | restarts |")
    print("|---|---|---|---|")
    for n in (10, 40):
        ev, succ, rs = [], 0, []
        for s in range(seeds):
            x0 = np.random.default_rng(s).uniform(-5, 5, n)
            res = cma.fmin(rastrigin, x0, 2.0, {"seed": s + 1, "ftarget": 1e-8, "verbose": -9,
                                                "maxfevals": 1e5 * n},
                           restarts=9, incpopsize=2, eval_initial_x=False)
            if res[1] < 1e-8:
                succ += 1
                ev.append(res[3])
            rs.append(len(res[-1].opts) if False else 0)
        med = int(np.median(ev)) if ev else None
        print(f"| {n} | {succ}/{seeds} | {med} | |", flush=True)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else "evals"
    print(f"pycma {cma.__version__}, numpy {np.__version__}")
    {"evals": mode_evals, "overhead": mode_overhead, "rastrigin": mode_rastrigin}[mode]()
