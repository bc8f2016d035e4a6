"""The benchmark's pieces run and measure what they say (timing figures belong to the benchmark, not here)."""

from __future__ import annotations

import subprocess
import sys

import torch

from ganlab.bench import markdown, trainer_rate, tutorial_loop
from tests.conftest import REPO


def test_both_loops_train_the_same_networks(mnist_root):
    cpu = torch.device("cpu")
    a = tutorial_loop("mlp", 64, 5, str(mnist_root), cpu, warmup=1)
    b = trainer_rate("mlp", 64, 5, str(mnist_root), cpu, warmup=1, block=2)
    assert a > 0 and b > 0
    text = markdown({"device": "cpu", "torch": "x", "threads": 1,
                     "speed": [{"model": "mlp", "batch": 64, "tutorial": a, "trainer": b, "trainer/tutorial": b / a}]})
    assert "| mlp | 64 |" in text


def test_bench_without_mnist_says_where_to_put_it(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ganlab", "bench", "--data-dir", str(tmp_path), "--no-quality"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "MNIST" in proc.stderr and "Traceback" not in proc.stderr
