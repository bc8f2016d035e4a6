import csv
import json
import os
import subprocess
from pathlib import Path
import sys

import pytest

import numpy as np

from ganlab.data.datasets import mixture
from ganlab.evaluation.quality import mode_quality
from tests.conftest import REPO


def ganlab(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "ganlab", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=600)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.slow
def test_train_then_sample_round_trip(tmp_path):
    out = tmp_path / "run"
    proc = ganlab("train", "--data", "moons", "--model", "cgan", "--steps", 120, "--hidden", 32,
                  "--lr-d", "1e-3", "--seed", 1, "--device", "cpu", "--out", out)
    assert "steps/s" in proc.stdout
    with open(out / "metrics.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 120 and [int(r["step"]) for r in rows] == list(range(1, 121))
    assert {"step", "d_loss", "g_loss", "d_real", "d_fake"} <= set(rows[0])
    assert json.loads((out / "config.json").read_text())["optim"]["lr_d"] == 1e-3
    ganlab("sample", out, "--n", 300, "--seed", 0, "--out", tmp_path / "x.npy", "--labels-out", tmp_path / "y.npy")
    x, y = np.load(tmp_path / "x.npy"), np.load(tmp_path / "y.npy")
    assert x.shape == (300, 2) and np.bincount(y).tolist() == [150, 150]
    ganlab("sample", out / "checkpoint.pt", "--n", 10, "--class", 1, "--out", tmp_path / "x1.npy")
    assert np.load(tmp_path / "x1.npy").shape == (10, 2)


@pytest.mark.slow
def test_config_file_and_errors(tmp_path):
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"data": "grid25", "hidden": 16, "steps": 30}))
    ganlab("train", "--config", cfg, "--out", tmp_path / "r")
    assert json.loads((tmp_path / "r" / "config.json").read_text())["data"]["name"] == "grid25"
    bad = ganlab("train", "--data", "ring8", "--batch-size", 0, "--out", tmp_path / "b", check=False)
    assert bad.returncode == 2 and "batch_size must be between 1" in bad.stderr and "Traceback" not in bad.stderr
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"junk")
    bad = ganlab("sample", junk, check=False)
    assert bad.returncode == 2 and "not a ganlab checkpoint" in bad.stderr
    os.environ["GANLAB_SYSTEM_DATA"] = str(tmp_path / "no-packages")  # as on a machine without dataset-fashion-mnist
    try:
        bad = ganlab("train", "--data", "fashion-mnist", "--data-dir", tmp_path / "none", "--steps", 1,
                     "--out", tmp_path / "f", check=False)
    finally:
        del os.environ["GANLAB_SYSTEM_DATA"]
    assert bad.returncode == 2 and "put train-images-idx3-ubyte.gz" in bad.stderr
    assert "apt-get install dataset-fashion-mnist" in bad.stderr


@pytest.mark.slow
def test_issue_acceptance_ring8_5000_steps(tmp_path):
    """The foundation issue's bar: 5000 CPU steps, then 2500 samples cover >= 6 of 8 modes, >= half within 3 sigma."""
    out = tmp_path / "ring"
    ganlab("train", "--data", "ring8", "--model", "mlp", "--loss", "ns", "--steps", 5000, "--seed", 0,
           "--device", "cpu", "--out", out)
    ganlab("sample", out, "--n", 2500, "--seed", 0, "--out", tmp_path / "s.npy")
    m = mixture("ring8")
    q = mode_quality(np.load(tmp_path / "s.npy"), m.modes.numpy(), m.sigma)
    assert q.modes_covered >= 6 and q.high_quality >= 0.5, q


