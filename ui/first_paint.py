"""A browser's first page: its controls first, its heavy parts once the browser has drawn them.

A newcomer's browser builds the whole page in one go. On this 2-core machine the Train page's sidebar of
settings and its four Vega charts took more than a second of the browser's main thread, and the Start button
appeared only after them (docs/deploy.md, "The first page"). So on a session's first page, a part that asks
``pending()`` waits, and ``finish()`` (app.py, after the page) draws a tiny fragment on a short timer instead.
The browser runs that timer only once its main thread is free, that is once the controls are on the screen;
its first tick marks the session painted and reruns the page, which then draws everything, as every later
page of the session does.

A script run with no request headers has no browser behind it (Streamlit's AppTest): nothing is painted in
steps there, so everything is drawn at once.
"""

from __future__ import annotations

import streamlit as st

from ui.keys import Keys

TICK_SECONDS = 0.05  # the browser's own clock runs it when it is free; the value only bounds the wait


def pending() -> bool:
    """True on a newcomer's first page until its browser has drawn it: the caller leaves its heavy part out."""
    if st.session_state.get(Keys.PAINTED) or not st.context.headers:
        return False
    st.session_state[Keys.DEFERRED] = True
    return True


def finish() -> None:
    """After the page: if it left a part out, the fragment whose first tick brings the rest."""
    if not st.session_state.pop(Keys.DEFERRED, False):
        return
    inline = True

    @st.fragment(run_every=TICK_SECONDS)
    def bring_the_rest() -> None:
        if not inline:  # a tick of the browser's, not this run's own first call
            st.session_state[Keys.PAINTED] = True
            st.rerun(scope="app")

    bring_the_rest()
    inline = False
