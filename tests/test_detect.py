"""DeepFake detection (ganlab.detect, `python -m ganlab detect`, the Detect page and the Quiz's column): on real
MNIST digits and the shipped generators' samples."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from ganlab.detect.detectors import RINGS, accuracy, auc, fit, load_detector, save_detector, score
from ganlab.detect.sets import FIT_SEED, HELD_OUT_SEED, generated_images, real_images
from ganlab.detect.spectrum import radial_spectrum
from ganlab.errors import CheckpointError
from ganlab.persist.checkpoint import MAX_BYTES, load
from tests.conftest import REPO

CKPT = REPO / "checkpoints"


def test_a_checkerboard_puts_its_power_on_the_outermost_ring():
    flat = -np.ones((1, 1, 28, 28))
    board = flat.copy()
    board[0, 0, ::2, ::2] = -0.99  # a faint stride-2 pattern on a black background, as a transposed conv leaves
    s_flat, s_board = radial_spectrum(flat)[0], radial_spectrum(board)[0]
    assert len(s_board) == RINGS == 21
    lift = s_board - s_flat
    assert lift[-1] > 5 and lift[-1] == lift.max()  # the corners: (14, 14), the highest frequency of 28 pixels


def test_auc_counts_ranks_and_accuracy_the_threshold():
    class Constant(torch.nn.Module):
        kind = "spectrum"

        def inputs(self, images):
            return torch.as_tensor(np.asarray(images, dtype=np.float32).reshape(len(images), -1)[:, :1])

        def forward(self, x):
            return x[:, 0] * 10 - 5  # scores by the first pixel: p = sigmoid(10 v - 5)

    d = Constant()
    real, fake = np.zeros((4, 1, 28, 28)), np.full((4, 1, 28, 28), 0.4)
    assert auc(d, real, fake) == 1.0 and accuracy(d, real, fake) == 0.5  # ranked right, but all under 0.5
    assert auc(d, fake, real) == 0.0


@pytest.fixture(scope="module")
def dcgan_sets(mnist_root):
    ckpt = load(CKPT / "mnist-dcgan.pt")
    return (real_images(mnist_root, 3000, train=True), generated_images(ckpt, 3000, seed=FIT_SEED),
            real_images(mnist_root, 1000, train=False), generated_images(ckpt, 1000, seed=HELD_OUT_SEED))


def test_the_spectrum_detector_tells_dcgan_digits_on_images_it_never_saw(dcgan_sets, tmp_path):
    real, fake, real_held, fake_held = dcgan_sets
    curve = []
    detector = fit("spectrum", real, fake, held_out=(real_held, fake_held), progress=lambda n, l, a: curve.append(a))
    assert len(curve) >= 10 and curve[-1] > curve[0] - 0.05
    assert accuracy(detector, real_held, fake_held) > 0.9 and auc(detector, real_held, fake_held) > 0.95
    path = save_detector(detector, tmp_path / "d.pt", trained_on=["mnist-dcgan"], held_out_accuracy=curve[-1])
    again, about = load_detector(path)
    assert about["kind"] == "spectrum" and about["trained_on"] == ["mnist-dcgan"]
    assert np.array_equal(score(again, fake_held), score(detector, fake_held))


def test_a_detector_file_is_untrusted_input(tmp_path):
    not_one = tmp_path / "x.pt"
    torch.save({"format": "something else"}, not_one)
    with pytest.raises(CheckpointError, match="not a ganlab detector"):
        load_detector(not_one)
    wrong = tmp_path / "wrong.pt"
    torch.save({"format": "ganlab-detector", "kind": "cnn", "state": {"linear.weight": torch.zeros(1, 21)}}, wrong)
    with pytest.raises(CheckpointError, match="not a ganlab detector"):
        load_detector(wrong)
    huge = tmp_path / "huge.pt"
    with huge.open("wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: the size is checked before anything is read
    with pytest.raises(CheckpointError, match="at most"):
        load_detector(huge)


def test_the_shipped_detector_loads_and_scores_in_the_unit_interval(dcgan_sets):
    detector, about = load_detector(CKPT / "detectors" / "mnist-dcgan-spectrum.pt")
    assert about["trained_on"] == ["mnist-dcgan"] and about["held_out_accuracy"] >= 0.95
    _, _, real_held, fake_held = dcgan_sets
    p = score(detector, np.concatenate([real_held, fake_held]))
    assert p.shape == (2000,) and p.min() >= 0 and p.max() <= 1
    assert accuracy(detector, real_held, fake_held) >= 0.95


def test_nearest_upsampling_replaces_the_last_transposed_convolution():
    from ganlab.config import ConfigError, default_config
    from ganlab.variants.build import build_models, model_args

    config = default_config("mnist", model="dcgan", hidden=8, upsample="nearest")
    gen, _ = build_models(model_args(config, (1, 28, 28), 10))
    last = gen.up[3]
    assert isinstance(last[0], torch.nn.Upsample) and last[0].mode == "nearest"
    assert not any(isinstance(m, torch.nn.ConvTranspose2d) for m in last.modules())
    assert gen(torch.randn(2, 100)).shape == (2, 1, 28, 28)
    with pytest.raises(ConfigError, match="upsample nearest"):
        default_config("ring8", upsample="nearest")
    assert dict(model_args(default_config("mnist", model="dcgan"), (1, 28, 28), 10).options).get("upsample") is None


@pytest.mark.slow
def test_the_detect_commands_meet_the_target_on_a_held_out_set(mnist_root, tmp_path, capsys):
    """Issue #41's target: the default detector fitted on mnist-dcgan is right at least 95% of the time on MNIST
    test digits against DCGAN samples of a seed it never saw; score writes (N,) probabilities."""
    from ganlab.cli import main

    out = tmp_path / "det.pt"
    assert main(["detect", "fit", "--generator", str(CKPT / "mnist-dcgan.pt"), "--data-dir", str(mnist_root),
                 "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["held_out"]["accuracy"] >= 0.95 and report["held_out"]["images"] == [2000, 2000]
    x = generated_images(load(CKPT / "mnist-dcgan.pt"), 300, seed=7)
    np.save(tmp_path / "x.npy", x)
    assert main(["detect", "score", str(out), "--images", str(tmp_path / "x.npy"), "--out", str(tmp_path / "p.npy")]) == 0
    p = np.load(tmp_path / "p.npy")
    assert p.shape == (300,) and p.dtype == np.float32 and 0 <= p.min() and p.max() <= 1 and (p >= 0.5).mean() > 0.9
    assert main(["detect", "fit", "--generator", str(CKPT / "ring8-mlp.pt"), "--out", str(out)]) == 2
    assert "tell MNIST digits" in capsys.readouterr().err


@pytest.mark.slow
def test_the_detect_page_fits_live_and_the_quiz_shows_its_call(mnist_root):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_resource.clear()
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=300).run().switch_page("pages/detect.py").run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header][:3] == ["1. Fingerprints", "2. A detector, fitted live",
                                                "3. Trained on one, tested on another"]
    assert len(at.get("plotly_chart")) >= 3  # the spectra, the real digits' 2-D spectrum and the difference
    at.button(key="detect_fit").click().run()
    end = time.time() + 240
    while time.time() < end and not at.metric:
        time.sleep(1)
        at.run()
    assert not at.exception, at.exception
    held_out = next(m.value for m in at.metric if m.label == "Held-out accuracy")
    assert float(held_out.rstrip("%")) > 90
    table = at.get("dataframe")[0].value
    assert "mnist-dcgan" in set(table["tested on"])
    at.switch_page("pages/quiz.py").run()
    for i in range(10):
        at.segmented_control(key=f"quiz_own_answer{i}").set_value("Real").run()
    assert not at.exception, at.exception
    shown = at.get("dataframe")[-1].value
    assert {"detector says", "P(generated)"} <= set(shown.columns)
    assert any(m.label == "The detector's accuracy" for m in at.metric)
