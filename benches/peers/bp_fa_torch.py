"""Peer benchmark: backprop (hand-written backward and autograd) and feedback alignment in
PyTorch on the CPU (float64), one mini-batch update (forward, backward, SGD step) on a ReLU MLP
(the hidden activation of the registry's bp/fa networks) with softmax cross-entropy, same sizes
as benches/benches/credit.rs. Reports samples/s.

    OMP_NUM_THREADS=1 python3 benches/peers/bp_fa_torch.py
"""
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def make(n_in, n_h, n_out, batch, seed=0):
    g = torch.Generator().manual_seed(seed)
    a1 = (6.0 / (n_in + n_h)) ** 0.5
    a2 = (6.0 / (n_h + n_out)) ** 0.5
    p = {
        "w1": (torch.rand(n_h, n_in, generator=g) * 2 - 1) * a1,
        "b1": torch.zeros(1, n_h),
        "w2": (torch.rand(n_out, n_h, generator=g) * 2 - 1) * a2,
        "b2": torch.zeros(1, n_out),
        "B2": (torch.rand(n_out, n_h, generator=g) * 2 - 1) * a2,
    }
    x = torch.rand(batch, n_in, generator=g)
    labels = torch.arange(batch) % n_out
    t = torch.nn.functional.one_hot(labels, n_out).to(torch.float64)
    return p, x, t, labels


def step_hand(p, x, t, feedback, lr=1e-3):
    with torch.no_grad():
        a1 = x @ p["w1"].T + p["b1"]
        h1 = torch.relu(a1)
        s = torch.softmax(h1 @ p["w2"].T + p["b2"], dim=1)
        d2 = (s - t) / x.shape[0]
        back = p["B2"] if feedback else p["w2"]
        d1 = (d2 @ back) * (a1 > 0.0)
        p["w2"] -= lr * (d2.T @ h1)
        p["b2"] -= lr * d2.sum(0, keepdim=True)
        p["w1"] -= lr * (d1.T @ x)
        p["b1"] -= lr * d1.sum(0, keepdim=True)


def step_autograd(p, x, labels, lr=1e-3):
    for k in ("w1", "b1", "w2", "b2"):
        p[k].requires_grad_(True)
    h1 = torch.relu(x @ p["w1"].T + p["b1"])
    loss = torch.nn.functional.cross_entropy(h1 @ p["w2"].T + p["b2"], labels)
    grads = torch.autograd.grad(loss, [p["w1"], p["b1"], p["w2"], p["b2"]])
    with torch.no_grad():
        for k, g in zip(("w1", "b1", "w2", "b2"), grads):
            p[k] = (p[k] - lr * g).detach()


def bench(label, sizes, batch, mode, seconds):
    p, x, t, labels = make(*sizes, batch)
    run = {
        "bp-hand": lambda: step_hand(p, x, t, False),
        "fa-hand": lambda: step_hand(p, x, t, True),
        "bp-autograd": lambda: step_autograd(p, x, labels),
    }[mode]
    # Time-based warm-up: the first second of a fresh process runs slower (BLAS and allocator
    # warm-up), which would otherwise penalise whichever configuration is measured first.
    warm = time.perf_counter()
    while time.perf_counter() - warm < 1.0:
        run()
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        run()
        n += 1
    el = time.perf_counter() - start
    print(f"torch {label} {mode}: {n * batch / el:,.0f} samples/s ({el / n * 1e6:.1f} us/step)")


if __name__ == "__main__":
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    # Two passes, the first one only warms the process (as in bp_fa_numpy.py).
    for rep in range(2):
        if rep == 1:
            print("-- measured pass --")
        for mode in ("bp-hand", "fa-hand", "bp-autograd"):
            bench("digits 64-256-10 b32", (64, 256, 10), 32, mode, secs)
            bench("mnist 784-256-10 b128", (784, 256, 10), 128, mode, secs)
