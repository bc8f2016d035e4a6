"""An image set held whole on the training device, and the display names of a dataset's classes."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganlab.data.catalog import SUBSETS

_CLASS_NAMES = {
    "mnist": tuple(str(d) for d in range(10)),
    "digits8": tuple(str(d) for d in range(10)),
    "fashion-mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
}


@dataclass(frozen=True)
class ImageData:
    """A whole image set as one tensor on the training device, scaled to [-1, 1]."""

    name: str
    images: torch.Tensor  # (N, 1, 28, 28) float in [-1, 1]
    labels: torch.Tensor  # (N,) int64
    n_classes: int = 10
    names: tuple[str, ...] = ()  # class names of a user dataset (its folders)

    @property
    def device(self) -> torch.device:
        return self.images.device

    @property
    def data_shape(self) -> tuple[int, ...]:
        return tuple(self.images.shape[1:])

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.names or _CLASS_NAMES.get(self.name, tuple(str(k) for k in range(self.n_classes)))

    def batch(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        idx = torch.randint(len(self.images), (n,), generator=generator, device=self.device)
        return self.images[idx], self.labels[idx]

    def to(self, device) -> "ImageData":
        return ImageData(self.name, self.images.to(device), self.labels.to(device), self.n_classes, self.names)


def class_names(name: str, n_classes: int) -> tuple[str, ...]:
    """Display names of a dataset's classes (digits, clothing, or mixture components)."""
    if name in _CLASS_NAMES:
        return _CLASS_NAMES[name]
    if name in SUBSETS:
        whole, classes = SUBSETS[name]
        return tuple(_CLASS_NAMES[whole][k] for k in classes)
    return tuple(f"component {k}" for k in range(n_classes))
