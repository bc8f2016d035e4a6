"""Headless figures for a style-based model (StyleGAN-lite): where identity lives and where style lives."""

from __future__ import annotations

import torch

from ganlab.core.models import sample_z
from ganlab.evaluation.classifier import predict
from ganlab.explore.styles import style_mix


@torch.no_grad()
def mixing_figures(ckpt, judge, *, pairs: int = 1000, seed: int = 0) -> dict:
    """For ``pairs`` pairs (A, B) and every crossover K: the share of mixed images (blocks before K from A,
    the rest from B) that the LeNet reads as A's digit, and as B's. K = 1 keeps only the coarsest block's
    style from A."""
    gen = ckpt.build_generator("cpu")
    z = sample_z(2 * pairs, ckpt.args.z_dim, ckpt.config.model.latent, torch.Generator().manual_seed(seed), "cpu")
    blocks = ckpt.variant.style_blocks(ckpt.args)
    out = {}
    a_img, b_img, _ = style_mix(gen, z[:pairs], z[pairs:], 0)
    label_a, _ = predict(judge.clf, a_img)
    label_b, _ = predict(judge.clf, b_img)
    for k in range(len(blocks) + 1):
        mixed = style_mix(gen, z[:pairs], z[pairs:], k)[2]
        pred, _ = predict(judge.clf, mixed)
        out[f"crossover {k}: label of A"] = float((pred == label_a).mean())
        out[f"crossover {k}: label of B"] = float((pred == label_b).mean())
    out["mixing_pairs"] = pairs
    return out
