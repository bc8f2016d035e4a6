"""ganlab: watch a GAN learn. Routes only; each page lives in pages/ (the list: ui/routes.py)."""

import streamlit as st

from ui import routes

# the favicon is an emoji, which the browser draws itself: Streamlit fetches a :material/ icon from
# fonts.gstatic.com, which an offline classroom cannot reach (tests/test_browser.py checks)
st.set_page_config(page_title="ganlab", page_icon="🎭", layout="wide")
routes.navigation().run()
