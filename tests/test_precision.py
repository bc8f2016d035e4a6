"""bf16 autocast (``precision bf16``): the forward passes run in bfloat16, everything reported stays float32."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.config import ConfigError, default_config
from ganlab.persist.checkpoint import load, to_bytes
from ganlab.training.resume import resume
from ganlab.training.trainer import Trainer


def test_precision_is_checked():
    with pytest.raises(ConfigError, match="precision must be one of fp32, bf16"):
        default_config("ring8", precision="fp16")


@pytest.mark.parametrize("data,extra", [("ring8", {}), ("mnist", {"model": "cdcgan", "hidden": 8}),
                                        ("ring8", {"loss": "wgan-gp"})])
def test_bf16_trains_and_reports_float32(data, extra, mnist_root):
    config = default_config(data, seed=4, data_dir=str(mnist_root), **extra)
    full, half = Trainer(config), Trainer(config.with_values(precision="bf16"))
    full.run(1)
    half.run(1)
    a, b = full.store.snapshot().mean[0, 1:5], half.store.snapshot().mean[0, 1:5]
    # The same weights and batch: the first step's losses and D outputs differ by bfloat16 rounding only.
    assert not np.array_equal(a, b) and np.allclose(a, b, rtol=0.05, atol=0.02)
    half.run(30)
    assert np.isfinite(half.store.snapshot().mean[:, 1:7]).all()
    assert half.sample_fixed().dtype == np.float32
    assert all(p.dtype == torch.float32 for p in half.parts.gen.parameters())


def test_a_bf16_run_resumes_as_bf16():
    t = Trainer(default_config("ring8", precision="bf16", hidden=32, depth=2))
    t.run(5)
    again = resume(load(to_bytes(t)))
    assert again.config.precision == "bf16" and again.parts.bf16
    again.run(3)
    t.run(3)
    assert np.array_equal(again.store.snapshot().mean[-3:, 1:7], t.store.snapshot().mean[-3:, 1:7])
