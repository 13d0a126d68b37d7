"""Black-box optimization with pycma's interface.

:class:`CMAES` takes the arguments of ``cma.CMAEvolutionStrategy(x0, sigma0, inopts)`` and has its
methods ``ask()``, ``tell(X, f)``, ``stop()``, ``result``, ``optimize(f)`` and ``disp()``, so a
script written for pycma runs with ``CMAES`` in its place. Differences: ``seed`` is used as
given (pycma draws a random seed for ``seed=0``/``None``), ``tell`` accepts only the points of the
last ``ask`` (no injected solutions), and the options are the subset listed in :data:`OPTIONS`.

Examples
--------
>>> import numpy as np
>>> from neurograd.optim import CMAES
>>> es = CMAES(10 * [0.1], 0.5, {"seed": 1, "ftarget": 1e-8, "verbose": -9})
>>> while not es.stop():
...     X = es.ask()
...     es.tell(X, [float(np.sum(x ** 2)) for x in X])
>>> es.result.fbest <= 1e-8
True
"""
import math
from collections import namedtuple

from . import _run
from ._neurograd import optim as _o
from .errors import InvalidParameterError

benchmark_x0 = _o.benchmark_x0
test_function = _o.test_function

CMAEvolutionStrategyResult = namedtuple(
    "CMAEvolutionStrategyResult",
    ["xbest", "fbest", "evals_best", "evaluations", "iterations", "xfavorite", "stds", "stop"],
)
"""The fields of pycma's ``CMAEvolutionStrategy.result``."""

#: pycma option names understood by :class:`CMAES` (``verbose`` and ``verb_*`` are accepted and
#: ignored).
OPTIONS = ("popsize", "seed", "bounds", "ftarget", "maxfevals", "maxiter", "tolfun",
           "tolfunhist", "tolx", "tolconditioncov")


def _number(name, v):
    if isinstance(v, str):
        try:
            v = float(v)
        except ValueError as e:  # pycma also evaluates expressions; only numbers here
            raise InvalidParameterError(
                f"invalid parameter {name} = {v}: not a number ({e})") from None
    return v


def _count(name, v):
    v = _number(name, v)
    if v is None or (isinstance(v, float) and math.isinf(v)):
        return None
    if v != int(v) or v < 0:
        raise InvalidParameterError(f"invalid parameter {name} = {v}: must be a whole number >= 0")
    return int(v)


def _bounds(b, n):
    if b is None:
        return None, None
    lo, hi = b

    def expand(v, inf):
        if v is None:
            return None
        if isinstance(v, (int, float)):
            return [float(v)] * n
        return [inf if x is None else float(x) for x in v]
    return expand(lo, -math.inf), expand(hi, math.inf)


class CMAES(_o._CMAES):
    """CMA-ES (Hansen 2016, pycma 4.5.0 defaults) with pycma's ask/tell interface.

    Parameters
    ----------
    x0 : array_like, shape (n,)
        Initial mean.
    sigma0 : float
        Initial step size (> 0).
    inopts : dict, optional
        pycma options (see :data:`OPTIONS`); keyword arguments override it.

    Raises
    ------
    InvalidParameterError
        For an option out of range (message from the Rust crate), or an unsupported option.
    """

    def __new__(cls, x0, sigma0, inopts=None, **kwargs):
        opts = dict(inopts or {})
        opts.update(kwargs)
        x0 = [float(v) for v in x0]
        kw = {}
        for k, v in opts.items():
            if k == "verbose" or k.startswith("verb_"):
                continue
            if k == "popsize":
                kw["popsize"] = _count(k, v)
            elif k == "seed":
                kw["seed"] = int(_number(k, v) or 0)
            elif k == "bounds":
                kw["lower"], kw["upper"] = _bounds(v, len(x0))
            elif k == "ftarget":
                v = _number(k, v)
                kw["ftarget"] = None if v is None or v == -math.inf else float(v)
            elif k == "maxfevals":
                kw["maxfevals"] = _count(k, v)
            elif k == "maxiter":
                kw["maxiter"] = _count(k, v)
            elif k in ("tolfun", "tolfunhist", "tolx"):
                kw[k] = float(_number(k, v))
            elif k == "tolconditioncov":
                kw["tol_condition"] = float(_number(k, v))
            else:
                raise InvalidParameterError(
                    f"invalid parameter {k} = {v!r}: not a supported option "
                    f"(supported: {', '.join(OPTIONS)})")
        return super().__new__(cls, x0, float(sigma0), **kw)

    def __init__(self, x0, sigma0, inopts=None, **kwargs):
        pass

    @property
    def result(self):
        """:data:`CMAEvolutionStrategyResult` (xbest, fbest, evals_best, evaluations,
        iterations, xfavorite, stds, stop), as pycma's ``result``."""
        return CMAEvolutionStrategyResult(*self.result_tuple())

    @property
    def best(self):
        """``(xbest, fbest, evals_best)``."""
        r = self.result
        return r.xbest, r.fbest, r.evals_best

    def optimize(self, objective_fct, iterations=None, args=()):
        """Runs ask/tell until :meth:`stop` (or ``iterations`` generations); returns ``self``."""
        k = 0
        while not self.stop() and (iterations is None or k < iterations):
            X = self.ask()
            self.tell(X, [objective_fct(x, *args) for x in X])
            k += 1
        return self

    def disp(self, modulo=None):
        """Prints one line: generation, evaluations, best f, sigma."""
        r = self.result
        print(f"{r.iterations:6d} {r.evaluations:8d} {r.fbest!s:>22} {self.sigma:.3e}")

    @property
    def countiter(self):
        """Completed generations."""
        return super().countiter

    @property
    def countevals(self):
        """Evaluations told."""
        return super().countevals


def optimize(algorithm="cmaes", function="rosenbrock", dim=10, seeds=1, seed=0, target=1e-8,
             max_evaluations=100_000, popsize=None, sigma0=1.0):
    """The ``neurograd optimize`` benchmark: ``seeds`` runs of ``algorithm`` on ``function``,
    run ``k`` with seed ``seed + k`` from :func:`benchmark_x0`; objective evaluated in Rust.

    Returns
    -------
    dict
        The CLI's ``neurograd optimize ... --json`` output.
    """
    return _run.run("optimize", dict(algorithm=algorithm, function=function, dim=dim,
                                     seeds=seeds, seed=seed, target=target,
                                     max_evaluations=max_evaluations, popsize=popsize,
                                     sigma0=sigma0))


__all__ = ["CMAES", "CMAEvolutionStrategyResult", "OPTIONS", "optimize", "benchmark_x0",
           "test_function"]
