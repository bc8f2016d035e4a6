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

routes.through_app()

st.title("Classroom experiments")
st.caption("Each experiment sets up a run and starts it on the Train page. Your current run is replaced.")
session.show_flash()

for preset in PRESETS:
    with st.container(border=True):
        st.subheader(preset.title)
        for line in preset.explanation.split("\n"):
            st.write(line)
        st.latex(preset.formula)
        if st.button("Run this experiment", key=f"preset_{preset.key}", type="primary"):
            session.start_preset(preset)
            st.switch_page("pages/train.py")

st.header("The course's questions")
st.caption("Each answers a question students of the course ask, by running it. The side-by-side ones open on the "
           "Compare page; your own run is left alone unless the card says otherwise.")
for q in QUESTIONS:
    with st.container(border=True):
        st.subheader(q.title)
        for line in q.explanation.split("\n"):
            st.write(line)
        st.latex(q.formula)
        if q.plot == "bce":
            run = session.run()

            @st.fragment(run_every=live.every(1.0, run.status().state == "running"))
            def bce_plot(run=run) -> None:
                last = run.trainer.store.snapshot().last
                d_real, d_fake = (last["d_real"], last["d_fake"]) if last else (None, None)
                st.plotly_chart(bce_figure(bce_curves(), d_real, d_fake), key="question_bce_plot")
                if last is None:
                    st.caption("Start the run (the button below) to see the live run's D(x) and D(G(z)) on the curves.")

            bce_plot()
        if st.button("Run it", key=f"question_{q.key}", type="primary"):
            device = session.run().trainer.config.device
            try:
                if len(q.runs) > 1:
                    started = compare.start_sweep([c.with_values(device=device) for c in q.configs()], q.labels,
                                                  q.steps)
                    st.session_state["compare_chosen"] = [f"side by side: {label}" for label in started.labels]
                    st.switch_page("pages/compare.py")
                session.start_question(q)
                if not q.plot:
                    st.switch_page("pages/train.py")
                st.rerun()
            except (ConfigError, DatasetUnavailable, Busy, ValueError) as err:
                st.error(f"Could not start it: {err}")
