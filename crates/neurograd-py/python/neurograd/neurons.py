"""Simulate neuron models and circuits; spike times and rates as NumPy arrays.

:func:`simulate` runs ``neurograd simulate <model>`` through the facade (the GIL is released;
Ctrl-C raises ``KeyboardInterrupt``) and returns the CLI's JSON as a dict; :func:`raster`,
:func:`rates` and :func:`traces` turn it into arrays.

Examples
--------
>>> from neurograd import neurons
>>> res = neurons.simulate("coba", duration_ms=200.0)
>>> t, i = neurons.raster(res)
"""
import numpy as np

from . import _run

#: The models :func:`simulate` knows.
MODELS = ("lif-fi", "izhikevich", "adex", "hh", "alif", "coba", "cuba",
          "balanced-amplification", "macaque")


def simulate(model, seed=0, duration_ms=None, dt_ms=None, gba="strong", raster_ms=None):
    """Simulates ``model`` (one of :data:`MODELS`).

    Parameters
    ----------
    model : str
        Model or circuit name.
    seed : int, default 0
        Master seed (wiring, Poisson input).
    duration_ms, dt_ms : float, optional
        Duration and step (default: the model's reference protocol).
    gba : {"strong", "weak"}
        Regime of the macaque model.
    raster_ms : float, optional
        Raster window of ``coba``/``cuba`` (default 1000 ms; 0 keeps none).

    Returns
    -------
    dict
        The CLI's ``neurograd simulate <model> --json`` output.
    """
    return _run.run("simulate", dict(model=model, seed=seed, duration_ms=duration_ms,
                                     dt_ms=dt_ms, gba=gba, raster_ms=raster_ms))


def raster(result):
    """Spike times (ms, float64) and neuron indices (int64) of a ``coba``/``cuba`` result's
    raster (the first ``raster_neurons`` neurons, within ``raster_ms``)."""
    r = result.get("raster")
    if r is None:
        raise ValueError(f"model {result.get('model')!r} has no raster (coba and cuba have)")
    if not r:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    a = np.asarray(r, dtype=float)
    return a[:, 0].copy(), a[:, 1].astype(np.int64)


def rates(result):
    """Firing rates (Hz) per raster neuron of a ``coba``/``cuba`` result, over the raster window."""
    t, i = raster(result)
    n = int(result["raster_neurons"])
    window_s = min(float(result["raster_ms"]), float(result["duration_ms"])) / 1000.0
    return np.bincount(i, minlength=n)[:n] / window_s


def traces(result):
    """The traces of a single-neuron result (``izhikevich``, ``adex``, ``hh``, ``alif``) as
    ``{name: (t_ms, values, spikes_ms)}`` arrays."""
    return {tr["name"]: (np.asarray(tr["t_ms"]), np.asarray(tr["values"]),
                         np.asarray(tr["spikes_ms"])) for tr in result.get("traces", [])}


__all__ = ["MODELS", "simulate", "raster", "rates", "traces"]
