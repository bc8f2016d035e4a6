"""The one module that owns per-session state: the run handle, cached data, and widget keys.

Pages call these helpers and use the ``Keys`` constants; they never invent
``st.session_state`` keys of their own.
"""

from __future__ import annotations

import sys

import streamlit as st
import torch

from ganlab.background import BackgroundTrainer, interactive_threads
from ganlab.config import RunConfig, default_config
from ganlab.datasets import load_data
from ganlab.trainer import Trainer


class Keys:
    """Every ``st.session_state`` / widget key the pages use."""

    FORM_GENERATION = "form_generation"  # bumped when a new run starts, so settings widgets re-read it
    FLASH = "flash"  # a message to show once after a rerun: (kind, text)

    @staticmethod
    def setting(name: str) -> str:
        """The widget key of config setting ``name`` (flat name, or "dataset") for the current run."""
        return f"cfg{st.session_state.get(Keys.FORM_GENERATION, 0)}_{name}"

    @staticmethod
    def live(name: str) -> str:
        """The widget key of a mid-run knob (lr_d, lr_g, d_steps) for the current run."""
        return f"live{st.session_state.get(Keys.FORM_GENERATION, 0)}_{name}"


@st.cache_resource
def _configure_torch() -> int:
    """Once per server process: leave CPU for the server and the browser (see interactive_threads)."""
    n = interactive_threads()
    torch.set_num_threads(n)
    # The trainer thread gives up the GIL at every torch op; a short switch interval means it
    # waits less to get it back while the server thread renders a page.
    sys.setswitchinterval(0.0005)
    return n


_configure_torch()


@st.cache_resource(show_spinner="Loading dataset...")
def cached_data(name: str, data_dir: str):
    """Datasets are read once per server process and shared (read-only, on the CPU)."""
    return load_data(name, data_dir)


def _make_trainer(config: RunConfig) -> Trainer:
    return Trainer(config, data=cached_data(config.data.name, config.data.data_dir))


def _release(run: BackgroundTrainer) -> None:
    run.stop()


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def _session_run() -> BackgroundTrainer:
    return BackgroundTrainer(default_config("ring8"), make_trainer=_make_trainer)


def run() -> BackgroundTrainer:
    """This browser session's training run; its thread stops when the session ends."""
    return _session_run()


def new_run(config: RunConfig) -> None:
    """Replace this session's run with a fresh one on ``config`` (raises before touching the old one)."""
    run().reset(config)


def flash(kind: str, text: str) -> None:
    st.session_state[Keys.FLASH] = (kind, text)


def show_flash() -> None:
    kind, text = st.session_state.pop(Keys.FLASH, (None, None))
    if kind:
        getattr(st, kind)(text)


def forget_form() -> None:
    """Give the settings widgets fresh keys so they show the current run's values.

    (Deleting a keyed widget's state is not enough: the browser sends its old value back.)
    """
    old = st.session_state.get(Keys.FORM_GENERATION, 0)
    for key in list(st.session_state):
        if isinstance(key, str) and key.startswith((f"cfg{old}_", f"live{old}_")):
            del st.session_state[key]
    st.session_state[Keys.FORM_GENERATION] = old + 1
