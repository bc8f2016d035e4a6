"""Lecture page: watch the run a presenter shares, live and read-only."""

from __future__ import annotations

import streamlit as st

from ganlab.classroom.quiz import QUIZ
from ui import live, routes, session

routes.through_app()

st.title("Lecture")
QUIZ.watching(session.session_id())  # a watcher takes part in the presenter's next quiz round
if QUIZ.round is not None and QUIZ.takes_part(session.session_id()):
    st.page_link("pages/quiz.py", label="The presenter started a quiz round: answer it on the Quiz page",
                 icon=":material/quiz:")
shared = session.lecture().current()
if shared is None:
    st.info("Nobody is presenting right now. A presenter shares a run from the Train page's sidebar "
            "(Lecture mode, Share this run); it then appears here for everyone. You can still train your own "
            "run on the Train page.")
    st.stop()

presenter = shared.owner == session.session_id()
st.caption(("You are presenting this run; control it on the Train page. " if presenter else
            "Watching the presenter's run, read-only. Your own run on the Train page is unaffected. ")
           + f"{shared.run.trainer.config.model.arch} on {shared.run.trainer.config.data.name}.")
st.subheader(shared.title)
layers = live.layer_picker("_lecture") if len(shared.run.trainer.args.data_shape) == 1 else []


def current_run():
    current = session.lecture().current()
    return None if current is None else current.run


live.fragments(shared.run, layers, running=True, current=current_run)
