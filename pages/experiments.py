"""Experiments page: the classroom's demonstrations (what goes wrong in a GAN, and what fixes it) and the course's
questions, each a lesson's link (ganlab/classroom/lessons.toml): one run on the Train page, or runs side by side
on the Compare page."""

from __future__ import annotations

import streamlit as st

from ganlab.classroom.lessons import LESSONS
from ganlab.classroom.bce import bce_curves
from ganlab.views.plots import bce_figure
from ui import lesson_cards, links, live, routes, session
from ui.i18n import _, language, translate_figure

routes.through_app()

with links.title_row():
    st.title(_("Classroom experiments"))
st.caption(_("Each experiment is a lesson's link: it sets up a run and starts it on the Train page (your current run "
             "is replaced), or trains runs side by side on the Compare page."))
lang = language()


def bce_plot() -> None:
    """The BCE cost by parts, with this session's live D(x) and D(G(z)) on the curves."""
    run = session.run()

    @st.fragment(run_every=live.every(1.0, run.status().state == "running"))
    def plot() -> None:
        last = run.look().snapshot.last
        d_real, d_fake = (last["d_real"], last["d_fake"]) if last else (None, None)
        st.plotly_chart(translate_figure(bce_figure(bce_curves(), d_real, d_fake)), key="question_bce_plot")
        if last is None:
            st.caption(_("Open the lesson to train, and see the live run's D(x) and D(G(z)) on the curves."))

    plot()


for section, heading in (("experiment", _("What goes wrong, and what fixes it")),
                         ("question", _("The course's questions"))):
    st.header(heading)
    for lesson in (lesson for lesson in LESSONS if lesson.section == section):
        lesson_cards.card(lesson, lang, body=bce_plot if lesson.plot == "bce" else None)
