"""One run's controls and bookkeeping, with no thread of its own: whoever drives it asks what it wants to do
next and gives it turns.

A :class:`RunDriver` holds a :class:`~ganlab.training.trainer.Trainer` and its state (ready, running,
paused, stopped), the single steps asked for, the speed cap and slow motion, the step budget, autosave,
the run database's row and what is watched of it (samples, live figures, timeline, marks, the best state).
It never sleeps and never starts a thread: :meth:`RunDriver.due` says how soon it wants a turn,
:meth:`RunDriver.plan` what the turn is, and :meth:`RunDriver.take_turn` runs one. A thread of its own
drives it in :class:`~ganlab.training.background.BackgroundTrainer`; a worker's scheduler drives many in
turn (``ganlab.pool.host``), stepping same-shaped runs together.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from ganlab.config import ConfigError, RunConfig
from ganlab.persist.checkpoint import CheckpointError, save, to_bytes
from ganlab.said import said, said_by
from ganlab.training.capacity import BLOCK_SECONDS
from ganlab.training.resume import resume
from ganlab.training.run import RunLook
from ganlab.training.run_state import PHASE_TEXT, SampleView, Status
from ganlab.training.trainer import Diverged, Trainer, resolve_device
from ganlab.training.watch import RunWatch

log = logging.getLogger(__name__)

SAMPLE_SECONDS = 1.0  # how often the samples, lab view and live figures are refreshed while running
# (the Train page redraws them every 1.5 s; computing them costs the trainer ~20 ms on 2-D data)
MAX_BLOCK = 500
SLOW_MOTION = 5.0  # at this many steps/s or fewer, D and G updates run (and are shown) one at a time
CHART_POINTS = 500  # rows of the metrics a look carries: what a time chart draws (ganlab.views.time_charts)


@dataclass(frozen=True)
class Turn:
    """A piece of work: ``n`` steps of ``phase``; ``single`` for steps a person asked for one by one (marked
    on the charts when they update one network); ``slow`` for one update of a slow-motion step."""

    n: int
    phase: str = "both"
    single: bool = False
    slow: bool = False

    @property
    def full(self) -> bool:
        """A block of full steps at full speed: what a scheduler may step together with other runs'."""
        return self.phase == "both" and not self.single and not self.slow


