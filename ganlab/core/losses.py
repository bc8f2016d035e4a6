"""GAN objectives as pure functions of discriminator logits.

``d_real`` and ``d_fake`` are raw logits (B,) of real and generated samples.
Each discriminator loss is minimised by D, each generator loss by G. Dispatch is
on registry keys (``LOSSES["ns"]``), never on display strings.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch
import torch.nn.functional as F


def minimax_discriminator_loss(d_real: torch.Tensor, d_fake: torch.Tensor, *, smoothing: float = 0.0) -> torch.Tensor:
    """Goodfellow et al. 2014: D maximises log D(x) + log(1 - D(G(z))).

    One-sided label smoothing (Salimans et al. 2016) uses target 1 - s for real samples.
    """
    real_target = torch.full_like(d_real, 1.0 - smoothing)
    return (F.binary_cross_entropy_with_logits(d_real, real_target)
            + F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake)))


def minimax_generator_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """The original, saturating objective: G minimises log(1 - D(G(z))) = -softplus(logit)."""
    return -F.softplus(d_fake).mean()


def ns_generator_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """Non-saturating: G maximises log D(G(z)), i.e. minimises softplus(-logit)."""
    return F.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))


def lsgan_discriminator_loss(d_real: torch.Tensor, d_fake: torch.Tensor, *, smoothing: float = 0.0) -> torch.Tensor:
    """Mao et al. 2017 (LSGAN, a=0, b=1): 1/2 (D(x) - b)^2 + 1/2 D(G(z))^2 on raw outputs."""
    return 0.5 * ((d_real - (1.0 - smoothing)) ** 2).mean() + 0.5 * (d_fake ** 2).mean()


def lsgan_generator_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """LSGAN generator (c=1): 1/2 (D(G(z)) - 1)^2."""
    return 0.5 * ((d_fake - 1.0) ** 2).mean()


def hinge_discriminator_loss(d_real: torch.Tensor, d_fake: torch.Tensor, *, smoothing: float = 0.0) -> torch.Tensor:
    """Lim & Ye 2017 / Miyato et al. 2018: relu(1 - D(x)) + relu(1 + D(G(z)))."""
    return F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()


def wasserstein_discriminator_loss(d_real: torch.Tensor, d_fake: torch.Tensor, *, smoothing: float = 0.0) -> torch.Tensor:
    """Arjovsky et al. 2017: the critic maximises E[D(x)] - E[D(G(z))]."""
    return d_fake.mean() - d_real.mean()


def wasserstein_generator_loss(d_fake: torch.Tensor) -> torch.Tensor:
    """Generator of WGAN and hinge GAN: maximise E[D(G(z))]."""
    return -d_fake.mean()


def gradient_penalty(grad: torch.Tensor) -> torch.Tensor:
    """Gulrajani et al. 2017 (WGAN-GP): E[(||grad_x D(x_hat)||_2 - 1)^2], grad of shape (B, ...)."""
    return ((grad.flatten(1).norm(dim=1) - 1.0) ** 2).mean()


def r1_penalty(grad: torch.Tensor) -> torch.Tensor:
    """Mescheder et al. 2018 (R1): E[||grad_x D(x)||_2^2] on real data, grad of shape (B, ...); weight it by gamma/2."""
    return grad.flatten(1).pow(2).sum(1).mean()


class GANLoss(NamedTuple):
    discriminator: Callable[..., torch.Tensor]
    generator: Callable[[torch.Tensor], torch.Tensor]
    gradient_penalty: bool = False


LOSSES: dict[str, GANLoss] = {
    "minimax": GANLoss(minimax_discriminator_loss, minimax_generator_loss),
    "ns": GANLoss(minimax_discriminator_loss, ns_generator_loss),
    "lsgan": GANLoss(lsgan_discriminator_loss, lsgan_generator_loss),
    "hinge": GANLoss(hinge_discriminator_loss, wasserstein_generator_loss),
    "wgan-gp": GANLoss(wasserstein_discriminator_loss, wasserstein_generator_loss, gradient_penalty=True),
}
