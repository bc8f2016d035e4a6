"""A lock-guarded, bounded store of per-step training metrics.

The trainer appends every step; pages poll snapshots. Memory stays bounded
however long a run goes: the most recent ``recent`` steps are kept at full
resolution; older steps are folded into at most ``2 * coarse`` buckets that
keep each metric's mean, min and max. When the buckets fill, neighbours merge
and the bucket width doubles. Every step passes through ``append`` (and the
optional ``sink``, which sees the raw rows) before any decimation.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Callable

import numpy as np

FIELDS = ("step", "d_loss", "g_loss", "d_real", "d_fake", "grad_d", "grad_g", "wall")  # the plain GAN's columns


def fields_for(variant) -> tuple[str, ...]:
    """The columns a run of ``variant`` records: the step, its metrics in declared order, the wall time."""
    return ("step", *variant.metric_names, "wall")


@dataclass(frozen=True)
class Snapshot:
    """Copies, safe to plot: ``mean``/``lo``/``hi`` are (N, F); raw rows have lo == hi == mean."""

    fields: tuple[str, ...]  # the column names
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    n_decimated: int  # the first n_decimated rows are buckets, the rest raw steps
    total: int  # steps recorded since the last clear
    events: tuple[tuple[int, str], ...]
    count: np.ndarray  # (N,) how many steps each row stands for (1 for a raw step)

    def column(self, name: str) -> np.ndarray:
        return self.mean[:, self.fields.index(name)]

    def band(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        i = self.fields.index(name)
        return self.lo[:, i], self.hi[:, i]

    def thin(self, max_rows: int) -> Snapshot:
        """At most ``max_rows`` rows, for drawing: runs of k neighbouring rows are folded into one,
        exactly as the store folds old steps (mean weighted by steps, min of the minima, max of the
        maxima). Runs are counted back from the newest row, so a partial run is the oldest. A chart
        a few hundred pixels wide cannot show more rows, and the bands keep every extreme."""
        n = len(self.mean)
        if n <= max_rows:
            return self
        k = -(-n // max_rows)
        starts = np.arange(n % k, n, k)
        if n % k:
            starts = np.concatenate([[0], starts])
        w = self.count.astype(np.float64)[:, None]
        steps_in = np.add.reduceat(self.count, starts)
        mean = np.add.reduceat(self.mean * w, starts) / steps_in[:, None]
        lo = np.minimum.reduceat(self.lo, starts)
        hi = np.maximum.reduceat(self.hi, starts)
        return Snapshot(self.fields, mean, lo, hi, len(starts), self.total, self.events, steps_in)

    def newest(self, steps: int) -> Snapshot:
        """Only the rows of the newest ``steps`` steps (a folded bucket by where its mean step
        lies) and the events among them: a chart of the run's latest stretch."""
        if steps < 1:
            raise ValueError(f"steps must be at least 1, got {steps}")
        step = self.column("step")
        if not len(step):
            return self
        cutoff = step[-1] - steps + 1
        first = int(np.argmax(step >= cutoff))  # the rows are in step order; the newest row always qualifies
        events = tuple((s, text) for s, text in self.events if s >= cutoff)
        return Snapshot(self.fields, self.mean[first:], self.lo[first:], self.hi[first:], max(0, self.n_decimated - first),
                        self.total, events, self.count[first:])

    @property
    def last(self) -> dict[str, float] | None:
        if not len(self.mean):
            return None
        return dict(zip(self.fields, self.mean[-1].tolist()))


