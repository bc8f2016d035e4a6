"""A page's handle to a run that lives on a pool worker (a process of this server's pool, or a Ray actor):
the :class:`~ganlab.training.run.Run` interface, answered by the worker.

What a redraw reads comes in one answer (:meth:`HostedRun.look`), kept a fraction of a second so that the
fragments of one redraw share it, and without the sample view when the handle holds the newest already.
A worker that dies is reported in plain words: the run shows as paused with a message, and
:meth:`HostedRun.recover` continues it from its last autosave on another worker.
"""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from dataclasses import replace
from pathlib import Path

from ganlab.config import RunConfig
from ganlab.persist.checkpoint import CheckpointError, to_bytes_of
from ganlab.pool.protocol import Pool, Worker
from ganlab.said import said
from ganlab.training.capacity import count_running_elsewhere
from ganlab.training.run import RunLook
from ganlab.training.run_state import Status
from ganlab.variants import build_nets

REFRESH_SECONDS = 0.25  # a look younger than this serves every fragment of one redraw
_HANDLES: weakref.WeakSet = weakref.WeakSet()  # this process's handles, to count those that train


def running_handles() -> int:
    """Runs this process's pages own on workers that were training when last looked at."""
    return sum(1 for h in list(_HANDLES) if h.owned and not h.lost and h.training)


count_running_elsewhere(running_handles)  # live pages slow their timers for these too


