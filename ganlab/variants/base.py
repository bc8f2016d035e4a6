"""What a GAN variant is, and the registry the shared machinery reads.

A variant is one readable module (``acgan.py``, ``infogan.py``...): its networks, the D half and
the G half of its step (each headed by the objective it optimises, with the paper), the metrics
it records, and what the exploration pages may do with it. It subclasses :class:`Variant` and
registers one instance; the trainer, the store, the charts, checkpoints, ``eval`` and the CLI
work from that object alone, so no page or loop tests a variant's name.

The D half and the G half return a :class:`Half`; the shared step
(:func:`ganlab.core.step.train_step`) zeroes the gradients, runs backward, measures the gradient
norm, steps the optimiser and keeps the weight average, once for every variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

import torch
from torch import nn

from ganlab.data.catalog import DATASETS_IMAGE
from ganlab.settings import ConfigError, NoSettings, claim

if TYPE_CHECKING:
    from ganlab.core.models import ModelArgs
    from ganlab.core.step import GANParts


@dataclass(frozen=True)
class Metric:
    """One value a step records: its name in the store, its label on a chart, what it means, its chart."""

    name: str
    label: str
    about: str
    group: str  # a key of CHART_GROUPS


@dataclass(frozen=True)
class ChartGroup:
    """One live time chart: the metrics of a group share its axes."""

    title: str
    scale: str = "linear"  # "linear", "log" (gradient norms) or "unit" (probabilities and shares, 0 to 1)
    equilibrium: bool = False  # draw D's equilibrium line at 0.5


CHART_GROUPS: dict[str, ChartGroup] = {
    "loss": ChartGroup("Losses"),
    "prob": ChartGroup("Discriminator outputs", "unit", equilibrium=True),
    "grad": ChartGroup("Gradient norms", "log"),
    "class": ChartGroup("Auxiliary classifier", "unit"),
    "info": ChartGroup("Mutual information", "linear"),
    "parts": ChartGroup("Loss terms", "linear"),
}

# The six values every variant records, in this order (the store's first columns after the step).
BASE_METRICS: tuple[Metric, ...] = (
    Metric("d_loss", "D loss", "the discriminator's whole objective, minimised by D", "loss"),
    Metric("g_loss", "G loss", "the generator's whole objective, minimised by G", "loss"),
    Metric("d_real", "D(x)", "mean probability D gives real samples", "prob"),
    Metric("d_fake", "D(G(z))", "mean probability D gives generated samples", "prob"),
    Metric("grad_d", "D grad norm", "norm of D's parameter gradient (0 when D was left alone)", "grad"),
    Metric("grad_g", "G grad norm", "norm of G's parameter gradient (0 when G was left alone)", "grad"),
)


class Half(NamedTuple):
    """What one half of a step returns: the loss to minimise and what the charts record.

    ``logit_real`` and ``logit_fake`` are D's real/fake logits of any shape (a PatchGAN's are a
    map); the step records the mean of their sigmoid as D(x) and D(G(z)). ``extras`` holds the
    variant's own metrics by name, as 0-d device tensors. ``shown`` is the loss the charts record
    when it is not all that is minimised (a side network's loss added in, as the semi-supervised
    GAN's labels-only baseline).
    """

    loss: torch.Tensor
    logit_real: torch.Tensor | None
    logit_fake: torch.Tensor
    extras: dict[str, torch.Tensor] = {}
    shown: torch.Tensor | None = None


@dataclass(frozen=True)
class Code:
    """A continuous latent code a page can slide (InfoGAN's c2, c3)."""

    index: int  # which continuous code
    label: str
    low: float = -2.0  # the range a page sweeps (training draws from U(-1, 1))
    high: float = 2.0


@dataclass(frozen=True)
class Translation:
    """What an image-to-image (or point-to-point) model translates: domain A to domain B, and back
    when it has a second generator (``cycle``)."""

    a: str  # display names: "outline", "MNIST digit", "8x8 digit", "moons"
    b: str
    a_data: str  # the dataset each domain's images come from
    b_data: str
    cycle: bool = False  # a B -> A generator too (gen_ba), and the cycle back
    outline_input: bool = False  # domain A is the outline of a domain-B image (ganlab.data.outline)
    first: str = "a2b"  # the direction a page opens on: for a cycle, the one that lands in the training data
    # what a translation keeps: "class" (a digit stays that digit: eval reads the label), or "look" for two kinds
    # of thing (a bag becomes a shoe: eval asks whether it reads as the target kind, and the page shows the
    # traits kept: size, tone, shape)
    keeps: str = "class"


# The model settings that only DCGAN's networks take (``Variant.upsampling``), and what each does to them.
DCGAN_ONLY = {"upsample": "changes a DCGAN generator's last layer", "convs": "deepens a DCGAN's networks"}


def dcgan_options(model) -> dict[str, Any]:
    """Those of ``model`` (a ModelConfig) set away from their defaults: what goes into a run's model options (so a
    checkpoint from before a setting existed rebuilds the networks it was saved with) and what other models refuse."""
    fields = type(model).__dataclass_fields__
    return {name: getattr(model, name) for name in DCGAN_ONLY if getattr(model, name) != fields[name].default}


class Variant:
    """A GAN variant. Subclasses set the class attributes and override what differs.

    The defaults describe the plain GAN: one G, one D, the six base metrics, no class handle.
    """

    key: ClassVar[str]  # registry key: what config.model.arch and ``--model`` say
    title: ClassVar[str]  # display name
    summary: ClassVar[str]  # one line for the model picker
    formula: ClassVar[str]  # its objective as LaTeX
    paper: ClassVar[str]
    data_kinds: ClassVar[tuple[str, ...]] = ("toy", "image")  # which datasets it trains on
    default_data: ClassVar[str] = "ring8"  # where the model picker takes a run on data it cannot train on
    Settings: ClassVar[type] = NoSettings  # its own settings (a validated frozen dataclass)
    metrics: ClassVar[tuple[Metric, ...]] = BASE_METRICS
    defaults: ClassVar[dict[str, dict[str, Any]]] = {}  # dataset -> tuned flat settings
    conditional: ClassVar[bool] = False  # G (and perhaps D) takes the data's class labels
    class_handle: ClassVar[str] = "class"  # what G's class input is called on the pages: "class" or "categorical code"
    dcgan_init: ClassVar[bool] = False  # N(0, 0.02) weights (Radford et al.) instead of PyTorch's default
    upsampling: ClassVar[bool] = False  # its image generator is DCGAN's, whose last layer ``upsample`` may change
    lab_view: ClassVar[bool] = True  # the 2-D/1-D lab view can draw it (one G, one D(x, y) of one logit)
    d_nets: ClassVar[tuple[str, ...]] = ("disc",)  # nets the D optimiser updates and D's gradient norm measures
    g_nets: ClassVar[tuple[str, ...]] = ("gen",)
    side_nets: ClassVar[tuple[str, ...]] = ()  # nets the D optimiser updates outside D's gradient norm
    averaged: ClassVar[tuple[str, ...]] = ("gen",)  # generators a run's weight average (ema) follows
    has_latent: ClassVar[bool] = True  # G draws from a latent z (a translation model maps an input instead)
    stacks: ClassVar[bool] = False  # the plain GAN step with fully connected nets: ganlab.pool.stacked steps many runs at once
    showcase: ClassVar[tuple[str, ...]] = ()  # what it is the model to train for ("class control"; see default_for)

    # -- configuration --------------------------------------------------------------
    def check(self, config) -> None:
        """Raise ConfigError when ``config`` cannot train this variant."""
        if not (self.upsampling and config.data.kind == "image"):
            for name, value in dcgan_options(config.model).items():
                takes = ", ".join(v.key for v in all_variants() if v.upsampling)
                raise ConfigError(f"{name} {value} {DCGAN_ONLY[name]} on images; {self.key} on {config.data.name} "
                                  f"has none (the image models that take it: {takes})")
        kind = config.data.kind
        if kind != "unknown" and kind not in self.data_kinds:
            others = ", ".join(v.key for v in all_variants() if kind in v.data_kinds)
            wanted = f"image data ({', '.join(DATASETS_IMAGE)})" if kind == "toy" else "1-D or 2-D data"
            raise ConfigError(f"model {self.key} needs {wanted}; for {config.data.name} choose {others}")

    def class_count(self, config, data_classes: int) -> int:
        """How many values G's class input takes (0: G has none)."""
        return data_classes if self.conditional else 0

    def model_options(self, config, data_classes: int) -> dict[str, Any]:
        """What the networks need beyond the shared model arguments (stored in the checkpoint)."""
        return {}

    # -- networks -------------------------------------------------------------------
    def build(self, args: ModelArgs) -> dict[str, nn.Module]:
        """Fresh networks by name (at least ``gen`` and ``disc``), on the meta device; the caller
        initialises them from the run's seed."""
        raise NotImplementedError

    def prepare(self, parts: GANParts, config) -> None:
        """Set up what the step needs besides the networks (a labelled subset...) in ``parts.state``."""

    # -- the step -------------------------------------------------------------------
    def d_half(self, p: GANParts, x: torch.Tensor, y: torch.Tensor) -> Half:
        raise NotImplementedError

    def g_half(self, p: GANParts) -> Half:
        raise NotImplementedError

    def d_logit(self, p: GANParts, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """D's real/fake logit on a batch with its labels (measured, not trained: a G-only step)."""
        return p.disc(x, y if p.n_classes else None)

    def g_measure(self, p: GANParts, d: Half) -> torch.Tensor:
        """G's loss measured without an update, after a D-only step: from the fakes D just saw."""
        return p.loss.generator(d.logit_fake)

    # -- what exploration may do ----------------------------------------------------
    def condition(self, args: ModelArgs, classes: torch.Tensor | None, generator: torch.Generator):
        """G's class input for these class indices (or None for a G without one)."""
        return classes if args.n_classes else None

    def codes(self, args: ModelArgs) -> tuple[Code, ...]:
        """Continuous latent codes a page may slide (none by default)."""
        return ()

    def code_vector(self, args: ModelArgs, classes: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """G's class input for categorical codes ``classes`` (n,) and continuous codes ``values`` (n, k)."""
        raise ValueError(f"model {self.key} has no continuous codes")

    def style_blocks(self, args: ModelArgs) -> tuple[str, ...]:
        """The names of a style-based G's blocks, coarse to fine (their styles can be mixed, and its
        ``gen(z, truncation=psi)`` truncates); empty for other generators."""
        return ()

    def vocabulary(self, args: ModelArgs) -> tuple[str, ...]:
        """The words a text-to-image G understands (its class input is a caption); empty for others."""
        return ()

    def translation(self, args: ModelArgs) -> Translation | None:
        """What this model translates, if it is an image-to-image (or point-to-point) model."""
        return None

    def translate(self, nets: dict[str, nn.Module], x: torch.Tensor, direction: str = "a2b") -> torch.Tensor:
        """Domain-A inputs to domain B (``a2b``) or back (``b2a``, cycle models only)."""
        raise ValueError(f"model {self.key} does not translate images")

    def fixed_inputs(self, trainer, n: int, generator: torch.Generator):
        """The fixed batch G is shown on (DCGAN's fixed_noise): (z, y) on the CPU. A translation model's
        z is a fixed batch of domain-A inputs, and y what the Train page shows beside them (G ignores it)."""
        from ganlab.core.models import sample_z

        args = trainer.args
        z = sample_z(n, args.z_dim, trainer.config.model.latent, generator, "cpu")
        classes = torch.arange(n) % args.n_classes if args.n_classes else None
        return z, self.condition(args, classes, generator)

    def target(self, trainer):
        """The data G's outputs should look like (a translation model's domain B)."""
        return trainer.data

    def lab_grid(self, trainer) -> float | None:
        """Half-width of the grid the lab view pushes through G (None: the latent's own range)."""
        return None

    def cycle_lines(self, trainer):
        """For a 2-D cycle model, (n, 3, 2) round trips a -> G(a) -> F(G(a)) for the lab view; else None."""
        return None

    def panels(self, trainer) -> tuple[tuple[str, Any], ...]:
        """Labelled image rows the Train page draws instead of a plain sample grid (a translation's
        input, output and target), from the trainer's fixed inputs."""
        return ()

    def classifiers(self, nets: dict[str, nn.Module]) -> dict[str, Any]:
        """Classifiers this variant trains, by display name: each maps images (B, ...) to class logits
        (B, K). The first is what ``python -m ganlab classify`` uses."""
        return {}

    def live_figures(self, trainer) -> dict[str, float]:
        """Figures the Train page shows beside the samples, measured a few times a second (cheaply)."""
        return {}

    # -- what every variant shares ----------------------------------------------------
    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)

    @property
    def extra_metrics(self) -> tuple[str, ...]:
        """The variant's own metric names (after the base six), in declaration order."""
        return tuple(m.name for m in self.metrics[len(BASE_METRICS):])

    def __repr__(self) -> str:
        return f"<variant {self.key}>"


_REGISTRY: dict[str, Variant] = {}


def register(variant: Variant) -> Variant:
    """Add ``variant`` to the registry; its key and its settings' flat names must be new."""
    if variant.key in _REGISTRY:
        raise ValueError(f"a variant named {variant.key!r} is registered already")
    if tuple(m.name for m in variant.metrics[:len(BASE_METRICS)]) != tuple(m.name for m in BASE_METRICS):
        raise ValueError(f"variant {variant.key}: its metrics must start with the base six")
    for m in variant.metrics:
        if m.group not in CHART_GROUPS:
            raise ValueError(f"variant {variant.key}: metric {m.name} names an unknown chart group {m.group!r}")
    claim(variant.Settings, f"model {variant.key}")  # its settings' flat names must be new
    _REGISTRY[variant.key] = variant
    return variant


def get(key: str) -> Variant:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ConfigError(f"model must be one of {', '.join(_REGISTRY)}; got {key!r}") from None


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


def all_variants() -> tuple[Variant, ...]:
    return tuple(_REGISTRY.values())


def default_for(purpose: str) -> Variant:
    """The variant a page trains when a person asks for a model that can do ``purpose`` ("class control")."""
    for v in _REGISTRY.values():
        if purpose in v.showcase:
            return v
    raise LookupError(f"no model is registered as the one for {purpose!r}")

