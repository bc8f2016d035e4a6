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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ganlab import __version__, variants
from ganlab.config import ConfigError, RunConfig
from ganlab.core.models import ModelArgs
from ganlab.errors import CheckpointError  # noqa: F401  (raised here, defined apart)
from ganlab.said import said

FORMAT = "ganlab-checkpoint"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
MAX_BYTES = 64 * 1024 * 1024  # larger files are refused before they are parsed
CHECKPOINT_NAME = "checkpoint.pt"
MAX_PARAMETERS = MAX_BYTES // 2  # values the networks a file describes may hold (bfloat16 at most halves a float32)
MAX_SIDE = 64  # images: C x S x S with C 1 or 3 and S at most this (the loaders' 28x28 and 32x32, user images)
MAX_CLASSES = 1000


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
    averages: dict[str, dict[str, torch.Tensor]] = field(default_factory=dict)  # other generators' averages

    @property
    def conditional(self) -> bool:
        return self.args.n_classes > 0

    @property
    def variant(self):
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
        nets = variants.build_nets(self.args)
        for name, net in nets.items():
            net.load_state_dict(self.gen_ema if name == "gen" and self.gen_ema is not None
                                else self.averages.get(name, self.nets[name]))
        return {name: net.to(device).eval() for name, net in nets.items()}

    def build_generator(self, device="cpu") -> torch.nn.Module:
        """The generator samples are drawn from (the weight average when kept), in eval mode, on ``device``."""
        return self.build_nets(device)["gen"]


def payload(trainer, *, optimisers: bool = True, average_only: bool = False) -> dict[str, Any]:
    """Everything needed to rebuild and resume ``trainer``. Without ``optimisers``, Adam's moments are left out:
    a file about a third the size, whose resumed run starts its optimisers afresh. With ``average_only``, the
    generator's weight average (what samples are drawn from) is kept as the generator and its raw weights are
    left out: the same samples, and a resumed run continues from the average."""
    p = trainer.parts
    nets = {name: {k: v.detach().cpu() for k, v in net.state_dict().items()} for name, net in p.nets.items()}
    average = {k: v.detach().cpu() for k, v in p.gen_ema.state_dict().items()} if p.gen_ema else None
    others = {name: {k: v.detach().cpu() for k, v in avg.state_dict().items()} for name, avg in p.averages.items()}
    if average_only and average is not None:
        nets["gen"], average = average, None
        nets.update(others)
        others = {}
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": {"ganlab": str(__version__), "torch": str(torch.__version__)},
        "config": trainer.config.to_dict(),
        "model_args": trainer.args.to_dict(),
        "step": int(trainer.step),
        "train_seconds": float(trainer.train_seconds),
        "nets": nets,
        **({"gen_ema": average} if average is not None else {}),
        **({"averages": others} if others else {}),
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


def to_bytes(trainer, *, optimisers: bool = True, average_only: bool = False) -> bytes:
    if trainer.diverged:
        raise CheckpointError(said("this run diverged (NaN/inf weights); nothing was saved. Reset or load a checkpoint."))
    buf = io.BytesIO()
    with trainer.lock:
        torch.save(payload(trainer, optimisers=optimisers, average_only=average_only), buf)
    return buf.getvalue()


def to_bytes_of(ckpt: Checkpoint) -> bytes:
    """A checkpoint read earlier, as a file's bytes again (to send it to the process that resumes it)."""
    buf = io.BytesIO()
    torch.save({
        "format": FORMAT, "format_version": FORMAT_VERSION, "versions": dict(ckpt.versions),
        "config": ckpt.config.to_dict(), "model_args": ckpt.args.to_dict(), "step": int(ckpt.step),
        "train_seconds": float(ckpt.train_seconds), "nets": ckpt.nets,
        **({"gen_ema": ckpt.gen_ema} if ckpt.gen_ema is not None else {}),
        **({"averages": ckpt.averages} if ckpt.averages else {}),
        **({"opt_d": ckpt.opt_d, "opt_g": ckpt.opt_g} if ckpt.opt_d is not None and ckpt.opt_g is not None else {}),
        **({"rng": ckpt.rng, "rng_device": ckpt.rng_device} if ckpt.rng is not None else {}),
    }, buf)
    return buf.getvalue()


