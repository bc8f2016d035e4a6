"""scikit-learn's 8x8 handwritten digits, as a 28x28 image set: a second domain of digits that ships
with a package, so it works offline.

``sklearn.datasets.load_digits``: 1,797 images of 8x8 pixels with values 0-16, from 43 writers
(the UCI "Optical Recognition of Handwritten Digits" set, not MNIST's writers). Framed the way
MNIST frames its digits (LeCun et al.: each NIST digit size-normalised into a 20x20 box and centred
by its centre of mass in a 28x28 image): the 8x8 image, scaled from 0-16 to [0, 1], is resized to
20x20 with ``torch.nn.functional.interpolate(mode="bilinear", align_corners=False)`` and placed
so that its centre of mass falls on the 28x28 image's centre (14, 14), to the nearest whole pixel, then scaled
to [-1, 1].
The second domain of the MNIST <-> 8x8 digits CycleGAN, which then has the handwriting to change
and not the framing (an 8x8 digit fills its frame; blown up to 28x28 it would sit where no MNIST
digit does), and a small dataset any model can train on.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab.data.image_data import ImageData
from ganlab.errors import DatasetUnavailable


def digits8_arrays() -> tuple[torch.Tensor, torch.Tensor]:
    """(1797, 1, 8, 8) values 0-16 as float, and (1797,) labels, straight from scikit-learn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as err:  # scikit-learn is in requirements.txt; say so if it is missing
        raise DatasetUnavailable("digits8 needs scikit-learn: pip install -r requirements.txt") from err
    digits = load_digits()
    return (torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1),
            torch.tensor(digits.target, dtype=torch.long))


BOX, SIDE = 20, 28  # MNIST's box and image


def to_28(images8: torch.Tensor) -> torch.Tensor:
    """(N, 1, 8, 8) values 0-16 -> (N, 1, 28, 28) in [-1, 1], framed as MNIST (the module's docstring)."""
    ink = F.interpolate(images8 / 16.0, size=(BOX, BOX), mode="bilinear", align_corners=False)
    mass = ink.sum((1, 2, 3)).clamp_min(1e-6)
    grid = torch.arange(BOX, dtype=ink.dtype) + 0.5  # pixel centres
    centre_y = (ink.sum((1, 3)) * grid).sum(1) / mass
    centre_x = (ink.sum((1, 2)) * grid).sum(1) / mass
    top = (SIDE / 2 - centre_y).round().clamp(0, SIDE - BOX).long()
    left = (SIDE / 2 - centre_x).round().clamp(0, SIDE - BOX).long()
    out = torch.zeros(len(ink), 1, SIDE, SIDE, dtype=ink.dtype)
    for i, (y, x) in enumerate(zip(top.tolist(), left.tolist())):
        out[i, :, y:y + BOX, x:x + BOX] = ink[i]
    return out * 2 - 1


def load_digits8(device="cpu") -> ImageData:
    images, labels = digits8_arrays()
    return ImageData("digits8", to_28(images).to(device), labels.to(device))
