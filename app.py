"""ganlab: watch a GAN learn. Routes only; each page lives in pages/ (the list: ui/routes.py)."""

import streamlit as st

from ui import first_paint, i18n, links, routes, workers

# the favicon is an emoji, which the browser draws itself: Streamlit fetches a :material/ icon from
# fonts.gstatic.com, which an offline classroom cannot reach (tests/test_browser.py checks)
st.set_page_config(page_title="ganlab", page_icon="🎭", layout="wide")
workers.start()  # the first worker imports torch and loads the data while this server imports the pages
links.apply_shared()  # a link's lang= and hide=sidebar, before anything is drawn
if not links.hidden("language") and not first_paint.pending():  # a newcomer's first page: after its controls
    with st.sidebar:
        i18n.language_picker()  # before the pages: the sidebar's page titles are in the chosen language too
routes.navigation().run()
first_paint.finish()  # a newcomer's first page: what it left out comes once the browser has drawn it
if first_paint.painted():  # a page drawn in full has loaded what pages need: later collections leave it out
    from ui.session import set_aside_loaded  # after the pages, which import it (and torch) anyway

    set_aside_loaded()
