"""Train page: settings, Start/Pause, single D/G steps, speed, live charts, the lab view, samples."""

from __future__ import annotations

import streamlit as st

from ganlab.config import ConfigError
from ganlab.data.datasets import DatasetUnavailable
from ganlab.training.capacity import Busy
from ui import controls, data_upload, first_paint, lecture_panel, links, live, routes, session, train_link, train_panels
from ui.i18n import _, reason, shown_as

routes.through_app()

run = session.run()

# -- a link just opened: its run, its layers and speed (ui/train_link.py) ---------------------------------
linked, autostart, keep_best = train_link.requested(run.config, live.DEFAULT_LAYERS, session.SPEEDS)
if linked is not None:
    try:
        session.new_run(linked)
        session.forget_form()
    except (ConfigError, DatasetUnavailable) as err:
        links.refuse("data", linked.data.name, reason(err))
if keep_best:  # as user/<data>-<model>-best.pt: a link names no path
    run.keep_best(session.checkpoint_dir().user_path(f"{run.config.data.name}-{run.config.model.arch}-best"))
if autostart and run.look().status.state != "running":
    try:
        run.start()
    except Busy as err:
        session.flash("warning", reason(err))

look = run.look()
config = look.config
# a newcomer's first page draws the title and the run's buttons; the rest comes once the browser has drawn them
later = first_paint.pending()


def shown(part: str) -> bool:
    """Whether this run draws ``part``: not hidden by the link, and not left for after the first paint."""
    return not later and not links.hidden(part)


# -- sidebar: what to train ----------------------------------------------------
if shown("settings"):
    with st.sidebar:
        st.header(_("Run settings"))
        new_data = (None if links.hidden("dataset") else controls.dataset_picker(config)) or \
            (None if links.hidden("upload") else data_upload.panel(config.data.data_dir))
        new_model = None if links.hidden("model") else controls.model_picker(config)
        new_config = controls.config_form(config)
        if new_data:
            new_config = controls.defaults_for(new_data, config)
        elif new_model:
            new_config = controls.defaults_for(None, config, model=new_model)
        if new_config is not None:
            try:
                session.new_run(new_config)
                session.forget_form()
                ready = _("New run ready: {model} on {data}, with its tuned defaults. Press Start.")
                session.flash("success", ready.format(model=new_config.model.arch, data=new_config.data.name))
            except (ConfigError, DatasetUnavailable) as err:
                session.flash("error", _("Could not start that run: {err}").format(err=reason(err)))
                session.forget_form()
            st.rerun()

with links.title_row():
    st.title(_("Train"))
session.show_flash()

# -- controls -----------------------------------------------------------------
status = look.status
running = status.state == "running"
idle = running or bool(look.diverged)  # single steps only while paused
c1, c2, c3, c4, c5, c6 = st.columns(6)
# A key keeps it one element as its label changes: without one, Streamlit drew the new Pause under the
# old Start until the run finished, and the page below jumped up 56 px, under a click in progress.
if c1.button(_("Pause") if running else (_("Resume") if status.step else _("Start")), type="primary", width="stretch",
             disabled=bool(look.diverged), key=session.Keys.RUN_BUTTON):
    if running:
        run.pause()
        st.rerun()
    try:
        run.start()
        st.rerun()
    except Busy as err:
        st.warning(reason(err))
STEP_BUTTONS = (
    (c2, _("Step"), 1, "both", _("one full step: the D update(s), then the G update; then stay paused")),
    (c3, _("D only"), 1, "d", _("one discriminator update; G stays as it is (marked on the charts)")),
    (c4, _("G only"), 1, "g", _("one generator update against the current D (marked on the charts)")),
    (c5, _("Step x10"), 10, "both", _("ten full steps")),
)
if not links.hidden("steps"):
    for col, label, n, phase, help_text in STEP_BUTTONS:
        if col.button(label, width="stretch", disabled=idle, help=help_text):
            run.step(n, phase)
            run.wait_steps()  # show the step's result, not the state before it
            st.rerun()
if c6.button(_("Reset"), width="stretch", help=_("a fresh run with the same settings")):
    run.reset()
    st.rerun()

if session.Keys.SPEED not in st.session_state:
    st.session_state[session.Keys.SPEED] = session.speed_label(status.speed)
s1, s2 = st.columns([2, 3])
if shown("speed"):
    s1.select_slider(_("Speed"), list(session.SPEEDS), key=session.Keys.SPEED, format_func=shown_as(session.SPEEDS),
                     help=_("5 steps/s or slower is slow motion: D and G updates run one at a time and are named"))
speed = session.SPEEDS[st.session_state[session.Keys.SPEED]]
run.set_speed(speed)
if shown("midrun"):
    with s2.expander(_("Change mid-run (takes effect at the next step, marked on the charts)")):
        live_knobs = controls.live_knobs(config)
        if live_knobs is not None:
            try:
                run.set_hparams(**live_knobs)
                st.success(_("Applied at the next step."))
            except ConfigError as err:
                st.error(_("Not applied: {err}").format(err=reason(err)))

points = len(look.args.data_shape) == 1
layers = live.layer_picker(look) if points and shown("layers") else \
    (st.session_state.get(session.Keys.LAYERS, live.DEFAULT_LAYERS) if points else [])
if shown("lecture") and shown("settings"):
    with st.sidebar:
        lecture_panel.presenter_controls(run)
train_link.publish(config, layers if points else None, live.DEFAULT_LAYERS, speed)


# -- live view ----------------------------------------------------------------
live.fragments(run, layers, running, charts=not links.hidden("charts"))  # after the first paint (ui/first_paint.py)

# -- timeline and checkpoints (slower refreshes of their own) --------------------------------
if shown("timeline"):
    train_panels.timeline_panel(run, running)
if shown("checkpoints"):
    train_panels.checkpoint_panel(run, running)
