"""The presenter's side of lecture mode: share this session's run with every other open browser."""

from __future__ import annotations

import streamlit as st

from ganlab.training.background import BackgroundTrainer
from ui import session


def presenter_controls(run: BackgroundTrainer) -> None:
    st.header("Lecture mode")
    me = session.session_id()
    if session.lecture().presenting(me):
        st.success("Your run is shared: everyone on the Lecture page watches it live, read-only.")
        if st.button("Stop sharing", width="stretch"):
            session.lecture().stop(me)
            st.rerun()
        return
    shared = session.lecture().current()
    if shared is not None:
        st.caption(f"Someone is presenting \"{shared.title}\" (Lecture page). Sharing yours replaces it.")
    title = st.text_input("Title for the audience", value="Live GAN", max_chars=120, key=session.Keys.setting("lecture"))
    if st.button("Share this run", width="stretch",
                 help="every other browser can watch this run on the Lecture page; only you control it"):
        session.lecture().share(run, me, title)
        st.rerun()
