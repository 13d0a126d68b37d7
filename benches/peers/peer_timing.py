"""Shared timing loop of the NumPy peers (imported by gemm.py and conv_numpy.py)."""
import time


def timed(fn, reps):
    """Best and median seconds per call of `fn` over `reps` timed repetitions.

    One warm-up call first; each repetition runs `fn` enough times (doubling) to last >= 0.1 s.
    """
    fn()
    inner = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        if time.perf_counter() - t0 >= 0.1:
            break
        inner *= 2
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    times.sort()
    return times[0], times[len(times) // 2]
