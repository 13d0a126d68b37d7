#!/usr/bin/env python3
"""neurograd from Python vs pycma 4.5.0 and NumPy, same run, alternated (docs/benchmarks.md).

Run by a person on one machine, never by CI:

  python3 -m venv /tmp/py/bench && /tmp/py/bench/bin/pip install cma==4.5.0 numpy==2.4.6 \
      target/wheels/neurograd-*.whl
  OPENBLAS_NUM_THREADS=1 MATMUL_NUM_THREADS=1 RAYON_NUM_THREADS=1 \
      /tmp/py/bench/bin/python crates/neurograd-py/benches/py_vs_peers.py [rounds] [cli|--rules-only]

1. CMA-ES: 51 runs (seeds 0..50) on 10-D Rosenbrock to f <= 1e-8, x0 = optim.benchmark_x0(10,
   seed) (uniform in [-5, 5]^10), sigma0 = 1, at most 1e5 evaluations, no bounds; the same
   pycma-style loop and NumPy objective with `cma.CMAEvolutionStrategy` and with
   `neurograd.optim.CMAES`; plus `neurograd.optim.optimize` (objective in Rust, as
   `neurograd optimize`) and, if given, the CLI binary `cli` (subprocess, 1 thread).
2. A rule update on 784 x 256 weights, batch 32 and batch 1: `neurograd.rules.delta("oja" |
   "hebb", ...)` (arrays copied in and out, inputs validated), the same into a preallocated
   `out=`, vs the same update in NumPy; the phases of one call timed inside the binding
   (`_delta_profile`: arrays in, rule, array out), and the conversions alone (`_echo`: the
   256 x 784 weights to a matrix and back). `--rules-only` skips part 1.
Each round runs every contender once, in alternating order; ratios are per round.
"""
import statistics
import subprocess
import sys
import time

try:
    import cma
except ImportError:  # --rules-only needs no pycma
    cma = None
import numpy as np

import neurograd
from neurograd import optim, rules
from neurograd._neurograd import rules as _rules_native


def rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def runs_51(cls):
    evals, ok = 0, 0
    for seed in range(51):
        x0 = optim.benchmark_x0(10, seed)
        es = cls(x0, 1.0, {"seed": seed + 1, "ftarget": 1e-8, "maxfevals": 100_000,
                           "verbose": -9})
        while not es.stop():
            X = es.ask()
            es.tell(X, [rosen(x) for x in X])
        evals += es.result.evaluations
        ok += es.result.fbest <= 1e-8
    return evals, ok


def timed(f):
    t = time.perf_counter()
    r = f()
    return time.perf_counter() - t, r


def oja_numpy(pre, post, W):
    return (post.T @ pre - (post ** 2).sum(axis=0)[:, None] * W) / len(pre)


def hebb_numpy(pre, post, W):
    return post.T @ pre / len(pre)


def per_call(f, reps, cpu=None):
    """Wall seconds per call of ``f`` over ``reps`` calls; with a list ``cpu``, the process CPU
    seconds per call are appended to it (on a loaded machine CPU time is the steadier measure:
    every contender here runs on one thread)."""
    t, c = time.perf_counter(), time.process_time()
    for _ in range(reps):
        f()
    if cpu is not None:
        cpu.append((time.process_time() - c) / reps)
    return (time.perf_counter() - t) / reps


