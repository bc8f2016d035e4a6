"""Run configuration: one dataclass per concern, validated on construction.

A config is what a checkpoint stores, what the CLI parses and what the sidebar
edits: one definition, three faces. Every field has a unique *flat name*
(``lr_d``, ``batch_size``, ``data``...) so the CLI flag ``--lr-d`` and the
sidebar widget both address it without knowing which concern holds it.
"""

from __future__ import annotations

import math
import os
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

DATASETS_2D = ("ring8", "grid25", "spiral", "moons")
DATASETS_1D = ("mog1d",)
DATASETS_DRAWN = ("custom",)  # a 2-D distribution a person drew (DataConfig.points)
DATASETS_TOY = DATASETS_2D + DATASETS_1D + DATASETS_DRAWN  # sampled from formulas, no files, works offline
MAX_POINTS = 2000  # points of a drawn distribution
DATASETS_IMAGE = ("mnist", "fashion-mnist")
DATASETS = DATASETS_TOY + DATASETS_IMAGE
ARCHS = ("mlp", "dcgan", "cgan", "cdcgan")
CONDITIONAL_ARCHS = ("cgan", "cdcgan")
CONV_ARCHS = ("dcgan", "cdcgan")
LOSSES = ("ns", "minimax", "lsgan", "hinge", "wgan-gp")
SMOOTHABLE_LOSSES = ("ns", "minimax", "lsgan")
LATENTS = ("normal", "uniform")
PRECISIONS = ("fp32", "bf16")
DEVICES = ("auto", "cpu", "cuda", "mps")


class ConfigError(ValueError):
    """A config value a person typed is out of range or of the wrong kind."""


def default_data_dir() -> str:
    return os.environ.get("GANLAB_DATA", "./data")


def _opt(default, *, flag: str | None = None, help: str = "", **bounds):
    """A config field with its CLI/sidebar name, help text and numeric bounds."""
    meta = {"help": help, **bounds}
    if flag:
        meta["flag"] = flag
    if callable(default):
        return field(default_factory=default, metadata=meta)
    return field(default=default, metadata=meta)


def _check_field(obj, f) -> None:
    """Type-check and range-check one field; raise ConfigError a person can act on."""
    name = f.metadata.get("flag", f.name)
    value = getattr(obj, f.name)
    kind = f.type if isinstance(f.type, str) else f.type.__name__
    if kind == "int":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{name} must be a whole number, got {value!r}")
    elif kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{name} must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ConfigError(f"{name} must be a finite number, got {value!r}")
    elif kind == "str":
        if not isinstance(value, str):
            raise ConfigError(f"{name} must be text, got {value!r}")
    elif kind == "tuple":
        return  # checked by the owning dataclass
    lo, hi = f.metadata.get("min"), f.metadata.get("max")
    if lo is not None and value < lo or hi is not None and value > hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, got {value!r}")
    if f.metadata.get("gt") is not None and not value > f.metadata["gt"]:
        raise ConfigError(f"{name} must be greater than {f.metadata['gt']}, got {value!r}")
    choices = f.metadata.get("choices")
    if choices and value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    object.__setattr__(obj, f.name, value)


class _Validated:
    def __post_init__(self):
        for f in fields(self):
            _check_field(self, f)


def _check_points(points: Any) -> tuple[tuple[float, float], ...]:
    """A drawn distribution's centres: up to MAX_POINTS finite (x, y) pairs within +-100."""
    if isinstance(points, (str, bytes)) or not hasattr(points, "__len__"):
        raise ConfigError("points must be a list of (x, y) pairs")
    if len(points) > MAX_POINTS:
        raise ConfigError(f"points: at most {MAX_POINTS} points, got {len(points)}")
    out = []
    for p in points:
        if isinstance(p, (str, bytes)) or not hasattr(p, "__len__") or len(p) != 2:
            raise ConfigError(f"points must be (x, y) pairs, got {p!r}"[:200])
        try:
            x, y = float(p[0]), float(p[1])
        except (TypeError, ValueError):
            raise ConfigError(f"points must hold numbers, got {p!r}"[:200]) from None
        if not (math.isfinite(x) and math.isfinite(y) and abs(x) <= 100 and abs(y) <= 100):
            raise ConfigError(f"points must be finite and within +-100, got {p!r}"[:200])
        out.append((x, y))
    return tuple(out)


