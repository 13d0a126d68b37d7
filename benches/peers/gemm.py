#!/usr/bin/env python3
"""NumPy (OpenBLAS) f64 matrix-multiply peer of `cargo bench --bench tensor -- gemm_f64`.

Same sizes (n = 64, 128, 256, 512, 1024), same operation (C = A B, n x n, f64, preallocated C),
1 and 2 BLAS threads (threadpoolctl). Reports the best and the median time of `--reps` timed
repetitions per size (each repetition runs enough multiplies to last >= 0.1 s) and GFLOP/s =
2 n^3 / time.

    pip install numpy threadpoolctl
    python3 benches/peers/gemm.py [--reps 10] [--json out.json]
"""
import argparse
import json
import platform

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from peer_timing import timed

SIZES = [64, 128, 256, 512, 1024]


def bench(n, reps, rng):
    a = rng.uniform(-1.0, 1.0, (n, n))
    b = rng.uniform(-1.0, 1.0, (n, n))
    c = np.empty((n, n))
    return timed(lambda: np.matmul(a, b, out=c), reps)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    blas = [(i.get("internal_api"), i.get("version"), i.get("num_threads")) for i in threadpool_info()]
    print(f"numpy {np.__version__}, BLAS {blas}, {platform.processor() or platform.machine()}")
    rows = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            for n in SIZES:
                best, med = bench(n, args.reps, rng)
                flop = 2.0 * n**3
                row = dict(threads=threads, n=n, best_s=best, median_s=med,
                           gflops_best=flop / best / 1e9, gflops_median=flop / med / 1e9)
                rows.append(row)
                print(f"threads={threads} n={n:5d}  best {best*1e3:9.3f} ms  {row['gflops_best']:7.2f} GFLOP/s"
                      f"  (median {row['gflops_median']:7.2f})", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
