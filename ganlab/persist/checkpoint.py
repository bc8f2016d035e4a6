"""Checkpoints that describe themselves, written atomically and read as untrusted input.

A checkpoint is a plain dict of tensors and primitives: the format tag, the
run config (which names the variant), the model arguments, the step, the library
and torch versions, the weights of every network by name, the optimiser states and
the training RNG state. It loads with ``torch.load(weights_only=True)``, so reading
one never executes code, and any page can rebuild the models from the file alone.

Format 2 keeps every network under ``nets``; format 1 (written before variants, with
only ``gen`` and ``disc``) still loads.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganlab import __version__
from ganlab.config import ConfigError, RunConfig
from ganlab.core.models import ModelArgs, build_nets
from ganlab.errors import CheckpointError  # noqa: F401  (raised here, defined apart)
from ganlab.said import said
from ganlab.training.trainer import Trainer

FORMAT = "ganlab-checkpoint"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_BYTES = 64 * 1024 * 1024  # larger files are refused before they are parsed
CHECKPOINT_NAME = "checkpoint.pt"




@dataclass(frozen=True)
class Checkpoint:
    config: RunConfig
    args: ModelArgs
    step: int
    train_seconds: float
    nets: dict[str, dict[str, torch.Tensor]]  # every network's weights by name ("gen", "disc", ...)
    opt_d: dict[str, Any] | None
    opt_g: dict[str, Any] | None
    rng: torch.Tensor | None
    rng_device: str | None
    versions: dict[str, str]
    gen_ema: dict[str, torch.Tensor] | None = None  # the weight average samples are drawn from, if kept

    @property
    def conditional(self) -> bool:
        return self.args.n_classes > 0

    @property
    def variant(self):
        from ganlab import variants

        return variants.get(self.args.arch)

    @property
    def gen(self) -> dict[str, torch.Tensor]:
        return self.nets["gen"]

    @property
    def disc(self) -> dict[str, torch.Tensor]:
        return self.nets["disc"]

    def build_nets(self, device="cpu") -> dict[str, torch.nn.Module]:
        """Every network, loaded and in eval mode on ``device``; ``gen`` is the one samples are drawn
        from (the weight average when the run kept one)."""
        nets = build_nets(self.args)
        for name, net in nets.items():
            net.load_state_dict(self.gen_ema if name == "gen" and self.gen_ema is not None else self.nets[name])
        return {name: net.to(device).eval() for name, net in nets.items()}

    def build_generator(self, device="cpu") -> torch.nn.Module:
        """The generator samples are drawn from (the weight average when kept), in eval mode, on ``device``."""
        return self.build_nets(device)["gen"]


def payload(trainer, *, optimisers: bool = True) -> dict[str, Any]:
    """Everything needed to rebuild and resume ``trainer`` (without ``optimisers``, Adam's moments are
    left out: a file about a third the size, whose resumed run starts its optimisers afresh)."""
    p = trainer.parts
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": {"ganlab": str(__version__), "torch": str(torch.__version__)},
        "config": trainer.config.to_dict(),
        "model_args": trainer.args.to_dict(),
        "step": int(trainer.step),
        "train_seconds": float(trainer.train_seconds),
        "nets": {name: {k: v.detach().cpu() for k, v in net.state_dict().items()} for name, net in p.nets.items()},
        **({"gen_ema": {k: v.detach().cpu() for k, v in p.gen_ema.state_dict().items()}} if p.gen_ema else {}),
        **({"opt_d": _to_cpu(p.opt_d.state_dict()), "opt_g": _to_cpu(p.opt_g.state_dict())} if optimisers else {}),
        "rng": p.rng.get_state(),
        "rng_device": p.rng.device.type,
    }


def _to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_cpu(v) for v in obj)
    return obj


def atomic_write(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, fsync, then rename over ``path``.

    A reader (or a crash) sees the old file or the new one, never a partial one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; a checkpoint is an ordinary file
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return path


def to_bytes(trainer, *, optimisers: bool = True) -> bytes:
    if trainer.diverged:
        raise CheckpointError(said("this run diverged (NaN/inf weights); nothing was saved. Reset or load a checkpoint."))
    buf = io.BytesIO()
    with trainer.lock:
        torch.save(payload(trainer, optimisers=optimisers), buf)
    return buf.getvalue()


def save(trainer, path: str | Path, *, optimisers: bool = True) -> Path:
    """Atomically write ``trainer``'s checkpoint to ``path``."""
    return atomic_write(path, to_bytes(trainer, optimisers=optimisers))


