import threading

import numpy as np
import pytest

from ganlab.training.store import FIELDS, MetricsStore


def rows(start, n):
    r = np.zeros((n, len(FIELDS)))
    r[:, 0] = np.arange(start, start + n)
    r[:, 1] = np.sin(r[:, 0])  # d_loss wiggles in [-1, 1]
    r[:, 2] = r[:, 0]  # g_loss = step, so means and extremes are easy to check
    return r


def test_every_step_reaches_the_sink_before_decimation():
    seen = []
    store = MetricsStore(recent=10, coarse=4, sink=lambda r: seen.append(r.copy()))
    for start in range(1, 1001, 7):
        store.append(rows(start, 7))
    got = np.concatenate(seen)
    assert got[:, 0].tolist() == list(range(1, 1002))
    assert store.total == 1001


def test_memory_stays_bounded_and_extremes_survive():
    store = MetricsStore(recent=50, coarse=20)
    for start in range(1, 200_001, 1000):
        store.append(rows(start, 1000))
    assert store.rows_held() <= 50 + 2 * 20 + 1
    snap = store.snapshot()
    assert snap.total == 200_000
    assert snap.lo[:, 1].min() < -0.999 and snap.hi[:, 1].max() > 0.999  # sin's extremes kept
    assert snap.column("step")[-1] == 200_000 and snap.mean.shape[0] == store.rows_held()
    # means are weighted by bucket sizes: mean of g_loss over everything equals mean step
    assert np.all(np.diff(snap.column("step")) > 0)
    raw = snap.mean[snap.n_decimated:]
    assert raw[:, 0].tolist() == list(range(200_000 - 49, 200_001))


def test_bucket_means_are_exact():
    store = MetricsStore(recent=1, coarse=2)  # at most 4 buckets; full -> merge pairs, width doubles
    store.append(rows(1, 9))  # steps 1..8 fold into buckets [1-4] and [5-8]; step 9 stays raw
    snap = store.snapshot()
    assert snap.n_decimated == 2
    assert snap.column("g_loss").tolist() == [2.5, 6.5, 9.0]
    lo, hi = snap.band("g_loss")
    assert lo.tolist() == [1, 5, 9] and hi.tolist() == [4, 8, 9]


def test_events_and_clear():
    store = MetricsStore(max_events=3)
    for i in range(5):
        store.add_event(i, f"e{i}")
    assert [e[1] for e in store.snapshot().events] == ["e2", "e3", "e4"]
    store.append(rows(1, 5))
    store.clear()
    assert store.total == 0 and store.snapshot().events == ()


def test_concurrent_writer_and_readers():
    store = MetricsStore(recent=100, coarse=10)
    done = threading.Event()

    def write():
        for start in range(1, 50_001, 100):
            store.append(rows(start, 100))
        done.set()

    t = threading.Thread(target=write)
    t.start()
    while not done.is_set():
        snap = store.snapshot()
        assert snap.mean.shape == snap.lo.shape == snap.hi.shape
        assert np.all(np.diff(snap.column("step")) > 0)
    t.join()
    assert store.total == 50_000


def test_thin_folds_neighbours_exactly_and_keeps_extremes():
    store = MetricsStore(recent=300, coarse=40)
    store.append(rows(1, 5000))  # buckets of several widths, a partial bucket and 300 raw steps
    snap = store.snapshot()
    assert snap.count.sum() == 5000 and len(snap.count) == len(snap.mean)
    thin = snap.thin(50)
    assert len(thin.mean) <= 50 and thin.count.sum() == 5000
    # g_loss = step: each point's mean is the mean of the steps it stands for, weighted by steps
    assert np.allclose(thin.column("g_loss"), thin.column("step"))
    assert np.isclose((thin.column("g_loss") * thin.count).sum() / 5000, 2500.5)
    lo, hi = thin.band("g_loss")
    assert lo[0] == 1 and hi[-1] == 5000  # the first and the newest step are inside the bands
    assert np.all(lo[1:] == hi[:-1] + 1)  # neighbouring points cover neighbouring runs of steps
    assert thin.lo[:, 1].min() == snap.lo[:, 1].min() and thin.hi[:, 1].max() == snap.hi[:, 1].max()
    assert thin.n_decimated == len(thin.mean) and thin.events == snap.events
    assert snap.thin(len(snap.mean)) is snap  # already small enough: nothing folded


def test_newest_keeps_only_the_latest_steps_and_their_events():
    store = MetricsStore(recent=300, coarse=50)
    store.append(rows(1, 5000))
    store.add_event(100, "early change")
    store.add_event(4900, "late change")
    snap = store.snapshot()
    near = snap.newest(200)
    assert near.column("step").tolist() == list(range(4801, 5001))  # raw rows, every step
    assert near.n_decimated == 0 and near.count.tolist() == [1] * 200
    assert near.events == ((4900, "late change"),)
    assert near.total == 5000  # still the run's own count
    wide = snap.newest(2000)  # reaches into the folded buckets
    steps = wide.column("step")
    assert steps[0] >= 3001 and steps[-1] == 5000
    assert wide.n_decimated == len(steps) - 300 > 0  # the buckets kept are those before the 300 raw rows
    assert np.array_equal(wide.mean, snap.mean[-len(steps):]) and np.array_equal(wide.count, snap.count[-len(steps):])
    assert 1800 <= wide.count.sum() <= 2000  # the buckets whose mean step lies inside: about 2,000 steps
    assert snap.newest(10_000).mean.shape == snap.mean.shape  # more than the run: all of it
    assert MetricsStore().snapshot().newest(5).total == 0
    with pytest.raises(ValueError, match="at least 1"):
        snap.newest(0)
