"""The shipped judge and pretrained models meet the bar, and `python -m ganlab eval` reproduces the published figures."""

import json
import subprocess
import sys

import pytest

from ganlab.data.datasets import load_images
from ganlab.evaluation.classifier import CHECKPOINT_DIR, accuracy, classifier_path, frechet_distance, load_classifier
from tests.conftest import REPO

PUBLISHED = CHECKPOINT_DIR / "eval"


def test_shipped_classifier_is_accurate(mnist_root):
    model, stated = load_classifier(classifier_path("mnist"), data="mnist")
    measured = accuracy(model, load_images("mnist", mnist_root, train=False, download=False))
    assert measured >= 0.985 and measured == pytest.approx(stated, abs=1e-4)


def test_frechet_distance_by_hand():
    import numpy as np

    rng = np.random.default_rng(0)
    a = rng.normal(size=(20000, 3))
    b = rng.normal(size=(20000, 3)) * 2 + 1  # N(1, 4I): mean term 3, trace term 3 * (1 + 4 - 2 * 2) = 3
    assert frechet_distance(a, a) == pytest.approx(0, abs=1e-8)
    assert frechet_distance(a, b) == pytest.approx(6.0, rel=0.05)


def same_figures(got, want, path="") -> None:
    """``got`` has every figure of ``want``: numbers within 1% (another CPU's kernels may round differently),
    the rest equal; class histograms are left out (a count may move by one with a rounding)."""
    if isinstance(want, dict):
        for key, value in want.items():
            if key not in ("class_histogram", "matching"):
                assert key in got, path + key
                same_figures(got[key], value, f"{path}{key}.")
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=0.01, abs=0.002), path
    elif isinstance(want, list) and want and isinstance(want[0], float):
        assert got == pytest.approx(want, rel=0.01, abs=0.002), path
    else:
        assert got == want, path


def eval_figures(name: str, data_dir, capsys) -> dict:
    """`python -m ganlab eval` of a shipped checkpoint, run in this process (the CLI's own entry point)."""
    from ganlab.cli import main

    capsys.readouterr()
    code = main(["eval", str(CHECKPOINT_DIR / f"{name}.pt"), "--data-dir", str(data_dir)])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


@pytest.mark.slow
def test_the_eval_command_prints_the_same_figures_in_a_process_of_its_own(mnist_root, capsys):
    proc = subprocess.run([sys.executable, "-m", "ganlab", "eval", str(CHECKPOINT_DIR / "ring8-mlp.pt"),
                           "--data-dir", str(mnist_root)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == eval_figures("ring8-mlp", mnist_root, capsys)


@pytest.mark.parametrize("name", ["mnist-cdcgan", "mnist-dcgan", "ring8-mlp", "grid25-mlp", "mnist-acgan", "mnist-infogan",
                                  "mnist-ssgan", "mnist-pix2pix", "digits-cyclegan", "mnist-stylegan", "mnist-stackgan",
                                  "mnist-dcgan-nearest"])
@pytest.mark.slow
def test_eval_reproduces_the_published_figures(name, mnist_root, capsys):
    got = eval_figures(name, mnist_root, capsys)
    want = json.loads((PUBLISHED / f"{name}.json").read_text())
    same_figures(got, want)
    for holds in MEETS.get(name, ()):
        assert holds(got), (name, holds.__doc__)


@pytest.mark.parametrize("name", ["fashion-cdcgan", "fashion-discogan"])
@pytest.mark.slow
def test_eval_reproduces_the_published_fashion_figures(name, fashion_data, capsys):
    got = eval_figures(name, fashion_data, capsys)
    same_figures(got, json.loads((PUBLISHED / f"{name}.json").read_text()))
    for holds in MEETS.get(name, ()):
        assert holds(got), (name, holds.__doc__)


def test_the_fashion_judge_is_as_accurate_as_it_says(fashion_data):
    """The project's own Fashion-MNIST LeNet: about 88% on the 10,000 test images, as a shirt is often read as a
    T-shirt or a pullover (issue #40's held-out judge)."""
    model, stated = load_classifier(classifier_path("fashion-mnist"), data="fashion-mnist")
    measured = accuracy(model, load_images("fashion-mnist", fashion_data, train=False, download=False))
    assert measured >= 0.88 and measured == pytest.approx(stated, abs=1e-4)


def _frechet_within(times: float):
    def holds(f):
        return f["frechet_distance"] <= times * f["frechet_floor_train_vs_test"]
    holds.__doc__ = f"Fréchet distance within {times:g}x the real-data floor"
    return holds


def _every_digit_between(low: float, high: float):
    def holds(f):
        n = sum(f["class_histogram"])
        return all(low <= c / n <= high for c in f["class_histogram"])
    holds.__doc__ = f"every digit between {low:.0%} and {high:.0%} of the samples"
    return holds


# The targets each shipped model meets (issue #29's, and earlier ones); eval's figures must keep meeting them.
MEETS = {
    "mnist-cdcgan": [lambda f: f["label_agreement"] >= 0.99, _frechet_within(3)],
    "ring8-mlp": [lambda f: f["modes_covered"] == 8 and f["high_quality"] >= 0.97],
    "grid25-mlp": [lambda f: f["modes_covered"] == 25 and f["high_quality"] >= 0.95],
    "mnist-dcgan": [_frechet_within(3), _every_digit_between(0.07, 0.13)],
    "mnist-infogan": [lambda f: f["matched_accuracy"] >= 0.90, _frechet_within(3)],
    "mnist-stylegan": [_frechet_within(5), lambda f: f["crossover 1: label of A"] >= 0.80],
    "mnist-acgan": [lambda f: f["label_agreement"] >= 0.99, _frechet_within(3)],
    "mnist-stackgan": [lambda f: f["caption_digit_agreement"] >= 0.90, lambda f: f["bold_over_thin_ink"] >= 1.3],
    # issue #40: each direction read as the target kind, and no collapse onto one design
    "fashion-discogan": [lambda f: min(f["a2b"]["target_rate"], f["b2a"]["target_rate"]) >= 0.90,
                         lambda f: min(f["a2b"]["variety_ratio"], f["b2a"]["variety_ratio"]) >= 0.5],
    # issue #40's label target: at least the judge's own accuracy on real test images (the 3x Fréchet target is
    # not met yet: docs/variants.md)
    "fashion-cdcgan": [lambda f: f["label_agreement"] >= f["classifier_test_accuracy"]],
    # the counterpoint to mnist-dcgan for the detectors (docs/detection.md): shorter trained (5,350 steps), 7.1x
    "mnist-dcgan-nearest": [_frechet_within(8)],
    "digits-cyclegan": [lambda f: f["b2a"]["label_rate"] >= 0.85,
                        lambda f: f["b2a"]["frechet_distance"] <= 25 * f["frechet_floor_train_vs_test"]],
}
