import numpy as np
import pytest

from conftest import strip_wall
from neurograd import errors, neurons


def test_izhikevich_equals_cli(cli):
    py = neurons.simulate("izhikevich", seed=2)
    assert strip_wall(py) == strip_wall(cli("--seed", "2", "simulate", "izhikevich"))
    tr = neurons.traces(py)
    assert tr and all(t.shape == v.shape for t, v, _ in tr.values())


def test_coba_raster_and_rates_equal_cli(cli):
    py = neurons.simulate("coba", seed=1, duration_ms=100.0, raster_ms=100.0)
    rust = cli("--seed", "1", "simulate", "coba", "--duration-ms", "100", "--raster-ms", "100")
    assert strip_wall(py) == strip_wall(rust)
    t, i = neurons.raster(py)
    assert t.dtype == np.float64 and i.dtype == np.int64 and len(t) == len(py["raster"])
    assert np.all((0 <= t) & (t < 100.0)) and np.all(i < py["raster_neurons"])
    r = neurons.rates(py)
    assert r.shape == (py["raster_neurons"],)
    assert r.sum() * 0.1 == pytest.approx(len(t))  # rates x 0.1 s window = spike count


def test_unknown_model():
    with pytest.raises(errors.UnknownNameError, match="valid names: lif-fi"):
        neurons.simulate("hodgkin")
    with pytest.raises(errors.InvalidParameterError):
        neurons.simulate("coba", duration_ms=-5.0)
