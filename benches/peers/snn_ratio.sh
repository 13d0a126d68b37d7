#!/bin/sh
# Speed of one recurrent-LIF training step (T = 1000, batch 32, 1 thread): neurograd's criterion
# bench `recurrent` against the NumPy peer `snn_numpy.py`, printed as ratios (NumPy time /
# neurograd time; > 1 means neurograd is faster). Run on an idle machine from the workspace root:
#
#     sh benches/peers/snn_ratio.sh
set -eu
export MATMUL_NUM_THREADS=1 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
TARGET="${CARGO_TARGET_DIR:-target}"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "features: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512vl)$' | tr '\n' ' ')"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$TARGET"
cargo bench -p neurograd-benches --bench recurrent 2>"$TARGET/recurrent_bench.log" >/dev/null ||
    { tail -20 "$TARGET/recurrent_bench.log"; exit 1; }
grep 'peak gradient state' "$TARGET/recurrent_bench.log" || true
python3 benches/peers/snn_numpy.py 5 > "$TARGET/snn_numpy.json"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$TARGET" <<'PY'
import json, os, sys
target = sys.argv[1]
peer = json.load(open(os.path.join(target, "snn_numpy.json")))["times"]
print(f"{'benchmark':40s} {'neurograd ms':>13s} {'numpy ms':>10s} {'ratio':>7s}")
for key, numpy_ms in peer.items():
    group, name, t = key.split("/")
    est = os.path.join(target, "criterion", group, name, t, "new", "estimates.json")
    if not os.path.exists(est):
        print(f"{key:40s} {'-':>13s} {numpy_ms:10.1f}")
        continue
    ours = json.load(open(est))["mean"]["point_estimate"] / 1e6
    print(f"{key:40s} {ours:13.1f} {numpy_ms:10.1f} {numpy_ms / ours:7.2f}")
PY
