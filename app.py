"""ganlab: watch a GAN learn. Routes only; each page lives in pages/ (the list: pages/routes.py)."""

import streamlit as st

from pages import routes

st.set_page_config(page_title="ganlab", page_icon=":material/blur_on:", layout="wide")
routes.navigation().run()
