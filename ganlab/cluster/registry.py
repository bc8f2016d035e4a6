"""The cluster's small shared state, as named detached actors every server replica finds by name: how many
runs train now (the cluster-wide limit), and which run the lecture shares. Light on purpose: their
worker imports nothing heavy (no torch), so they start in a moment."""

from __future__ import annotations

from ganlab.cluster.connection import NAMESPACE, connect

SLOTS_ACTOR = "ganlab-slots"
LECTURE_ACTOR = "ganlab-lecture"


class SlotsActor:
    """The cluster's count of runs training now, shared by every server replica."""

    def __init__(self):
        self.held: set[str] = set()

    def take(self, name: str, limit: int) -> tuple[bool, int]:
        if name in self.held:
            return True, len(self.held)
        if len(self.held) >= limit:
            return False, len(self.held)
        self.held.add(name)
        return True, len(self.held)

    def give(self, name: str) -> int:
        self.held.discard(name)
        return len(self.held)

    def count(self) -> int:
        return len(self.held)


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


def slots():
    """The cluster's run counter (a detached named actor: it outlives any one server replica)."""
    connect()
    return _remote(SlotsActor).options(name=SLOTS_ACTOR, namespace=NAMESPACE, get_if_exists=True,
                                       lifetime="detached", num_cpus=0).remote()


def lecture_registry():
    connect()
    return _remote(LectureActor).options(name=LECTURE_ACTOR, namespace=NAMESPACE, get_if_exists=True,
                                         lifetime="detached", num_cpus=0).remote()