def load(source: str | Path | bytes, *, max_bytes: int = MAX_BYTES) -> Checkpoint:
    """Read and validate a checkpoint from a path or raw bytes (an upload). Never executes code."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        label = said("the uploaded file")
    else:
        path = Path(source)
        if path.is_dir():
            path = path / CHECKPOINT_NAME
        label = str(path)
        try:
            size = path.stat().st_size
        except OSError as err:
            raise CheckpointError(said("{label} cannot be read: {err}", label=label, err=str(err.strerror or err))) from err
        if size > max_bytes:
            raise CheckpointError(said("{label} is {mb:.1f} MB; checkpoints are limited to {limit:.0f} MB", label=label,
                                        mb=size / 2**20, limit=max_bytes / 2**20))
        data = path.read_bytes()
    if len(data) > max_bytes:
        raise CheckpointError(said("{label} is {mb:.1f} MB; checkpoints are limited to {limit:.0f} MB", label=label,
                                    mb=len(data) / 2**20, limit=max_bytes / 2**20))
    if not data:
        raise CheckpointError(said("{label} is empty", label=label))
    try:
        raw = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many kinds for junk, truncation or forbidden globals
        raise CheckpointError(said("{label} is not a ganlab checkpoint ({why})", label=label, why=_why_unreadable(err))) from err
    return _validate(raw, label)


def _why_unreadable(err: Exception) -> str:
    """A short reason a person can read, for a file torch.load(weights_only=True) refused."""
    text = str(err)
    refused = re.search(r"(?:Unsupported global: GLOBAL|unsupported GLOBAL) ([\w.]+)", text)
    if refused:
        return said("it asks to run code ({name}), which is refused; nothing was executed", name=refused.group(1))
    return said("it is not a PyTorch file that loads safely: damaged, truncated, or another format")


def _validate(raw: Any, label: str) -> Checkpoint:
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise CheckpointError(said("{label} is not a ganlab checkpoint (no '{tag}' tag)", label=label, tag=FORMAT))
    version = raw.get("format_version")
    if version not in READABLE_VERSIONS:
        raise CheckpointError(said("{label} has checkpoint format {version!r}; this ganlab reads formats {formats}",
                                   label=label, version=version, formats=", ".join(map(str, READABLE_VERSIONS))))
    try:
        config = RunConfig.from_dict(raw["config"])
        args = ModelArgs.from_dict(raw["model_args"])
        step = int(raw["step"])
        states = raw["nets"] if version >= 2 else {"gen": raw["gen"], "disc": raw["disc"]}
        ema_state = raw.get("gen_ema")
        if not isinstance(states, dict) or not all(isinstance(v, dict) for v in states.values()):
            raise TypeError("its networks are not a mapping of weights")
    except (KeyError, TypeError, ValueError, ConfigError) as err:
        raise CheckpointError(said("{label} has a damaged description: {err}", label=label, err=str(err))) from err
    if args != ModelArgs.from_config(config, args.data_shape, args.data_classes):
        raise CheckpointError(said("{label}: its model arguments do not match its config", label=label))
    try:
        nets = build_nets(args)
        if set(nets) != set(states):
            raise ValueError(f"it holds networks {', '.join(sorted(states))}, the model has {', '.join(sorted(nets))}")
        for name, net in nets.items():
            net.load_state_dict(states[name])
        if ema_state is not None:
            nets["gen"].load_state_dict(ema_state)
    except (RuntimeError, ValueError, TypeError, AttributeError) as err:
        raise CheckpointError(said("{label}: the weights do not fit the described model ({err})", label=label,
                                    err=str(err)[:200])) from err
    named = {f"{net}.{k}": v for net, state in states.items() for k, v in state.items()}
    for name, tensor in {**named, **{f"ema.{k}": v for k, v in (ema_state or {}).items()}}.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise CheckpointError(said("{label}: weight {name} holds NaN or infinite values", label=label, name=name))
    train_seconds = float(raw.get("train_seconds", 0.0))
    if step < 0 or not math.isfinite(train_seconds):
        raise CheckpointError(said("{label} has a damaged description (step {step})", label=label, step=step))
    rng = raw.get("rng")
    return Checkpoint(config, args, step, train_seconds, states,
                      raw.get("opt_d"), raw.get("opt_g"),
                      rng if isinstance(rng, torch.Tensor) else None, raw.get("rng_device"),
                      dict(raw.get("versions", {})), ema_state)


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


def resume(ckpt: Checkpoint, *, device: str | None = None, data=None):
    """A :class:`~ganlab.training.trainer.Trainer` that continues exactly where ``ckpt`` stopped."""
    config = ckpt.config if device is None else ckpt.config.with_values(device=device)
    trainer = Trainer(config, data=data)
    p = trainer.parts
    for name, net in p.nets.items():
        net.load_state_dict(ckpt.nets[name])
    if p.gen_ema is not None:
        p.gen_ema.load_state_dict(ckpt.gen_ema if ckpt.gen_ema is not None else ckpt.gen)
    try:
        if ckpt.opt_d is not None and ckpt.opt_g is not None:
            _load_optimizer(p.opt_d, ckpt.opt_d)
            _load_optimizer(p.opt_g, ckpt.opt_g)
        if ckpt.rng is not None and ckpt.rng_device == trainer.device.type:
            p.rng.set_state(ckpt.rng)
    except (RuntimeError, ValueError, KeyError) as err:
        raise CheckpointError(said("the optimiser or RNG state does not fit this model: {err}", err=str(err))) from err
    trainer.step = ckpt.step
    p.ema_updates = _optimizer_steps(p.opt_g, ckpt.step)  # where the average's warm-up stood
    trainer.train_seconds = ckpt.train_seconds
    return trainer
