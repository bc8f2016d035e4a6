"""Experiments page: classroom presets, each a click away from a running demonstration."""

from __future__ import annotations

import streamlit as st

from ganlab.classroom.presets import PRESETS
from ui import routes, session

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