class MetricsStore:
    def __init__(self, *, fields: tuple[str, ...] = FIELDS, recent: int = 3000, coarse: int = 1000,
                 max_events: int = 200, sink: Callable[[np.ndarray], None] | None = None):
        if recent < 1 or coarse < 1:
            raise ValueError("recent and coarse must be at least 1")
        if fields[0] != "step" or fields[-1] != "wall":
            raise ValueError("a store's columns start with step and end with wall")
        self.fields = tuple(fields)
        self._lock = threading.Lock()
        self._recent_cap, self._coarse_cap = recent, coarse
        self._events: deque[tuple[int, str]] = deque(maxlen=max_events)
        self.sink = sink
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._recent = np.empty((0, len(self.fields)))
            cap = 2 * self._coarse_cap  # buckets live in preallocated arrays; _nc are in use
            self._c_mean, self._c_min, self._c_max = (np.empty((cap, len(self.fields))) for _ in range(3))
            self._c_count = np.zeros(cap, dtype=np.int64)
            self._nc = 0
            self._bucket = 1
            self._pending = None  # running (count, sum, min, max) of the partial bucket
            self._total = 0
            self._events.clear()

    def append(self, rows: np.ndarray) -> None:
        """Record (k, F) rows, columns in ``self.fields`` order."""
        rows = np.asarray(rows, dtype=np.float64).reshape(-1, len(self.fields))
        if self.sink is not None:
            self.sink(rows)
        with self._lock:
            self._total += len(rows)
            self._recent = np.concatenate([self._recent, rows])
            overflow = len(self._recent) - self._recent_cap
            if overflow > 0:
                old, self._recent = self._recent[:overflow], self._recent[overflow:]
                for row in old:
                    self._fold(row)

    def _fold(self, row: np.ndarray) -> None:
        if self._pending is None:
            self._pending = [1, row.copy(), row.copy(), row.copy()]
        else:
            p = self._pending
            p[0] += 1
            p[1] += row
            np.minimum(p[2], row, out=p[2])
            np.maximum(p[3], row, out=p[3])
        if self._pending[0] == self._bucket:
            n, s, lo, hi = self._pending
            i = self._nc
            self._c_mean[i], self._c_min[i], self._c_max[i], self._c_count[i] = s / n, lo, hi, n
            self._nc += 1
            self._pending = None
            if self._nc == len(self._c_count):
                self._merge_pairs()

    def _merge_pairs(self) -> None:
        half = self._nc // 2
        n = self._c_count.reshape(-1, 2)
        w = n / n.sum(1, keepdims=True)
        f = len(self.fields)
        self._c_mean[:half] = (self._c_mean.reshape(-1, 2, f) * w[..., None]).sum(1)
        self._c_min[:half] = self._c_min.reshape(-1, 2, f).min(1)
        self._c_max[:half] = self._c_max.reshape(-1, 2, f).max(1)
        self._c_count[:half] = n.sum(1)
        self._nc = half
        self._bucket *= 2

    def add_event(self, step: int, text: str) -> None:
        """Mark something that happened at ``step`` (a hyperparameter change, a pause)."""
        with self._lock:
            self._events.append((int(step), str(text)))

    def events(self) -> tuple[tuple[int, str], ...]:
        """The marks alone (what ``snapshot().events`` holds), without copying the metrics."""
        with self._lock:
            return tuple(self._events)

    def snapshot(self) -> Snapshot:
        with self._lock:
            k = self._nc
            means, los, his = [self._c_mean[:k]], [self._c_min[:k]], [self._c_max[:k]]
            counts = [self._c_count[:k], np.ones(len(self._recent), dtype=np.int64)]
            if self._pending is not None:
                n, s, lo, hi = self._pending
                means.append((s / n)[None])
                los.append(lo[None])
                his.append(hi[None])
                counts.insert(1, np.array([n], dtype=np.int64))
            n_dec = sum(len(m) for m in means)
            means.append(self._recent)
            los.append(self._recent)
            his.append(self._recent)
            return Snapshot(self.fields, np.concatenate(means), np.concatenate(los), np.concatenate(his),
                            n_dec, self._total, tuple(self._events), np.concatenate(counts))

    @property
    def total(self) -> int:
        with self._lock:
            return self._total

    def rows_held(self) -> int:
        """Rows in memory (raw + buckets + partial bucket): bounded by recent + 2 * coarse + 1."""
        with self._lock:
            return len(self._recent) + self._nc + (self._pending is not None)

    def steps_per_second(self, window: int = 200) -> float:
        """Steps per second of wall time over the last ``window`` recorded steps."""
        with self._lock:
            tail = self._recent[-window:]
        if len(tail) < 2:
            return 0.0
        dt = tail[-1, -1] - tail[0, -1]
        ds = tail[-1, 0] - tail[0, 0]
        return float(ds / dt) if dt > 0 else 0.0
