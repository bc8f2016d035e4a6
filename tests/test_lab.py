"""The lab view's layers, single D/G updates, slow motion, the weight average, live figures, lecture mode."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import torch

from ganlab.classroom.lecture import Lecture
from ganlab.config import default_config
from ganlab.core.losses import LOSSES
from ganlab.core.step import ema_decay, train_step
from ganlab.data.datasets import mixture
from ganlab.evaluation.evaluate import evaluate
from ganlab.evaluation.quality import grid_divergence
from ganlab.explore.lab import generator_push, lab_view
from ganlab.persist.checkpoint import load, save
from ganlab.training.resume import resume
from ganlab.training.background import BackgroundTrainer
from ganlab.training.run_state import PHASE_TEXT, extend_history
from ganlab.training.trainer import Trainer

SMALL = dict(hidden=32, depth=2, batch_size=64, device="cpu")


def params(module):
    return [p.detach().clone() for p in module.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("loss", ["ns", "minimax", "lsgan", "hinge"])
def test_generator_push_is_minus_the_per_sample_gradient(loss):
    """Each arrow is -dL_G/dx at that sample alone, checked against central finite differences."""
    t = Trainer(default_config("ring8", loss=loss, **SMALL))
    disc = t.parts.disc.double()
    x = torch.randn(5, 2, dtype=torch.float64)
    push = generator_push(LOSSES[loss], disc, x, 0, None)
    h = 1e-6
    for i in range(len(x)):
        for j in range(2):
            up, down = x[i:i + 1].clone(), x[i:i + 1].clone()
            up[0, j] += h
            down[0, j] -= h
            with torch.no_grad():
                numeric = (LOSSES[loss].generator(disc(up, None)) - LOSSES[loss].generator(disc(down, None))) / (2 * h)
            assert push[i, j].item() == pytest.approx(-numeric.item(), rel=1e-4, abs=1e-8)


def test_lab_view_layers_on_the_plane():
    t = Trainer(default_config("ring8", **SMALL))
    t.run(5)
    v = lab_view(t, surface_res=30, mesh_res=11, n_arrows=50)
    assert v.axis.shape == (30,) and v.surface.shape == (30, 30)
    assert ((v.surface > 0) & (v.surface < 1)).all()
    assert v.mesh.shape == (11, 11, 2) and "11x11 latent grid" in v.mesh_note
    assert v.arrows_at.shape == v.arrows.shape == (50, 2)
    assert np.allclose(v.arrows_at, t.sample_fixed()[:50], atol=1e-6), "arrows sit on the samples the view draws"
    assert v.mapping_z is None
    # D's surface is D itself: the heat map at a grid point equals D there
    with torch.no_grad():
        at = torch.tensor([[v.axis[3], v.axis[7]]])  # x = axis[3], y = axis[7] -> row 7, column 3
        assert v.surface[7, 3] == pytest.approx(torch.sigmoid(t.parts.disc(at, None)).item(), abs=1e-6)


def test_lab_view_on_higher_latents_is_a_slice():
    t = Trainer(default_config("grid25", z_dim=5, **SMALL))
    v = lab_view(t, mesh_res=7)
    assert v.mesh.shape == (7, 7, 2) and "slice" in v.mesh_note


def test_one_dimensional_mode():
    m = mixture("mog1d")
    x, _ = m.batch(4000, torch.Generator().manual_seed(0))
    assert x.shape == (4000, 1)
    grid = np.linspace(-10, 10, 20001)
    assert (m.density(grid) * (grid[1] - grid[0])).sum() == pytest.approx(1.0, abs=1e-4)
    t = Trainer(default_config("mog1d", device="cpu"))
    t.run(20)
    v = lab_view(t)
    assert v.surface.shape == v.axis.shape  # D(x) is a curve on the line
    assert v.mapping_z is not None and v.mapping_x.shape == v.mapping_z.shape
    assert t.sample_fixed().shape == (2500, 1)


def test_d_only_and_g_only_steps_touch_one_network():
    t = Trainer(default_config("ring8", **SMALL))
    g0, d0 = params(t.parts.gen), params(t.parts.disc)
    t.run(1, "d", mark=True)
    assert same(params(t.parts.gen), g0) and not same(params(t.parts.disc), d0)
    g1, d1 = params(t.parts.gen), params(t.parts.disc)
    t.run(1, "g", mark=True)
    assert not same(params(t.parts.gen), g1) and same(params(t.parts.disc), d1)
    snap = t.store.snapshot()
    assert [e[1] for e in snap.events] == ["D only", "G only"] and t.step == 2
    assert snap.column("grad_g")[0] == 0 and snap.column("grad_d")[1] == 0
    assert np.isfinite(snap.mean[:, 1:7]).all()
    with pytest.raises(ValueError, match="phase"):
        train_step(t.parts, phase="x")


def test_weight_average_follows_the_generator():
    t = Trainer(default_config("ring8", ema=0.9, **SMALL))

    def one_step_blends(decay):
        before = params(t.parts.gen_ema)
        t.run(1)
        expected = [decay * b + (1 - decay) * g for b, g in zip(before, params(t.parts.gen))]
        return all(torch.allclose(e, a, atol=1e-6) for e, a in zip(expected, params(t.parts.gen_ema)))

    assert one_step_blends(0.1)  # warm-up: decay (1 + 0) / (10 + 0), so the average starts near G
    assert one_step_blends(2 / 11)
    t.run(98)
    assert ema_decay(0.9, t.parts.ema_updates) == 0.9 and one_step_blends(0.9)  # then the set decay
    assert t.shown_generator is t.parts.gen_ema
    assert Trainer(default_config("ring8", ema=0.0, **SMALL)).parts.gen_ema is None


def test_resume_continues_the_average_warm_up_where_it_stood(tmp_path):
    t = Trainer(default_config("ring8", ema=0.9, **SMALL))
    t.run(30)
    t.run(1, "d", mark=True)  # a step with no generator update
    t.run(5)
    again = resume(load(save(t, tmp_path / "r.pt")))
    assert again.parts.ema_updates == t.parts.ema_updates == 35 and t.step == 36


def test_live_figures_equal_the_headless_eval_of_the_same_weights(tmp_path):
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    run.step(300)
    assert run.wait_steps(timeout=60)
    live = run.samples().quality
    path = save(run.trainer, tmp_path / "r.pt")
    run.stop()
    headless = evaluate(load(path))
    for key in ("modes_covered", "high_quality", "reverse_kl", "grid_kl", "grid_js"):
        assert live[key] == pytest.approx(headless[key], rel=1e-9, abs=1e-12), key
    assert run.quality_history[-1][1] is live


def test_grid_divergence_bounds():
    rng = np.random.default_rng(0)
    a = rng.uniform(-1, 1, (5000, 2))
    same_ = grid_divergence(a, a, 1.0)
    assert same_["grid_kl"] == pytest.approx(0, abs=1e-12) and same_["grid_js"] == pytest.approx(0, abs=1e-12)
    apart = grid_divergence(a * 0.1 - 0.8, a * 0.1 + 0.8, 1.0)
    assert apart["grid_js"] == pytest.approx(math.log(2), rel=1e-6)


def test_slow_motion_names_each_update():
    run = BackgroundTrainer(default_config("ring8", d_steps=2, **SMALL))
    run.set_speed(5.0)
    run.start()
    seen, end = set(), time.time() + 10
    while time.time() < end and len(seen) < 2:
        if run.status().phase:
            seen.add(run.status().phase)
        time.sleep(0.01)
    run.pause()
    assert seen == {PHASE_TEXT["d"], PHASE_TEXT["g"]}
    n = run.trainer.step
    assert 1 <= n <= 40, "5 steps/s of three updates each for under 3 s"
    with pytest.raises(ValueError):
        run.set_speed(0)
    run.stop()


def test_lecture_shares_one_run_read_only():
    lecture = Lecture()
    run = BackgroundTrainer(default_config("ring8", **SMALL))
    lecture.share(run, "alice", "  Week 3:\n GANs  ")
    shared = lecture.current()
    assert shared.run is run and shared.title == "Week 3: GANs" and lecture.presenting("alice")
    assert not lecture.stop("bob") and lecture.current() is not None, "only the presenter ends a lecture"
    run.stop()
    assert lecture.current() is None, "a stopped run is no longer shown"
    run2 = BackgroundTrainer(default_config("ring8", **SMALL))
    lecture.share(run2, "carol", "")
    assert lecture.current().title == "Lecture"
    assert lecture.stop("carol") and lecture.current() is None
    run2.stop()


@pytest.mark.parametrize("points, why", [
    ([], "needs points"), ([(0, 0, 0)], "pairs"), ([("a", 1)], "numbers"), ([(float("nan"), 0)], "finite"),
    ([(1e6, 0)], "within"), ([(0, 0)] * 2001, "at most"), ("0,0", "list"),
])
def test_a_drawn_distribution_rejects_bad_points(points, why):
    from ganlab.config import ConfigError

    with pytest.raises(ConfigError, match=why):
        default_config("custom", points=points)


def test_a_drawn_distribution_trains_saves_and_evaluates(tmp_path):
    config = default_config("custom", points=[(-1, -1), (-1, -0.9), (1, 1)], **SMALL)
    t = Trainer(config)
    t.run(5)
    x, y = t.data.batch(100, torch.Generator().manual_seed(0))
    assert x.shape == (100, 2) and set(y.tolist()) == {0}
    ck = load(save(t, tmp_path / "drawn.pt"))
    assert ck.config.data.points == ((-1.0, -1.0), (-1.0, -0.9), (1.0, 1.0))
    figures = evaluate(ck)
    assert "grid_js" in figures and "modes_covered" not in figures  # a region, not a set of modes


def test_quality_history_stays_bounded_and_keeps_the_latest():
    history = []
    for step in range(1, 2001):
        history = extend_history(history, step, {"step": step}, cap=50)
    assert len(history) <= 51 and history[-1][0] == 2000 and history[0][0] == 1
    assert [s for s, _ in history] == sorted(s for s, _ in history)
    assert extend_history(history, 2000, {}) is history, "a repeated step is not recorded twice"
