#!/bin/sh
# The whole side-by-side of issue 18 on a fresh machine, in one run: neurograd against its Python
# peers, each peer alternated with our criterion bench (peer, ours, peer, ours, ...), printed as
# ratios. It only chains the existing scripts in benches/peers/ (which hold the loops and the
# ratio arithmetic):
#
# - benches/peers/gemm_ratio.sh    GEMM n = 64..1024 at 1 and 2 threads, MLP 64-256-10 b32 and
#                                  784-256-10 b128 bp/fa, conv2d — vs NumPy (OpenBLAS)
# - benches/peers/gemm_pair.sh     the GEMM row again in pairs (NumPy, then ours, seconds apart)
# - benches/peers/optneur_ratio.sh COBA 4,000 LIF 1 s (Brian2 C++ standalone, 1 and 2 threads) and
#                                  CMA-ES ask+tell n = 10/40/200 (pycma 4.5.0)
# - benches/peers/snn_ratio.sh     recurrent-LIF training step vs NumPy (ONLY=... to include it)
#
# Run from the workspace root (needs cargo, python3 with venv, a C++ compiler for Brian2):
#
#     sh benches/compare.sh [ROUNDS]          # default 2 rounds of each alternation
#     ONLY="gemm" sh benches/compare.sh 1     # a subset: any of gemm gemmpair optneur snn
#
# The peers go into a scratch virtualenv ($VENV, default target/peer-venv, created once):
# numpy < 2.4 (Brian2 2.9 needs it), threadpoolctl, cma 4.5.0, brian2. Set VENV to reuse one.
# Prints the CPU, its SIMD features and the load average around every round (the numbers are only
# comparable as same-run ratios; a loaded machine shows up in the load average).
set -eu
ROUNDS="${1:-2}"
ONLY="${ONLY:-gemm gemmpair optneur}"
TARGET="${CARGO_TARGET_DIR:-target}"
VENV="${VENV:-$TARGET/peer-venv}"
mkdir -p "$TARGET"
if [ ! -x "$VENV/bin/python3" ]; then
    echo "creating the peers' virtualenv in $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet "numpy<2.4" threadpoolctl "cma==4.5.0" brian2
fi
# the peer scripts call `python3`: make it the venv's
PATH="$(cd "$VENV/bin" && pwd):$PATH"
export PATH
echo "== neurograd compare: $(date -u '+%Y-%m-%d %H:%M UTC'), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(grep -c '^processor' /proc/cpuinfo) logical CPUs"
echo "SIMD: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512dq|avx512vl|avx512_fp16)$' | tr '\n' ' ')"
echo "peers: $(python3 -c 'import numpy, cma, brian2; print("numpy", numpy.__version__, "cma", cma.__version__, "brian2", brian2.__version__)')"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
for part in $ONLY; do
    case "$part" in
    gemm) sh benches/peers/gemm_ratio.sh "$ROUNDS" ;;
    gemmpair) sh benches/peers/gemm_pair.sh "$ROUNDS" ;;
    optneur) PY="$(command -v python3)" sh benches/peers/optneur_ratio.sh "$ROUNDS" ;;
    snn) sh benches/peers/snn_ratio.sh ;;
    *) echo "unknown part '$part' (gemm, gemmpair, optneur, snn)" >&2; exit 2 ;;
    esac
    echo "load after $part: $(cut -d' ' -f1-3 /proc/loadavg)"
done
