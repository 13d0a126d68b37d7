"""Ctrl-C (SIGINT) stops long runs with KeyboardInterrupt while the GIL is released, and the Rust
work stops too (the process is idle afterwards), for every entry point that can run long: every
experiment of `neurograd._neurograd.experiments.run` (compare, optimize, simulate of each kind of
model, align, rules-check), spiking training, the conformance harness on a Python rule (rate and
spike), and population STDP on rasters."""
import signal
import subprocess
import sys
import time

import pytest

CASES = {
    # compare stops at its next epoch boundary
    "compare": "neurograd.credit.compare('digits', ['bp'], epochs=100000)",
    # simulate polls every 1024 steps of the coba network (1e8 steps requested)
    "simulate": "neurograd.neurons.simulate('coba', duration_ms=1e7, raster_ms=0)",
    # the single-neuron models poll every 1024 steps of their protocol too: lif-fi's 31 runs of
    # 1e9 steps each (no trace kept, so no memory grows) would take hours
    "simulate-lif": "neurograd.neurons.simulate('lif-fi', duration_ms=1e7)",
    # optimize ends every run at its next generation (the target is never reached)
    "optimize": ("neurograd.optim.optimize('cmaes', 'rosenbrock', dim=50, seeds=100000, "
                 "target=-1.0, max_evaluations=10**8)"),
    # training stops at its next iteration
    "train": "neurograd.spiking.train('randman', 'bptt-sg', iterations=10**7)",
    # align stops inside its FA run (polled every 64 of its 10^9 steps, hours)
    "align": "neurograd.credit.align(seed=0, fa_steps=10**9)",
    # the macaque model polls every 1024 Euler steps (5e7 steps requested, minutes)
    "simulate-macaque": "neurograd.neurons.simulate('macaque', gba='weak', duration_ms=1e7)",
    # balanced amplification is a fixed analysis of milliseconds, polled before it: many calls,
    # the signal lands in one of them (or between two) and no worker is left running
    "simulate-balanced": ("for s in range(10**6):\n"
                          "        neurograd.neurons.simulate('balanced-amplification')"),
    # the conformance harness polls between its draws and its two drift checks (about a second
    # each for a spike rule)
    "rules-check": ("for s in range(10**6):\n"
                    "        neurograd.rules.check_registered('pair-stdp', seed=s)"),
    # the harness on a Python rule holds the GIL: the signal is raised in the rule's next call
    # (or checked before it) and re-raised as KeyboardInterrupt, not as the rule's error
    "rules-check-python": (
        "f = lambda pre, post, W, t, m: (post.T @ pre - (post ** 2).sum(axis=0)[:, None] * W)"
        " / len(pre)\n"
        "    for s in range(10**6):\n"
        "        neurograd.rules.check(f, like='oja', seed=s)"),
    # the spike harness on a Python rule: as above (pair STDP summed over all pairs in NumPy)
    "rules-check-spike-python": (
        "import numpy as np\n"
        "    def f(pre, post, w0):\n"
        "        d = post[:, None] - pre[None, :]\n"
        "        return float((0.005 * np.exp(-np.abs(d) / 20) * (d > 0)).sum()"
        " - (0.00525 * np.exp(-np.abs(d) / 20) * (d < 0)).sum())\n"
        "    for s in range(10**6):\n"
        "        neurograd.rules.check_spike(f, like='pair-stdp', seed=s)"),
    # clock-driven population STDP polls every 256 steps: 20000 steps of 1000 x 1000 synapses
    # with every neuron spiking in every step (tens of seconds)
    "stdp-population": (
        "import numpy as np\n"
        "    r = np.ones((20000, 1000), dtype=bool)\n"
        "    neurograd.rules.stdp_population(r, r, 0.1)"),
}


@pytest.mark.parametrize("what", sorted(CASES))
def test_sigint_stops_the_run(what):
    # A shell that starts a command in the background (`cmd &` without job control) makes it
    # ignore SIGINT, and Python then installs no KeyboardInterrupt handler: install it, as an
    # interactive session has it.
    code = ("import signal, sys, time, neurograd\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "print('ready', flush=True)\n"
            "t = time.time()\n"
            f"try:\n    {CASES[what]}\n"
            "except KeyboardInterrupt:\n"
            "    print('interrupted after', time.time() - t, flush=True)\n"
            # the Rust work has stopped: no CPU time is used any more
            "    c = time.process_time(); time.sleep(1.0)\n"
            "    print('cpu after', time.process_time() - c, flush=True)\n"
            "    sys.exit(0)\n"
            "sys.exit(3)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(1.5)
    t = time.time()
    p.send_signal(signal.SIGINT)
    try:
        out, _ = p.communicate(timeout=60)
    finally:
        p.kill()
    assert p.returncode == 0, out
    assert "interrupted after" in out
    # interrupted well before the call would finish (each runs for hours)
    assert time.time() - t < 10, out
    cpu_after = float(out.split("cpu after")[1])
    # a worker left running would use about 1 s (or 2 with two threads) of CPU in that second
    assert cpu_after < 0.3, out
