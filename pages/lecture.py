"""Lecture page: watch the run a presenter shares, live and read-only."""

from __future__ import annotations

import streamlit as st

from ganlab.classroom.quiz import QUIZ
from ui import links, live, routes, session
from ui.i18n import _

routes.through_app()

with links.title_row():
    st.title(_("Lecture"))
QUIZ.watching(session.session_id())  # a watcher takes part in the presenter's next quiz round
if QUIZ.round is not None and QUIZ.takes_part(session.session_id()):
    st.page_link("pages/quiz.py", label=_("The presenter started a quiz round: answer it on the Quiz page"),
                 icon=":material/quiz:")
shared = session.lecture().current()
if shared is None:
    st.info(_("Nobody is presenting right now. A presenter shares a run from the Train page's sidebar "
              "(Lecture mode, Share this run); it then appears here for everyone. You can still train your own "
              "run on the Train page."))
    st.stop()

presenter = shared.owner == session.session_id()
look = shared.run.look()
config = look.config
watching = (_("You are presenting this run; control it on the Train page. {model} on {data}.") if presenter else
            _("Watching the presenter's run, read-only. Your own run on the Train page is unaffected. "
              "{model} on {data}."))
st.caption(watching.format(model=config.model.arch, data=config.data.name))
st.subheader(shared.title)
layers = live.layer_picker(look, "_lecture") if len(look.args.data_shape) == 1 else []


def current_run():
    current = session.lecture().current()
    return None if current is None else current.run


live.fragments(shared.run, layers, running=True, current=current_run)
