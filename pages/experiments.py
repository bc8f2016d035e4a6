"""Experiments page: classroom presets, each a click away from a running demonstration; and the course's
questions, each answered by the runs it starts."""

from __future__ import annotations

import streamlit as st

from ganlab.classroom.presets import PRESETS
from ganlab.classroom.questions import QUESTIONS, bce_curves
from ganlab.config import ConfigError
from ganlab.data.datasets import DatasetUnavailable
from ganlab.training.capacity import Busy
from ganlab.views.plots import bce_figure
from ui import compare, live, routes, session
from ui.i18n import _, reason, translate_figure

routes.through_app()

st.title(_("Classroom experiments"))
st.caption(_("Each experiment sets up a run and starts it on the Train page. Your current run is replaced."))
session.show_flash()

for preset in PRESETS:
    with st.container(border=True):
        st.subheader(_(preset.title))
        for line in preset.explanation.split("\n"):  # a msgid per line (locale/extract.py)
            st.write(_(line))
        st.latex(preset.formula)
        if st.button(_("Run this experiment"), key=f"preset_{preset.key}", type="primary"):
            session.start_preset(preset)
            st.switch_page("pages/train.py")

st.header(_("The course's questions"))
st.caption(_("Each answers a question students of the course ask, by running it. The side-by-side ones open on the "
             "Compare page; your own run is left alone unless the card says otherwise."))
for q in QUESTIONS:
    with st.container(border=True):
        st.subheader(_(q.title))
        for line in q.explanation.split("\n"):
            st.write(_(line))
        st.latex(q.formula)
        if q.plot == "bce":
            run = session.run()

            @st.fragment(run_every=live.every(1.0, run.status().state == "running"))
            def bce_plot(run=run) -> None:
                last = run.look().snapshot.last
                d_real, d_fake = (last["d_real"], last["d_fake"]) if last else (None, None)
                st.plotly_chart(translate_figure(bce_figure(bce_curves(), d_real, d_fake)), key="question_bce_plot")
                if last is None:
                    st.caption(_("Start the run (the button below) to see the live run's D(x) and D(G(z)) on the "
                                 "curves."))

            bce_plot()
        if st.button(_("Run it"), key=f"question_{q.key}", type="primary"):
            device = session.run().config.device
            try:
                if len(q.runs) > 1:
                    started = compare.start_sweep([c.with_values(device=device) for c in q.configs()], q.labels,
                                                  q.steps)
                    st.session_state["compare_chosen"] = compare.side_by_side(started.labels)
                    st.switch_page("pages/compare.py")
                session.start_question(q)
                if not q.plot:
                    st.switch_page("pages/train.py")
                st.rerun()
            except (ConfigError, DatasetUnavailable, Busy, ValueError) as err:
                st.error(_("Could not start it: {err}").format(err=reason(err)))
