"""The app through streamlit's AppTest: real scripts, real trainer threads, no browser."""

import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, vega_charts


@pytest.fixture(autouse=True)
def fresh_session():
    """AppTest reuses one session id, so session-scoped resources must be released between tests."""
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def app() -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def setting(at, name, kind="text_input"):
    """The settings widget for ``name`` in the current form generation."""
    gen = at.session_state["form_generation"] if "form_generation" in at.session_state else 0
    prefix = "live" if name.startswith("live:") else "cfg"
    return getattr(at, kind)(key=f"{prefix}{gen}_{name.removeprefix('live:')}")


def poll(at, predicate, timeout=30.0):
    end = time.time() + timeout
    while time.time() < end:
        at.run()
        if predicate(at):
            return True
        time.sleep(0.3)
    return False


def settled_step(at, timeout: float = 10.0) -> int:
    """A paused run's step once it stops moving (the same in two reruns 0.5 s apart)."""
    last, end = None, time.time() + timeout
    while time.time() < end:
        at.run()
        step = int(metric(at, "Step").replace(",", ""))
        if step == last:
            return step
        last = step
        time.sleep(0.5)
    raise AssertionError(f"the paused run was still moving after {timeout} s")


def test_app_opens_on_a_2d_mixture_ready_to_train():
    at = app()
    assert not at.exception
    assert at.title[0].value == "Train"
    assert metric(at, "Step") == "0" and metric(at, "State") == "ready"
    assert setting(at, "dataset", "selectbox").value == "ring8"
    assert not at.get("plotly_chart")  # the Train page loads no Plotly: a faster first load
    assert [c["title"] for c in vega_charts(at)] == ["Losses", "Discriminator outputs", "Gradient norms", None]


def test_charts_keep_their_spec_and_get_new_data():
    """The browser redraws a chart in place only if its spec (all but the datasets) is unchanged:
    after 11 steps and a mid-run change, only the datasets differ (the lab view's too)."""
    at = app()
    before = {c["title"]: c for c in vega_charts(at) if c["title"]}
    assert all(len(df) == 0 for c in before.values() for df in c["data"].values())
    button(at, "Step x10").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "10")
    setting(at, "live:lr_d").input("1e-3")
    button(at, "Apply now").click().run()
    button(at, "Step").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "11")
    after = {c["title"]: c for c in vega_charts(at)}
    for title, chart in before.items():
        assert after[title]["spec"] == chart["spec"], f"{title}: the spec changed, the browser would rebuild it"
    button(at, "Step x10").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "21")
    later = {c["title"]: c for c in vega_charts(at)}
    assert len(later) == 6, "the time charts, the lab view, and the two quality charts once there is quality"
    assert all(later[title]["spec"] == chart["spec"] for title, chart in after.items())
    losses = after["Losses"]["data"]
    assert losses["loss-rows"]["step"].tolist() == list(range(1, 12))
    assert losses["loss-events"]["text"].tolist() == ["lr_d 0.002 -> 0.001"]
    assert losses["loss-events"]["step"].tolist() == [11]  # the first step that used the new rate


def test_steps_shown_follows_the_newest_steps():
    """'last 200 steps' draws only the newest 200 steps, each one, and keeps following the run; its
    spec stays the same from redraw to redraw, so the browser redraws in place. Past 1,000 steps: the whole
    run is thinned to 500 rows for its charts, and the span must be taken before that (issue #42)."""
    at = app()
    button(at, "Start").click().run()
    assert poll(at, lambda a: int(metric(a, "Step").replace(",", "")) > 1100, timeout=120)
    button(at, "Pause").click().run()
    total = settled_step(at)  # the block running at the pause has ended
    whole = {c["title"]: c for c in vega_charts(at) if c["title"]}
    rows = whole["Losses"]["data"]["loss-rows"]["step"]
    assert rows.min() < 3 and len(rows) <= 500  # the whole run, from its first steps, folded for the chart
    # each time chart's zoom is declared a selection, else Streamlit resets it at every data change
    assert [whole[t]["selections"] for t in ("Losses", "Discriminator outputs", "Gradient norms")] == \
        [["loss_zoom_run1"], ["prob_zoom_run1"], ["grad_zoom_run1"]]
    at.segmented_control(key="steps_shown").set_value("last 200 steps").run()
    near = {c["title"]: c for c in vega_charts(at) if c["title"]}
    steps = near["Losses"]["data"]["loss-rows"]["step"].tolist()
    assert steps == list(range(total - 199, total + 1))
    assert near["Discriminator outputs"]["data"]["prob-rows"]["step"].min() == total - 199
    assert near["Losses"]["selections"] == ["loss_zoom_run1_last200"]
    for title, chart in whole.items():  # the same chart, with a fresh zoom: only the zoom's name differs
        assert near[title]["spec"].replace("_zoom_run1_last200", "_zoom_run1") == chart["spec"], title
    button(at, "Step").click().run()
    assert poll(at, lambda a: int(metric(a, "Step").replace(",", "")) == total + 1)
    later = {c["title"]: c for c in vega_charts(at) if c["title"]}
    assert later["Losses"]["data"]["loss-rows"]["step"].tolist() == list(range(total - 198, total + 2))
    for title, chart in near.items():
        assert later[title]["spec"] == chart["spec"], f"{title}: the spec changed, the browser would rebuild it"
    button(at, "Reset").click().run()  # a fresh run: its charts start with a fresh zoom
    assert {c["title"]: c for c in vega_charts(at)}["Losses"]["selections"] == ["loss_zoom_run2_last200"]


