"""Local plasticity rules on arrays, and the conformance harness on a rule written in Python.

Examples
--------
>>> import numpy as np
>>> from neurograd import rules
>>> rng = np.random.default_rng(0)
>>> pre, W = rng.normal(size=(16, 5)), rng.normal(size=(3, 5)) * 0.1
>>> dW = rules.delta("oja", pre, pre @ W.T, W)
>>> def oja(pre, post, W, target, modulator):  # dw_i = <y_i (x - y_i w_i)>
...     return (post.T @ pre - (post ** 2).sum(axis=0)[:, None] * W) / len(pre)
>>> report = rules.check(oja, like="oja")
>>> report["passes"]
True
"""
import json

from . import _run
from ._neurograd import rules as _r

names = _r.names
delta = _r.delta


def check(func, like, seed=0):
    """Runs the rate-rule conformance harness on the Python function ``func``.

    Parameters
    ----------
    func : callable
        ``func(pre, post, weights, target, modulator) -> dW`` with ``pre`` (batch, n_in),
        ``post`` (batch, n_out), ``weights`` (n_out, n_in), ``target`` (batch, n_out) and
        ``modulator`` (batch,) arrays, returning ``dW`` (n_out, n_in).
    like : str
        A registered rule whose theory (objective, relation) and response the function is held
        to.
    seed : int
        Seed of the random inputs.

    Returns
    -------
    dict
        The report (``rule``, ``kind``, ``theory``, ``rows``) plus ``passes``: every check
        holds and every negative control is rejected.
    """
    rep = json.loads(_r.check_python_rule(func, like, seed))
    rows = rep["rows"]
    rep["passes"] = (None if rep["theory"] is None
                     else bool(rows) and all(r["holds"] != r["control"] for r in rows))
    return rep


def check_registered(name, seed=0):
    """``neurograd rules check <name> --json`` as a dict."""
    return _run.run("rules-check", dict(name=name, seed=seed))


def list_rules():
    """``neurograd rules --json`` as a dict (every registered rule, rate and spike)."""
    return _run.run("rules-list", {})


__all__ = ["names", "delta", "check", "check_registered", "list_rules"]
