"""The contract between a page's run handle and the workers that host runs, whichever pool they belong to.

Two pools implement it: the server's own worker processes (:class:`~ganlab.pool.local.LocalPool`) and a Ray
cluster's actors (:class:`~ganlab.cluster.workers.RayPool`). A :class:`~ganlab.pool.hosted.HostedRun` asks a
:class:`Pool` to place its run on a :class:`Worker`, and speaks to it through a :class:`Connection`: a request
is ``(method, args, kwargs)`` of :class:`~ganlab.pool.host.RunHost`, one of :data:`METHODS`, answered with
``("ok", value)`` or ``("error", exception)``. Both pools answer a request with :func:`answer`, unpack the
reply with :func:`unpack`, place a new run with :func:`least_busy`, and report a worker that stopped as
:class:`WorkerLost`.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

METHODS = frozenset({"create", "drop", "call", "look", "reset", "resume_bytes", "nets_state", "load", "ping"})

W = TypeVar("W")


class WorkerLost(RuntimeError):
    """The worker holding a run stopped (it was killed, ran out of memory, its node left), or cannot be reached."""


class Connection(Protocol):
    def call(self, method: str, *args, timeout: float = ..., **kwargs):
        """The answer to one request, or its error raised here; ``WorkerLost`` when no answer comes."""

    def close(self) -> None: ...


class Worker(Protocol):
    name: str
    gpu: bool  # whether it owns a CUDA GPU

    def connect(self) -> Connection: ...


class Pool(Protocol):
    lost_error: type[Exception]  # what a call raises when its worker stopped
    has_gpu: bool

    def place(self, *, gpu: bool = False) -> Worker:
        """The worker a new run goes to (``least_busy`` of those that answer)."""

    def loads(self) -> list[dict]:
        """Each worker's load (``RunHost.load``), of those that answer."""

    def close(self) -> None: ...


def answer(host, method: str, args: tuple, kwargs: dict) -> tuple[str, object]:
    """One request answered by ``host`` (a RunHost): ``("ok", value)``, or ``("error", exception)`` for every
    failure, which goes back to the caller to be said in words."""
    try:
        if method not in METHODS:
            raise ValueError(f"{method} is not a method of a worker")
        return "ok", getattr(host, method)(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - the caller says it in words
        return "error", err


def unpack(reply: tuple[str, object]):
    """The value of an answer, or its error raised."""
    status, value = reply
    if status == "error":
        raise value
    return value


def least_busy(loads: list[tuple[W, dict]]) -> W:
    """Of ``(worker, load)`` pairs, the worker training the fewest runs (then holding the fewest)."""
    return min(loads, key=lambda wl: (wl[1]["running"], wl[1]["runs"]))[0]
