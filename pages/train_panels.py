"""The Train page's slower panels: the sample timeline and checkpoint saving."""

from __future__ import annotations

import streamlit as st

from ganlab.background import BackgroundTrainer
from ganlab.checkpoint import CheckpointError
from ganlab.plots import image_grid, scatter_raster

from pages import session


def timeline_panel(run: BackgroundTrainer) -> None:
    """Scrub back through G(fixed noise) snapshots; export them as a GIF."""
    with st.expander(f"Training timeline ({len(run.timeline)} snapshots of the fixed noise)"):
        frames = run.timeline.frames()
        if len(frames) < 2:
            st.caption("Snapshots of G(fixed noise) are kept as training runs; start training to build a timeline.")
        else:
            steps = [s for s, _ in frames]
            at = st.select_slider("Step", steps, value=steps[-1], key=session.Keys.setting("timeline"))
            fake = dict(frames)[at]
            if fake.ndim == 2:
                st.image(scatter_raster(run.trainer.fixed_real, fake, extent=run.trainer.data.extent))
            else:
                st.image(image_grid(fake, nrow=run.trainer.args.n_classes or 8, scale=2), caption=f"step {at:,}")
            if st.button("Make a GIF of the timeline"):
                st.session_state[session.Keys.TIMELINE_GIF] = (id(run.trainer), session.timeline_gif(run))
            owner, gif = st.session_state.get(session.Keys.TIMELINE_GIF, (None, None))
            if gif and owner == id(run.trainer):  # a GIF of an earlier run is not offered for this one
                st.download_button("Download timeline.gif", gif, file_name="timeline.gif", mime="image/gif")


def checkpoint_panel(run: BackgroundTrainer) -> None:
    """Save now, or every N steps, to checkpoints/user/."""
    config = run.trainer.config
    with st.expander("Save a checkpoint"):
        c1, c2 = st.columns([2, 1])
        name = c1.text_input("Name", value=f"{config.data.name}-{config.model.arch}", key=session.Keys.setting("ckpt"))
        if c2.button("Save now", width="stretch"):
            try:
                saved = session.checkpoint_dir().save(run.trainer, name)
                st.success(f"Saved {saved.name} at step {run.trainer.step:,} (Checkpoints page to download or resume).")
            except CheckpointError as err:
                st.error(f"Not saved: {err}")
        every = st.number_input("Also save automatically every N steps (0 = off)", 0, 10**7, step=500,
                                key=session.Keys.setting("autosave"))
        try:
            session.set_autosave(run, int(every), name)
        except CheckpointError as err:
            st.error(f"Autosave off: {err}")
        if run.autosave_note:
            st.caption(run.autosave_note)
