"""A run that trains in a Ray actor, behind the same handle a page uses for a run in this server.

:class:`RunActor` is an ordinary :class:`~ganlab.training.background.BackgroundTrainer` living in a
process of its own on some node of the cluster (a GPU node, with a share of one card, when the run
asks for cuda). :class:`RayRun` is the page's handle to it, with the methods and attributes of a
BackgroundTrainer: a page cannot tell which backend trains its run. What a page's refresh needs
(status, the metrics snapshot, the sample view, the quality history and notes) comes back in one
remote call, kept for a fraction of a second so that the several fragments of one redraw share it.

Faults are plain words: a run whose process died is reported as paused with a message saying so,
and :meth:`RayRun.resume_from_autosave` continues it from its last autosave; an unreachable cluster
raises :class:`~ganlab.cluster.connection.ClusterUnavailable` within a timeout, never a hung page.
The cluster-wide limit on runs training at once is a named actor every server replica asks.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path

from ganlab.cluster.connection import (
    NAMESPACE,
    START_TIMEOUT_S,
    ActorLost,
    ClusterUnavailable,
    call,
    connect,
    gpu_fraction,
    max_runs,
)
from ganlab.cluster.registry import _remote, slots
from ganlab.config import RunConfig
from ganlab.core.models import ModelArgs
from ganlab.said import said, said_by
from ganlab.training.capacity import Busy
from ganlab.training.run import RunLook
from ganlab.training.run_state import Status

REFRESH_SECONDS = 0.25  # a bundle younger than this serves every fragment of one redraw


class RunActor:
    """The actor's body: a BackgroundTrainer and its recorder, in the actor's own process."""

    def __init__(self, config: dict, source: str, db_path: str | None = None):
        from ganlab.persist.runs_db import RunRecorder, RunsDB
        from ganlab.training.background import BackgroundTrainer

        # the server's database (an absolute path every node reaches), not one relative to the worker's folder
        self.run = BackgroundTrainer(RunConfig.from_dict(config), recorder=RunRecorder(RunsDB(db_path), source=source))

    def refresh(self):
        """Everything a page's redraw reads, in one answer (a RunLook)."""
        return self.run.look()

    def call(self, name: str, *args, **kwargs):
        """One of the run's controls: start, pause, step, wait_steps, set_speed, set_hparams, set_autosave..."""
        if name not in {"start", "pause", "step", "wait_steps", "set_speed", "set_hparams", "set_autosave", "keep_best",
                        "stop", "checkpoint_bytes"}:
            raise ValueError(f"{name} is not a control of a run")
        return getattr(self.run, name)(*args, **kwargs)

    def set_until(self, steps):
        self.run.until = steps

    def reset(self, config: dict | None):
        self.run.reset(RunConfig.from_dict(config) if config is not None else None)

    def resume_bytes(self, data: bytes):
        from ganlab.persist.checkpoint import load

        self.run.resume_from(load(data))

    def nets_state(self) -> dict:
        return {k: n.state_dict() for k, n in self.run.nets_snapshot().items()}

    def timeline_frames(self):
        return self.run.timeline.frames()

    def pid(self) -> int:
        import os

        return os.getpid()


def shared_db_path() -> str:
    """The run database of this server, as an absolute path: actors record there (GANLAB_RUNS_DB must name a
    folder every node reaches, docs/deploy.md)."""
    from ganlab.persist.runs_db import default_path

    return str(default_path().resolve())


def actor_options(config: RunConfig) -> dict:
    """How a run's actor is placed: one CPU, and a share of a GPU when the run asks for cuda."""
    options = {"num_cpus": 1, "max_restarts": 0}
    if config.device == "cuda":
        options["num_gpus"] = gpu_fraction()
    return options


