#!/usr/bin/env bash
# Depends on ONE neurograd crate from outside the workspace, as a user would: creates a scratch
# binary crate in a temporary directory whose only dependency is neurograd-plasticity (by path,
# instead of the README's version requirement) and runs that crate's README quick start in it.
#
#   .ci/one_crate.sh [crate]      (default: neurograd-plasticity)
#
# The [dependencies] line and the program are cut from the crate's README (its first ```toml and
# first ```rust block), so the README is what is tested. The workspace's Cargo.lock is copied in
# so the scratch crate builds with the versions the workspace is tested with, and the scratch
# crate builds into the workspace's target/ (a second run compiles only the scratch crate).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
crate="${1:-neurograd-plasticity}"
readme="$root/crates/$crate/README.md"
[ -f "$readme" ] || { echo "no README at $readme" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"

python3 - "$readme" "$tmp" "$crate" "$root/crates/$crate" <<'PY'
import re, sys
readme, tmp, crate, path = sys.argv[1:]
text = open(readme, encoding="utf-8").read()
def block(lang):
    m = re.search(r"^```" + lang + r"\n(.*?)^```", text, re.S | re.M)
    if not m:
        sys.exit(f"{readme}: no ```{lang} block")
    return m.group(1)
deps = block("toml")
line = next((l for l in deps.splitlines() if l.split("=")[0].strip() == crate), None)
if line is None:
    sys.exit(f"{readme}: the toml block has no `{crate} = ...` line:\n{deps}")
# the README's requirement, e.g. "0.1", kept as the version of a path dependency
version = line.split("=", 1)[1].strip()
with open(f"{tmp}/Cargo.toml", "w") as f:
    f.write(f"""[package]
name = "one-crate-check"
version = "0.0.0"
edition = "2024"
publish = false

# not a member of any workspace
[workspace]

[dependencies]
{crate} = {{ path = "{path}", version = {version} }}
""")
open(f"{tmp}/src/main.rs", "w", encoding="utf-8").write(block("rust"))
print(f"scratch crate: {crate} = {version} (by path), main.rs = the README's quick start "
      f"({len(block('rust').splitlines())} lines)")
PY

cp "$root/Cargo.lock" "$tmp/Cargo.lock"
cd "$tmp"
echo "dependency tree of the scratch crate (normal edges, first level):"
cargo tree -e normal --depth 1
# Dev profile without debug info in the workspace's target dir: the same settings as the package
# verification builds of .ci/run, so the third-party dependencies compiled there are reused (a
# release build of them took 4-5 minutes; this runs in well under a minute).
CARGO_TARGET_DIR="$root/target" CARGO_PROFILE_DEV_DEBUG=0 cargo run --quiet
echo "one-crate check of $crate: ok"
