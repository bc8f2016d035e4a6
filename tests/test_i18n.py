"""The app in every language of ``ui.i18n.LANGUAGES``: each catalog translates every text the app shows,
no page shows a text that skips ``_()``, and every page renders in Korean."""

from __future__ import annotations

import ast
import importlib.util
import re
import string
from types import SimpleNamespace

import pytest
import streamlit as st
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO, vega_charts
from ui import i18n
from ui.keys import Keys
from ui.routes import PAGES

OTHER_LANGUAGES = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE]


def _extract_module():
    """locale/extract.py (a script: ``locale`` is also the standard library's module, so it is loaded by path)."""
    spec = importlib.util.spec_from_file_location("ganlab_locale_extract", REPO / "locale" / "extract.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def template():
    return _extract_module().template()


def fields(text: str) -> set[tuple[str, str]]:
    """The ``{name:spec}`` replacement fields of a format string."""
    return {(name, spec) for _text, name, spec, _conv in string.Formatter().parse(text) if name is not None}


# -- the catalogs ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_text_has_a_translation(template, lang):
    """Every msgid the extraction finds (pages, ui and the library's registries) has a reviewed translation
    with the same {placeholders}. A new text fails here until `python locale/extract.py` merges it and
    someone translates it."""
    assert len(template) > 400  # the extraction reached the pages and the library's registries
    with i18n.catalog_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    missing, fuzzy, mismatched = [], [], []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        if translated is None or not translated.string:
            missing.append(message.id)
        elif translated.fuzzy:
            fuzzy.append(message.id)
        elif fields(message.id) != fields(translated.string):
            mismatched.append((message.id, translated.string))
    hint = "run .venv/bin/python locale/extract.py, then translate"
    assert not missing, f"{len(missing)} texts without a {lang} translation ({hint}): {missing[:8]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy {lang} translations to review: {fuzzy[:8]}"
    assert not mismatched, f"placeholders differ: {mismatched[:5]}"
    assert len(i18n.translations(lang)) >= len(template) - 1  # the app's loader reads them all


def test_the_library_texts_the_pages_show_are_in_the_template(template):
    """Spot checks of the registries the extraction imports (strings the library keeps plain English)."""
    from ganlab.variants import all_variants
    from ganlab.variants.base import CHART_GROUPS

    wanted = ([v.title for v in all_variants()] + [g.title for g in CHART_GROUPS.values()]
              + [title for _p, title, _i in PAGES])
    assert not [text for text in wanted if template.get(text) is None]


# -- no text outside _() -----------------------------------------------------------------------

# Streamlit calls whose first argument is shown (a label, a body, a title)
ELEMENTS = {
    "title", "header", "subheader", "caption", "write", "markdown", "text", "info", "success", "warning", "error",
    "button", "selectbox", "slider", "metric", "expander", "toggle", "radio", "text_input", "number_input",
    "text_area", "file_uploader", "download_button", "segmented_control", "select_slider", "multiselect", "pills",
    "form_submit_button", "checkbox", "color_picker", "date_input", "time_input", "tabs", "toast",
    "spinner", "popover", "status", "image", "latex", "code", "link_button", "chat_input",
}
TEXT_KEYWORDS = {"help", "caption", "label", "placeholder", "title"}
NAMED_ONLY = {"Page", "page_link"}  # their first argument is a page's file; the shown text is title= or label=
ICON = re.compile(r":material/\w+:")
ALLOWED = {"Language / 언어"}  # the picker's label, in both languages on purpose


def _shown_text(node: ast.AST) -> bool:
    """Whether ``node`` is text with letters that reaches the screen as it is (not through ``_()``)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = ICON.sub("", node.value)
        return node.value not in ALLOWED and any(c.isalpha() for c in text)
    if isinstance(node, ast.JoinedStr):
        return any(_shown_text(part) for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _shown_text(node.left) or _shown_text(node.right)
    if isinstance(node, ast.IfExp):
        return _shown_text(node.body) or _shown_text(node.orelse)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_shown_text(e) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _shown_text(node.func.value)  # "text {x}".format(...) rather than _("text {x}").format(...)
    return False


def _ui_files():
    return sorted([*(REPO / "pages").glob("*.py"), *(REPO / "ui").glob("*.py"), REPO / "app.py"])


def untranslated_texts(path) -> list[str]:
    """``file:line: text`` of every shown text of ``path`` that skips ``_()``: the first argument of a Streamlit
    element, its help/caption/label/placeholder/title, and the text of ``session.flash(kind, text)``."""
    where = path.relative_to(REPO) if path.is_relative_to(REPO) else path.name
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        shown = []
        if name in ELEMENTS and node.args:
            shown.append(node.args[0])
        if name == "flash" and len(node.args) > 1:
            shown.append(node.args[1])
        if name in ELEMENTS or name in NAMED_ONLY:
            shown += [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        out += [f"{where}:{a.lineno}: {ast.unparse(a)[:80]}" for a in shown if _shown_text(a)]
    return out


def test_every_shown_text_goes_through_the_catalog():
    found = [line for path in _ui_files() for line in untranslated_texts(path)]
    assert not found, "texts shown without _():\n" + "\n".join(found)


def test_the_scan_finds_what_it_should(tmp_path):
    """The scanner itself: each way of writing a bare text is caught, and the allowed forms are not."""
    bad = tmp_path / "bad.py"
    bad.write_text('st.title("Train")\nst.caption(f"step {n}")\nc1.button("A" if x else "B")\n'
                   'st.info("Note: " + msg)\nst.error("Not {x}".format(x=1))\nsession.flash("error", "Oops")\n'
                   'st.slider(_("ok"), help="a help")\nst.tabs(["One", "Two"])\n')
    good = tmp_path / "good.py"
    good.write_text('st.title(_("Train"))\nst.caption(f"{_(v.summary)} ({v.paper})")\nst.form("run_settings")\n'
                    'st.caption(f":material/star: {note}")\nst.segmented_control(f"#{i + 1}", opts, key="k")\n'
                    'st.info(_("x {n}").format(n=1))\nsession.flash("error", _("Oops"))\n')
    assert len(untranslated_texts(bad)) == 8
    assert untranslated_texts(good) == []


def test_no_ui_module_rebinds_the_translation_function():
    """``a, _ = f()`` in a page (or a function of ui/) would turn every later ``_()`` there into a crash."""
    for path in _ui_files():
        tree = ast.parse(path.read_text())
        in_comprehensions = {id(n) for c in ast.walk(tree) if isinstance(c, ast.comprehension)
                             for n in ast.walk(c.target)}
        rebound = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "_"
                   and isinstance(n.ctx, ast.Store) and id(n) not in in_comprehensions]
        rebound += [a.lineno for a in ast.walk(tree) if isinstance(a, ast.arg) and a.arg == "_"]
        assert not rebound, f"{path.relative_to(REPO)} binds _ at lines {rebound}"


# -- the session's language ---------------------------------------------------------------------


@pytest.mark.parametrize("locale, lang", [("ko-KR", "ko"), ("ko", "ko"), ("en-US", "en"), ("fr-FR", "en"),
                                          ("", "en"), (None, "en")])
def test_the_browser_language_picks_the_default(monkeypatch, locale, lang):
    monkeypatch.setattr(i18n.st, "context", SimpleNamespace(locale=locale))
    assert i18n.browser_language() == lang


@pytest.fixture
def fresh_session(monkeypatch, mnist_root, released_resources):
    monkeypatch.setenv("GANLAB_DATA", str(mnist_root))


def korean_app() -> AppTest:
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90)
    at.session_state[Keys.LANGUAGE] = "ko"
    return at.run()


def test_english_is_the_default_without_a_browser(fresh_session):
    """AppTest has no browser locale: the app speaks English (the other tests select widgets by English labels)."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Train"
    assert at.selectbox(key=Keys.LANGUAGE_PICKER).value == "en"


def test_the_train_page_in_korean(fresh_session):
    at = korean_app()
    assert not at.exception, at.exception
    assert at.title[0].value == "학습"
    assert at.selectbox(key=Keys.LANGUAGE_PICKER).value == "ko"  # the picker shows the session's choice
    labels = {b.label for b in at.button}
    assert {"시작", "스텝", "D만", "G만", "초기화"} <= labels
    assert {m.label for m in at.metric} >= {"스텝", "상태", "장치"}
    assert next(m.value for m in at.metric if m.label == "상태") == "준비됨"
    charts = vega_charts(at)
    assert [c["title"] for c in charts] == ["손실", "판별자 출력", "기울기 노름", None]
    # the series are renamed with the columns that hold them: the legend and the data agree
    loss = charts[0]
    fold = next(t["fold"] for layer in loss["parsed"]["layer"] for t in layer.get("transform", []) if "fold" in t)
    assert fold == ["D 손실", "G 손실"]
    rows = next(df for name, df in loss["data"].items() if name.endswith("-rows"))
    assert {"D 손실", "G 손실"} <= set(rows.columns)
    # the trainer's own note (a sentence of the library, made with ganlab.said) is in Korean too
    assert "즉시 실행(eager) 스텝: CUDA 그래프에는 CUDA GPU가 필요합니다. 이 실행은 cpu에서 돌고 있습니다." in [
        c.value for c in at.caption]


# -- the library's sentences (ganlab.said) -----------------------------------------------------


def test_a_sentence_of_the_library_is_translated_by_its_template_with_its_fields(monkeypatch):
    """A said() sentence is its English text anywhere a str goes; _() looks its template up and fills in the
    fields again, a nested sentence translated too; an exception raised with one is translated by reason()."""
    import pickle

    from ganlab import evaluation  # noqa: F401  (describes the figures)
    from ganlab.figures import describe
    from ganlab.said import said
    from ganlab.training.capacity import Busy

    note = said("best so far kept: step {step:,} ({figures})", step=12000,
                figures=describe({"modes_covered": 7, "n_modes": 8, "high_quality": 0.875}))
    assert note == "best so far kept: step 12,000 (Modes covered 7 / 8, High quality 87.5%)"
    assert pickle.loads(pickle.dumps(note)).template == note.template  # crosses to a Ray actor and back whole
    busy = Busy(said("The server is busy: {held} runs are training now (the limit is {limit}). "
                     "Try again in a minute, or use Step to train a step at a time.", held=4, limit=4))
    monkeypatch.setattr(st, "session_state", {Keys.LANGUAGE: "ko"})
    assert i18n._(note) == "지금까지의 최고 상태 보관: 스텝 12,000 (포착한 모드 7 / 8, 고품질 87.5%)"
    assert i18n.reason(busy).startswith("서버가 바쁩니다: 지금 4개의 실행이 학습 중입니다(한도 4개).")
    assert i18n.reason(ValueError("plain words")) == "plain words"  # not said(): shown as it is
    from ganlab.config import ConfigError, default_config
    from ganlab.data.user_data import UploadError, check_name

    with pytest.raises(UploadError) as refused:
        check_name("two words")
    assert i18n.reason(refused.value).startswith("'two words'은(는) 데이터셋 이름이 될 수 없습니다")
    with pytest.raises(ConfigError) as refused:
        default_config("ring8", lr_d=5.0)
    assert "사이여야 합니다. 받은 값: 5.0" in i18n.reason(refused.value)
    monkeypatch.setattr(st, "session_state", {Keys.LANGUAGE: "en"})
    assert i18n._(note) == note


LANGUAGE_ONLY = """
import streamlit as st
from ui import i18n
st.write(i18n.language())
"""


def test_a_run_without_the_browsers_context_keeps_the_language(monkeypatch):
    """A run the server starts itself (st.rerun, a timer) has no st.context.locale: it neither switches a
    Korean session to English nor stores English in a new session; the next run from the browser decides."""
    from ui import i18n

    monkeypatch.setattr(i18n, "browser_locale", lambda: st.session_state.get("fake_locale"))
    at = AppTest.from_string(LANGUAGE_ONLY)
    at.session_state["fake_locale"] = "ko-KR"
    assert at.run().markdown[0].value == "ko"
    at.session_state["fake_locale"] = None  # a run with no browser context
    assert at.run().markdown[0].value == "ko"
    fresh = AppTest.from_string(LANGUAGE_ONLY)  # a session made anew, whose first run has no context
    assert fresh.run().markdown[0].value == "en" and Keys.LANGUAGE not in fresh.session_state
    fresh.session_state["fake_locale"] = "ko-KR"
    assert fresh.run().markdown[0].value == "ko"
    fresh.session_state[Keys.LANGUAGE], fresh.session_state[Keys.LANGUAGE_CHOSEN] = "en", True  # picked English
    assert fresh.run().markdown[0].value == "en"


def test_the_language_picker_switches_and_is_remembered(fresh_session):
    # (AppTest runs app.py, and so draws the picker, on the first run only: it reruns the page by itself)
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=90).run()
    at.selectbox(key=Keys.LANGUAGE_PICKER).select("ko").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "학습"
    at.switch_page("pages/checkpoints.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "체크포인트" and at.session_state[Keys.LANGUAGE] == "ko"
    st.cache_resource.clear()
    at = korean_app()
    at.selectbox(key=Keys.LANGUAGE_PICKER).select("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Train" and at.session_state[Keys.LANGUAGE] == "en"


@pytest.mark.parametrize("path", [path for path, _title, _icon in PAGES])
def test_every_page_renders_in_korean(fresh_session, path):
    at = korean_app()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    assert re.search("[가-힣]", at.title[0].value), f"{path}'s title is not in Korean: {at.title[0].value!r}"


def test_translated_charts_keep_series_and_data_together(monkeypatch):
    """A time chart with folded rows, min-max bands and events, and a Compare chart whose metric is a data
    column: in Korean the legend, the fold, the renamed columns and the string values all agree."""
    import numpy as np

    from ganlab.training.store import FIELDS, MetricsStore
    from ganlab.views.compare import RunView, overlay_spec
    from ganlab.views.time_charts import time_specs

    monkeypatch.setattr(i18n, "language", lambda: "ko")
    store = MetricsStore(fields=FIELDS, recent=100, coarse=50)
    steps = np.arange(1, 3001, dtype=np.float64)
    store.append(np.column_stack([steps] + [np.random.default_rng(0).random(3000) + 0.1] * (len(FIELDS) - 1)))
    store.add_event(10, "D only")
    loss = i18n.translate_spec(time_specs(store.snapshot())[0])
    assert loss["title"]["text"] == "손실"
    layer = next(layer for layer in loss["layer"] if layer.get("transform") and "fold" in layer["transform"][0])
    assert layer["transform"][0]["fold"] == ["D 손실", "G 손실"] == layer["encoding"]["color"]["scale"]["domain"]
    data = loss["datasets"]
    assert {"D 손실", "G 손실"} <= set(data["loss-rows"].column_names)
    assert set(data["loss-bands"].column("series").to_pylist()) == {"D 손실", "G 손실"}  # the bands were folded
    assert data["loss-events"].column("text").to_pylist() == ["D만"]

    view = RunView("run", ("step", "d_loss"), np.ones((3, 2)), {"d_loss": ("D loss", "loss")})
    compared = i18n.translate_spec(overlay_spec([view], "loss"))
    assert set(compared["datasets"]["cmp-loss-rows"].column("metric").to_pylist()) == {"D 손실"}
    monkeypatch.setattr(i18n, "language", lambda: "en")
    english = time_specs(store.snapshot())[0]
    assert i18n.translate_spec(english) is english  # English specs pass through untouched


def test_translated_figures(monkeypatch):
    from ganlab.classroom.bce import bce_curves
    from ganlab.views.plots import bce_figure, norm_figure

    monkeypatch.setattr(i18n, "language", lambda: "ko")
    fig = i18n.translate_figure(bce_figure(bce_curves(), 0.5, None))
    assert [t.name for t in fig.data] == ["y = 1 (진짜)일 때의 비용", "y = 0 (가짜)일 때의 비용", "실시간 실행의 D(x), y = 1 곡선 위"]
    assert fig.layout.xaxis.title.text == "예측 D(.)" and fig.layout.yaxis.title.text == "비용"
    norms = i18n.translate_figure(norm_figure({"lerp": [1.0, 2.0]}, 1.0))
    assert norms.layout.title.text == "경로를 따라간 노름" and norms.layout.annotations[0].text == "사전 분포의 껍질"
