"""A browser's first page: its controls first, its heavy parts once the browser has drawn them.

A newcomer's browser builds the whole page in one go. On this 2-core machine the Train page's sidebar of
settings and its four Vega charts took more than a second of the browser's main thread, and the Start button
appeared only after them (docs/deploy.md, "The first page"). So on a session's first page, a part that asks
``pending()`` waits, and ``finish()`` (app.py, after the page) mounts instead a tiny script of the browser's
own (an ``st.components.v2`` component: no iframe, no request). React mounts it with the page it ends, so it
runs once the controls are in the document; it waits for the next frame to be painted, then tells the server,
which marks the session painted and reruns the page. That run draws everything, as every later page of the
session does. (A timer of the page's own, tried first, could fire before a busy browser had drawn the
controls: on CI, tests/test_browser.py saw the settings first.)

A script run with no request headers has no browser behind it (Streamlit's AppTest): nothing is painted in
steps there, so everything is drawn at once.
"""

from __future__ import annotations

import functools

import streamlit as st

from ui.keys import Keys

# after the frame that shows the controls has been painted (requestAnimationFrame runs before that paint;
# the timeout it sets, after it), say so
# (window.__ganlabPainted, and the marker that goes once the page is drawn in full, are for the browser tests:
# harness/browsing.py waits for both)
NAME, EVENT = "ganlab.first_paint", "painted"
PAINTED_JS = """
export default function(component) {
  requestAnimationFrame(() => setTimeout(() => {
    window.__ganlabPainted = true;
    component.setTriggerValue("%s", true);
  }, 0));
}
""" % EVENT
MARKER = "<span data-ganlab-first-paint hidden></span>"


@functools.cache
def _signal():
    return st.components.v2.component(NAME, html=MARKER, js=PAINTED_JS, isolate_styles=False)


def pending() -> bool:
    """True on a newcomer's first page until its browser has drawn it: the caller leaves its heavy part out."""
    if st.session_state.get(Keys.PAINTED) or not st.context.headers:
        return False
    st.session_state[Keys.DEFERRED] = True
    return True


def painted() -> bool:
    """Whether this session's browser has drawn a first page: the runs from here on draw everything."""
    return bool(st.session_state.get(Keys.PAINTED))


def _painted() -> None:
    st.session_state[Keys.PAINTED] = True  # the trigger's own rerun, which follows, draws everything


def finish() -> None:
    """After the page: if it left a part out, the browser's signal that it has drawn what is there."""
    if st.session_state.pop(Keys.DEFERRED, False):
        _signal()(key=Keys.PAINT_SIGNAL, **{f"on_{EVENT}_change": _painted})
