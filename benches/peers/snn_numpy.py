"""Peer benchmark: one training step (gradient + plain SGD update) of a 100-unit recurrent LIF
network in NumPy (f64), surrogate-gradient BPTT and symmetric e-prop, the same network, data
sizes and equations as benches/benches/recurrent.rs (Bellec et al. 2020, discrete time):

    v^t = alpha v^{t-1} + x^t W_in^T + z^{t-1} W_rec^T + b - v_th z^{t-1}
    z^t = H(v^t - v_th),  psi^t = (gamma / v_th) max(0, 1 - |v^t - v_th| / v_th)
    y^t = kappa y^{t-1} + z^t W_out^T + b_out,  L = 1/2 sum_t |y^t - y*^t|^2 / B

100 inputs (Bernoulli 0.02), 100 LIF (tau_m = 20 ms, v_th = 0.6, gamma = 0.3, no refractoriness,
no autapses, reset differentiated in BPTT), 2 readouts (tau_out = 20 ms), T = 1000, batch 32.
BPTT stores v, z, psi per step (O(n T B) memory); e-prop runs two forward passes (readout errors
first, then online eligibility traces: eps_i = F_alpha(pre_i), e_ji = psi_j eps_i, filtered by
kappa, O(n^2 B) memory). Prints milliseconds per step (median of repeats). Single-threaded:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 python3 benches/peers/snn_numpy.py

`python3 benches/peers/snn_numpy.py 1 tiny` is a seconds-long smoke run of the same code.
"""
import json
import sys
import time

import numpy as np

N_IN, N, N_OUT = 100, 100, 2
ALPHA = np.exp(-1.0 / 20.0)
KAPPA = np.exp(-1.0 / 20.0)
V_TH, GAMMA = 0.6, 0.3


def make(t_len, batch, seed=0):
    rng = np.random.default_rng(seed)
    p = {
        "w_in": rng.normal(0, 1 / np.sqrt(N_IN), (N, N_IN)),
        "w_rec": rng.normal(0, 1 / np.sqrt(N), (N, N)),
        "b": np.zeros((1, N)),
        "w_out": rng.normal(0, 1 / np.sqrt(N), (N_OUT, N)),
        "b_out": np.zeros((1, N_OUT)),
    }
    np.fill_diagonal(p["w_rec"], 0.0)
    x = (rng.random((t_len, batch, N_IN)) < 0.02).astype(np.float64)
    y_star = rng.random((t_len, batch, N_OUT)) - 0.5
    return p, x, y_star


def forward(p, x, keep):
    t_len, batch, _ = x.shape
    v = np.zeros((batch, N))
    z = np.zeros((batch, N))
    y = np.zeros((batch, N_OUT))
    ys = np.empty((t_len, batch, N_OUT))
    if keep:
        zs = np.empty((t_len, batch, N))
        psis = np.empty((t_len, batch, N))
    for t in range(t_len):
        v = ALPHA * v + x[t] @ p["w_in"].T + z @ p["w_rec"].T + p["b"] - V_TH * z
        psi = (GAMMA / V_TH) * np.maximum(0.0, 1.0 - np.abs(v - V_TH) / V_TH)
        z = (v > V_TH).astype(np.float64)
        y = KAPPA * y + z @ p["w_out"].T + p["b_out"]
        ys[t] = y
        if keep:
            zs[t] = z
            psis[t] = psi
    return (ys, zs, psis) if keep else ys


def bptt(p, x, y_star):
    t_len, batch, _ = x.shape
    ys, zs, psis = forward(p, x, True)
    err = (ys - y_star) / batch
    loss = 0.5 * batch * np.sum(err * err)
    g = {k: np.zeros_like(w) for k, w in p.items()}
    gy = np.zeros((batch, N_OUT))
    dv_next = np.zeros((batch, N))
    w_eff = p["w_rec"] - V_TH * np.eye(N)
    for t in range(t_len - 1, -1, -1):
        gy = err[t] + KAPPA * gy
        dz = gy @ p["w_out"] + dv_next @ w_eff
        dv = dz * psis[t] + ALPHA * dv_next
        g["w_out"] += gy.T @ zs[t]
        g["b_out"] += gy.sum(axis=0, keepdims=True)
        g["w_in"] += dv.T @ x[t]
        if t > 0:
            g["w_rec"] += dv.T @ zs[t - 1]
        g["b"] += dv.sum(axis=0, keepdims=True)
        dv_next = dv
    np.fill_diagonal(g["w_rec"], 0.0)
    return g, loss