class HostedRun:
    """A run on a worker of ``pool`` (a :class:`~ganlab.pool.protocol.Pool`: the server's own, or a cluster's)."""

    def __init__(self, pool: Pool, config: RunConfig | None, *, source: str = "app", worker: Worker | None = None,
                 run_id: str | None = None):
        """A new run on ``config``; or, with ``worker`` and ``run_id``, a read-only handle to a run another
        handle owns (a lecture watched from another server replica: it neither commands nor stops it)."""
        self.pool = pool
        self.source = source
        self.owned = worker is None
        self.run_id = run_id or uuid.uuid4().hex[:16]
        self.lost: str | None = None
        self._autosave: tuple[int, str | None] = (0, None)  # (every N steps, path): kept to set again after a loss
        self._looks: dict[int | None, tuple[float, RunLook]] = {}  # fresh looks, dropped by every command
        self._last_look: tuple[float, RunLook] | None = None  # the newest look, kept: what a lost run shows
        self._samples = (None, None)  # (version, SampleView) the handle holds
        self._lock = threading.Lock()
        self._recovering = threading.Lock()
        self.training = False  # as last seen: started, or looked at while running
        _HANDLES.add(self)
        if self.owned:
            self._place_and_create(config)
        else:
            self.worker, self._conn = worker, worker.connect()

    @property
    def name(self) -> str:
        """Where the run lives: its worker and its id there (how another replica finds it)."""
        return f"{self.worker.name}/{self.run_id}"

    def _place_and_create(self, config: RunConfig, checkpoint: bytes | None = None) -> None:
        worker = self.pool.place(gpu=_wants_gpu(config, self.pool))
        conn = worker.connect()
        conn.call("create", self.run_id, config.to_dict(), self.source)
        if checkpoint is not None:
            conn.call("resume_bytes", self.run_id, checkpoint)
        self.worker, self._conn = worker, conn
        self._looks.clear()
        self._samples = (None, None)

    # -- talking to the worker ---------------------------------------------------------------------------
    def _call(self, method: str, *args, **kwargs):
        if self.lost:
            return None
        try:
            return self._conn.call(method, self.run_id, *args, **kwargs)
        except self.pool.lost_error as err:
            self.lost = str(err)
            return None

    def _command(self, name: str, *args, **kwargs):
        if not self.owned and name not in ("wait_steps", "timeline_frames", "checkpoint_bytes"):
            return None  # a watcher's handle changes nothing
        answer = self._call("call", name, *args, **kwargs)
        self._looks.clear()  # the next redraw shows what the command did
        return answer

    # -- the Run interface --------------------------------------------------------------------------------
    def look(self, steps_shown: int | None = None) -> RunLook:
        with self._lock:
            held = self._looks.get(steps_shown)
            if held is not None and (self.lost or time.monotonic() - held[0] < REFRESH_SECONDS):
                return self._as_lost(held[1])
            answer = self._call("look", steps_shown, self._samples[0])
            if answer is None:
                last = held or self._last_look
                if last is None:
                    raise self.pool.lost_error(self.lost or "the run's worker did not answer")
                return self._as_lost(last[1])
            look, version = answer
            if look.samples is None and version == self._samples[0]:
                look = replace(look, samples=self._samples[1])
            else:
                self._samples = (version, look.samples)
            self._looks[steps_shown] = self._last_look = (time.monotonic(), look)
            self.training = look.status.state == "running"
            return look

    def _as_lost(self, look: RunLook) -> RunLook:
        if not self.lost:
            return look
        s = look.status
        return replace(look, status=Status("paused", s.step, s.device, 0.0, self.message_lost(), engine=s.engine))

    def message_lost(self) -> str:
        if self._recovering.locked():
            return said("Resuming from the last autosave on another worker (a moment).")
        if self._autosave[1]:
            return said("The worker process training this run stopped ({why}). Its last autosave ({path}) can be "
                        "resumed.", why=(self.lost or "")[:160], path=self._autosave[1])
        return said("The worker process training this run stopped ({why}). Turn on autosave to be able to resume a "
                    "run that is lost.", why=(self.lost or "")[:160])

    def status(self) -> Status:
        return self.look().status

    @property
    def config(self) -> RunConfig:
        return self.look().config

    @property
    def args(self):
        return self.look().args

    @property
    def variant(self):
        return self.look().variant

    def start(self) -> None:
        self._await_recovery()
        self._command("start")
        self.training = True

    resume = start

    def pause(self) -> None:
        self._command("pause")
        self.training = False

    def step(self, n: int = 1, phase: str = "both") -> None:
        self._command("step", n, phase)

    def wait_steps(self, timeout: float = 5.0) -> bool:
        return bool(self._command("wait_steps", timeout))

    def stop(self, timeout: float = 10.0) -> None:
        """End the run for good, on its worker too (a watcher's handle only lets go)."""
        if self.owned:
            self._call("drop")
        self.lost = self.lost or "stopped"
        self.training = False

    def reset(self, config: RunConfig | None = None) -> None:
        if self.owned:  # a watcher's handle changes nothing: not even a fresh start of the presenter's run
            self._call("reset", config.to_dict() if config is not None else None)
            self._looks.clear()

    def resume_from(self, ckpt, *, data=None) -> None:
        if self.owned:
            self._call("resume_bytes", to_bytes_of(ckpt))
            self._looks.clear()

    def set_speed(self, steps_per_second: float | None) -> None:
        self._command("set_speed", steps_per_second)

    def set_hparams(self, **knobs) -> None:
        self._command("set_hparams", **knobs)

    def set_autosave(self, every: int, path) -> None:
        self._autosave = (int(every), str(path)) if every and path is not None else (0, None)
        self._command("set_autosave", *self._autosave)

    def keep_best(self, path) -> None:
        self._command("keep_best", str(path) if path is not None else None)

    def set_until(self, steps: int | None) -> None:
        self._command("set_until", steps)

    # -- a run whose worker was lost --------------------------------------------------------------------
    @property
    def recoverable(self) -> bool:
        """Lost, with an autosave to continue from (and not already coming back)."""
        path = self._autosave[1]
        return bool(self.lost and self.lost != "stopped" and not self._recovering.locked() and path
                    and Path(path).is_file())

    def recover(self) -> None:
        """Continue a lost run from its last autosave on another worker, paused, ready to Resume."""
        if not self._recovering.acquire(blocking=False):
            return  # another page thread is bringing it back
        try:
            data = Path(self._autosave[1]).read_bytes()
            config = self.look().config
            self.run_id = uuid.uuid4().hex[:16]
            self._place_and_create(config, checkpoint=data)
            self.lost = None
            self._command("set_autosave", *self._autosave)  # it keeps saving where it did
        finally:
            self._recovering.release()

    def _await_recovery(self) -> None:
        if self._recovering.acquire(timeout=120):
            self._recovering.release()

    # -- what a page takes away ----------------------------------------------------------------------------
    def nets_snapshot(self) -> dict:
        states = self._call("nets_state") or {}
        nets = build_nets(self.look().args)
        for name, net in nets.items():
            if name in states:
                net.load_state_dict(states[name])
        return {k: n.eval() for k, n in nets.items()}

    def checkpoint_bytes(self) -> bytes:
        data = self._command("checkpoint_bytes")
        if data is None:
            raise CheckpointError(self.message_lost())
        return data

    def timeline_frames(self) -> list:
        return self._command("timeline_frames") or []


def _wants_gpu(config: RunConfig, pool: Pool) -> bool:
    return pool.has_gpu and config.device in ("auto", "cuda")
