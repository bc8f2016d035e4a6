"""One run's controls and bookkeeping, with no thread of its own: whoever drives it asks what it wants to do
next and gives it turns.

A :class:`RunDriver` holds a :class:`~ganlab.training.trainer.Trainer` and its state (ready, running,
paused, stopped), the single steps asked for and the step budget; its pace (the speed cap and slow motion)
is a :class:`~ganlab.training.pacing.Pacing`, and what it keeps of itself (the wall clock, autosave, the run
database's row, the samples and live figures) its :class:`~ganlab.training.bookkeeping.Books`. It never sleeps and never starts a thread: :meth:`RunDriver.due` says how soon it wants a turn,
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
from typing import Callable, Iterable

from ganlab.config import ConfigError, RunConfig
from ganlab.persist.checkpoint import to_bytes
from ganlab.said import said, said_by
from ganlab.training.bookkeeping import Books
from ganlab.training.capacity import BLOCK_SECONDS
from ganlab.training.pacing import Pacing, Turn
from ganlab.training.resume import resume
from ganlab.training.run import RunLook
from ganlab.training.run_state import SampleView, Status
from ganlab.training.trainer import Diverged, Trainer, resolve_device

log = logging.getLogger(__name__)

MAX_BLOCK = 500
CHART_POINTS = 500  # rows of the metrics a look carries: what a time chart draws (ganlab.views.time_charts)


def failure_message(err: Exception) -> str:
    """What a run says when a turn raised: it pauses with this, and the rest of the process goes on."""
    if isinstance(err, Diverged):
        return said_by(err)
    return said("training stopped with an error: {kind}: {err}", kind=type(err).__name__, err=str(err))


@contextlib.contextmanager
def turns_held(drivers: Iterable["RunDriver"]):
    """Hold each driver's turn (a scheduler stepping runs together): none is reset or replaced meanwhile."""
    with contextlib.ExitStack() as stack:
        for d in drivers:
            stack.enter_context(d.holding())
        yield


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
        self._slots = slots
        self._wake = wake or (lambda: None)
        self._cond = threading.Condition()  # guards the state below; waiters of wait_steps sleep on it
        self._turn = threading.RLock()  # held while a turn trains: a reset waits for it
        self._state = "ready"
        self._pending_steps = 0
        self._pending_phase = "both"
        self._stepping = False  # a block of single steps is being run
        self._message: str | None = None
        self.pacing = Pacing()
        self.books = Books(recorder)
        self.watch = self.books.watch
        self.until: int | None = None  # pause by itself at this step (a sweep's runs), None to train on
        self.runs = 1  # runs held so far: a reset, a new config or a resumed checkpoint each start one
        self.trainer = make_trainer(config)
        self.books.begin(self.trainer)

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
            self.books.started(self.trainer.step)
            self.pacing.restart()
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
            self.books.stopped()
            if self._slots is not None:
                self._slots.give()
            self.pacing.stop()
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
        self.books.record(self.trainer, self._state, force=True, finished=True)

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
            self.books.record(self.trainer, self._state, force=True, finished=True)
            with self._cond:
                self.trainer = trainer
                self.runs += 1
                self._state = "paused" if trainer.step else "ready"
                self._pending_steps = 0
                self._stepping = False
                self._message = None
                self.pacing.stop()
                self._cond.notify_all()
            self.books.begin(trainer)
        self._notify()

    def set_speed(self, steps_per_second: float | None) -> None:
        """Cap the training rate (None: as fast as it goes). At SLOW_MOTION or below, D and G updates run one
        at a time, each recorded as a step, and :attr:`Status.phase` names the one running."""
        with self._cond:
            self.pacing.set_speed(steps_per_second)
        self._notify()

    def set_hparams(self, **knobs) -> None:
        self.trainer.set_hparams(**knobs)

    def set_autosave(self, every: int, path) -> None:
        """Save a checkpoint to ``path`` every ``every`` steps (0 turns it off). Saves are atomic; a diverged
        run is never saved, so the last good file survives."""
        self.books.set_autosave(every, path)

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

    @property
    def recorder(self):
        return self.books.recorder

    @property
    def autosave_note(self) -> str | None:
        return self.books.autosave_note

    def status(self) -> Status:
        with self._cond:
            state, message, phase, speed = self._state, self._message, self.pacing.phase, self.pacing.speed
        t = self.trainer
        # the run's real pace: steps over the wall time it was meant to be training, its waits for a turn (or
        # for the speed cap) included; the time it spent in its turns alone would count a fraction of that
        sps = self.books.pace(t.step) if state == "running" else 0.0
        return Status(state, t.step, str(t.device), sps, message, phase, speed, t.runner.note)

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
            return self.pacing.wait(time.monotonic() if now is None else now)

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
            paced = self.pacing.paced_turn(self.trainer.config.optim.d_steps)
            if paced is not None:
                return paced
        rate = self.trainer.store.steps_per_second(window=50)  # its own pace in its turns, not the wall pace
        n = int(min(MAX_BLOCK, max(1, rate * budget)))
        if self.until is not None:
            n = max(1, min(n, self.until - self.trainer.step))
        return Turn(n)

    def take_turn(self, budget: float = BLOCK_SECONDS, gate=None) -> Turn | None:
        """Plan a turn and take it: train (holding ``gate``, a lock or semaphore, if given), then the
        bookkeeping. Returns the turn taken (None: none)."""
        turn = self.plan(budget)
        if turn is not None:
            self.train(turn, gate)
        return turn

    def holding(self):
        """A context in which this run trains and nothing resets or replaces it (its turn's lock)."""
        return self._turn

    def train(self, turn: Turn, gate=None) -> None:
        """Take ``turn`` (planned already): train, holding ``gate`` if given, then the bookkeeping."""
        with self.holding():
            trainer = self.trainer
            with gate if gate is not None else contextlib.nullcontext():
                self.execute(trainer, turn)
            self.after(trainer, turn)

    def execute(self, trainer: Trainer, turn: Turn) -> bool:
        """Train ``turn`` on ``trainer``; on divergence or an error pause the run with a message. True if it ran
        cleanly."""
        with self._cond:
            self.pacing.begin(turn)
        try:
            trainer.run(turn.n, turn.phase, mark=turn.single)
            return True
        except Exception as err:  # a divergence, a bug or a device error pauses the run, not the app
            if not isinstance(err, Diverged):
                log.exception("training step failed")
            self.halt(failure_message(err))
        return False

    def after(self, trainer: Trainer, turn: Turn) -> None:
        """The bookkeeping after a turn trained ``trainer``: the clock, the step budget, the next capped step,
        autosave, the run database, and the samples and live figures a few times a second."""
        if trainer is not self.trainer:  # replaced while it trained: that run is over
            return
        with self._cond:
            self.pacing.after(turn, trainer.config.optim.d_steps)
            if self.until is not None and trainer.step >= self.until and not turn.single and self._state == "running":
                self._set_state("paused")  # a run with a step budget (a sweep's) stops there, paused
        state = self._state
        self.books.after(trainer, turn.n, state=state, every_step=turn.slow or turn.single or state != "running")
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
