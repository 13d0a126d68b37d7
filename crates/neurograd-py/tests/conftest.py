"""Shared helpers: the `neurograd` command of the same checkout, for Rust-vs-Python equality."""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]


def cli_path():
    p = pathlib.Path(os.environ.get("NEUROGRAD_CLI", ROOT / "target" / "release" / "neurograd"))
    assert p.exists(), (f"the neurograd command is needed at {p} (cargo build --release "
                        "-p neurograd-cli, or set NEUROGRAD_CLI)")
    return p


def strip_wall(v):
    """Drops wall-clock fields (the only numbers that differ between two runs)."""
    if isinstance(v, dict):
        return {k: strip_wall(x) for k, x in v.items() if not k.startswith("wall_s")}
    if isinstance(v, list):
        return [strip_wall(x) for x in v]
    return v


@pytest.fixture
def cli(tmp_path):
    def run(*args):
        out = subprocess.run([str(cli_path()), "--json", "--quiet", "--threads", "1",
                              "--out", str(tmp_path / "out"), *args],
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)
    return run
