"""The binary cross-entropy by parts, which the course's first question draws with the live run's D(x) and
D(G(z)) on it (the question itself is a lesson: ganlab/classroom/lessons.toml)."""

from __future__ import annotations

import numpy as np


def bce_curves(n: int = 200) -> dict[str, np.ndarray]:
    """The binary cross-entropy -[y log p + (1 - y) log(1 - p)] over p in (0, 1), for y = 1 and y = 0."""
    p = np.linspace(0.001, 0.999, n)
    return {"p": p, "y = 1 (real)": -np.log(p), "y = 0 (fake)": -np.log(1 - p)}


def bce(y: float, p: float) -> float:
    p = min(max(p, 1e-7), 1 - 1e-7)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)))