def test_start_trains_live_and_pause_stops():
    at = app()
    button(at, "Start").click().run()
    assert metric(at, "State") == "running"
    assert poll(at, lambda a: int(metric(a, "Step").replace(",", "")) > 50)
    assert float(metric(at, "Steps/s").replace(",", "")) > 0
    button(at, "Pause").click().run()
    assert metric(at, "State") == "paused"
    assert button(at, "Resume")


def test_step_button_takes_exactly_one_step():
    at = app()
    button(at, "Step").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "1")
    button(at, "Step x10").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "11")
    time.sleep(0.3)
    at.run()
    assert metric(at, "Step") == "11" and metric(at, "State") == "paused"


def test_bad_setting_gets_a_message_and_changes_nothing():
    at = app()
    setting(at, "lr_d").input("fast")
    button(at, "Apply settings (new run)").click().run()
    assert any("is not a number" in e.value for e in at.error)
    setting(at, "lr_d").input("-1")
    button(at, "Apply settings (new run)").click().run()
    assert any("lr_d must be greater than 0" in e.value for e in at.error)
    assert not at.exception


def test_new_settings_and_mid_run_change():
    at = app()
    setting(at, "dataset", "selectbox").select("grid25").run()
    assert any("grid25" in s.value for s in at.success)
    setting(at, "model", "selectbox").select("cgan").run()  # the model picker starts a run at once
    assert any("cgan on grid25" in s.value for s in at.success)
    setting(at, "lr_g").input("1e-3")
    button(at, "Apply settings (new run)").click().run()
    assert setting(at, "lr_g").value == "0.001"
    button(at, "Step x10").click().run()
    setting(at, "live:lr_d").input("3e-4")
    button(at, "Apply now").click().run()
    assert any("next step" in s.value for s in at.success)
    button(at, "Step").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "11")
    assert not at.exception


def test_precision_bf16_through_the_form_and_the_engine_note():
    at = app()
    assert any(c.value == "Eager steps: CUDA graphs need a CUDA GPU; this run is on cpu." for c in at.caption)
    setting(at, "precision", "selectbox").select("bf16")
    button(at, "Apply settings (new run)").click().run()
    assert setting(at, "precision", "selectbox").value == "bf16"
    button(at, "Step x10").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "10")
    assert not at.exception and not at.error


def test_mnist_shows_an_image_grid(mnist_root, monkeypatch):
    monkeypatch.setenv("GANLAB_DATA", str(mnist_root))
    at = app()
    setting(at, "dataset", "selectbox").select("mnist").run()
    assert not at.error, [e.value for e in at.error]
    button(at, "Step").click().run()
    assert poll(at, lambda a: metric(a, "Step") == "1")
    assert len(at.get("image")) == 1


def test_missing_dataset_is_explained(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLAB_DATA", str(tmp_path))
    monkeypatch.setenv("GANLAB_SYSTEM_DATA", str(tmp_path / "no-packages"))
    at = app()
    setting(at, "dataset", "selectbox").select("fashion-mnist").run()
    assert any("Could not start that run" in e.value and "FashionMNIST" in e.value
               and "dataset-fashion-mnist" in e.value for e in at.error)
    assert metric(at, "Step") == "0" and not at.exception


def test_save_now_and_timeline_gif():
    from ganlab.persist.checkpoint_dir import CheckpointDir

    at = app()
    button(at, "Start").click().run()
    assert poll(at, lambda a: int(metric(a, "Step").replace(",", "")) > 150)
    button(at, "Pause").click().run()
    setting(at, "ckpt").input("apptest-save")
    button(at, "Save now").click().run()
    try:
        saved = [s.value for s in at.success if "Saved user/apptest-save at step" in s.value]
        assert saved, [s.value for s in at.success]
        step = int(saved[0].split("at step ")[1].split(" ")[0].replace(",", ""))
        assert step > 150 and CheckpointDir().load("user/apptest-save").step == step
    finally:
        CheckpointDir().user_path("apptest-save").unlink(missing_ok=True)
    assert not any(s.key.endswith("_timeline") for s in at.select_slider)  # drawn only when opened
    at.session_state["timeline_open"] = True  # what a click on the panel's header does
    at.run()
    scrub = setting(at, "timeline", "select_slider")
    assert len(scrub.options) >= 2 and str(scrub.value) == scrub.options[-1]  # it opens on the newest snapshot
    scrub.set_value(scrub.options[0]).run()
    assert not at.exception
    button(at, "Make a GIF of the timeline").click().run()
    assert any(b.proto.label == "Download timeline.gif" for b in at.get("download_button"))


def test_busy_server_says_so(monkeypatch):
    from ganlab.config import default_config
    from ganlab.training.background import BackgroundTrainer

    monkeypatch.setenv("GANLAB_MAX_TRAINERS", "1")
    other = BackgroundTrainer(default_config("ring8", hidden=16))
    other.start()  # another session holds the only training slot
    try:
        at = app()
        button(at, "Start").click().run()
        assert any("server is busy" in w.value for w in at.warning)
        assert metric(at, "State") == "ready" and not at.exception
    finally:
        other.stop()
