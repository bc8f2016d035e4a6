"""Train page: settings, Start/Pause/Step/Reset, live loss and D(x)/D(G(z)) charts, samples."""

from __future__ import annotations

import streamlit as st

from ganlab.capacity import Busy
from ganlab.config import ConfigError
from ganlab.datasets import DatasetUnavailable
from ganlab.plots import image_grid, loss_figure, prob_figure, scatter_figure

from pages import controls, session, train_panels

REFRESH_SECONDS = 0.5

run = session.run()
config = run.trainer.config

# -- sidebar: what to train ----------------------------------------------------
with st.sidebar:
    st.header("Run settings")
    new_data = controls.dataset_picker(config)
    new_config = controls.config_form(config)
    if new_data:
        new_config = controls.defaults_for(new_data, config)
    if new_config is not None:
        try:
            session.new_run(new_config)
            session.forget_form()
            session.flash("success", f"New run ready: {new_config.model.arch} on {new_config.data.name}. Press Start.")
        except (ConfigError, DatasetUnavailable) as err:
            session.flash("error", f"Could not start that run: {err}")
            session.forget_form()
        st.rerun()

st.title("Train")
session.show_flash()

# -- controls -----------------------------------------------------------------
status = run.status()
running = status.state == "running"
c1, c2, c3, c4 = st.columns(4)
if c1.button("Pause" if running else ("Resume" if status.step else "Start"), type="primary", width="stretch",
             disabled=bool(run.trainer.diverged)):
    if running:
        run.pause()
        st.rerun()
    try:
        run.start()
        st.rerun()
    except Busy as err:
        st.warning(str(err))
if c2.button("Step", width="stretch", disabled=running or bool(run.trainer.diverged),
             help="one generator step (with its discriminator steps), then stay paused"):
    run.step(1)
    run.wait_steps()  # show the step's result, not the state before it
    st.rerun()
if c3.button("Step x10", width="stretch", disabled=running or bool(run.trainer.diverged)):
    run.step(10)
    run.wait_steps()
    st.rerun()
if c4.button("Reset", width="stretch", help="a fresh run with the same settings"):
    run.reset()
    st.rerun()

with st.expander("Change mid-run (takes effect at the next step, marked on the charts)"):
    live = controls.live_knobs(run.trainer.config)
    if live is not None:
        try:
            run.set_hparams(**live)
            st.success("Applied at the next step.")
        except ConfigError as err:
            st.error(f"Not applied: {err}")


# -- live view ----------------------------------------------------------------
@st.fragment(run_every=REFRESH_SECONDS if running else None)
def live_view() -> None:
    s = run.status()
    t = run.trainer
    if s.message:
        st.error(s.message)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Step", f"{s.step:,}")
    m2.metric("State", s.state)
    m3.metric("Steps/s", f"{s.steps_per_second:,.0f}" if s.state == "running" else "-")
    m4.metric("Device", s.device)
    snap = t.store.snapshot()
    if snap.total == 0:
        st.info(f"{t.config.model.arch} on {t.config.data.name}, {t.config.optim.loss} loss. Press Start to train, "
                f"or Step to take one step at a time.")
    left, right = st.columns(2)
    left.plotly_chart(loss_figure(snap), key="loss_chart")
    right.plotly_chart(prob_figure(snap), key="prob_chart")
    view = run.samples()
    if view is None:
        return
    if view.fake.ndim == 2:
        st.plotly_chart(scatter_figure(view.real, view.fake, extent=t.data.extent,
                                       title=f"Real vs generated (fixed noise), step {view.step:,}"),
                        key="sample_scatter")
    else:
        per_row = t.args.n_classes or 8  # conditional models: one column per class
        st.image(image_grid(view.fake, nrow=per_row, scale=3), caption=f"G(fixed noise) at step {view.step:,}")


live_view()

# -- timeline and checkpoints (redrawn on interaction, not on every refresh) ------------------
train_panels.timeline_panel(run)
train_panels.checkpoint_panel(run)
