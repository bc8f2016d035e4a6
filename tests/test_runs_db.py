"""The run database: what a run records, the CLI over it, many writers at once, a writer killed mid-write,
and a damaged or locked file that never stops training."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from ganlab.config import default_config
from ganlab.persist.runs_db import RunRecorder, RunsDB, RunsDBError
from ganlab.training.background import BackgroundTrainer
from ganlab.training.trainer import Trainer
from tests.conftest import REPO
from tests.test_cli import ganlab

SMALL = dict(hidden=16, depth=2, batch_size=64)


def test_a_run_is_recorded_with_its_metrics_events_quality_and_checkpoints(tmp_path):
    db = RunsDB(tmp_path / "runs.sqlite")
    run = BackgroundTrainer(default_config("ring8", **SMALL), recorder=RunRecorder(db, source="app:test"))
    assert db.runs() == []  # nothing until a step is taken
    run.set_autosave(40, tmp_path / "auto.pt")
    for _ in range(2):
        run.step(40)
        assert run.wait_steps(30)
    run.set_hparams(lr_d=1e-3)
    run.step(30)
    assert run.wait_steps(30)
    run.stop()
    (row,) = db.runs()
    assert row.source == "app:test" and row.variant == "mlp" and row.data == "ring8" and row.steps == 110
    assert row.status == "stopped" and row.finished is not None and row.config["optim"]["lr_d"] == 2e-3  # as it started; the change is an event
    m = db.metrics(row.id)
    assert m.fields[:3] == ("step", "d_loss", "g_loss") and m.count.sum() == 110
    assert m.column("step")[-1] == 110
    assert any("lr_d" in text for _, text in db.events(row.id))
    assert db.quality(row.id) and "modes_covered" in db.quality(row.id)[-1][1]
    assert [c["step"] for c in db.checkpoints(row.id)] == [40, 80]
    run2 = BackgroundTrainer(default_config("ring8", **SMALL), recorder=RunRecorder(db, source="app:test"))
    run2.step(5)
    run2.wait_steps(30)
    run2.reset()  # a reset starts a new recorded run
    run2.step(3)
    run2.wait_steps(30)
    run2.stop()
    assert [r.steps for r in db.runs()][:2] == [3, 5]


@pytest.mark.slow
def test_runs_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLAB_RUNS_DB", str(tmp_path / "cli.sqlite"))
    ganlab("train", "--data", "ring8", "--steps", 60, "--hidden", 16, "--out", tmp_path / "r")
    listed = json.loads(ganlab("runs", "list", "--json").stdout)
    assert len(listed) == 1 and listed[0]["source"] == "cli" and listed[0]["status"] == "finished"
    run_id = listed[0]["id"]
    shown = json.loads(ganlab("runs", "show", run_id).stdout)
    assert shown["last"]["step"] == 60 and shown["checkpoints"][0]["path"].endswith("checkpoint.pt")
    csv_text = ganlab("runs", "export", run_id, "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("steps_in_row,step,d_loss") and len(csv_text.splitlines()) == 61
    exported = json.loads(ganlab("runs", "export", run_id, "--format", "json").stdout)
    assert exported["config"]["data"]["name"] == "ring8" and len(exported["metrics"]["mean"]) == 60
    ganlab("runs", "delete", run_id)
    assert json.loads(ganlab("runs", "list", "--json").stdout) == []
    bad = ganlab("runs", "show", 999, check=False)
    assert bad.returncode == 2 and "no run 999" in bad.stderr


def test_a_damaged_or_locked_database_is_explained_and_training_goes_on(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    t = Trainer(default_config("ring8", **SMALL))
    rec = RunRecorder(RunsDB(junk), source="cli")
    rec.begin(t)
    t.run(20)
    rec.flush(t, force=True)
    assert "damaged or is not a ganlab database" in rec.note
    t.run(20)  # training was never stopped
    assert t.step == 40 and junk.read_bytes().startswith(b"this is not")  # and the file was left alone
    path = tmp_path / "locked.sqlite"
    db = RunsDB(path)
    db.runs()  # created
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    import ganlab.persist.runs_db as runs_db

    old, runs_db.BUSY_TIMEOUT_S = runs_db.BUSY_TIMEOUT_S, 0.2
    try:
        rec = RunRecorder(RunsDB(path), source="cli")
        rec.begin(t)
        rec.flush(t, force=True)
        assert "locked" in rec.note
    finally:
        runs_db.BUSY_TIMEOUT_S = old
        holder.execute("ROLLBACK")
        holder.close()
    rec.flush(t, force=True)  # once the lock is gone, recording resumes and the note clears
    assert rec.note is None and RunsDB(path).get(rec.run_id).steps == 40
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(RunsDBError, match="cannot be opened"):
        RunsDB(tmp_path / "a-file" / "x.sqlite").runs()


WRITER = textwrap.dedent("""
    import sys, time, numpy as np
    from ganlab.persist.runs_db import RunsDB, RunsDBError
    from ganlab.training.store import MetricsStore
    db = RunsDB(sys.argv[1])
    store = MetricsStore()
    def until_it_lands(write, what):
        # as the app's recorder: a write held up past the busy timeout is tried again (the recorder at its
        # next flush); a slow CI day has kept one writer out for 20 tries, so the limit is two minutes of
        # trying, and what the last tries said is reported if that is not enough
        start, errors = time.monotonic(), []
        while True:
            try:
                return write()
            except RunsDBError as err:
                errors.append(f"{time.monotonic() - start:.1f} s: {err}")
                if time.monotonic() - start > 120:
                    raise SystemExit(f"{what} never landed; the tries said: " + " | ".join(errors[-5:]))
                time.sleep(0.05)

    run = until_it_lands(lambda: db.create(config={}, fields=store.fields, source=f"writer {sys.argv[2]}",
                                           title="w", variant="mlp", data="ring8", seed=0), "the run's create")
    flushes, skipped = int(sys.argv[3]), 0
    for i in range(flushes):
        rows = np.zeros((50, len(store.fields)))
        rows[:, 0] = np.arange(i * 50 + 1, i * 50 + 51)
        store.append(rows)
        write = lambda: db.update(run, snapshot=store.snapshot(), steps=(i + 1) * 50)
        if i == flushes - 1:  # the last flush must land
            until_it_lands(write, "the last flush")
        else:  # as the app's recorder: a flush held up past the busy timeout is skipped (the next one carries it)
            try:
                write()
            except RunsDBError:
                skipped += 1
    print(run, skipped)
