"""One training step of a GAN: ``d_steps`` discriminator updates, then one generator update.

The step never synchronises with the host: it returns its metrics as one device
tensor so the caller decides when to copy them (every step on a CPU, in blocks
on a GPU).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .losses import GANLoss, gradient_penalty
from .models import sample_z

# Order of the values in the tensor ``train_step`` returns.
STEP_METRICS = ("d_loss", "g_loss", "d_real", "d_fake", "grad_d", "grad_g")


@dataclass
class GANParts:
    """What a step touches. Built by the trainer; plain attributes, no behaviour."""

    gen: nn.Module
    disc: nn.Module
    opt_d: torch.optim.Optimizer
    opt_g: torch.optim.Optimizer
    data: object  # Mixture2D or ImageData: .batch(n, generator) -> (x, y)
    loss: GANLoss
    rng: torch.Generator  # all training randomness: batches, z, labels, GP mixing
    z_dim: int
    latent: str
    n_classes: int  # 0 for unconditional models
    batch_size: int
    smoothing: float = 0.0
    gp_weight: float = 10.0


def _grad_norm(params) -> torch.Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    return torch.nn.utils.get_total_norm(grads) if grads else torch.zeros(())


def _penalty(p: GANParts, x: torch.Tensor, fake: torch.Tensor, y) -> torch.Tensor:
    """WGAN-GP term on random points between real and fake samples."""
    eps = torch.rand(len(x), *([1] * (x.dim() - 1)), generator=p.rng, device=x.device)
    x_hat = (eps * x + (1 - eps) * fake).requires_grad_(True)
    out = p.disc(x_hat, y)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return p.gp_weight * gradient_penalty(grad)


def train_step(p: GANParts, *, d_steps: int = 1) -> torch.Tensor:
    """One step; returns (6,) = d_loss, g_loss, d_real, d_fake, grad_d, grad_g on the device.

    ``d_real`` and ``d_fake`` are mean D(x) and D(G(z)) as probabilities (sigmoid of the logits).
    """
    device = next(p.gen.parameters()).device
    b = p.batch_size

    # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))  [or the chosen loss's critic objective]
    for _ in range(d_steps):
        x, y = p.data.batch(b, p.rng)
        y = y if p.n_classes else None
        z = sample_z(b, p.z_dim, p.latent, p.rng, device)
        with torch.no_grad():
            fake = p.gen(z, y)  # (B, z_dim) -> (B, *data_shape)
        logit_real, logit_fake = p.disc(x, y), p.disc(fake, y)  # (B,), (B,)
        loss_d = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing)
        if p.loss.gradient_penalty:
            loss_d = loss_d + _penalty(p, x, fake, y)
        p.opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        grad_d = _grad_norm(p.disc.parameters())
        p.opt_d.step()

    # (2) Update G network: maximize log(D(G(z)))  [minimax: minimize log(1 - D(G(z)))]
    y_g = torch.randint(p.n_classes, (b,), generator=p.rng, device=device) if p.n_classes else None
    z = sample_z(b, p.z_dim, p.latent, p.rng, device)
    logit_gen = p.disc(p.gen(z, y_g), y_g)
    loss_g = p.loss.generator(logit_gen)
    p.opt_g.zero_grad(set_to_none=True)
    loss_g.backward(inputs=list(p.gen.parameters()))  # no gradients accumulate in D
    grad_g = _grad_norm(p.gen.parameters())
    p.opt_g.step()

    with torch.no_grad():
        return torch.stack([
            loss_d.detach(), loss_g.detach(),
            torch.sigmoid(logit_real.detach()).mean(), torch.sigmoid(logit_fake.detach()).mean(),
            grad_d, grad_g,
        ])
