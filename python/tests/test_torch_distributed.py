"""The exported PyTorch code in data-parallel training over two processes
(see distributed_torch.py)."""

import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("torch")


def test_exported_torch_code_over_2_processes_matches_the_whole_batch():
    script = pathlib.Path(__file__).with_name("distributed_torch.py")
    done = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         str(script)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "2 processes: loss" in done.stdout, done.stdout
