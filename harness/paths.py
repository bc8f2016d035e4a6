"""Where the repository and the real datasets are, and what the server's threads are called."""

from __future__ import annotations

import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The real datasets: $GANLAB_DATA (torchvision's layout), else ../shared/data beside the clone.
SHARED_DATA = Path(os.environ.get("GANLAB_DATA") or REPO.parent / "shared" / "data").resolve()


def os_thread_ids(pid: int | str, name: str) -> set[str]:
    """The ids of process ``pid``'s OS threads called ``name`` (Linux's /proc; "self" for this process)."""
    found = set()
    for comm in Path(f"/proc/{pid}/task").glob("*/comm"):
        try:
            if comm.read_text().strip() == name:
                found.add(comm.parent.name)
        except OSError:
            pass  # the thread ended while we looked
    return found


def trainer_threads_of(pid: int | str) -> int:
    """Trainer threads alive in process ``pid`` (they name their OS thread ganlab-trainer)."""
    return len(os_thread_ids(pid, "ganlab-trainer"))


def trainer_threads_left(pid: int | str, timeout: float) -> int:
    """Wait up to ``timeout`` seconds for process ``pid``'s trainer threads to end; how many are left."""
    deadline = time.time() + timeout
    while trainer_threads_of(pid) and time.time() < deadline:
        time.sleep(0.5)
    return trainer_threads_of(pid)
