"""The benchmark's pieces run and measure what they say (timing figures belong to the benchmark, not here)."""

from __future__ import annotations

import subprocess
import sys

import torch

from ganlab.benchmark.bench import markdown, run_bench, trainer_rate
from ganlab.benchmark.references import graph_reference
from tests.conftest import REPO


def test_every_column_trains_the_same_networks_and_the_table_says_what_ran(mnist_root):
    result = run_bench(str(mnist_root), "cpu", {"mlp": 4}, batches=(64,), quality=False)
    (row,) = result["speed"]
    assert row["tutorial"] > 0 and row["trainer"] > 0 and row["fast"] > 0
    assert row["graph"] is None and row["fast/graph"] is None  # (d) is a CUDA graph: not on a CPU
    text = markdown(result)
    assert "| mlp | 64 |" in text and "n/a (CUDA only)" in text
    assert "(c) here: Eager steps: CUDA graphs need a CUDA GPU; this run is on cpu." in text


def test_the_eager_and_fast_columns_are_the_trainer_with_and_without_its_fast_path(mnist_root):
    cpu = torch.device("cpu")
    rate, note = trainer_rate("mlp", 64, 3, str(mnist_root), cpu, warmup=1, block=2, fast=True)
    assert rate > 0 and note.startswith("Eager steps")
    assert graph_reference("dcgan", 64, 3, str(mnist_root), cpu) is None


def test_bench_without_mnist_says_where_to_put_it(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ganlab", "bench", "--data-dir", str(tmp_path), "--no-quality"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "MNIST" in proc.stderr and "Traceback" not in proc.stderr


def test_the_docs_training_figures_run_as_bench_names():
    """`python -m ganlab bench NAME` runs each figure the docs cite with its own flags; none is left in benchmarks/."""
    from ganlab.benchmark import FIGURES

    proc = subprocess.run([sys.executable, "-m", "ganlab", "bench", "r1-cost", "--blocks", "1", "--block", "20"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "r1 0:" in proc.stdout and "steps/s" in proc.stdout and "ratio" in proc.stdout
    for name in FIGURES:
        shown = subprocess.run([sys.executable, "-m", "ganlab", "bench", name, "--help"], cwd=REPO,
                               capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0 and "usage" in shown.stdout, (name, shown.stderr)
        assert not (REPO / "benchmarks" / f"{FIGURES[name][0]}.py").exists()
    listed = subprocess.run([sys.executable, "-m", "ganlab", "bench", "--help"], cwd=REPO, capture_output=True,
                            text=True, timeout=120)
    assert all(name in listed.stdout for name in FIGURES)
