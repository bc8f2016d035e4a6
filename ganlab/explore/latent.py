"""Walking the latent space: seeds, interpolation, principal directions, loops (their GIFs: ``ganlab.views.animation``)."""

from __future__ import annotations

import numpy as np
import torch

from ganlab.core.models import sample_z


def z_for_seed(seed: int, z_dim: int, latent: str = "normal") -> torch.Tensor:
    """The latent (z_dim,) that ``seed`` names: the same picture every time."""
    return sample_z(1, z_dim, latent, torch.Generator().manual_seed(int(seed)), "cpu")[0]


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Straight line: (1 - t) z0 + t z1 for each t; (T,) -> (T, z_dim)."""
    t = t[:, None]
    return (1 - t) * z0 + t * z1


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation (White, "Sampling Generative Networks", 2016).

    Follows the great circle between the two directions, with the norm
    interpolated linearly, so the path stays near the shell where a
    high-dimensional Gaussian puts its mass; lerp's midpoints fall inside it.
    """
    n0, n1 = z0.norm(), z1.norm()
    u0, u1 = z0 / n0, z1 / n1
    omega = torch.arccos(torch.clamp((u0 * u1).sum(), -1.0, 1.0))
    if omega.abs() < 1e-6:
        return lerp(z0, z1, t)
    t = t[:, None]
    direction = (torch.sin((1 - t) * omega) * u0 + torch.sin(t * omega) * u1) / torch.sin(omega)
    return direction * ((1 - t) * n0 + t * n1)


INTERPOLATIONS = {"lerp": lerp, "slerp": slerp}


def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int, mode: str = "slerp") -> torch.Tensor:
    if steps < 2:
        raise ValueError("an interpolation needs at least 2 steps")
    return INTERPOLATIONS[mode](z0, z1, torch.linspace(0, 1, steps))


def loop(z0: torch.Tensor, z1: torch.Tensor, steps: int) -> torch.Tensor:
    """A closed great-circle loop through z0 in the plane of z0 and z1: ends where it starts."""
    a = z0
    b = z1 - (z1 @ z0) / (z0 @ z0) * z0  # orthogonal to z0, scaled to z0's norm
    b = b / b.norm().clamp_min(1e-8) * z0.norm()
    theta = torch.linspace(0, 2 * np.pi, steps + 1)[:-1, None]
    return torch.cos(theta) * a + torch.sin(theta) * b


def random_walk(z0: torch.Tensor, steps: int, *, step_size: float = 0.15, seed: int = 0) -> torch.Tensor:
    """Small Gaussian steps pulled back towards the prior's shell: (steps, z_dim)."""
    g = torch.Generator().manual_seed(seed)
    shell = z0.numel() ** 0.5
    out, z = [], z0.clone()
    for _ in range(steps):
        z = z + step_size * torch.randn(z.shape, generator=g)
        z = z * (1 + 0.1 * (shell / z.norm().clamp_min(1e-8) - 1))
        out.append(z.clone())
    return torch.stack(out)


@torch.no_grad()
def principal_directions(gen: torch.nn.Module, z_dim: int, latent: str, *, k: int = 8, n: int = 2000,
                         seed: int = 0, y: torch.Tensor | None = None) -> tuple[torch.Tensor, np.ndarray]:
    """GANSpace-style directions (Härkönen et al., NeurIPS 2020), computed on the generator's outputs.

    Sample n latents, take PCA of the outputs G(z), then regress z on the top-k PC
    coordinates: each regression row is the latent direction that moves the output
    along one principal component. Returns (k, z_dim) unit directions and the share
    of output variance each component explains.
    """
    z = sample_z(n, z_dim, latent, torch.Generator().manual_seed(seed), "cpu")
    out = gen(z, y if y is None else y[:1].expand(n, *y.shape[1:])).flatten(1).double()  # (n, D)
    centred = out - out.mean(0)
    k = min(k, z_dim, centred.shape[1])
    u, s, v = torch.linalg.svd(centred, full_matrices=False)
    coords = centred @ v[:k].T  # (n, k)
    directions = torch.linalg.lstsq(coords, z.double()).solution  # (k, z_dim): z ~ coords @ directions
    directions = directions / directions.norm(dim=1, keepdim=True).clamp_min(1e-12)
    explained = (s[:k] ** 2 / (s ** 2).sum()).numpy()
    return directions.float(), explained
