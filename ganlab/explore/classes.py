"""Rendering a generator for the exploration pages: grids by class, blends, latent paths."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ganlab.core.models import ModelArgs, sample_z


@torch.no_grad()
def render(gen: nn.Module, z: torch.Tensor, y: torch.Tensor | None = None) -> np.ndarray:
    """G(z[, y]) as numpy: (n, 2) points or (n, 1, 28, 28) images in [-1, 1]."""
    return gen(z, y).float().numpy()


def styles(args: ModelArgs, latent: str, n: int, seed: int) -> torch.Tensor:
    """``n`` fixed noises (the "style" half of a conditional sample), reproducible from ``seed``."""
    return sample_z(n, args.z_dim, latent, torch.Generator().manual_seed(int(seed)), "cpu")


def class_samples(gen: nn.Module, args: ModelArgs, latent: str, k: int, *, n: int = 16, seed: int = 0) -> np.ndarray:
    """``n`` samples of class ``k``."""
    _check_class(args, k)
    return render(gen, styles(args, latent, n, seed), torch.full((n,), int(k)))


def class_by_style(gen: nn.Module, args: ModelArgs, latent: str, *, n_styles: int = 8, seed: int = 0) -> np.ndarray:
    """Rows are classes, columns are fixed noises: (C * n_styles, ...). Same column, same z."""
    z = styles(args, latent, n_styles, seed).repeat(args.n_classes, 1)  # (C * S, z_dim)
    y = torch.arange(args.n_classes).repeat_interleave(n_styles)  # 0,0,..,1,1,..
    return render(gen, z, y)


def blend(gen: nn.Module, args: ModelArgs, latent: str, a: int, b: int, alpha: float, *, n: int = 8,
          seed: int = 0) -> np.ndarray:
    """Soft label (1 - alpha) * onehot(a) + alpha * onehot(b) with the same noises."""
    _check_class(args, a)
    _check_class(args, b)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"blend must be between 0 and 1, got {alpha}")
    y = torch.zeros(n, args.n_classes)
    y[:, a] += 1 - alpha
    y[:, b] += alpha
    return render(gen, styles(args, latent, n, seed), y)


def _check_class(args: ModelArgs, k: int) -> None:
    if not args.n_classes:
        raise ValueError("this model is unconditional: it has no class input")
    if not 0 <= int(k) < args.n_classes:
        raise ValueError(f"class must be between 0 and {args.n_classes - 1}, got {k}")
