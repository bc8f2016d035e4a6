"""ganlab: watch a GAN learn. Routes only; each page lives in pages/ (the list: ui/routes.py)."""

import streamlit as st

from ui import i18n, routes

# the favicon is an emoji, which the browser draws itself: Streamlit fetches a :material/ icon from
# fonts.gstatic.com, which an offline classroom cannot reach (tests/test_browser.py checks)
st.set_page_config(page_title="ganlab", page_icon="🎭", layout="wide")
with st.sidebar:
    i18n.language_picker()  # before the pages: the sidebar's page titles are in the chosen language too
routes.navigation().run()
