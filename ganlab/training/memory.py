"""Hand memory back when runs end: a server that held thirty sessions should not keep their memory.

Freed Python and torch CPU memory stays in glibc's free lists, and freed CUDA memory stays
reserved by torch's caching allocator, so a server's memory would stay at its peak after a
classroom leaves. Measured with 3 waves of 30 sessions against one server
(``python -m benchmarks.session_memory``, docs/reliability.md): after each wave left, the server's
RSS stayed 264-374 MB above its idle size without this, 37-59 MB with it. The CUDA half has not
run: no GPU was available.

A full collection walks every object the process holds, and a server that has imported torch, numpy,
plotly and Streamlit holds about 400,000 before its first session: 0.14 s of held GIL on an idle core, longer
beside two training workers, during which no session's page is answered. :func:`set_aside_loaded` hands what
is loaded by the server's first page to ``gc.freeze()``, so the collections that follow walk only what came
after it (docs/deploy.md, "A newcomer's slow tail").
"""

from __future__ import annotations

import ctypes
import gc
import logging
import threading

import torch

log = logging.getLogger(__name__)

DELAY_S = 1.0  # after a session ends, its objects are dropped by the server a moment later

_pending: threading.Timer | None = None
_lock = threading.Lock()


def _libc_trim():
    """glibc's malloc_trim, or None where the C library has none (macOS, musl, Windows)."""
    try:
        return ctypes.CDLL(None).malloc_trim  # the process's own symbols, as background._name_os_thread
    except (OSError, AttributeError, TypeError):
        return None


_TRIM = _libc_trim()


def set_aside_loaded() -> int:
    """Leave every object alive now out of later full collections (``gc.freeze``) and say how many there are.

    For what a process keeps to its end: modules, classes, caches. They are still freed when nothing refers
    to them; only a reference cycle among them would no longer be found, so call this once, after the
    imports, not each time a session comes (what one session holds then is set aside with them)."""
    gc.collect()  # what is already garbage is not kept
    gc.freeze()
    return gc.get_freeze_count()


def give_back() -> None:
    """Collect garbage, then return free heap pages to the OS and free cached CUDA blocks."""
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)
    if torch.cuda.is_initialized():
        torch.cuda.empty_cache()


def give_back_soon(delay: float = DELAY_S) -> None:
    """:func:`give_back` on a thread of its own after ``delay`` seconds; calls while one is waiting
    share it (thirty sessions closing at once trim once). A call that comes while it already runs
    starts the next one, so a session dropped mid-collection is still handed back."""
    global _pending
    with _lock:
        if _pending is not None:
            return
        _pending = threading.Timer(delay, _run)
        _pending.daemon = True
        _pending.name = "ganlab-give-back"
        _pending.start()


def _run() -> None:
    global _pending
    with _lock:
        _pending = None  # from here on, a new call schedules the next give_back
    try:
        give_back()
    except Exception:  # never let housekeeping take anything down
        log.exception("giving memory back failed")
