import numpy as np
import pytest

from conftest import strip_wall
from neurograd import credit, errors


def batch():
    rng = np.random.default_rng(0)
    return rng.normal(size=(16, 20)), np.eye(5)[rng.integers(0, 5, 16)]


def test_updates_and_cosine():
    X, T = batch()
    net = credit.Network([20, 12, 5], algorithm="fa", seed=1)
    g = credit.updates("fa", net, X, T)
    assert [a.shape for a in g] == [p.shape for p in net.params]
    cos, per = credit.cosine_to_backprop("bp", credit.Network([20, 12, 5]), X, T)
    assert cos == pytest.approx(1.0, abs=1e-12) and per == pytest.approx([1.0, 1.0], abs=1e-12)
    cos, per = credit.cosine_to_backprop("fa", net, X, T)
    # FA's output layer is exact (same error, same input); the hidden layer is not
    assert per[1] == pytest.approx(1.0, abs=1e-12) and abs(per[0]) < 0.9
    assert "Network(widths=[20, 12, 5]" in repr(net)
    assert net.forward(X).shape == (16, 5)


def test_compare_equals_cli(cli):
    py = credit.compare("digits", ["bp", "fa"], epochs=2, max_samples=400, seed=3)
    rust = cli("--seed", "3", "compare", "--dataset", "digits", "--algorithms", "bp,fa",
               "--epochs", "2", "--max-samples", "400")
    assert strip_wall(py) == strip_wall(rust)
    assert [r["algorithm"] for r in py["results"]] == ["bp", "fa"]


def test_errors():
    with pytest.raises(errors.UnknownNameError, match="valid names"):
        credit.Network([4, 3], algorithm="nope")
    net = credit.Network([4, 3, 2])
    with pytest.raises(errors.ShapeMismatchError):
        credit.updates("bp", net, np.zeros((5, 4)), np.zeros((4, 2)))
