"""Credit assignment: networks, any registered algorithm's updates, cosine to backprop, and the
``compare`` experiment.

Examples
--------
>>> import numpy as np
>>> from neurograd import credit
>>> net = credit.Network([64, 32, 10], algorithm="fa", seed=0)
>>> X = np.random.default_rng(0).normal(size=(8, 64)); T = np.eye(10)[np.arange(8)]
>>> cos, per_layer = credit.cosine_to_backprop("fa", net, X, T)
"""
from . import _run
from ._neurograd import credit as _c

Network = _c.Network
algorithms = _c.algorithms
updates = _c.updates
cosine_to_backprop = _c.cosine_to_backprop


#: The default algorithm list of :func:`compare` (as the CLI's).
DEFAULT_ALGORITHMS = ("bp", "fa", "dfa", "ss", "pc", "ep", "ep-sym", "chl", "dtp", "es")


def compare(dataset="digits", algorithms=DEFAULT_ALGORITHMS, epochs=30, hidden=(256,),
            batch_size=32, learning_rate=None, test_fraction=None, seed=0,
            target_accuracy=0.95, cosine_every=4, max_samples=None, seeds=1, arch=None):
    """Trains ``algorithms`` on ``dataset`` and compares them (``neurograd compare``).

    The GIL is released while it runs; Ctrl-C stops it at the next epoch boundary and raises
    ``KeyboardInterrupt``.

    The defaults are the CLI's (``test_fraction``: 0.2 for ``mnist5k``, 0.25 otherwise).

    Returns
    -------
    dict
        The CLI's ``neurograd compare ... --json`` output.
    """
    if test_fraction is None:
        test_fraction = 0.2 if dataset == "mnist5k" else 0.25
    p = dict(dataset=dataset, algorithms=list(algorithms), epochs=epochs, hidden=list(hidden),
             batch_size=batch_size, learning_rate=learning_rate, test_fraction=test_fraction,
             seed=seed, target_accuracy=target_accuracy, cosine_every=cosine_every,
             max_samples=max_samples, seeds=seeds)
    if arch is not None:
        p["arch"] = arch
    return _run.run("compare", p)


def align(seed=0, fa_steps=2000):
    """How close each algorithm's update is to the gradient (``neurograd align``), as a dict."""
    return _run.run("align", dict(seed=seed, fa_steps=fa_steps))


__all__ = ["DEFAULT_ALGORITHMS", "Network", "algorithms", "updates", "cosine_to_backprop", "compare", "align"]
