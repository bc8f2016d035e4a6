"""What a run keeps of itself as it trains: its wall clock and pace, autosaves, its row in the run database,
and the samples and live figures a page draws.

:class:`Books` is one :class:`~ganlab.training.driver.RunDriver`'s; the driver calls it after each turn
(:meth:`Books.after`) and when the run starts, stops or is replaced. None of it decides what trains next.
"""

from __future__ import annotations

import time
from collections import deque

from ganlab.persist.checkpoint import CheckpointError, save
from ganlab.said import said, said_by
from ganlab.training.trainer import Trainer
from ganlab.training.watch import RunWatch

SAMPLE_SECONDS = 1.0  # how often the samples, lab view and live figures are refreshed while running
# (the Train page redraws them every 1.5 s; computing them costs the trainer ~20 ms on 2-D data)


class Books:
    """``recorder`` (a :class:`~ganlab.persist.runs_db.RunRecorder`, or None) keeps the run's row; ``watch``
    holds what is watched of it (samples, live figures, timeline, marks, the best state)."""

    def __init__(self, recorder=None):
        self.recorder = recorder
        self.watch = RunWatch()
        self.autosave: tuple[int, object] | None = None  # (every N steps, path)
        self.autosave_note: str | None = None
        self.sample_seconds = SAMPLE_SECONDS  # a busy host stretches it (ganlab.pool.host.spread_samples)
        self.sample_cost = 0.0  # seconds the last refresh of the samples and live figures took
        self._last_sample = 0.0
        self._clock: deque[tuple[float, int]] = deque(maxlen=256)  # (monotonic time, step) after each turn
        self._running_since = (0.0, 0)  # (monotonic time, step) when it last started running
        self._wall_before = 0.0  # wall seconds of this run's earlier spells of running

    # -- the wall clock -----------------------------------------------------------------------------
    def started(self, step: int) -> None:
        self._running_since = (time.monotonic(), step)

    def stopped(self) -> None:
        self._wall_before += time.monotonic() - self._running_since[0]

    def wall_seconds(self, running: bool) -> float:
        """Wall time the run has been meant to be training, waiting for turns included."""
        return self._wall_before + (time.monotonic() - self._running_since[0] if running else 0.0)

    def pace(self, step: int, window: float = 3.0) -> float:
        """Steps per second of wall time over the last ``window`` seconds the run was meant to be training."""
        now = time.monotonic()
        since_t, since_step = self._running_since
        start = max(now - window, since_t)
        base_t, base = since_t, since_step
        for t, s in list(self._clock):  # the last point recorded at or before ``start`` in this running spell
            if since_t <= t <= start:
                base_t, base = t, s
        # over the time since that point: a run whose turns come seconds apart (many runs on a worker) would
        # otherwise count a whole turn's steps against the window alone
        return (step - base) / (now - base_t) if now - base_t > 0.2 else 0.0

    # -- a run begins, a turn ends -------------------------------------------------------------------
    def begin(self, trainer: Trainer) -> None:
        """A new run (the first, a reset, a resumed checkpoint): its row, and fresh samples."""
        self._wall_before = 0.0
        if self.recorder is not None:
            self.recorder.begin(trainer)
        self.watch.reset()
        self.refresh(trainer)

    def after(self, trainer: Trainer, n: int, *, state: str, every_step: bool) -> None:
        """After a turn of ``n`` steps: the clock, autosave, the row, and the samples and live figures when
        they are due (at once where ``every_step``: a single or slow-motion step, or a run that is not running)."""
        now = time.monotonic()
        self._clock.append((now, trainer.step))
        self._maybe_autosave(trainer, n)
        self.record(trainer, state, force=state != "running")
        if every_step or now - self._last_sample > self.sample_seconds:
            self.refresh(trainer)
            self._last_sample = now
        else:
            self.watch.frame(trainer)  # the timeline's frame when one is due, without the rest

    def refresh(self, trainer: Trainer) -> None:
        """The samples, lab view and live figures, drawn now."""
        t0 = time.perf_counter()
        self.watch.refresh(trainer, self.recorder)
        self.sample_cost = time.perf_counter() - t0

    def record(self, trainer: Trainer, state: str, *, force: bool = False, finished: bool = False) -> None:
        """Bring the run's row in the run database up to date (every few seconds, or now); ``state`` is the
        driver's (ready, running, paused, stopped)."""
        if self.recorder is None:
            return
        status = "diverged" if trainer.diverged else "stopped" if finished else state
        self.recorder.flush(trainer, self.watch.quality_history, status=status, force=force, finished=finished,
                            wall_seconds=self.wall_seconds(state == "running"))

    # -- autosave -----------------------------------------------------------------------------------
    def set_autosave(self, every: int, path) -> None:
        self.autosave = (int(every), path) if every and every > 0 else None

    def _maybe_autosave(self, trainer: Trainer, n: int) -> None:
        plan = self.autosave
        if plan is None or trainer.diverged or trainer.step % plan[0] >= n:
            return
        try:
            save(trainer, plan[1])
            self.autosave_note = said("autosaved at step {step:,}", step=trainer.step)
            if self.recorder is not None:
                self.recorder.checkpoint(trainer.step, plan[1])
        except (OSError, CheckpointError) as err:
            self.autosave_note = said("autosave failed at step {step:,}: {err}", step=trainer.step, err=said_by(err))