@dataclass(frozen=True)
class DataConfig(_Validated):
    name: str = _opt("ring8", flag="data", choices=DATASETS, help="training data")
    data_dir: str = _opt(default_data_dir, help="root folder of image datasets (torchvision layout)")
    points: tuple = _opt(tuple, help="(x, y) centres of a drawn distribution (data custom)", form=False)

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "points", _check_points(self.points))
        if self.name in DATASETS_DRAWN and not self.points:
            raise ConfigError("data custom needs points: draw or select a region on the Draw data page")
        if self.points and self.name not in DATASETS_DRAWN:
            raise ConfigError(f"points belong to data custom, not {self.name}")

    @property
    def is_toy(self) -> bool:
        return self.name in DATASETS_TOY


@dataclass(frozen=True)
class ModelConfig(_Validated):
    arch: str = _opt("mlp", flag="model", choices=ARCHS, help="network family")
    z_dim: int = _opt(2, min=1, max=512, help="latent dimension")
    latent: str = _opt("normal", choices=LATENTS, help="latent distribution p(z)")
    hidden: int = _opt(128, min=4, max=2048, help="hidden width (MLP units, DCGAN base channels)")
    depth: int = _opt(2, min=1, max=8, help="hidden layers of the MLP")

    @property
    def conditional(self) -> bool:
        return self.arch in CONDITIONAL_ARCHS


@dataclass(frozen=True)
class OptimConfig(_Validated):
    loss: str = _opt("ns", choices=LOSSES, help="GAN objective")
    batch_size: int = _opt(64, min=1, max=8192)
    lr_d: float = _opt(2e-4, gt=0.0, max=1.0, help="discriminator learning rate")
    lr_g: float = _opt(2e-4, gt=0.0, max=1.0, help="generator learning rate")
    beta1_d: float = _opt(0.5, min=0.0, max=0.999)
    beta2_d: float = _opt(0.999, min=0.0, max=0.9999)
    beta1_g: float = _opt(0.5, min=0.0, max=0.999)
    beta2_g: float = _opt(0.999, min=0.0, max=0.9999)
    d_steps: int = _opt(1, min=1, max=20, help="discriminator updates per generator update")
    label_smoothing: float = _opt(0.0, min=0.0, max=0.5, help="one-sided: real target 1 - s")
    gp_weight: float = _opt(10.0, min=0.0, max=1000.0, help="gradient-penalty weight (wgan-gp)")
    ema: float = _opt(0.0, min=0.0, max=0.9999, help="decay of a running average of G's weights (0 = off); "
                      "samples, figures and exploration use the average")
    r1: float = _opt(0.0, min=0.0, max=1000.0, help="R1 penalty gamma on real data (0 = off): gamma/2 E||grad D(x)||^2")


@dataclass(frozen=True)
class RunConfig(_Validated):
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    seed: int = _opt(0, min=0, max=2**31 - 1)
    device: str = _opt("auto", choices=DEVICES, help="auto picks cuda, then mps, then cpu")
    steps: int = _opt(5000, min=1, max=10**9, help="generator steps for a headless run")
    precision: str = _opt("fp32", choices=PRECISIONS, help="bf16 runs the training forward passes in bfloat16 "
                          "(autocast): faster where the hardware has it (recent GPUs, CPUs with AVX-512 BF16), "
                          "possibly slower elsewhere; losses, metrics and samples stay float32")

    def __post_init__(self):
        for f in fields(self):
            if f.name not in _SECTIONS:
                _check_field(self, f)
        if self.model.arch in CONV_ARCHS and self.data.is_toy:
            raise ConfigError(
                f"model {self.model.arch} is convolutional and needs image data (mnist or "
                f"fashion-mnist); for {self.data.name} choose mlp or cgan"
            )
        if self.optim.label_smoothing > 0 and self.optim.loss not in SMOOTHABLE_LOSSES:
            raise ConfigError(
                f"label smoothing applies to the {', '.join(SMOOTHABLE_LOSSES)} losses, not "
                f"{self.optim.loss}; set label_smoothing to 0"
            )

    # -- the flat face, shared by the CLI and the sidebar --------------------
    def flat(self) -> dict[str, Any]:
        out = {}
        for section in _SECTIONS:
            sub = getattr(self, section)
            for f in fields(sub):
                out[f.metadata.get("flag", f.name)] = getattr(sub, f.name)
        for f in fields(self):
            if f.name not in _SECTIONS:
                out[f.name] = getattr(self, f.name)
        return out

    def with_values(self, **flat: Any) -> "RunConfig":
        """A copy with fields replaced by flat name; validates the result."""
        where = flat_fields()
        unknown = sorted(set(flat) - set(where))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        changes: dict[str, dict[str, Any]] = {}
        top = {}
        for key, value in flat.items():
            section, name = where[key]
            if section is None:
                top[name] = value
            else:
                changes.setdefault(section, {})[name] = value
        subs = {s: replace(getattr(self, s), **c) for s, c in changes.items()}
        return replace(self, **subs, **top)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "RunConfig":
        """Rebuild from ``to_dict`` output (a checkpoint, a JSON file); strict about keys."""
        if not isinstance(data, dict):
            raise ConfigError("a config must be a mapping of settings")
        kwargs: dict[str, Any] = {}
        sub_types = {"data": DataConfig, "model": ModelConfig, "optim": OptimConfig}
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"unknown config section(s): {', '.join(map(str, unknown))}")
        for key, value in data.items():
            if key in sub_types:
                if not isinstance(value, dict):
                    raise ConfigError(f"config section {key} must be a mapping")
                names = {f.name for f in fields(sub_types[key])}
                bad = sorted(set(value) - names)
                if bad:
                    raise ConfigError(f"unknown setting(s) in {key}: {', '.join(map(str, bad))}")
                kwargs[key] = sub_types[key](**value)
            else:
                kwargs[key] = value
        return cls(**kwargs)


