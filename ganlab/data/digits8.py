"""scikit-learn's 8x8 handwritten digits, as a 28x28 image set: a second domain of digits that ships
with a package, so it works offline.

``sklearn.datasets.load_digits``: 1,797 images of 8x8 pixels with values 0-16, from 43 writers
(the UCI "Optical Recognition of Handwritten Digits" set, not MNIST's writers). Scaled to [-1, 1]
as v / 8 - 1 and resized to 28x28 with ``torch.nn.functional.interpolate(mode="bilinear",
align_corners=False)``: the second domain of the MNIST <-> 8x8 digits CycleGAN, and a small
dataset any model can train on.
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


def to_28(images8: torch.Tensor) -> torch.Tensor:
    """(N, 1, 8, 8) values 0-16 -> (N, 1, 28, 28) in [-1, 1]: scaled, then bilinear interpolation."""
    x = images8 / 8.0 - 1.0  # 0..16 -> -1..1
    return F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)


def load_digits8(device="cpu") -> ImageData:
    images, labels = digits8_arrays()
    return ImageData("digits8", to_28(images).to(device), labels.to(device))
