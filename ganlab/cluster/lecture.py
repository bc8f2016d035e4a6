"""Lecture mode across server replicas: the shared run is a named Ray actor, and which run is shared (its
actor's name, its title, its presenter) lives in one more named actor every replica asks. A presenter
on replica 1 shares; a student on replica 2 finds the same run by name and watches it live."""

from __future__ import annotations

import threading

from ganlab.classroom.lecture import Shared
from ganlab.cluster.connection import START_TIMEOUT_S, ActorLost, ClusterUnavailable, call
from ganlab.cluster.registry import lecture_registry


class RayLecture:
    """The same interface as :class:`ganlab.classroom.lecture.Lecture`, shared by every replica."""

    def __init__(self):
        self._handles: dict = {}
        self._lock = threading.Lock()

    def _registry(self):
        return lecture_registry()

    def share(self, run, owner: str, title: str) -> None:
        title = " ".join(str(title).split())[:120] or "Lecture"
        call(self._registry().share.remote(run.name, str(owner), title), timeout=START_TIMEOUT_S)
        with self._lock:
            self._handles[run.name] = run

    def stop(self, owner: str) -> bool:
        return bool(call(self._registry().stop.remote(str(owner))))

    def current(self) -> Shared | None:
        try:
            shared = call(self._registry().current.remote(), timeout=START_TIMEOUT_S)
        except ClusterUnavailable:
            return None
        if shared is None:
            return None
        name, title, owner = shared
        with self._lock:
            run = self._handles.get(name)
            if run is None:
                try:
                    from ganlab.cluster.runs import RayRun

                    run = RayRun.attach(name)
                except ActorLost:
                    return None
                self._handles[name] = run
        if run.lost or run.status().state == "stopped":
            with self._lock:
                self._handles.pop(name, None)
            return None
        return Shared(run, title, owner)

    def presenting(self, owner: str) -> bool:
        shared = self.current()
        return shared is not None and shared.owner == str(owner)
