"""The four original models, now variants, behave exactly as before the variant machinery:
the same seed gives the same losses as the trainer of commit 735c0d6 recorded
(tests/data/legacy_steps.json, written by tests/data/record_legacy.py), and checkpoints of the
old format still load and draw the same samples."""

import json

import numpy as np
import pytest
import torch

from ganlab.config import default_config
from ganlab.data.datasets import load_images
from ganlab.explore.sampling import generate
from ganlab.persist import checkpoint as ck
from ganlab.training.resume import resume
from ganlab.training.trainer import Trainer
from tests.conftest import REPO

DATA = REPO / "tests" / "data"
LEGACY = json.loads((DATA / "legacy_steps.json").read_text())


@pytest.fixture(scope="module")
def mnist(mnist_root):
    return load_images("mnist", mnist_root, download=False)


@pytest.mark.parametrize("name", sorted(LEGACY["cases"]))
def test_same_seed_same_losses_as_before_variants(name, mnist, mnist_root):
    case = LEGACY["cases"][name]
    kw = dict(case["config"])
    data_name = kw.pop("data")
    if kw.get("model") == "dcgan":
        kw["disc"] = "plain"  # recorded with the plain DCGAN D (the other discriminators came later)
    torch.set_num_threads(1)
    cfg = default_config(data_name, seed=LEGACY["seed"], device="cpu", data_dir=str(mnist_root), **kw)
    t = Trainer(cfg, data=mnist if data_name == "mnist" else None)
    t.run(case["steps"])
    t.run(1, "d")  # and a D-only, a G-only and two full steps, as recorded
    t.run(1, "g")
    t.run(2)
    got = t.store.snapshot().mean[:, 1:7]
    want = np.array(case["metrics"])
    assert got.shape == want.shape
    # The first steps to float precision: a changed objective, order of updates or use of the seed shows there.
    # Later ones within 5%: the recording was made on another CPU, whose kernels round differently (oneDNN picks
    # them by instruction set), and a GAN's trajectory amplifies a last-digit difference over hundreds of steps
    # (on 2026-12-02 the ring8 case drifted by up to 1.3% from its fourth row on, at every commit since a99e4f3).
    np.testing.assert_allclose(got[:3], want[:3], rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(got, want, rtol=5e-2, atol=1e-2)
    if cfg.optim.ema and cfg.model.arch in ("dcgan", "cdcgan"):
        # One deliberate change: the weight average of a batch-norm G now carries G's running
        # statistics (before, it kept its initial ones, 0 and 1, and drew grey noise in eval mode).
        return
    assert float(np.asarray(t.sample_fixed(), dtype=np.float64).sum()) == pytest.approx(case["fixed_sample_sum"],
                                                                                       rel=1e-2, abs=1e-3)  # the same drift


@pytest.mark.parametrize("name", ["v1-ring8-cgan", "v1-mnist-cdcgan"])
def test_format_1_checkpoints_still_load_and_draw_the_same(name, request):
    want = json.loads((DATA / "v1-checkpoints.json").read_text())["samples"][name]
    c = ck.load(DATA / f"{name}.pt")
    assert c.args.arch in ("cgan", "cdcgan") and set(c.nets) == {"gen", "disc"}
    x, y = generate(c, 20, seed=1)
    assert float(x.astype(np.float64).sum()) == pytest.approx(want["sum"], rel=1e-5, abs=1e-4)
    assert y.tolist() == want["labels"]
    if c.config.data.name == "mnist":
        request.getfixturevalue("mnist_root")  # resuming reads the training data: skips with the reason without it
    resumed = resume(c)  # and a run resumes from one
    resumed.run(2)
    assert resumed.step == c.step + 2
