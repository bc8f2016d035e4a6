"""How much one server trains at once: torch threads, running trainers, and CPU turns.

Interactive training shares a machine with the web server and, on a laptop, the
browser; these limits keep every page responsive (measurements in docs/).
"""

from __future__ import annotations

import os
import threading

from ganlab.said import said

BLOCK_SECONDS = 0.05  # target wall time of one training block (a trainer's turn on the CPU)


def interactive_threads() -> int:
    """Torch intra-op threads for training beside a UI (``GANLAB_THREADS`` overrides).

    Half the cores, at most 4: the server and a browser need CPU too, and torch's
    worker threads collapse when they must share cores (measured on 2 cores with the
    Train page open: 24 steps/s with 2 threads, 78 with 1; benchmarks/ui_overhead.py).
    """
    env = os.environ.get("GANLAB_THREADS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, min(4, (os.cpu_count() or 2) // 2))


class Busy(RuntimeError):
    """Too many runs are training on this server right now; the message says what to do."""


def max_trainers() -> int:
    """How many runs may train at once in this process (``GANLAB_MAX_TRAINERS``, default 2 x cores)."""
    env = os.environ.get("GANLAB_MAX_TRAINERS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(2, 2 * (os.cpu_count() or 1))


class _Slots:
    """A process-wide count of running trainers, so one server is not slowed to a crawl."""

    def __init__(self):
        self._lock = threading.Lock()
        self.held = 0

    def take(self) -> None:
        limit = max_trainers()
        with self._lock:
            if self.held >= limit:
                raise Busy(said("The server is busy: {held} runs are training now (the limit is {limit}). "
                                "Try again in a minute, or use Step to train a step at a time.", held=self.held,
                                limit=limit))
            self.held += 1

    def give(self) -> None:
        with self._lock:
            self.held = max(0, self.held - 1)


SLOTS = _Slots()


def compute_slots() -> int:
    """How many trainer threads step at the same moment (``GANLAB_COMPUTE_SLOTS``; default cores / 2).

    Every running trainer gets its turn in blocks of ~BLOCK_SECONDS, but only this many hold the
    CPU (and the GIL) together, so the server's own threads still get theirs: with 30 sessions
    training on 2 cores, pages kept loading (tests/test_load.py).
    """
    env = os.environ.get("GANLAB_COMPUTE_SLOTS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 2) // 2)


COMPUTE = threading.BoundedSemaphore(compute_slots())


_RUNNING_ELSEWHERE: list = []  # callables counting this server's runs that train outside it (ganlab.pool)


def count_running_elsewhere(counter) -> None:
    """Have ``refresh_factor`` also count the runs ``counter()`` says this server's pages hold on workers."""
    _RUNNING_ELSEWHERE.append(counter)


def running_here() -> int:
    """The runs this server's pages hold that are training: in its threads, or on the pool's workers."""
    return SLOTS.held + sum(counter() for counter in _RUNNING_ELSEWHERE)


def refresh_factor() -> float:
    """How much slower live pages should refresh now: 1 until the running runs outnumber twice the
    cores, then in proportion (30 sessions training on 2 cores: 7.5x).

    Every open Train page reruns its charts on a timer; on a small server shared by a classroom,
    those reruns would otherwise crowd out page loads and training (benchmarks/cluster_load.py),
    wherever the runs themselves train.
    """
    return max(1.0, running_here() / (2 * (os.cpu_count() or 1)))
