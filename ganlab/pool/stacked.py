"""Same-shaped runs stepped together: thirty classroom runs of one small GAN cost little more than one.

A 2-D GAN's step is a few hundred tiny operations; a worker that steps thirty such runs one after another
spends its time launching them. Runs whose networks have the same shapes and whose step is the same
function of its inputs (the plain GAN's objective with fully connected networks, ``Variant.stacks``) can
instead be stepped as one: each layer's weights of every run stacked into one tensor (R, out, in), a batch
of R batches pushed through with batched matrix products, each run's loss its own (the pure loss functions
of ``ganlab.core.losses`` mapped over runs with ``torch.func.vmap``), and Adam and the weight average kept
per run. Every run keeps its own data, latents and random stream (drawn in the order its own step draws
them), its own optimiser state and step count; what differs from stepping it alone is only the rounding of
the batched products. Afterwards each run's weights, optimiser state and average go back to its own
networks, and its metrics into its own store.

A group's shape: the variant, the data's shape, the networks' sizes, the batch, the objective and its
settings (Adam's betas, D steps, smoothing, R1, the average), the device and precision. The learning rates
may differ: each run steps at its own (its set rates times its schedule's factor), which holds through the
group's turn (``steps_for`` ends a turn where a member's schedule changes its rates).
"""

from __future__ import annotations

import copy
import time
from collections import defaultdict

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, stack_module_state, vmap

from ganlab.core.losses import r1_penalty
from ganlab.core.models import sample_z
from ganlab.core.step import base_metrics, ema_decay
from ganlab.training.trainer import Diverged, Trainer

EPS = 1e-8  # Adam's epsilon (torch.optim.Adam's default, which the trainer uses)


def signature(trainer: Trainer):
    """What runs stepped together must share; None for a run that is stepped alone."""
    c, o = trainer.config, trainer.config.optim
    if (not trainer.variant.stacks or trainer.args.n_classes or o.loss == "wgan-gp" or c.precision != "fp32"
            or trainer.step < o.d_head_start or trainer.pending_changes):
        return None
    return (trainer.variant.key, trainer.args.data_shape, trainer.args.z_dim, trainer.args.hidden, trainer.args.depth,
            trainer.args.options, c.model.latent, o.batch_size, o.loss, o.beta1_d, o.beta2_d, o.beta1_g,
            o.beta2_g, o.d_steps, o.label_smoothing, o.r1, o.ema, str(trainer.device))


def groups(plans):
    """Split (driver, turn) plans into groups of two or more runs to step together, and the rest."""
    by_shape = defaultdict(list)
    alone = []
    for driver, turn in plans:
        key = signature(driver.trainer) if turn.full else None
        (by_shape[key] if key is not None else alone).append((driver, turn))
    together = []
    for members in by_shape.values():
        (together.append(members) if len(members) > 1 else alone.extend(members))
    return together, alone


def steps_for(trainers: list[Trainer], budget: float, wanted: list[int]) -> int:
    """Steps for one turn of the group, to fill about ``budget`` seconds: at the slowest member's recorded pace
    (after a turn together, the pace of the group's steps), a few steps to measure it the first time."""
    rates = [t.store.steps_per_second(window=50) for t in trainers]
    n = int(min(rates) * budget) if all(rates) else 5
    n = min([n] + [k for k in (t.steps_to_next_rate() for t in trainers) if k])  # a schedule's rate holds
    return max(1, min(n, max(wanted) * 8, 500))


