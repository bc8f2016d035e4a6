"""One training step of a GAN: ``d_steps`` discriminator updates, then one generator update.

What each half optimises belongs to the variant (:mod:`ganlab.variants`): its ``d_half`` and
``g_half`` return the loss and what to record. Everything around them is written once, here:
the batch draw, autocast, zeroing the gradients, backward, the gradient norm, the optimiser step
and the running average of G's weights.

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
from typing import Any

import torch
from torch import nn

from ganlab.core.losses import GANLoss, gradient_penalty, r1_penalty
from ganlab.core.models import ModelArgs, sample_z

PHASES = ("both", "d", "g")  # a full step, a discriminator update only, a generator update only


def parameters_of(nets: dict[str, nn.Module], names: tuple[str, ...]) -> list[nn.Parameter]:
    """The parameters of the named networks this run built, in order (a side net may be optional)."""
    return [q for name in names if name in nets for q in nets[name].parameters()]


@dataclass
class GANParts:
    """What a step touches. Built by the trainer; plain attributes, no behaviour."""

    variant: Any  # ganlab.variants.Variant
    nets: dict[str, nn.Module]  # "gen", "disc" and whatever else the variant builds
    opt_d: torch.optim.Optimizer
    opt_g: torch.optim.Optimizer
    data: object  # Mixture or ImageData: .batch(n, generator) -> (x, y)
    loss: GANLoss
    rng: torch.Generator  # all training randomness: batches, z, labels, GP mixing
    args: ModelArgs
    latent: str
    batch_size: int
    settings: Any = None  # the variant's own settings (config.variant)
    smoothing: float = 0.0
    gp_weight: float = 10.0
    r1: float = 0.0
    gen_ema: nn.Module | None = None  # a running average of gen's weights, or None
    averages: dict[str, nn.Module] = field(default_factory=dict)  # the same for the variant's other generators
    ema: float = 0.0  # its decay per generator update, once warmed up (see ema_decay)
    bf16: bool = False  # run the forward passes under bfloat16 autocast
    state: dict = field(default_factory=dict)  # what the variant keeps besides networks (Variant.prepare)
    d_params: list = field(init=False, repr=False)  # what D's gradient norm measures
    d_opt_params: list = field(init=False, repr=False)  # what the D optimiser updates (D and any side nets)
    g_params: list = field(init=False, repr=False)
    ema_params: list = field(init=False, repr=False)  # (average's, G's) weights
    ema_buffers: list = field(init=False, repr=False)  # (average's, G's) running statistics, e.g. batch norm's
    ema_count: torch.Tensor = field(init=False, repr=False)
    carried: dict = field(init=False, repr=False)  # each extra metric's last value, for steps of one half

    def __post_init__(self):
        v = self.variant
        self.d_params = parameters_of(self.nets, v.d_nets)
        self.d_opt_params = parameters_of(self.nets, v.d_nets + v.side_nets)
        self.g_params = parameters_of(self.nets, v.g_nets)
        followed = ({"gen": self.gen_ema} if self.gen_ema is not None else {}) | self.averages
        self.ema_params = [(a, b) for name, avg in followed.items()
                           for a, b in zip(avg.parameters(), self.nets[name].parameters())]  # (average's, G's) weights
        self.ema_buffers = [(a, b) for name, avg in followed.items()
                            for a, b in zip(avg.buffers(), self.nets[name].buffers()) if a.is_floating_point()]
        # Generator updates folded into the average so far. A device tensor, not an int, so that a
        # step captured in a CUDA graph (ganlab.training.fast_path) counts its replays too. MPS has no float64.
        count_dtype = torch.float32 if self.device.type == "mps" else torch.float64
        self.ema_count = torch.zeros((), dtype=count_dtype, device=self.device)
        self.carried = {name: torch.zeros((), device=self.device) for name in v.extra_metrics}

    @property
    def gen(self) -> nn.Module:
        return self.nets["gen"]

    @property
    def disc(self) -> nn.Module:
        return self.nets["disc"]

    @property
    def z_dim(self) -> int:
        return self.args.z_dim

    @property
    def n_classes(self) -> int:
        """How many values G's class input takes (0: none)."""
        return self.args.n_classes

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
    grads = [q.grad for q in params if q.grad is not None]
    return torch.nn.utils.get_total_norm(grads) if grads else torch.zeros(())


def _autocast(p: GANParts):
    """bfloat16 autocast when the run asks for it (nothing to set up otherwise: this runs three times a
    step). No weight-cast cache: a cache filled inside a CUDA graph capture would outlive it."""
    if not p.bf16:
        return contextlib.nullcontext()
    return torch.autocast(p.device.type, dtype=torch.bfloat16, cache_enabled=False)


# -- helpers the variants' halves share -------------------------------------------------


def draw_z(p: GANParts, n: int | None = None) -> torch.Tensor:
    """(n, z_dim) latents from the run's generator."""
    return sample_z(n or p.batch_size, p.z_dim, p.latent, p.rng, p.device)


def draw_classes(p: GANParts, n: int | None = None) -> torch.Tensor:
    """(n,) class indices, uniform over G's class input."""
    return torch.randint(p.n_classes, (n or p.batch_size,), generator=p.rng, device=p.device)


