"""Drive a :class:`~ganlab.training.trainer.Trainer` from a background thread.

The thread announces, it does not render: it trains in short blocks, writes
metrics into the trainer's store and refreshes a sample snapshot a few times a
second. Any UI polls :meth:`BackgroundTrainer.status` and :meth:`samples`.
Nothing here knows about streamlit.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import deque
from typing import Callable

import torch

from ganlab.config import RunConfig
from ganlab.persist.checkpoint import CheckpointError, save
from ganlab.said import said, said_by
from ganlab.training.capacity import BLOCK_SECONDS, COMPUTE, SLOTS
from ganlab.training.run import RunLook
from ganlab.training.run_state import PHASE_TEXT, SampleView, Status
from ganlab.training.resume import resume
from ganlab.training.trainer import Diverged, Trainer
from ganlab.training.watch import RunWatch

log = logging.getLogger(__name__)

SAMPLE_SECONDS = 1.0  # how often the samples, lab view and live figures are refreshed while running
# (the Train page redraws them every 1.5 s; computing them costs the trainer thread ~20 ms on 2-D data)
MAX_BLOCK = 500
THREAD_NAME = "ganlab-trainer"
SLOW_MOTION = 5.0  # at this many steps/s or fewer, D and G updates run (and are shown) one at a time



def _name_os_thread(name: str) -> None:
    """Name the OS thread too (Linux), so tools outside Python (ps, /proc) can count trainer threads."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def _own_thread_count() -> None:
    """Give this thread the process's torch thread count. OpenMP keeps the count per thread: a new thread
    starts at one per core, and a matrix product too small for torch's own parallel loop (the 2-D MLPs'
    128x128) ran on a team of two in every trainer thread, beside a server that had asked for one
    (seen as a second ganlab-trainer OS thread per run in tests/test_load.py)."""
    torch.set_num_threads(torch.get_num_threads())


_LIVE: "weakref.WeakSet[BackgroundTrainer]" = weakref.WeakSet()


def live_runs() -> list["BackgroundTrainer"]:
    """Runs whose thread is alive in this process."""
    return [r for r in list(_LIVE) if r.alive]


@atexit.register
def _stop_all() -> None:
    for r in list(_LIVE):
        r.stop(timeout=2.0)


