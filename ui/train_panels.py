"""The Train page's slower panels: the sample timeline and checkpoint saving."""

from __future__ import annotations

import streamlit as st

from ganlab.persist.checkpoint import CheckpointError
from ganlab.training.run import Run
from ganlab.views.plots import image_grid, scatter_raster
from ui import live, session
from ui.i18n import _, reason

PANEL_REFRESH_SECONDS = 2.0  # the timeline and the autosave note, while the run trains


def timeline_panel(run: Run, running: bool) -> None:
    """Scrub back through G(fixed noise) snapshots; export them as a GIF.

    Drawn only while open (opening it reruns just this panel), and redrawn every few seconds while
    the run trains, so it never shows the snapshots of some earlier moment.
    """

    @st.fragment(run_every=live.every(PANEL_REFRESH_SECONDS, running))
    def panel() -> None:
        box = st.expander(_("Training timeline (snapshots of G(fixed noise))"), key=session.Keys.TIMELINE_OPEN,
                          on_change="rerun")
        if box.open:
            with box:
                _timeline(run)

    panel()


def _timeline(run: Run) -> None:
    frames = run.timeline_frames()
    look = run.look()
    if len(frames) < 2:
        st.caption(_("Snapshots of G(fixed noise) are kept as training runs; they appear here from the second one."))
        return
    steps = [s for s, _fake in frames]
    key, newest = session.Keys.setting("timeline"), session.Keys.setting("timeline_newest")
    if st.session_state.get(key) not in steps or st.session_state.get(key) == st.session_state.get(newest):
        st.session_state[key] = steps[-1]  # follow the newest snapshot until the reader picks another
    st.session_state[newest] = steps[-1]
    at = st.select_slider(_("Step ({count} snapshots, one every {every:,} steps)").format(
        count=len(steps), every=look.timeline[1]), steps, key=key)
    fake = dict(frames)[at]
    if fake.ndim == 2:
        st.image(scatter_raster(look.fixed_real, fake, extent=look.extent))
    else:
        st.image(image_grid(fake, nrow=look.args.n_classes or 8, scale=2),
                 caption=_("step {step:,}").format(step=at))
    if st.button(_("Make a GIF of the timeline")):
        st.session_state[session.Keys.TIMELINE_GIF] = (look.runs, session.timeline_gif(run))
    owner, gif = st.session_state.get(session.Keys.TIMELINE_GIF, (None, None))
    if gif and owner == look.runs:  # a GIF of an earlier run is not offered for this one
        st.download_button(_("Download timeline.gif"), gif, file_name="timeline.gif", mime="image/gif")


def checkpoint_panel(run: Run, running: bool) -> None:
    """Save now, or every N steps, to checkpoints/user/; the last autosave (or why it failed) keeps up
    with the run."""
    look = run.look()
    config = look.config
    with st.expander(_("Save a checkpoint")):
        c1, c2 = st.columns([2, 1])
        name = c1.text_input(_("Name"), value=f"{config.data.name}-{config.model.arch}",
                             key=session.Keys.setting("ckpt"))
        if c2.button(_("Save now"), width="stretch"):
            try:
                saved = session.checkpoint_dir().save_bytes(run.checkpoint_bytes(), name)
                st.success(_("Saved {name} at step {step:,} (Checkpoints page to download or resume).").format(
                    name=saved.name, step=run.look().step))
            except CheckpointError as err:
                st.error(_("Not saved: {err}").format(err=reason(err)))
        every = st.number_input(_("Also save automatically every N steps (0 = off)"), 0, 10**7, step=500,
                                key=session.Keys.setting("autosave"))
        try:
            session.set_autosave(run, int(every), name)
        except CheckpointError as err:
            st.error(_("Autosave off: {err}").format(err=reason(err)))

        best = st.toggle(_("Keep the best checkpoint too, by the live quality figure (early stopping)"),
                         value=look.keeping_best is not None, key=session.Keys.setting("keep_best"),
                         help=_("saved as {best} whenever the modes covered, label agreement or test accuracy is "
                                "the best so far; a later collapse leaves it alone").format(best=f"user/{name}-best"))
        try:
            wanted = session.checkpoint_dir().user_path(f"{name}-best") if best else None
            if (str(wanted) if wanted else None) != look.keeping_best:  # a path as text, or None
                run.keep_best(wanted)
        except CheckpointError as err:
            st.error(_("Best checkpoint off: {err}").format(err=reason(err)))

        @st.fragment(run_every=live.every(PANEL_REFRESH_SECONDS, running and (every > 0 or best)))
        def autosave_note() -> None:
            now = run.look()
            if now.autosave_note:
                st.caption(_(now.autosave_note))
            if now.best_note:
                st.caption(_(now.best_note))

        autosave_note()
