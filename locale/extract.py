"""Gather every text the app shows into the gettext template (locale/ganlab.pot) and merge it into each
language's catalog (locale/<lang>/LC_MESSAGES/ganlab.po), keeping what is translated.

    .venv/bin/python locale/extract.py

Three sources: the ``_("...")`` calls of app.py, pages/ and ui/ and the ``said("...")`` calls of ganlab/
(Babel's extractor), and the display strings the library defines as plain data (variant titles, metric
labels, chart titles, live figures...; the lessons carry their own English and Korean, lessons.toml), read from its registries here, since ganlab/ never
imports streamlit or ui.i18n.
A new or changed text arrives untranslated (or fuzzy, when Babel finds a close old one);
tests/test_i18n.py fails until each has its translation.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "locale" / "ganlab.pot"
KEYWORDS = {"_": None}
HEADER = ("# The texts of ganlab (Streamlit app: watch a GAN learn), {what}.\n"
          "# Gathered by locale/extract.py from app.py, pages/, ui/ and the library's display strings;\n"
          "# read by ui/i18n.py.")

# Run as a script (`python locale/extract.py`), Python puts locale/ on the path, not the repository
# root, and `python -m locale.extract` would find the standard library's locale instead: the
# repository is not an installed package (pytest reaches it through pyproject's pythonpath).
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def source_messages() -> Iterator[tuple[str, str, int, str]]:
    """(msgid, file, line, comment) of every ``_("...")`` in app.py, pages/ and ui/."""
    found = [("app.py", m) for m in extract_from_file("python", REPO / "app.py", keywords=KEYWORDS)]
    for folder in ("pages", "ui"):
        found += [(f"{folder}/{name}", (lineno, message, comments, context))
                  for name, lineno, message, comments, context in
                  extract_from_dir(REPO / folder, keywords=KEYWORDS, directory_filter=lambda d: "__pycache__" not in d)]
    for path, (lineno, message, comments, _context) in found:
        if isinstance(message, str) and message:
            yield message, path, lineno, " ".join(comments)


def said_messages() -> Iterator[tuple[str, str, int, str]]:
    """(template, file, line, comment) of every ``said("...")`` in ganlab/: the sentences the library says to a
    person (a run's notes, why it stopped), which ``ui.i18n._`` translates by their template."""
    for name, lineno, message, _comments, _context in extract_from_dir(
            REPO / "ganlab", keywords={"said": None}, directory_filter=lambda d: "__pycache__" not in d):
        if isinstance(message, tuple):  # said() with fields: Babel returns the template and a None per field
            message = message[0]
        if isinstance(message, str) and message:
            yield message, f"ganlab/{name}", lineno, "a sentence of the library (ganlab.said); keep its {fields}"


def _panel_captions() -> Iterator[tuple[str, str, int]]:
    """The captions of the variants' ``panels()`` rows (built from a trainer, so read from the source):
    the first string of each (caption, images) pair."""
    for path in sorted((REPO / "ganlab" / "variants").glob("*.py")):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and fn.name == "panels":
                for node in ast.walk(fn):
                    if (isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Constant)
                            and isinstance(node.elts[0].value, str)):
                        yield node.elts[0].value, str(path.relative_to(REPO)), node.lineno


def _stub_args(**options) -> SimpleNamespace:
    """Enough of a ``ModelArgs`` for a variant to name its codes, style blocks and domains."""
    return SimpleNamespace(option=lambda name, default=None: options.get(name, default))


def _figure_texts(fig) -> Iterator[str]:
    """The texts ``ui.i18n.translate_figure`` translates: title, trace names, axis titles, annotations."""
    if fig.layout.title.text:
        yield fig.layout.title.text
    for trace in fig.data:
        if getattr(trace, "name", None):
            yield trace.name
    axes: list = []
    fig.for_each_xaxis(axes.append)
    fig.for_each_yaxis(axes.append)
    yield from (axis.title.text for axis in axes if axis.title.text)
    yield from (note.text for note in fig.layout.annotations if note.text)


