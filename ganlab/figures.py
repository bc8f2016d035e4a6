"""What a live quality figure is: its key, its label, how it is written, which way is better, and the marks
it puts on the charts. Torch-free, at the bottom of the library.

Whoever measures a figure describes it and registers the description here: the evaluation of 1-D and
2-D data its PacGAN and grid figures (``ganlab.evaluation.quality``), the live judge a conditional
model's label agreement (``ganlab.evaluation.live``), a variant its own (the semi-supervised GAN's test
accuracy). The Train page's cards, the quality chart, the time-to-quality marks and the best-checkpoint
keeper look the descriptions up by the keys a run's figures hold; none of them names a figure. (A run's
figures travel as plain values, from a worker process too; their descriptions are the same code there.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ganlab.said import Said, said

Figures = dict  # a refresh's figures by key: {"high_quality": 0.93, "modes_covered": 8, ...}


@dataclass(frozen=True)
class Mark:
    """A moment worth marking on the charts the first time a run reaches it ("8/8 modes at 11 s")."""

    key: str
    reached: Callable[[Figures], bool]
    text: Callable[[Figures], str]


@dataclass(frozen=True)
class Figure:
    """One live figure.

    ``text`` writes its value for a card (it may read other figures: "8 / 8"); ``share`` says it is a share
    in [0, 1] that the quality chart can draw (``series`` names it there); ``better`` is "higher" or "lower";
    a figure with a ``rank`` takes part, in rank order, in judging which state of a run is best.
    """

    key: str
    label: str
    about: str
    text: Callable[[Figures], str]
    better: str = "higher"
    share: bool = False
    series: str = ""  # its name on the quality chart (defaults to the label)
    chart: str = "Sample quality (2,500 samples of the fixed noise)"  # the quality chart's title when it leads
    rank: int | None = None
    marks: tuple[Mark, ...] = ()
    value: Callable[[Figures], float] | None = None  # what the chart draws, if not the figure itself

    def __post_init__(self):
        if self.better not in ("higher", "lower"):
            raise ValueError(f"figure {self.key}: better must be 'higher' or 'lower', not {self.better!r}")

    def plotted(self, figures: Figures) -> float:
        return float(self.value(figures) if self.value is not None else figures[self.key])


def percent(key: str, digits: int = 1) -> Callable[[Figures], str]:
    return lambda q: f"{q[key]:.{digits}%}"


def number(key: str, digits: int = 3) -> Callable[[Figures], str]:
    return lambda q: f"{q[key]:.{digits}f}" if math.isfinite(q[key]) else "-"


_REGISTRY: dict[str, Figure] = {}


def register(*figures: Figure) -> None:
    """Describe figures (once each: a key means one figure)."""
    for f in figures:
        if _REGISTRY.get(f.key, f) is not f:
            raise ValueError(f"a figure named {f.key!r} is described already")
        _REGISTRY[f.key] = f


def described(figures: Figures) -> tuple[Figure, ...]:
    """The descriptions of the figures ``figures`` holds, in the order they were described."""
    return tuple(f for key, f in _REGISTRY.items() if key in figures)


def _ranked(figures: Figures) -> list[Figure]:
    return sorted((f for f in described(figures) if f.rank is not None), key=lambda f: f.rank)


def score(figures: Figures) -> tuple | None:
    """A sortable score (higher is better) from the ranked figures present, or None when none is."""
    ranked = _ranked(figures)
    if not ranked:
        return None
    return tuple(figures[f.key] if f.better == "higher" else -figures[f.key] for f in ranked)


def describe(figures: Figures) -> Said:
    """The ranked figures present, written out: "Modes covered 8 / 8, High quality 95.1%"."""
    out = None
    for f in _ranked(figures):
        label, value = said(f.label), f.text(figures)  # the label is a catalog entry (locale/extract.py)
        out = (said("{label} {value}", label=label, value=value) if out is None
               else said("{figures}, {label} {value}", figures=out, label=label, value=value))
    return out if out is not None else said("no figure to judge by")


def new_marks(figures: Figures, reached: set[str]) -> list[Mark]:
    """The marks of the figures present that ``figures`` reach for the first time (``reached`` holds keys)."""
    return [m for f in described(figures) for m in f.marks if m.key not in reached and m.reached(figures)]
