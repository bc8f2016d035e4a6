"""The newer pages in a real browser (Debian's Chromium): Translate with a drawing, Style mixing, Words,
Compare with live and stored runs, a class of browsers playing the Quiz, and a zip of images trained on
the Train page (every page in Korean: tests/test_browser_korean.py). Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from harness.app_server import streamlit_server
from harness.browsing import ARTIFACTS, SLUGS, no_exception, open_tab, settled, share_and_start, step_of, until
from tests.conftest import REPO, SHARED_DATA

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """The server's run database and user folders, each new, with two short CLI runs already recorded."""
    root = tmp_path_factory.mktemp("stores")
    env = {"GANLAB_RUNS_DB": str(root / "runs.sqlite"), "GANLAB_USER_DATA": str(root / "user-data"),
           "GANLAB_USER_CHECKPOINTS": str(root / "user-checkpoints"), "GANLAB_DATA": str(SHARED_DATA)}
    for seed in (0, 1):
        subprocess.run([sys.executable, "-m", "ganlab", "train", "--data", "ring8", "--model", "mlp", "--steps", "300",
                        "--seed", str(seed), "--device", "cpu", "--out", str(root / f"cli-{seed}")],
                       cwd=REPO, env={**os.environ, **env}, check=True, capture_output=True, timeout=300)
    return env


@pytest.fixture(scope="module")
def server(stores):
    with streamlit_server("--server.disconnectedSessionTTL", "2", env=stores) as running:
        yield running


def test_translate_a_drawing_through_pix2pix_and_a_round_trip_through_cyclegan(server, browser):
    page = open_tab(browser, server[0] + "/translate", heading="Translate")
    page.get_by_text("output: digit").wait_for(timeout=30000)  # the first view: a test outline translated
    page.get_by_text("Draw it").click()
    page.get_by_text("Draw, pick or upload an input to translate it.").wait_for(timeout=30000)
    canvas = page.locator(".st-key-translate_canvas canvas").last
    canvas.wait_for(timeout=30000)
    box = canvas.bounding_box()
    x0, y0 = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for t in np.linspace(0, 1, 12):  # a seven: along the top, then down to the left
        if t < 0.4:
            page.mouse.move(box["x"] + box["width"] * (0.3 + t), y0, steps=2)
        else:
            page.mouse.move(box["x"] + box["width"] * (0.7 - (t - 0.4) * 0.5), y0 + box["height"] * (t - 0.4) * 1.2,
                            steps=2)
    page.mouse.up()
    page.get_by_text("output: digit").wait_for(timeout=30000)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "translate-drawn.png"), full_page=True)

    page.get_by_role("combobox", name="Model").click()
    page.get_by_role("option", name=re.compile("digits-cyclegan")).click()
    page.get_by_text("A test image").click()
    page.get_by_text(re.compile("cycle error")).first.wait_for(timeout=30000)
    assert page.get_by_text("back again").count() >= 1
    assert page.get_by_text("input: 8x8 digit").count() >= 1  # it opens on the direction into MNIST
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "translate-cyclegan.png"), full_page=True)


@pytest.mark.parametrize("title,heading,wait_for", [
    ("Style mixing", "Style mixing", "Sources A (top row) and B (left column)"),
    ("Words", "Words to a digit", "Stage II: the digit (28x28)"),
])
def test_the_style_and_words_pages_draw_from_their_pretrained_models(server, browser, title, heading, wait_for):
    page = open_tab(browser, server[0] + "/" + SLUGS[title], heading=heading)
    page.get_by_role("heading", name=wait_for).wait_for(timeout=60000)
    page.locator('[data-testid="stImage"] img').first.wait_for(timeout=30000)
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / f"{SLUGS[title]}.png"), full_page=True)


