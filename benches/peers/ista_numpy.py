#!/usr/bin/env python3
"""NumPy ISTA / FISTA peer of `cargo bench --bench sparse_coding` (f64, 1 thread).

Same shapes and arithmetic as the criterion bench: 12x12 patches (d = 144), a complete
dictionary of M = 144 unit-norm atoms (columns of Phi), a batch of B = 100 patches (rows of X),
lambda = 0.15, 60 iterations, codes A (B x M) from zero. Per call: Gram G = Phi^T Phi,
L = ||Phi||_2^2 (largest eigenvalue of G), drive X Phi; per iteration the gradient
Y G - X Phi and the soft threshold S_{lambda/L}(Y - grad/L), with FISTA's momentum
(Beck & Teboulle 2009) for `fista`.

Before timing, the script checks its ISTA result with the L1 optimality (KKT) conditions after
many iterations: |phi_i^T r| <= lambda where a_i = 0, phi_i^T r = lambda sign(a_i) elsewhere.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        python3 benches/peers/ista_numpy.py [--reps 10] [--json out.json]

Prints one JSON object: numpy version, and per method the best and median seconds per call.
"""
import argparse
import json
import os
import platform

import numpy as np

from peer_timing import timed

D, M, B = 144, 144, 100
LAMBDA = 0.15
ITERATIONS = 60


def soft(u, tau):
    return np.sign(u) * np.maximum(np.abs(u) - tau, 0.0)


def infer(phi, x, lam, iterations, fista):
    gram = phi.T @ phi
    lip = np.linalg.eigvalsh(gram)[-1]
    drive = x @ phi
    a = np.zeros((x.shape[0], phi.shape[1]))
    y = a.copy()
    t = 1.0
    step = 1.0 / lip
    for _ in range(iterations):
        point = y if fista else a
        grad = point @ gram - drive
        prev = a
        a = soft(point - step * grad, step * lam)
        if fista:
            t_next = 0.5 * (1.0 + np.sqrt(1.0 + 4.0 * t * t))
            y = a + ((t - 1.0) / t_next) * (a - prev)
            t = t_next
    return a


def kkt_violation(phi, x, a, lam):
    corr = (x - a @ phi.T) @ phi  # phi_i^T r per patch (B x M)
    zero = a == 0
    v_zero = np.maximum(np.abs(corr[zero]) - lam, 0.0)
    v_act = np.abs(corr[~zero] - lam * np.sign(a[~zero]))
    worst = max(v_zero.max(initial=0.0), v_act.max(initial=0.0))
    return worst / lam


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--json", help="also write the result to this file")
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    phi = rng.standard_normal((D, M))
    phi /= np.linalg.norm(phi, axis=0)
    x = rng.uniform(-1.0, 1.0, (B, D))
    check = kkt_violation(phi, x, infer(phi, x, LAMBDA, 5000, True), LAMBDA)
    assert check < 1e-4, f"FISTA does not reach the L1 optimum: KKT violation {check}"
    out = {
        "numpy": np.__version__,
        "python": platform.python_version(),
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        "shape": {"d": D, "atoms": M, "batch": B, "lambda": LAMBDA, "iterations": ITERATIONS},
        "kkt_violation_5000_fista": check,
    }
    for name, fista in (("ista", False), ("fista", True)):
        best, median = timed(lambda: infer(phi, x, LAMBDA, ITERATIONS, fista), args.reps)
        out[name] = {"best_s": best, "median_s": median}
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
