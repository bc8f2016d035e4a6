"""The server's pool of worker processes on this machine.

Runs leave the web process: each lives on a long-lived worker (``python -m ganlab.pool.worker``), started
with the server, that hosts many runs and shares its time fairly between them. A newcomer's run goes to
the least busy warm worker at once (no new process, no torch import, data loaded already). The pool
grows as runs arrive, one worker per core at most (``GANLAB_WORKERS``), so a laptop with one page open
runs one worker. On a machine with a GPU, the first worker owns it and takes the runs that ask for it.
A worker that dies is replaced; the runs it held are reported lost and resume from their autosaves on
another (``ganlab.pool.hosted``).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Client
from pathlib import Path

from ganlab.persist.runs_db import default_path
from ganlab.pool.protocol import WorkerLost, least_busy, unpack
from ganlab.pool.worker import READY, receive, send

START_TIMEOUT_S = 60.0  # a worker's start: a process, torch's import
CALL_TIMEOUT_S = 30.0  # the longest a request waits for its answer (a turn of a large run, a checkpoint)
GROW_AT = 6  # start another worker (up to the limit) once every warm one trains this many runs
REPO = Path(__file__).resolve().parents[2]


def workers_wanted() -> int:
    """How many worker processes a server's pool may run (``GANLAB_WORKERS``; default one per core, at most 8;
    0: no pool, runs are threads of the server)."""
    env = os.environ.get("GANLAB_WORKERS", "").strip()
    if env.isdigit():
        return int(env)
    return max(1, min(8, os.cpu_count() or 1))


def threads_per_worker(workers: int) -> int:
    """Torch threads per worker: the cores shared out (one each on this project's 2-core machine)."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


class WorkerProcess:
    """One worker process, started at once, answering on a Unix socket of its own."""

    def __init__(self, index: int, folder: Path, key: bytes, *, threads: int, may_own_gpu: bool, preload: str,
                 data_dir: str | None, warm_up: str = ""):
        self.index = index
        self.name = f"worker-{index}"
        self.socket = str(folder / f"worker-{index}-{secrets.token_hex(4)}.sock")  # a replacement gets its own
        self.key = key
        self.gpu = False  # whether it owns a CUDA GPU: it says so when it is ready (the server need not import torch)
        self.ready = threading.Event()
        self.failure: str | None = None
        env = {"MALLOC_ARENA_MAX": "2",  # glibc's arenas, one per thread otherwise: a thread per page's connection
               **os.environ, "GANLAB_WORKER_KEY": key.hex(), "GANLAB_RUNS_DB": str(default_path().resolve()),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")]))}
        if not may_own_gpu:
            env["CUDA_VISIBLE_DEVICES"] = ""  # only the GPU's owner sees it; 'auto' is the CPU elsewhere
        args = [sys.executable, "-m", "ganlab.pool.worker", "--socket", self.socket, "--name", f"worker-{index}",
                "--threads", str(threads), "--parent", str(os.getpid())]
        if preload and data_dir:
            args += ["--preload", preload, "--data-dir", data_dir]
        if warm_up:
            args += ["--warm-up", warm_up]
        self.proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     cwd=os.getcwd())
        threading.Thread(target=self._wait_ready, daemon=True, name=f"ganlab-worker-{index}-start").start()

    def _wait_ready(self) -> None:
        for line in self.proc.stdout:
            said = line.split()
            if said[:1] == [READY]:
                self.gpu = said[1:] == ["gpu"]
                self.ready.set()
                break
        else:
            self.failure = (self.proc.stderr.read() or "").strip().splitlines()[-1:] or ["it exited"]
            self.failure = self.failure[0][:300]
            self.ready.set()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        """Read what the worker prints (so its pipes never fill), until it exits."""
        for _ in self.proc.stdout:
            pass

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def connect(self) -> "Connection":
        if not self.ready.wait(START_TIMEOUT_S) or self.failure:
            raise WorkerLost(f"worker {self.index} did not start ({self.failure or 'no answer in time'})")
        return Connection(self)

    def stop(self) -> None:
        if self.alive:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Connection:
    """One client connection to a worker; one request at a time (a lock), each answered or reported lost."""

    def __init__(self, worker: WorkerProcess):
        self.worker = worker
        self._lock = threading.Lock()
        try:
            self._conn = Client(worker.socket, family="AF_UNIX", authkey=worker.key)
        except (OSError, EOFError) as err:
            raise WorkerLost(f"worker {worker.index} cannot be reached ({err})") from err

    def call(self, method: str, *args, timeout: float = CALL_TIMEOUT_S, **kwargs):
        with self._lock:
            try:
                send(self._conn, (method, args, kwargs))
                if not self._conn.poll(timeout):
                    raise WorkerLost(f"worker {self.worker.index} did not answer within {timeout:.0f} s")
                reply = receive(self._conn)
            except (EOFError, OSError) as err:
                why = f"exit code {self.worker.proc.poll()}" if not self.worker.alive else str(err) or type(err).__name__
                raise WorkerLost(f"worker {self.worker.index} stopped ({why})") from err
        return unpack(reply)

    def close(self) -> None:
        try:
            self._conn.close()
        except OSError:
            pass


class LocalPool:
    """Worker processes on this machine; it places runs and replaces a worker that died (a
    :class:`~ganlab.pool.protocol.Pool`)."""

    lost_error = WorkerLost

    def __init__(self, *, workers: int | None = None, preload: str = "", data_dir: str | None = None,
                 warm_up: str = ""):
        self.limit = workers or max(1, workers_wanted())
        self.threads = threads_per_worker(self.limit)
        self._folder = Path(tempfile.mkdtemp(prefix="ganlab-pool-"))
        self._key = secrets.token_bytes(32)
        self._preload, self._data_dir, self._warm_up = preload, data_dir, warm_up
        self._lock = threading.Lock()
        self.workers: list[WorkerProcess] = []
        self._control: dict[int, Connection] = {}
        self._start_worker()  # the first one at once: the first page's run needs it

    def _start_worker(self, index: int | None = None) -> WorkerProcess:
        """A new worker (or the replacement of worker ``index``); the first sees the GPU, if there is one."""
        fresh = len(self.workers) if index is None else index
        # the first worker has the datasets loaded before any run asks (a newcomer's MNIST run starts at once);
        # the others load what their runs ask for (MNIST is 190 MB a process: a class of 2-D runs needs none)
        worker = WorkerProcess(fresh, self._folder, self._key, threads=self.threads, may_own_gpu=fresh == 0,
                               preload=self._preload if fresh == 0 else "", data_dir=self._data_dir,
                               warm_up=self._warm_up)
        if index is None:
            self.workers.append(worker)
        else:
            self.workers[index] = worker
        return worker

    def _loads(self) -> list[tuple[WorkerProcess, dict]]:
        """Each warm worker that answers, and its load."""
        out = []
        for w in list(self.workers):
            if not (w.ready.is_set() and w.alive and not w.failure):
                continue
            try:
                if w.index not in self._control:
                    self._control[w.index] = w.connect()
                out.append((w, self._control[w.index].call("load", timeout=5.0)))
            except WorkerLost:
                self._control.pop(w.index, None)
        return out

    def place(self, *, gpu: bool = False) -> WorkerProcess:
        """The worker a new run goes to: the least busy warm one (the GPU's owner for a run that asks for the
        GPU). A busy pool starts another worker for the runs to come; this one waits for none to start."""
        with self._lock:
            self._replace_dead()
            deadline = time.monotonic() + START_TIMEOUT_S
            while True:
                everyone = self._loads()
                loads = [wl for wl in everyone if wl[0].gpu] if gpu else \
                    [wl for wl in everyone if not wl[0].gpu] or everyone  # the GPU's owner trains CPU runs too
                if loads:
                    break
                if time.monotonic() > deadline:
                    failures = "; ".join(f"worker {w.index}: {w.failure}" for w in self.workers if w.failure)
                    raise WorkerLost(f"no worker could start ({failures or 'none answered in time'})")
                time.sleep(0.05)
                self._replace_dead()  # one that died while we waited (its exit seen only now) is started again
            worker = least_busy(loads)
            load = dict(loads)[worker]
            starting = any(not w.ready.is_set() for w in self.workers)
            if (load["running"] >= GROW_AT and len([w for w in self.workers if w.alive]) < self.limit
                    and not starting):
                self._start_worker()  # for the runs to come
            return worker

    def _replace_dead(self) -> None:
        for i, w in enumerate(self.workers):
            if w.ready.is_set() and not w.alive:
                self._control.pop(w.index, None)
                self._start_worker(i)

    @property
    def has_gpu(self) -> bool:
        """Whether the first worker owns a CUDA GPU (known once it is ready: it is asked then, not before)."""
        first = self.workers[0]
        first.ready.wait(START_TIMEOUT_S)
        return first.gpu

    def loads(self) -> list[dict]:
        with self._lock:
            return [load for _, load in self._loads()]

    def close(self) -> None:
        for c in self._control.values():
            c.close()
        for w in self.workers:
            w.stop()

