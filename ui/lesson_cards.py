"""A lesson's card: its title, what to watch, one question to try, its formula, and its link (to open here, or to
send to a class). Drawn by the Lessons and Experiments pages."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ganlab.classroom.lessons import Lesson
from ui.i18n import _
from ui.routes import PAGES


def page_file(path: str) -> str:
    """The page script a link's path opens: "" is the Train page (the default), "latent" pages/latent.py..."""
    files = [p for p, _t, _i in PAGES]
    wanted = files[0] if path in ("", "train") else f"pages/{path}.py"
    if wanted not in files:
        raise ValueError(f"no page {path!r}")
    return wanted


def shareable(lesson: Lesson) -> str:
    """The lesson's full address on this server."""
    base = (st.context.url or "").rstrip("/")
    for p, _t, _i in PAGES:  # the address of the page this one is on, without its own path
        name = p.removeprefix("pages/").removesuffix(".py")
        if base.endswith("/" + name):
            base = base[:-len(name) - 1]
    path = "" if lesson.page in ("", "train") else lesson.page
    return f"{base}/{path}?{urlencode(lesson.query)}"


def card(lesson: Lesson, lang: str, body=None) -> None:
    """The lesson as a card; ``body`` draws more inside it (a live figure) before its link."""
    with st.container(border=True):
        st.subheader(lesson.part("title", lang))
        st.write(lesson.part("watch", lang))
        st.markdown(_("**Try this:** {question}").format(question=lesson.part("question", lang)))
        if lesson.formula:
            st.latex(lesson.formula)
        if body is not None:
            body()
        left, right = st.columns([1, 3], vertical_alignment="center")
        left.page_link(page_file(lesson.page), label=_("Open this lesson"), icon=":material/play_circle:",
                       query_params=lesson.query)
        with right.popover(_("Its link"), icon=":material/link:"):
            st.code(shareable(lesson), language=None, wrap_lines=True)
