"""One training step of a GAN: ``d_steps`` discriminator updates, then one generator update.

The two halves are separate functions so the app can run them one at a time
(the Train page's "D only" and "G only" buttons, slow motion). A step never
synchronises with the host: it returns its metrics as one device tensor so the
caller decides when to copy them (the trainer copies a block of steps at once).
Everything a step changes from one step to the next (weights, optimiser state,
the RNG, the average's warm-up count) lives on the device, so a full step can be
captured once in a CUDA graph and replayed (:mod:`ganlab.training.fast_path`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import torch
from torch import nn

from ganlab.core.losses import GANLoss, gradient_penalty, r1_penalty
from ganlab.core.models import sample_z

# Order of the values in the tensor ``train_step`` returns.
STEP_METRICS = ("d_loss", "g_loss", "d_real", "d_fake", "grad_d", "grad_g")
PHASES = ("both", "d", "g")  # a full step, a discriminator update only, a generator update only


@dataclass
class GANParts:
    """What a step touches. Built by the trainer; plain attributes, no behaviour."""

    gen: nn.Module
    disc: nn.Module
    opt_d: torch.optim.Optimizer
    opt_g: torch.optim.Optimizer
    data: object  # Mixture or ImageData: .batch(n, generator) -> (x, y)
    loss: GANLoss
    rng: torch.Generator  # all training randomness: batches, z, labels, GP mixing
    z_dim: int
    latent: str
    n_classes: int  # 0 for unconditional models
    batch_size: int
    smoothing: float = 0.0
    gp_weight: float = 10.0
    r1: float = 0.0
    gen_ema: nn.Module | None = None  # a running average of gen's weights, or None
    ema: float = 0.0  # its decay per generator update, once warmed up (see ema_decay)
    bf16: bool = False  # run the forward passes under bfloat16 autocast
    g_params: list = field(init=False, repr=False)
    ema_params: list = field(init=False, repr=False)
    ema_count: torch.Tensor = field(init=False, repr=False)

    def __post_init__(self):
        self.g_params = list(self.gen.parameters())
        self.ema_params = list(self.gen_ema.parameters()) if self.gen_ema is not None else []
        # Generator updates folded into the average so far. A device tensor, not an int, so that a
        # step captured in a CUDA graph (ganlab.training.fast_path) counts its replays too. MPS has no float64.
        count_dtype = torch.float32 if self.device.type == "mps" else torch.float64
        self.ema_count = torch.zeros((), dtype=count_dtype, device=self.device)

    @property
    def device(self) -> torch.device:
        return self.g_params[0].device

    @property
    def ema_updates(self) -> int:
        """Generator updates folded into the average so far (reading it waits for the device)."""
        return int(self.ema_count.item())

    @ema_updates.setter
    def ema_updates(self, n: int) -> None:
        self.ema_count.fill_(n)


def ema_decay(target: float, updates):
    """The average's decay at its ``updates``-th update: min(target, (1 + t) / (10 + t)).

    The warm-up (as in TensorFlow's ExponentialMovingAverage with num_updates) lets the average
    follow G closely early on, when G moves fast, instead of dragging G's initial weights along
    for the first ~1/(1 - target) steps. ``updates`` is an int, or the device count the step keeps
    (then the decay stays on the device, and a step captured in a CUDA graph computes it too).
    """
    ratio = (1.0 + updates) / (10.0 + updates)
    return ratio.clamp(max=target) if isinstance(ratio, torch.Tensor) else min(target, ratio)


def _grad_norm(params) -> torch.Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    return torch.nn.utils.get_total_norm(grads) if grads else torch.zeros(())


def _penalty(p: GANParts, x: torch.Tensor, fake: torch.Tensor, y) -> torch.Tensor:
    """WGAN-GP term on random points between real and fake samples."""
    eps = torch.rand(len(x), *([1] * (x.dim() - 1)), generator=p.rng, device=x.device)
    x_hat = (eps * x + (1 - eps) * fake).requires_grad_(True)
    out = p.disc(x_hat, y).float()
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return p.gp_weight * gradient_penalty(grad)


def _autocast(p: GANParts):
    """bfloat16 autocast when the run asks for it (nothing to set up otherwise: this runs three times a
    step). No weight-cast cache: a cache filled inside a CUDA graph capture would outlive it."""
    if not p.bf16:
        return contextlib.nullcontext()
    return torch.autocast(p.device.type, dtype=torch.bfloat16, cache_enabled=False)


def _labels(p: GANParts, y):
    return y if p.n_classes else None


def d_update(p: GANParts):
    """One discriminator update. Returns (loss_d, logit_real, logit_fake, grad norm), all on the device.

    Maximize log(D(x)) + log(1 - D(G(z)))  [or the chosen loss's critic objective].
    """
    x, y = p.data.batch(p.batch_size, p.rng)
    y = _labels(p, y)
    z = sample_z(p.batch_size, p.z_dim, p.latent, p.rng, p.device)
    if p.r1:
        x = x.requires_grad_(True)
    with _autocast(p):
        with torch.no_grad():
            fake = p.gen(z, y)  # (B, z_dim) -> (B, *data_shape)
        logit_real, logit_fake = p.disc(x, y).float(), p.disc(fake, y).float()  # (B,), (B,)
        loss_d = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing)
        if p.loss.gradient_penalty:
            loss_d = loss_d + _penalty(p, x, fake, y)
        if p.r1:
            (grad,) = torch.autograd.grad(logit_real.sum(), x, create_graph=True)
            loss_d = loss_d + p.r1 / 2 * r1_penalty(grad)
    p.opt_d.zero_grad(set_to_none=True)
    loss_d.backward()
    grad_d = _grad_norm(p.disc.parameters())
    p.opt_d.step()
    return loss_d.detach(), logit_real.detach(), logit_fake.detach(), grad_d


def g_update(p: GANParts):
    """One generator update. Returns (loss_g, logit of D on the new fakes, grad norm), on the device.

    Maximize log(D(G(z)))  [minimax: minimize log(1 - D(G(z)))].
    """
    y = torch.randint(p.n_classes, (p.batch_size,), generator=p.rng, device=p.device) if p.n_classes else None
    z = sample_z(p.batch_size, p.z_dim, p.latent, p.rng, p.device)
    with _autocast(p):
        logit_gen = p.disc(p.gen(z, y), y).float()
        loss_g = p.loss.generator(logit_gen)
    p.opt_g.zero_grad(set_to_none=True)
    loss_g.backward(inputs=p.g_params)  # no gradients accumulate in D
    grad_g = _grad_norm(p.g_params)
    p.opt_g.step()
    if p.ema_params:
        with torch.no_grad():
            weight = (1 - ema_decay(p.ema, p.ema_count)).to(p.ema_params[0].dtype)  # on the device, no sync
            torch._foreach_lerp_(p.ema_params, p.g_params, [weight] * len(p.ema_params))
            p.ema_count.add_(1)
    return loss_g.detach(), logit_gen.detach(), grad_g


def _d_loss_now(p: GANParts, logit_fake: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """D's loss and logits on a real batch, measured without updating anything (for a G-only step)."""
    with torch.no_grad():
        x, y = p.data.batch(p.batch_size, p.rng)
        with _autocast(p):
            logit_real = p.disc(x, _labels(p, y)).float()
        return p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing), logit_real


def train_step(p: GANParts, *, d_steps: int = 1, phase: str = "both") -> torch.Tensor:
    """One step; returns (6,) = d_loss, g_loss, d_real, d_fake, grad_d, grad_g on the device.

    ``d_real`` and ``d_fake`` are mean D(x) and D(G(z)) as probabilities (sigmoid of the logits).
    ``phase`` "d" runs one discriminator update and only measures G's loss; "g" runs one generator
    update and only measures D's loss; the gradient norm of the network left alone is reported as 0.
    """
    zero = torch.zeros((), device=p.device)
    if phase == "g":
        loss_g, logit_fake, grad_g = g_update(p)
        loss_d, logit_real = _d_loss_now(p, logit_fake)
        grad_d = zero
    elif phase in ("both", "d"):
        for _ in range(d_steps if phase == "both" else 1):
            loss_d, logit_real, logit_fake, grad_d = d_update(p)
        if phase == "both":
            loss_g, _, grad_g = g_update(p)
        else:
            with torch.no_grad():
                loss_g, grad_g = p.loss.generator(logit_fake), zero
    else:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {phase!r}")
    with torch.no_grad():
        return torch.stack([
            loss_d, loss_g, torch.sigmoid(logit_real).mean(), torch.sigmoid(logit_fake).mean(), grad_d, grad_g,
        ])
