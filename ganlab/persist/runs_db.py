"""Every run, kept: an embedded SQLite database of runs, their metrics, quality figures, events and
checkpoints, written from the app's sessions and from the CLI.

One file (``GANLAB_RUNS_DB``, default ``runs/ganlab.sqlite``; ``runs/`` is ignored by git), in WAL
mode so that many sessions write at once while others read, each write a short transaction. A run's
metrics are stored as the metrics store thins them (at most a few thousand rows however long it
trains): each flush replaces the run's rows with the store's current snapshot, in one transaction,
so a reader sees the old rows or the new ones. A database that is missing is created; one that is
locked is waited for a moment; one that is damaged (or not a database) is reported in plain words
and left alone. Training never waits on it or stops for it: every write goes through
:class:`RunRecorder`, which keeps the last failure as a note for the page.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganlab.said import said, said_by

SCHEMA_VERSION = 2  # 2: runs.wall_seconds
BUSY_TIMEOUT_S = 5.0  # how long a write waits for another session's transaction before it gives up

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,          -- unix time
    updated REAL NOT NULL,
    finished REAL,                  -- NULL while it runs
    status TEXT NOT NULL,           -- running, paused, finished, diverged, stopped
    source TEXT NOT NULL,           -- "cli" or "app" (and which session, "app:1a2b3c4d")
    title TEXT NOT NULL,
    variant TEXT NOT NULL,
    data TEXT NOT NULL,
    seed INTEGER NOT NULL,
    config TEXT NOT NULL,           -- the run config as JSON (RunConfig.to_dict)
    fields TEXT NOT NULL,           -- JSON list: the metric columns, as the store records them
    steps INTEGER NOT NULL DEFAULT 0,
    train_seconds REAL NOT NULL DEFAULT 0,  -- time spent training, in its turns
    wall_seconds REAL NOT NULL DEFAULT 0    -- wall time it was meant to be training, waiting for turns included
);
CREATE TABLE IF NOT EXISTS metrics (   -- the store's thinned rows: each stands for `count` steps
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    row INTEGER NOT NULL,
    count INTEGER NOT NULL,
    mean BLOB NOT NULL, lo BLOB NOT NULL, hi BLOB NOT NULL,  -- float64 arrays, one value per field
    PRIMARY KEY (run_id, row)
);
CREATE TABLE IF NOT EXISTS quality (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL,
    figures TEXT NOT NULL,          -- JSON: modes covered, high quality, test accuracy ...
    PRIMARY KEY (run_id, step)
);
CREATE TABLE IF NOT EXISTS events (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL, text TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step INTEGER NOT NULL, path TEXT NOT NULL, saved REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events(run_id);
CREATE INDEX IF NOT EXISTS checkpoints_run ON checkpoints(run_id);
"""


class RunsDBError(RuntimeError):
    """The run database cannot be used; the message says why and what to do."""


def default_path() -> Path:
    return Path(os.environ.get("GANLAB_RUNS_DB", "runs/ganlab.sqlite"))


@dataclass(frozen=True)
class RunRow:
    id: int
    started: float
    updated: float
    finished: float | None
    status: str
    source: str
    title: str
    variant: str
    data: str
    seed: int
    config: dict
    fields: tuple[str, ...]
    steps: int
    train_seconds: float  # time spent training, in its turns
    wall_seconds: float = 0.0  # wall time it was meant to be training, waiting for turns included (0: not kept)

    @property
    def steps_per_second(self) -> float:
        """The run's real pace: steps over the wall time it was meant to be training (its training time for
        runs recorded before that was kept)."""
        seconds = self.wall_seconds or self.train_seconds
        return self.steps / seconds if seconds else 0.0

    def summary(self) -> dict:
        return {"id": self.id, "title": self.title, "variant": self.variant, "data": self.data, "seed": self.seed,
                "status": self.status, "source": self.source, "steps": self.steps,
                "train_seconds": round(self.train_seconds, 1), "wall_seconds": round(self.wall_seconds, 1),
                "steps_per_second": round(self.steps_per_second, 1), "started": _when(self.started)}


@dataclass(frozen=True)
class RunMetrics:
    """A stored run's metrics as the store thinned them: ``mean``/``lo``/``hi`` (N, F), ``count`` (N,)."""

    fields: tuple[str, ...]
    mean: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    count: np.ndarray

    def column(self, name: str) -> np.ndarray:
        return self.mean[:, self.fields.index(name)]


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t))


