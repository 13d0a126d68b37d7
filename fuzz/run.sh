#!/usr/bin/env bash
# Runs the cargo-fuzz targets on the stable toolchain (RUSTC_BOOTSTRAP=1 lets it take the nightly
# -Z flags cargo-fuzz passes). Usage: fuzz/run.sh [RUNS] [TARGET...]
#   RUNS    executions per target (default 10000000, i.e. 10^7)
#   TARGET  idx npy csv cli_args (default: all)
# Environment: FUZZ_ASAN=1 also runs each target once with --sanitizer address (10^5 runs);
#   FUZZ_SECONDS=N stops each target after N seconds if RUNS are not done by then.
# Seeds corpora from valid files it generates (fuzz/seeds.py: IDX, .npy, CSV, argument values),
# then runs each target under `nice`, logging to fuzz/logs/<target>.log and printing executions,
# exec/s, wall time and corpus size per target; crashes land in
# fuzz/artifacts/<target>/ (keep minimized ones as regression tests, see docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")"
RUNS=${1:-10000000}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(idx npy csv cli_args)

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
python3 seeds.py corpus
mkdir -p logs
status=0
for t in "${TARGETS[@]}"; do
    features=()
    [ "$t" = cli_args ] && features=(--features cli)
    # `cargo fuzz run` builds with debug assertions and overflow checks (its default without -O):
    # build the same way first, so the run does not rebuild every dependency with other flags.
    cargo fuzz build "$t" "${features[@]}" --sanitizer none
    start=$(date +%s)
    # A crash ends this target's run (its input lands in artifacts/<t>/); go on with the others.
    if ! nice -n 10 cargo fuzz run "$t" "${features[@]}" --sanitizer none "corpus/$t" -- \
        -runs="$RUNS" -max_total_time="${FUZZ_SECONDS:-0}" -max_len=4096 -print_final_stats=1 \
        >"logs/$t.log" 2>&1; then
        status=1
        echo "$t: FAILED (see fuzz/logs/$t.log and fuzz/artifacts/$t/)"
    fi
    wall=$(($(date +%s) - start))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "logs/$t.log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "logs/$t.log")
    echo "$t: executions ${execs:-?}, exec/s ${rate:-?}, wall ${wall} s, corpus $(ls "corpus/$t" | wc -l) files"
    if [ "${FUZZ_ASAN:-0}" = 1 ]; then
        nice -n 10 cargo fuzz run "$t" "${features[@]}" --sanitizer address "corpus/$t" -- \
            -runs=100000 -max_len=4096 -print_final_stats=1 >"logs/$t.asan.log" 2>&1 || status=1
    fi
done
exit $status
