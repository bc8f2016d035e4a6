"""ganlab: watch a GAN learn. Routes only; each page lives in pages/."""

import streamlit as st

st.set_page_config(page_title="ganlab", page_icon=":material/blur_on:", layout="wide")

pages = [
    st.Page("pages/train.py", title="Train", icon=":material/monitoring:", default=True),
    st.Page("pages/latent.py", title="Latent explorer", icon=":material/explore:"),
    st.Page("pages/classes.py", title="Class control", icon=":material/category:"),
    st.Page("pages/experiments.py", title="Experiments", icon=":material/school:"),
    st.Page("pages/draw.py", title="Draw data", icon=":material/draw:"),
    st.Page("pages/lecture.py", title="Lecture", icon=":material/co_present:"),
    st.Page("pages/checkpoints.py", title="Checkpoints", icon=":material/save:"),
]
st.navigation(pages).run()
