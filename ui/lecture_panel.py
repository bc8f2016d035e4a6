"""The presenter's side of lecture mode: share this session's run with every other open browser."""

from __future__ import annotations

import streamlit as st

from ganlab.training.run import Run
from ui import session
from ui.i18n import _


def presenter_controls(run: Run) -> None:
    st.header(_("Lecture mode"))
    me = session.session_id()
    if session.lecture().presenting(me):
        st.success(_("Your run is shared: everyone on the Lecture page watches it live, read-only."))
        if st.button(_("Stop sharing"), width="stretch"):
            session.lecture().stop(me)
            st.rerun()
        return
    shared = session.lecture().current()
    if shared is not None:
        st.caption(_("Someone is presenting \"{title}\" (Lecture page). Sharing yours replaces it.").format(
            title=shared.title))
    title = st.text_input(_("Title for the audience"), value=_("Live GAN"), max_chars=120,
                          key=session.Keys.setting("lecture"))
    if st.button(_("Share this run"), width="stretch",
                 help=_("every other browser can watch this run on the Lecture page; only you control it")):
        session.lecture().share(run, me, title)
        st.rerun()
