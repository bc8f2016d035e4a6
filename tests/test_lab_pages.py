"""The lab view's toggles, the step buttons, presets and lecture mode through streamlit's AppTest."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ganlab.classroom.lecture import LECTURE
from ganlab.classroom.lessons import BY_KEY, LESSONS
from tests.conftest import REPO, vega_charts
from tests.test_app import button, metric, poll


@pytest.fixture(autouse=True)
def fresh_session():
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.run()
    if path != "pages/train.py":
        at.switch_page(path).run()
    return at


def lab_traces(at) -> set[str]:
    plane = next(c["parsed"] for c in vega_charts(at) if c["title"] is None)
    return {layer["name"] for layer in plane["layer"] if "name" in layer}


def test_layer_toggles_switch_layers_on_and_off():
    at = page("pages/train.py")
    assert lab_traces(at) == {"D(x)", "D(x) = 0.5", "real", "generated", "-dL_G/dx"}
    pills = at.get("button_group")[0]
    assert pills.label == "Layers"
    pills.set_value(["Generated", "G manifold"]).run()
    assert lab_traces(at) == {"generated", "G manifold"}
    at.get("button_group")[0].set_value([]).run()  # the element of the new run (an element is one run's)
    assert lab_traces(at) == set()
    assert not at.exception


def test_step_buttons_run_single_updates_marked_on_the_charts():
    at = page("pages/train.py")
    button(at, "D only").click().run()
    assert metric(at, "Step") == "1"
    button(at, "G only").click().run()
    button(at, "Step").click().run()
    assert metric(at, "Step") == "3"
    charts = {c["title"]: c["data"] for c in vega_charts(at)}
    marks = charts["Losses"]["loss-events"]["text"].tolist()
    assert "D only" in marks and "G only" in marks, "single-network updates are marked on every chart"
    assert "D only" in charts["Discriminator outputs"]["prob-events"]["text"].tolist()
    assert any(m.label == "Modes covered" for m in at.metric)
    assert not at.exception


def test_slow_motion_speed_names_the_phase():
    at = page("pages/train.py")
    at.select_slider(key="speed").set_value("2 steps/s").run()
    button(at, "Start").click().run()
    assert poll(at, lambda a: any("Slow motion" in i.value for i in a.info), timeout=20)
    button(at, "Pause").click().run()
    assert not at.exception


def test_an_experiment_is_a_lesson_link_that_sets_the_config_and_starts():
    at = page("pages/experiments.py")
    shown = [lesson for lesson in LESSONS if lesson.section in ("experiment", "question")]
    assert len(at.latex) == sum(bool(lesson.formula) for lesson in shown), "each card shows its formula"
    titles = [s.value for s in at.subheader]
    assert BY_KEY["mode-collapse"].title["en"] in titles
    lesson = BY_KEY["mode-collapse"]
    at.query_params.update(lesson.query)  # what the card's link opens
    at.switch_page("pages/train.py").run()
    assert not at.exception
    assert poll(at, lambda a: metric(a, "State") == "running", timeout=20)
    assert next(s for s in at.selectbox if s.label == "Dataset").value == "grid25"
    assert next(n for n in at.number_input if n.label == "Hidden width").value == 64
    button(at, "Pause").click().run()


def test_lecture_page_shows_the_shared_run_read_only():
    at = page("pages/lecture.py")
    assert "Nobody is presenting" in at.info[0].value
    at.switch_page("pages/train.py").run()
    next(t for t in at.text_input if t.label == "Title for the audience").set_value("Week 3").run()
    button(at, "Share this run").click().run()
    assert LECTURE.current() is not None and LECTURE.current().title == "Week 3"
    at.switch_page("pages/lecture.py").run()
    assert at.subheader[0].value == "Week 3"
    assert not any(b.label in ("Start", "Pause", "Reset", "D only") for b in at.button), "watchers get no controls"
    assert metric(at, "Step") == "0"
    at.switch_page("pages/train.py").run()
    button(at, "Stop sharing").click().run()
    assert LECTURE.current() is None
