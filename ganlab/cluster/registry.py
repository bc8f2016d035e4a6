"""The cluster's small shared state, as a named detached actor every server replica finds by name: which run
the lecture shares. Light on purpose: its worker imports nothing heavy (no torch), so it starts in a moment."""

from __future__ import annotations

from ganlab.cluster.connection import NAMESPACE, connect

LECTURE_ACTOR = "ganlab-lecture"


class LectureActor:
    def __init__(self):
        self.shared: tuple[str, str, str] | None = None  # (run actor name, title, owner)

    def share(self, name: str, owner: str, title: str) -> None:
        self.shared = (name, title, owner)

    def stop(self, owner: str) -> bool:
        if self.shared is None or self.shared[2] != owner:
            return False
        self.shared = None
        return True

    def current(self):
        return self.shared


_remote_classes: dict = {}


def _remote(cls):
    """``ray.remote(cls)``, made once per class."""
    ray = connect()
    if cls.__name__ not in _remote_classes:
        _remote_classes[cls.__name__] = ray.remote(cls)
    return _remote_classes[cls.__name__]


def lecture_registry():
    connect()
    return _remote(LectureActor).options(name=LECTURE_ACTOR, namespace=NAMESPACE, get_if_exists=True,
                                         lifetime="detached", num_cpus=0).remote()
