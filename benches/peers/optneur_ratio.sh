#!/bin/sh
# Issue 18 rows "COBA 4,000 LIF, 1 s" (vs Brian2 2.9 C++ standalone, compile excluded; 1 and 2
# threads) and "CMA-ES ask + tell per generation, n = 200" (vs pycma 4.5.0, 1 BLAS thread), run
# alternately in one session (peer, ours, peer, ours, ...) and printed as ratios. Run from the
# workspace root on an otherwise idle machine:
#
#     PY=/path/to/venv/bin/python3 sh benches/peers/optneur_ratio.sh [ROUNDS]
#
# PARTS="coba" (or "cmaes") runs one part only (default: both).
#
# PY must have brian2 (numpy < 2.4) and cma==4.5.0:
#     python3 -m venv /tmp/venv && /tmp/venv/bin/pip install "numpy<2.4" brian2 cma==4.5.0
# COBA: Brian2's loop time (b2.device._last_run_time) against the criterion means of
# brette2007_1s_bio/run_cpu/Coba, run/Coba (1 thread) and run_2threads/Coba; ratio = Brian2 / ours
# (> 1: faster). Brian2's standalone loop time is std::clock(), the process's CPU time, not wall
# time: on an idle machine the two agree for its one thread; on a busy one only the CPU-time
# ratio (run_cpu, the thread's CPU time) compares like with like. The wall-time ratios (run,
# run_2threads; the 2-thread aim is a wall-time speed-up) hold only on an idle machine.
# CMA-ES: pycma's ms per generation (overhead mode) against cmaes_ask_tell/{10,40,200};
# ratio = ours / pycma (< 1: faster; the aim at n = 200 is <= 0.5).
set -eu
ROUNDS="${1:-2}"
PY="${PY:-python3}"
PARTS="${PARTS:-coba cmaes}"
has() { case " $PARTS " in *" $1 "*) return 0 ;; esac; return 1; }
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 MATMUL_NUM_THREADS=1
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/optneur_ratio"
mkdir -p "$OUT"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "features: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(sse4_2|avx|avx2|fma|avx512f|avx512vl)$' | tr '\n' ' ')"
BENCHES=""
if has coba; then BENCHES="$BENCHES --bench neurons"; fi
if has cmaes; then BENCHES="$BENCHES --bench optim"; fi
# shellcheck disable=SC2086
cargo bench -p neurograd-benches $BENCHES --no-run >/dev/null 2>&1
crit() { # group/name -> mean in ms
    "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))['mean']['point_estimate']/1e6)" \
        "$TARGET/criterion/$1/new/estimates.json"
}
r=1
while [ "$r" -le "$ROUNDS" ]; do
    echo "== round $r, load: $(cut -d' ' -f1-3 /proc/loadavg)"
    if has coba; then
    "$PY" benches/peers/coba_brian2.py --target cpp_standalone --model coba --seed 1 \
        --json "$OUT/brian2_$r.json" >/dev/null 2>&1
    cargo bench -p neurograd-benches --bench neurons -- 'brette2007_1s_bio/run(_2threads|_cpu)?/Coba' >/dev/null 2>&1
    b2=$("$PY" -c "import json,sys; print(1e3*json.load(open(sys.argv[1]))['loop_wall_s'])" "$OUT/brian2_$r.json")
    one=$(crit brette2007_1s_bio/run/Coba)
    two=$(crit brette2007_1s_bio/run_2threads/Coba)
    cpu=$(crit brette2007_1s_bio/run_cpu/Coba)
    "$PY" -c "import sys; b,c=map(float,sys.argv[1:]); print(f'COBA 1 s, CPU time: brian2 {b:.1f} ms, ours 1 thread {c:.1f} ms (ratio {b/c:.2f})')" "$b2" "$cpu"
    "$PY" -c "import sys; b,o,t=map(float,sys.argv[1:]); print(f'COBA 1 s, wall time: brian2 {b:.1f} ms (its CPU time), ours 1 thread {o:.1f} ms (ratio {b/o:.2f}), 2 threads {t:.1f} ms (ratio {b/t:.2f}, 2 vs 1 thread {o/t:.2f}x)')" "$b2" "$one" "$two"
    echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    fi
    if has cmaes; then
    "$PY" benches/peers/cmaes_pycma.py overhead > "$OUT/pycma_$r.txt"
    cargo bench -p neurograd-benches --bench optim -- cmaes_ask_tell >/dev/null 2>&1
    for n in 10 40 200; do
        peer=$(awk -F'|' -v n="$n" '$2+0 == n {print $4+0}' "$OUT/pycma_$r.txt")
        ours=$(crit "cmaes_ask_tell/$n")
        "$PY" -c "import sys; n,p,o=sys.argv[1],float(sys.argv[2]),float(sys.argv[3]); print(f'CMA-ES n = {n}: pycma {p:.3f} ms, ours {o:.4f} ms per generation, ours/pycma {o/p:.3f}')" "$n" "$peer" "$ours"
    done
    fi
    r=$((r + 1))
done
