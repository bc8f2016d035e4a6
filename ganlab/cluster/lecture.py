"""Lecture mode across server replicas: the shared run lives on one of the cluster's workers, and which run
is shared (its worker and id, its title, its presenter) lives in one named actor every replica asks. A
presenter on replica 1 shares; a student on replica 2 finds the same run there and watches it live."""

from __future__ import annotations

import threading

from ganlab.classroom.lecture import Shared
from ganlab.cluster.connection import START_TIMEOUT_S, ClusterUnavailable, call
from ganlab.cluster.registry import lecture_registry
from ganlab.pool.hosted import HostedRun
from ganlab.pool.protocol import WorkerLost


class RayLecture:
    """The same interface as :class:`ganlab.classroom.lecture.Lecture`, shared by every replica."""

    def __init__(self, pool):
        self.pool = pool
        self._handles: dict = {}
        self._lock = threading.Lock()

    def share(self, run, owner: str, title: str) -> None:
        title = " ".join(str(title).split())[:120] or "Lecture"
        call(lecture_registry().share.remote(run.name, str(owner), title), timeout=START_TIMEOUT_S)
        with self._lock:
            self._handles[run.name] = run

    def stop(self, owner: str) -> bool:
        return bool(call(lecture_registry().stop.remote(str(owner))))

    def current(self) -> Shared | None:
        try:
            shared = call(lecture_registry().current.remote(), timeout=START_TIMEOUT_S)
        except ClusterUnavailable:
            return None
        if shared is None:
            return None
        name, title, owner = shared
        with self._lock:
            run = self._handles.get(name)
            if run is None:
                worker_name, run_id = name.split("/", 1)
                try:
                    run = HostedRun(self.pool, None, worker=self.pool.by_name(worker_name), run_id=run_id)
                    run.look()
                except (WorkerLost, KeyError):
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
