"""Rendering a generator for the exploration pages: grids by class (or categorical code), blends,
and sweeps of a continuous code (InfoGAN's headline figure)."""

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


def code_sweep(gen: nn.Module, variant, args: ModelArgs, z: torch.Tensor, code: int, values) -> np.ndarray:
    """InfoGAN's figure: rows are ``values`` of continuous code ``code``, columns the categorical code's
    values, z fixed (and the other continuous codes at 0): (len(values) * K, ...) images."""
    values = torch.as_tensor(values, dtype=torch.float32)
    k, n_codes = args.n_classes, len(variant.codes(args))
    if not 0 <= code < n_codes:
        raise ValueError(f"this model has {n_codes} continuous code(s); no code {code}")
    cont = torch.zeros(len(values) * k, n_codes)
    cont[:, code] = values.repeat_interleave(k)  # row r: value r, for every categorical code
    cat = torch.arange(k).repeat(len(values))
    return render(gen, z.reshape(1, -1).expand(len(cat), -1), variant.code_vector(args, cat, cont))


def with_codes(gen: nn.Module, variant, args: ModelArgs, z: torch.Tensor, k: int, values) -> np.ndarray:
    """G(z, c) for categorical code ``k`` and continuous codes ``values`` (one image per row of z)."""
    z = z.reshape(-1, args.z_dim)
    cont = torch.as_tensor(values, dtype=torch.float32).reshape(1, -1).expand(len(z), -1)
    return render(gen, z, variant.code_vector(args, torch.full((len(z),), int(k)), cont))
