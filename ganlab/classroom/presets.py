"""Classroom experiments: one click sets a config (and a speed) and starts the run.

Each preset is plain data: a title, two lines saying what to watch, the formula
that explains it (LaTeX), and flat config overrides on top of a dataset's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ganlab.config import RunConfig, default_config

# The 2-D recipe the experiments were written and measured on (docs/mode_coverage.md): an MLP 256x3, batch 256,
# the non-saturating loss, Adam 5e-4 (0.5, 0.999), R1 0.03 and a weight average of 0.999. The app's ring8 and
# grid25 defaults have since become a faster recipe (docs/benchmarks.md); each experiment still starts from this
# one, so that what its card says to watch is what happens.
CLASSIC_2D = dict(model="mlp", z_dim=2, hidden=256, depth=3, batch_size=256, loss="ns", lr_d=5e-4, lr_g=5e-4,
                  beta1_d=0.5, beta2_d=0.999, beta1_g=0.5, beta2_g=0.999, ema=0.999, r1=0.03)
CLASSIC = {"ring8": CLASSIC_2D, "grid25": CLASSIC_2D}


def classic_config(data: str, **overrides: Any) -> RunConfig:
    """``default_config(data, **overrides)`` on the classic 2-D recipe where ``data`` is ring8 or grid25."""
    return default_config(data, **{**CLASSIC.get(data, {}), **overrides})


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    explanation: str  # two lines: what is set up, what to watch
    formula: str  # LaTeX for st.latex
    data: str
    overrides: dict[str, Any] = field(default_factory=dict)
    speed: float | None = None  # steps/s cap to start at; None for full speed

    def config(self) -> RunConfig:
        return classic_config(self.data, **self.overrides)


PRESETS: tuple[Preset, ...] = (
    Preset("minimax-vs-ns", "Minimax loss: the generator's gradient vanishes",
           "The original minimax generator loss log(1 - D(G(z))) is flat where D confidently rejects fakes, "
           "which is exactly where training starts.\nWatch D(G(z)) sink towards 0 and G's gradient norm stay several "
           "times below the non-saturating run's; then run 'Non-saturating loss' and compare.",
           r"\nabla_\theta \log(1 - D(G(z))) = -\frac{D'(G(z))}{1 - D(G(z))}\,\nabla_\theta G(z)"
           r"\;\xrightarrow{D(G(z)) \to 0}\; \text{small}",
           "ring8", dict(loss="minimax", d_steps=5, lr_d=1e-3)),
    Preset("non-saturating", "Non-saturating loss: the fix for the vanishing gradient",
           "Same set-up as the minimax experiment, but G maximises log D(G(z)) instead.\n"
           "Its gradient is largest exactly when D rejects the fakes, so G learns from the first steps.",
           r"\mathcal{L}_G = -\mathbb{E}_z \log D(G(z)), \quad "
           r"\nabla_\theta \mathcal{L}_G = -\frac{D'(G(z))}{D(G(z))}\,\nabla_\theta G(z)",
           "ring8", dict(loss="ns", d_steps=5, lr_d=1e-3)),
    Preset("too-many-d-steps", "Too many D steps",
           "D takes 10 updates for every G update: it wins every round and D(x) saturates at 1, D(G(z)) at 0.\n"
           "Watch the D(x) / D(G(z)) gap open and G's progress slow.",
           r"\max_D \; \mathbb{E}_x \log D(x) + \mathbb{E}_z \log(1 - D(G(z))) \quad (k = 10 \text{ ascent steps per G step})",
           "ring8", dict(d_steps=10)),
    Preset("too-few-d-steps", "Too weak a discriminator",
           "D learns ten times slower than G: its decision surface lags, and G chases a stale target.\n"
           "Watch the fakes overshoot and circle the modes instead of settling.",
           r"\eta_D = \tfrac{1}{10}\,\eta_G",
           "ring8", dict(lr_d=5e-5, lr_g=5e-4)),
    Preset("lr-too-high", "Learning rate too high",
           "Both networks step with lr 0.02: updates overshoot and the losses oscillate or blow up.\n"
           "Watch the loss curves; if the run diverges it pauses with a message and nothing is lost.",
           r"\theta \leftarrow \theta - \eta\, \hat m / (\sqrt{\hat v} + \epsilon), \quad \eta = 0.02",
           "ring8", dict(lr_d=0.02, lr_g=0.02, ema=0.0)),
    Preset("mode-collapse", "Mode collapse on grid25: G outruns D",
           "A small plain GAN (MLP 64x2, batch 64, no weight average) whose G learns 10x faster than its D: G piles "
           "all its samples wherever D currently says 'real', D then rejects that spot, and the clump hops on.\n"
           "Watch 'modes covered' stay at 0-5 of 25 (seeds 0 and 1 to 10k steps); then run the next experiment.",
           r"\text{for a fixed } D: \;\; \min_G \, -\mathbb{E}_z \log D(G(z)) \text{ is reached by } "
           r"G(z) = \arg\max_x D(x) \text{ for every } z",
           "grid25", dict(hidden=64, depth=2, batch_size=64, lr_d=1e-4, lr_g=1e-3, ema=0.0)),
    Preset("mode-collapse-fixed", "Mode collapse, fixed",
           "The classic recipe for grid25: a wider, deeper MLP, batch 256, an R1 penalty that keeps D flat on the data, "
           "and an average of G's weights.\nWatch every mode get covered and stay covered: 25/25 at 20k steps in 10 of "
           "10 seeds, 95.3% high quality on average (docs/mode_coverage.md).",
           r"\mathcal{L}_D \mathrel{+}= \frac{\gamma}{2}\,\mathbb{E}_x \lVert \nabla_x D(x) \rVert^2 \;(\gamma = 0.03), "
           r"\quad \bar\theta_G \leftarrow \beta\,\bar\theta_G + (1 - \beta)\,\theta_G \;(\beta = 0.999)",
           "grid25", dict()),
    Preset("label-smoothing", "One-sided label smoothing",
           "D's target for real data is 0.9 instead of 1, so it cannot become over-confident (Salimans et al. 2016).\n"
           "Watch D(x) level off near 0.9 and the gradients G receives stay informative.",
           r"\mathcal{L}_D = -\mathbb{E}_x\left[0.9 \log D(x) + 0.1 \log(1 - D(x))\right] - \mathbb{E}_z \log(1 - D(G(z)))",
           "ring8", dict(label_smoothing=0.1)),
    Preset("slow-motion-1d", "Slow motion on the line: Figure 1 of the GAN paper",
           "A 1-D generator maps z onto the line; D's curve and G's density move one update at a time.\n"
           "Watch D's curve rise where the data is, then G's mapping lines bend towards it.",
           r"D^*_G(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}",
           "mog1d", dict(), speed=2.0),
)

BY_KEY = {p.key: p for p in PRESETS}


@dataclass(frozen=True)
class Pair:
    """Two (or more) experiments that answer one question together, trained side by side to ``steps``."""

    key: str
    title: str
    question: str
    presets: tuple[str, ...]
    steps: int = 3000


PAIRS: tuple[Pair, ...] = (
    Pair("minimax-vs-ns", "Minimax against non-saturating",
         "Does G learn from the first steps? Compare G's gradient norm and D(G(z)) of the two losses.",
         ("minimax-vs-ns", "non-saturating")),
    Pair("d-steps", "Too many against too few D steps",
         "Which balance lets G make progress? Compare the D(x) / D(G(z)) gap and the modes covered.",
         ("too-many-d-steps", "too-few-d-steps")),
    Pair("grid25", "Plain against regularised on grid25",
         "Does the recipe stop mode collapse? Compare the modes covered over the run.",
         ("mode-collapse", "mode-collapse-fixed"), steps=6000),
)

PAIRS_BY_KEY = {p.key: p for p in PAIRS}