class RunsDB:
    """The run database at ``path``; every method opens its own short connection (threads share nothing)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self._ready = False
        self._lock = threading.Lock()

    # -- connections ------------------------------------------------------------------
    @contextmanager
    def connect(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (OSError, sqlite3.Error) as err:
            raise RunsDBError(f"the run database {self.path} cannot be opened ({err}); check the folder exists and "
                              "is writable, or set GANLAB_RUNS_DB to another file") from err
        try:
            con.execute("PRAGMA foreign_keys = ON")
            if not self._ready:
                self._setup(con)
            yield con
        except sqlite3.DatabaseError as err:
            raise RunsDBError(self._explain(err)) from err
        finally:
            con.close()

    def _setup(self, con: sqlite3.Connection) -> None:
        with self._lock:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")  # WAL's recommended: durable at checkpoints, never corrupt
            con.executescript(SCHEMA)
            columns = {row[1] for row in con.execute("PRAGMA table_info(runs)")}
            if "wall_seconds" not in columns:  # a database of schema 1: the column arrives, 0 for older runs
                con.execute("ALTER TABLE runs ADD COLUMN wall_seconds REAL NOT NULL DEFAULT 0")
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            self._ready = True

    def _explain(self, err: sqlite3.DatabaseError) -> str:
        text = str(err)
        if "locked" in text or "busy" in text:
            return (f"the run database {self.path} stayed locked by another writer for {BUSY_TIMEOUT_S:g} s; "
                    "this write was skipped and training goes on")
        if "malformed" in text or "not a database" in text or "file is encrypted" in text:
            return (f"the run database {self.path} is damaged or is not a ganlab database ({text}); runs are not "
                    "recorded until it is moved away (a new one is then created) or GANLAB_RUNS_DB names another file")
        return f"the run database {self.path} failed: {text}"

    @contextmanager
    def transaction(self):
        with self.connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    # -- writing ----------------------------------------------------------------------
    def create(self, *, config: dict, fields, source: str, title: str, variant: str, data: str, seed: int) -> int:
        now = time.time()
        with self.transaction() as con:
            cur = con.execute(
                "INSERT INTO runs (started, updated, status, source, title, variant, data, seed, config, fields) "
                "VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                (now, now, source, title, variant, data, int(seed), json.dumps(config), json.dumps(list(fields))))
            return int(cur.lastrowid)

    def update(self, run_id: int, *, snapshot=None, quality=(), events=(), steps: int | None = None,
               train_seconds: float | None = None, wall_seconds: float | None = None, status: str | None = None,
               finished: bool = False) -> None:
        """One transaction: the run's row, and (when given) its metric rows replaced by ``snapshot``'s,
        its quality history and events replaced too."""
        now = time.time()
        with self.transaction() as con:
            sets, args = ["updated = ?"], [now]
            for col, value in (("steps", steps), ("train_seconds", train_seconds), ("wall_seconds", wall_seconds),
                               ("status", status)):
                if value is not None:
                    sets.append(f"{col} = ?")
                    args.append(value)
            if finished:
                sets.append("finished = ?")
                args.append(now)
            cur = con.execute(f"UPDATE runs SET {', '.join(sets)} WHERE id = ?", (*args, run_id))
            if cur.rowcount == 0:
                raise RunsDBError(f"run {run_id} is not in the run database (deleted?)")
            if snapshot is not None:
                con.execute("DELETE FROM metrics WHERE run_id = ?", (run_id,))
                con.executemany("INSERT INTO metrics VALUES (?, ?, ?, ?, ?, ?)", [
                    (run_id, i, int(c), m.astype(np.float64).tobytes(), lo.astype(np.float64).tobytes(),
                     hi.astype(np.float64).tobytes())
                    for i, (c, m, lo, hi) in enumerate(zip(snapshot.count, snapshot.mean, snapshot.lo, snapshot.hi))])
            if quality:
                con.execute("DELETE FROM quality WHERE run_id = ?", (run_id,))
                con.executemany("INSERT OR REPLACE INTO quality VALUES (?, ?, ?)",
                                [(run_id, int(s), json.dumps(_plain(q))) for s, q in quality])
            if events:
                con.execute("DELETE FROM events WHERE run_id = ?", (run_id,))
                con.executemany("INSERT INTO events VALUES (?, ?, ?)", [(run_id, int(s), str(t)) for s, t in events])

    def add_checkpoint(self, run_id: int, step: int, path: str | Path) -> None:
        with self.transaction() as con:
            con.execute("INSERT INTO checkpoints VALUES (?, ?, ?, ?)", (run_id, int(step), str(path), time.time()))

    def delete(self, run_id: int) -> None:
        with self.transaction() as con:
            if con.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount == 0:
                raise RunsDBError(f"no run {run_id} in {self.path}")

    # -- reading ----------------------------------------------------------------------
    def runs(self, limit: int = 500) -> list[RunRow]:
        with self.connect() as con:
            rows = con.execute("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_row(r) for r in rows]

    def get(self, run_id: int) -> RunRow:
        with self.connect() as con:
            r = con.execute("SELECT * FROM runs WHERE id = ?", (int(run_id),)).fetchone()
        if r is None:
            raise RunsDBError(f"no run {run_id} in {self.path}")
        return _row(r)

    def metrics(self, run_id: int) -> RunMetrics:
        run = self.get(run_id)
        with self.connect() as con:
            rows = con.execute("SELECT count, mean, lo, hi FROM metrics WHERE run_id = ? ORDER BY row",
                               (run_id,)).fetchall()
        f = len(run.fields)

        def stack(i):
            return np.stack([np.frombuffer(r[i], dtype=np.float64) for r in rows]) if rows else np.empty((0, f))

        return RunMetrics(run.fields, stack(1), stack(2), stack(3), np.array([r[0] for r in rows], dtype=np.int64))

    def quality(self, run_id: int) -> list[tuple[int, dict]]:
        with self.connect() as con:
            rows = con.execute("SELECT step, figures FROM quality WHERE run_id = ? ORDER BY step", (run_id,)).fetchall()
        return [(int(s), json.loads(q)) for s, q in rows]

    def events(self, run_id: int) -> list[tuple[int, str]]:
        with self.connect() as con:
            return [(int(s), t) for s, t in con.execute("SELECT step, text FROM events WHERE run_id = ? ORDER BY step",
                                                       (run_id,))]

    def checkpoints(self, run_id: int) -> list[dict]:
        with self.connect() as con:
            rows = con.execute("SELECT step, path, saved FROM checkpoints WHERE run_id = ? ORDER BY saved",
                               (run_id,)).fetchall()
        return [{"step": int(s), "path": p, "saved": _when(t)} for s, p, t in rows]

    def export(self, run_id: int, fmt: str) -> str:
        """A run as JSON (everything) or CSV (its metric rows, one per stored row, with how many steps each holds)."""
        run, m = self.get(run_id), self.metrics(run_id)
        if fmt == "json":
            return json.dumps({**run.summary(), "config": run.config, "fields": list(run.fields),
                               "metrics": {"count": m.count.tolist(), "mean": m.mean.tolist(), "lo": m.lo.tolist(),
                                           "hi": m.hi.tolist()},
                               "quality": self.quality(run_id), "events": self.events(run_id),
                               "checkpoints": self.checkpoints(run_id)}, indent=1)
        if fmt == "csv":
            lines = [",".join(["steps_in_row", *run.fields])]
            lines += [",".join([str(int(c)), *(f"{v:.7g}" for v in row)]) for c, row in zip(m.count, m.mean)]
            return "\n".join(lines) + "\n"
        raise RunsDBError(f"export format must be csv or json, got {fmt!r}")


def _row(r) -> RunRow:
    return RunRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], int(r[9]), json.loads(r[10]),
                  tuple(json.loads(r[11])), int(r[12]), float(r[13]), float(r[14]) if len(r) > 14 else 0.0)


def _plain(value):
    """JSON-safe figures: numpy numbers as Python ones, infinities as None."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


