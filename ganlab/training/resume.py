"""A run that continues where a checkpoint stopped: the trainer rebuilt from the file, its weights, weight
average, optimiser moments, step and RNG restored (``ganlab.persist.checkpoint`` reads the file; this
module, above the trainer, makes a run of it)."""

from __future__ import annotations

import torch

from ganlab.errors import CheckpointError
from ganlab.persist.checkpoint import Checkpoint
from ganlab.said import said
from ganlab.training.trainer import Trainer

def _optimizer_steps(opt: torch.optim.Optimizer, fallback: int) -> int:
    """How many updates ``opt`` has taken (Adam keeps the count per parameter), else ``fallback``."""
    for state in opt.state.values():
        if "step" in state:
            return int(state["step"])
    return fallback


_IMPLEMENTATION = ("fused", "foreach", "capturable")  # how Adam runs here, not what it has learned


def _load_optimizer(opt: torch.optim.Optimizer, state: dict) -> None:
    """``opt.load_state_dict(state)``, keeping this machine's choice of implementation.

    A state saved on a GPU says fused and capturable; ``load_state_dict`` would carry that onto a CPU,
    where capturable Adam refuses to step. The learned state (moments, step counts, rates) is loaded;
    the step counts are moved where this implementation keeps them.
    """
    kept = [{k: g[k] for k in _IMPLEMENTATION if k in g} for g in opt.param_groups]
    opt.load_state_dict(state)
    for group, flags in zip(opt.param_groups, kept):
        group.update(flags)
        on_device = bool(flags.get("fused") or flags.get("capturable"))
        for param in group["params"]:
            st = opt.state.get(param, {})
            if isinstance(st.get("step"), torch.Tensor):
                st["step"] = st["step"].to(param.device if on_device else "cpu", torch.float32)


def resume(ckpt: Checkpoint, *, device: str | None = None, data=None) -> Trainer:
    """A :class:`~ganlab.training.trainer.Trainer` that continues exactly where ``ckpt`` stopped."""
    config = ckpt.config if device is None else ckpt.config.with_values(device=device)
    trainer = Trainer(config, data=data)
    p = trainer.parts
    for name, net in p.nets.items():
        net.load_state_dict(ckpt.nets[name])
    if p.gen_ema is not None:
        p.gen_ema.load_state_dict(ckpt.gen_ema if ckpt.gen_ema is not None else ckpt.gen)
    for name, avg in p.averages.items():  # a file from before these were averaged starts them at the weights
        avg.load_state_dict(ckpt.averages.get(name, ckpt.nets[name]))
    try:
        if ckpt.opt_d is not None and ckpt.opt_g is not None:
            _load_optimizer(p.opt_d, ckpt.opt_d)
            _load_optimizer(p.opt_g, ckpt.opt_g)
        if ckpt.rng is not None and ckpt.rng_device == trainer.device.type:
            p.rng.set_state(ckpt.rng)
    except (RuntimeError, ValueError, KeyError, TypeError, IndexError, AttributeError) as err:
        raise CheckpointError(said("the optimiser or RNG state does not fit this model: {err}", err=str(err))) from err
    trainer.step = ckpt.step
    p.ema_updates = _optimizer_steps(p.opt_g, ckpt.step)  # where the average's warm-up stood
    trainer.train_seconds = ckpt.train_seconds
    return trainer
