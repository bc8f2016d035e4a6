"""The fast path (ganlab.training.fast_path): the same losses as the eager step, a visible note, a fall back.

On a CPU (CI) there is nothing to capture: these tests check that the note says so, that a
capture that fails (asked for on a CPU, where CUDA graphs do not exist) falls back to eager steps
with identical results, and that checkpoints saved by a capturing (GPU) run resume on a CPU.
The tests marked ``cuda`` compare the CUDA-graph path with eager steps on a GPU and are skipped
without one.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.config import default_config
from ganlab.persist.checkpoint import load, to_bytes
from ganlab.training.resume import resume
from ganlab.training.fast_path import WARMUP_STEPS
from ganlab.training.trainer import Trainer

SMALL = dict(hidden=32, depth=2, batch_size=64)
cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def metrics(t: Trainer) -> np.ndarray:
    return t.store.snapshot().mean[:, 1:7]  # d_loss, g_loss, d_real, d_fake, grad_d, grad_g


def test_on_a_cpu_steps_run_eagerly_and_the_note_says_why():
    t = Trainer(default_config("ring8", device="cpu", **SMALL))
    assert t.runner.path == "eager"
    assert t.runner.note == "Eager steps: CUDA graphs need a CUDA GPU; this run is on cpu."
    assert "turned off" in Trainer(default_config("ring8", device="cpu", **SMALL), fast=False).runner.note


def test_a_failed_capture_falls_back_to_eager_steps_with_the_same_results():
    """fast=True asks for a CUDA graph on a CPU: the warm-up steps run, the capture raises, and every
    step after that runs eagerly; losses, D(x), D(G(z)) and gradient norms equal a plain eager run's."""
    config = default_config("ring8", seed=5, device="cpu", **SMALL)  # the ring8 defaults: R1 and the average on
    tried, plain = Trainer(config, fast=True), Trainer(config, fast=False)
    tried.run(WARMUP_STEPS)
    assert tried.runner.failure is None and tried.runner.path == "cuda graph"  # not tried yet
    tried.run(20)
    plain.run(20 + WARMUP_STEPS)
    assert tried.runner.failure and tried.runner.path == "eager" and tried.runner.captures == 0
    assert tried.runner.note.startswith("Eager steps: capture failed (")
    assert np.array_equal(metrics(tried), metrics(plain))
    assert tried.parts.ema_updates == plain.parts.ema_updates == 20 + WARMUP_STEPS
    for a, b in zip(tried.shown_generator.parameters(), plain.shown_generator.parameters()):
        assert torch.equal(a, b)


def test_the_page_status_carries_the_note():
    from ganlab.training.background import BackgroundTrainer

    run = BackgroundTrainer(default_config("ring8", **SMALL))
    try:
        assert run.status().engine == run.trainer.runner.note
    finally:
        run.stop()


def test_a_checkpoint_saved_by_a_capturing_run_resumes_on_a_cpu():
    """A GPU run's Adam is fused and capturable and keeps its step counts on the device; its saved
    state says so. Resumed on a CPU, the learned state loads and this machine's Adam runs it (here the
    saved state is a CPU run's, marked as a GPU run marks it: so the continuation is exact)."""
    t = Trainer(default_config("ring8", device="cpu", **SMALL))
    t.run(12)
    raw = to_bytes(t)
    ckpt = load(raw)
    for state in (ckpt.opt_d, ckpt.opt_g):  # as a capturing run on a GPU writes them
        for group in state["param_groups"]:
            group.update(fused=True, capturable=True, foreach=None)
    again = resume(ckpt, device="cpu")
    for opt in (again.parts.opt_d, again.parts.opt_g):
        assert all(not g["capturable"] and not g["fused"] for g in opt.param_groups)
        assert all(s["step"].device.type == "cpu" and int(s["step"]) == 12 for s in opt.state.values())
    again.run(5)
    t.run(5)
    assert np.array_equal(metrics(again)[-5:], metrics(t)[-5:])  # continues exactly as the original


# -- on a CUDA GPU ---------------------------------------------------------------------------------
# What must hold exactly: the graph replays the eager step's kernels, in the same order, with the same
# random draws. So the first steps agree to float32 rounding (rtol 1e-3, atol 1e-4). Later steps of a
# convolutional GAN may not: cuDNN can pick another algorithm inside a capture than outside it (sums in
# another order), and a GAN amplifies a last-bit difference within a few steps (seen on an H200: from
# step 7 on, up to 26.8 on a gradient norm). So cuDNN is asked for deterministic algorithms, the first
# FIRST_EXACT steps are compared tightly, and the rest by their means, as statistics of the same run.
FIRST_EXACT = 5


