"""A link for every state worth sharing: each page reads its settings from the URL's query parameters and
writes them back as they change, so the address bar is always a link to what is on screen.

* The Train page: the dataset, the model and every run setting under the CLI's names (``?data=grid25&
  loss=hinge&d_steps=5&seed=3``), the lab view's layers and the speed; ``autostart=1`` starts training.
* An exploration page: its model (a checkpoint's name) and what is picked (``/latent?model=mnist-infogan&
  seed_a=3&seed_b=7``, ``/style?crossover=2``, ``/words?caption=bold+seven``).
* Every page: ``hide=`` names sidebar sections and controls to hide (``hide=settings,upload``); ``lang=ko``
  picks Korean.

A value a page cannot take is named in a message, and the page opens with its default. Nothing in a link
reaches a file path (the data folder is not a setting here), a checkpoint outside ``checkpoints/`` (a model
is one of the names the page offers) or a setting the sidebar would refuse (every value goes through the
same validation). A link applies when it is opened (or edited); what a person then changes on the page is
written back into the address bar.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import LANGUAGES, _
from ui.keys import Keys

SHARED = ("hide", "lang")  # parameters of every page, kept in the address bar as the page changes it
# What hide= may name: sidebar sections and controls (a page that has none of them ignores the name)
HIDEABLE = ("sidebar", "settings", "dataset", "model", "upload", "lecture", "language", "steps", "speed",
            "midrun", "layers", "charts", "timeline", "checkpoints", "link")
NO_SIDEBAR = "<style>[data-testid='stSidebar'], [data-testid='stSidebarCollapsedControl'] {display: none;}</style>"
_SEEN = "links_seen"  # page -> the query string this session last applied or wrote for it
_MESSAGES = "links_messages"  # what the last applied link could not take, shown once


@dataclass(frozen=True)
class Param:
    """A page setting in the URL: its name there, the widget key it fills, how text becomes a value (raising
    ValueError with a reason), how the value is written back, and the default left out of the address bar."""

    name: str
    key: str
    parse: Callable[[str], Any]
    default: Any = None
    text: Callable[[Any], str] = str


def whole(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError(_("not a whole number")) from None
        if not lo <= value <= hi:
            raise ValueError(_("must be between {lo} and {hi}").format(lo=lo, hi=hi))
        return value
    return parse


def number(lo: float, hi: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(_("not a number")) from None
        if not lo <= value <= hi:
            raise ValueError(_("must be between {lo} and {hi}").format(lo=lo, hi=hi))
        return value
    return parse


def one_of(options, shown: Callable[[Any], str] = str) -> Callable[[str], Any]:
    by_text = {shown(o): o for o in options}

    def parse(text: str):
        if text not in by_text:
            raise ValueError(_("must be one of {choices}").format(choices=", ".join(list(by_text)[:30])))
        return by_text[text]
    return parse


def text_of(max_chars: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > max_chars:
            raise ValueError(_("is longer than {n} characters").format(n=max_chars))
        return text
    return parse


# -- reading a link --------------------------------------------------------------------------------------

def params() -> dict[str, str]:
    """The URL's query parameters (the last of a repeated one)."""
    return {k: st.query_params.get(k) for k in st.query_params}


def _own(page: str, query: dict[str, str]) -> str:
    return urlencode(sorted(query.items()))


def opened(page: str) -> dict[str, str] | None:
    """The page's own parameters, the first time this session sees them as they are now (a link opened or the
    address edited); None when they are what the page last wrote or applied."""
    query = {k: v for k, v in params().items() if k not in SHARED}
    seen = st.session_state.setdefault(_SEEN, {})
    if not query or seen.get(page) == _own(page, query):
        return None
    seen[page] = _own(page, query)
    return query


def refuse(name: str, value: str, why: str) -> None:
    """Name a value of the link the page cannot take (shown once, above the page)."""
    st.session_state.setdefault(_MESSAGES, []).append(
        _("The link's {name}={value} was not applied ({why}); the page uses its default.").format(
            name=name, value=value[:60], why=why))


