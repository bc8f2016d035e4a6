"""ganlab.training.memory hands freed heap memory back to the OS (run in a child process, so pytest's own
allocations do not blur the figures)."""

import subprocess
import sys
import threading

import pytest

from ganlab.training import memory
from tests.conftest import REPO

CHILD = """
import os, threading, torch
from ganlab.training.memory import give_back
from harness.app_server import rss_mb

def churn():  # 200 MB in 1 kB blocks, as a session's many small objects; a few survivors pin the heap
    keep, junk = [], []
    for i in range(200_000):
        junk.append(bytes(1000))
        if i % 1000 == 0:
            keep.append(bytes(1000))
    return keep, junk

out = {}
t = threading.Thread(target=lambda: out.update(r=churn()))
t.start()
t.join()
keep, junk = out.pop("r")
del junk
freed = rss_mb(os.getpid())
give_back()
print(round(freed), round(rss_mb(os.getpid())))
"""


@pytest.mark.skipif(memory._TRIM is None, reason="no glibc malloc_trim on this platform")
def test_give_back_returns_freed_heap_to_the_os():
    out = subprocess.run([sys.executable, "-c", CHILD], cwd=REPO, capture_output=True, text=True, check=True)
    before, after = map(int, out.stdout.split())
    assert before - after > 100, f"RSS {before} MB after freeing 200 MB, {after} MB after give_back()"


def test_give_back_soon_runs_once_for_many_calls():
    for _ in range(30):  # a classroom leaving at once
        memory.give_back_soon(delay=0.5)
    pending = [t for t in threading.enumerate() if t.name == "ganlab-give-back"]
    assert len(pending) == 1
    pending[0].join(30)
    assert not pending[0].is_alive()


def test_a_call_while_giving_back_schedules_the_next(monkeypatch):
    """A session dropped while a give_back already runs is handed back by the next one."""
    started, release, runs = threading.Event(), threading.Event(), []

    def slow_give_back():  # stands in for gc + malloc_trim, held open until the test lets it finish
        runs.append(1)
        started.set()
        release.wait(10)

    monkeypatch.setattr(memory, "give_back", slow_give_back)
    memory.give_back_soon(delay=0.05)
    assert started.wait(10)
    memory.give_back_soon(delay=0.05)  # arrives mid-run
    release.set()
    for t in [t for t in threading.enumerate() if t.name == "ganlab-give-back"]:
        t.join(10)
    assert len(runs) == 2


SET_ASIDE = """
import gc, weakref, torch
from ganlab.training.memory import give_back, set_aside_loaded

walked_before = len(gc.get_objects())
set_aside = set_aside_loaded()
walked_after = len(gc.get_objects())

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after: only a collection frees it
gone = weakref.ref(a)
del a, b
give_back()
print(walked_before, set_aside, walked_after, gone() is None)
"""


def test_what_is_loaded_is_set_aside_and_later_garbage_is_still_collected():
    out = subprocess.run([sys.executable, "-c", SET_ASIDE], cwd=REPO, capture_output=True, text=True, check=True)
    walked_before, set_aside, walked_after, collected = out.stdout.split()
    assert int(set_aside) > 100_000, "torch's modules and classes should be set aside"
    assert int(walked_after) < int(walked_before) // 100, (walked_before, walked_after)
    assert collected == "True", "a cycle made after set_aside_loaded() was not collected"
