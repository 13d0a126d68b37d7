"""The recurrent spiking network from Python: training equals the CLI's, the forward pass."""
import numpy as np
import pytest

from neurograd import errors, spiking


def test_train_equals_cli(cli):
    net, rep = spiking.train("randman", "bptt-sg", iterations=30, seed=0)
    row = cli("compare", "--task", "randman", "--small", "--algorithms", "bptt-sg",
              "--iterations", "30")["results"][0]
    assert rep["iterations"] == row["iterations"] == 30
    assert rep["final_loss"] == row["final_loss"]
    assert rep["test_accuracy"] == row["test_accuracy"]
    # training changed the network
    net0 = spiking.for_task("randman", seed=0)
    assert not np.array_equal(net.params()[0], net0.params()[0])


def test_run_and_config():
    cfg = spiking.lif_config(3, 5, 2, tau_m_ms=10.0, v_th=0.5)
    net = spiking.network(cfg, seed=1)
    assert spiking.config(net) == cfg
    x = np.random.default_rng(0).random((40, 4, 3))
    z, v, y = net.run(x)
    assert z.shape == v.shape == (40, 4, 5) and y.shape == (40, 4, 2)
    assert set(np.unique(z)) <= {0.0, 1.0} and z.sum() > 0
    # the parameters round-trip through network(params=...), W_rec's diagonal is forced to 0
    p = net.params()
    assert np.all(np.diag(p[1]) == 0)
    z2, _, y2 = spiking.network(cfg, params=p).run(x)
    np.testing.assert_array_equal(z, z2)
    np.testing.assert_array_equal(y, y2)
    assert "n_lif=5" in repr(net)


def test_errors():
    with pytest.raises(errors.UnknownNameError, match="valid names"):
        spiking.train("randman", "nope", iterations=1)
    with pytest.raises(errors.InvalidParameterError):
        spiking.network(spiking.lif_config(3, 0, 2))
    net = spiking.network(spiking.lif_config(3, 5, 2))
    with pytest.raises(errors.ShapeMismatchError):
        net.run(np.zeros((10, 2, 4)))
