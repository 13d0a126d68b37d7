#!/bin/sh
# Speed of conv2d (forward, backward) and of sparse-coding inference (ISTA, FISTA) against their
# NumPy peers (`conv_numpy.py`, im2col + BLAS; `ista_numpy.py`), 1 thread, same shapes, same run,
# printed as ratios (NumPy time / neurograd time; > 1 means neurograd is faster). Criterion's
# mean is compared with the peer's median. Run on an idle machine from the workspace root:
#
#     sh benches/peers/vision_ratio.sh
set -eu
export MATMUL_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
TARGET="${CARGO_TARGET_DIR:-target}"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "features: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512vl)$' | tr '\n' ' ')"
cargo bench -p neurograd-benches --bench conv >/dev/null
python3 benches/peers/conv_numpy.py --reps 10 --json "$TARGET/conv_numpy.json" >/dev/null
cargo bench -p neurograd-benches --bench sparse_coding >/dev/null
python3 benches/peers/ista_numpy.py --reps 10 --json "$TARGET/ista_numpy.json" >/dev/null
python3 - "$TARGET" <<'PY'
import json, os, sys
target = sys.argv[1]
def ours_ms(*parts):
    est = os.path.join(target, "criterion", *parts, "new", "estimates.json")
    if not os.path.exists(est):
        return None
    return json.load(open(est))["mean"]["point_estimate"] / 1e6
rows = []
conv = json.load(open(os.path.join(target, "conv_numpy.json")))
for name, c in conv["cases"].items():
    for what in ("forward", "backward"):
        rows.append((f"conv2d/{what}/{name}", ours_ms("conv2d", what, name), c[f"{what}_median_s"] * 1e3))
ista = json.load(open(os.path.join(target, "ista_numpy.json")))
for name in ("ista", "fista"):
    rows.append((f"sparse_coding/{name}", ours_ms("sparse_coding_inference_144x144_b100_60it", name), ista[name]["median_s"] * 1e3))
print(f"numpy {conv['numpy']}")
print(f"{'benchmark':32s} {'neurograd ms':>13s} {'numpy ms':>10s} {'ratio':>7s}")
for key, ours, peer in rows:
    if ours is None:
        print(f"{key:32s} {'-':>13s} {peer:10.3f}")
    else:
        print(f"{key:32s} {ours:13.3f} {peer:10.3f} {peer / ours:7.2f}")
PY
