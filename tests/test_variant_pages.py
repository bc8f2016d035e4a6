"""The GAN family on the pages, through streamlit's AppTest: the model picker, each variant's charts
and live figures on the Train page, and the pretrained variants on the exploration pages."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, vega_charts
from tests.test_app import button, poll, setting


@pytest.fixture(autouse=True)
def fresh_session(mnist_root, monkeypatch):
    monkeypatch.setenv("GANLAB_DATA", str(mnist_root))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=90).run()


def page(path: str) -> AppTest:
    return app().switch_page(path).run()


def titles(at) -> list[str | None]:
    return [c["title"] for c in vega_charts(at)]


@pytest.mark.parametrize("arch,chart,group", [
    ("acgan", "Auxiliary classifier", "class"),
    ("infogan", "Mutual information", "info"),
    ("ssgan", "Loss terms", "parts"),
])
def test_the_model_picker_explains_a_variant_and_loads_its_defaults(arch, chart, group):
    at = app()
    setting(at, "model", "selectbox").select(arch).run()
    assert not at.exception, at.exception
    assert any(f"{arch} on mnist, with its tuned defaults" in s.value for s in at.success)
    assert setting(at, "model", "selectbox").value == arch  # the run moved to MNIST, the data it is made for
    assert setting(at, "dataset", "selectbox").value == "mnist"
    assert any(latex.value.startswith(r"\m") or "L_" in latex.value for latex in at.latex)
    assert titles(at)[:3] == ["Losses", "Discriminator outputs", "Gradient norms"] and chart in titles(at)
    button(at, "Step x10").click().run()
    assert poll(at, lambda a: any(m.label == "Step" and m.value == "10" for m in a.metric))
    assert not at.exception and not at.error, [e.value for e in at.error]
    charts = {c["title"]: c for c in vega_charts(at)}
    assert len(charts[chart]["data"][f"{group}-rows"]) == 10  # the variant's own metrics, every step


def test_ssgan_shows_its_test_accuracy_beside_the_baseline():
    at = app()
    setting(at, "model", "selectbox").select("ssgan").run()
    button(at, "Step x10").click().run()
    assert poll(at, lambda a: any(m.label == "D's test accuracy" for m in a.metric), timeout=60)
    labels = {m.label: m.value for m in at.metric}
    assert labels["D's test accuracy"].endswith("%") and labels["Labels-only baseline"].endswith("%")


def test_a_variant_setting_out_of_range_is_explained_and_the_run_kept():
    at = app()
    setting(at, "model", "selectbox").select("ssgan").run()
    setting(at, "labels", "number_input").set_value(5)
    button(at, "Apply settings (new run)").click().run()
    assert any("labels must be between 10 and 60000, got 5" in e.value for e in at.error)
    assert setting(at, "model", "selectbox").value == "ssgan" and not at.exception


def test_infogan_on_the_latent_explorer_sweeps_its_codes():
    at = page("pages/latent.py")
    at.selectbox(key="source_latent").select("mnist-infogan").run()
    assert not at.exception, at.exception
    assert "Codes" in [h.value for h in at.subheader]
    before = len(at.get("image"))
    at.selectbox(key="latent_sweep").select(1).run()  # the second continuous code
    assert not at.exception and len(at.get("image")) == before
    at.slider(key="latent_code0").set_value(1.5).run()
    assert not at.exception


@pytest.mark.parametrize("name,handle", [("mnist-acgan", "Class"), ("mnist-infogan", "Categorical code")])
def test_class_control_drives_acgan_and_infogan(name, handle):
    at = page("pages/classes.py")
    at.selectbox(key="source_classes").select(name).run()
    assert not at.exception, at.exception
    assert any(h.value.startswith(handle) for h in at.subheader)
    at.slider(key="classes_alpha").set_value(0.8).run()
    assert not at.exception


def test_translate_page_puts_a_test_outline_through_pix2pix():
    at = page("pages/translate.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="source_translate").value == "mnist-pix2pix"
    assert at.radio(key="translate_how").value == "A test image"  # the first view translates a test outline
    assert len(at.get("image")) == 2
    captions = [img.proto.imgs[0].caption for img in at.get("image")]
    assert captions == ["input: outline", "output: digit"]
    at.number_input(key="translate_index").set_value(7).run()
    assert not at.exception


def test_translate_page_shows_cyclegans_round_trip_and_its_error():
    at = page("pages/translate.py")
    at.selectbox(key="source_translate").select("digits-cyclegan").run()
    at.radio(key="translate_how").set_value("A test image").run()
    assert at.radio(key="translate_direction").value == "b2a"  # it opens on another writer's digit into MNIST
    assert not at.exception, at.exception
    captions = [img.proto.imgs[0].caption for img in at.get("image")]
    assert captions[0] == "input: 8x8 digit" and captions[2] == "back again" and "cycle error" in captions[3]
    at.radio(key="translate_direction").set_value("a2b").run()  # a choice made stays made
    at.number_input(key="translate_index").set_value(3).run()
    assert at.radio(key="translate_direction").value == "a2b"
    assert [img.proto.imgs[0].caption for img in at.get("image")][0] == "input: MNIST digit"


def test_translate_page_refuses_a_bad_upload_with_a_message():
    at = page("pages/translate.py")
    at.radio(key="translate_how").set_value("Upload a picture").run()
    assert not at.exception and "Draw, pick or upload" in at.info[0].value


def test_style_page_mixes_and_truncates():
    at = page("pages/style.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="source_style").value == "mnist-stylegan"
    before = [img.proto.imgs[0].url for img in at.get("image")]
    at.select_slider(key="style_crossover").set_value(2).run()
    at.slider(key="style_psi").set_value(0.5).run()
    assert not at.exception
    next(b for b in at.button if b.label == "Resample noise").click().run()
    assert not at.exception and len(at.get("image")) == len(before) == 3


def test_words_page_draws_a_caption_and_explains_unknown_words():
    at = page("pages/words.py")
    assert not at.exception, at.exception
    assert [h.value for h in at.subheader][:2] == ["Stage I: the sketch (14x14)", "Stage II: the digit (28x28)"]
    at.text_input(key="words_text").input("a purple seven").run()
    assert any("unknown word(s): purple" in e.value and "thin, bold" in e.value for e in at.error)
    at.text_input(key="words_text").input("thin upright two").run()
    assert not at.error and not at.exception
