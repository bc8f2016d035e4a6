"""The pool's workers as Ray actors: the same design as the server's own pool (``ganlab.pool.local``), on a
cluster.

Each worker is a named, detached actor holding a :class:`~ganlab.pool.host.RunHost`: started once (one per
logical CPU of the cluster, ``GANLAB_RAY_WORKERS`` to choose; a worker per GPU on GPU nodes) and shared by
many runs, and by every Streamlit replica behind the load balancer, which find the workers by name. A page's
run is a :class:`~ganlab.pool.hosted.HostedRun` on one of them, the same handle as on the server's own pool.
A worker that dies (its node left, it ran out of memory, someone killed it) is reported; its runs resume
from their autosaves on another, and the pool starts a new worker under the dead one's name.
"""

from __future__ import annotations

import os
import threading

from ganlab.cluster.connection import NAMESPACE, START_TIMEOUT_S, ActorLost, ClusterUnavailable, call, connect
from ganlab.pool.protocol import WorkerLost, answer, least_busy, unpack

WORKER_PREFIX = "ganlab-worker-"


class WorkerActor:
    """The actor's body: a run host, answering the same requests as a worker process of the server's pool."""

    def __init__(self, name: str, db_path: str, threads: int = 1):
        import torch

        torch.set_num_threads(max(1, threads))
        from ganlab.pool.host import RunHost

        self.host = RunHost(name=name, db_path=db_path)

    def handle(self, method: str, args: tuple, kwargs: dict):
        return answer(self.host, method, args, kwargs)

    def pid(self) -> int:
        return os.getpid()


class RayConnection:
    """Requests to one worker actor, each answered within a timeout or reported lost."""

    def __init__(self, worker: "RayWorker"):
        self.worker = worker

    def call(self, method: str, *args, timeout: float = START_TIMEOUT_S, **kwargs):
        try:
            reply = call(self.worker.actor.handle.remote(method, args, kwargs), timeout=timeout)
        except ActorLost as err:
            raise WorkerLost(f"the cluster's {self.worker.name} stopped ({err})") from err
        except ClusterUnavailable as err:
            raise WorkerLost(str(err)) from err
        return unpack(reply)

    def close(self) -> None:
        pass


class RayWorker:
    def __init__(self, name: str, actor, gpu: bool):
        self.name, self.actor, self.gpu = name, actor, gpu

    @property
    def index(self) -> str:
        return self.name.removeprefix(WORKER_PREFIX)

    def connect(self) -> RayConnection:
        return RayConnection(self)


def ray_workers() -> int:
    """How many workers the cluster runs (``GANLAB_RAY_WORKERS``, default one per logical CPU of the cluster)."""
    env = os.environ.get("GANLAB_RAY_WORKERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    ray = connect()
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


class RayPool:
    """The cluster's workers, found (or started) by name; any replica may place runs on any of them (a
    :class:`~ganlab.pool.protocol.Pool`)."""

    lost_error = WorkerLost

    def __init__(self, size: int | None = None):
        self.ray = connect()
        self.gpus = int(self.ray.cluster_resources().get("GPU", 0))  # the first workers own a GPU each
        self.size = max(size or ray_workers(), self.gpus)
        self.has_gpu = self.gpus >= 1
        self._lock = threading.Lock()
        self._db_path = _shared_db_path()
        self.workers = [self._worker(i) for i in range(self.size)]
        for w in self.workers:  # each answers once: started (or found) and ready
            call(w.actor.pid.remote(), timeout=START_TIMEOUT_S)

    def _worker(self, i: int) -> RayWorker:
        from ganlab.cluster.registry import _remote

        gpu = i < self.gpus
        options = {"num_gpus": 1} if gpu else {"num_cpus": 1}
        name = f"{WORKER_PREFIX}{i}"
        actor = _remote(WorkerActor).options(name=name, namespace=NAMESPACE, get_if_exists=True, lifetime="detached",
                                             max_restarts=0, **options).remote(name, self._db_path)
        return RayWorker(name, actor, gpu)

    def place(self, *, gpu: bool = False) -> RayWorker:
        """The least busy worker that answers (a dead one is started again under its name for the runs to come)."""
        with self._lock:
            loads = []
            for i, w in enumerate(self.workers):
                if gpu and not w.gpu:
                    continue
                try:
                    loads.append((w, w.connect().call("load", timeout=10.0)))
                except WorkerLost:
                    self.workers[i] = self._worker(i)
            if not loads:
                raise WorkerLost("no worker of the cluster answered; check `ray status`")
            return least_busy(loads)

    def by_name(self, name: str) -> RayWorker:
        for w in self.workers:
            if w.name == name:
                return w
        raise WorkerLost(f"no worker {name} in this cluster")

    def loads(self) -> list[dict]:
        out = []
        for w in self.workers:
            try:
                out.append(w.connect().call("load", timeout=10.0))
            except WorkerLost:
                pass
        return out

    def close(self) -> None:
        """The workers outlive any one replica (they are the cluster's); nothing to stop here."""


def _shared_db_path() -> str:
    """The run database as an absolute path: workers record there (GANLAB_RUNS_DB must name a folder every node
    reaches, docs/deploy.md)."""
    from ganlab.persist.runs_db import default_path

    return str(default_path().resolve())