def penalised(p: GANParts, loss_d: torch.Tensor, x: torch.Tensor, fake: torch.Tensor, logit_real: torch.Tensor,
              critic) -> torch.Tensor:
    """``loss_d`` plus the run's gradient penalties, for any D scored by ``critic(x) -> logits``:
    WGAN-GP's (Gulrajani et al. 2017) on random points between real and fake samples, and R1's
    (Mescheder et al. 2018) on the real batch, whose logits ``logit_real`` were taken with ``x``
    requiring grad (see :func:`real_batch`)."""
    if p.loss.gradient_penalty:
        eps = torch.rand(len(x), *([1] * (x.dim() - 1)), generator=p.rng, device=x.device)
        x_hat = (eps * x.detach() + (1 - eps) * fake).requires_grad_(True)
        (grad,) = torch.autograd.grad(critic(x_hat).float().sum(), x_hat, create_graph=True)
        loss_d = loss_d + p.gp_weight * gradient_penalty(grad)
    if p.r1:
        (grad,) = torch.autograd.grad(logit_real.sum(), x, create_graph=True)
        loss_d = loss_d + p.r1 / 2 * r1_penalty(grad)
    return loss_d


def real_batch(p: GANParts, x: torch.Tensor) -> torch.Tensor:
    """The real batch, made to require grad when the run has an R1 penalty."""
    return x.requires_grad_(True) if p.r1 else x


# -- the step -----------------------------------------------------------------------------


def _carry(p: GANParts, extras: dict[str, torch.Tensor]) -> None:
    for name, value in extras.items():
        p.carried[name] = value.detach().float()


def d_update(p: GANParts):
    """One discriminator update: the variant's D half, minimised. Returns its Half (detached) and D's grad norm."""
    x, y = p.data.batch(p.batch_size, p.rng)
    with _autocast(p):
        half = p.variant.d_half(p, x, y)
    p.opt_d.zero_grad(set_to_none=True)
    half.loss.backward()
    grad_d = _grad_norm(p.d_params)
    p.opt_d.step()
    _carry(p, half.extras)
    shown = half.loss if half.shown is None else half.shown
    return half._replace(loss=shown.detach(), logit_real=half.logit_real.detach(),
                         logit_fake=half.logit_fake.detach()), grad_d


def g_update(p: GANParts):
    """One generator update: the variant's G half, minimised; then the weight average moves."""
    with _autocast(p):
        half = p.variant.g_half(p)
    p.opt_g.zero_grad(set_to_none=True)
    half.loss.backward(inputs=p.g_params)  # no gradients accumulate in D
    grad_g = _grad_norm(p.g_params)
    p.opt_g.step()
    if p.ema_params:
        with torch.no_grad():
            weight = (1 - ema_decay(p.ema, p.ema_count)).to(p.ema_params[0][0].dtype)  # on the device, no sync
            averages, weights = zip(*p.ema_params)
            torch._foreach_lerp_(list(averages), list(weights), [weight] * len(averages))
            for avg, live in p.ema_buffers:  # batch norm's statistics are G's own, not averaged
                avg.copy_(live)
            p.ema_count.add_(1)
    _carry(p, half.extras)
    shown = half.loss if half.shown is None else half.shown
    return half._replace(loss=shown.detach(), logit_fake=half.logit_fake.detach()), grad_g


def _d_loss_now(p: GANParts, g: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """D's loss and logits on a real batch, measured without updating anything (for a G-only step)."""
    with torch.no_grad():
        x, y = p.data.batch(p.batch_size, p.rng)
        with _autocast(p):
            logit_real = p.variant.d_logit(p, x, y).float()
        return p.loss.discriminator(logit_real, g.logit_fake, smoothing=p.smoothing), logit_real


def base_metrics(loss_d, loss_g, logit_real, logit_fake, grad_d, grad_g, *extras) -> torch.Tensor:
    """The six every run records, then the variant's own ``extras``, as one tensor: d_loss, g_loss, mean D(x) and
    D(G(z)) as probabilities (the sigmoid of the logits), and the two gradient norms."""
    return torch.stack([loss_d.float(), loss_g.float(), torch.sigmoid(logit_real).mean(),
                        torch.sigmoid(logit_fake).mean(), grad_d, grad_g, *extras])


def train_step(p: GANParts, *, d_steps: int = 1, phase: str = "both") -> torch.Tensor:
    """One step; returns the variant's metrics (the base six, then its own) as one device tensor.

    The base six are d_loss, g_loss, d_real, d_fake, grad_d, grad_g; ``d_real`` and ``d_fake`` are
    mean D(x) and D(G(z)) as probabilities (sigmoid of the logits). ``phase`` "d" runs one
    discriminator update and only measures G's loss; "g" runs one generator update and only measures
    D's loss; the gradient norm of the network left alone is reported as 0, and the variant's own
    metrics that the other half records keep their last values.
    """
    zero = torch.zeros((), device=p.device)
    if phase == "g":
        g, grad_g = g_update(p)
        loss_g, logit_fake = g.loss, g.logit_fake
        loss_d, logit_real = _d_loss_now(p, g)
        grad_d = zero
    elif phase in ("both", "d"):
        for _ in range(d_steps if phase == "both" else 1):
            d, grad_d = d_update(p)
        loss_d, logit_real, logit_fake = d.loss, d.logit_real, d.logit_fake
        if phase == "both":
            g, grad_g = g_update(p)
            loss_g = g.loss
        else:
            with torch.no_grad():
                loss_g, grad_g = p.variant.g_measure(p, d), zero
    else:
        raise ValueError(f"phase must be one of {', '.join(PHASES)}, got {phase!r}")
    with torch.no_grad():
        return base_metrics(loss_d, loss_g, logit_real, logit_fake, grad_d, grad_g,
                            *(p.carried[name] for name in p.variant.extra_metrics))
