"""A link for every state worth sharing (ui/links.py, ui/train_link.py): a page opened with query parameters
shows what they name, writes what changes back into the address, names what it cannot take, and reaches no
path or file outside checkpoints/."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


@pytest.fixture(autouse=True)
def fresh_session():
    st.cache_resource.clear()
    yield
    for run in _runs:
        run.stop()
    _runs.clear()
    st.cache_resource.clear()


_runs: list = []


def opened(path: str, **query) -> AppTest:
    """A page opened from a link: the app routes it, with the link's query."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    if path != "pages/train.py":
        at.switch_page(path)
    at.query_params.update({k: str(v) for k, v in query.items()})
    return at.run()


def warnings(at) -> str:
    return " ".join(w.value for w in at.warning)


def sidebar_value(at, label):
    return next(s.value for s in at.sidebar.selectbox if s.label == label)


def test_a_train_link_opens_its_run_and_the_address_keeps_it():
    at = opened("pages/train.py", data="grid25", loss="hinge", d_steps=5, seed=3)
    assert not at.exception, at.exception
    assert sidebar_value(at, "Dataset") == "grid25"
    assert next(s.value for s in at.sidebar.selectbox if s.label == "Loss") == "hinge"
    params = dict(at.query_params)
    assert params["data"] == ["grid25"] or params["data"] == "grid25"
    flat = {k: (v[0] if isinstance(v, list) else v) for k, v in params.items()}
    assert flat["loss"] == "hinge" and flat["d_steps"] == "5" and flat["seed"] == "3"
    assert "lr_d" not in flat  # the link names only what differs from the dataset's defaults


def test_autostart_starts_the_linked_run():
    at = opened("pages/train.py", data="ring8", hidden=32, autostart=1)
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "State") == "running"
    next(b for b in at.button if b.label == "Pause").click().run()


def test_a_bad_link_names_what_it_cannot_take_and_opens_with_defaults():
    at = opened("pages/train.py", data="grid25", lr_d="abc", batch_size=0, data_dir="/etc", nope=1, layers="real,x")
    assert not at.exception
    said = warnings(at)
    for name in ("lr_d=abc", "batch_size=0", "data_dir=/etc", "nope=1", "layers=real,x"):
        assert name in said, said
    assert "not a setting a link can choose" in said  # the data folder: a link reaches no path
    assert sidebar_value(at, "Dataset") == "grid25"  # what it could take, it took


def test_hide_hides_what_it_names_and_lang_picks_korean():
    at = opened("pages/train.py", hide="settings,upload,steps")
    assert not at.exception
    assert not any(h.value == "Run settings" for h in at.sidebar.header)
    assert not any(b.label == "D only" for b in at.button)
    at = opened("pages/train.py", hide="nothing-like-this", lang="ko")
    assert at.title[0].value == "학습"
    assert "hide=nothing-like-this" in warnings(at)


def test_an_exploration_link_picks_its_model_and_values_and_no_file_outside_checkpoints():
    at = opened("pages/latent.py", model="mnist-infogan", seed_a=3, seed_b=7)
    assert not at.exception, at.exception
    assert at.selectbox(key="source_latent").value == "mnist-infogan"
    assert at.number_input(key="latent_a").value == 3 and at.number_input(key="latent_b").value == 7
    at.number_input(key="latent_b").set_value(9).run()  # what a person changes goes back into the address
    assert dict(at.query_params).get("seed_b") in ("9", ["9"])
    at = opened("pages/latent.py", model="../../etc/passwd")
    assert "model=../../etc/passwd" in warnings(at)
    assert at.selectbox(key="source_latent").value == "mnist-dcgan"  # the page's default


def test_style_and_words_links():
    at = opened("pages/style.py", crossover=2)
    assert not at.exception and at.select_slider(key="style_crossover").value == 2
    at = opened("pages/words.py", caption="bold seven")
    assert not at.exception and at.text_input(key="words_text").value == "bold seven"