class RayRun:
    """A page's handle to a run in a Ray actor (the same interface as BackgroundTrainer)."""

    def __init__(self, config: RunConfig, *, source: str = "app", name: str | None = None, actor=None,
                 owned: bool = True):
        connect()
        if actor is None:  # the data folder as an absolute path: a worker's own folder is not the server's
            config = replace(config, data=replace(config.data, data_dir=str(Path(config.data.data_dir).resolve())))
        self.name = name or f"ganlab-run-{uuid.uuid4().hex[:12]}"
        self.owned = owned  # a watcher's handle (the lecture on another replica) never stops the run
        self._config = config
        self._source = source
        self.lost: str | None = None
        self._last: dict | None = None
        self._at = 0.0
        self._lock = threading.Lock()
        self._holding_slot = False
        self._autosave_path = None
        self._resuming = threading.Lock()  # held while a lost run comes back in a new actor
        if actor is None:
            actor = _remote(RunActor).options(name=self.name, namespace=NAMESPACE, **actor_options(config)).remote(
                config.to_dict(), source, shared_db_path())
        self.actor = actor
        self._first_answer()

    @classmethod
    def attach(cls, name: str) -> "RayRun":
        """A read-only handle to the run in the actor called ``name`` (the lecture's, from another replica)."""
        ray = connect()
        try:
            actor = ray.get_actor(name, namespace=NAMESPACE)
        except ValueError as err:
            raise ActorLost(f"the run {name} is gone") from err
        run = cls.__new__(cls)
        run.name, run.owned, run._source, run.lost = name, False, "watcher", None
        run._last, run._at, run._lock, run._holding_slot, run._autosave_path = None, 0.0, threading.Lock(), False, None
        run._resuming = threading.Lock()
        run.actor = actor
        run._first_answer()
        run._config = run.config
        return run

    def _first_answer(self) -> None:
        """Wait for the new actor to be built (a worker starts, imports torch, loads the data): longer than
        a call, but bounded; a bad config or missing data raises here, in words."""
        try:
            self._last, self._at = call(self.actor.refresh.remote(), timeout=START_TIMEOUT_S), time.monotonic()
        except ActorLost as err:
            raise ClusterUnavailable(f"the run's actor could not start: {err}") from err

    # -- talking to the actor --------------------------------------------------------
    def _call_remote(self, method: str, *args, **kwargs):
        if self.lost:
            return None
        actor = self.actor
        try:
            return call(getattr(actor, method).remote(*args, **kwargs))
        except ActorLost as err:
            if actor is self.actor:  # a call still in flight to the actor a resume has replaced loses nothing
                self._lose(str(err))
            return None

    def _control(self, name: str, *args, **kwargs):
        return self._call_remote("call", name, *args, **kwargs)

    def _lose(self, why: str) -> None:
        self.lost = why
        self._give_slot()

    def _bundle(self) -> dict:
        with self._lock:
            if self._last is not None and (self.lost or self._resuming.locked()
                                           or time.monotonic() - self._at < REFRESH_SECONDS):
                return self._last
            fresh = self._call_remote("refresh")
            if fresh is not None:
                self._last, self._at = fresh, time.monotonic()
                if self._holding_slot and fresh.status.state != "running":
                    self._give_slot()  # it paused by itself: diverged, or reached its step budget
            elif self._last is None:
                raise ActorLost(self.lost or "the run's actor did not answer")
            return self._last

    def refresh_round_trip(self) -> float:
        """Seconds one refresh takes (the benchmark's figure)."""
        t0 = time.perf_counter()
        with self._lock:
            self._at = 0.0
        self._bundle()
        return time.perf_counter() - t0

    # -- the cluster-wide limit ---------------------------------------------------------
    def _take_slot(self) -> None:
        if self._holding_slot:
            return
        ok, held = call(slots().take.remote(self.name, max_runs()), timeout=START_TIMEOUT_S)
        if not ok:
            raise Busy(said("The cluster is busy: {held} runs are training now (the limit is {limit}). "
                            "Try again in a minute, or use Step to train a step at a time.", held=held, limit=max_runs()))
        self._holding_slot = True

    def _give_slot(self) -> None:
        if self._holding_slot:
            self._holding_slot = False
            try:
                call(slots().give.remote(self.name))
            except (ClusterUnavailable, ActorLost):
                pass

    # -- the Run interface (ganlab.training.run) -----------------------------------------------
    def look(self) -> RunLook:
        look = self._bundle()
        status = self.status()
        return look if status is look.status else replace(look, status=status)

    @property
    def config(self) -> RunConfig:
        return self._bundle().config

    @property
    def args(self) -> ModelArgs:
        return self._bundle().args

    @property
    def variant(self):
        return self._bundle().variant

    def status(self) -> Status:
        if self._resuming.locked():
            return self._paused_with(said("Resuming from the last autosave: a new process on the cluster is starting "
                                          "(this takes a few seconds)."))
        if self.lost:
            return self._paused_with(self.message_lost())
        return self._bundle().status

    def _paused_with(self, message: str) -> Status:
        """The last status the actor gave, as paused with ``message`` (its actor is gone, or not yet there)."""
        s = self._last.status if self._last else None
        return Status("paused", s.step if s else 0, s.device if s else "?", 0.0, message, engine=s.engine if s else "")

    def message_lost(self) -> str:
        if self._autosave_path:
            return said("The process training this run on the cluster stopped (its node may have left, or it ran "
                        "out of memory: {why}). Its last autosave ({path}) can be resumed.", why=self.lost[:160],
                        path=str(self._autosave_path))
        return said("The process training this run on the cluster stopped (its node may have left, or it ran out "
                    "of memory: {why}). Turn on autosave to be able to resume a run that is lost.", why=self.lost[:160])

    def set_until(self, steps) -> None:
        self._call_remote("set_until", steps)

    def timeline_frames(self):
        return self._call_remote("timeline_frames") or []

    @property
    def alive(self) -> bool:
        return not self.lost and self.status().state == "running"

    def start(self) -> None:
        self._await_resume()
        if self.lost or not self.owned:
            return
        self._take_slot()
        self._control("start")
        self._at = 0.0

    resume = start

    def pause(self) -> None:
        if self.owned:
            self._control("pause")
            self._give_slot()
            self._at = 0.0

    def step(self, n: int = 1, phase: str = "both") -> None:
        if self.owned:
            self._control("step", n, phase)
            self._at = 0.0

    def wait_steps(self, timeout: float = 5.0) -> bool:
        ok = self._control("wait_steps", timeout)
        self._at = 0.0
        return bool(ok)

    def stop(self, timeout: float = 10.0) -> None:
        """End the run for good: its actor is killed (so no actor outlives its session)."""
        if not self.owned:
            return
        self._give_slot()
        try:
            ray = connect()
            if not self.lost:
                try:
                    call(self.actor.call.remote("stop", timeout), timeout=timeout + 5)
                except (ActorLost, ClusterUnavailable):
                    pass
            ray.kill(self.actor, no_restart=True)
        except ClusterUnavailable:
            pass
        self.lost = self.lost or "stopped"

    def reset(self, config: RunConfig | None = None) -> None:
        self._call_remote("reset", config.to_dict() if config is not None else None)
        self._at = 0.0

    def replace_trainer(self, trainer) -> None:
        from ganlab.persist.checkpoint import load, to_bytes

        self.resume_from(load(to_bytes(trainer)))

    def resume_from(self, ckpt, *, data=None) -> None:
        from ganlab.persist.checkpoint import to_bytes_of

        self._call_remote("resume_bytes", to_bytes_of(ckpt))
        self._at = 0.0

    @property
    def recoverable(self) -> bool:
        """Lost, with an autosave to continue from (and not already coming back)."""
        return bool(self.lost and self.lost != "stopped" and not self._resuming.locked() and self._autosave_path
                    and Path(self._autosave_path).is_file())

    def recover(self) -> None:
        self.resume_from_autosave()

    def resume_from_autosave(self) -> None:
        """A lost run continues from its last autosave in a new actor (paused, ready to Resume).

        Building the actor takes seconds (a worker starts, imports torch, loads the data), and a page's
        scripts do not wait for each other: a Resume pressed meanwhile ran, in another script thread, while
        the run was still lost, and was dropped (the fault test saw it). So the switch holds ``_resuming``:
        ``status`` says it is under way, ``start`` waits for it, and a second call is a no-op."""
        from ganlab.persist.checkpoint import load

        if not self._autosave_path:
            raise ActorLost("this run kept no autosave to resume from")
        if not self._resuming.acquire(blocking=False):
            return  # another script thread is already bringing it back
        try:
            ckpt = load(self._autosave_path)
            self._autosave_path = Path(self._autosave_path)
            actor = _remote(RunActor).options(name=f"{self.name}-r{int(time.time())}", namespace=NAMESPACE,
                                              **actor_options(ckpt.config)).remote(ckpt.config.to_dict(), self._source,
                                                                                      shared_db_path())
            self.actor, self.lost = actor, None
            self._first_answer()
            self._call_remote("resume_bytes", self._autosave_path.read_bytes())
            self._at = 0.0
        finally:
            self._resuming.release()

    def _await_resume(self) -> None:
        """Wait for a resume under way in another script thread (bounded by the actor's start-up timeout)."""
        if self._resuming.acquire(timeout=START_TIMEOUT_S + 30):
            self._resuming.release()

    def set_speed(self, steps_per_second) -> None:
        self._control("set_speed", steps_per_second)

    def set_hparams(self, **knobs) -> None:
        from ganlab.config import ConfigError

        try:
            call(self.actor.call.remote("set_hparams", **knobs))
        except ActorLost as err:
            self._lose(str(err))
        except Exception as err:  # the actor's ConfigError comes back wrapped; say it as it was
            cause = getattr(err, "cause", None)
            if isinstance(cause, ConfigError):
                raise ConfigError(said_by(cause)) from err  # its said() sentence crosses back whole
            raise ConfigError(str(cause or err).splitlines()[-1]) from err

    def set_autosave(self, every: int, path) -> None:
        self._autosave_path = path if every else None
        self._control("set_autosave", every, path)

    def keep_best(self, path) -> None:
        self._control("keep_best", path)

    def nets_snapshot(self) -> dict:
        from ganlab.variants import build_nets

        states = self._call_remote("nets_state") or {}
        nets = build_nets(self.args)
        for name, net in nets.items():
            if name in states:
                net.load_state_dict(states[name])
        return {k: n.eval() for k, n in nets.items()}

    def checkpoint_bytes(self) -> bytes:
        from ganlab.persist.checkpoint import CheckpointError

        try:
            return call(self.actor.call.remote("checkpoint_bytes"))
        except ActorLost as err:
            self._lose(str(err))
            raise CheckpointError(self.message_lost()) from err
        except Exception as err:
            cause = getattr(err, "cause", None)
            raise CheckpointError(str(cause or err).splitlines()[-1]) from err

    def pid(self) -> int | None:
        return self._call_remote("pid")
