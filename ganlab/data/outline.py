"""A digit's outline, the input pix2pix learns to fill in (the paired data is made from MNIST on the fly).

On images u in [0, 1], with 3x3 max and min filters (stride 1, padding 1):

    edge(u) = maxpool3x3(u) - minpool3x3(u),   minpool3x3(u) = -maxpool3x3(-u)

edge(u) is near 1 where a stroke meets the background and 0 inside a stroke and in the background:
a morphological gradient (dilation minus erosion). Padding with -inf for the max and +inf for the
min, as max pooling does, so the border adds no edge of its own.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def edge(u: torch.Tensor) -> torch.Tensor:
    """The outline of images ``u`` (B, C, H, W) in [0, 1]; the same shape, in [0, 1]."""
    return F.max_pool2d(u, 3, stride=1, padding=1) + F.max_pool2d(-u, 3, stride=1, padding=1)


def outline(x: torch.Tensor) -> torch.Tensor:
    """The outline of images ``x`` in [-1, 1] (the project's scale), as an image in [-1, 1]:
    edge((x + 1) / 2) * 2 - 1."""
    return edge((x + 1) / 2) * 2 - 1
