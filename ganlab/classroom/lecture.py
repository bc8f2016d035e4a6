"""Lecture mode: one run a presenter shares, which every other session on the server watches read-only.

The shared run is an ordinary :class:`~ganlab.training.background.BackgroundTrainer` owned by the
presenter's session; watchers only read its status, store snapshots and sample views,
which are safe from any thread. The registry holds it weakly: when the presenter's
session ends, the run stops and the lecture ends with it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass


@dataclass(frozen=True)
class Shared:
    run: object  # BackgroundTrainer
    title: str
    owner: str


class Lecture:
    def __init__(self):
        self._lock = threading.Lock()
        self._ref: weakref.ref | None = None
        self._title = ""
        self._owner = ""

    def share(self, run, owner: str, title: str) -> None:
        """Make ``run`` the lecture (replacing any other presenter's)."""
        title = " ".join(str(title).split())[:120] or "Lecture"
        with self._lock:
            self._ref, self._title, self._owner = weakref.ref(run), title, str(owner)

    def stop(self, owner: str) -> bool:
        """End the lecture if ``owner`` is presenting it; True if it ended."""
        with self._lock:
            if self._owner != str(owner):
                return False
            self._ref, self._title, self._owner = None, "", ""
            return True

    def current(self) -> Shared | None:
        """The shared run while its presenter's run still exists and is not stopped."""
        with self._lock:
            run = self._ref() if self._ref is not None else None
            if run is None or run.status().state == "stopped":
                self._ref, self._title, self._owner = None, "", ""
                return None
            return Shared(run, self._title, self._owner)

    def presenting(self, owner: str) -> bool:
        shared = self.current()
        return shared is not None and shared.owner == str(owner)


LECTURE = Lecture()  # one per server process
