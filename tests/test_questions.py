"""The course's questions answered by running them: each experiment shows what its card promises."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ganlab.classroom.presets import CLASSIC_2D
from ganlab.classroom.questions import BY_KEY, QUESTIONS, bce, bce_curves
from ganlab.config import default_config
from ganlab.data.datasets import load_images
from ganlab.evaluation.evaluate import evaluate
from ganlab.persist import checkpoint as ck
from ganlab.training.background import BackgroundTrainer
from ganlab.training.trainer import Trainer


def test_every_question_is_a_card_with_runs_that_build():
    for q in QUESTIONS:
        assert q.explanation.count("\n") == 1 and q.formula and q.runs
        for config in q.configs():
            assert config.seed == 0


def test_the_bce_cost_by_parts():
    c = bce_curves()
    assert c["y = 1 (real)"][0] > 6 and c["y = 1 (real)"][-1] < 0.002  # -log p: large when a real is called fake
    assert c["y = 0 (fake)"][0] < 0.002 and c["y = 0 (fake)"][-1] > 6
    assert bce(1, 0.5) == pytest.approx(np.log(2)) and bce(0, 0.9) == pytest.approx(-np.log(0.1))


def test_a_generator_that_cannot_reach_the_datas_range_is_told_apart(mnist_root):
    """300 steps of the classic MNIST GAN: with data in -1..1 and a sigmoid G (0..1), D(G(z)) stays near 0;
    with the matched tanh G it does not."""
    data = load_images("mnist", mnist_root, download=False)
    runs = {label: overrides for label, _, overrides in BY_KEY["range"].runs}
    fakes = {}
    for label in ("-1..1 data, tanh G (matched)", "-1..1 data, sigmoid G (mismatched)"):
        t = Trainer(default_config("mnist", seed=0, device="cpu", data_dir=str(mnist_root), **runs[label]), data=data)
        t.run(300)
        fakes[label] = t.store.snapshot().column("d_fake")[-50:].mean()
    assert fakes["-1..1 data, sigmoid G (mismatched)"] < 0.2, fakes
    assert fakes["-1..1 data, tanh G (matched)"] > 0.4, fakes


def test_a_discriminator_far_ahead_starves_the_minimax_generator():
    """After 1,000 D-only steps D(G(z)) is near 0, and there the minimax G gets a small fraction of the
    gradient the non-saturating loss gives it (the question's runs, measured over G's first 50 steps)."""
    runs = {label: overrides for label, _, overrides in BY_KEY["too-good-d"].runs}

    def start_of_g(overrides):
        t = Trainer(default_config("ring8", seed=0, device="cpu", **{**CLASSIC_2D, "hidden": 64, **overrides}))
        t.run(1050)
        snap = t.store.snapshot()
        assert (snap.column("grad_g")[:1000] == 0).all()  # G waited
        return float(snap.column("d_fake")[999]), float(np.median(snap.column("grad_g")[1000:1050]))

    d_fake, starved = start_of_g(runs["D 1,000 steps ahead (minimax)"])
    _, remedied = start_of_g(runs["D ahead, non-saturating loss"])
    assert d_fake < 0.05, d_fake
    assert remedied > 5 * starved, (remedied, starved)


def test_the_best_checkpoint_survives_a_later_collapse(tmp_path):
    """ring8 keeps its best state while it learns; then learning rates of 0.05 wreck it, and the kept
    file still holds the earlier, better model (its eval says so)."""
    best = tmp_path / "best.pt"
    run = BackgroundTrainer(default_config("ring8", seed=0, device="cpu"))
    run.keep_best(best)
    run.start()
    deadline = time.time() + 120
    while time.time() < deadline and not (run.quality_history and run.quality_history[-1][1]["modes_covered"] == 8
                                          and run.quality_history[-1][1]["high_quality"] > 0.5):
        time.sleep(0.5)
    kept = ck.load(best)
    assert evaluate(kept)["modes_covered"] == 8 and "best so far kept: step" in run.best_note
    run.set_hparams(lr_d=0.05, lr_g=0.05)
    collapsed_at = run.status().step
    while time.time() < deadline + 60 and run.status().step < collapsed_at + 1500 and not run.trainer.diverged:
        time.sleep(0.5)
    run.stop()
    later = run.quality_history[-1][1]
    assert later["high_quality"] < 0.5 or run.trainer.diverged, later  # the run fell apart
    again = ck.load(best)
    assert again.step <= collapsed_at + 5 and evaluate(again)["modes_covered"] == 8  # the best is untouched
