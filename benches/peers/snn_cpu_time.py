"""CPU time of one training step of the NumPy peer (`snn_numpy.py`, T = 1000, batch 32): this
thread's CPU time (`time.thread_time`) around `snn_numpy.step`, best of `repeats` after one
warm-up, for BPTT and (unless `bptt` is given) e-prop. The counterpart of the recurrent bench's
`RECURRENT_CPU_TIME` mode, for ratios on a loaded machine:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python3 benches/peers/snn_cpu_time.py 5 [bptt]
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import snn_numpy as s  # noqa: E402


def main():
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    algos = [("bptt-sg", s.bptt)]
    if not (len(sys.argv) > 2 and sys.argv[2] == "bptt"):
        algos.append(("eprop-sym", s.eprop))
    for name, algo in algos:
        p, x, y_star = s.make(1000, 32)
        best = float("inf")
        for r in range(repeats + 1):
            q = {k: v.copy() for k, v in p.items()}
            t0 = time.thread_time()
            s.step(algo, q, x, y_star)
            ms = 1e3 * (time.thread_time() - t0)
            if r > 0:
                best = min(best, ms)
        print(f"recurrent_step/{name}/1000 cpu_ms {best:.2f}")


if __name__ == "__main__":
    main()
