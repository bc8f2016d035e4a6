"""Putting inputs through a translation model (pix2pix, CycleGAN): test inputs of either domain,
one direction or the round trip, and the per-pixel cycle error."""

from __future__ import annotations

import numpy as np
import torch

from ganlab.data.catalog import has_test_set
from ganlab.data.datasets import load_data, load_images
from ganlab.data.outline import outline


def domain_inputs(variant, args, side: str, n: int, *, seed: int = 0, data_dir=".", train: bool = False):
    """``n`` inputs of domain ``side`` ("a" or "b") of a translation model, chosen by ``seed``, and
    their labels (None for 2-D points): test images where the domain has a test set (MNIST), else
    its images or points. pix2pix's domain A is the outline of a digit."""
    t = variant.translation(args)
    name = t.a_data if side == "a" else t.b_data
    g = torch.Generator().manual_seed(int(seed))
    root = data_dir
    if len(args.data_shape) == 1:  # 2-D points: drawn from the mixture
        return load_data(name, root).batch(n, g)[0], None
    data = load_images(name, root, train=train, download=False) if has_test_set(name) else load_data(name, root)
    if n <= len(data.images):
        idx = torch.randperm(len(data.images), generator=g)[:n]  # n different images
    else:
        idx = torch.randint(len(data.images), (n,), generator=g)
    x, labels = data.images[idx], data.labels[idx]
    if side == "a" and t.outline_input:
        x = outline(x)
    return x, labels


@torch.no_grad()
def translate(nets: dict, variant, x: torch.Tensor, direction: str = "a2b", *, batch: int = 1000) -> torch.Tensor:
    """``x`` through the model in ``direction`` ("a2b", or "b2a" for a cycle model), in batches."""
    return torch.cat([variant.translate(nets, x[i:i + batch], direction).float() for i in range(0, len(x), batch)])


@torch.no_grad()
def round_trip(nets: dict, variant, x: torch.Tensor, direction: str = "a2b") -> tuple[torch.Tensor, torch.Tensor]:
    """A cycle model's translation of ``x`` and the way back: (G(x), F(G(x))) for a2b."""
    back = "b2a" if direction == "a2b" else "a2b"
    there = translate(nets, variant, x, direction)
    return there, translate(nets, variant, there, back)


def cycle_error(x: np.ndarray, back: np.ndarray) -> np.ndarray:
    """Per-pixel |F(G(x)) - x| on the [-1, 1] scale, halved to [0, 1]: the heat map of what the round trip lost."""
    return np.abs(np.asarray(back, dtype=np.float64) - np.asarray(x, dtype=np.float64)) / 2
