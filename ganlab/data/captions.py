"""Captions made from MNIST itself, for the text-to-image StackGAN-lite: the digit's name and two
attributes measured from the image.

On a digit u = (x + 1) / 2 in [0, 1] (rows r counted down, columns c across), with m = sum u:

* **thickness**: the ink mass, ink(u) = mean of u over the 784 pixels. "bold" if it is above the
  median ink of the training digits of the same class, else "thin";
* **slant**: the shear of the ink's second moments, s = -mu_rc / mu_rr with
  mu_rc = sum u (r - r_mean)(c - c_mean) / m and mu_rr = sum u (r - r_mean)^2 / m; s > 0 when the
  top leans right. "slanted" if |s| is above the median |s| of the training digits of the same
  class, else "upright".

The vocabulary is the digit names ``zero`` ... ``nine``, ``thin``, ``bold``, ``upright`` and
``slanted``; "a", "an" and "the" are allowed and ignored, and word order is free: a caption is a
bag of words. A caption names exactly one digit and at most one word of each attribute.
"""

from __future__ import annotations

import re

import torch

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
THICKNESS = ("thin", "bold")
SLANT = ("upright", "slanted")
VOCABULARY = DIGITS + THICKNESS + SLANT
IGNORED = ("a", "an", "the")


class CaptionError(ValueError):
    """A caption this model cannot read; the message lists the words it knows."""


def ink(x: torch.Tensor) -> torch.Tensor:
    """Ink mass of images in [-1, 1]: (B, 1, 28, 28) -> (B,), the mean of (x + 1) / 2."""
    return ((x + 1) / 2).flatten(1).mean(1)


def slant(x: torch.Tensor) -> torch.Tensor:
    """The shear s = -mu_rc / mu_rr of each image's ink (B,); 0 for a blank image."""
    u = ((x + 1) / 2)[:, 0].double()  # (B, H, W)
    h, w = u.shape[1:]
    r = torch.arange(h, dtype=torch.float64)[None, :, None]
    c = torch.arange(w, dtype=torch.float64)[None, None, :]
    m = u.sum((1, 2)).clamp_min(1e-9)
    r_mean, c_mean = (u * r).sum((1, 2)) / m, (u * c).sum((1, 2)) / m
    dr, dc = r - r_mean[:, None, None], c - c_mean[:, None, None]
    mu_rc, mu_rr = (u * dr * dc).sum((1, 2)) / m, (u * dr * dr).sum((1, 2)) / m
    return (-mu_rc / mu_rr.clamp_min(1e-9)).float()


def attribute_thresholds(images: torch.Tensor, labels: torch.Tensor, n_classes: int = 10) -> torch.Tensor:
    """(K, 2): each class's median ink and median |slant|, the boundaries between the attribute words."""
    i, s = ink(images), slant(images).abs()
    return torch.stack([torch.stack([i[labels == k].median(), s[labels == k].median()]) for k in range(n_classes)])


def attributes(images: torch.Tensor, labels: torch.Tensor, thresholds: torch.Tensor) -> torch.Tensor:
    """(B, 2) word indices: thickness (0 thin, 1 bold) and slant (0 upright, 1 slanted) of each image."""
    t = thresholds.to(images.device)[labels]
    return torch.stack([(ink(images) > t[:, 0]).long(), (slant(images).abs() > t[:, 1]).long()], 1)


def bag(digit: torch.Tensor, thickness: torch.Tensor | None = None, slanted: torch.Tensor | None = None) -> torch.Tensor:
    """(B, V) multi-hot captions: the digit's word, and the attribute words where given (-1: left out)."""
    out = torch.zeros(len(digit), len(VOCABULARY), device=digit.device)
    out[torch.arange(len(digit)), digit] = 1.0
    for words, offset in ((thickness, len(DIGITS)), (slanted, len(DIGITS) + len(THICKNESS))):
        if words is not None:
            keep = words >= 0
            out[torch.arange(len(digit))[keep], offset + words[keep]] = 1.0
    return out


def parse(text: str) -> tuple[torch.Tensor, int]:
    """A typed caption as its (V,) multi-hot bag and the digit it names; CaptionError otherwise."""
    words = [w for w in re.findall(r"[a-z]+", str(text).lower()) if w not in IGNORED]
    unknown = sorted({w for w in words if w not in VOCABULARY})
    if unknown:
        raise CaptionError(f"unknown word(s): {', '.join(unknown)}. The words this model knows: "
                           f"{', '.join(VOCABULARY)} (and a, an, the)")
    digits = [w for w in words if w in DIGITS]
    if len(set(digits)) != 1:
        raise CaptionError("a caption names exactly one digit (zero ... nine), for example 'a bold slanted seven'; "
                           f"this one names {len(set(digits)) or 'none'}")
    for group in (THICKNESS, SLANT):
        if len({w for w in words if w in group}) > 1:
            raise CaptionError(f"a caption takes at most one of {' / '.join(group)}")
    vec = torch.zeros(len(VOCABULARY))
    for w in words:
        vec[VOCABULARY.index(w)] = 1.0
    return vec, DIGITS.index(digits[0])


def describe(vec: torch.Tensor) -> str:
    """The words of a multi-hot caption, attributes first: "bold slanted seven"."""
    words = [VOCABULARY[i] for i in vec.nonzero().flatten().tolist()]
    return " ".join(sorted(words, key=lambda w: w in DIGITS))
