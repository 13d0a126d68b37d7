"""Recurrent spiking networks (discrete-time LIF/ALIF, Bellec et al. 2020) on arrays, trained
with surrogate-gradient BPTT or e-prop on the sequence tasks of ``neurograd compare --task``.

The network is the plasticity crate's ``SpikingNet``: per step ``t`` (``dt_ms``), with
``alpha = exp(-dt/tau_m)`` and input scaling ``zeta`` (1, or ``1 - alpha``)::

    I^t = W_in x^t + W_rec z^{t-1} + b            (diag W_rec = 0)
    v^t = alpha v^{t-1} + zeta I^t - v_th z^{t-1}  (reset by subtraction)
    z^t = H(v^t - v_th - beta a^t)                 (strict; beta = 0 for LIF)
    y^t = kappa y^{t-1} + W_out z^t + b_out         (kappa = exp(-dt/tau_out))

Training runs in Rust with the GIL released; Ctrl-C stops it at the next iteration with
``KeyboardInterrupt``. :mod:`neurograd.nir` exports a trained LIF network to NIR.

Examples
--------
>>> from neurograd import spiking
>>> net, report = spiking.train("randman", "bptt-sg", iterations=20, seed=0)
>>> z, v, y = net.run(x)            # x: (T, B, n_in) -> (T, B, n), (T, B, n), (T, B, n_out)
"""
import json

from ._neurograd import spiking as _s

#: The network class (``run``, ``params``, ``config_json``).
SpikingNet = _s.SpikingNet

#: The sequence tasks (``neurograd compare --task``).
TASKS = ("evidence", "patterns", "randman", "spiking-digits")

_SCALING = {"unit": "Unit", "one-minus-alpha": "OneMinusAlpha"}
_RESET = {"differentiated": "Differentiated", "detached": "Detached", "off": "Off"}


def algorithms():
    """Names of the registered spiking algorithms (``bptt-sg``, ``eprop-sym``, ...)."""
    return list(_s.algorithms())


def lif_config(n_in, n_lif, n_out, *, n_alif=0, tau_m_ms=20.0, v_th=1.0, n_ref=0,
               input_scaling="unit", tau_a_ms=2000.0, beta=0.0, tau_out_ms=20.0, dt_ms=1.0,
               reset="detached", gamma=0.3):
    """A network configuration as a dict (the plasticity crate's ``SpikingNetConfig``).

    Parameters
    ----------
    n_in, n_lif, n_out : int
        Inputs, LIF neurons, readouts.
    n_alif : int, default 0
        ALIF neurons (adaptive threshold ``v_th + beta a``, time constant ``tau_a_ms``).
    tau_m_ms, v_th, n_ref : float, float, int
        Membrane time constant (ms), threshold, refractory steps (shared by all neurons).
    input_scaling : {"unit", "one-minus-alpha"}
        ``zeta = 1`` or ``1 - alpha``.
    tau_a_ms, beta : float
        Adaptation of the ALIF neurons.
    tau_out_ms, dt_ms : float
        Readout time constant and step (ms).
    reset : {"detached", "differentiated", "off"}
        Gradient convention of the reset (``off`` removes the reset from the forward pass).
    gamma : float
        Height of Bellec's pseudo-derivative.
    """
    lif = dict(tau_m_ms=float(tau_m_ms), tau_a_ms=float(tau_a_ms), v_th=float(v_th), beta=0.0,
               n_ref=int(n_ref), input_scaling=_SCALING[input_scaling])
    return dict(n_in=int(n_in), n_lif=int(n_lif), n_alif=int(n_alif), n_out=int(n_out),
                lif=lif, alif=dict(lif, beta=float(beta)), dt_ms=float(dt_ms),
                tau_out_ms=float(tau_out_ms), pseudo={"Bellec": {"gamma": float(gamma)}},
                reset=_RESET[reset])


def network(config, seed=0, params=None):
    """A network from a configuration dict (:func:`lif_config`, :func:`config`), seeded, or with
    the parameters ``[W_in, W_rec, b, W_out, b_out]`` (float64 arrays; ``W_rec``'s diagonal is
    set to 0)."""
    return SpikingNet(json.dumps(config), seed,
                      None if params is None else [_f64(p) for p in params])


def config(net):
    """The configuration of ``net`` as a dict."""
    return json.loads(net.config_json())


def _task(task, small, lif_only, units):
    return json.dumps(dict(task=task, small=bool(small), network="spiking",
                           lif_only=bool(lif_only), units=units))


def for_task(task="randman", small=True, seed=0, lif_only=False, units=None):
    """The untrained network of a sequence task, seeded as ``neurograd compare --task`` seeds it."""
    return SpikingNet.for_task(_task(task, small, lif_only, units), seed)


def train(task="randman", algorithm="bptt-sg", *, small=True, net=None, iterations=None,
          batch_size=None, learning_rate=None, seed=0, lif_only=False, units=None):
    """Trains a spiking network on a sequence task.

    Parameters
    ----------
    task : str
        One of :data:`TASKS` (``small=True``: the scaled-down setting of ``--small``).
    algorithm : str
        One of :func:`algorithms`.
    net : SpikingNet, optional
        The network to start from (default: :func:`for_task` for ``seed``); it must fit the task.
    iterations, batch_size, learning_rate : optional
        Override the task's defaults.
    seed : int
        Master seed (task data, network, algorithm feedback).

    Notes
    -----
    Training uses the same batches as ``neurograd compare --task`` for the same seed, including
    the task's default input spike-time jitter (+-2 steps on the training batches of the full
    ``spiking-digits`` task; none for ``small=True`` and the other tasks).

    Returns
    -------
    (SpikingNet, dict)
        The trained network (a new object) and a report: ``iterations``, ``final_loss``,
        ``test_loss``, ``test_accuracy``, ``stopped_early``, ``records``, ...
    """
    out, rep = _s.train(_task(task, small, lif_only, units), algorithm, net, iterations,
                        batch_size, learning_rate, seed)
    return out, json.loads(rep)


def _f64(a):
    import numpy as np
    return np.ascontiguousarray(a, dtype=np.float64)


__all__ = ["SpikingNet", "TASKS", "algorithms", "lif_config", "network", "config", "for_task",
           "train"]
