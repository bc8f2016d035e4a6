"""Precision, recall, density and coverage (ganlab.evaluation.manifold) on cases whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest

from ganlab.evaluation import manifold
from ganlab.evaluation.manifold import manifold_figures


def ring(n: int, radius: float = 1.0, phase: float = 0.0) -> np.ndarray:
    angle = phase + 2 * np.pi * np.arange(n) / n
    return np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)


def test_a_set_against_itself():
    """Every sample is in its own ball: precision, recall and coverage 1."""
    x = np.random.default_rng(1).normal(size=(200, 3))
    out = manifold_figures(x, x)
    assert out["precision"] == out["recall"] == out["coverage"] == 1.0


def reference(real: np.ndarray, fake: np.ndarray) -> dict:
    """The papers' definitions, one sample at a time (Kynkäänniemi et al. 2019, eq. 1-2; Naeem et al. 2020,
    eq. 5-6)."""
    def radius(x, i, k):
        return np.sort(np.linalg.norm(x - x[i], axis=1))[k]  # the k-th nearest other point (index 0 is itself)

    def ball(x, i, k, y):
        return np.linalg.norm(y - x[i]) <= radius(x, i, k)

    n, m = len(real), len(fake)
    return {"precision": np.mean([any(ball(real, i, 3, f) for i in range(n)) for f in fake]),
            "recall": np.mean([any(ball(fake, j, 3, r) for j in range(m)) for r in real]),
            "density": np.mean([sum(ball(real, i, 5, f) for i in range(n)) for f in fake]) / 5,
            "coverage": np.mean([any(ball(real, i, 5, f) for f in fake) for i in range(n)])}




def test_a_collapsed_generator_is_precise_and_misses_half():
    """Real data: two far-apart circles; generated: only the first. Every sample is realistic (precision 1),
    half of the data has nothing generated near it (recall and coverage 0.5)."""
    a, b = ring(50), ring(50) + 10.0
    out = manifold_figures(np.concatenate([a, b]), a.copy())
    assert out["precision"] == 1.0 and out["recall"] == 0.5 and out["coverage"] == 0.5


def test_samples_nowhere_near_the_data():
    out = manifold_figures(ring(40), ring(40) + 100.0)
    assert out == {"precision": 0.0, "recall": 0.0, "density": 0.0, "coverage": 0.0}


def test_chunks_change_nothing(monkeypatch):
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(300, 5)), rng.normal(0.3, 1.2, size=(250, 5))
    whole = manifold_figures(real, fake)
    monkeypatch.setattr(manifold, "CHUNK", 7)
    assert manifold_figures(real, fake) == pytest.approx(whole)
    assert 0 < whole["precision"] < 1 and 0 < whole["recall"] < 1


@pytest.mark.parametrize("dims", [2, 5])  # k-d trees for points, distance matrices for features
def test_both_ways_are_the_papers_definitions(dims):
    rng = np.random.default_rng(dims)
    real, fake = rng.normal(size=(70, dims)), rng.normal(0.4, 0.9, size=(60, dims))
    got, want = manifold_figures(real, fake), reference(real, fake)
    for key in want:
        assert got[key] == pytest.approx(want[key], abs=1e-6), key
