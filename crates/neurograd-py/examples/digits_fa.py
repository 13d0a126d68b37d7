"""Digits: train with backprop and feedback alignment, and the angle of FA's update to backprop's
over training (plotted to fa_angle.png when matplotlib is installed)."""
import sys

from neurograd import credit
from neurograd.data import load_digits

X, y = load_digits()
print("digits:", X.shape, y.shape)
epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
res = credit.compare("digits", ["bp", "fa"], epochs=epochs, max_samples=600, seed=0)
for r in res["results"]:
    print(f"{r['algorithm']:>3}: test accuracy {r['test_accuracy']:.3f}, "
          f"mean cosine to bp {r['mean_cosine_to_bp']:.3f}")
fa = next(r for r in res["results"] if r["algorithm"] == "fa")
angles = [h["angle_to_bp_deg"] for h in fa["history"] if h["angle_to_bp_deg"] is not None]
print("FA angle to backprop per epoch (deg):", [round(a, 1) for a in angles])
try:
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no figure")
else:
    plt.plot(range(1, len(angles) + 1), angles, marker="o")
    plt.xlabel("epoch")
    plt.ylabel("angle of FA's update to backprop (deg)")
    plt.savefig("fa_angle.png", dpi=100)
    print("wrote fa_angle.png")