class RunRecorder:
    """Records one live run in a :class:`RunsDB` without ever stopping it: every write is tried, and the
    last failure kept as ``note`` (the page shows it); a later write that works clears it."""

    FLUSH_SECONDS = 5.0  # how often a live run's rows are rewritten

    def __init__(self, db: RunsDB, *, source: str, title: str = ""):
        self.db, self.source, self.title = db, source, title
        self.run_id: int | None = None
        self.note: str | None = None
        self._last = 0.0
        self._trainer = None

    def _try(self, write) -> bool:
        try:
            write()
            self.note = None
            return True
        except RunsDBError as err:
            self.note = said("This run is not being recorded: {err}", err=said_by(err))
        except Exception as err:  # noqa: BLE001 - a recording must never take a run down
            self.note = said("This run is not being recorded: {kind}: {err}", kind=type(err).__name__, err=str(err))
        return False

    def begin(self, trainer) -> None:
        """A new run (a fresh trainer, a reset, a resumed checkpoint) will start a new row, at its first
        flush with a step taken (a page opened and left untrained records nothing)."""
        self._trainer, self.run_id, self._last = trainer, None, 0.0

    def _create(self, trainer) -> None:
        c = trainer.config

        def write():
            self.run_id = self.db.create(config=c.to_dict(), fields=trainer.fields, source=self.source,
                                         title=self.title or f"{trainer.variant.title} on {c.data.name}, seed {c.seed}",
                                         variant=c.model.arch, data=c.data.name, seed=c.seed)
        self._try(write)

    def flush(self, trainer, quality=(), *, status: str | None = None, force: bool = False,
              finished: bool = False, wall_seconds: float | None = None) -> None:
        if trainer is not self._trainer:
            self.begin(trainer)
        now = time.monotonic()
        if not force and now - self._last < self.FLUSH_SECONDS:
            return
        if self.run_id is None:
            if trainer.step == 0:
                return
            self._create(trainer)
            if self.run_id is None:
                return
        self._last = now
        status = status or ("diverged" if trainer.diverged else None)
        snap = trainer.store.snapshot()
        self._try(lambda: self.db.update(self.run_id, snapshot=snap, quality=list(quality), events=snap.events,
                                         steps=trainer.step, train_seconds=trainer.train_seconds,
                                         wall_seconds=wall_seconds, status=status, finished=finished))

    def checkpoint(self, step: int, path) -> None:
        if self.run_id is None and self._trainer is not None and self._trainer.step:
            self._create(self._trainer)
        if self.run_id is not None:
            self._try(lambda: self.db.add_checkpoint(self.run_id, step, path))
