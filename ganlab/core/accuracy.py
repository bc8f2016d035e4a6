"""How often a classifier is right: for D's heads (ACGAN's, the semi-supervised GAN's, InfoGAN's Q)."""

from __future__ import annotations

import torch


@torch.no_grad()
def accuracy(classify, images: torch.Tensor, labels: torch.Tensor, batch: int = 1000) -> float:
    """Share of ``images`` whose arg-max class under ``classify(images) -> (B, K) logits`` is the label."""
    hits = sum(int((classify(images[i:i + batch]).argmax(1) == labels[i:i + batch]).sum())
               for i in range(0, len(images), batch))
    return hits / len(images)
