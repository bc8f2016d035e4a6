"""Run configuration: one dataclass per concern, validated on construction.

A config is what a checkpoint stores, what the CLI parses and what the sidebar
edits: one definition, three faces. Every field has a unique *flat name*
(``lr_d``, ``batch_size``, ``data``...) so the CLI flag ``--lr-d`` and the
sidebar widget both address it without knowing which concern holds it.

The model (``--model``) names a GAN variant (:mod:`ganlab.variants`). A variant may bring
settings of its own (InfoGAN's code sizes, the semi-supervised GAN's label count): a small
validated dataclass in its module, held by ``RunConfig.variant`` and addressed by flat name
like every other field.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from typing import Any

from ganlab import variants
from ganlab.data.catalog import (DATASETS, DATASETS_DRAWN, MAX_POINTS, USER_PREFIX, check_name,
                                 data_kind, default_data_dir, user_root)
from ganlab.errors import UploadError
from ganlab.said import said, said_by
from ganlab.settings import ConfigError, NoSettings, Validated, check_field, claim, setting  # noqa: F401 (re-exported)

LOSSES = ("ns", "minimax", "lsgan", "hinge", "wgan-gp")
SMOOTHABLE_LOSSES = ("ns", "minimax", "lsgan")
LATENTS = ("normal", "uniform")
PRECISIONS = ("fp32", "bf16")
DEVICES = ("auto", "cpu", "cuda", "mps")


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
class DataConfig(Validated):
    name: str = setting("ring8", flag="data", help=f"training data: {', '.join(DATASETS)}, or user:NAME (imported)")
    data_dir: str = setting(default_data_dir, help="root folder of image datasets (torchvision layout)")
    points: tuple = setting(tuple, help="(x, y) centres of a drawn distribution (data custom)", form=False)
    scale: str = setting("-1..1", choices=("-1..1", "0..1"), help="the range image pixels are scaled to before "
                         "training (G's output must be able to reach it: tanh for -1..1, sigmoid for 0..1)")

    def __post_init__(self):
        super().__post_init__()
        if self.name not in DATASETS and not self.name.startswith(USER_PREFIX):
            raise ConfigError(f"data must be one of {', '.join(DATASETS)}, or user:NAME for a dataset you imported; "
                              f"got {self.name!r}")
        if self.name.startswith(USER_PREFIX):
            try:
                check_name(self.name)
            except UploadError as err:
                raise ConfigError(said_by(err)) from err
        object.__setattr__(self, "points", _check_points(self.points))
        if self.name in DATASETS_DRAWN and not self.points:
            raise ConfigError(said("data custom needs points: draw or select a region on the Draw data page"))
        if self.points and self.name not in DATASETS_DRAWN:
            raise ConfigError(f"points belong to data custom, not {self.name}")

    @property
    def kind(self) -> str:
        return data_kind(self.name, self.data_dir)

    @property
    def is_toy(self) -> bool:
        return self.kind == "toy"


def _variant_names() -> tuple[str, ...]:
    return variants.names()  # looked up when a config is made: a variant registered later is a choice too


UPSAMPLING = ("transposed", "nearest", "bilinear")


@dataclass(frozen=True)
class ModelConfig(Validated):
    arch: str = setting("mlp", flag="model", choices=_variant_names, help="the GAN variant (its networks and objective)")
    z_dim: int = setting(2, min=1, max=512, help="latent dimension")
    latent: str = setting("normal", choices=LATENTS, help="latent distribution p(z)")
    hidden: int = setting(128, min=4, max=2048, help="hidden width (MLP units, DCGAN base channels)")
    depth: int = setting(2, min=1, max=8, help="hidden layers of the MLP")
    output: str = setting("auto", choices=("auto", "tanh", "sigmoid"), help="G's last activation on images: auto "
                          "is tanh, whose range -1..1 matches the data's; sigmoid reaches only 0..1")
    upsample: str = setting("transposed", choices=UPSAMPLING, help="how a DCGAN generator's last layer doubles the "
                            "image: a transposed convolution (DCGAN's, which leaves a checkerboard in the spectrum), "
                            "or nearest or bilinear resizing and a 3x3 convolution (Chandrasegaran et al. 2021)")
    convs: int = setting(0, min=0, max=3, help="extra 3x3 convolutions at each resolution of a DCGAN's generator "
                         "and discriminator (0: DCGAN's two strided layers each; more: a deeper net, as "
                         "Radford et al.'s larger images have)")


@dataclass(frozen=True)
class OptimConfig(Validated):
    loss: str = setting("ns", choices=LOSSES, help="GAN objective")
    batch_size: int = setting(64, min=1, max=8192)
    lr_d: float = setting(2e-4, gt=0.0, max=1.0, help="discriminator learning rate")
    lr_g: float = setting(2e-4, gt=0.0, max=1.0, help="generator learning rate")
    beta1_d: float = setting(0.5, min=0.0, max=0.999)
    beta2_d: float = setting(0.999, min=0.0, max=0.9999)
    beta1_g: float = setting(0.5, min=0.0, max=0.999)
    beta2_g: float = setting(0.999, min=0.0, max=0.9999)
    d_steps: int = setting(1, min=1, max=20, help="discriminator updates per generator update")
    label_smoothing: float = setting(0.0, min=0.0, max=0.5, help="one-sided: real target 1 - s")
    gp_weight: float = setting(10.0, min=0.0, max=1000.0, help="gradient-penalty weight (wgan-gp)")
    ema: float = setting(0.0, min=0.0, max=0.9999, help="decay of a running average of G's weights (0 = off); "
                      "samples, figures and exploration use the average")
    r1: float = setting(0.0, min=0.0, max=1000.0, help="R1 penalty gamma on real data (0 = off): gamma/2 E||grad D(x)||^2")
    d_head_start: int = setting(0, min=0, max=100000, help="D-only updates before G's first (a discriminator "
                                "that starts far ahead of its generator)")
    anneal_start: int = setting(0, min=0, max=10**9, help="step after which both learning rates fall along a "
                                "cosine to anneal_to times their value, over anneal_steps steps (0 = never)")
    anneal_steps: int = setting(10000, min=1, max=10**9, help="steps the learning rates' fall takes")
    anneal_to: float = setting(0.05, gt=0.0, max=1.0, help="the fraction of the learning rates left after the fall")


@dataclass(frozen=True)
class RunConfig(Validated):
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    seed: int = setting(0, min=0, max=2**31 - 1)
    device: str = setting("auto", choices=DEVICES, help="auto picks cuda, then mps, then cpu")
    steps: int = setting(5000, min=1, max=10**9, help="generator steps for a headless run")
    precision: str = setting("fp32", choices=PRECISIONS, help="bf16 runs the training forward passes in bfloat16 "
                             "(autocast): faster where the hardware has it (recent GPUs, CPUs with AVX-512 BF16), "
                             "possibly slower elsewhere; losses, metrics and samples stay float32")
    # the variant's own settings (a dataclass of its module); None or a mapping is built into its type
    variant: Any = field(default=None, metadata={"form": False})

    def __post_init__(self):
        for f in fields(self):
            if f.name not in _SECTIONS and f.name != "variant":
                check_field(self, f)
        v = variants.get(self.model.arch)
        settings = self.variant
        if settings is None or isinstance(settings, dict):
            settings = _build(v.Settings, settings or {}, f"settings of model {v.key}")
        elif type(settings) is not v.Settings:
            raise ConfigError(f"the settings given are {type(settings).__name__}, but model {v.key} takes "
                              f"{v.Settings.__name__}")
        object.__setattr__(self, "variant", settings)
        if self.optim.label_smoothing > 0 and self.optim.loss not in SMOOTHABLE_LOSSES:
            raise ConfigError(
                f"label smoothing applies to the {', '.join(SMOOTHABLE_LOSSES)} losses, not "
                f"{self.optim.loss}; set label_smoothing to 0"
            )
        v.check(self)  # what this variant needs of the data and the settings; raises ConfigError

    # -- the flat face, shared by the CLI and the sidebar --------------------
    def flat(self) -> dict[str, Any]:
        out = {}
        for section in _SECTIONS:
            sub = getattr(self, section)
            for f in fields(sub):
                out[f.metadata.get("flag", f.name)] = getattr(sub, f.name)
        for f in fields(self):
            if f.name not in _SECTIONS and f.name != "variant":
                out[f.name] = getattr(self, f.name)
        for f in fields(self.variant):
            out[f.metadata.get("flag", f.name)] = getattr(self.variant, f.name)
        return out

    def with_values(self, **flat: Any) -> "RunConfig":
        """A copy with fields replaced by flat name; validates the result.

        Naming another model starts its settings from that variant's defaults; a setting of a variant
        other than the resulting model's is refused with a message naming the variant it belongs to.
        """
        where = flat_fields()
        unknown = sorted(set(flat) - set(where))
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
        arch = flat.get("model", self.model.arch)
        if arch not in variants.names():
            raise ConfigError(f"model must be one of {', '.join(variants.names())}; got {arch!r}")
        changes: dict[str, dict[str, Any]] = {}
        top: dict[str, Any] = {}
        own: dict[str, Any] = {}
        for key, value in flat.items():
            section, name = where[key]
            if section is None:
                top[name] = value
            elif section.startswith("variant:"):
                owner = section.split(":", 1)[1]
                if owner != arch:
                    raise ConfigError(f"{key} is a setting of model {owner}, not of {arch}")
                own[name] = value
            else:
                changes.setdefault(section, {})[name] = value
        subs = {s: replace(getattr(self, s), **c) for s, c in changes.items()}
        settings = self.variant if arch == self.model.arch else variants.get(arch).Settings()
        if own:
            settings = replace(settings, **own)
        return replace(self, **subs, **top, variant=settings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> "RunConfig":
        """Rebuild from ``to_dict`` output (a checkpoint, a JSON file); strict about keys.

        A config written before variants had settings of their own has no ``variant`` section: the
        model's defaults are used."""
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
                kwargs[key] = _build(sub_types[key], value, f"config section {key}")
            elif key == "variant":
                if value is not None and not isinstance(value, dict):
                    raise ConfigError("config section variant must be a mapping")
                kwargs[key] = value
            else:
                kwargs[key] = value
        kwargs["variant"] = _with_legacy(kwargs.get("model", ModelConfig()).arch, kwargs.get("variant"))
        return cls(**kwargs)