def _spec_texts(spec, key=None) -> Iterator[str]:
    """The texts ``ui.i18n.translate_spec`` translates in a Vega-Lite spec."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k != "datasets":
                yield from _spec_texts(v, k)
    elif isinstance(spec, list):
        for v in spec:
            if key in ("fold", "domain"):
                if isinstance(v, str):
                    yield v
            else:
                yield from _spec_texts(v)
    elif isinstance(spec, str) and key in ("title", "text", "datum"):
        yield spec


def library_messages() -> Iterator[tuple[str, str, int | None, str]]:
    """(msgid, where it is defined, line, what it is) of the library's texts that the pages show."""
    import numpy as np

    import ganlab.evaluation.live  # noqa: F401  (describes its figure)
    import ganlab.evaluation.quality  # noqa: F401  (describes its figures)
    from ganlab import config, figures, variants
    from ganlab.data import catalog
    from ganlab.classroom.bce import bce_curves
    from ganlab.data.datasets import class_names
    from ganlab.training.run_state import PHASE_TEXT
    from ganlab.training.store import MetricsStore, fields_for
    from ganlab.variants.base import CHART_GROUPS
    from ganlab.views import plots
    from ganlab.views.compare import RunView, overlay_spec, quality_overlay_spec
    from ganlab.views.lab_plots import LAYERS
    from ganlab.views.time_charts import time_specs
    from ui import controls, live, routes, session

    for v in variants.all_variants():
        where = f"ganlab/variants ({v.key})"
        yield v.title, where, None, "variant title"
        yield v.summary, where, None, "variant summary"
        yield v.class_handle, where, None, "what the variant's class input is called"
        for m in v.metrics:
            yield m.label, where, None, f"metric label ({m.name})"
        for code in v.codes(_stub_args(cont_codes=2)):
            yield code.label, where, None, "latent code"
        for block in v.style_blocks(_stub_args()):
            yield block, where, None, "style block"
        for name in catalog.DATASETS:
            t = v.translation(_stub_args(domain_a=name, domain_b=name))
            for domain in (t.a, t.b) if t is not None else ():
                if domain not in catalog.DATASETS:  # a dataset's own name ("ring8") is a registry key
                    yield domain, where, None, "translation domain"
    for caption, path, lineno in _panel_captions():
        yield caption, path, lineno, "panel caption (Train page)"
    for group in CHART_GROUPS.values():
        yield group.title, "ganlab/variants/base.py", None, "chart title"
    for f in figures.described({key: 0 for key in figures._REGISTRY}):  # every live figure, as described
        for text, what in ((f.label, "live figure"), (f.about, "live figure help"), (f.series, "quality series"),
                           (f.chart, "quality chart title")):
            if text:
                yield text, "ganlab/figures.py (registered)", None, what
    for text in PHASE_TEXT.values():
        yield text, "ganlab/training/run_state.py", None, "slow-motion phase"
    for layer in LAYERS:
        yield layer, "ganlab/views/lab_plots.py", None, "lab view layer"
    for event in ("D only", "G only", "G starts", "diverged", "rates fall", "rates settled"):  # the trainer's fixed event marks (ganlab/training/trainer.py)
        yield event, "ganlab/training/trainer.py", None, "chart event mark"
    for name in class_names("fashion-mnist", 10):
        yield name, "ganlab/data/datasets.py", None, "Fashion-MNIST class"
    from ganlab.explore.traits import TRAIT_ABOUT

    for name, about in TRAIT_ABOUT.items():
        yield name, "ganlab/explore/traits.py", None, "a trait a translation may keep"
        yield about, "ganlab/explore/traits.py", None, f"what the trait {name} measures"
    for name, spec in config.field_specs().items():
        for key in ("label", "help"):
            if spec.get(key):
                yield spec[key], "ganlab/config.py", None, f"setting {key} ({name})"
    # chart texts: the time charts of every variant (axis titles, the equilibrium mark), the Compare charts
    for v in variants.all_variants():
        store = MetricsStore(fields=fields_for(v))
        for spec in time_specs(store.snapshot(), metrics=v.metrics):
            for text in _spec_texts(spec):
                yield text, "ganlab/views/time_charts.py", None, "time chart text"
    view = RunView("run", ("step", "d_loss"), np.ones((2, 2)), {"d_loss": ("D loss", "loss")},
                   [(1, {"high_quality": 0.5})])
    for spec in (overlay_spec([view], "loss"), quality_overlay_spec([view])):
        for text in _spec_texts(spec):
            yield text, "ganlab/views/compare.py", None, "compare chart text"
    # Plotly figures, built on a little data
    xy = np.zeros((4, 2))
    tally = {"truth": [True, False], "real_share": [0.5, None], "d_real": [0.7, 0.2], "accuracies": [0.5],
             "class_accuracy": 0.5, "d_accuracy": 0.5}
    for fig in (plots.canvas_figure(xy, xy[:1], 2.0), plots.bce_figure(bce_curves(), 0.5, 0.5),
                plots.norm_figure({"lerp": np.ones(3), "slerp": np.ones(3)}, 1.0),
                plots.path_figure(xy, xy, xy, extent=2.0), plots.cycle_figure(xy, xy, xy, xy),
                plots.quiz_results(tally)):
        for text in _figure_texts(fig):
            yield text, "ganlab/views/plots.py", None, "figure text"
    # the UI's own registries of display strings (plain data, translated where drawn)
    for path, title, _icon in routes.PAGES:
        yield title, "ui/routes.py", None, f"page title ({path})"
    for label in controls.LABELS.values():
        yield label, "ui/controls.py", None, "setting label"
    for group in controls.GROUPS:
        yield group, "ui/controls.py", None, "settings group"
    for shown in live.STEPS_SHOWN:
        yield shown, "ui/live.py", None, "time chart span"
    for speed in session.SPEEDS:
        yield speed, "ui/session.py", None, "speed"


