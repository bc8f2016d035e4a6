"""The library stays UI-free: nothing under ganlab/ imports streamlit, even indirectly."""

import subprocess
import sys

from tests.conftest import REPO


def test_library_never_imports_streamlit():
    code = ("import sys, ganlab.cli, ganlab.background, ganlab.plots, ganlab.checkpoint, ganlab.sampling, "
            "ganlab.quality; print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
