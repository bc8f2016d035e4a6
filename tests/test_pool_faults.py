"""Faults that used to stop a class's runs without a word (a stacked turn that raises, a watcher's handle that
resets the presenter's run: each of those tests fails on the code before its fix), and faults that must lose
nothing: a run that turns NaN inside a stacked group, a session closed mid-step, a worker killed mid-turn while
another worker trains a classmate's run (a lone worker's killed run: tests/test_pool.py,
test_a_killed_worker_is_reported_and_its_run_resumes_from_its_autosave)."""

from __future__ import annotations

import os
import signal
import time

import pytest
import torch

from ganlab.config import default_config
from ganlab.persist.checkpoint import load
from ganlab.pool import stacked
from ganlab.pool.host import RunHost
from ganlab.pool.hosted import HostedRun
from ganlab.pool.local import LocalPool


def wait(predicate, timeout: float = 60.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def status(host: RunHost, run_id: str):
    return host.look(run_id)[0].status


def test_a_stacked_turn_that_raises_halts_its_runs_with_the_reason_and_the_worker_goes_on(monkeypatch):
    """Before: the exception ended the host's scheduler thread; the host still answered look, its runs said
    "running" and never moved again, and a run of another shape on the same host stopped too."""
    real, turns = stacked.run_together, []

    def fails_on_the_third_turn(trainers, n):  # a kernel that fails mid-class (an injected fault)
        turns.append(n)
        if len(turns) == 3:
            raise RuntimeError("injected fault in the batched step")
        return real(trainers, n)

    monkeypatch.setattr(stacked, "run_together", fails_on_the_third_turn)
    host = RunHost(name="faults")
    try:
        same = [f"ring{s}" for s in range(3)]
        for s, run_id in enumerate(same):
            host.create(run_id, default_config("ring8", seed=s).to_dict(), "test")
        host.create("alone", default_config("grid25", hidden=64, depth=1).to_dict(), "test")
        for run_id in [*same, "alone"]:
            host.call(run_id, "start")
        assert wait(lambda: all(status(host, r).state == "paused" for r in same)), [status(host, r) for r in same]
        for r in same:
            message = status(host, r).message
            assert "RuntimeError" in message and "injected fault" in message
        step = status(host, "alone").step
        assert wait(lambda: status(host, "alone").step > step + 20)  # the rest of the worker goes on
        assert host._thread.is_alive()
        host.call(same[0], "start")  # a halted run starts again when asked (the fault has passed)
        step0 = status(host, same[0]).step
        assert wait(lambda: status(host, same[0]).step > step0 + 20)
    finally:
        host.close()


def test_a_run_whose_loss_turns_nan_inside_a_stacked_group_stops_alone_and_keeps_its_autosave(tmp_path):
    """Three same-shaped runs stepped together; one's discriminator blows up mid-class (its weights NaN, as a
    too-high rate leaves them). That run stops with the divergence said, its autosave from before keeps the last
    finite state, and the other two go on being stepped together."""
    host = RunHost(name="nan")
    try:
        runs = [f"ring{s}" for s in range(3)]
        for s, run_id in enumerate(runs):
            host.create(run_id, default_config("ring8", seed=s).to_dict(), "test")
        save = tmp_path / "ring1.pt"
        host.call("ring1", "set_autosave", 20, save)
        for run_id in runs:
            host.call(run_id, "start")
        assert wait(lambda: save.is_file() and status(host, "ring1").step > 60)
        groups_before = host.group_turns
        sick = host._run("ring1")
        with sick._turn:  # between turns, as a numeric blow-up would land
            for layer in sick.trainer.parts.disc.modules():
                if isinstance(layer, torch.nn.Linear):
                    layer.weight.data.fill_(float("nan"))
        assert wait(lambda: status(host, "ring1").state == "paused")
        look = host.look("ring1")[0]
        assert look.diverged and "NaN" in status(host, "ring1").message
        kept = load(save)
        assert 0 < kept.step < look.step + 1
        assert all(torch.isfinite(t).all() for t in kept.nets["disc"].values())
        steps = {r: status(host, r).step for r in ("ring0", "ring2")}
        assert wait(lambda: all(status(host, r).step > steps[r] + 40 for r in steps))
        assert host.group_turns > groups_before + 2  # the two healthy runs still step as one
        assert all(status(host, r).state == "running" and status(host, r).message is None for r in steps)
    finally:
        host.close()


@pytest.fixture
def pool():
    p = LocalPool(workers=1)
    yield p
    p.close()


def test_a_watchers_handle_changes_nothing_not_even_by_reset_or_resume(pool):
    """Before: reset and resume_from went to the worker without the ownership check every other command
    makes, so a lecture's watcher (another replica's read-only handle) could start the presenter's run afresh."""
    owner = HostedRun(pool, default_config("ring8", hidden=32), source="test")
    other = HostedRun(pool, default_config("grid25", hidden=16), source="test")
    try:
        owner.step(30)
        other.step(3)
        assert owner.wait_steps(30) and other.wait_steps(30) and owner.look().step == 30
        elsewhere = load(other.checkpoint_bytes())  # another run's checkpoint: grid25 at step 3

        def seen():  # the run as a fresh handle sees it now (a handle keeps its looks a moment)
            return HostedRun(pool, None, worker=owner.worker, run_id=owner.run_id).look()

        watcher = HostedRun(pool, None, worker=owner.worker, run_id=owner.run_id)
        watcher.reset(default_config("moons", hidden=16))
        assert (seen().step, seen().config.data.name) == (30, "ring8")
        watcher.resume_from(elsewhere)
        assert (seen().step, seen().config.data.name) == (30, "ring8")
        watcher.start()
        watcher.step(5)
        time.sleep(0.5)
        assert seen().step == 30 and seen().status.state != "running"
        watcher.stop()  # a watcher letting go leaves the run on its worker
        assert seen().step == 30 and pool.loads()[0]["runs"] == 2
    finally:
        owner.stop()
        other.stop()


def test_a_session_closed_mid_step_keeps_its_autosave_and_the_others_pace(pool, tmp_path):
    """A student closes the tab while the worker is inside the run's turn (Streamlit then releases the session's
    run: ``ui.session._release`` stops it). The run ends on its worker, the file it autosaved stays whole and
    loads, and a classmate's run on the same worker goes on training."""
    leaving = HostedRun(pool, default_config("ring8", hidden=64), source="test")
    staying = HostedRun(pool, default_config("grid25", hidden=64), source="test")
    save = tmp_path / "leaving.pt"
    try:
        leaving.set_autosave(25, save)
        leaving.start()
        staying.start()
        assert wait(lambda: save.is_file() and leaving.look().step > 100)
        leaving.stop()  # mid-step: the run trains at full speed, its turns back to back
        kept = load(save)
        assert kept.step >= 25 and all(torch.isfinite(t).all() for t in kept.nets["gen"].values())
        worker = staying.worker
        assert worker.proc.poll() is None  # the worker lives on
        before = staying.look().step
        assert wait(lambda: staying.look().step > before + 100)  # how fast: benchmarks/cluster_load.py
        assert staying.look().status.state == "running"
    finally:
        staying.stop()



def test_a_worker_killed_mid_turn_loses_nothing_autosaved_and_the_other_workers_runs_train_on(monkeypatch, tmp_path):
    """Two workers, a run training on each. The first worker is killed inside a turn (its run trains at full
    speed, turns back to back): its run says so and resumes from its last autosave, whole, on the worker that
    is left; the classmate's run on the other worker never stops and says nothing went wrong."""
    import ganlab.pool.local as local

    monkeypatch.setattr(local, "GROW_AT", 1)  # a second worker as soon as one run trains (a class: six)
    pool = LocalPool(workers=2)
    runs = []
    try:
        doomed = HostedRun(pool, default_config("ring8", hidden=64), source="test")
        runs.append(doomed)
        save = tmp_path / "doomed.pt"
        doomed.set_autosave(25, save)
        doomed.start()
        runs.append(HostedRun(pool, default_config("ring8", hidden=16), source="test"))  # starts the second worker
        assert wait(lambda: len(pool.loads()) == 2), "the pool did not grow to two workers"
        classmate = HostedRun(pool, default_config("grid25", hidden=64), source="test")
        runs.append(classmate)
        assert classmate.worker is not doomed.worker  # the least busy: the new worker
        classmate.start()
        assert wait(lambda: save.is_file() and doomed.look().step > 100 and classmate.look().step > 100)
        dead = doomed.worker
        os.kill(dead.proc.pid, signal.SIGKILL)
        before = classmate.look().step
        assert wait(lambda: doomed.look().status.message is not None, 30)
        assert "The worker process training this run stopped" in doomed.look().status.message
        kept = load(save)  # the autosave is whole
        assert kept.step >= 25 and all(torch.isfinite(t).all() for t in kept.nets["gen"].values())
        # the classmate's run on the other worker trains on, and has nothing to report
        assert wait(lambda: classmate.look().step > before + 200), "the other worker's run stopped"
        now = classmate.look().status
        assert now.state == "running" and now.message is None and classmate.lost is None
        doomed.recover()  # onto a live worker: the survivor, or the dead one's replacement
        assert doomed.worker is not dead and doomed.look().step == kept.step
        doomed.start()
        assert wait(lambda: doomed.look().step > kept.step + 50)
        assert classmate.look().status.state == "running"
    finally:
        for run in runs:
            run.stop()
        pool.close()
