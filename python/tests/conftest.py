"""Shared helpers of the Python tests."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture
def cli():
    """Runs the symgrad binary (built by `cargo build`) with -e statements:
    (stdout, stderr). Skips when the binary is not built."""
    binary = ROOT / "target" / "debug" / "symgrad"
    if not binary.exists():
        pytest.skip("the symgrad binary is not built (cargo build)")

    def run(*statements, width=80):
        args = [str(binary), "--width", str(width)]
        for s in statements:
            args += ["-e", s]
        env = dict(os.environ, NO_COLOR="1", SYMGRAD_HISTORY="/dev/null")
        done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
        return done.stdout, done.stderr

    return run
