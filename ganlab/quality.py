"""Sample quality on 2-D mixtures with known modes: the PacGAN metric.

Lin et al., "PacGAN: The power of two samples in generative adversarial
networks" (NeurIPS 2018), section 5: a sample is *high quality* if its
sigma-scaled distance to the nearest mode is below 3; a mode is *covered* if at
least one high-quality sample is nearest to it; the reverse KL compares the
mode histogram of the high-quality samples with the uniform distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ModeQuality:
    modes_covered: int
    n_modes: int
    high_quality: float  # share of samples within 3 sigma of a mode
    reverse_kl: float  # sum p log(p / q) over covered modes, q uniform

    def as_dict(self) -> dict:
        return {"modes_covered": self.modes_covered, "n_modes": self.n_modes,
                "high_quality": self.high_quality, "reverse_kl": self.reverse_kl}


def mode_quality(samples: np.ndarray, modes: np.ndarray, sigma: float, *, threshold: float = 3.0) -> ModeQuality:
    """PacGAN's metric for (N, 2) ``samples`` against (K, 2) ``modes`` with std ``sigma``."""
    samples = np.asarray(samples, dtype=np.float64)
    modes = np.asarray(modes, dtype=np.float64)
    dist = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=2)  # (N, K)
    nearest = dist.argmin(1)
    good = dist[np.arange(len(samples)), nearest] / sigma < threshold
    counts = np.bincount(nearest[good], minlength=len(modes))
    covered = int((counts > 0).sum())
    if good.any():
        p = counts[counts > 0] / counts.sum()
        reverse_kl = float((p * np.log(p * len(modes))).sum())
    else:
        reverse_kl = float("inf")
    return ModeQuality(covered, len(modes), float(good.mean()) if len(samples) else 0.0, reverse_kl)
