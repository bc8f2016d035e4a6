"""What the 2-D and 1-D lab views draw, computed from a live trainer (GAN Lab's layers, in PyTorch).

* the discriminator's decision surface D(x) over the visible plane (or line);
* the generator's manifold: a regular latent grid pushed through G (a warped mesh);
* the generator's push on each fake sample, -dL_G/dx: where the generator loss moves it;
* for 1-D data, the z -> x mapping of Goodfellow et al. (2014), Figure 1.

Everything is computed under the trainer's lock on its device and returned as numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

SURFACE_RES = 60  # cells per axis of the D(x) heat map
MESH_RES = 21  # latent grid lines per axis
N_ARROWS = 150  # fake samples that carry a gradient arrow
N_MAPPING = 40  # z -> x lines in the 1-D view


@dataclass(frozen=True)
class LabView:
    step: int
    extent: float
    axis: np.ndarray  # (R,) coordinates along each axis of the surface grid
    surface: np.ndarray  # (R, R) D(x) as a probability, [row = y, column = x]; (R,) on the line
    mesh: np.ndarray  # (M, M, 2) G of a latent grid; (M, 1) ... for 1-D latents a (M, 2) polyline
    mesh_note: str
    arrows_at: np.ndarray  # (A, d) fake samples
    arrows: np.ndarray  # (A, d) -dL_G/dx at those samples
    mapping_z: np.ndarray | None  # (N,) latent values (1-D view), else None
    mapping_x: np.ndarray | None  # (N,) G(z) for those values
    cycle: np.ndarray | None = None  # (K, 3, 2) round trips a -> G(a) -> F(G(a)) of a 2-D cycle model


def _latent_range(latent: str) -> float:
    return 1.0 if latent == "uniform" else 2.5  # the bulk of U(-1, 1) or of N(0, 1)


def _probability(disc, x: torch.Tensor, n_classes: int) -> torch.Tensor:
    """D(x) as a probability; for conditional models the mean over classes."""
    if not n_classes:
        return torch.sigmoid(disc(x, None))
    outs = [torch.sigmoid(disc(x, torch.full((len(x),), k, device=x.device))) for k in range(n_classes)]
    return torch.stack(outs).mean(0)


def _latent_grid(z_dim: int, latent: str, fixed_z: torch.Tensor, res: int,
                 r: float | None = None) -> tuple[torch.Tensor, str]:
    """A regular grid over the first two latent coordinates (the rest held at a fixed noise vector),
    over [-r, r] (by default the bulk of p(z))."""
    r = _latent_range(latent) if r is None else r
    line = torch.linspace(-r, r, res, device=fixed_z.device)
    if z_dim == 1:
        return line[:, None], f"G of z on a line over [-{r:g}, {r:g}]"
    gz1, gz2 = torch.meshgrid(line, line, indexing="ij")
    z = fixed_z[:1].repeat(res * res, 1)
    z[:, 0], z[:, 1] = gz1.flatten(), gz2.flatten()
    if z_dim == 2:
        return z, f"G of a {res}x{res} latent grid over [-{r:g}, {r:g}]^2"
    return z, f"a 2-D slice of the {z_dim}-D latent space: z1, z2 on a grid, the rest fixed"


def generator_push(loss, disc, x: torch.Tensor, n_classes: int, labels: torch.Tensor | None) -> torch.Tensor:
    """-dL_G/dx for each sample in ``x``: the direction the generator loss pushes it (per sample, not averaged)."""
    x = x.detach().clone().requires_grad_(True)
    y = labels if n_classes else None
    per_sample = loss.generator(disc(x, y)) * len(x)  # the loss is a mean; undo it so each row is its own gradient
    (grad,) = torch.autograd.grad(per_sample, x)
    return -grad


def lab_view(trainer, *, surface_res: int = SURFACE_RES, mesh_res: int = MESH_RES,
             n_arrows: int = N_ARROWS) -> LabView:
    """Every layer of the lab view for a trainer on 1-D or 2-D data."""
    a, p = trainer.args, trainer.parts
    dim = a.data_shape[0]
    extent = max(float(trainer.data.extent), float(trainer.variant.target(trainer).extent))
    z, y = trainer.fixed_noise
    with trainer.lock:
        gen, disc = trainer.shown_generator, p.disc
        was = gen.training, disc.training
        gen.eval()
        disc.eval()
        try:
            axis = torch.linspace(-extent, extent, surface_res, device=trainer.device)
            with torch.no_grad():
                if dim == 2:
                    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
                    plane = torch.stack([gx.flatten(), gy.flatten()], 1)
                    surface = _probability(disc, plane, a.n_classes).view(surface_res, surface_res)
                else:
                    surface = _probability(disc, axis[:, None], a.n_classes)
                zg, note = _latent_grid(a.z_dim, trainer.config.model.latent, z, mesh_res,
                                        trainer.variant.lab_grid(trainer))
                yg = torch.zeros(len(zg), dtype=torch.long, device=zg.device) if a.n_classes else None
                mesh = gen(zg, yg)
                if a.z_dim >= 2:
                    mesh = mesh.view(mesh_res, mesh_res, dim)
                fake = gen(z[:n_arrows], y[:n_arrows] if y is not None else None)
            push = generator_push(p.loss, disc, fake, a.n_classes, y[:n_arrows] if y is not None else None)
            mapping_z = mapping_x = None
            if dim == 1 and a.z_dim == 1:
                r = _latent_range(trainer.config.model.latent)
                zs = torch.linspace(-r, r, N_MAPPING, device=trainer.device)[:, None]
                with torch.no_grad():
                    mapping_x = gen(zs, torch.zeros(len(zs), dtype=torch.long, device=zs.device) if a.n_classes
                                    else None)[:, 0].cpu().numpy()
                mapping_z = zs[:, 0].cpu().numpy()
            cycle = trainer.variant.cycle_lines(trainer)
        finally:
            gen.train(was[0])
            disc.train(was[1])
    return LabView(trainer.step, extent, axis.cpu().numpy(), surface.cpu().numpy(), mesh.cpu().numpy(), note,
                   fake.cpu().numpy(), push.cpu().numpy(), mapping_z, mapping_x, cycle)
