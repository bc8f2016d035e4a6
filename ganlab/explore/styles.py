"""Style mixing and truncation for a style-based generator (StyleGAN-lite): the paper's Figure 3 grid."""

from __future__ import annotations

import numpy as np
import torch



def style_mix(gen, z_a: torch.Tensor, z_b: torch.Tensor, crossover: int, *, truncation: float = 1.0,
              noise_seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A, B, mixed) images of a style-based generator (``Variant.style_blocks`` says which are), mixed taking
    the blocks before ``crossover`` from A's style and the rest from B's; the same noise for all three."""
    return gen.mix(z_a, z_b, crossover, truncation=truncation, noise_seed=noise_seed)


@torch.no_grad()
def mixing_grid(gen, z_a: torch.Tensor, z_b: torch.Tensor, crossover: int, *, truncation: float = 1.0,
                noise_seed: int = 0) -> np.ndarray:
    """The StyleGAN paper's grid as (len(z_b) + 1) x (len(z_a) + 1) images: the top row is the sources A
    (after a blank corner), the left column the sources B, and cell (j, i) takes blocks before
    ``crossover`` from A_i and the rest from B_j."""
    a = style_mix(gen, z_a, z_a, 0, truncation=truncation, noise_seed=noise_seed)[0]
    b = style_mix(gen, z_b, z_b, 0, truncation=truncation, noise_seed=noise_seed)[0]
    rows = [np.concatenate([np.full((1, *a.shape[1:]), -1.0, dtype=a.dtype), a])]
    for j in range(len(z_b)):
        _, _, mixed = style_mix(gen, z_a, z_b[j:j + 1].expand(len(z_a), -1), crossover, truncation=truncation,
                                noise_seed=noise_seed)
        rows.append(np.concatenate([b[j:j + 1], mixed]))
    return np.concatenate(rows)
