"""The exported JAX code beyond one device (see sharded_jax.py)."""

import os
import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("jax")


def test_exported_jax_code_sharded_over_8_devices_matches_one_device():
    script = pathlib.Path(__file__).with_name("sharded_jax.py")
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        JAX_PLATFORMS="cpu",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "sharded over 8 devices" in done.stdout
