"""ganlab: watch a GAN learn. Routes only; each page lives in pages/."""

import streamlit as st

st.set_page_config(page_title="ganlab", page_icon=":material/blur_on:", layout="wide")

pages = [
    st.Page("pages/train.py", title="Train", icon=":material/monitoring:", default=True),
]
st.navigation(pages).run()