def _with_legacy(arch: str, saved: dict | None) -> dict | None:
    """A saved config's variant settings, where a setting added later takes the value that reproduces what
    was trained before it existed (its ``legacy`` metadata), not its new default."""
    try:
        kind = variants.get(arch).Settings
    except ConfigError:
        return saved  # an unknown model is refused when the config is built
    old = {f.name: f.metadata["legacy"] for f in fields(kind) if "legacy" in f.metadata}
    if not old:
        return saved
    return {**old, **(saved or {})}


def _build(kind, values: dict, where: str):
    """``kind(**values)``, refusing names the dataclass does not have."""
    names = {f.name for f in fields(kind)}
    bad = sorted(set(values) - names)
    if bad:
        raise ConfigError(f"unknown setting(s) in {where}: {', '.join(map(str, bad))}")
    return kind(**values)


_SECTIONS = ("data", "model", "optim")
for _kind in (DataConfig, ModelConfig, OptimConfig):
    claim(_kind, "the shared settings")
claim(RunConfig, "the shared settings", skip=_SECTIONS + ("variant",))


def flat_fields() -> dict[str, tuple[str | None, str]]:
    """Flat name -> (section or None, field name); a variant's own settings are in section "variant:KEY"."""

    out: dict[str, tuple[str | None, str]] = {}
    for section, sub in (("data", DataConfig), ("model", ModelConfig), ("optim", OptimConfig)):
        for f in fields(sub):
            out[f.metadata.get("flag", f.name)] = (section, f.name)
    for f in fields(RunConfig):
        if f.name not in _SECTIONS and f.name != "variant":
            out[f.name] = (None, f.name)
    for v in variants.all_variants():
        for f in fields(v.Settings):
            out[f.metadata.get("flag", f.name)] = (f"variant:{v.key}", f.name)
    return out


