"""The images a detector is fitted and judged on, kept apart: real MNIST training digits and a generator's
samples of one seed to fit on; MNIST test digits and samples of another seed, never seen, to judge."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ganlab.data.datasets import load_images
from ganlab.explore.sampling import generate
from ganlab.persist.checkpoint import Checkpoint

FIT_SEED, HELD_OUT_SEED = 1, 2  # the generators' noise for fitting, and for judging
FIT_IMAGES, HELD_OUT_IMAGES = 10000, 2000  # each side's images (real and generated alike)


def real_images(data_dir: str | Path, n: int, *, train: bool) -> np.ndarray:
    """``n`` real MNIST digits, (n, 1, 28, 28) in [-1, 1]: training digits to fit on, test digits to judge on."""
    data = load_images("mnist", data_dir, train=train, download=False)
    idx = torch.randperm(len(data.images), generator=torch.Generator().manual_seed(0))[:n]
    return data.images[idx].numpy()


def generated_images(ckpt: Checkpoint, n: int, *, seed: int) -> np.ndarray:
    """``n`` samples of a generator (balanced classes for a conditional one), as ``python -m ganlab sample`` draws."""
    if tuple(ckpt.args.data_shape) != (1, 28, 28):
        raise ValueError(f"the detectors judge 28x28 grey images; {ckpt.config.data.name} is not")
    return generate(ckpt, n, seed=seed)[0]
