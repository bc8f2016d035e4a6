"""A run driven by a thread of its own, in this process: what the CLI-side tools, the tests and a server
without a worker pool use (``GANLAB_WORKERS=0``).

The thread announces, it does not render: it asks its :class:`~ganlab.training.driver.RunDriver` for turns
(blocks of ~50 ms, single steps, slow-motion updates) and sleeps while there is none; every UI polls
:meth:`~ganlab.training.driver.RunDriver.look`. Nothing here knows about streamlit.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from typing import Callable

import torch

from ganlab.config import RunConfig
from ganlab.training.capacity import COMPUTE, SLOTS
from ganlab.training.driver import RunDriver
from ganlab.training.trainer import Trainer

THREAD_NAME = "ganlab-trainer"
IDLE_WAIT = 0.5  # the longest a thread sleeps before it looks again (a stop or a command wakes it sooner)


def _name_os_thread(name: str) -> None:
    """Name the OS thread too (Linux), so tools outside Python (ps, /proc) can count trainer threads."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def _own_thread_count() -> None:
    """Give this thread the process's torch thread count. OpenMP keeps the count per thread: a new thread
    starts at one per core, and a matrix product too small for torch's own parallel loop (the 2-D MLPs'
    128x128) ran on a team of two in every trainer thread, beside a server that had asked for one
    (seen as a second ganlab-trainer OS thread per run in tests/test_load.py)."""
    torch.set_num_threads(torch.get_num_threads())


_LIVE: "weakref.WeakSet[BackgroundTrainer]" = weakref.WeakSet()


def live_runs() -> list["BackgroundTrainer"]:
    """Runs whose thread is alive in this process."""
    return [r for r in list(_LIVE) if r.alive]


@atexit.register
def _stop_all() -> None:
    for r in list(_LIVE):
        r.stop(timeout=2.0)


class BackgroundTrainer(RunDriver):
    """A :class:`RunDriver` with a thread of its own. Counts against this process's limit of running runs
    (``ganlab.training.capacity.SLOTS``), and takes its turns among them (``COMPUTE``)."""

    def __init__(self, config: RunConfig, *, make_trainer: Callable[[RunConfig], Trainer] = Trainer,
                 recorder=None):
        self._thread: threading.Thread | None = None
        self._ended = False
        super().__init__(config, make_trainer=make_trainer, recorder=recorder, slots=SLOTS, wake=self._ensure_thread)
        _LIVE.add(self)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread for good; returns once it has exited (or ``timeout`` passed)."""
        self._ended = True
        super().stop(timeout)
        self._join(timeout)

    def replace_trainer(self, trainer: Trainer) -> None:
        """The thread ends with the run it trained; the next start begins another."""
        self._ended = True
        with self._cond:
            self._cond.notify_all()
        self._join(10.0)
        self._ended = False
        super().replace_trainer(trainer)

    def _join(self, timeout: float) -> None:
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _ensure_thread(self) -> None:
        if self._ended or self.due() is None:
            return  # nothing to do: a thread starts with the first command that gives it work
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name=THREAD_NAME, daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        _name_os_thread(THREAD_NAME)
        _own_thread_count()
        while not self._ended:
            wait = self.due()
            if wait is None or wait > 0:
                with self._cond:
                    if self.state == "stopped":
                        return
                    self._cond.wait(IDLE_WAIT if wait is None else min(wait, IDLE_WAIT))
                continue
            self.take_turn(gate=COMPUTE)  # only so many threads train at the same moment
