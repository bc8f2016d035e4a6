"""Module boundaries: nothing under ganlab/ imports streamlit, even indirectly; routing imports no torch."""

import subprocess
import sys

from tests.conftest import REPO


def test_library_never_imports_streamlit():
    code = ("import sys, ganlab.cli, ganlab.background, ganlab.plots, ganlab.checkpoint, ganlab.sampling, "
            "ganlab.quality; print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_routing_imports_no_torch():
    """On a fresh server Streamlit first shows every module of pages/ as a sidebar link (its pages-folder
    mode) until app.py calls st.navigation; app.py gets there before any torch import, so the first
    visitor sees those links for a moment instead of the seconds torch takes to import (1.7 s measured)."""
    code = "import sys, pages.routes; print(sorted({'torch', 'ganlab'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
