"""DesignGAN's loop on a conditional generator: draw new designs of a chosen kind, keep one, and vary it:
its neighbours in z, a slider along a principal direction of that kind (GANSpace's, ``principal_directions``
computed with the kind's label), and a blend into another kind with the same z (a soft label). A design is
a (z, label) pair: the page keeps the pair, so every variation starts from the same noise."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ganlab.core.models import ModelArgs
from ganlab.explore.classes import render, styles
from ganlab.explore.latent import principal_directions

MAX_DESIGNS = 64  # designs one grid draws
DIRECTIONS = 6  # principal directions a kind offers


@dataclass(frozen=True)
class Design:
    """One design: its noise, its kind and, for a blend, a second kind and how far towards it."""

    z: torch.Tensor  # (z_dim,)
    kind: int
    other: int | None = None
    blend: float = 0.0

    def label(self, n_classes: int) -> torch.Tensor:
        """(1, C) soft label: (1 - blend) onehot(kind) + blend onehot(other)."""
        y = torch.zeros(1, n_classes)
        y[0, self.kind] += 1 - self.blend
        if self.other is not None:
            y[0, self.other] += self.blend
        else:
            y[0, self.kind] += self.blend
        return y


def check_kind(args: ModelArgs, k: int) -> int:
    if not args.n_classes:
        raise ValueError("designs need a conditional model: this one has no class input")
    if not 0 <= int(k) < args.n_classes:
        raise ValueError(f"kind must be between 0 and {args.n_classes - 1}, got {k}")
    return int(k)


def new_designs(args: ModelArgs, latent: str, kind: int, *, n: int = 16, seed: int = 0) -> list[Design]:
    """``n`` designs of ``kind``, one per noise of ``seed``'s draw (the same seed, the same designs)."""
    if not 1 <= n <= MAX_DESIGNS:
        raise ValueError(f"a grid draws 1 to {MAX_DESIGNS} designs, got {n}")
    kind = check_kind(args, kind)
    return [Design(z, kind) for z in styles(args, latent, n, seed)]


def draw(gen: nn.Module, args: ModelArgs, designs: list[Design]) -> np.ndarray:
    """The designs' images, (n, 1, H, W) in [-1, 1]."""
    z = torch.stack([d.z for d in designs])
    y = torch.cat([d.label(args.n_classes) for d in designs])
    return render(gen, z, y)


def neighbours(design: Design, *, n: int = 8, radius: float = 0.5, seed: int = 0) -> list[Design]:
    """``n`` designs near ``design`` in z: its noise plus ``radius`` times fresh Gaussian noise."""
    if not 0 < radius <= 3:
        raise ValueError(f"radius must be in (0, 3], got {radius}")
    g = torch.Generator().manual_seed(int(seed))
    return [Design(design.z + radius * torch.randn(design.z.shape, generator=g), design.kind, design.other,
                   design.blend) for _ in range(n)]


def kind_directions(gen: nn.Module, args: ModelArgs, latent: str, kind: int, *, k: int = DIRECTIONS,
                    seed: int = 0) -> tuple[torch.Tensor, np.ndarray]:
    """The principal directions of one kind's designs: (k, z_dim) unit directions in z and the share of
    the kind's pixel variance each explains."""
    kind = check_kind(args, kind)
    return principal_directions(gen, args.z_dim, latent, k=k, n=1000, seed=seed, y=torch.tensor([kind]))


def moved(design: Design, direction: torch.Tensor, amount: float) -> Design:
    """``design`` with ``amount`` (latent units) along ``direction`` added to its noise."""
    return Design(design.z + float(amount) * direction, design.kind, design.other, design.blend)


def sweep(design: Design, direction: torch.Tensor, *, reach: float = 3.0, n: int = 7) -> list[Design]:
    """``n`` designs from -reach to +reach along ``direction``, the kept one in the middle."""
    return [moved(design, direction, t) for t in np.linspace(-reach, reach, n)]


def blends(design: Design, other: int, *, n: int = 8) -> list[Design]:
    """``design``'s noise from its own kind to ``other``, in ``n`` steps (the same z throughout)."""
    return [Design(design.z, design.kind, other, float(t)) for t in np.linspace(0, 1, n)]


def png(image: np.ndarray, *, scale: int = 8) -> bytes:
    """One (1, H, W) image in [-1, 1] as PNG bytes, each pixel ``scale`` x ``scale`` (a 28x28 design: 224x224)."""
    from PIL import Image

    grey = np.clip((np.asarray(image)[0] + 1) * 127.5, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(grey.repeat(scale, 0).repeat(scale, 1), mode="L").save(buf, format="PNG")
    return buf.getvalue()