def test_compare_two_live_runs_with_two_from_the_database(server, browser):
    page = open_tab(browser, server[0] + "/compare", heading="Compare runs")
    settled(page)  # the columns of lessons laid out, so the click lands on the link it means
    page.locator('a[href*="lesson=pair-minimax-vs-ns"]').click()  # the side-by-side lesson: minimax against ns
    page.get_by_text(re.compile("started side by side")).wait_for(timeout=60000)
    box = page.get_by_role("combobox", name=re.compile("Runs \\(two to six\\)"))
    for run_id in ("#1 ", "#2 "):
        box.click()
        page.get_by_role("option", name=re.compile("^" + run_id)).click()
        page.keyboard.press("Escape")
        settled(page)
    chosen = page.locator('[data-testid="stMultiSelect"]').inner_text()
    for label in ("side by side: Minimax", "side by side: Non-saturating", "#1 GAN", "#2 GAN"):
        assert label in chosen, chosen
    page.wait_for_selector(".vega-embed >> nth=1", timeout=60000)
    page.get_by_text(re.compile("setting\\(s\\) that differ")).wait_for(timeout=60000)
    table = page.locator('[data-testid="stDataFrame"]').first  # the final figures: each run's steps so far
    before = table.text_content()  # the grid draws on a canvas; its text is in an accessible table
    assert until(lambda: table.text_content() != before, 60), "the live runs advance on the page"
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "compare.png"), full_page=True)


def test_a_class_of_browsers_plays_the_quiz_on_the_shared_run(server, browser):
    presenter = open_tab(browser, server[0], heading="Train", start=True)
    share_and_start(presenter, "Quiz time")
    assert until(lambda: step_of(presenter) > 50, 60)  # a few samples worth judging
    presenter.get_by_role("button", name="Pause").click()
    students = [open_tab(browser, server[0] + "/quiz", heading="Be the discriminator") for _i in range(2)]
    presenter.get_by_role("link", name="Quiz").click()
    presenter.get_by_role("button", name="Start a round for the class on the shared run").click()
    for s, student in enumerate(students):
        student.get_by_role("heading", name=re.compile("The class's round 1")).wait_for(timeout=30000)
        for i in range(10):  # student 0 calls everything real; student 1 alternates
            choice = "Real" if s == 0 or i % 2 else "Fake"
            control = student.locator(f".st-key-quiz_class1_answer{i}")
            control.get_by_text(choice, exact=True).click()
            control.locator('[role="radiogroup"][aria-disabled="true"]').wait_for(timeout=30000)  # counted, and locked
        student.get_by_text("All answered.", exact=False).wait_for(timeout=30000)
    students[1].screenshot(path=str(ARTIFACTS / "quiz-student.png"), full_page=True)
    presenter.get_by_text(re.compile("Round 1: 2 of 2 watchers answering, 2 finished")).wait_for(timeout=30000)
    no_exception(presenter)
    presenter.screenshot(path=str(ARTIFACTS / "quiz-presenter.png"), full_page=True)
    presenter.get_by_role("button", name="End the round").click()
    presenter.get_by_role("link", name="Train").click()
    presenter.get_by_role("button", name="Stop sharing").click()


def _image_zip() -> bytes:
    """Three classes of real MNIST training digits as PNGs, one folder per class."""
    from ganlab.data.datasets import load_images

    data = load_images("mnist", SHARED_DATA, download=False)  # images in [-1, 1]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for digit in (0, 1, 7):
            idx = (data.labels == digit).nonzero().flatten()[:40]
            for k in idx.tolist():
                png = io.BytesIO()
                pixels = ((data.images[k, 0] + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
                Image.fromarray(pixels).save(png, format="PNG")
                z.writestr(f"digits/{digit}/{k}.png", png.getvalue())
    return buf.getvalue()


def test_a_zip_of_images_uploaded_in_the_browser_trains_on_the_train_page(server, browser, tmp_path):
    archive = tmp_path / "three_digits.zip"
    archive.write_bytes(_image_zip())
    page = open_tab(browser, server[0], heading="Train", start=True)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Your own data").click()
    sidebar.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(archive))
    sidebar.get_by_role("button", name="Import").click()
    page.get_by_text(re.compile("New run ready: .* on user:three_digits")).wait_for(timeout=60000)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=30000)
    assert until(lambda: step_of(page) >= 20, 60), "the run on the uploaded images trains"
    page.get_by_role("button", name="Pause").click()
    no_exception(page)
    page.screenshot(path=str(ARTIFACTS / "train-user-zip.png"), full_page=True)