def rule_round(r, W, batches, echo, rule_ratios):
    """One round of the rule-update timings: neurograd (fresh output), neurograd into a
    preallocated ``out`` and NumPy, in an order rotated per round; then the phases of a call
    measured inside the binding (``_delta_profile``)."""
    out = np.empty_like(W)
    for b, (pre, post) in batches.items():
        for name, numpy_f in (("oja", oja_numpy), ("hebb", hebb_numpy)):
            fs = [lambda: rules.delta(name, pre, post, W),
                  lambda: rules.delta(name, pre, post, W, out=out),
                  lambda: numpy_f(pre, post, W)]
            order = [(k + r) % 3 for k in range(3)]
            tt = [0.0, 0.0, 0.0]
            tc = [[], [], []]
            for k in order:
                fs[k]()
                tt[k] = per_call(fs[k], 300, tc[k])
            tc = [c[0] for c in tc]
            ti, tr, to = _rules_native._delta_profile(name, pre, post, W, reps=300)
            print(f"round {r}: {name} 784x256 batch {b}: neurograd {tt[0] * 1e3:.3f} ms, with "
                  f"out= {tt[1] * 1e3:.3f} ms, NumPy {tt[2] * 1e3:.3f} ms per call (CPU "
                  f"{tc[0] * 1e3:.3f} / {tc[1] * 1e3:.3f} / {tc[2] * 1e3:.3f} ms); phases: "
                  f"arrays in {ti * 1e3:.3f}, rule {tr * 1e3:.3f}, array out {to * 1e3:.3f} ms",
                  flush=True)
            rule_ratios.setdefault(f"{name} batch {b}", []).append(tt[0] / tt[2])
            rule_ratios.setdefault(f"{name} batch {b}, out=", []).append(tt[1] / tt[2])
            rule_ratios.setdefault(f"{name} batch {b}, CPU time", []).append(tc[0] / tc[2])
    te = per_call(lambda: echo(W), 300)
    tc = per_call(lambda: np.ascontiguousarray(W.T), 300)
    print(f"round {r}: conversions alone (W in and out): {te * 1e3:.3f} ms; NumPy transposed "
          f"copy of W: {tc * 1e3:.3f} ms", flush=True)


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rules_only = "--rules-only" in sys.argv[2:]
    cli = sys.argv[2] if len(sys.argv) > 2 and not rules_only else None
    print(f"neurograd {neurograd.__version__}, cma {getattr(cma, '__version__', None)}, "
          f"numpy {np.__version__}")
    rng = np.random.default_rng(0)
    W = rng.normal(size=(256, 784)) * 0.01
    batches = {}
    for b in (32, 1):
        pre = rng.normal(size=(b, 784))
        post = pre @ W.T
        assert np.allclose(rules.delta("oja", pre, post, W), oja_numpy(pre, post, W))
        assert np.allclose(rules.delta("hebb", pre, post, W), hebb_numpy(pre, post, W))
        batches[b] = (pre, post)
    echo = _rules_native._echo
    assert np.array_equal(echo(W), W)
    cma_ratios, ng_opt_ratios, cli_ratios, rule_ratios = [], [], [], {}
    for r in range(rounds):
        if rules_only:
            rule_round(r, W, batches, echo, rule_ratios)
            continue
        order = ["pycma", "neurograd"] if r % 2 == 0 else ["neurograd", "pycma"]
        t = {}
        for who in order:
            cls = cma.CMAEvolutionStrategy if who == "pycma" else optim.CMAES
            t[who], (ev, ok) = timed(lambda: runs_51(cls))
            print(f"round {r}: {who:>9} loop: {t[who]:7.2f} s, {ev} evaluations, {ok}/51 "
                  "reached 1e-8", flush=True)
        t["optimize"], res = timed(lambda: optim.optimize(
            "cmaes", "rosenbrock", dim=10, seeds=51, seed=0, target=1e-8,
            max_evaluations=100_000, sigma0=1.0))
        ev = sum(x["evaluations"] for x in res["runs"])
        print(f"round {r}: optim.optimize (objective in Rust): {t['optimize']:7.3f} s, {ev} "
              f"evaluations, {res['success_rate'] * 51:.0f}/51", flush=True)
        if cli:
            t["cli"], _ = timed(lambda: subprocess.run(
                [cli, "--threads", "1", "--quiet", "--json", "--out", "/tmp/py/cli-out",
                 "optimize", "cmaes", "--function", "rosenbrock", "--dim", "10", "--seeds",
                 "51", "--sigma0", "1"], check=True, capture_output=True))
            print(f"round {r}: CLI: {t['cli']:7.3f} s", flush=True)
            cli_ratios.append(t["pycma"] / t["cli"])
        cma_ratios.append(t["pycma"] / t["neurograd"])
        ng_opt_ratios.append(t["pycma"] / t["optimize"])
        rule_round(r, W, batches, echo, rule_ratios)
    med = statistics.median
    if cma_ratios:
        print(f"pycma / neurograd.optim.CMAES (same Python loop): "
              f"{[round(x, 2) for x in cma_ratios]}, median {med(cma_ratios):.2f}")
        print(f"pycma / optim.optimize (objective in Rust): "
              f"{[round(x, 1) for x in ng_opt_ratios]}, median {med(ng_opt_ratios):.1f}")
    if cli_ratios:
        print(f"pycma / CLI: {[round(x, 1) for x in cli_ratios]}, median {med(cli_ratios):.1f}")
    for name, v in rule_ratios.items():
        print(f"{name} update neurograd / NumPy: {[round(x, 2) for x in v]}, "
              f"median {med(v):.2f}")


if __name__ == "__main__":
    main()