class BackgroundTrainer:
    """Start, pause, resume, single-step, stop and reset one run on a thread of its own.

    ``make_trainer(config)`` builds the trainer (the default builds a fresh
    :class:`Trainer`); pass one to share cached datasets between runs.
    """

    def __init__(self, config: RunConfig, *, make_trainer: Callable[[RunConfig], Trainer] = Trainer,
                 recorder=None):
        """``recorder`` (a :class:`~ganlab.persist.runs_db.RunRecorder`) keeps every run this handle holds
        in the run database; it never stops training (a failure is only its note)."""
        self._make = make_trainer
        self.recorder = recorder
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._state = "ready"
        self._pending_steps = 0
        self._pending_phase = "both"
        self._stepping = False  # a block of single steps is being run
        self._stop = False
        self._message: str | None = None
        self.watch = RunWatch()  # samples, live figures, timeline, marks and the kept best (ganlab.training.watch)
        self._autosave: tuple[int, object] | None = None  # (every N steps, path)
        self._speed: float | None = None
        self.until: int | None = None  # pause by itself at this step (a sweep's runs), None to train on
        self._phase: str | None = None
        self._clock: deque[tuple[float, int]] = deque(maxlen=256)  # (monotonic time, step) after each block
        self._running_since = (0.0, 0)  # (monotonic time, step) when it last started running
        self.autosave_note: str | None = None  # the last autosave, or why it failed
        self.runs = 1  # runs held so far: a reset, a new config or a resumed checkpoint each start one
        self.trainer = make_trainer(config)
        if recorder is not None:
            recorder.begin(self.trainer)
        self._refresh_samples()
        _LIVE.add(self)

    # -- controls --------------------------------------------------------------
    def start(self) -> None:
        """Start training, or resume a paused run. Raises :class:`Busy` when the server's limit is reached."""
        with self._cond:
            if self._state in ("stopped", "running") or self.trainer.diverged:
                return
            SLOTS.take()
            self._message = None
            self._set_state("running")
            self._running_since = (time.monotonic(), self.trainer.step)
            self._ensure_thread()
            self._cond.notify_all()

    resume = start

    def pause(self) -> None:
        with self._cond:
            if self._state == "running":
                self._set_state("paused")
                self._cond.notify_all()

    def _set_state(self, state: str) -> None:
        """Change state (caller holds the lock), giving the training slot back when leaving running."""
        if self._state == "running" and state != "running":
            SLOTS.give()
        self._state = state

    def step(self, n: int = 1, phase: str = "both") -> None:
        """Run exactly ``n`` more steps, then stay paused (ignored while running).

        ``phase`` "d" or "g" updates only the discriminator or only the generator (marked on the charts).
        """
        with self._cond:
            if self._state in ("stopped", "running") or self.trainer.diverged:
                return
            self._set_state("paused")
            if self._pending_steps and phase != self._pending_phase:
                return  # one kind of step at a time; the page waits for each
            self._pending_phase = phase
            self._pending_steps += int(n)
            self._ensure_thread()
            self._cond.notify_all()

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
        """End the thread for good; returns once it has exited (or ``timeout`` passed)."""
        with self._cond:
            self._stop = True
            self._set_state("stopped")
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._record(force=True, finished=True)

    def reset(self, config: RunConfig | None = None) -> None:
        """Build a fresh run (same config unless a new one is given), then stop and replace the current one.

        The new trainer is built first, so a config or dataset error leaves the current run as it was.
        """
        self.replace_trainer(self._make(config or self.trainer.config))

    def replace_trainer(self, trainer: Trainer) -> None:
        """Stop the current run and swap in ``trainer`` (fresh, or resumed from a checkpoint), not running."""
        self.stop()
        if self.recorder is not None:
            self.recorder.begin(trainer)
        with self._cond:
            self.trainer = trainer
            self.runs += 1
            self._thread = None
            self._stop = False
            self._state = "paused" if trainer.step else "ready"
            self._pending_steps = 0
            self._stepping = False
            self._message = None
            self._phase = None
        self.watch.reset()
        self._refresh_samples()

    def set_speed(self, steps_per_second: float | None) -> None:
        """Cap the training rate (None: as fast as it goes). At SLOW_MOTION or below, D and G updates
        run one at a time, each recorded as a step, and :attr:`Status.phase` names the one running."""
        if steps_per_second is not None and not 0 < steps_per_second <= 1000:
            raise ValueError(f"speed must be between 0 and 1000 steps/s, got {steps_per_second}")
        with self._cond:
            self._speed = steps_per_second
            self._cond.notify_all()

    def set_hparams(self, **knobs) -> None:
        self.trainer.set_hparams(**knobs)

    def set_autosave(self, every: int, path) -> None:
        """Save a checkpoint to ``path`` every ``every`` steps from the trainer thread (0 turns it off).

        Saves are atomic; a diverged run is never saved, so the last good file survives.
        """
        self._autosave = (int(every), path) if every and every > 0 else None

    @property
    def keeping_best(self):
        """Where the best state is being kept (None: it is not)."""
        return self.watch.keeping_best

    def keep_best(self, path) -> None:
        """Save the run to ``path`` whenever its live quality figure is the best so far (None: stop)."""
        self.watch.keep_best(path)

    @property
    def best_note(self) -> str | None:
        return self.watch.best_note

    @property
    def timeline(self):
        return self.watch.timeline

    @property
    def quality_history(self) -> list[tuple[int, dict]]:
        return self.watch.quality_history

    # -- a run whose trainer was lost (the cluster backend's; a thread here is never lost) --
    recoverable = False

    def recover(self) -> None:
        raise RuntimeError("this run was not lost")

    # -- what a page takes away -------------------------------------------------
    def nets_snapshot(self) -> dict:
        """Copies of every network, on the CPU in eval mode; "gen" is the one samples are drawn from."""
        import copy

        t = self.trainer
        with t.lock:
            return {k: copy.deepcopy(n).cpu().eval() for k, n in {**t.parts.nets, "gen": t.shown_generator}.items()}

    def checkpoint_bytes(self) -> bytes:
        """The run as a checkpoint file's bytes (raises CheckpointError for a diverged run)."""
        from ganlab.persist.checkpoint import to_bytes

        return to_bytes(self.trainer)

    def resume_from(self, ckpt, *, data=None) -> None:
        """Replace the run with one that continues exactly where checkpoint ``ckpt`` stopped, paused."""
        from ganlab.config import ConfigError
        from ganlab.training.trainer import resolve_device

        device = ckpt.config.device
        try:
            resolve_device(device)
        except ConfigError:
            device = "auto"  # saved on a GPU machine, opened on a CPU one
        self.replace_trainer(resume(ckpt, device=device, data=data))

    # -- what a UI polls -------------------------------------------------------
    @property
    def config(self) -> RunConfig:
        return self.trainer.config

    @property
    def args(self):
        return self.trainer.args

    @property
    def variant(self):
        return self.trainer.variant

    def status(self) -> Status:
        with self._cond:
            state, message = self._state, self._message
        t = self.trainer
        # the run's real pace: steps over the wall time it was meant to be training, waiting for its turn (or
        # for the speed cap) included; the store's rate counts only the time a block held the processor
        sps = self._clock_rate() if state == "running" else 0.0
        return Status(state, t.step, str(t.device), sps, message, self._phase, self._speed, t.runner.note)

    def look(self) -> RunLook:
        """Everything a redraw reads, in one plain value."""
        t = self.trainer
        status = self.status()
        return RunLook(status, t.config, t.args, t.train_seconds, t.diverged, t.store.snapshot(), self.samples(),
                       list(self.quality_history), self.runs, t.fixed_real,
                       float(t.data.extent) if hasattr(t.data, "extent") else None,
                       (len(self.timeline), self.timeline.every), self.autosave_note, self.best_note,
                       str(self.keeping_best) if self.keeping_best else None,
                       getattr(self.recorder, "run_id", None), getattr(self.recorder, "note", None), self.until)

    def set_until(self, steps: int | None) -> None:
        """Pause by itself at step ``steps`` (a sweep's runs); None trains on."""
        self.until = steps

    def timeline_frames(self) -> list:
        return self.timeline.frames()

    def _clock_rate(self, window: float = 3.0) -> float:
        """Steps per second of wall time over the last ``window`` seconds the run was meant to be training."""
        now = time.monotonic()
        since_t, since_step = self._running_since
        start = max(now - window, since_t)
        base = since_step
        for t, step in list(self._clock):  # the step it had reached at ``start``
            if t <= start:
                base = step
        return (self.trainer.step - base) / (now - start) if now - start > 0.2 else 0.0

    def samples(self) -> SampleView | None:
        return self.watch.samples

    @property
    def done(self) -> bool:
        """A run with a step budget (``until``) that has reached it, or one that diverged."""
        t = self.trainer
        return bool(t.diverged) or self.until is not None and t.step >= self.until

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the thread ------------------------------------------------------------
    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop = False
            self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
            self._thread.start()

    def _next_block(self) -> tuple[int, str, bool]:
        """(steps, phase, single) to run now: pending single steps, else a block sized to ~BLOCK_SECONDS
        (one step when the speed is capped); 0 steps to stop."""
        with self._cond:
            while not self._stop and self._state != "running" and self._pending_steps == 0:
                self._cond.wait(0.5)
            if self._stop:
                return 0, "both", False
            if self._state != "running":
                n, self._pending_steps = self._pending_steps, 0
                self._stepping = True
                return n, self._pending_phase, True
        if self._speed is not None:
            return 1, "both", False
        rate = self.trainer.store.steps_per_second(window=50)
        n = int(min(MAX_BLOCK, max(1, rate * BLOCK_SECONDS)))
        if self.until is not None:
            n = max(1, min(n, self.until - self.trainer.step))
        return n, "both", False

    def _train(self, trainer: Trainer, n: int, phase: str, mark: bool) -> bool:
        """Run a block; on divergence or an error pause the run with a message. True if it ran cleanly."""
        try:
            with COMPUTE:
                trainer.run(n, phase, mark=mark)
            return True
        except Diverged as err:
            self._halt(said_by(err))
        except Exception as err:  # a bug or a device error must pause the run, not kill the app
            log.exception("training step failed")
            self._halt(said("training stopped with an error: {kind}: {err}", kind=type(err).__name__, err=str(err)))
        return False

    def _slow_step(self, trainer: Trainer, period: float) -> None:
        """One step in slow motion: each D update, then the G update, as its own recorded step,
        named in :attr:`Status.phase` and followed by a refreshed view."""
        phases = ["d"] * trainer.config.optim.d_steps + ["g"]
        for phase in phases:
            if self._state != "running" or self._stop:
                break
            self._phase = PHASE_TEXT[phase]
            t0 = time.perf_counter()
            if not self._train(trainer, 1, phase, False):
                break
            self._refresh_samples()
            with self._cond:  # wait out the rest of this phase's share of the period, waking on pause/stop
                self._cond.wait(max(0.0, period / len(phases) - (time.perf_counter() - t0)))
        self._phase = None

    def _loop(self) -> None:
        _name_os_thread(THREAD_NAME)
        _own_thread_count()
        trainer = self.trainer
        last_sample = 0.0
        while True:
            n, phase, single = self._next_block()
            if n == 0 or trainer is not self.trainer:
                return
            speed = self._speed
            t0 = time.perf_counter()
            slow = not single and speed is not None and speed <= SLOW_MOTION
            if slow:
                self._slow_step(trainer, 1.0 / speed)  # refreshes the view after each update itself
            else:
                self._train(trainer, n, phase, single)
            self._clock.append((time.monotonic(), trainer.step))
            if self.until is not None and trainer.step >= self.until and not single:
                self.pause()  # a run with a step budget (a sweep's) stops there, paused, and gives its slot back
            self._maybe_autosave(trainer, n)
            self._record(force=self._state != "running")
            now = time.perf_counter()
            if not slow and (now - last_sample > SAMPLE_SECONDS or self._state != "running"
                             or self.timeline.due(trainer.step)):
                self._refresh_samples()
                last_sample = now
            with self._cond:
                self._stepping = False
                self._cond.notify_all()
                if not single and speed is not None and speed > SLOW_MOTION and self._state == "running":
                    self._cond.wait(max(0.0, 1.0 / speed - (time.perf_counter() - t0)))

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
        self.recorder.flush(t, self.quality_history, status=status, force=force, finished=finished)

    def _halt(self, message: str) -> None:
        with self._cond:
            self._set_state("paused")
            self._pending_steps = 0
            self._stepping = False
            self._cond.notify_all()
            self._message = message

    def _refresh_samples(self) -> None:
        self.watch.refresh(self.trainer, self.recorder)