class RunDriver:
    """Start, pause, resume, single-step, stop and reset one run; given turns by whoever drives it.

    ``make_trainer(config)`` builds the trainer (pass one to share cached datasets between runs);
    ``recorder`` (a :class:`~ganlab.persist.runs_db.RunRecorder`) keeps every run this handle holds in the
    run database (a failure is only its note); ``slots`` (``ganlab.training.capacity.SLOTS``) limits how
    many train at once, None for no limit; ``wake`` is called whenever there is new work to do.
    """

    def __init__(self, config: RunConfig, *, make_trainer: Callable[[RunConfig], Trainer] = Trainer,
                 recorder=None, slots=None, wake: Callable[[], None] | None = None):
        self._make = make_trainer
        self.recorder = recorder
        self._slots = slots
        self._wake = wake or (lambda: None)
        self._cond = threading.Condition()  # guards the state below; waiters of wait_steps sleep on it
        self._turn = threading.RLock()  # held while a turn trains: a reset waits for it
        self._state = "ready"
        self._pending_steps = 0
        self._pending_phase = "both"
        self._stepping = False  # a block of single steps is being run
        self._message: str | None = None
        self.watch = RunWatch()
        self._autosave: tuple[int, object] | None = None  # (every N steps, path)
        self._speed: float | None = None
        self.until: int | None = None  # pause by itself at this step (a sweep's runs), None to train on
        self._phase: str | None = None  # the slow-motion update running now, as the page names it
        self._slow: deque[str] = deque()  # the updates left of a slow-motion step
        self._next_at = 0.0  # monotonic time of the next capped step or slow-motion update
        self._last_sample = 0.0
        self.sample_seconds = SAMPLE_SECONDS  # a busy host stretches it (ganlab.pool.host.spread_samples)
        self.sample_cost = 0.0  # seconds the last refresh of the samples and live figures took
        self._clock: deque[tuple[float, int]] = deque(maxlen=256)  # (monotonic time, step) after each turn
        self._running_since = (0.0, 0)  # (monotonic time, step) when it last started running
        self._wall_before = 0.0  # wall seconds of this run's earlier spells of running
        self.autosave_note: str | None = None
        self.runs = 1  # runs held so far: a reset, a new config or a resumed checkpoint each start one
        self.trainer = make_trainer(config)
        if recorder is not None:
            recorder.begin(self.trainer)
        self._refresh_samples()

    # -- controls --------------------------------------------------------------------------
    def start(self) -> None:
        """Start training, or resume a paused run (raises ``Busy`` when a limit of running runs is reached)."""
        with self._cond:
            if self._state in ("stopped", "running") or self.trainer.diverged:
                return
            if self._slots is not None:
                self._slots.take()
            self._message = None
            self._set_state("running")
            self._running_since = (time.monotonic(), self.trainer.step)
            self._next_at = 0.0
        self._notify()

    resume = start

    def pause(self) -> None:
        with self._cond:
            if self._state == "running":
                self._set_state("paused")
        self._notify()

    def _set_state(self, state: str) -> None:
        """Change state (caller holds the lock), giving the training slot back when leaving running."""
        if self._state == "running" and state != "running":
            self._wall_before += time.monotonic() - self._running_since[0]
            if self._slots is not None:
                self._slots.give()
            self._slow.clear()
            self._phase = None
        self._state = state

    def step(self, n: int = 1, phase: str = "both") -> None:
        """Run exactly ``n`` more steps, then stay paused (ignored while running).

        ``phase`` "d" or "g" updates only the discriminator or only the generator (marked on the charts)."""
        with self._cond:
            if self._state in ("stopped", "running") or self.trainer.diverged:
                return
            self._set_state("paused")
            if self._pending_steps and phase != self._pending_phase:
                return  # one kind of step at a time; the page waits for each
            self._pending_phase = phase
            self._pending_steps += int(n)
        self._notify()

    def wait_steps(self, timeout: float = 5.0) -> bool:
        """Block until requested single steps have run (or ``timeout``); True if they all ran."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._pending_steps or self._stepping:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def stop(self, timeout: float = 10.0) -> None:
        """End the run for good (a turn in progress finishes first, within ``timeout``)."""
        with self._cond:
            self._set_state("stopped")
            self._pending_steps = 0
            self._cond.notify_all()
        if self._turn.acquire(timeout=timeout):
            self._turn.release()
        self._notify()
        self._record(force=True, finished=True)

    def reset(self, config: RunConfig | None = None) -> None:
        """Build a fresh run (same config unless a new one is given), then replace the current one.

        The new trainer is built first, so a config or dataset error leaves the current run as it was."""
        self.replace_trainer(self._make(config or self.trainer.config))

    def replace_trainer(self, trainer: Trainer) -> None:
        """Swap in ``trainer`` (fresh, or resumed from a checkpoint), not running."""
        with self._turn:  # not while a turn trains the old one
            with self._cond:
                if self._state == "running":
                    self._set_state("paused")
            self._record(force=True, finished=True)
            if self.recorder is not None:
                self.recorder.begin(trainer)
            with self._cond:
                self.trainer = trainer
                self.runs += 1
                self._wall_before = 0.0
                self._state = "paused" if trainer.step else "ready"
                self._pending_steps = 0
                self._stepping = False
                self._message = None
                self._slow.clear()
                self._phase = None
                self._cond.notify_all()
            self.watch.reset()
            self._refresh_samples()
        self._notify()

    def set_speed(self, steps_per_second: float | None) -> None:
        """Cap the training rate (None: as fast as it goes). At SLOW_MOTION or below, D and G updates run one
        at a time, each recorded as a step, and :attr:`Status.phase` names the one running."""
        if steps_per_second is not None and not 0 < steps_per_second <= 1000:
            raise ValueError(f"speed must be between 0 and 1000 steps/s, got {steps_per_second}")
        with self._cond:
            if steps_per_second != self._speed:
                self._speed = steps_per_second
                self._next_at = 0.0
        self._notify()

    def set_hparams(self, **knobs) -> None:
        self.trainer.set_hparams(**knobs)

    def set_autosave(self, every: int, path) -> None:
        """Save a checkpoint to ``path`` every ``every`` steps (0 turns it off). Saves are atomic; a diverged
        run is never saved, so the last good file survives."""
        self._autosave = (int(every), path) if every and every > 0 else None

    def keep_best(self, path) -> None:
        """Save the run to ``path`` whenever its live quality figure is the best so far (None: stop)."""
        self.watch.keep_best(path)

    def set_until(self, steps: int | None) -> None:
        """Pause by itself at step ``steps`` (a sweep's runs); None trains on."""
        self.until = steps
        self._notify()

    def resume_from(self, ckpt, *, data=None) -> None:
        """Replace the run with one that continues exactly where checkpoint ``ckpt`` stopped, paused."""
        device = ckpt.config.device
        try:
            resolve_device(device)
        except ConfigError:
            device = "auto"  # saved on a GPU machine, opened on a CPU one
        self.replace_trainer(resume(ckpt, device=device, data=data))

    # -- a run whose trainer was lost (a hosted run's; a run driven here is never lost) --------
    recoverable = False

    def recover(self) -> None:
        raise RuntimeError("this run was not lost")

    # -- what a page reads ----------------------------------------------------------------------
    @property
    def config(self) -> RunConfig:
        return self.trainer.config

    @property
    def args(self):
        return self.trainer.args

    @property
    def variant(self):
        return self.trainer.variant

    @property
    def state(self) -> str:
        return self._state

    def status(self) -> Status:
        with self._cond:
            state, message, phase = self._state, self._message, self._phase
        t = self.trainer
        # the run's real pace: steps over the wall time it was meant to be training, its waits for a turn (or
        # for the speed cap) included; the time it spent in its turns alone would count a fraction of that
        sps = self._clock_rate() if state == "running" else 0.0
        return Status(state, t.step, str(t.device), sps, message, phase, self._speed, t.runner.note)

    def look(self, steps_shown: int | None = None) -> RunLook:
        """Everything a redraw reads, in one plain value; the metrics as a time chart draws them (the newest
        ``steps_shown`` steps, or the whole run, at most CHART_POINTS rows)."""
        t = self.trainer
        snap = t.store.snapshot()
        snap = (snap.newest(steps_shown) if steps_shown else snap).thin(CHART_POINTS)
        return RunLook(
            status=self.status(), config=t.config, args=t.args, train_seconds=t.train_seconds, diverged=t.diverged,
            snapshot=snap, samples=self.watch.samples, quality_history=list(self.watch.quality_history),
            runs=self.runs, fixed_real=t.fixed_real,
            extent=float(t.data.extent) if hasattr(t.data, "extent") else None,
            timeline=(len(self.watch.timeline), self.watch.timeline.every), autosave_note=self.autosave_note,
            best_note=self.watch.best_note,
            keeping_best=str(self.watch.keeping_best) if self.watch.keeping_best else None,
            recorded_as=getattr(self.recorder, "run_id", None), recorder_note=getattr(self.recorder, "note", None),
            until=self.until)

    def samples(self) -> SampleView | None:
        return self.watch.samples

    @property
    def quality_history(self) -> list[tuple[int, dict]]:
        return self.watch.quality_history

    @property
    def best_note(self) -> str | None:
        return self.watch.best_note

    @property
    def timeline(self):
        return self.watch.timeline

    def timeline_frames(self) -> list:
        return self.watch.timeline.frames()

    @property
    def done(self) -> bool:
        """A run with a step budget (``until``) that has reached it, or one that diverged."""
        t = self.trainer
        return bool(t.diverged) or self.until is not None and t.step >= self.until

    def nets_snapshot(self) -> dict:
        """Copies of every network, on the CPU in eval mode; "gen" is the one samples are drawn from."""
        t = self.trainer
        with t.lock:
            return {k: copy.deepcopy(n).cpu().eval() for k, n in t.shown_nets.items()}

    def checkpoint_bytes(self) -> bytes:
        """The run as a checkpoint file's bytes (raises CheckpointError for a diverged run)."""
        return to_bytes(self.trainer)

    def _clock_rate(self, window: float = 3.0) -> float:
        """Steps per second of wall time over the last ``window`` seconds the run was meant to be training."""
        now = time.monotonic()
        since_t, since_step = self._running_since
        start = max(now - window, since_t)
        base_t, base = since_t, since_step
        for t, step in list(self._clock):  # the last point recorded at or before ``start`` in this running spell
            if since_t <= t <= start:
                base_t, base = t, step
        # over the time since that point: a run whose turns come seconds apart (many runs on a worker) would
        # otherwise count a whole turn's steps against the window alone
        return (self.trainer.step - base) / (now - base_t) if now - base_t > 0.2 else 0.0

    # -- turns ----------------------------------------------------------------------------------
    def due(self, now: float | None = None) -> float | None:
        """Seconds until it wants a turn (0: now), or None while it has nothing to do."""
        with self._cond:
            if self._state == "stopped" or self.trainer.diverged:
                return None
            if self._pending_steps:
                return 0.0
            if self._state != "running":
                return None
        return max(0.0, self._next_at - (time.monotonic() if now is None else now))

    def plan(self, budget: float = BLOCK_SECONDS) -> Turn | None:
        """The turn to take now (None if there is none): pending single steps, one update of a slow-motion
        step, one capped step, or a block of full steps sized to about ``budget`` seconds."""
        with self._cond:
            if self._state == "stopped" or self.trainer.diverged:
                return None
            if self._pending_steps:
                n, self._pending_steps = self._pending_steps, 0
                self._stepping = True
                return Turn(n, self._pending_phase, single=True)
            if self._state != "running":
                return None
            speed = self._speed
            if speed is not None and speed <= SLOW_MOTION:
                if not self._slow:
                    self._slow.extend(["d"] * self.trainer.config.optim.d_steps + ["g"])
                return Turn(1, self._slow[0], slow=True)
            if speed is not None:
                return Turn(1)
        rate = self.trainer.store.steps_per_second(window=50)  # its own pace in its turns, not the wall pace
        n = int(min(MAX_BLOCK, max(1, rate * budget)))
        if self.until is not None:
            n = max(1, min(n, self.until - self.trainer.step))
        return Turn(n)

    def take_turn(self, budget: float = BLOCK_SECONDS, gate=None) -> Turn | None:
        """Plan a turn and take it: train (holding ``gate``, a lock or semaphore, if given), then the
        bookkeeping. Returns the turn taken (None: none)."""
        turn = self.plan(budget)
        if turn is None:
            return None
        with self._turn:
            trainer = self.trainer
            with gate if gate is not None else contextlib.nullcontext():
                self.execute(trainer, turn)
            self.after(trainer, turn)
        return turn

    def execute(self, trainer: Trainer, turn: Turn) -> bool:
        """Train ``turn`` on ``trainer``; on divergence or an error pause the run with a message. True if it ran
        cleanly."""
        if turn.slow:
            with self._cond:
                self._phase = PHASE_TEXT[turn.phase]
        try:
            trainer.run(turn.n, turn.phase, mark=turn.single)
            return True
        except Diverged as err:
            self.halt(said_by(err))
        except Exception as err:  # a bug or a device error must pause the run, not kill the app
            log.exception("training step failed")
            self.halt(said("training stopped with an error: {kind}: {err}", kind=type(err).__name__, err=str(err)))
        return False

    def after(self, trainer: Trainer, turn: Turn) -> None:
        """The bookkeeping after a turn trained ``trainer``: the clock, the step budget, the next capped step,
        autosave, the run database, and the samples and live figures a few times a second."""
        if trainer is not self.trainer:  # replaced while it trained: that run is over
            return
        now = time.monotonic()
        self._clock.append((now, trainer.step))
        with self._cond:
            if turn.slow and self._slow:
                self._slow.popleft()
                phases = trainer.config.optim.d_steps + 1
                self._next_at = now + 1.0 / (self._speed or SLOW_MOTION) / phases
                if not self._slow:
                    self._phase = None
            elif not turn.single and self._speed is not None:
                self._next_at = now + 1.0 / self._speed
            if self.until is not None and trainer.step >= self.until and not turn.single and self._state == "running":
                self._set_state("paused")  # a run with a step budget (a sweep's) stops there, paused
        self._maybe_autosave(trainer, turn.n)
        self._record(force=self._state != "running")
        if turn.slow or turn.single or now - self._last_sample > self.sample_seconds or self._state != "running":
            self._refresh_samples()
            self._last_sample = now
        else:
            self.watch.frame(trainer)  # the timeline's frame when one is due, without the rest
        with self._cond:
            if turn.single:
                self._stepping = False
            self._cond.notify_all()

    def halt(self, message: str) -> None:
        """Pause the run with ``message`` (a divergence, an error)."""
        with self._cond:
            self._set_state("paused")
            self._pending_steps = 0
            self._stepping = False
            self._message = message
            self._cond.notify_all()

    def _notify(self) -> None:
        with self._cond:
            self._cond.notify_all()
        self._wake()

    def _maybe_autosave(self, trainer: Trainer, n: int) -> None:
        plan = self._autosave
        if plan is None or trainer.diverged or trainer.step % plan[0] >= n:
            return
        try:
            save(trainer, plan[1])
            self.autosave_note = said("autosaved at step {step:,}", step=trainer.step)
            if self.recorder is not None:
                self.recorder.checkpoint(trainer.step, plan[1])
        except (OSError, CheckpointError) as err:
            self.autosave_note = said("autosave failed at step {step:,}: {err}", step=trainer.step, err=said_by(err))

    def _record(self, *, force: bool = False, finished: bool = False) -> None:
        """Bring the run's row in the run database up to date (every few seconds, or now)."""
        if self.recorder is None:
            return
        t = self.trainer
        status = "diverged" if t.diverged else "stopped" if finished else self._state
        self.recorder.flush(t, self.watch.quality_history, status=status, force=force, finished=finished,
                            wall_seconds=self.wall_seconds())

    def wall_seconds(self) -> float:
        """Wall time the run has been meant to be training, waiting for turns included (this handle's)."""
        return self._wall_before + (time.monotonic() - self._running_since[0] if self._state == "running" else 0.0)

    def _refresh_samples(self) -> None:
        t0 = time.perf_counter()
        self.watch.refresh(self.trainer, self.recorder)
        self.sample_cost = time.perf_counter() - t0
