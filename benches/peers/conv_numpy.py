#!/usr/bin/env python3
"""NumPy im2col conv2d peer of `cargo bench --bench conv` (forward and backward, f64, 1 thread).

Same shapes as the criterion bench (NCHW, batch 32):

  lenet1  1 -> 8 channels, 28x28, 5x5, stride 1, pad 0   (first stage of a small CNN on MNIST)
  lenet2  8 -> 16 channels, 12x12, 5x5, stride 1, pad 0  (second stage, after a 2x2 pool)
  same3   16 -> 16 channels, 14x14, 3x3, stride 1, pad 1 (a "same" 3x3 layer)

Forward: im2col (one strided window view of the padded input, copied into the patch matrix U of
shape (N Ho Wo) x (C R S)), Y = U W^T + b through BLAS, back to NCHW. Backward: dW = G^T U,
db = sum of G, dU = G W, and col2im accumulates dU into the padded input one kernel tap at a
time (R S vectorised slice additions), then crops the padding. Before timing, the script checks
its own backward pass with the adjoint identity <conv(X;W), G> = <X, dX> = <W, dW>.

Run with one BLAS thread so that the comparison with the Rust bench (MATMUL_NUM_THREADS=1) is
like for like:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        python3 benches/peers/conv_numpy.py [--reps 10] [--json out.json]

Prints one JSON object: numpy version, and per case the best and median seconds of forward and
of backward (each repetition long enough to last >= 0.1 s).
"""
import argparse
import json
import os
import platform

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from peer_timing import timed

# name: (N, C, H, W, K, R, S, stride, pad)
CASES = {
    "lenet1": (32, 1, 28, 28, 8, 5, 5, 1, 0),
    "lenet2": (32, 8, 12, 12, 16, 5, 5, 1, 0),
    "same3": (32, 16, 14, 14, 16, 3, 3, 1, 1),
}


def out_len(n, k, s, p):
    return (n + 2 * p - k) // s + 1


def im2col(x, r, s, stride, pad):
    """U of shape (N Ho Wo) x (C R S), rows ordered (n, i, j), columns (c, r, t)."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad))) if pad else x
    win = sliding_window_view(xp, (r, s), axis=(2, 3))[:, :, ::stride, ::stride]
    # win: (N, C, Ho, Wo, R, S) -> (N, Ho, Wo, C, R, S)
    ho, wo = win.shape[2], win.shape[3]
    return np.ascontiguousarray(win.transpose(0, 2, 3, 1, 4, 5)).reshape(n * ho * wo, c * r * s)


def col2im(du, shape, r, s, stride, pad, ho, wo):
    n, c, h, w = shape
    dxp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    d = du.reshape(n, ho, wo, c, r, s)
    for a in range(r):
        for b in range(s):
            dxp[:, :, a:a + stride * ho:stride, b:b + stride * wo:stride] += d[:, :, :, :, a, b].transpose(0, 3, 1, 2)
    return dxp[:, :, pad:pad + h, pad:pad + w] if pad else dxp


def forward(x, wm, b, r, s, stride, pad):
    n = x.shape[0]
    ho = out_len(x.shape[2], r, stride, pad)
    wo = out_len(x.shape[3], s, stride, pad)
    u = im2col(x, r, s, stride, pad)
    y = u @ wm.T + b  # (N Ho Wo) x K
    return y.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2), u


def backward(g, u, wm, xshape, r, s, stride, pad):
    n, k, ho, wo = g.shape
    gm = np.ascontiguousarray(g.transpose(0, 2, 3, 1)).reshape(n * ho * wo, k)
    dw = gm.T @ u
    db = gm.sum(axis=0)
    dx = col2im(gm @ wm, xshape, r, s, stride, pad, ho, wo)
    return dx, dw, db


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--json", default=None)
    ap.add_argument("--smoke", action="store_true", help="one repetition, for CI")
    args = ap.parse_args()
    reps = 1 if args.smoke else args.reps
    rng = np.random.default_rng(0)
    out = dict(
        numpy=np.__version__,
        machine=platform.processor() or platform.machine(),
        threads={v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")},
        cases={},
    )
    for name, (n, c, h, w, k, r, s, stride, pad) in CASES.items():
        x = rng.uniform(-1, 1, (n, c, h, w))
        wm = rng.uniform(-1, 1, (k, c * r * s))
        b = rng.uniform(-1, 1, k)
        y, u = forward(x, wm, b, r, s, stride, pad)
        g = rng.uniform(-1, 1, y.shape)
        dx, dw, db = backward(g, u, wm, x.shape, r, s, stride, pad)
        y0 = y - b[None, :, None, None]
        lhs = float(np.vdot(y0, g))
        for what, rhs in (("dx", np.vdot(x, dx)), ("dw", np.vdot(wm, dw))):
            err = abs(lhs - rhs) / abs(lhs)
            assert err < 1e-10, (name, what, err)
        fwd = timed(lambda: forward(x, wm, b, r, s, stride, pad), reps)
        bwd = timed(lambda: backward(g, u, wm, x.shape, r, s, stride, pad), reps)
        out["cases"][name] = dict(
            shape=dict(n=n, c=c, h=h, w=w, k=k, r=r, s=s, stride=stride, pad=pad),
            forward_best_s=fwd[0], forward_median_s=fwd[1],
            backward_best_s=bwd[0], backward_median_s=bwd[1],
        )
    text = json.dumps(out, indent=1)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
