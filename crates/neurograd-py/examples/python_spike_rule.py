"""Spike-timing rules from Python: a registered rule's weight change on spike-time arrays, pair
STDP on population rasters, and a spike rule prototyped in NumPy held to a registered rule's
kernel by the Rust harness (trace vs brute-force sum, drift vs the rate formula, a control)."""
import numpy as np

from neurograd import rules

print("spike rules:", ", ".join(rules.spike_names()))

# one pre/post pairing protocol: pre leads post by 10 ms, 60 pairs at 1 Hz
pre = np.arange(60) * 1000.0 + 100.0
post = pre + 10.0
for name in rules.spike_names():
    rew = [[t + 50.0, 1.0] for t in pre] if rules.spike_kernel(name)["tau_e"] else None
    print(f"  {name:<26} dw = {rules.spike_delta(name, pre, post, rewards=rew):+.5f}")

# a population: 200 ms of 5 x 4 Poisson rasters at 20 Hz, dt = 0.1 ms
rng = np.random.default_rng(0)
W = rules.stdp_population(rng.random((2000, 5)) < 2e-3, rng.random((2000, 4)) < 2e-3, 0.1)
print("population weights", W.shape, "mean change", f"{W.mean():+.2e}")


def my_stdp(pre, post, w0):
    """Pair STDP (Song, Miller & Abbott 2000) summed over every spike pair."""
    d = post[:, None] - pre[None, :]
    ltp = 0.005 * np.exp(-np.abs(d) / 20.0) * (d > 0)
    ltd = 0.00525 * np.exp(-np.abs(d) / 20.0) * (d < 0)
    return float(ltp.sum() - ltd.sum())


def wrong(pre, post, w0):
    """The same with the depression's sign flipped."""
    d = post[:, None] - pre[None, :]
    return float((0.005 * np.exp(-np.abs(d) / 20.0) * (d > 0)).sum()
                 + (0.00525 * np.exp(-np.abs(d) / 20.0) * (d < 0)).sum())


for f in (my_stdp, wrong):
    rep = rules.check_spike(f, like="pair-stdp")
    print(f"{f.__name__}: passes {rep['passes']}")
    for r in rep["rows"][-3:]:
        print(f"   {r['check']:<36} measured {r['measured']:.2e} bound {r['bound']:.1e} "
              f"holds {r['holds']}")
assert rules.check_spike(my_stdp, like="pair-stdp")["passes"] is True
assert rules.check_spike(wrong, like="pair-stdp")["passes"] is False
