#!/bin/sh
# Issue 18 rows 1-3 and issue 15's conv speed: neurograd vs NumPy (OpenBLAS) in one run, the peer
# and ours alternated (peer, ours, peer, ours; ROUNDS rounds), printed as ratios
# NumPy time / neurograd time (> 1: neurograd faster), one line per round.
#
# - f64 GEMM n = 64, 128, 256, 512, 1024, 1 and 2 threads: `gemm.py` vs
#   `cargo bench --bench tensor -- gemm_f64/neurograd_gemm` (criterion mean vs the peer's median);
# - MLP 64-256-10 batch 32 and 784-256-10 batch 128, bp and fa, 1 thread: `bp_fa_numpy.py` vs
#   `cargo bench --bench credit` (samples/s);
# - conv2d forward and backward (lenet1, lenet2, same3), 1 thread: `conv_numpy.py` vs
#   `cargo bench --bench conv`.
#
# From the workspace root, on a machine as idle as you can get:
#
#     sh benches/peers/gemm_ratio.sh [ROUNDS]      # default 2
#     SIZES='64|256|1024' sh benches/peers/gemm_ratio.sh 1   # fewer GEMM sizes (ours)
#
# Needs python3 with numpy and threadpoolctl. Prints the CPU's SIMD features and the load average
# before each round.
set -eu
ROUNDS="${1:-2}"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/gemm_ratio"
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(grep -c '^processor' /proc/cpuinfo) cores"
echo "features: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512vl)$' | tr '\n' ' ')"
# build once (SKIP_BUILD=1: use the bench executables already built), then run the executables
# directly (newest of each name), so a cargo command elsewhere cannot hold them up on its lock
[ "${SKIP_BUILD:-0}" = 1 ] || cargo bench -p neurograd-benches --bench tensor --bench credit --bench conv --no-run 2>/dev/null
exe() { ls -t "$TARGET"/release/deps/"$1"-* | grep -v '\.d$' | head -n 1; }
TENSOR=$(exe tensor) CREDIT=$(exe credit) CONV=$(exe conv)
# criterion: no plots, fewer bootstrap resamples (the analysis, not the timing, dominated under load)
CRIT="--noplot --nresamples 2000"
SIZES="${SIZES:-64|128|256|512|1024}"
echo "benches: $TENSOR $CREDIT $CONV"
crit() { # copy criterion's estimates of group $1 to $2
    rm -rf "$2"
    cp -r "$TARGET/criterion/$1" "$2"
}
r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "== round $r: $(uptime | sed 's/.*load/load/')"
    # peer
    python3 benches/peers/gemm.py --reps 10 --json "$OUT/gemm_numpy.json" >/dev/null
    python3 benches/peers/bp_fa_numpy.py 2 >"$OUT/bp_fa_numpy.txt"
    python3 benches/peers/conv_numpy.py --reps 10 --json "$OUT/conv_numpy.json" >/dev/null
    # ours
    MATMUL_NUM_THREADS=1 "$TENSOR" --bench $CRIT "gemm_f64/neurograd_gemm/($SIZES)\$" >/dev/null 2>&1
    crit gemm_f64 "$OUT/gemm_t1"
    MATMUL_NUM_THREADS=2 "$TENSOR" --bench $CRIT "gemm_f64/neurograd_gemm/($SIZES)\$" >/dev/null 2>&1
    crit gemm_f64 "$OUT/gemm_t2"
    MATMUL_NUM_THREADS=1 "$CREDIT" --bench $CRIT 'credit/.*/(bp|fa)/' >/dev/null 2>&1
    crit credit_digits_64-256-10 "$OUT/credit_digits_64-256-10"
    crit credit_mnist_784-256-10 "$OUT/credit_mnist_784-256-10"
    MATMUL_NUM_THREADS=1 "$CONV" --bench $CRIT 'conv2d/' >/dev/null 2>&1
    python3 - "$OUT" "$TARGET" <<'PY'
import json, os, re, sys
out, target = sys.argv[1], sys.argv[2]
def mean_s(path):
    est = os.path.join(path, "new", "estimates.json")
    return json.load(open(est))["mean"]["point_estimate"] / 1e9 if os.path.exists(est) else None
rows = []
for r in json.load(open(os.path.join(out, "gemm_numpy.json"))):
    ours = mean_s(os.path.join(out, f"gemm_t{r['threads']}", "neurograd_gemm", str(r["n"])))
    if ours is None:
        continue
    rows.append((f"gemm n={r['n']} threads={r['threads']}", r["median_s"], ours))
peer = {}
for line in open(os.path.join(out, "bp_fa_numpy.txt")):
    m = re.match(r"numpy (digits|mnist) .* (bp|fa): .*\(([\d.]+) us/step\)", line)
    if m:
        peer[(m[1], m[2])] = float(m[3]) / 1e6  # the measured pass overwrites the warm-up pass
for (scale, algo), t in sorted(peer.items()):
    label, batch = ("digits_64-256-10", 32) if scale == "digits" else ("mnist_784-256-10", 128)
    ours = mean_s(os.path.join(out, f"credit_{label}", algo, str(batch)))
    rows.append((f"mlp {label} b{batch} {algo}", t, ours))
conv = json.load(open(os.path.join(out, "conv_numpy.json")))
for name, c in conv["cases"].items():
    for what in ("forward", "backward"):
        ours = mean_s(os.path.join(target, "criterion", "conv2d", what, name))
        rows.append((f"conv2d {what} {name}", c[f"{what}_median_s"], ours))
print(f"{'workload':40s} {'numpy ms':>10s} {'ours ms':>10s} {'ratio':>7s}")
for key, p, o in rows:
    if o is None:
        print(f"{key:40s} {p * 1e3:10.4f} {'-':>10s}")
    else:
        print(f"{key:40s} {p * 1e3:10.4f} {o * 1e3:10.4f} {p / o:7.2f}")
PY
    r=$((r + 1))
done
