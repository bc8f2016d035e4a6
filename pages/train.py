"""Train page: settings, Start/Pause, single D/G steps, speed, live charts, the lab view, samples."""

from __future__ import annotations

import streamlit as st

from ganlab.config import ConfigError
from ganlab.data.datasets import DatasetUnavailable
from ganlab.training.capacity import Busy
from ui import controls, data_upload, lecture_panel, live, routes, session, train_panels

routes.through_app()

run = session.run()
config = run.trainer.config

# -- sidebar: what to train ----------------------------------------------------
with st.sidebar:
    st.header("Run settings")
    new_data = controls.dataset_picker(config) or data_upload.panel(config.data.data_dir)
    new_model = controls.model_picker(config)
    new_config = controls.config_form(config)
    if new_data:
        new_config = controls.defaults_for(new_data, config)
    elif new_model:
        new_config = controls.defaults_for(None, config, model=new_model)
    if new_config is not None:
        try:
            session.new_run(new_config)
            session.forget_form()
            session.flash("success", f"New run ready: {new_config.model.arch} on {new_config.data.name}, with its "
                                     "tuned defaults. Press Start.")
        except (ConfigError, DatasetUnavailable) as err:
            session.flash("error", f"Could not start that run: {err}")
            session.forget_form()
        st.rerun()

st.title("Train")
session.show_flash()

# -- controls -----------------------------------------------------------------
status = run.status()
running = status.state == "running"
idle = running or bool(run.trainer.diverged)  # single steps only while paused
c1, c2, c3, c4, c5, c6 = st.columns(6)
# A key keeps it one element as its label changes: without one, Streamlit drew the new Pause under the
# old Start until the run finished, and the page below jumped up 56 px, under a click in progress.
if c1.button("Pause" if running else ("Resume" if status.step else "Start"), type="primary", width="stretch",
             disabled=bool(run.trainer.diverged), key=session.Keys.RUN_BUTTON):
    if running:
        run.pause()
        st.rerun()
    try:
        run.start()
        st.rerun()
    except Busy as err:
        st.warning(str(err))
STEP_BUTTONS = (
    (c2, "Step", 1, "both", "one full step: the D update(s), then the G update; then stay paused"),
    (c3, "D only", 1, "d", "one discriminator update; G stays as it is (marked on the charts)"),
    (c4, "G only", 1, "g", "one generator update against the current D (marked on the charts)"),
    (c5, "Step x10", 10, "both", "ten full steps"),
)
for col, label, n, phase, help_text in STEP_BUTTONS:
    if col.button(label, width="stretch", disabled=idle, help=help_text):
        run.step(n, phase)
        run.wait_steps()  # show the step's result, not the state before it
        st.rerun()
if c6.button("Reset", width="stretch", help="a fresh run with the same settings"):
    run.reset()
    st.rerun()

s1, s2 = st.columns([2, 3])
if session.Keys.SPEED not in st.session_state:
    st.session_state[session.Keys.SPEED] = session.speed_label(status.speed)
speed = s1.select_slider("Speed", list(session.SPEEDS), key=session.Keys.SPEED,
                         help="5 steps/s or slower is slow motion: D and G updates run one at a time and are named")
run.set_speed(session.SPEEDS[speed])
with s2.expander("Change mid-run (takes effect at the next step, marked on the charts)"):
    live_knobs = controls.live_knobs(run.trainer.config)
    if live_knobs is not None:
        try:
            run.set_hparams(**live_knobs)
            st.success("Applied at the next step.")
        except ConfigError as err:
            st.error(f"Not applied: {err}")

layers = live.layer_picker() if len(run.trainer.args.data_shape) == 1 else []
with st.sidebar:
    lecture_panel.presenter_controls(run)


# -- live view ----------------------------------------------------------------
live.fragments(run, layers, running)

# -- timeline and checkpoints (slower refreshes of their own) --------------------------------
train_panels.timeline_panel(run, running)
train_panels.checkpoint_panel(run, running)
