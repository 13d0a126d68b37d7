"""Prototype a local rule in Python and hold it to a registered rule's theory with the Rust
conformance harness (gradient checks plus negative controls)."""
import numpy as np

from neurograd import rules


def my_oja(pre, post, W, target, modulator):
    """Oja's rule, dw_i = <y_i (x - y_i w_i)> over the batch."""
    return (post.T @ pre - (post ** 2).sum(axis=0)[:, None] * W) / len(pre)


def wrong(pre, post, W, target, modulator):
    """Oja's rule with the decay term's sign flipped."""
    return (post.T @ pre + (post ** 2).sum(axis=0)[:, None] * W) / len(pre)


for f in (my_oja, wrong):
    rep = rules.check(f, like="oja")
    print(f"{f.__name__}: theory {rep['theory']}; passes: {rep['passes']}")
    for r in rep["rows"][:3]:
        print(f"   {r['check']:<24} measured {r['measured']:.2e} bound {r['bound']:.1e} "
              f"holds {r['holds']}")
assert rules.check(my_oja, like="oja")["passes"] is True
assert rules.check(wrong, like="oja")["passes"] is False
rng = np.random.default_rng(0)
pre, W = rng.normal(size=(64, 784)), rng.normal(size=(256, 784)) * 0.01
print("oja on 784x256 weights:", rules.delta("oja", pre, pre @ W.T, W).shape)
