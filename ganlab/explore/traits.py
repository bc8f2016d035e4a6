"""What a translation between two kinds of thing keeps (DiscoGAN's point): simple, readable traits of
each image, and how well a translation's traits follow its inputs'.

On Fashion-MNIST's photos (a light product on black) an item is its pixels brighter than a tenth of
white. Its **size** is the share of the frame it covers; its **tone** the mean brightness of those
pixels (a black bag, a white sneaker); its **width** the share of the frame's width its widest
row spans minus that of its height (positive: wider than tall, as a shoe lying down); its **tilt**
the angle of its principal axis from the horizontal (the second moments of its brightness), in degrees.
"""

from __future__ import annotations

import numpy as np

TRAITS = ("size", "tone", "width", "tilt")
TRAIT_ABOUT = {
    "size": "share of the frame the item covers",
    "tone": "mean brightness of the item (0 black, 1 white)",
    "width": "its width minus its height, as shares of the frame (positive: wider than tall)",
    "tilt": "angle of its long axis from the horizontal, in degrees",
}
ITEM = 0.1  # a pixel brighter than this (0 black, 1 white) belongs to the item


def traits(images: np.ndarray) -> dict[str, np.ndarray]:
    """(N, 1, H, W) images in [-1, 1] -> each trait, (N,)."""
    x = (np.asarray(images, dtype=np.float64).reshape(len(images), *np.shape(images)[-2:]) + 1) / 2
    n, h, w = x.shape
    mask = x > ITEM
    area = mask.sum((1, 2))
    size = area / (h * w)
    tone = np.where(area > 0, (x * mask).sum((1, 2)) / np.maximum(area, 1), 0.0)
    cols, rows = mask.any(1), mask.any(2)
    width = cols.sum(1) / w - rows.sum(1) / h
    ys, xs = np.mgrid[0:h, 0:w]
    mass = x.sum((1, 2)) + 1e-9
    my, mx = (x * ys).sum((1, 2)) / mass, (x * xs).sum((1, 2)) / mass
    dy, dx = ys[None] - my[:, None, None], xs[None] - mx[:, None, None]
    cyy, cxx, cxy = ((x * dy * dy).sum((1, 2)) / mass, (x * dx * dx).sum((1, 2)) / mass,
                     (x * dx * dy).sum((1, 2)) / mass)
    tilt = np.degrees(0.5 * np.arctan2(2 * cxy, cxx - cyy))  # image rows grow downwards: positive is clockwise
    return {"size": size, "tone": tone, "width": width, "tilt": tilt}


def kept_traits(inputs: np.ndarray, outputs: np.ndarray) -> dict[str, float]:
    """Pearson's correlation of each trait between inputs and their translations (1: the trait carries over
    in order, 0: it is lost)."""
    before, after = traits(inputs), traits(outputs)
    out = {}
    for name in TRAITS:
        a, b = before[name], after[name]
        out[name] = float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else 0.0
    return out


def mean_pairwise_distance(images: np.ndarray, *, n: int = 1000, seed: int = 0) -> float:
    """Mean Euclidean distance between two different images of a set (on the [-1, 1] scale), over up to
    ``n`` of them chosen by ``seed``: how varied the set is (a collapsed generator's is near 0)."""
    x = np.asarray(images, dtype=np.float64).reshape(len(images), -1)
    if len(x) > n:
        x = x[np.random.default_rng(seed).choice(len(x), n, replace=False)]
    sq = (x * x).sum(1)
    d2 = np.clip(sq[:, None] + sq[None] - 2 * x @ x.T, 0, None)
    m = len(x)
    return float(np.sqrt(d2)[~np.eye(m, dtype=bool)].mean())
