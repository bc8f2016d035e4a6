"""Connecting to the Ray cluster named by ``GANLAB_RAY_ADDRESS`` ("auto", "127.0.0.1:6379", "ray://HOST:10001").

With the variable unset, nothing here runs and Ray need not be installed: runs train on the server's own
pool of workers (``ganlab.pool.local``). With it set, the first call connects (once per process), and a cluster that
cannot be reached says so in plain words within ``CONNECT_TIMEOUT_S`` instead of hanging a page.
Every later remote call waits at most ``CALL_TIMEOUT_S``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

NAMESPACE = "ganlab"
CONNECT_TIMEOUT_S = 20.0
CALL_TIMEOUT_S = 20.0
START_TIMEOUT_S = 120.0  # a new actor's first answer: a worker process starts and imports torch

_lock = threading.Lock()
_connected_to: str | None = None


class ClusterUnavailable(RuntimeError):
    """The Ray cluster cannot be reached (or Ray is not installed); the message says what to do."""


def address() -> str | None:
    """The cluster this server uses, or None for the embedded default (threads in this process)."""
    value = os.environ.get("GANLAB_RAY_ADDRESS", "").strip()
    return value or None


def connect():
    """The ``ray`` module, connected to the cluster (once per process)."""
    global _connected_to
    target = address()
    if target is None:
        raise ClusterUnavailable("no cluster is configured (GANLAB_RAY_ADDRESS is not set)")
    try:
        import ray
    except ImportError as err:
        raise ClusterUnavailable("GANLAB_RAY_ADDRESS is set but Ray is not installed: pip install 'ray[default]', "
                                 "or unset GANLAB_RAY_ADDRESS to train in this server") from err
    with _lock:
        if _connected_to == target and ray.is_initialized():
            return ray
        import ganlab

        result: dict = {}

        def attempt():
            try:
                ray.init(address=target, namespace=NAMESPACE, ignore_reinit_error=True, log_to_driver=False,
                         runtime_env={"py_modules": [str(Path(ganlab.__file__).parent)]})
                result["ok"] = True
            except Exception as err:  # noqa: BLE001 - any failure to reach the cluster is reported in words
                result["error"] = err

        worker = threading.Thread(target=attempt, daemon=True, name="ganlab-ray-connect")
        worker.start()
        worker.join(CONNECT_TIMEOUT_S)
        if worker.is_alive() or "error" in result:
            why = "it did not answer within {:.0f} s".format(CONNECT_TIMEOUT_S) if worker.is_alive() else \
                f"{type(result['error']).__name__}: {str(result['error']).splitlines()[0][:200]}"
            raise ClusterUnavailable(f"the Ray cluster at {target} cannot be reached ({why}). Check that its head "
                                     "is running (ray status), or unset GANLAB_RAY_ADDRESS to train in this server.")
        _connected_to = target
        return ray


def call(ref, *, timeout: float = CALL_TIMEOUT_S):
    """``ray.get(ref)`` that never waits longer than ``timeout``; a lost actor or cluster is reported in words."""
    ray = connect()
    from ray.exceptions import GetTimeoutError, RayActorError

    try:
        return ray.get(ref, timeout=timeout)
    except RayActorError as err:
        raise ActorLost(str(err).splitlines()[0][:300]) from err
    except GetTimeoutError as err:
        raise ClusterUnavailable(f"the cluster did not answer within {timeout:.0f} s") from err


class ActorLost(RuntimeError):
    """The process that held a run died (its node left, it ran out of memory, someone killed it)."""
