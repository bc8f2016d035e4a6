"""The course's lessons (ganlab/classroom/lessons.toml): every link opens a page that exists with settings the
sidebar would take, and the experiments and questions, run, show what their cards promise."""

from __future__ import annotations

import time

import numpy as np
import pytest

from ganlab.classroom.bce import bce, bce_curves
from ganlab.classroom.lessons import BY_KEY, LESSONS, load, run_config, split
from ganlab.config import default_config
from ganlab.data.datasets import load_images
from ganlab.evaluation.evaluate import evaluate
from ganlab.persist import checkpoint as ck
from ganlab.training.background import BackgroundTrainer
from ganlab.training.trainer import Trainer


def train_links(lesson):
    return ([lesson.link] if lesson.link and lesson.page == "" else []) + [link for _label, link in lesson.runs]


def runs_of(key: str) -> dict:
    return {label["en"]: run_config(split(link)[1])[0] for label, link in BY_KEY[key].runs}


def test_every_lesson_opens_a_page_with_settings_the_sidebar_takes():
    from ui.lesson_cards import page_file

    course = [lesson.key for lesson in LESSONS if lesson.section == "course"]
    assert len(course) == 15 and course[0] == "vanilla-gan" and course[-1] == "detection"  # the course's order
    for lesson in LESSONS:
        page_file(lesson.page)  # a page of the app
        for text in ("title", "watch", "question"):
            assert lesson.part(text, "en") and lesson.part(text, "ko") != lesson.part(text, "en")
        for link in train_links(lesson):
            config, refused = run_config(split(link)[1])
            assert refused == [], (lesson.key, refused)
            Trainer(config.with_values(device="cpu")).run(2) if config.data.kind == "toy" else None


def test_a_lesson_file_with_a_mistake_says_which(tmp_path):
    bad = tmp_path / "lessons.toml"
    bad.write_text('[[lessons]]\nkey = "x"\nsection = "course"\nlink = "/"\ntitle = { en = "T" }\n'
                   'watch = { en = "W", ko = "W" }\nquestion = { en = "Q", ko = "Q" }\n')
    with pytest.raises(ValueError, match="lesson x: title needs en, ko"):
        load(bad)


def test_a_link_refuses_what_the_sidebar_refuses_and_reaches_no_path():
    config, refused = run_config({"data": "grid25", "loss": "hinge", "d_steps": "5", "seed": "3", "lr_d": "abc",
                                  "batch_size": "0", "data_dir": "/etc", "nope": "1"})
    assert (config.data.name, config.optim.loss, config.optim.d_steps, config.seed) == ("grid25", "hinge", 5, 3)
    assert {name for name, _v, _why in refused} == {"lr_d", "batch_size", "data_dir", "nope"}
    assert config.optim.lr_d == default_config("grid25").optim.lr_d and config.data.data_dir != "/etc"
    _, refused = run_config({"loss": "hinge", "label_smoothing": "0.1"})  # each fine alone, not together
    assert {name for name, _v, _w in refused} == {"loss", "label_smoothing"}


def test_the_bce_cost_by_parts():
    c = bce_curves()
    assert c["y = 1 (real)"][0] > 6 and c["y = 1 (real)"][-1] < 0.002  # -log p: large when a real is called fake
    assert c["y = 0 (fake)"][0] < 0.002 and c["y = 0 (fake)"][-1] > 6
    assert bce(1, 0.5) == pytest.approx(np.log(2)) and bce(0, 0.9) == pytest.approx(-np.log(0.1))


def test_a_generator_that_cannot_reach_the_datas_range_is_told_apart(mnist_root):
    """300 steps of the classic MNIST GAN: with data in -1..1 and a sigmoid G (0..1), D(G(z)) stays near 0;
    with the matched tanh G it does not."""
    data = load_images("mnist", mnist_root, download=False)
    runs = runs_of("range")
    fakes = {}
    for label in ("-1..1 data, tanh G (matched)", "-1..1 data, sigmoid G (mismatched)"):
        t = Trainer(runs[label].with_values(device="cpu", data_dir=str(mnist_root)), data=data)
        t.run(300)
        fakes[label] = t.store.snapshot().column("d_fake")[-50:].mean()
    assert fakes["-1..1 data, sigmoid G (mismatched)"] < 0.2, fakes
    assert fakes["-1..1 data, tanh G (matched)"] > 0.4, fakes


def test_a_discriminator_far_ahead_starves_the_minimax_generator():
    """After 1,000 D-only steps D(G(z)) is near 0, and there the minimax G gets a small fraction of the
    gradient the non-saturating loss gives it (the question's runs, measured over G's first 50 steps)."""
    runs = runs_of("too-good-d")

    def start_of_g(config):
        t = Trainer(config.with_values(device="cpu", hidden=64))
        t.run(1050)
        snap = t.store.snapshot()
        assert (snap.column("grad_g")[:1000] == 0).all()  # G waited
        return float(snap.column("d_fake")[999]), float(np.median(snap.column("grad_g")[1000:1050]))

    d_fake, starved = start_of_g(runs["D 1,000 steps ahead (minimax)"])
    _, remedied = start_of_g(runs["D ahead, non-saturating loss"])
    assert d_fake < 0.05, d_fake
    assert remedied > 5 * starved, (remedied, starved)


@pytest.mark.slow
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
    run.pause()  # so the step the rates change at is the step read here (a running block would go on at the old ones)
    collapsed_at = -1
    while collapsed_at != run.status().step:  # the block in flight when it paused has ended
        collapsed_at = run.status().step
        time.sleep(0.3)
    run.set_hparams(lr_d=0.05, lr_g=0.05)
    run.start()
    while time.time() < deadline + 60 and run.status().step < collapsed_at + 1500 and not run.trainer.diverged:
        time.sleep(0.5)
    run.stop()
    later = run.quality_history[-1][1]
    assert later["high_quality"] < 0.5 or run.trainer.diverged, later  # the run fell apart
    again = ck.load(best)
    assert again.step <= collapsed_at + 5 and evaluate(again)["modes_covered"] == 8  # the best is untouched


@pytest.mark.slow
def test_the_collapse_pair_shows_what_its_cards_say():
    """The collapsing run covers a few of grid25's 25 modes and its recall stays low; the defaults beside it
    cover most of them (its samples still sharpening onto them), on the same seed and the same number of steps."""
    runs = runs_of("pair-grid25")
    figures = {}
    for label, config in runs.items():
        t = Trainer(config.with_values(device="cpu", seed=0))
        t.run(3000)
        figures[label] = evaluate(ck.load(ck.to_bytes(t, optimisers=False)))
    collapsed, fixed = figures["Mode collapse on grid25: G outruns D"], figures["Mode collapse, fixed"]
    assert collapsed["modes_covered"] <= 8 and collapsed["recall"] < 0.4, collapsed
    assert fixed["modes_covered"] >= 20 and fixed["recall"] > 0.7 and fixed["precision"] > 5 * collapsed["precision"], fixed
