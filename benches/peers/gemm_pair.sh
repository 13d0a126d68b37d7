#!/bin/sh
# Issue 18's GEMM row, paired: for each thread count and size, NumPy (OpenBLAS, threadpoolctl) and
# then ours (`neurograd-tensor`'s example `gemm_timed`), the same timing loop
# (`peer_timing.timed`: 7 repetitions of >= 0.1 s each), seconds apart; ROUNDS rounds. Prints
# NumPy time / ours (> 1: neurograd faster) for the best and the median repetition. This VM's
# two vCPUs sometimes share one core for a while; a pair taken seconds apart sees the same phase
# far more often than `gemm_ratio.sh`, whose two sides run a minute apart.
#
#     sh benches/peers/gemm_pair.sh [ROUNDS]      # from the workspace root; default 4
#
# Needs python3 with numpy and threadpoolctl.
set -eu
ROUNDS="${1:-4}"
TARGET="${CARGO_TARGET_DIR:-target}"
cargo build --release -q -p neurograd-tensor --example gemm_timed
OURS="$(cd "$TARGET" && pwd)/release/examples/gemm_timed"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(grep -c '^processor' /proc/cpuinfo) cores"
echo "features: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512vl)$' | tr '\n' ' ')"
cd "$(dirname "$0")"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    for t in 1 2; do
        for n in 64 128 256 512 1024; do
            np=$(python3 - "$n" "$t" <<'PY'
import sys
import numpy as np
from threadpoolctl import threadpool_limits
from peer_timing import timed
n, t = int(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
a, b, c = rng.uniform(-1, 1, (n, n)), rng.uniform(-1, 1, (n, n)), np.empty((n, n))
with threadpool_limits(limits=t, user_api="blas"):
    print(*timed(lambda: np.matmul(a, b, out=c), 7))
PY
)
            ours=$("$OURS" "$n" "$t" 7)
            python3 -c "
nb, nm = map(float, '$np'.split()); ob, om = map(float, '$ours'.split())
print(f'round $r threads $t n=$n: NumPy/ours best {nb / ob:.2f} median {nm / om:.2f} (median ms: NumPy {nm * 1e3:.3f}, ours {om * 1e3:.3f})')"
        done
    done
    r=$((r + 1))
done