def field_specs(variant: str | None = None) -> dict[str, dict[str, Any]]:
    """Flat name -> {type, default, help, min, max, choices, variant} for building CLIs and forms.

    Every variant's own settings are listed (``variant`` names the model each belongs to), or,
    when ``variant`` is given, only that model's."""
    specs = {}
    owned = [(v.key, v.Settings) for v in variants.all_variants() if variant in (None, v.key)]
    for owner, sub in [(None, DataConfig), (None, ModelConfig), (None, OptimConfig), (None, RunConfig), *owned]:
        for f in fields(sub):
            if sub is RunConfig and (f.name in _SECTIONS or f.name == "variant") or f.metadata.get("form") is False:
                continue
            default = f.default if f.default is not MISSING else f.default_factory()
            meta = {k: v for k, v in f.metadata.items() if k != "flag"}
            if callable(meta.get("choices")):
                meta["choices"] = meta["choices"]()
            specs[f.metadata.get("flag", f.name)] = {
                "type": f.type if isinstance(f.type, str) else f.type.__name__,
                "default": default,
                **meta,
                **({"variant": owner} if owner else {}),
            }
    return specs


# Defaults tuned per dataset (see docs/ for the runs behind them: docs/benchmarks.md for ring8 and grid25's
# recipe, docs/mode_coverage.md for the weight average and R1 gamma 0.03 it keeps). The app and the CLI start
# from these when only a dataset is named; a variant's own defaults for the dataset (``Variant.defaults``) go on top.
FAST_TOY = dict(model="mlp", z_dim=2, hidden=128, depth=3, batch_size=128, loss="lsgan", lr_d=2e-3, lr_g=2e-3,
                beta1_d=0.0, beta2_d=0.99, beta1_g=0.0, beta2_g=0.99, ema=0.99, r1=0.1,
                anneal_start=10000, anneal_steps=10000, anneal_to=0.05)