def save(trainer, path: str | Path, *, optimisers: bool = True, average_only: bool = False) -> Path:
    """Atomically write ``trainer``'s checkpoint to ``path`` (``payload`` says what the options leave out)."""
    return atomic_write(path, to_bytes(trainer, optimisers=optimisers, average_only=average_only))


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
        averages = raw.get("averages", {})
        if not isinstance(states, dict) or not all(isinstance(v, dict) for v in states.values()):
            raise TypeError("its networks are not a mapping of weights")
        if not isinstance(averages, dict) or not set(averages) <= set(variants.get(config.model.arch).averaged) - {"gen"}:
            raise TypeError("its weight averages are not a mapping of the model's other generators")
    except (KeyError, TypeError, ValueError, ConfigError) as err:
        raise CheckpointError(said("{label} has a damaged description: {err}", label=label, err=str(err))) from err
    _check_description(args, config, label)
    _check_weights(args, states, ema_state, averages, label)  # every tensor against the described networks (meta)
    named = {f"{net}.{k}": v for net, state in states.items() for k, v in state.items()}
    named |= {f"ema.{k}": v for k, v in (ema_state or {}).items()}
    named |= {f"ema.{net}.{k}": v for net, state in averages.items() for k, v in state.items()}
    for name, tensor in named.items():
        if tensor.is_floating_point() and not torch.isfinite(tensor).all():
            raise CheckpointError(said("{label}: weight {name} holds NaN or infinite values", label=label, name=name))
    train_seconds = float(raw.get("train_seconds", 0.0))
    if step < 0 or not math.isfinite(train_seconds):
        raise CheckpointError(said("{label} has a damaged description (step {step})", label=label, step=step))
    rng = raw.get("rng")
    return Checkpoint(config, args, step, train_seconds, states,
                      raw.get("opt_d"), raw.get("opt_g"),
                      rng if isinstance(rng, torch.Tensor) else None, raw.get("rng_device"),
                      dict(raw.get("versions", {})), ema_state, averages)


def _check_description(args: ModelArgs, config: RunConfig, label: str) -> None:
    """The model arguments within what the app itself would build, and implied by the config."""
    shape = args.data_shape
    whole = [args.n_classes, args.data_classes, *shape]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in whole):
        raise CheckpointError(said("{label} has a damaged description: its model arguments are not whole numbers",
                                   label=label))
    if len(shape) == 1:
        ok = shape[0] in (1, 2)
    elif len(shape) == 3:
        ok = shape[0] in (1, 3) and shape[1] == shape[2] and 4 <= shape[1] <= MAX_SIDE
    else:
        ok = False
    if not ok or not 0 <= args.n_classes <= MAX_CLASSES or not 0 <= args.data_classes <= MAX_CLASSES:
        raise CheckpointError(said("{label} describes data this app never trains on (shape {shape}, {classes} "
                                   "classes)", label=label, shape=list(shape)[:8], classes=args.data_classes))
    try:
        implied = variants.model_args(config, shape, args.data_classes)
    except (ConfigError, ValueError, TypeError) as err:
        raise CheckpointError(said("{label} has a damaged description: {err}", label=label, err=str(err)[:200])) from err
    if args != implied:
        raise CheckpointError(said("{label}: its model arguments do not match its config", label=label))


def _check_weights(args: ModelArgs, states: dict, ema_state: dict | None, averages: dict, label: str) -> None:
    """Every tensor the file holds, by name, shape and dtype, against the networks ``args`` describes, built on
    the meta device (no memory); and their size against a bound. Nothing is allocated before this passes."""
    try:
        expected = variants.networks_on_meta(args)
    except (RuntimeError, ValueError, TypeError, OverflowError) as err:
        raise CheckpointError(said("{label} describes networks that cannot be built: {err}", label=label,
                                   err=str(err)[:200])) from err
    size = sum(t.numel() for net in expected.values() for t in net.state_dict().values())
    if size > MAX_PARAMETERS:
        raise CheckpointError(said("{label} describes networks of {n:,} values; a checkpoint may describe at most "
                                   "{limit:,}", label=label, n=size, limit=MAX_PARAMETERS))
    if set(expected) != set(states):
        raise CheckpointError(said("{label}: the weights do not fit the described model (it holds networks {held}, "
                                   "the model has {wanted})", label=label, held=", ".join(sorted(map(str, states))),
                                   wanted=", ".join(sorted(expected))))
    for name, net in expected.items():
        kept = {"gen_ema": ema_state} if name == "gen" and ema_state else {}
        kept |= {f"{name}'s average": averages[name]} if name in averages else {}
        for part, state in ((name, states[name]), *kept.items()):
            want = net.state_dict()
            if not isinstance(state, dict) or set(state) != set(want):
                raise CheckpointError(said("{label}: the weights do not fit the described model (the names of {net}'s "
                                           "weights differ)", label=label, net=part))
            for key, tensor in state.items():
                if (not isinstance(tensor, torch.Tensor) or tensor.shape != want[key].shape
                        or tensor.dtype != want[key].dtype):
                    raise CheckpointError(said("{label}: the weights do not fit the described model ({net}.{key} is "
                                               "{got}, the model's is {wanted})", label=label, net=part, key=key,
                                               got=_describe(tensor), wanted=_describe(want[key])))


def _describe(value) -> str:
    if isinstance(value, torch.Tensor):
        return f"{str(value.dtype).removeprefix('torch.')} {list(value.shape)}"
    return type(value).__name__