""")


def test_many_writers_at_once(tmp_path):
    """Eight processes write their runs at once (each a flush of the whole store, 40 times): every run
    ends complete, few flushes wait past the busy timeout (on a loaded 2-core CI machine one did), and the
    file is sound."""
    path = tmp_path / "busy.sqlite"
    RunsDB(path).runs()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(i), "40"], cwd=REPO,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
    skipped = sum(int(out.split()[1]) for out, _ in outs)
    assert skipped <= 8 * 40 // 10, f"{skipped} of {8 * 40} flushes waited past the busy timeout"
    db = RunsDB(path)
    runs = db.runs()
    assert len(runs) == 8 and all(r.steps == 2000 for r in runs)
    assert all(db.metrics(r.id).count.sum() == 2000 for r in runs)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_writer_killed_mid_write_loses_nothing_committed(tmp_path):
    """SIGKILL a process in the middle of its stream of writes: the database opens, passes its integrity
    check, and holds the run as of its last committed write (a whole snapshot, never half of one)."""
    path = tmp_path / "killed.sqlite"
    RunsDB(path).runs()
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path), "k", "100000"], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.3)
        try:
            rows = RunsDB(path).runs()
        except RunsDBError:
            continue
        if rows and rows[0].steps >= 3000:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    with sqlite3.connect(path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db = RunsDB(path)
    (row,) = db.runs()
    m = db.metrics(row.id)
    assert row.steps >= 3000 and m.count.sum() == row.steps  # the rows and the step count from the same write
    db.update(row.id, steps=row.steps + 1)  # and it takes writes again
