"""Runs that start together: a paired classroom experiment or a small sweep (one setting over a few
values, or a few seeds), each trained to the same number of steps, side by side.

A sweep never asks for more than the server allows: its runs take trainer slots as they free up
(``ganlab.training.capacity``), the rest wait in order, and ``status`` says how many wait. A
watcher thread starts the next run as soon as a slot frees, whether or not a page is open.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from ganlab.config import RunConfig
from ganlab.training.run import Run
from ganlab.training.capacity import Busy

MAX_RUNS = 6  # runs in one sweep (the Compare page overlays at most six)
WATCH_SECONDS = 0.5


@dataclass(frozen=True)
class SweepStatus:
    running: int
    waiting: int
    done: int
    total: int

    @property
    def text(self) -> str:
        parts = [f"{self.running} training", f"{self.done} done"]
        if self.waiting:
            parts.append(f"{self.waiting} waiting for a free trainer slot (the server's limit); they start in turn")
        return f"{self.total} runs: " + ", ".join(parts) + "."


class Sweep:
    """``configs`` trained side by side to ``steps`` steps each; ``labels`` name them on the charts."""

    def __init__(self, configs: list[RunConfig], labels: list[str], *, steps: int, make_run):
        if not 2 <= len(configs) <= MAX_RUNS:
            raise ValueError(f"a sweep runs 2 to {MAX_RUNS} configurations, got {len(configs)}")
        if len(labels) != len(configs):
            raise ValueError("one label per configuration")
        if steps < 1:
            raise ValueError(f"steps must be at least 1, got {steps}")
        self.labels = list(labels)
        self.steps = steps
        self.runs: list[Run] = []
        for config in configs:  # built first: a bad config fails before anything starts
            run = make_run(config)
            run.set_until(steps)
            self.runs.append(run)
        self._started = [False] * len(self.runs)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.start_waiting()
        self._watcher = threading.Thread(target=self._watch, name="ganlab-sweep", daemon=True)
        self._watcher.start()

    def start_waiting(self) -> None:
        """Start every waiting run a slot allows, in order."""
        with self._lock:
            for i, run in enumerate(self.runs):
                if self._started[i] or self._stop.is_set():
                    continue
                try:
                    run.start()
                except Busy:
                    return  # the rest wait for a slot
                self._started[i] = True

    def _watch(self) -> None:
        while not self._stop.wait(WATCH_SECONDS):
            if all(self._started):
                return
            self.start_waiting()

    def status(self) -> SweepStatus:
        with self._lock:
            started = list(self._started)
        done = sum(r.look().done for r in self.runs)
        running = sum(1 for r, s in zip(self.runs, started) if s and r.status().state == "running")
        return SweepStatus(running, started.count(False), done, len(self.runs))

    def stop(self) -> None:
        self._stop.set()
        for run in self.runs:
            run.stop()
