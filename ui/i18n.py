"""The app's languages: gettext catalogs (``locale/<lang>/LC_MESSAGES/ganlab.po``, read with Babel) and
the session's choice among them.

Pages wrap every text they show in ``_()``; strings the library defines (a variant's title, a preset's
explanation, a metric's label) stay plain English in ``ganlab/`` and go through ``_()`` where a page
shows them. ``locale/extract.py`` gathers both into the catalogs. A new language is its catalog plus
one entry in ``LANGUAGES``.

Light on purpose: app.py routes through this before anything imports torch (tests/test_layout.py).
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st
from babel.messages.pofile import read_po

from ganlab.said import Said, said_by
from ui.keys import Keys

LANGUAGES = {"en": "English", "ko": "한국어"}  # code -> its name in itself; the first is the source language
SOURCE = next(iter(LANGUAGES))  # the language the msgids are written in
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "ganlab"


def catalog_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> dict[str, str]:
    """msgid -> msgstr of ``lang``'s catalog, read once per process; untranslated and fuzzy entries left out."""
    path = catalog_path(lang)
    if lang == SOURCE or not path.is_file():
        return {}
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN, ignore_obsolete=True)
    return {m.id: m.string for m in catalog
            if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string and not m.fuzzy}


def browser_locale() -> str | None:
    """The browser's ``navigator.language`` as this script run received it; None in a run without the
    browser's context (one the server started, and every run under AppTest)."""
    return st.context.locale


def browser_language() -> str:
    """The browser's language if the app speaks it ("ko-KR" -> "ko"), else the source language (also
    when there is no browser, as under AppTest)."""
    code = (browser_locale() or "").replace("_", "-").split("-")[0].lower()
    return code if code in LANGUAGES else SOURCE


def language() -> str:
    """This session's language: its choice in the sidebar, until then the browser's.

    The browser's language is read again on every run that carries it: a run the server starts itself
    (``st.rerun``, a timer) comes without the browser's context, and ``st.context.locale`` is then None.
    Such a run keeps the language already known and, where none is (a session just made anew), shows the
    source language without storing it, so the next run from the browser still sets it."""
    state = st.session_state
    lang = state.get(Keys.LANGUAGE)
    if not state.get(Keys.LANGUAGE_CHOSEN) and browser_locale() is not None:
        lang = state[Keys.LANGUAGE] = browser_language()
    return lang if lang in LANGUAGES else SOURCE


def _(text: str) -> str:
    """``text`` in this session's language (``text`` itself in English, or where the catalog has no translation).

    A sentence the library made with :func:`ganlab.said.said` is translated by its template, and its fields
    filled in again (those that are sentences of their own translated too).
    The language is settled once per run, by :func:`language_picker` in app.py; a string only reads it back."""
    lang = st.session_state.get(Keys.LANGUAGE) or language()
    if lang == SOURCE or not text:
        return text
    if isinstance(text, Said):
        template = translations(lang).get(text.template)
        if template is None:
            return text
        return template.format(**{k: _(v) if isinstance(v, Said) else v for k, v in text.fields.items()})
    return translations(lang).get(text, text)


def reason(err: BaseException) -> str:
    """Why ``err`` was raised, in this session's language where the library said it with ``said()``."""
    return _(said_by(err))


def shown_as(options, text=None):
    """A widget's ``format_func`` that shows each option as ``text(option)`` (by default its translation),
    all worked out now. Streamlit calls a format_func while it draws the widget, in the script run; AppTest
    calls it again afterwards, outside any run, where the session's language cannot be read."""
    text = text or _
    shown = {option: text(option) for option in options}
    return lambda option: shown.get(option, str(option))


def _picked() -> None:
    st.session_state[Keys.LANGUAGE] = st.session_state[Keys.LANGUAGE_PICKER]
    st.session_state[Keys.LANGUAGE_CHOSEN] = True  # from now on the browser's language no longer decides


def language_picker() -> str:
    """The sidebar's language selectbox; returns the session's language. (The widget follows the stored
    choice, which outlives runs that skip app.py and so skip this widget.)

    The stored choice is written into the widget on every run, not only when it differs: a value the
    script sets is sent to the browser with the widget, and one it does not set is left to the browser's
    own copy. After a page link was clicked, that copy was seen to be the first option (English) while the
    session was Korean (tests/test_browser_korean.py reads the picker on every page)."""
    lang = language()
    st.session_state[Keys.LANGUAGE_PICKER] = lang
    st.selectbox("Language / 언어", list(LANGUAGES), format_func=LANGUAGES.get, key=Keys.LANGUAGE_PICKER,
                 on_change=_picked)
    return lang


# -- texts inside library-built charts --------------------------------------------------------

_TEXT_KEYS = ("title", "text", "datum")  # keys whose string values are shown: a title, a mark's text, a legend entry


def translate_spec(spec: dict) -> dict:
    """A Vega-Lite spec built by ``ganlab.views`` with its shown texts in this session's language: titles
    (the chart's, an axis's), marks' texts, and the series names of legends.

    A series name is also a data column: a ``fold`` transform turns the columns it lists into series, so
    those columns of the spec's Arrow datasets are renamed with it, and string columns (the series of
    the min-max bands, a compared run's metric) have their values translated. The spec stays the same
    from one redraw to the next, so the browser still redraws in place. English specs come back as they are.
    """
    if language() == SOURCE:
        return spec
    folded: set[str] = set()
    out = {k: v if k == "datasets" else _spec_texts(v, folded, k) for k, v in spec.items()}
    if "datasets" in spec:
        out["datasets"] = {name: _table(data, folded) for name, data in spec["datasets"].items()}
    return out


def _spec_texts(node, folded: set[str], key: str | None = None):
    if isinstance(node, dict):
        return {k: _spec_texts(v, folded, k) for k, v in node.items()}
    if isinstance(node, list):
        if key == "fold":
            folded.update(node)
        if key in ("fold", "domain"):
            return [_(v) if isinstance(v, str) else v for v in node]
        return [_spec_texts(v, folded) for v in node]
    if isinstance(node, str) and key in _TEXT_KEYS:
        return _(node)
    return node


def _table(data, folded: set[str]):
    """An Arrow dataset with its series columns renamed and its string values translated."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(data, pa.Table):
        return data
    names = [_(n) if n in folded else n for n in data.column_names]
    if names != data.column_names:
        data = data.rename_columns(names)
    for i, field in enumerate(data.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        column = data.column(i).combine_chunks()
        values = pc.unique(column)
        shown = [_(v) if isinstance(v, str) else v for v in values.to_pylist()]
        if shown != values.to_pylist():
            data = data.set_column(i, field.name, pa.array(shown, type=field.type).take(pc.index_in(column, values)))
    return data


def translate_figure(fig):
    """A Plotly figure built by ``ganlab.views.plots`` with its title, axis titles, legend entries and
    annotations in this session's language (changed in place and returned)."""
    if language() == SOURCE:
        return fig
    if fig.layout.title.text:
        fig.layout.title.text = _(fig.layout.title.text)
    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = _(trace.name)
    fig.for_each_xaxis(lambda axis: axis.update(title_text=_(axis.title.text)) if axis.title.text else None)
    fig.for_each_yaxis(lambda axis: axis.update(title_text=_(axis.title.text)) if axis.title.text else None)
    for note in fig.layout.annotations:
        if note.text:
            note.text = _(note.text)
    return fig
