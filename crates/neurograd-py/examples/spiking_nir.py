"""Train a recurrent LIF network on randman (small) with surrogate-gradient BPTT, export it to NIR,
read it back and check both run the same spikes (needs the `nir` extra: pip install nir)."""
import pathlib
import tempfile

import numpy as np

import nir
from neurograd import nir as ngnir
from neurograd import spiking

net, report = spiking.train("randman", "bptt-sg", iterations=30, seed=0)
print(f"trained {net}: loss {report['final_loss']:.4f}, test accuracy "
      f"{report['test_accuracy']:.3f}")

graph = ngnir.to_nir(net, dt=1e-3)  # seconds: the network's step of 1 ms
with tempfile.TemporaryDirectory() as d:
    path = pathlib.Path(d) / "randman_lif.nir"
    nir.write(path, graph)
    back = ngnir.from_nir(nir.read(path), dt=1e-3)

x = (np.random.default_rng(0).random((50, 4, 10)) < 0.1).astype(float)
z, _, y = net.run(x)
z2, _, y2 = back.run(x)
assert np.array_equal(z, z2) and np.array_equal(y, y2)
print(f"NIR round trip: {int(z.sum())} spikes, identical; nodes {sorted(graph.nodes)}")