@pytest.fixture
def deterministic_cudnn():
    saved = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    yield
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = saved


def _both(config, steps, between=None):
    fast, eager = Trainer(config), Trainer(config, fast=False)
    for t in (fast, eager):
        t.run(steps)
        if between:
            between(t)
            t.run(steps)
    return fast, eager


def _agree(fast: np.ndarray, eager: np.ndarray) -> None:
    np.testing.assert_allclose(fast[:FIRST_EXACT], eager[:FIRST_EXACT], rtol=1e-3, atol=1e-4)
    # the losses and D's outputs over the rest: the same run's statistics (grad norms are too jumpy to average)
    np.testing.assert_allclose(fast[FIRST_EXACT:, :4].mean(0), eager[FIRST_EXACT:, :4].mean(0), rtol=0.1, atol=0.02)


@cuda
@pytest.mark.parametrize("data,extra", [("ring8", {}), ("mnist", {"model": "dcgan", "hidden": 16}),
                                        ("mnist", {"model": "cdcgan", "hidden": 16})])
def test_cuda_graph_steps_equal_eager_steps(data, extra, mnist_root, deterministic_cudnn):
    config = default_config(data, seed=1, device="cuda", data_dir=str(mnist_root), **extra)
    fast, eager = _both(config, 30)
    assert fast.runner.path == "cuda graph" and fast.runner.captures == 1 and fast.runner.failure is None
    if data == "ring8":  # no convolutions: every step replays the same kernels as eager
        np.testing.assert_allclose(metrics(fast), metrics(eager), rtol=1e-3, atol=1e-4)
    else:
        _agree(metrics(fast), metrics(eager))


@cuda
def test_cuda_graph_takes_live_changes_and_single_updates():
    """A learning-rate or d_steps change mid-run, and a D-only update, each invalidate the graph;
    the next full steps capture again and still equal eager steps with the same changes."""
    config = default_config("ring8", seed=2, device="cuda", **SMALL)

    def change(t):
        t.set_hparams(lr_d=5e-4, d_steps=2)
        t.run(10)
        t.run(1, phase="d")

    fast, eager = _both(config, 15, between=change)
    assert fast.runner.captures == 3 and fast.runner.failure is None
    np.testing.assert_allclose(metrics(fast), metrics(eager), rtol=1e-3, atol=1e-4)


@cuda
def test_a_gpu_checkpoint_resumes_on_a_cpu_with_the_same_state(mnist_root):
    """A capturing GPU run, saved and resumed on a CPU: the same step, Adam moments, weight average and its
    warm-up count; the losses of the next steps close to the GPU run's own (not bit-equal: another device's
    kernels and random stream)."""
    config = default_config("mnist", model="cdcgan", hidden=16, seed=3, device="cuda", data_dir=str(mnist_root))
    gpu = Trainer(config)
    gpu.run(40)
    ckpt = load(to_bytes(gpu))
    cpu = resume(ckpt, device="cpu")
    assert cpu.step == gpu.step == 40 and cpu.parts.ema_updates == gpu.parts.ema_updates
    for mine, theirs in ((cpu.parts.opt_d, gpu.parts.opt_d), (cpu.parts.opt_g, gpu.parts.opt_g)):
        for p_cpu, p_gpu in zip((p for g in mine.param_groups for p in g["params"]),
                                (p for g in theirs.param_groups for p in g["params"])):
            a, b = mine.state[p_cpu], theirs.state[p_gpu]
            assert int(a["step"]) == int(b["step"]) == 40
            torch.testing.assert_close(a["exp_avg"], b["exp_avg"].cpu())
            torch.testing.assert_close(a["exp_avg_sq"], b["exp_avg_sq"].cpu())
    for a, b in zip(cpu.shown_generator.state_dict().values(), gpu.shown_generator.state_dict().values()):
        torch.testing.assert_close(a, b.cpu())
    gpu.run(20)
    cpu.run(20)
    np.testing.assert_allclose(metrics(cpu)[-20:, :4].mean(0), metrics(gpu)[-20:, :4].mean(0), rtol=0.15, atol=0.05)
