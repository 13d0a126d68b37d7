"""COBA (Brette et al. 2007; 4,000 LIF neurons): 200 ms, raster and rates as arrays (plotted to
coba_raster.png when matplotlib is installed)."""
from neurograd import neurons

res = neurons.simulate("coba", seed=0, duration_ms=200.0, raster_ms=200.0)
t, i = neurons.raster(res)
rates = neurons.rates(res)
print(f"{res['spikes']} spikes, exc {res['mean_rate_exc_hz']:.2f} Hz, "
      f"inh {res['mean_rate_inh_hz']:.2f} Hz; raster: {len(t)} spikes of "
      f"{res['raster_neurons']} neurons, their mean rate {rates.mean():.2f} Hz")
try:
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no figure")
else:
    plt.figure(figsize=(8, 4))
    plt.plot(t, i, ",k")
    plt.xlabel("time (ms)")
    plt.ylabel("neuron")
    plt.savefig("coba_raster.png", dpi=100)
    print("wrote coba_raster.png")