def bind(page: str, wanted: list[Param], *, known: tuple[str, ...] = ()) -> dict[str, Any]:
    """Before a page's widgets: a link just opened puts its values into the widgets' keys (a bad value is
    named in a message and the widget keeps its default). Returns the values applied. ``known`` names other
    parameters the page reads itself."""
    query = opened(page)
    if query is None:
        return {}
    by_name = {p.name: p for p in wanted}
    applied = {}
    for name, value in query.items():
        p = by_name.get(name)
        if p is None:
            if name not in known:
                refuse(name, value, _("this page has no such setting"))
            continue
        try:
            applied[name] = st.session_state[p.key] = p.parse(value)
        except ValueError as err:
            refuse(name, value, str(err))
    return applied


def show_messages() -> None:
    for text in st.session_state.pop(_MESSAGES, []):
        st.warning(text, icon=":material/link_off:")


# -- writing the address bar -------------------------------------------------------------------------------

def publish(page: str, values: dict[str, Any], defaults: dict[str, Any] | None = None,
            shown: dict[str, Callable[[Any], str]] | None = None) -> None:
    """After a page's widgets: the address bar becomes the link to what is on screen (values at their
    default left out; ``hide`` and ``lang`` kept)."""
    defaults, shown = defaults or {}, shown or {}
    query = {name: shown.get(name, _plain)(v) for name, v in values.items()
             if v is not None and (name not in defaults or v != defaults[name])}
    st.session_state.setdefault(_SEEN, {})[page] = _own(page, query)
    keep = {k: v for k, v in params().items() if k in SHARED}
    if {**query, **keep} != params():
        st.query_params.from_dict({**query, **keep})


def publish_params(page: str, wanted: list[Param]) -> None:
    """``publish`` the current values of bound widgets."""
    publish(page, {p.name: st.session_state.get(p.key, p.default) for p in wanted},
            {p.name: p.default for p in wanted}, {p.name: p.text for p in wanted})


def _plain(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value))
    return str(value)


# -- hide=, lang= and the link itself -------------------------------------------------------------------------

def hidden(name: str) -> bool:
    """Whether the link asks to hide sidebar section or control ``name`` (one of HIDEABLE)."""
    return name in _hidden()


def _hidden() -> set[str]:
    names = {n.strip() for n in (params().get("hide") or "").split(",") if n.strip()}
    unknown = names - set(HIDEABLE)
    if unknown and st.session_state.get("links_hide_said") != tuple(sorted(unknown)):
        st.session_state["links_hide_said"] = tuple(sorted(unknown))
        refuse("hide", ",".join(sorted(unknown)), _("what it can hide: {names}").format(names=", ".join(HIDEABLE)))
    return names & set(HIDEABLE)


def apply_shared() -> None:
    """Every page, before anything is drawn: ``lang=`` picks the language, ``hide=sidebar`` hides the sidebar."""
    lang = params().get("lang")
    if lang is not None and st.session_state.get("links_lang") != lang:
        st.session_state["links_lang"] = lang
        if lang in LANGUAGES:
            st.session_state[Keys.LANGUAGE] = lang
            st.session_state[Keys.LANGUAGE_CHOSEN] = True
        else:
            refuse("lang", lang, _("must be one of {choices}").format(choices=", ".join(LANGUAGES)))
    if hidden("sidebar"):
        st.markdown(NO_SIDEBAR, unsafe_allow_html=True)


def url() -> str:
    """The link to what is on screen: this page's address with its query."""
    base = st.context.url or ""
    query = urlencode(params())
    return f"{base}?{query}" if query else base


@contextmanager
def title_row():
    """A page's title row: what the page draws inside (its ``st.title``), and a "Copy link" control beside it
    (the address of what is on screen); then what the opened link could not take."""
    left, right = st.columns([5, 1], vertical_alignment="bottom")
    with left:
        yield
    if not hidden("link"):
        with right.popover(_("Copy link"), icon=":material/link:", width="stretch"):
            st.caption(_("This page as it is now: send it to a student, or put it in a lesson."))
            st.code(url(), language=None, wrap_lines=True)
    show_messages()
