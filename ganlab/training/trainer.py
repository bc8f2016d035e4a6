"""The trainer: a plain object that owns one run (models, optimisers, data, RNGs, metrics).

``Trainer.run(n)`` trains synchronously and records every step in its
:class:`~ganlab.training.store.MetricsStore`. :class:`~ganlab.training.background.BackgroundTrainer`
drives one from a thread for the app; the CLI and tests drive it directly.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import replace
from typing import Callable

import numpy as np
import torch

from ganlab import variants
from ganlab.variants import build_nets, model_args
from ganlab.config import ConfigError, RunConfig
from ganlab.core.losses import LOSSES
from ganlab.core.step import GANParts, parameters_of, train_step
from ganlab.data.datasets import load_data
from ganlab.evaluation.quality import QUALITY_REAL_SEED, QUALITY_Z_SEED
from ganlab.said import said
from ganlab.training.fast_path import StepRunner
from ganlab.training.schedule import anneal_factor, tick
from ganlab.training.store import MetricsStore, fields_for

N_FIXED = 64  # size of the fixed visualisation batch (an 8x8 grid)
N_FIXED_TOY = 2500  # generated points on 1-D and 2-D data: the PacGAN metric's sample count
LIVE_KNOBS = ("lr_d", "lr_g", "d_steps")


class Diverged(RuntimeError):
    """A loss or gradient became NaN or infinite."""


def resolve_device(name: str) -> torch.device:
    """``auto`` picks cuda, then mps, then cpu; an explicit choice must exist."""
    has_mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "mps" if has_mps else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device cuda was asked for, but no CUDA GPU is visible; choose auto or cpu")
    if name == "mps" and not has_mps:
        raise ConfigError("device mps was asked for, but Apple's MPS is not available; choose auto or cpu")
    return torch.device(name)


def _average_of(gen: torch.nn.Module) -> torch.nn.Module:
    """A frozen copy of ``gen`` that the step keeps as a running average of its weights."""
    avg = copy.deepcopy(gen)
    avg.requires_grad_(False)
    return avg.eval()


def _adam(params, lr, beta1, beta2, device, capturable: bool) -> torch.optim.Adam:
    """Fused Adam on GPUs; ``capturable`` keeps its step count on the device for a CUDA graph.

    (On the CPU the default foreach Adam stays: fused CPU Adam is ~1.1x faster on the MLP step, but
    rounds differently, and the documented training figures were measured with foreach.)
    """
    fused = device.type in ("cuda", "mps")
    return torch.optim.Adam(params, lr=lr, betas=(beta1, beta2), fused=fused or None, capturable=capturable)


def synchronised_clock(reads: list[float], start: float, synced: float) -> np.ndarray:
    """Seconds from ``start`` at which each step of a block ended, as the device spent them.

    ``reads`` are the clock after each step returned; ``synced`` the clock after the block's host
    synchronisation. On a CPU a step returns when it is done, so the reads are the times (the sync
    adds only the copy). On a GPU a step returns once its kernels are queued: the reads are early, and
    only ``synced`` is true. So the reads are stretched to end at ``synced``, keeping their spacing.
    """
    reads = np.asarray(reads, dtype=np.float64) - start
    queued = reads[-1] if len(reads) else 0.0
    if queued <= 0:
        return np.full(len(reads), synced - start)
    return reads * ((synced - start) / queued)


def trainer_with(dataset: Callable[[str, str], object]) -> Callable[[RunConfig], "Trainer"]:
    """How a process builds a run's trainer: its dataset from ``dataset(name, data_dir)``, the process's cache
    (a server's, a worker's), so that runs on the same data share one copy; a drawn distribution is tiny and
    built per run."""

    def make(config: RunConfig) -> Trainer:
        if config.data.points:
            return Trainer(config)
        return Trainer(config, data=dataset(config.data.name, config.data.data_dir))

    return make


class Trainer:
    """One GAN run. Thread-safe: ``run``, ``sample_fixed`` and checkpointing take ``self.lock``."""

    def __init__(self, config: RunConfig, *, data=None, store: MetricsStore | None = None,
                 fast: bool | None = None):
        """``fast`` None takes the fast path where it exists (a CUDA graph on a CUDA GPU); False runs
        every step eagerly (the benchmark's eager column); True tries to capture even elsewhere."""
        self.config = config
        self.device = resolve_device(config.device)
        self.data = (data if data is not None else load_data(config.data.name, config.data.data_dir,
                                                                     points=config.data.points)).to(self.device)
        if config.data.scale == "0..1" and hasattr(self.data, "images"):  # the (0, 1) or (-1, 1) experiment
            self.data = replace(self.data, images=(self.data.images + 1) / 2)
        self.variant = variants.get(config.model.arch)
        self.args = model_args(config, self.data.data_shape, self.data.n_classes)
        nets = {name: net.to(self.device) for name, net in build_nets(self.args, seed=config.seed).items()}
        o = config.optim
        capturable = self.device.type == "cuda" and fast is not False
        v = self.variant
        self.parts = GANParts(
            variant=v, nets=nets,
            opt_d=_adam(parameters_of(nets, v.d_nets + v.side_nets), o.lr_d, o.beta1_d, o.beta2_d, self.device,
                        capturable),
            opt_g=_adam(parameters_of(nets, v.g_nets), o.lr_g, o.beta1_g, o.beta2_g, self.device, capturable),
            data=self.data, loss=LOSSES[o.loss],
            rng=torch.Generator(self.device).manual_seed(config.seed),
            args=self.args, latent=config.model.latent, settings=config.variant,
            batch_size=o.batch_size, smoothing=o.label_smoothing, gp_weight=o.gp_weight, r1=o.r1,
            gen_ema=_average_of(nets["gen"]) if o.ema else None, ema=o.ema, bf16=config.precision == "bf16",
            averages={name: _average_of(nets[name]) for name in v.averaged if name != "gen"} if o.ema else {},
        )
        v.prepare(self.parts, config)
        self.runner = StepRunner(self.parts, capture=fast)
        self.fields = fields_for(v)
        self.store = store if store is not None else MetricsStore(fields=self.fields)
        if self.store.fields != self.fields:
            raise ValueError(f"the store records {self.store.fields}, but model {v.key} records {self.fields}")
        self.step = 0
        self.train_seconds = 0.0  # wall time spent inside run(), pauses excluded
        self.diverged: str | None = None
        self.lock = threading.RLock()
        self._pending: dict[str, float] = {}
        self._pending_lock = threading.Lock()
        self._fixed = self._fixed_inputs()

    # -- training -----------------------------------------------------------
    def run(self, n: int = 1, phase: str = "both", *, mark: bool = False) -> int:
        """Train ``n`` steps, record them, return the step count. Raises :class:`Diverged` on NaN/inf.

        ``phase`` "d" or "g" makes each step a discriminator-only or generator-only update (recorded as a
        step of its own); ``mark`` puts that on the charts.
        """
        if self.diverged:
            raise Diverged(self.diverged)
        with self.lock:
            t_start = time.perf_counter()
            head_start = self.config.optim.d_head_start
            if phase == "both" and self.step >= head_start:  # a block of full steps: the fast path's
                self._apply_pending()  # a change asked for applies from the block's first step
                outs, walls, at = [], [], self.step
                for part in self._schedule_blocks(n):  # split where the rates' schedule changes them
                    self.sync_rates(at)
                    out, w = self.runner.block(part, self.config.optim.d_steps)
                    outs.append(out)
                    walls.extend(w)
                    at += part
                out = torch.cat(outs)
            else:
                outs, walls = [], []
                for i in range(n):
                    self._apply_pending()
                    self.sync_rates(self.step + i)
                    this = "d" if phase == "both" and self.step + i < head_start else phase  # D's head start
                    if this == "both":
                        outs.append(self.runner.step(self.config.optim.d_steps))
                    else:  # a D-only or G-only update runs eagerly; the next full step captures afresh
                        self.runner.invalidate()
                        outs.append(train_step(self.parts, phase=this))
                    walls.append(time.perf_counter())  # on a GPU: when the step was queued, not when it ran
                out = torch.stack(outs)
            metrics = self._collect(out)  # (n, metrics): the block's one host synchronisation
            first = self.step + 1
            self.record(metrics, synchronised_clock(walls, t_start, time.perf_counter()))
            if mark and phase != "both":
                self.store.add_event(first, f"{phase.upper()} only")
            if head_start and first <= head_start < self.step + 1 and phase == "both":
                self.store.add_event(head_start + 1, "G starts")  # a fixed mark, translated on the chart
            self.check_finite(metrics, first)
            return self.step

    def record(self, metrics: np.ndarray, seconds: np.ndarray) -> None:
        """Record a block of steps trained (here, or stepped together with other runs by ganlab.pool.stacked):
        ``metrics`` (n, metrics) and the seconds from the block's start at which each step ended."""
        n = len(metrics)
        wall = self.train_seconds + np.asarray(seconds, dtype=np.float64)
        first = self.step + 1
        self.step += n
        self.train_seconds = float(wall[-1])
        rows = np.empty((n, len(self.fields)))
        rows[:, 0] = np.arange(first, self.step + 1)
        rows[:, 1:-1] = metrics
        rows[:, -1] = wall
        self.store.append(rows)

    def check_finite(self, metrics: np.ndarray, first: int) -> None:
        """Raise :class:`Diverged` (and mark the run diverged) if a loss of the block starting at step ``first``
        became NaN or infinite."""
        bad = ~np.isfinite(metrics[:, :2]).all(1)
        if bad.any():
            at = first + int(bad.argmax())
            self.diverged = said("training diverged at step {at}: a loss became NaN or infinite. "
                                 "The run is paused; lower the learning rates or pick another loss, then Reset. "
                                 "Checkpoints saved before step {at} are untouched.", at=at)
            self.store.add_event(at, "diverged")
            raise Diverged(self.diverged)

    def _collect(self, out: torch.Tensor) -> np.ndarray:
        """A block's metrics (n, metrics) on the host: copying them waits for the device to finish the block."""
        return out.cpu().numpy().astype(np.float64)

    # -- the rates' schedule ----------------------------------------------------
    def steps_to_next_rate(self) -> int:
        """Steps until the schedule (:mod:`ganlab.training.schedule`) next changes the rates; 0 if it never will."""
        o = self.config.optim
        return tick(self.step, o.anneal_start, o.anneal_steps)

    def _schedule_blocks(self, n: int) -> list[int]:
        """``n`` steps from now, split where the schedule changes the rates."""
        o, parts, at = self.config.optim, [], self.step
        while n:
            part = min(n, tick(at, o.anneal_start, o.anneal_steps) or n)
            parts.append(part)
            n, at = n - part, at + part
        return parts

    def rate_factor(self, step: int | None = None) -> float:
        """The fraction of the set learning rates the schedule gives the step after ``step`` (default: now)."""
        o = self.config.optim
        return anneal_factor(self.step if step is None else step, o.anneal_start, o.anneal_steps, o.anneal_to)

    def sync_rates(self, step: int, mark: bool = True) -> None:
        """Set the optimisers' rates for the step after ``step``: the set rates times the schedule's factor.
        A captured step has its rates baked in, so a change re-captures it. ``mark`` puts the fall's start and
        end on the charts."""
        o, f = self.config.optim, self.rate_factor(step)
        changed = False
        for key, opt in (("lr_d", self.parts.opt_d), ("lr_g", self.parts.opt_g)):
            for group in opt.param_groups:
                if group["lr"] != getattr(o, key) * f:
                    group["lr"], changed = getattr(o, key) * f, True
        if changed:
            self.runner.invalidate()
        if not mark or not o.anneal_start:
            return
        if step == o.anneal_start:
            self.store.add_event(step + 1, "rates fall")  # fixed marks, translated on the chart
        elif step == o.anneal_start + o.anneal_steps:
            self.store.add_event(step + 1, "rates settled")

    # -- live hyperparameters -------------------------------------------------
    def set_hparams(self, **knobs: float) -> None:
        """Change ``lr_d``, ``lr_g`` or ``d_steps`` mid-run; validated now, applied at the next step."""
        bad = sorted(set(knobs) - set(LIVE_KNOBS))
        if bad:
            raise ConfigError(f"only {', '.join(LIVE_KNOBS)} can change mid-run, not {', '.join(bad)}")
        replace(self.config.optim, **knobs)  # raises ConfigError on a bad value
        with self._pending_lock:
            self._pending.update(knobs)

    @property
    def pending_changes(self) -> bool:
        """Live changes asked for that the next step applies."""
        return bool(self._pending)

    def _apply_pending(self) -> None:
        if not self._pending:
            return
        with self._pending_lock:
            knobs, self._pending = self._pending, {}
        old = self.config.optim
        changes = {k: v for k, v in knobs.items() if getattr(old, k) != v}
        if not changes:
            return
        self.config = replace(self.config, optim=replace(old, **changes))
        self.sync_rates(self.step, mark=False)
        self.runner.invalidate()  # a captured step has the old rates (or D steps) baked in
        text = ", ".join(f"{k} {getattr(old, k):g} -> {v:g}" for k, v in changes.items())
        self.store.add_event(self.step + 1, text)

    # -- looking at the generator ----------------------------------------------
    def _fixed_inputs(self):
        """DCGAN's fixed_noise: one latent batch drawn once, so sample grids compare over time.

        On 1-D/2-D data it is the same draw ``python -m ganlab eval`` uses, so the live quality
        figures and the headless ones agree on the same weights.
        """
        toy = len(self.args.data_shape) == 1
        n = N_FIXED_TOY if toy else N_FIXED
        if self.args.n_classes and not toy:
            n = 10 * self.args.n_classes  # one column per class, ten styles each
        z_seed, real_seed = (QUALITY_Z_SEED, QUALITY_REAL_SEED) if toy else (self.config.seed + 1, self.config.seed + 2)
        z, y = self.variant.fixed_inputs(self, n, torch.Generator().manual_seed(z_seed))
        y = y.to(self.device) if y is not None else None
        real = self.variant.target(self).batch(n, torch.Generator(self.device).manual_seed(real_seed))[0]
        return z.to(self.device), y, self.to_display(real.cpu().numpy())

    def to_display(self, x: np.ndarray) -> np.ndarray:
        """Images on the -1..1 scale every page and judge expects (a 0..1 run's are mapped back)."""
        return x * 2 - 1 if self.config.data.scale == "0..1" and x.ndim == 4 else x

    def sample_fixed(self) -> np.ndarray:
        """G(fixed z) as numpy: (n, 2) for 2-D data, (n, 1, 28, 28) in [-1, 1] for images."""
        z, y = self.fixed_noise
        with self.lock, torch.no_grad():
            gen = self.shown_generator
            was_training = gen.training
            gen.eval()
            try:
                return self.to_display(gen(z, y).float().cpu().numpy())
            finally:
                gen.train(was_training)

    @property
    def fixed_noise(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The fixed latent batch and its labels (None for unconditional models), on the device."""
        return self._fixed[0], self._fixed[1]

    @property
    def shown_generator(self) -> torch.nn.Module:
        """What samples and figures show: the weight average when the run keeps one, else G itself."""
        return self.parts.gen_ema if self.parts.gen_ema is not None else self.parts.gen

    @property
    def shown_nets(self) -> dict[str, torch.nn.Module]:
        """Every network as pages see it: each generator the run averages replaced by its weight average."""
        return {**self.parts.nets, **self.parts.averages, "gen": self.shown_generator}

    @property
    def fixed_real(self) -> np.ndarray:
        """A fixed batch of real samples, for drawing beside the generated ones."""
        return self._fixed[2]