def eprop(p, x, y_star):
    t_len, batch, _ = x.shape
    ys = forward(p, x, False)
    err = (ys - y_star) / batch
    loss = 0.5 * batch * np.sum(err * err)
    n_pre = N_IN + N + 1
    eps = np.zeros((batch, n_pre))
    ebar = np.zeros((batch, N, n_pre))
    g_pre = np.zeros((N, n_pre))
    g_out = np.zeros((N_OUT, N))
    g_bout = np.zeros((1, N_OUT))
    fz = np.zeros((batch, N))
    f_one = 0.0
    v = np.zeros((batch, N))
    z = np.zeros((batch, N))
    pre = np.empty((batch, n_pre))
    pre[:, -1] = 1.0
    for t in range(t_len):
        v = ALPHA * v + x[t] @ p["w_in"].T + z @ p["w_rec"].T + p["b"] - V_TH * z
        psi = (GAMMA / V_TH) * np.maximum(0.0, 1.0 - np.abs(v - V_TH) / V_TH)
        pre[:, :N_IN] = x[t]
        pre[:, N_IN:N_IN + N] = z
        eps = ALPHA * eps + pre
        z = (v > V_TH).astype(np.float64)
        ebar *= KAPPA
        ebar += psi[:, :, None] * eps[:, None, :]
        signal = err[t] @ p["w_out"]
        g_pre += np.einsum("bj,bji->ji", signal, ebar)
        fz = KAPPA * fz + z
        f_one = KAPPA * f_one + 1.0
        g_out += err[t].T @ fz
        g_bout += f_one * err[t].sum(axis=0, keepdims=True)
    g = {
        "w_in": g_pre[:, :N_IN],
        "w_rec": g_pre[:, N_IN:N_IN + N].copy(),
        "b": g_pre[:, -1][None, :],
        "w_out": g_out,
        "b_out": g_bout,
    }
    np.fill_diagonal(g["w_rec"], 0.0)
    return g, loss


def step(algo, p, x, y_star, lr=1e-3):
    g, _ = algo(p, x, y_star)
    for k in p:
        p[k] -= lr * g[k]


def time_it(algo, t_len, batch, repeats):
    p, x, y_star = make(t_len, batch)
    step(algo, p, x, y_star)  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        step(algo, p, x, y_star)
        times.append(time.perf_counter() - t0)
    return 1e3 * float(np.median(times))


def main():
    """`snn_numpy.py [repeats] [tiny]`: `tiny` runs the same code on T = 10, batch 2 and
    T = 10, 20, 40 (a smoke run; the keys name the sizes actually run)."""
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    tiny = len(sys.argv) > 2 and sys.argv[2] == "tiny"
    step_t, step_b, scaling = (10, 2, (10, 20, 40)) if tiny else (1000, 32, (100, 1000, 10000))
    out = {}
    for name, algo in [("bptt-sg", bptt), ("eprop-sym", eprop)]:
        out[f"recurrent_step/{name}/{step_t}"] = time_it(algo, step_t, step_b, repeats)
    for name, algo in [("bptt-sg", bptt), ("eprop-sym", eprop)]:
        for t_len in scaling:
            out[f"recurrent_scaling/{name}/{t_len}"] = time_it(
                algo, t_len, 1, max(1, repeats // (1 if t_len < 10000 else 5))
            )
    print(json.dumps({"unit": "ms per training step", "numpy": np.__version__, "times": out}))


if __name__ == "__main__":
    main()
