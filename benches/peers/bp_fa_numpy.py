"""Peer benchmark: backprop and feedback alignment in NumPy (f64), one mini-batch update
(forward, backward, SGD step) on a ReLU MLP with softmax cross-entropy
(the hidden activation of the registry's bp/fa networks), same sizes as
benches/benches/credit.rs. Reports samples/s. Run single-threaded to match:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 benches/peers/bp_fa_numpy.py
"""
import os
import sys
import time

import numpy as np


def make(n_in, n_h, n_out, batch, seed=0):
    rng = np.random.default_rng(seed)
    a1 = np.sqrt(6.0 / (n_in + n_h))
    a2 = np.sqrt(6.0 / (n_h + n_out))
    p = {
        "w1": rng.uniform(-a1, a1, (n_h, n_in)),
        "b1": np.zeros((1, n_h)),
        "w2": rng.uniform(-a2, a2, (n_out, n_h)),
        "b2": np.zeros((1, n_out)),
        "B2": rng.uniform(-a2, a2, (n_out, n_h)),
    }
    x = rng.uniform(0.0, 1.0, (batch, n_in))
    t = np.zeros((batch, n_out))
    t[np.arange(batch), np.arange(batch) % n_out] = 1.0
    return p, x, t


def step(p, x, t, feedback, lr=1e-3):
    a1 = x @ p["w1"].T + p["b1"]
    h1 = np.maximum(a1, 0.0)
    z = h1 @ p["w2"].T + p["b2"]
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e / e.sum(axis=1, keepdims=True)
    d2 = (s - t) / x.shape[0]
    back = p["B2"] if feedback else p["w2"]
    d1 = (d2 @ back) * (a1 > 0.0)
    p["w2"] -= lr * (d2.T @ h1)
    p["b2"] -= lr * d2.sum(axis=0, keepdims=True)
    p["w1"] -= lr * (d1.T @ x)
    p["b1"] -= lr * d1.sum(axis=0, keepdims=True)


def bench(label, sizes, batch, feedback, seconds=2.0):
    p, x, t = make(*sizes, batch)
    # Time-based warm-up: the first second of a fresh process runs slower (BLAS and allocator
    # warm-up), which would otherwise penalise whichever configuration is measured first.
    warm = time.perf_counter()
    while time.perf_counter() - warm < 1.0:
        step(p, x, t, feedback)
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        step(p, x, t, feedback)
        n += 1
    el = time.perf_counter() - start
    name = "fa" if feedback else "bp"
    print(f"numpy {label} {name}: {n * batch / el:,.0f} samples/s ({el / n * 1e6:.1f} us/step)")


if __name__ == "__main__":
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    print(f"numpy {np.__version__}, threads env OMP={os.environ.get('OMP_NUM_THREADS')}")
    # Two passes, the first one only warms the process: until a mnist-sized array has been freed,
    # glibc's malloc keeps its default trim/mmap thresholds and NumPy's digits-scale step ran 2-3x
    # slower here (the first configuration measured was penalised, whichever it was).
    for rep in range(2):
        if rep == 1:
            print("-- measured pass --")
        for fb in (False, True):
            bench("digits 64-256-10 b32", (64, 256, 10), 32, fb, secs)
            bench("mnist 784-256-10 b128", (784, 256, 10), 128, fb, secs)
