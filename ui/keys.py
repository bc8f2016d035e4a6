"""The ``st.session_state`` keys that pages and ui/ share (``session.Keys``); a page's own widgets use keys built
from its prefix.

Apart from session.py so that app.py can route (ui/routes.py) before anything imports torch.
"""

from __future__ import annotations

import streamlit as st


class Keys:
    """The session-state keys more than one page (or a page and ui/) reads."""

    FORM_GENERATION = "form_generation"  # bumped when a new run starts, so settings widgets re-read it
    FLASH = "flash"  # a message to show once after a rerun: (kind, text)
    TIMELINE_GIF = "timeline_gif"  # (id of the trainer it shows, GIF bytes) of the last export
    TIMELINE_OPEN = "timeline_open"  # whether the Train page's timeline panel is open
    SESSION_ID = "session_id"  # a random id naming this session as a lecture's presenter
    LAYERS = "lab_layers"  # which layers of the lab view are on
    SPEED = "speed"  # the steps/s cap chosen on the Train page
    RUN_BUTTON = "run_button"  # Start / Pause / Resume: one widget whatever its label (pages/train.py)
    STEPS_SHOWN = "steps_shown"  # the time charts' span: the whole run or its newest steps
    PAGE = "page"  # a page to switch to at the next run (set by a preset)
    ROUTED = "routed_through_app"  # this session's runs go through app.py (ui/routes.py)
    QUIZ_ROUND = "quiz_round"  # this session's own round of the Quiz page
    DETECTOR_JOB = "detector_job"  # the Detect page's detector fit (a ganlab.detect.job.DetectorJob), the last one
    LANGUAGE = "language"  # the session's language, a key of ui.i18n.LANGUAGES ("en", "ko")
    LANGUAGE_CHOSEN = "language_chosen"  # True once the person picked a language (else the browser's is followed)
    LANGUAGE_PICKER = "language_picker"  # the sidebar's language selectbox (copied into LANGUAGE on change)
    PAINTED = "painted"  # True once this session's browser has drawn its first page (ui/first_paint.py)
    DEFERRED = "deferred"  # this run left a heavy part out until the browser has drawn the page (ui/first_paint.py)
    PAINT_SIGNAL = "paint_signal"  # the browser's script that says the first page is drawn (ui/first_paint.py)

    @staticmethod
    def setting(name: str) -> str:
        """The widget key of config setting ``name`` (flat name, or "dataset") for the current run."""
        return f"cfg{st.session_state.get(Keys.FORM_GENERATION, 0)}_{name}"

    @staticmethod
    def live(name: str) -> str:
        """The widget key of a mid-run knob (lr_d, lr_g, d_steps) for the current run."""
        return f"live{st.session_state.get(Keys.FORM_GENERATION, 0)}_{name}"
