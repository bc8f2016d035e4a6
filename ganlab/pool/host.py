"""Many runs in one process, sharing its time fairly: the body of a pool worker (a process of the server's
pool, or a Ray actor on a cluster).

A :class:`RunHost` holds runs by id, each a :class:`~ganlab.training.driver.RunDriver`, and one scheduler
thread gives them turns: round robin among the runs that want one now, each turn about ``TURN_SECONDS``
of training. Same-shaped runs at full speed are stepped together in one turn
(:mod:`ganlab.pool.stacked`), so a classroom of runs costs little more than one. Datasets are loaded once
per host and shared. Everything a page asks of a run arrives as :meth:`RunHost.call` or
:meth:`RunHost.look`, from any thread.
"""

from __future__ import annotations

import logging
import threading
import time

import torch

from ganlab.config import RunConfig
from ganlab.data.datasets import load_data
from ganlab.persist.checkpoint import load as load_checkpoint
from ganlab.persist.runs_db import RunRecorder, RunsDB
from ganlab.pool import stacked
from ganlab.training.bookkeeping import SAMPLE_SECONDS
from ganlab.training.driver import RunDriver, Turn, failure_message, turns_held
from ganlab.training.trainer import trainer_with

log = logging.getLogger(__name__)

WARM_UP_RUN = "warm-up"  # the run a worker builds and drops before it says it is ready

TURN_SECONDS = 0.05  # a run's turn: long enough that stepping costs more than switching, short enough to share
GROUP_TURN_SECONDS = 0.25  # the longest turn of runs stepped together (a pause or a step waits at most this)
IDLE_WAIT = 0.5
SAMPLE_SHARE = 0.1  # at most this share of a host's time goes to refreshing its running runs' samples

# what a page may ask of a run, by name (anything else is refused)
COMMANDS = frozenset({"start", "pause", "step", "wait_steps", "stop", "reset", "set_speed", "set_hparams",
                      "set_autosave", "keep_best", "set_until", "checkpoint_bytes", "timeline_frames", "status"})


class UnknownRun(KeyError):
    """A run id this host does not hold (dropped, or the host is a new one after a restart)."""


