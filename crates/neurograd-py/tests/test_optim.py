"""pycma interface, Rust equality, error mapping."""
import numpy as np
import pytest

from neurograd import errors, optim
from neurograd.optim import CMAES


def rosen(x):
    x = np.asarray(x)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))


def pycma_style_script(CMAEvolutionStrategy):
    """A script written for `cma` (pycma), unchanged: only the class is passed in."""
    es = CMAEvolutionStrategy(10 * [0.1], 0.5, {"seed": 1, "ftarget": 1e-8, "verbose": -9,
                                                 "maxfevals": 1e5})
    while not es.stop():
        X = es.ask()
        es.tell(X, [rosen(x) for x in X])
    return es


def test_pycma_script_runs_unchanged_and_reaches_target():
    es = pycma_style_script(CMAES)
    r = es.result
    assert r.fbest <= 1e-8
    assert es.stop() == {"ftarget": 1e-8}
    assert r.evaluations == es.countevals and r.iterations == es.countiter
    assert np.allclose(r.xbest, np.ones(10), atol=1e-3)
    assert rosen(r.xbest) == r.fbest
    assert "CMAES(dim=10, popsize=10" in repr(es)


def test_optimize_method_and_options():
    es = CMAES([1.0] * 4, 0.5, {"popsize": 12, "seed": 3, "tolfun": 1e-14},
               ftarget=1e-10).optimize(lambda x: float(np.dot(x, x)))
    assert es.popsize == 12 and es.result.fbest <= 1e-10


def test_same_numbers_as_the_cli(cli):
    """CMA-ES driven from Python (objective in NumPy) reproduces `neurograd optimize` run for run,
    generation for generation (same x0, seed, budget; the benchmark's CMA-ES has no bounds)."""
    dim, seeds = 10, 3
    rust = cli("--seed", "5", "optimize", "cmaes", "--function", "rosenbrock", "--dim",
               str(dim), "--seeds", str(seeds))
    assert rust == optim.optimize("cmaes", "rosenbrock", dim=dim, seeds=seeds, seed=5)
    for run in rust["runs"]:
        s = run["seed"]
        es = CMAES(optim.benchmark_x0(dim, s), 1.0, {"seed": s, "ftarget": 1e-8,
                                                     "maxfevals": 100_000})
        trace = []
        while not es.stop():
            X = es.ask()
            es.tell(X, [optim.test_function("rosenbrock", x) for x in X])
            trace.append([es.countevals, es.result.fbest])
        assert trace == run["trace"]
        assert es.result.fbest == run["best_f"]


def test_errors_carry_the_rust_messages():
    with pytest.raises(errors.InvalidParameterError) as e:
        CMAES([0.0, 0.0], -1.0)
    assert str(e.value).startswith("invalid parameter sigma0 = -1")
    with pytest.raises(errors.InvalidParameterError):
        CMAES([0.0], 1.0, {"popsize": 1})
    with pytest.raises(errors.InvalidParameterError, match="not a supported option"):
        CMAES([0.0], 1.0, {"CMA_elitist": True})
    es = CMAES([0.0, 0.0], 1.0)
    with pytest.raises(errors.ProtocolError, match="ask/tell protocol violated"):
        es.tell([], [])
    X = es.ask()
    with pytest.raises(errors.NonFiniteError) as e:
        es.tell(X, [float("nan")] + [0.0] * (len(X) - 1))
    assert str(e.value) == "objective returned NaN for candidate 0 in generation 0"
    with pytest.raises(errors.ProtocolError, match="not the point asked"):
        es.tell([x + 1 for x in X], [0.0] * len(X))
    es.tell(X, [1.0] * len(X))  # state unchanged by the refused tells
    assert es.countiter == 1
    with pytest.raises(errors.UnknownNameError, match="valid names"):
        optim.optimize("cma", "sphere")
