"""Local plasticity rules on arrays, and the conformance harness on a rule written in Python.

Rate rules: ``delta`` (a registered rule's update on activity arrays) and ``check`` (the rate
harness on a Python function). Spike-timing rules (times in ms): ``spike_delta`` (a registered
rule's weight change on spike-time arrays), ``stdp_population`` (clock-driven pair STDP on
population rasters) and ``check_spike`` (the spike harness on a Python function).

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
>>> pre, post = np.array([10.0, 50.0]), np.array([15.0])
>>> dw = rules.spike_delta("pair-stdp", pre, post)    # 0.005 exp(-5/20) - 0.00525 exp(-35/20)
>>> round(dw, 12)
0.002981690712
"""
import json

import numpy as np

from . import _run
from ._neurograd import rules as _r

names = _r.names
delta = _r.delta
spike_names = _r.spike_names


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


def _times(a):
    return np.asarray(a, dtype=np.float64)


def _rewards(rewards):
    if rewards is None:
        return None
    r = np.asarray(rewards, dtype=np.float64)
    return r.reshape(0, 2) if r.size == 0 else r


def spike_delta(name, pre, post, w0=0.0, rewards=None, **params):
    """The weight change of the registered spike-timing rule ``name`` over two spike trains.

    The rule runs event by event with its traces (the online implementation the spike harness
    checks against a brute-force sum over all spike pairs), with the GIL released. Its cost is
    linear in the number of spikes, so it has no Ctrl-C stop point.

    Parameters
    ----------
    name : str
        A registered spike rule (``spike_names()``): ``"pair-stdp"`` (all-to-all, Song, Miller &
        Abbott 2000), ``"pair-stdp-nearest"`` (Morrison, Diesmann & Gerstner 2008),
        ``"triplet-stdp"``, ``"triplet-stdp-hippocampal"`` (Pfister & Gerstner 2006),
        ``"reward-stdp"`` (Izhikevich 2007).
    pre, post : array_like of float, shape (n,)
        Pre- and postsynaptic spike times (ms), sorted non-decreasingly, finite and ``>= 0``.
    w0 : float
        Initial weight (the additive rules' change does not depend on it).
    rewards : array_like, shape (k, 2), optional
        Reward pulses ``(time ms, amount)`` sorted by time: only for ``"reward-stdp"`` (a rule
        without a third factor refuses them).
    **params : float
        Kernel parameters replacing the registered defaults: ``a_plus`` (= ``a2_plus``, A2+),
        ``a_minus`` (= ``a2_minus``, A2-), ``a3_plus``, ``a3_minus``, ``tau_plus``,
        ``tau_minus``, ``tau_x``, ``tau_y`` (ms) and, for ``"reward-stdp"``, ``tau_e`` (ms).
        The rule is then rebuilt from the changed kernel (``spike_kernel``).

    Returns
    -------
    float
        ``w(end) - w0``. With the pair kernel, ``sum over pairs of W(t_post - t_pre)``,
        ``W(s) = a_plus exp(-s/tau_plus)`` for ``s > 0`` and ``-a_minus exp(s/tau_minus)`` for
        ``s < 0`` (all-to-all; nearest-spike keeps the nearest earlier partner of each spike).

    Raises
    ------
    UnknownNameError
        An unknown rule or parameter name.
    InvalidParameterError
        Unsorted or negative spike times, rewards given to a rule without a third factor, a
        non-positive time constant, a negative amplitude.
    NonFiniteError
        NaN or infinite spike times, rewards or ``w0``.
    ShapeMismatchError
        ``rewards`` not of shape (k, 2).
    """
    return _r.spike_delta(name, _times(pre), _times(post), float(w0), _rewards(rewards),
                          params or None)


def spike_kernel(name, **params):
    """The kernel of the registered spike rule ``name`` (with ``params`` changed) as a dict.

    Keys: ``a2_plus``, ``a2_minus``, ``a3_plus``, ``a3_minus``, ``tau_plus``, ``tau_minus``,
    ``tau_x``, ``tau_y`` (ms), ``pairing`` (``"all-to-all"`` or ``"nearest"``) and ``tau_e``
    (ms, ``None`` for a rule without eligibility trace). The equations are those of the
    plasticity crate's ``spike_rule`` module (Pfister & Gerstner 2006 triplet form).
    """
    return _r.spike_kernel(name, params or None)


