"""Lessons page: the course as a path, each step a link to a page set up for it, with what to watch and one
question to try (ganlab/classroom/lessons.toml)."""

from __future__ import annotations

import streamlit as st

from ganlab.classroom.lessons import LESSONS
from ui import lesson_cards, links, routes
from ui.i18n import _, language

routes.through_app()

with links.title_row():
    st.title(_("Lessons"))
st.caption(_("The course from the vanilla GAN to StyleGAN, one step at a time. Each lesson opens a page set up for "
             "it; your own run is replaced only by the lessons that train. Send a lesson's link to a class, or write "
             "your own: any page's Copy link is a lesson."))

lang = language()
for lesson in (lesson for lesson in LESSONS if lesson.section == "course"):
    lesson_cards.card(lesson, lang)
