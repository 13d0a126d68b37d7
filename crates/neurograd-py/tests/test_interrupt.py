"""Ctrl-C (SIGINT) stops long runs with KeyboardInterrupt while the GIL is released."""
import signal
import subprocess
import sys
import time

import pytest

CASES = {
    # compare stops at its next epoch boundary (the facade polls the stop flag)
    "compare": "neurograd.credit.compare('digits', ['bp'], epochs=100000)",
    # simulate has no stop point: the call returns at once, the worker is abandoned
    "simulate": "neurograd.neurons.simulate('coba', duration_ms=1e7, raster_ms=0)",
}


@pytest.mark.parametrize("what", sorted(CASES))
def test_sigint_raises_keyboardinterrupt(what):
    # A shell that starts a command in the background (`cmd &` without job control) makes it
    # ignore SIGINT, and Python then installs no KeyboardInterrupt handler: install it, as an
    # interactive session has it.
    code = ("import signal, sys, time, neurograd\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "print('ready', flush=True)\n"
            "t = time.time()\n"
            f"try:\n    {CASES[what]}\n"
            "except KeyboardInterrupt:\n    print('interrupted after', time.time() - t, flush=True)\n"
            "    sys.exit(0)\n"
            "sys.exit(3)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ready"
    time.sleep(2.0)
    t = time.time()
    p.send_signal(signal.SIGINT)
    try:
        out, _ = p.communicate(timeout=60)
    finally:
        p.kill()
    assert p.returncode == 0, out
    assert "interrupted after" in out
    assert time.time() - t < 30
