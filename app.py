"""ganlab: watch a GAN learn. Routes only; each page lives in pages/ (the list: ui/routes.py)."""

import streamlit as st

from ui import i18n, links, routes

# the favicon is an emoji, which the browser draws itself: Streamlit fetches a :material/ icon from
# fonts.gstatic.com, which an offline classroom cannot reach (tests/test_browser.py checks)
st.set_page_config(page_title="ganlab", page_icon="🎭", layout="wide")
links.apply_shared()  # a link's lang= and hide=sidebar, before anything is drawn
if not links.hidden("language"):
    with st.sidebar:
        i18n.language_picker()  # before the pages: the sidebar's page titles are in the chosen language too
routes.navigation().run()
