"""Module boundaries: nothing under ganlab/ imports streamlit, even indirectly; routing imports no torch."""

import subprocess
import sys

from tests.conftest import REPO


def test_library_never_imports_streamlit():
    """Every module of the library, imported in a fresh interpreter, leaves streamlit unimported."""
    code = ("import importlib, pkgutil, sys, ganlab\n"
            "names = [m.name for m in pkgutil.walk_packages(ganlab.__path__, 'ganlab.') if m.name != 'ganlab.__main__']\n"
            "for name in names: importlib.import_module(name)\n"
            "print(len(names), 'streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    count, imported = out.stdout.split()
    assert int(count) > 30 and imported == "False"


def test_every_library_folder_says_what_it_holds():
    """A subpackage per layer, each with a one-line docstring (STYLE.md: a layout that shows the architecture)."""
    folders = [p for p in (REPO / "ganlab").iterdir() if p.is_dir() and p.name != "__pycache__"]
    assert len(folders) >= 6
    for folder in folders + [REPO / "ui"]:
        init = folder / "__init__.py"
        assert init.is_file() and init.read_text().startswith('"""'), folder


def test_pages_holds_page_scripts_only():
    """The UI helpers live in ui/; every file in pages/ is a page that app.py routes to."""
    from ui.routes import PAGES

    routed = {path for path, _, _ in PAGES}
    assert {f"pages/{p.name}" for p in (REPO / "pages").glob("*.py")} == routed


def test_routing_imports_no_torch():
    """On a fresh server Streamlit first shows every module of pages/ as a sidebar link (its pages-folder
    mode) until app.py calls st.navigation; app.py gets there before any torch import, so the first
    visitor sees those links for a moment instead of the seconds torch takes to import (1.7 s measured)."""
    code = ("import sys, ui.routes; print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('ganlab')"
            " and m not in ('ganlab', 'ganlab.said')))")  # ganlab.said: the library's sentences, plain Python
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
