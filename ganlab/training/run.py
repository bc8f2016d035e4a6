"""A run, wherever it trains: the one interface pages, the UI helpers, sweeps and the lecture use.

A run may train on a thread of this process (:class:`~ganlab.training.background.BackgroundTrainer`),
on a worker process of the server's pool, or in a Ray actor of a cluster (``ganlab.pool``); a page cannot
tell which. What a page reads comes in one plain value, :class:`RunLook` (from a worker, in one answer,
shared by the fragments of one redraw); what it asks for are the commands below. Nothing here reaches
into a trainer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ganlab import variants
from ganlab.config import RunConfig
from ganlab.core.models import ModelArgs
from ganlab.training.run_state import SampleView, Status
from ganlab.training.store import Snapshot


@dataclass(frozen=True, kw_only=True)
class RunLook:
    """Everything one redraw of a run reads: plain values, picklable, never changed after it is made. Built by
    keyword only (seventeen fields, several of one type)."""

    status: Status
    config: RunConfig
    args: ModelArgs
    train_seconds: float  # time spent training (pauses and waiting for a turn excluded)
    diverged: str | None  # why the run stopped for good, if a loss became NaN
    snapshot: Snapshot  # the metrics store
    samples: SampleView | None  # the latest sample view (lab view, grid, live figures)
    quality_history: list[tuple[int, dict]]
    runs: int  # runs this handle has held (a reset, a new config or a loaded checkpoint each start one)
    fixed_real: np.ndarray  # the fixed real batch drawn beside G's samples
    extent: float | None  # half-width of the 1-D/2-D view (None for images)
    timeline: tuple[int, int] = (0, 0)  # (snapshots of G(fixed noise) kept, one every N steps)
    autosave_note: str | None = None
    best_note: str | None = None
    keeping_best: str | None = None  # where the best state is kept, if it is
    recorded_as: int | None = None  # the run's id in the run database
    recorder_note: str | None = None  # why it is not recorded, if it is not
    until: int | None = None  # a step budget (a sweep's runs pause there)
    extra: dict[str, Any] = field(default_factory=dict)  # what a backend adds (where it trains)

    @property
    def step(self) -> int:
        return self.status.step

    @property
    def variant(self):
        return variants.get(self.args.arch)

    @property
    def done(self) -> bool:
        """A run with a step budget that has reached it, or one that diverged."""
        return bool(self.diverged) or self.until is not None and self.step >= self.until

    def without_samples(self) -> "RunLook":
        """The same look without its sample view (for a reader who holds that view already)."""
        return replace(self, samples=None)

    def to_display(self, x: np.ndarray) -> np.ndarray:
        """Images on the -1..1 scale every page and judge expects (a 0..1 run's are mapped back)."""
        return x * 2 - 1 if self.config.data.scale == "0..1" and x.ndim == 4 else x


@runtime_checkable
class Run(Protocol):
    """What a page may do with a run. Every implementation answers the same way, in the same words."""

    # -- what it is, and what a redraw reads ----------------------------------------------------
    def look(self, steps_shown: int | None = None) -> RunLook: ...
    def status(self) -> Status: ...
    @property
    def config(self) -> RunConfig: ...
    @property
    def args(self) -> ModelArgs: ...
    @property
    def variant(self): ...

    # -- commands -----------------------------------------------------------------------------------
    def start(self) -> None: ...
    def pause(self) -> None: ...
    def step(self, n: int = 1, phase: str = "both") -> None: ...
    def wait_steps(self, timeout: float = 5.0) -> bool: ...
    def stop(self, timeout: float = 10.0) -> None: ...
    def reset(self, config: RunConfig | None = None) -> None: ...
    def resume_from(self, ckpt, *, data=None) -> None: ...
    def set_speed(self, steps_per_second: float | None) -> None: ...
    def set_hparams(self, **knobs) -> None: ...
    def set_autosave(self, every: int, path) -> None: ...
    def keep_best(self, path) -> None: ...
    def set_until(self, steps: int | None) -> None: ...

    # -- a run whose worker was lost ---------------------------------------------------------------
    @property
    def recoverable(self) -> bool: ...
    def recover(self) -> None: ...

    # -- what a page takes away -----------------------------------------------------------------------
    def nets_snapshot(self) -> dict: ...
    def checkpoint_bytes(self) -> bytes: ...
    def timeline_frames(self) -> list[tuple[int, np.ndarray]]: ...
