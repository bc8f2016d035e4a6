"""What a UI reads from a running trainer: its status, the latest sample view, the live quality history.

Plain values, written by the trainer thread and replaced whole (never mutated), so any thread
may read them without a lock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab.explore.lab import LabView

MAX_QUALITY_POINTS = 400  # the quality history halves its resolution when it grows past this

# What the page names while a phase runs in slow motion.
PHASE_TEXT = {
    "d": "Updating D: ascend log D(x) + log(1 - D(G(z))) on a real and a fake batch; G is frozen",
    "g": "Updating G: move the fakes where D scores them higher (descend L_G); D is frozen",
}


@dataclass(frozen=True)
class Status:
    state: str  # "ready" (built, never started), "running", "paused", "stopped"
    step: int
    device: str
    steps_per_second: float
    message: str | None  # why the run paused by itself (divergence, an error), if it did
    phase: str | None = None  # the update running now, in slow motion
    speed: float | None = None  # the steps/s cap, None for full speed
    engine: str = ""  # how full steps run: a CUDA graph or eager, and why (StepRunner.note)


@dataclass(frozen=True)
class SampleView:
    step: int
    fake: np.ndarray  # (n, 2) points or (n, 1, 28, 28) images in [-1, 1]
    real: np.ndarray
    lab: LabView | None = None  # the lab view's layers, on 1-D and 2-D data
    quality: dict | None = None  # toy_quality of ``fake`` (the same draw `python -m ganlab eval` uses)
    panels: tuple = ()  # (caption, images) rows a translation model shows instead of a plain grid


def extend_history(history: list[tuple[int, dict]], step: int, quality: dict,
                   cap: int = MAX_QUALITY_POINTS) -> list[tuple[int, dict]]:
    """A new list with (step, quality) appended; past ``cap`` points every other one is dropped (the last kept)."""
    if history and history[-1][0] == step:
        return history
    history = history + [(step, quality)]
    if len(history) > cap:
        thinned = history[::2]
        history = thinned if thinned[-1] is history[-1] else thinned + [history[-1]]
    return history
