#!/usr/bin/env bash
# The Python package (crates/neurograd-py): builds the wheel with maturin (from PyPI) in a fresh
# virtualenv under target/, installs it, runs the pytest suite and the example scripts.
# Needs only Rust, Python >= 3.9 with venv and pip, and PyPI (nir 1.0.8, the optional NIR extra, pulls
# h5py: wheels, a few seconds). The pytest suite compares with the
# `neurograd` command of this checkout (target/debug/neurograd, built here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python3}"
VENV="$PWD/target/py-venv"
WHEELS="$PWD/target/wheels"

echo "-- virtualenv $VENV"
rm -rf "$VENV" "$WHEELS"
"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "maturin==1.16.0" "numpy==2.4.6" "pytest==9.2.0" "nir==1.0.8"

# Cargo profile of the command and the wheel: dev (the workspace's dev profile builds the
# dependencies at opt-level 3) shares the compiled dependencies with .ci/run's test build, where a
# release build would compile everything again; PROFILE=release tests the release build.
PROFILE="${PROFILE:-dev}"
case "$PROFILE" in dev) OUTDIR=debug ;; *) OUTDIR="$PROFILE" ;; esac

echo "-- the neurograd command (Rust side of the equality tests)"
# `cargo test --no-run` builds the command as the integration tests use it, with the feature set of
# the test build (dev-dependencies included): a no-op after .ci/run's `cargo test --workspace`,
# where `cargo build --bins` resolves features without them and compiles the crates again.
if [ "$PROFILE" = dev ]; then
    cargo test --workspace --no-run
else
    cargo build --profile "$PROFILE" --workspace --bins
fi

echo "-- wheel (maturin, $PROFILE profile, the workspace's target dir)"
"$VENV/bin/maturin" build --profile "$PROFILE" --manifest-path crates/neurograd-py/Cargo.toml \
    --interpreter "$VENV/bin/python" --out "$WHEELS"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
    "$WHEELS"/neurograd-*.whl

echo "-- pytest"
# From outside the source tree, so `import neurograd` is the installed wheel.
(cd "$VENV" && NEUROGRAD_CLI="$OLDPWD/target/$OUTDIR/neurograd" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$OLDPWD/crates/neurograd-py/tests")

echo "-- examples"
for f in crates/neurograd-py/examples/*.py; do
    echo "-- $f"
    (cd "$VENV" && MPLBACKEND=Agg "$VENV/bin/python" "$OLDPWD/$f")
done