@pytest.mark.slow
def test_seconds_alone_is_a_time_budget_and_with_steps_whichever_comes_first(tmp_path):
    from ganlab.cli.training import _train_loop
    from ganlab.config import default_config
    from ganlab.training.trainer import Trainer

    trainer = Trainer(default_config("ring8", hidden=8, depth=1, batch_size=16, device="cpu"))
    assert trainer.config.steps == 5000  # the default budget, which --seconds alone must not stop at
    assert _train_loop(trainer, None, tmp_path, 0, seconds=0.5) == 0
    assert trainer.train_seconds >= 0.5
    proc = ganlab("train", "--data", "ring8", "--hidden", 8, "--depth", 1, "--seconds", 0.5, "--device", "cpu",
                  "--out", tmp_path / "a")
    assert "for 0.5 s ->" in proc.stdout
    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"data": "ring8", "hidden": 8, "depth": 1, "steps": 40}))
    proc = ganlab("train", "--config", cfg, "--seconds", 600, "--out", tmp_path / "b")
    assert "to step 40 or for 600 s, whichever comes first" in proc.stdout
    with open(tmp_path / "b" / "metrics.csv") as fh:
        assert len(list(csv.DictReader(fh))) == 40


@pytest.mark.slow
def test_resume_continues_a_run_as_if_it_had_never_stopped(tmp_path):
    """300 steps, then --resume to 600, gives the weights 600 steps in one go give (CPU, one thread); a
    learning rate changed on resume applies from there; settings that would make another run are refused."""
    import torch

    from ganlab.persist.checkpoint import load

    common = ("--hidden", 16, "--depth", 1, "--seed", 3, "--device", "cpu", "--threads", 1)
    ganlab("train", "--data", "ring8", "--steps", 600, *common, "--out", tmp_path / "whole")
    ganlab("train", "--data", "ring8", "--steps", 300, *common, "--out", tmp_path / "half")
    proc = ganlab("train", "--resume", tmp_path / "half" / "checkpoint.pt", "--steps", 600, "--threads", 1,
                  "--out", tmp_path / "rest")
    assert "from step 300" in proc.stdout and "done: 300 steps in" in proc.stdout
    whole, rest = load(tmp_path / "whole" / "checkpoint.pt"), load(tmp_path / "rest" / "checkpoint.pt")
    assert rest.step == 600
    for name, weights in whole.nets.items():
        for key, value in weights.items():
            assert torch.equal(value, rest.nets[name][key]), (name, key)
    ganlab("train", "--resume", tmp_path / "half" / "checkpoint.pt", "--steps", 310, "--lr-g", 0.05,
           "--threads", 1, "--out", tmp_path / "faster")
    assert load(tmp_path / "faster" / "checkpoint.pt").config.optim.lr_g == 0.05
    bad = ganlab("train", "--resume", tmp_path / "half" / "checkpoint.pt", "--hidden", 32, "--out", tmp_path / "x",
                 check=False)
    assert bad.returncode == 2 and "not hidden" in bad.stderr and "Traceback" not in bad.stderr


def test_an_array_file_is_checked_against_what_its_header_declares(tmp_path):
    """A .npy file whose header declares far more than it holds is refused before the array is allocated."""
    import io

    from numpy.lib import format as npy

    from ganlab.cli.common import CLIError, read_images, read_points

    buf = io.BytesIO()
    npy.write_array_header_1_0(buf, {"descr": "<f8", "fortran_order": False, "shape": (10**7, 1, 28, 28)})
    crafted = tmp_path / "crafted.npy"
    crafted.write_bytes(buf.getvalue() + b"\0" * 64)
    for reader in (read_images, read_points):
        try:
            reader(crafted)
        except CLIError as err:
            assert "not what the file holds" in str(err)
        else:
            raise AssertionError("a crafted header was read")
    np.save(tmp_path / "ok.npy", np.zeros((2, 1, 28, 28), np.float32))
    assert read_images(tmp_path / "ok.npy").shape == (2, 1, 28, 28)
    proc = ganlab("classify", REPO / "checkpoints" / "mnist-ssgan.pt", "--images", crafted, "--out", tmp_path / "p.npy",
                  check=False)
    assert proc.returncode == 2 and "not what the file holds" in proc.stderr and "Traceback" not in proc.stderr


def test_docs_list_every_variants_metrics_csv_columns():
    """docs/metrics.md is what ganlab.cli.columns writes from the registered variants: a new metric or variant
    that the document does not list fails here (regenerate it with the command it names)."""
    from ganlab.cli.columns import document

    assert (Path(__file__).parents[1] / "docs" / "metrics.md").read_text() == document()
