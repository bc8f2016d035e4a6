import time
from pathlib import Path

import numpy as np
import pytest
import torch

from ganlab.config import ConfigError, default_config
from ganlab.training.background import BackgroundTrainer
from ganlab.training.trainer import Diverged, Trainer, resolve_device
from tests.conftest import os_thread_ids, trainer_threads

SMALL = dict(hidden=32, depth=2, batch_size=64)


def wait_for(predicate, timeout=20.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_plain_trainer_records_every_step():
    t = Trainer(default_config("ring8", **SMALL))
    t.run(7)
    t.run(5)
    snap = t.store.snapshot()
    assert snap.column("step").tolist() == list(range(1, 13))
    for name in ("d_real", "d_fake"):
        assert ((snap.column(name) > 0) & (snap.column(name) < 1)).all()
    assert (np.diff(snap.column("wall")) >= 0).all() and (snap.column("grad_d") > 0).all()


def test_recorded_times_are_read_after_the_blocks_synchronisation():
    """On a GPU a step returns as soon as its kernels are queued; only the block's one host synchronisation
    (copying its metrics) says when the device finished. Here the copy is made to wait as a device finishing
    a queued block would: the wall column, train_seconds and steps/s must include that wait."""
    class Queued(Trainer):
        def _collect(self, outs):
            time.sleep(0.4)  # the device still working through the block when the host asks for its metrics
            return super()._collect(outs)

    t = Queued(default_config("ring8", device="cpu", **SMALL))
    t.run(10)
    wall = t.store.snapshot().column("wall")
    assert t.train_seconds >= 0.4 and wall[-1] == pytest.approx(t.train_seconds)
    assert (np.diff(wall) >= 0).all() and wall[0] > 0
    assert t.step / t.train_seconds <= 10 / 0.4  # the rate a page or the CLI reports counts the wait


def test_the_synchronised_clock_stretches_queued_reads_to_the_sync():
    from ganlab.training.trainer import synchronised_clock

    # a GPU block: four steps queued in 4 ms, the sync at 1 s -> the steps end at 0.25, 0.5, 0.75 and 1 s
    np.testing.assert_allclose(synchronised_clock([10.001, 10.002, 10.003, 10.004], 10.0, 11.0),
                               [0.25, 0.5, 0.75, 1.0])
    # a CPU block: each read is when the step was done; the sync adds only the copy (nothing changes)
    np.testing.assert_allclose(synchronised_clock([10.1, 10.3, 10.6], 10.0, 10.6), [0.1, 0.3, 0.6])


def test_same_seed_same_run():
    a, b = (Trainer(default_config("ring8", seed=3, **SMALL)) for _ in range(2))
    a.run(20)
    b.run(20)
    assert np.array_equal(a.store.snapshot().mean[:, 1:7], b.store.snapshot().mean[:, 1:7])


def test_start_pause_step_resume_stop_leave_no_thread():
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    run.start()
    assert wait_for(lambda: run.status().step > 20)
    run.pause()
    time.sleep(0.2)
    paused_at = run.status().step
    time.sleep(0.3)
    assert run.status().step == paused_at and run.status().state == "paused"
    run.step(3)
    assert wait_for(lambda: run.status().step == paused_at + 3)
    time.sleep(0.2)
    assert run.status().step == paused_at + 3
    run.resume()
    assert wait_for(lambda: run.status().step > paused_at + 20)
    run.stop()
    assert not run.alive and not trainer_threads()


def test_single_steps_from_ready():
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    assert run.status().state == "ready"
    run.step(1)
    assert run.wait_steps(), "a single step finishes, with its samples refreshed, before wait_steps returns"
    assert run.status().step == 1
    assert run.samples().step == 1
    run.stop()


def test_reset_builds_a_fresh_run_and_keeps_the_old_one_on_bad_config():
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    run.step(5)
    assert run.wait_steps() and run.status().step == 5
    run.reset(default_config("grid25", **SMALL))
    assert run.status().step == 0 and run.trainer.config.data.name == "grid25"
    with pytest.raises(ConfigError):
        run.reset(default_config("grid25", device="cuda")) if not torch.cuda.is_available() else \
            run.reset(default_config("grid25", device="mps"))
    assert run.trainer.config.data.name == "grid25"
    run.stop()
    assert not trainer_threads()


def test_learning_rates_change_mid_run_and_are_marked():
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    run.start()
    assert wait_for(lambda: run.status().step > 10)
    run.set_hparams(lr_d=1e-3, d_steps=2)
    assert wait_for(lambda: run.trainer.config.optim.d_steps == 2)
    run.stop()
    t = run.trainer
    assert t.parts.opt_d.param_groups[0]["lr"] == 1e-3
    events = t.store.snapshot().events
    assert len(events) == 1 and "lr_d 0.002 -> 0.001" in events[0][1] and "d_steps 1 -> 2" in events[0][1]
    with pytest.raises(ConfigError, match="lr_g"):
        t.set_hparams(lr_g=-1.0)
    with pytest.raises(ConfigError, match="mid-run"):
        t.set_hparams(batch_size=8)


def test_nan_pauses_the_run_with_a_message():
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    run.step(2)
    assert run.wait_steps() and run.status().step == 2
    with torch.no_grad():
        next(run.trainer.parts.disc.parameters()).fill_(float("nan"))  # force a divergence
    run.start()
    assert wait_for(lambda: run.status().message is not None)
    s = run.status()
    assert s.state == "paused" and "diverged at step 3" in s.message
    run.start()  # a diverged run cannot be resumed; it stays paused
    assert run.status().state == "paused"
    with pytest.raises(Diverged):
        run.trainer.run(1)
    run.stop()


def test_device_choice():
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("auto").type in ("cpu", "cuda", "mps")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            resolve_device("cuda")


def test_start_pause_reset_cycles_leave_nothing_behind():
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    for _ in range(20):
        run.start()
        run.pause()
        run.reset()
    run.stop()
    assert not trainer_threads()


@pytest.mark.parametrize("loss", ["ns", "minimax", "lsgan", "hinge", "wgan-gp"])
@pytest.mark.parametrize("arch", ["mlp", "cgan", "dcgan", "cdcgan"])
def test_every_model_and_loss_takes_finite_steps_on_images(arch, loss, fashion_root):
    own = {"disc": "plain"} if arch == "dcgan" and loss == "wgan-gp" else {}  # its batch-norm D takes no penalty
    config = default_config("fashion-mnist", model=arch, loss=loss, hidden=8, batch_size=8, z_dim=4,
                            data_dir=str(fashion_root), label_smoothing=0.1 if loss in ("ns", "lsgan") else 0.0, **own)
    t = Trainer(config)
    t.run(3)
    snap = t.store.snapshot()
    assert np.isfinite(snap.mean).all() and snap.total == 3
    assert t.sample_fixed().shape[1:] == (1, 28, 28)


def test_autosave_and_timeline(tmp_path):
    from ganlab.persist.checkpoint import load

    run = BackgroundTrainer(default_config("ring8", **SMALL))
    path = tmp_path / "auto.pt"
    run.set_autosave(10, path)
    run.step(25)
    assert run.wait_steps() and run.status().step == 25
    assert wait_for(lambda: path.exists())
    assert load(path).step >= 10  # saved at the end of the block that crossed step 10 or 20
    assert "autosaved" in run.autosave_note
    assert len(run.timeline) >= 1 and run.timeline.frames()[0][1].shape == (2500, 2)
    before = path.read_bytes()
    with torch.no_grad():
        next(run.trainer.parts.disc.parameters()).fill_(float("nan"))
    run.step(20)
    assert wait_for(lambda: run.status().message is not None)
    assert path.read_bytes() == before, "a diverged run must not overwrite the last good autosave"
    run.stop()


def test_server_cap_on_running_trainers(monkeypatch):
    from ganlab.training.capacity import SLOTS, Busy

    monkeypatch.setenv("GANLAB_MAX_TRAINERS", "1")
    a, b = (BackgroundTrainer(default_config("ring8", **SMALL)) for _ in range(2))
    a.start()
    with pytest.raises(Busy, match="limit is 1"):
        b.start()
    b.step(2)  # single steps are still allowed
    assert wait_for(lambda: b.status().step == 2)
    a.pause()
    b.start()
    assert b.status().state == "running"
    with pytest.raises(Busy):
        a.start()
    b.stop()
    a.stop()
    assert SLOTS.held == 0


def test_hundred_start_stop_reset_cycles_do_not_grow_memory():
    import resource

    run = BackgroundTrainer(default_config("ring8", **SMALL))

    def cycles(n):
        for _ in range(n):
            run.start()
            run.step(1)
            run.pause()
            run.reset()
        assert not trainer_threads()

    cycles(20)  # warm-up: allocator pools and caches settle
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cycles(100)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    run.stop()
    assert not trainer_threads()
    assert after - before < 50 * 1024, f"peak RSS grew by {(after - before) / 1024:.0f} MB over 100 cycles"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts OS threads through Linux's /proc")
def test_a_trainer_thread_keeps_to_the_process_torch_thread_count():
    """With one torch thread asked for, a run's thread trains alone: OpenMP gives each new thread one per
    core unless told, and the 2-D MLP's small products ran on a team of two in every trainer thread."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    already = os_thread_ids("self", "ganlab-trainer")  # an earlier test's OpenMP worker may linger a while
    try:
        run = BackgroundTrainer(default_config("ring8"))  # the app's 128x128 MLP: no parallel loop of torch's own
        run.start()
        assert wait_for(lambda: run.status().step > 20)
        assert len(os_thread_ids("self", "ganlab-trainer") - already) == 1
        run.stop()
    finally:
        torch.set_num_threads(before)
