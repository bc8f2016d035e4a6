"""Drawing samples from a trained generator, reproducibly from a seed."""

from __future__ import annotations

import numpy as np
import torch

from ganlab.core.models import sample_z
from ganlab.persist.checkpoint import Checkpoint


def balanced_labels(n: int, n_classes: int) -> torch.Tensor:
    """0, 1, ..., C-1, 0, 1, ...: every class appears n // C or n // C + 1 times."""
    return torch.arange(n) % n_classes


@torch.no_grad()
def generate(ckpt: Checkpoint, n: int, *, seed: int = 0, class_: int | None = None, device="cpu",
             batch: int = 2048, truncation: float = 1.0, text: str | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """``n`` samples as numpy: (n, 2) in data coordinates or (n, 1, 28, 28) in [-1, 1]; plus labels.

    Models with a class input (a conditional GAN's label, InfoGAN's categorical code) draw
    ``class_`` when given, else balanced classes; the labels returned are those class indices.
    A style-based model draws with the truncation trick at ``truncation`` psi; a text-to-image
    model draws the caption ``text`` (its labels: the digit it names). Raises ValueError for a
    class, a psi or a caption the model cannot take.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if truncation != 1.0 and not ckpt.variant.style_blocks(ckpt.args):
        raise ValueError(f"truncation applies to style-based models (stylegan), not {ckpt.variant.title}")
    if not 0.0 <= truncation <= 2.0:
        raise ValueError(f"truncation psi must be between 0 and 2, got {truncation}")
    if text is not None and not ckpt.variant.vocabulary(ckpt.args):
        raise ValueError(f"{ckpt.variant.title} does not draw from words; --text needs a text-to-image model (stackgan)")
    if not ckpt.variant.has_latent:  # a translation model: it maps inputs, here domain A's test inputs
        if class_ is not None:
            raise ValueError(f"{ckpt.variant.title} has no class input; it translates images")
        from ganlab.explore.translate import domain_inputs, translate

        x, labels = domain_inputs(ckpt.variant, ckpt.args, "a", n, seed=seed, data_dir=ckpt.config.data.data_dir)
        out = translate(ckpt.build_nets(device), ckpt.variant, x.to(device))
        return out.cpu().numpy(), (labels.numpy() if labels is not None else None)
    a = ckpt.args
    handle = ckpt.variant.class_handle
    if class_ is not None:
        if not a.n_classes:
            raise ValueError("this model is unconditional; it has no classes to choose from")
        if not 0 <= class_ < a.n_classes:
            raise ValueError(f"{handle} must be between 0 and {a.n_classes - 1}, got {class_}")
    gen = ckpt.build_generator(device)
    g = torch.Generator().manual_seed(seed)
    z = sample_z(n, a.z_dim, ckpt.config.model.latent, g, "cpu")
    labels = None
    if a.n_classes:
        labels = torch.full((n,), class_) if class_ is not None else balanced_labels(n, a.n_classes)
    cond = ckpt.variant.condition(a, labels, g)  # the labels, or InfoGAN's codes drawn with them
    if text is not None:
        from ganlab.data.captions import parse

        words, digit = parse(text)  # CaptionError (a ValueError) lists the words it knows
        cond, labels = words.expand(n, -1), torch.full((n,), digit)
    kwargs = {"truncation": truncation} if truncation != 1.0 else {}
    out = []
    for i in range(0, n, batch):
        y = cond[i:i + batch].to(device) if cond is not None else None
        out.append(gen(z[i:i + batch].to(device), y, **kwargs).float().cpu())
    x = torch.cat(out).numpy()
    if ckpt.config.data.scale == "0..1" and x.ndim == 4:  # images are written on the -1..1 scale
        x = x * 2 - 1
    return x, (labels.numpy() if labels is not None else None)