class _Stacked:
    """One network of every run, stacked: each parameter of the runs' networks as one tensor (R, ...), and the
    network itself (the core's module, its copy on the meta device) called on each run's slice with
    ``torch.func.functional_call`` under ``vmap``: the layers, activations and squashing are the module's own."""

    def __init__(self, nets: list[nn.Module]):
        self.nets = nets
        params, _ = stack_module_state(nets)  # name -> (R, ...) leaves that require grad
        self.names = list(params)
        self.params = [params[name] for name in self.names]  # in each net's parameters() order
        base = copy.deepcopy(nets[0]).to("meta")

        def one(weights, x):
            return functional_call(base, dict(zip(self.names, weights)), (x,))

        self.forward = vmap(one)  # (params (R, ...), inputs (R, B, ...)) -> (R, B, ...)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward(self.params, x)

    def scatter(self) -> None:
        """Each run's slice back into its own network's weights."""
        with torch.no_grad():
            for r, net in enumerate(self.nets):
                for own, stacked in zip(net.parameters(), self.params):
                    own.copy_(stacked[r])


class _Adam:
    """Adam (Kingma & Ba) on stacked parameters, with each run's own step count and moments, as
    ``torch.optim.Adam`` computes it; the moments come from and go back to each run's optimiser."""

    def __init__(self, params: list[torch.Tensor], optimisers: list[torch.optim.Optimizer],
                 betas: tuple[float, float]):
        self.params, self.optimisers, (self.beta1, self.beta2) = params, optimisers, betas
        self.mine = [[p for g in opt.param_groups for p in g["params"]] for opt in optimisers]
        device = params[0].device
        # each run's own rate (its set rate times its schedule's factor, which may differ from run to run)
        self.lr = torch.tensor([opt.param_groups[0]["lr"] for opt in optimisers], dtype=torch.float64, device=device)

        def state(key):
            return [torch.stack([opt.state[p][key].detach() if key in opt.state.get(p, {}) else torch.zeros_like(p)
                                 for opt, p in zip(optimisers, [own[i] for own in self.mine])])
                    for i in range(len(params))]

        self.exp_avg, self.exp_avg_sq = state("exp_avg"), state("exp_avg_sq")
        self.step = torch.tensor([float(opt.state[own[0]]["step"]) if "step" in opt.state.get(own[0], {}) else 0.0
                                  for opt, own in zip(optimisers, self.mine)], dtype=torch.float64, device=device)

    def update(self, grads: list[torch.Tensor]) -> None:
        self.step += 1
        bc1 = (1 - self.beta1 ** self.step)  # (R,) float64, as the optimiser's Python floats
        bc2_sqrt = (1 - self.beta2 ** self.step).sqrt()
        with torch.no_grad():
            for p, g, m, v in zip(self.params, grads, self.exp_avg, self.exp_avg_sq):
                shape = (-1,) + (1,) * (p.dim() - 1)
                m.lerp_(g, 1 - self.beta1)
                v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
                denom = (v.sqrt() / bc2_sqrt.to(p.dtype).view(shape)).add_(EPS)
                p.sub_(m / denom * (self.lr / bc1).to(p.dtype).view(shape))

    def scatter(self) -> None:
        """Each run's moments and step count back into its own optimiser."""
        with torch.no_grad():
            for r, (opt, own) in enumerate(zip(self.optimisers, self.mine)):
                for i, p in enumerate(own):
                    st = opt.state[p]
                    st["exp_avg"] = self.exp_avg[i][r].clone()
                    st["exp_avg_sq"] = self.exp_avg_sq[i][r].clone()
                    st["step"] = torch.tensor(float(self.step[r]))


def _norms(grads: list[torch.Tensor]) -> torch.Tensor:
    """Each run's gradient norm over all its parameters: (R,)."""
    return torch.stack([g.flatten(1).pow(2).sum(1) for g in grads]).sum(0).sqrt()