def translatable(text: str) -> bool:
    """Whether ``text`` has a word to translate: symbols and formulas ("G(a)", "D_A(F(b))", "A") are the same
    in every language (a word: two letters or more)."""
    return bool(re.search(r"[^\W\d_]{2,}", text))


def template() -> Catalog:
    """The template catalog: every text the app shows, with where it comes from."""
    catalog = Catalog(domain="ganlab", project="ganlab", version="0.1.0", charset="utf-8", fuzzy=False,
                      header_comment=HEADER.format(what="the template"))
    for messages in (source_messages(), said_messages(), library_messages()):
        for msgid, path, lineno, comment in messages:
            if not (msgid and translatable(msgid)):
                continue
            # a msgid met again gets this location and comment added
            catalog.add(msgid, locations=[(path, lineno)], auto_comments=[comment] if comment else [])
            # no %-formatting anywhere: Babel's guess ("95.3% high" looks like "%h") would mislead a PO editor
            catalog.get(msgid).flags.discard("python-format")
    return catalog


def merge(template_catalog: Catalog, lang: str) -> Catalog:
    """``lang``'s catalog updated to the template: new texts added, gone ones made obsolete, translations kept."""
    from ui.i18n import catalog_path

    path = catalog_path(lang)
    if path.is_file():
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang, domain="ganlab")
    else:
        catalog = Catalog(locale=lang, domain="ganlab", project="ganlab", version="0.1.0", charset="utf-8",
                          fuzzy=False, header_comment=HEADER.format(what=f"in {lang}"))
    catalog.update(template_catalog, update_creation_date=False)
    for message in catalog:
        if message.id:
            message.flags.discard("python-format")
    return catalog


def main() -> None:
    from ui.i18n import LANGUAGES, SOURCE, catalog_path

    tmpl = template()
    with TEMPLATE.open("wb") as f:
        write_po(f, tmpl, width=120, omit_header=False)
    print(f"{TEMPLATE.relative_to(REPO)}: {len(tmpl)} messages")
    for lang in LANGUAGES:
        if lang == SOURCE:
            continue
        catalog = merge(tmpl, lang)
        path = catalog_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=120, ignore_obsolete=True)
        done = sum(1 for m in catalog if m.id and m.string and not m.fuzzy)
        print(f"{path.relative_to(REPO)}: {done} of {len(catalog)} translated")


if __name__ == "__main__":
    main()
