"""The course's own questions, each a card on the Experiments page that answers it by running it:
two lines on what to watch, the formula, and the runs it starts (side by side on the Compare page,
or one run on the Train page)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ganlab.classroom.presets import classic_config  # the 2-D recipe these questions were measured on
from ganlab.config import RunConfig


@dataclass(frozen=True)
class Question:
    key: str
    title: str
    explanation: str  # two lines: what is set up, what to watch
    formula: str
    runs: tuple[tuple[str, str, dict], ...] = ()  # (label, dataset, flat overrides) of the runs it starts
    steps: int = 3000
    keep_best: bool = False  # the run keeps its best checkpoint on disk
    plot: str = ""  # a figure the card draws itself ("bce": the cost by parts)
    extra: dict = field(default_factory=dict)

    def configs(self) -> list[RunConfig]:
        return [classic_config(data, **overrides) for _, data, overrides in self.runs]

    @property
    def labels(self) -> list[str]:
        return [label for label, _, _ in self.runs]


def bce_curves(n: int = 200) -> dict[str, np.ndarray]:
    """The binary cross-entropy -[y log p + (1 - y) log(1 - p)] over p in (0, 1), for y = 1 and y = 0."""
    p = np.linspace(0.001, 0.999, n)
    return {"p": p, "y = 1 (real)": -np.log(p), "y = 0 (fake)": -np.log(1 - p)}


def bce(y: float, p: float) -> float:
    p = min(max(p, 1e-7), 1 - 1e-7)
    return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


QUESTIONS: tuple[Question, ...] = (
    Question("bce-parts", "The BCE cost, by parts",
             "D's loss is the binary cross-entropy: for a real sample (y = 1) only -log D(x) counts, for a fake "
             "(y = 0) only -log(1 - D(G(z))).\nWatch the live run's D(x) and D(G(z)) on the two curves: near 0 where "
             "label and prediction agree, climbing towards infinity where they disagree.",
             r"\mathcal{L}(y, \hat y) = -\bigl[y \log \hat y + (1 - y) \log(1 - \hat y)\bigr]",
             runs=(("ring8", "ring8", {}),), plot="bce"),
    Question("range", "(0, 1) or (-1, 1)?",
             "Four runs of the classic MNIST GAN: pixels scaled to -1..1 or to 0..1, and G ending in tanh (-1..1) or "
             "sigmoid (0..1).\nWatch the mismatched ones: a G that cannot reach the data's range is told apart at "
             "once, D(G(z)) stays near 0, and its samples never look right.",
             r"\tanh(a) \in (-1, 1), \quad \sigma(a) = \frac{1}{1 + e^{-a}} \in (0, 1)",
             runs=(("-1..1 data, tanh G (matched)", "mnist", dict(scale="-1..1", output="tanh")),
                   ("0..1 data, sigmoid G (matched)", "mnist", dict(scale="0..1", output="sigmoid")),
                   ("-1..1 data, sigmoid G (mismatched)", "mnist", dict(scale="-1..1", output="sigmoid")),
                   ("0..1 data, tanh G (mismatched)", "mnist", dict(scale="0..1", output="tanh"))), steps=1500),
    Question("too-good-d", "A discriminator that is too good",
             "D trains alone for 1,000 steps before G starts, against the balanced start; then the usual remedies: "
             "the non-saturating loss, and a 5x higher G learning rate.\nWatch D(G(z)) start near 0 and G's gradient "
             "norm: under that D the minimax loss gives G a small fraction of what the non-saturating loss gives.",
             r"\nabla_\theta \log\bigl(1 - D(G(z))\bigr) = -\frac{D'(G(z))}{1 - D(G(z))}\,\nabla_\theta G(z) "
             r"\approx 0 \text{ when } D(G(z)) \approx 0",
             runs=(("balanced start (minimax)", "ring8", dict(loss="minimax", r1=0.0)),
                   ("D 1,000 steps ahead (minimax)", "ring8", dict(loss="minimax", r1=0.0, d_head_start=1000)),
                   ("D ahead, non-saturating loss", "ring8", dict(loss="ns", r1=0.0, d_head_start=1000)),
                   ("D ahead, G learning rate x5", "ring8", dict(loss="minimax", r1=0.0, d_head_start=1000,
                                                                   lr_g=2.5e-3))),
             steps=3000),
    Question("early-stopping", "Checkpoints as early stopping",
             "The ring8 run keeps its best state on disk by the live figure (modes covered, then high quality), as "
             "user/early-stopping-best.pt.\nOnce it covers the ring, raise both learning rates to 0.05 under "
             "'Change mid-run' and watch it fall apart: the best checkpoint stays, and the page says its step.",
             r"\theta^\star = \theta_{t^\star}, \quad t^\star = \arg\max_t \; \mathrm{quality}(G_{\theta_t})",
             runs=(("ring8", "ring8", {}),), keep_best=True),
)

BY_KEY = {q.key: q for q in QUESTIONS}
