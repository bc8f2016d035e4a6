"""Quality and variety apart: precision and recall of generated samples against real ones (Kynkäänniemi,
Karras, Laine, Lehtinen & Aila, "Improved Precision and Recall Metric for Assessing Generative Models",
NeurIPS 2019), and density and coverage (Naeem, Oh, Uh, Choi & Yoo, "Reliable Fidelity and Diversity Metrics
for Generative Models", ICML 2020).

Each set of samples stands for a manifold: the union of balls around its points, each ball reaching the
point's k-th nearest neighbour in the same set. Then

* **precision**: the share of generated samples inside the real manifold (are they realistic?);
* **recall**: the share of real samples inside the generated manifold (is all of the data's variety there?);
* **density**: how many real balls contain each generated sample, over k, averaged (about 1 when the two
  sets match; above 1 where samples crowd the densest real regions);
* **coverage**: the share of real samples whose own ball holds a generated sample (a steadier recall).

A collapsed generator scores high precision and low recall: its few kinds of samples are realistic, and
most of the data is nowhere near them. Computed on the points themselves for 1-D and 2-D data (with k-d
trees, a few milliseconds for 2,500 points), on the project's LeNet features for images (distance matrices
in chunks); with k = 3 for precision and recall (the first paper's) and k = 5 for density and coverage (the
second's).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial import cKDTree

K_PR = 3  # Kynkäänniemi et al.'s k
K_DC = 5  # Naeem et al.'s k
CHUNK = 2048
LOW_DIM = 3  # up to this many dimensions, k-d trees


class RealManifold:
    """The real samples' balls, made once (a run's fixed real batch, or a test set's features)."""

    def __init__(self, real: np.ndarray):
        self.real = np.asarray(real, dtype=np.float64 if _low(real) else np.float32).reshape(len(real), -1)
        if len(self.real) <= K_DC:
            raise ValueError(f"manifold figures need more than {K_DC} real samples")
        if _low(self.real):
            self.tree = cKDTree(self.real)
            nearest = self.tree.query(self.real, k=K_DC + 1)[0]  # (N, 6): itself (0) first
        else:
            self.torch = torch.from_numpy(self.real)
            nearest = _nearest(self.torch, K_DC + 1).numpy()
        self.r_pr, self.r_dc = nearest[:, K_PR], nearest[:, K_DC]

    def figures(self, fake: np.ndarray) -> dict[str, float]:
        """Precision, recall, density and coverage of ``fake`` against these real samples."""
        fake = np.asarray(fake, dtype=self.real.dtype).reshape(len(fake), -1)
        if len(fake) <= K_PR:
            raise ValueError(f"manifold figures need more than {K_PR} generated samples")
        return self._low(fake) if _low(self.real) else self._high(fake)

    def _low(self, fake: np.ndarray) -> dict[str, float]:
        ft = cKDTree(fake)
        r_fake = ft.query(fake, k=K_PR + 1)[0][:, K_PR]
        near = ft.sparse_distance_matrix(self.tree, max_distance=float(max(self.r_pr.max(), self.r_dc.max())),
                                         output_type="ndarray")  # every (generated i, real j) pair close enough
        i, j, d = near["i"], near["j"], near["v"]
        realistic = np.zeros(len(fake), bool)
        realistic[i[d <= self.r_pr[j]]] = True
        in_dc = d <= self.r_dc[j]
        covered = np.zeros(len(self.real), bool)
        covered[j[in_dc]] = True
        back = self.tree.sparse_distance_matrix(ft, max_distance=float(r_fake.max()), output_type="ndarray")
        found = np.zeros(len(self.real), bool)
        found[back["i"][back["v"] <= r_fake[back["j"]]]] = True
        return {"precision": float(realistic.mean()), "recall": float(found.mean()),
                "density": float(np.bincount(i[in_dc], minlength=len(fake)).mean() / K_DC),
                "coverage": float(covered.mean())}

    def _high(self, fake: np.ndarray) -> dict[str, float]:
        r, f = self.torch, torch.from_numpy(fake)
        r_pr, r_dc = torch.from_numpy(self.r_pr), torch.from_numpy(self.r_dc)
        r_fake = _nearest(f, K_PR + 1)[:, K_PR]
        realistic = torch.zeros(len(f), dtype=torch.bool)
        in_dc = torch.zeros(len(f))
        found = torch.zeros(len(r), dtype=torch.bool)
        covered = torch.zeros(len(r), dtype=torch.bool)
        for s in range(0, len(r), CHUNK):
            d = torch.cdist(r[s:s + CHUNK], f)  # (chunk of real, M)
            realistic |= (d <= r_pr[s:s + CHUNK, None]).any(0)
            in_dc += (d <= r_dc[s:s + CHUNK, None]).sum(0)
            found[s:s + CHUNK] = (d <= r_fake[None, :]).any(1)
            covered[s:s + CHUNK] = d.min(1).values <= r_dc[s:s + CHUNK]
        return {"precision": float(realistic.float().mean()), "recall": float(found.float().mean()),
                "density": float(in_dc.mean() / K_DC), "coverage": float(covered.float().mean())}


def _low(x: np.ndarray) -> bool:
    return np.asarray(x).reshape(len(x), -1).shape[1] <= LOW_DIM


def _nearest(x: torch.Tensor, k: int) -> torch.Tensor:
    """Each point's distances to its ``k`` nearest points of the same set, itself first (N, k)."""
    k = min(k, len(x))
    return torch.cat([torch.cdist(x[s:s + CHUNK], x).topk(k, dim=1, largest=False).values
                      for s in range(0, len(x), CHUNK)])


def manifold_figures(real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """Precision, recall, density and coverage of ``fake`` (M, ...) against ``real`` (N, ...)."""
    return RealManifold(real).figures(fake)