def run_together(trainers: list[Trainer], n: int) -> list[str | None]:
    """``n`` full steps of every run in ``trainers`` (one group, see :func:`signature`), recorded in each run's
    store. Returns, per run, None, or why it stopped (a loss became NaN: that run is marked diverged).

    The step is the plain GAN's (``ganlab.variants.vanilla``'s halves): D on a real batch and G's samples, the
    run's objective and R1 penalty (``ganlab.core.losses``), then G against D; the networks are each run's own
    modules, called functionally on the stacked weights, so what a model or a loss computes is written once."""
    parts = [t.parts for t in trainers]
    p0, o = parts[0], trainers[0].config.optim
    gen, disc = _Stacked([p.gen for p in parts]), _Stacked([p.disc for p in parts])
    for t in trainers:
        t.sync_rates(t.step)
    opt_d = _Adam(disc.params, [p.opt_d for p in parts], (o.beta1_d, o.beta2_d))
    opt_g = _Adam(gen.params, [p.opt_g for p in parts], (o.beta1_g, o.beta2_g))
    ema = list(stack_module_state([p.gen_ema for p in parts])[0].values()) if p0.gen_ema is not None else []
    counts = torch.tensor([float(p.ema_updates) for p in parts], dtype=torch.float64)
    loss_d_of = vmap(lambda real, fake: p0.loss.discriminator(real, fake, smoothing=p0.smoothing))
    loss_g_of = vmap(p0.loss.generator)
    r1_of = vmap(r1_penalty)
    metrics_of = vmap(base_metrics)
    B = o.batch_size
    out = np.empty((n, len(trainers), 6))
    seconds = np.empty(n)
    t0 = time.perf_counter()

    def draw_z():
        return torch.stack([sample_z(B, p.z_dim, p.latent, p.rng, p.device) for p in parts])  # (R, B, z)

    for i in range(n):
        # (1) Update D: maximise log D(x) + log(1 - D(G(z)))  [or the run's objective], each run on its own batch
        for _ in range(o.d_steps):
            x = torch.stack([p.data.batch(B, p.rng)[0] for p in parts])  # (R, B, *data_shape)
            z = draw_z()
            if o.r1:
                x.requires_grad_(True)
            with torch.no_grad():
                fake = gen(z)
            logit_real, logit_fake = disc(x), disc(fake)  # (R, B)
            loss_d = loss_d_of(logit_real, logit_fake)  # (R,)
            if o.r1:
                (grad_x,) = torch.autograd.grad(logit_real.sum(), x, create_graph=True)
                loss_d = loss_d + o.r1 / 2 * r1_of(grad_x)
            grads_d = torch.autograd.grad(loss_d.sum(), disc.params)
            grad_d = _norms(grads_d)
            opt_d.update(grads_d)
        # (2) Update G: maximise log D(G(z)), each run against its own D
        logit_gen = disc(gen(draw_z()))
        loss_g = loss_g_of(logit_gen)
        grads_g = torch.autograd.grad(loss_g.sum(), gen.params)
        grad_g = _norms(grads_g)
        opt_g.update(grads_g)
        if ema:
            with torch.no_grad():
                weight = 1 - torch.stack([torch.as_tensor(ema_decay(o.ema, float(c))) for c in counts])
                for avg, live in zip(ema, gen.params):
                    avg.lerp_(live, weight.to(avg.dtype).view((-1,) + (1,) * (avg.dim() - 1)))
                counts += 1
        with torch.no_grad():
            out[i] = metrics_of(loss_d, loss_g, logit_real, logit_fake, grad_d, grad_g).numpy()
        seconds[i] = time.perf_counter() - t0
    gen.scatter()
    disc.scatter()
    opt_d.scatter()
    opt_g.scatter()
    outcomes: list[str | None] = []
    for r, (t, p) in enumerate(zip(trainers, parts)):
        if ema:
            with torch.no_grad():
                for avg, stacked in zip(p.gen_ema.parameters(), ema):
                    avg.copy_(stacked[r])
            p.ema_updates = int(counts[r])
        metrics = out[:, r]
        first_step = t.step + 1
        t.record(metrics, seconds)
        try:
            t.check_finite(metrics, first_step)
            outcomes.append(None)
        except Diverged as err:
            outcomes.append(str(err))
    return outcomes
