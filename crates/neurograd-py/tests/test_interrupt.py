"""Ctrl-C (SIGINT) stops long runs with KeyboardInterrupt while the GIL is released, and the Rust
work stops too (the process is idle afterwards), for every call that polls the stop flag."""
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
    # align stops at its next measurement; its FA run (2e5 steps, about 2.5 s here) is one
    # measurement and is finished first (the loop makes the signal land in some call's FA run
    # on a faster machine too; a worker left running would use CPU after the interrupt)
    "align": ("for s in range(10**6):\n"
              "        neurograd.credit.align(seed=s, fa_steps=200000)"),
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