def _raster(a):
    a = np.asarray(a)
    return a if a.dtype == np.bool_ else np.asarray(a, dtype=np.float64)


def stdp_population(pre_raster, post_raster, dt, w0=0.0, **params):
    """All-to-all additive pair STDP on a dense population, clock-driven, on spike rasters.

    Per step of length ``dt``: every trace decays by ``exp(-dt/tau)``; each spiking pre neuron
    ``i`` depresses its column, ``w[j, i] -= a_minus o[j]``; each spiking post neuron ``j``
    potentiates its row, ``w[j, i] += a_plus x[i]`` (traces read before this step's
    increments); then ``x[i] += 1``, ``o[j] += 1`` for the neurons that spiked. This equals
    ``w0 + sum over pairs of W(t_post - t_pre)`` with the spike times at the step starts
    (pairs in the same step add nothing).

    Parameters
    ----------
    pre_raster : array_like of bool or 0/1, shape (T, n_pre)
    post_raster : array_like of bool or 0/1, shape (T, n_post)
        ``raster[s, i]`` is true when neuron ``i`` spikes in step ``s``.
    dt : float
        Step length (ms, ``> 0``).
    w0 : float
        The initial value of every weight.
    **params : float
        ``a_plus``, ``a_minus``, ``tau_plus``, ``tau_minus`` (ms) replacing the defaults of Song,
        Miller & Abbott (2000): 0.005, 0.00525, 20, 20.

    Returns
    -------
    ndarray of float64, shape (n_post, n_pre)
        The weights after the ``T`` steps.

    Raises
    ------
    ShapeMismatchError
        The rasters have different numbers of steps.
    InvalidParameterError
        A raster value other than 0 or 1, ``dt <= 0``, a negative amplitude, ``tau <= 0``.
    NonFiniteError
        NaN or infinite raster values or ``w0``.
    UnknownNameError
        An unknown parameter name.
    KeyboardInterrupt
        Ctrl-C: the run (on a worker thread, GIL released) stops within 256 steps.
    """
    return _r.stdp_population(_raster(pre_raster), _raster(post_raster), float(dt), float(w0),
                              params or None)


def check_spike(func, like, seed=0, **params):
    """Runs the spike-rule conformance harness on the Python function ``func``.

    ``func`` is held to the kernel of the registered spike rule ``like`` (with ``params``
    changed, as in ``spike_delta``): on 5 Poisson draws (20 Hz each, 2 s) its weight change
    must equal the brute-force sum of the kernel over every spike pair (triplet) to 1e-12 of
    the sum of absolute terms; over 20 runs of 100 s of independent Poisson trains at 20 and
    10 Hz its mean drift must lie within 4 standard errors of the kernel's rate formula
    (Kempter, Gerstner & van Hemmen 1999; Pfister & Gerstner 2006); and the same drift held to
    the kernel with potentiation and depression swapped (negative control) must not.

    Parameters
    ----------
    func : callable
        ``func(pre, post, w0) -> dw`` with sorted spike-time arrays ``pre``, ``post`` (ms,
        float64) and the initial weight ``w0`` (float), returning the weight change (float).
        When ``like`` is reward-gated (``"reward-stdp"``) it is called as
        ``func(pre, post, w0, rewards)`` with ``rewards`` a (k, 2) array of
        ``(time ms, amount)``.
    like : str
        A registered spike rule (``spike_names()``) whose kernel the function is held to.
    seed : int
        Seed of the Poisson trains.
    **params : float
        Kernel parameters replacing those of ``like`` (see ``spike_delta``).

    Returns
    -------
    dict
        The report (``rule``, ``kind``, ``theory``, ``rows``; each row has ``check``,
        ``measured``, ``bound``, ``holds``, ``control``) plus ``passes``: every check holds and
        every control is rejected.
    """
    rep = json.loads(_r.check_python_spike_rule(func, like, seed, params or None))
    rows = rep["rows"]
    rep["passes"] = bool(rows) and all(r["holds"] != r["control"] for r in rows)
    return rep


def check_registered(name, seed=0):
    """``neurograd rules check <name> --json`` as a dict."""
    return _run.run("rules-check", dict(name=name, seed=seed))


def list_rules():
    """``neurograd rules --json`` as a dict (every registered rule, rate and spike)."""
    return _run.run("rules-list", {})


__all__ = ["names", "delta", "check", "check_registered", "list_rules", "spike_names",
           "spike_delta", "spike_kernel", "stdp_population", "check_spike"]