_SECTIONS = ("data", "model", "optim")


def flat_fields() -> dict[str, tuple[str | None, str]]:
    """Flat name -> (section or None, field name)."""
    out: dict[str, tuple[str | None, str]] = {}
    for section, sub in (("data", DataConfig), ("model", ModelConfig), ("optim", OptimConfig)):
        for f in fields(sub):
            out[f.metadata.get("flag", f.name)] = (section, f.name)
    for f in fields(RunConfig):
        if f.name not in _SECTIONS:
            out[f.name] = (None, f.name)
    return out


def field_specs() -> dict[str, dict[str, Any]]:
    """Flat name -> {type, default, help, min, max, choices} for building CLIs and forms."""
    specs = {}
    for section, sub in (("data", DataConfig), ("model", ModelConfig), ("optim", OptimConfig), (None, RunConfig)):
        for f in fields(sub):
            if section is None and f.name in _SECTIONS or f.metadata.get("form") is False:
                continue
            default = f.default if f.default is not MISSING else f.default_factory()
            specs[f.metadata.get("flag", f.name)] = {
                "type": f.type if isinstance(f.type, str) else f.type.__name__,
                "default": default,
                **{k: v for k, v in f.metadata.items() if k != "flag"},
            }
    return specs


# Defaults tuned per dataset (see docs/ for the runs behind them; docs/mode_coverage.md for ring8 and
# grid25's weight average and R1 gamma 0.03). The app and
# the CLI start from these when only a dataset is named.
_PRESETS: dict[str, dict[str, Any]] = {
    "ring8": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4, ema=0.999, r1=0.03),
    "grid25": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4, ema=0.999, r1=0.03),
    "spiral": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4),
    "moons": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4),
    "custom": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4, ema=0.999, r1=0.03),
    # Goodfellow et al. (2014) Figure 1: a 1-D latent mapped onto the line.
    "mog1d": dict(model="mlp", z_dim=1, hidden=64, depth=2, batch_size=256, lr_d=1e-3, lr_g=1e-3),
    # The classic fully connected GAN: D 784-128-1, G 100-128-784 (tanh).
    "mnist": dict(model="mlp", z_dim=100, hidden=128, depth=1, batch_size=64, lr_d=2e-4, lr_g=2e-4),
    "fashion-mnist": dict(model="mlp", z_dim=100, hidden=128, depth=1, batch_size=64, lr_d=2e-4, lr_g=2e-4),
}


def default_config(data: str = "ring8", **overrides: Any) -> RunConfig:
    """The default settings for a dataset, with any flat overrides applied."""
    if data not in DATASETS:
        raise ConfigError(f"data must be one of {', '.join(DATASETS)}; got {data!r}")
    return RunConfig().with_values(data=data, **{**_PRESETS[data], **overrides})
