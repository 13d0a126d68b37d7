"""A pycma script with neurograd's CMA-ES swapped in (one line): 10-D Rosenbrock to 1e-8."""
import numpy as np

try:  # the one line a pycma user changes
    from neurograd.optim import CMAES as CMAEvolutionStrategy
except ImportError:
    from cma import CMAEvolutionStrategy


def rosen(x):
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


es = CMAEvolutionStrategy(10 * [0.1], 0.5, {"seed": 1, "ftarget": 1e-8, "verbose": -9})
while not es.stop():
    X = es.ask()
    es.tell(X, [rosen(x) for x in X])
print(es)
print("stop:", es.stop(), "fbest:", es.result.fbest, "evaluations:", es.result.evaluations)
assert es.result.fbest <= 1e-8
