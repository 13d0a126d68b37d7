#!/usr/bin/env python3
"""NumPy peer for the dense local-rule benchmarks of neurograd (benches/benches/plasticity.rs).

Times one full batch update of Hebb, Oja, Sanger (GHA) and BCM (theta = E[c^2]) at 784 inputs,
256 outputs, batch 128, float64, with exactly the arithmetic of neurograd-plasticity:

    Y = X W^T                                   (B x n_out)
    Hebb:   dW = Y^T X / B
    Oja:    dW = Y^T X / B - diag(mean_b y^2) W
    Sanger: dW = Y^T X / B - LT(Y^T Y / B) W     (LT: lower triangle incl. diagonal)
    BCM:    dW = (Y * (Y - mean_b Y^2))^T X / B
    W += eta dW

Usage: python3 benches/peers/dense_rules.py [--repeats 50]
Prints the median time per update (ms) and updates/s for each rule, and the NumPy/BLAS config
in one line so runs can be compared. Compare with
`cargo bench -p neurograd-benches --bench plasticity` run on the same machine.
"""
import argparse
import time

import numpy as np

N_IN, N_OUT, BATCH = 784, 256, 128


def hebb(w, x):
    y = x @ w.T
    return y.T @ x / x.shape[0]


def oja(w, x):
    y = x @ w.T
    b = x.shape[0]
    return y.T @ x / b - (np.sum(y * y, axis=0) / b)[:, None] * w


def sanger(w, x):
    y = x @ w.T
    b = x.shape[0]
    yy = np.tril(y.T @ y / b)
    return y.T @ x / b - yy @ w


def bcm(w, x):
    y = x @ w.T
    b = x.shape[0]
    theta = np.sum(y * y, axis=0) / b
    return (y * (y - theta)).T @ x / b


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=50)
    args = p.parse_args()
    rng = np.random.default_rng(1)
    x = rng.uniform(-1.0, 1.0, size=(BATCH, N_IN))
    w0 = rng.uniform(-0.05, 0.05, size=(N_OUT, N_IN))
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]["name"]
    except Exception:  # noqa: BLE001 - older NumPy
        blas = "unknown"
    print(f"numpy {np.__version__}, blas {blas}, shape {N_IN} in x {N_OUT} out, batch {BATCH}")
    for name, rule in [("hebb", hebb), ("oja", oja), ("sanger", sanger), ("bcm", bcm)]:
        w = w0.copy()
        for _ in range(5):
            w += 1e-6 * rule(w, x)
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            w += 1e-6 * rule(w, x)
            times.append(time.perf_counter() - t0)
        med = float(np.median(times))
        print(f"{name:7s} median {med * 1e3:8.3f} ms/update  {1.0 / med:10.1f} updates/s")


if __name__ == "__main__":
    main()
