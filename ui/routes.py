"""The app's pages in one list: app.py routes through it, and every page checks that it was reached that way."""

from __future__ import annotations

import streamlit as st

from ui.i18n import _
from ui.keys import Keys

PAGES = (  # file, title, icon; the first is the default
    ("pages/train.py", "Train", ":material/monitoring:"),
    ("pages/lessons.py", "Lessons", ":material/menu_book:"),
    ("pages/latent.py", "Latent explorer", ":material/explore:"),
    ("pages/classes.py", "Class control", ":material/category:"),
    ("pages/design.py", "Design", ":material/checkroom:"),
    ("pages/translate.py", "Translate", ":material/compare_arrows:"),
    ("pages/style.py", "Style mixing", ":material/style:"),
    ("pages/words.py", "Words", ":material/text_fields:"),
    ("pages/experiments.py", "Experiments", ":material/school:"),
    ("pages/compare.py", "Compare", ":material/stacked_line_chart:"),
    ("pages/quiz.py", "Quiz", ":material/quiz:"),
    ("pages/detect.py", "Detect", ":material/policy:"),
    ("pages/draw.py", "Draw data", ":material/draw:"),
    ("pages/lecture.py", "Lecture", ":material/co_present:"),
    ("pages/checkpoints.py", "Checkpoints", ":material/save:"),
)


def navigation():
    """Register the pages (sidebar links, URLs) and return the one this run asked for."""
    st.session_state[Keys.ROUTED] = True
    return st.navigation([st.Page(path, title=_(title), icon=icon, default=i == 0)
                          for i, (path, title, icon) in enumerate(PAGES)], expanded=True)  # every page in view


def through_app() -> None:
    """Called first by every page. On a fresh server, until some session has called st.navigation,
    Streamlit 1.67 answers a direct link such as /latent the pre-st.navigation way: it runs
    pages/latent.py by itself, without app.py (no wide layout), and lists every module of pages/
    in the sidebar (checked in Chromium: tests/test_browser.py). Such a run registers the real
    pages instead and runs again, through app.py, on the same page."""
    if not st.session_state.get(Keys.ROUTED):
        navigation()
        st.rerun()