_PRESETS: dict[str, dict[str, Any]] = {
    # issue #23's recipe (docs/benchmarks.md, "Time to quality"): a narrower MLP (128 wide) that takes several
    # times as many steps per second on a CPU, LSGAN's objective, Adam without momentum (betas 0, 0.99) at 2e-3,
    # a shorter weight average; with issue #29's third layer, which reaches the first marks in fewer steps, and
    # the rates' fall from step 10,000 to 5% at 20,000, which settles the samples onto the modes
    # (docs/mode_coverage.md); grid25 with R1 0.1, which kept a mode that 0.03 lost on one seed
    "ring8": dict(FAST_TOY, r1=0.03),
    "grid25": dict(FAST_TOY),
    "spiral": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4),
    "moons": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4),
    "custom": dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, lr_d=5e-4, lr_g=5e-4, ema=0.999, r1=0.03),
    # Goodfellow et al. (2014) Figure 1: a 1-D latent mapped onto the line.
    "mog1d": dict(model="mlp", z_dim=1, hidden=64, depth=2, batch_size=256, lr_d=1e-3, lr_g=1e-3),
    # The classic fully connected GAN: D 784-128-1, G 100-128-784 (tanh).
    "mnist": dict(model="mlp", z_dim=100, hidden=128, depth=1, batch_size=64, lr_d=2e-4, lr_g=2e-4),
    "fashion-mnist": dict(model="mlp", z_dim=100, hidden=128, depth=1, batch_size=64, lr_d=2e-4, lr_g=2e-4),
    "digits8": dict(model="mlp", z_dim=100, hidden=128, depth=1, batch_size=64, lr_d=2e-4, lr_g=2e-4),
}


def default_config(data: str = "ring8", **overrides: Any) -> RunConfig:
    """The default settings for a dataset (and model, if one is named), with any flat overrides applied."""
    if data not in DATASETS and not str(data).startswith(USER_PREFIX):
        raise ConfigError(f"data must be one of {', '.join(DATASETS)}, or user:NAME; got {data!r}")
    kind = data_kind(data, overrides.get("data_dir", default_data_dir()))
    if kind == "unknown":
        raise ConfigError(f"no imported dataset {data} in {user_root(overrides.get('data_dir', default_data_dir()))}; "
                          "import one (Your own data on the Train page, or python -m ganlab data import FILE --name NAME)")
    preset = _PRESETS.get(data) or _PRESETS["custom" if kind == "toy" else "mnist"]
    if data.startswith(USER_PREFIX) and preset is _PRESETS["custom"]:
        preset = {k: v for k, v in preset.items() if k not in ("ema", "r1")}  # no modes known: the plain recipe
    model = overrides.get("model", preset["model"])
    if model not in variants.names():
        raise ConfigError(f"model must be one of {', '.join(variants.names())}; got {model!r}")
    tuned = variants.get(model).defaults.get(data, {})
    return RunConfig().with_values(data=data, **{**preset, **tuned, **overrides})