class RunHost:
    """Runs by id, trained in turn by one scheduler thread."""

    def __init__(self, *, name: str = "host", db_path: str | None = None):
        self.name = name
        self._db = RunsDB(db_path) if db_path is not None else RunsDB()
        self._runs: dict[str, RunDriver] = {}
        self._lock = threading.Lock()
        self._data: dict[tuple, object] = {}
        self._data_lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._rotation = 0
        self.turns = 0  # turns taken so far (a benchmark's figure)
        self.group_turns = 0  # of which runs stepped together
        self._thread = threading.Thread(target=self._schedule, name="ganlab-host", daemon=True)
        self._thread.start()

    # -- datasets, loaded once per host ----------------------------------------------------------
    def dataset(self, name: str, data_dir: str):
        with self._data_lock:
            key = (name, data_dir)
            if key not in self._data:
                self._data[key] = load_data(name, data_dir)
            return self._data[key]

    def preload(self, names: tuple[str, ...], data_dir: str) -> None:
        """Load datasets now, so that the first run on them starts at once (a missing one is skipped)."""
        for name in names:
            try:
                self.dataset(name, data_dir)
            except Exception as err:  # noqa: BLE001 - not on this machine: loaded (and reported) when asked for
                log.info("not preloaded: %s (%s)", name, err)

    def warm_up(self, data: str) -> None:
        """Build a run on ``data``'s defaults, look at it and drop it: the imports and first torch calls that
        the first run of a process pays (1.5-1.9 s beside thirty runs training, ``docs/deploy.md``) are
        then paid before a newcomer's page waits for its run. Nothing is recorded (no step is taken)."""
        from ganlab.config import default_config

        try:
            self.create(WARM_UP_RUN, default_config(data).to_dict(), source="warm-up")
            self.look(WARM_UP_RUN)
        except Exception as err:  # noqa: BLE001 - data not on this machine: the first real run reports it
            log.info("no warm-up on %s (%s)", data, err)
        finally:
            self.drop(WARM_UP_RUN)

    # -- runs -------------------------------------------------------------------------------------
    def create(self, run_id: str, config: dict, source: str) -> None:
        """A new run, ready to start (a bad config or missing data raises here, in words)."""
        driver = RunDriver(RunConfig.from_dict(config), make_trainer=trainer_with(self.dataset),
                           recorder=RunRecorder(self._db, source=source), wake=self._wake.set)
        with self._lock:
            self._runs[run_id] = driver

    def drop(self, run_id: str) -> None:
        """Stop a run and forget it."""
        with self._lock:
            driver = self._runs.pop(run_id, None)
        if driver is not None:
            driver.stop()

    def _run(self, run_id: str) -> RunDriver:
        try:
            return self._runs[run_id]
        except KeyError:
            raise UnknownRun(f"this worker holds no run {run_id}") from None

    def call(self, run_id: str, command: str, *args, **kwargs):
        """One of the run's commands (``COMMANDS``), as its driver answers it."""
        if command not in COMMANDS:
            raise ValueError(f"{command} is not a command of a run")
        return getattr(self._run(run_id), command)(*args, **kwargs)

    def look(self, run_id: str, steps_shown: int | None = None, samples_seen: int | None = None):
        """What a redraw reads, and the version of its sample view; the view itself left out (None) when the
        caller holds that version already: a page redraws its counters far more often than samples change."""
        driver = self._run(run_id)
        version = driver.watch.version
        look = driver.look(steps_shown)
        return (look.without_samples() if samples_seen == version else look), version

    def reset(self, run_id: str, config: dict | None) -> None:
        self._run(run_id).reset(RunConfig.from_dict(config) if config is not None else None)

    def resume_bytes(self, run_id: str, data: bytes) -> None:
        """The run continues from a checkpoint's bytes (a page's upload, or a lost run's last autosave)."""
        ckpt = load_checkpoint(data)
        self._run(run_id).resume_from(ckpt, data=None if ckpt.config.data.points else
                                      self.dataset(ckpt.config.data.name, ckpt.config.data.data_dir))

    def nets_state(self, run_id: str) -> dict:
        return {k: n.state_dict() for k, n in self._run(run_id).nets_snapshot().items()}

    def load(self) -> dict:
        """How busy this host is: its runs, and how many train now (the pool places newcomers by it)."""
        with self._lock:
            drivers = list(self._runs.values())
        return {"runs": len(drivers), "running": sum(d.state == "running" for d in drivers),
                "turns": self.turns, "group_turns": self.group_turns, "name": self.name}

    def ping(self) -> str:
        return self.name

    def close(self) -> None:
        self._closed = True
        with self._lock:
            drivers, self._runs = list(self._runs.values()), {}
        for d in drivers:
            d.stop(timeout=2.0)
        self._wake.set()

    # -- the scheduler ------------------------------------------------------------------------------
    def _schedule(self) -> None:
        torch.set_num_threads(torch.get_num_threads())  # this thread keeps the process's count (OpenMP's is per thread)
        while not self._closed:
            with self._lock:
                drivers = list(self._runs.values())
            now = time.monotonic()
            waits = [(d.due(now), d) for d in drivers]
            ready = [d for w, d in waits if w == 0]
            if not ready:
                later = [w for w, _ in waits if w is not None]
                self._wake.wait(min([IDLE_WAIT, *later]))
                self._wake.clear()
                continue
            spread_samples([d for d in drivers if d.state == "running"])
            self._rotation = (self._rotation + 1) % len(ready)
            self._round(ready[self._rotation:] + ready[:self._rotation])

    def _round(self, ready: list[RunDriver]) -> None:
        """One turn for each run that wants one: same-shaped full-speed runs together, the others alone."""
        plans = [(d, d.plan(TURN_SECONDS)) for d in ready]
        together, alone = stacked.groups([(d, t) for d, t in plans if t is not None])
        for group in together:
            self._group_turn(group)
        for driver, turn in alone:
            driver.train(turn)
            self.turns += 1

    def _group_turn(self, group: list[tuple[RunDriver, Turn]]) -> None:
        drivers = [d for d, _ in group]
        with turns_held(drivers):
            trainers = [d.trainer for d in drivers]
            n = stacked.steps_for(trainers, GROUP_TURN_SECONDS, [t.n for _, t in group])
            try:
                outcomes = stacked.run_together(trainers, n)
            except Exception as err:  # as a single run's turn (RunDriver.execute): the runs halt and say why,
                log.exception("a stacked turn failed")  # and the scheduler goes on with the worker's other runs
                for driver in drivers:
                    driver.halt(failure_message(err))
                return
            for (driver, _), trainer, problem in zip(group, trainers, outcomes):
                if problem is not None:
                    driver.halt(problem)
                driver.after(trainer, Turn(n))
        self.turns += 1
        self.group_turns += 1


def spread_samples(running: list[RunDriver]) -> None:
    """Each running run's samples, lab view and live figures are refreshed every ``SAMPLE_SECONDS``, or less
    often where refreshing all of them that often would take more than ``SAMPLE_SHARE`` of the host's time:
    thirty 2-D runs at about 25 ms a refresh would otherwise spend three quarters of it there, not training
    (their pages redraw the samples less often too, ``ganlab.training.capacity.refresh_factor``)."""
    every = max(SAMPLE_SECONDS, sum(d.books.sample_cost for d in running) / SAMPLE_SHARE)
    for d in running:
        d.books.sample_seconds = every
