"""Shared fixtures: the real MNIST beside the repository, small IDX files, clean threads."""

from __future__ import annotations

import gzip
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from harness.paths import REPO, SHARED_DATA, os_thread_ids  # noqa: F401 (tests import them from here too)

# Production hides error details from the page (.streamlit/config.toml); tests want to read them.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")
# Runs the tests record (the app's sessions, the CLI's subprocesses) go to a database of the test session's own.
if "GANLAB_RUNS_DB" not in os.environ:
    import tempfile

    os.environ["GANLAB_RUNS_DB"] = str(Path(tempfile.mkdtemp(prefix="ganlab-test-runs-")) / "runs.sqlite")
# Pages tested in this process (AppTest) train on threads of the test process, quickly and deterministically;
# a real server (harness/app_server.py) starts its own pool of worker processes, as the app does by default.
os.environ.setdefault("GANLAB_WORKERS", "0")
# The real datasets: $GANLAB_DATA (torchvision's layout), else ../shared/data beside the clone. A test that needs
# one and finds none skips with its reason (mnist_root, fashion_root_real).
os.environ.setdefault("GANLAB_DATA", str(SHARED_DATA))  # what the pages tested in this process read


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def mnist_root() -> Path:
    """The real MNIST files in torchvision's layout (../shared/data/MNIST/raw)."""
    raw = SHARED_DATA / "MNIST" / "raw"
    if not (raw / "train-images-idx3-ubyte.gz").is_file():
        pytest.skip(f"needs the real MNIST at {raw} (set GANLAB_DATA to a folder holding MNIST/raw/)")
    return SHARED_DATA


@pytest.fixture
def released_resources():
    """AppTest reuses one session id: the session-scoped resources (a run, its pool handle) are released before
    and after a page test."""
    import streamlit as st

    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def fashion_data() -> Path:
    """A data folder where the real Fashion-MNIST loads: ../shared/data (or $GANLAB_DATA), or Debian's
    dataset-fashion-mnist package, which ganlab finds by itself."""
    from ganlab.data.catalog import system_folder

    if (SHARED_DATA / "FashionMNIST" / "raw" / "train-images-idx3-ubyte.gz").is_file():
        return SHARED_DATA
    if (system_folder("fashion-mnist") / "train-images-idx3-ubyte.gz").is_file():
        return SHARED_DATA
    pytest.skip("needs the real Fashion-MNIST: apt-get install dataset-fashion-mnist, or FashionMNIST/raw/ under "
                "GANLAB_DATA")


def write_idx(path: Path, array: np.ndarray, *, compress: bool = False) -> None:
    """Write a uint8 array as an IDX file (the MNIST format), optionally gzipped."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 8, array.ndim]) + b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    data = header + array.tobytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress:
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)


@pytest.fixture
def fashion_root(tmp_path) -> Path:
    """A tiny Fashion-MNIST in torchvision's layout: 40 train and 20 test images, two bright classes."""
    rng = np.random.default_rng(0)
    raw = tmp_path / "FashionMNIST" / "raw"
    for split, n in (("train", 40), ("t10k", 20)):
        labels = np.arange(n) % 10
        images = rng.integers(0, 256, size=(n, 28, 28))
        write_idx(raw / f"{split}-images-idx3-ubyte", images)
        write_idx(raw / f"{split}-labels-idx1-ubyte", labels)
    return tmp_path


def trainer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "ganlab-trainer" and t.is_alive()]


@pytest.fixture(autouse=True)
def no_trainer_threads_left():
    """Every test must leave no trainer thread running."""
    yield
    from ganlab.training.background import live_runs

    for run in live_runs():
        run.stop()
    assert not trainer_threads(), "a trainer thread outlived its test"


def vega_charts(at) -> list[dict]:
    """An AppTest page's Vega-Lite charts: title (None for the lab view, whose title is the page's),
    the spec as sent (datasets are sent apart from it), the spec parsed, each named dataset as a
    DataFrame, and the params declared selections."""
    import json

    from streamlit import dataframe_util

    charts = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        data = {d.name: dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in el.proto.datasets}
        charts.append({"title": spec.get("title", {}).get("text"), "spec": el.proto.spec, "parsed": spec,
                       "data": data, "selections": list(el.proto.selection_mode)})
    return charts


# -- the browser tests' Chromium and tabs (harness/browsing.py) -----------------------------------------


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, one for the whole session; the browser tests are skipped without it."""
    from harness.app_server import CHROMIUM, launch_chromium

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is missing: apt-get install chromium (.ci/run installs it)")
    playwright = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright")
    with playwright.sync_playwright() as p:
        b = launch_chromium(p, "--disable-quic", "--no-first-run", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync")
        yield b
        b.close()


@pytest.fixture(autouse=True)
def close_tabs_left_open(request):
    """A test that fails part-way leaves its tabs (and their sessions' runs) open: keep a screenshot of what
    each showed, then close them, so the next test on the same server does not inherit a running run."""
    yield
    from harness.browsing import ARTIFACTS, OPEN_TABS

    report = getattr(request.node, "report_call", None)
    for i, page in enumerate(OPEN_TABS):
        if report is not None and report.failed and not page.is_closed():
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}-{i}.png"), full_page=True)
    while OPEN_TABS:
        page = OPEN_TABS.pop()
        if not page.is_closed():
            page.close()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """`streamlit run app.py` on a free port as the app runs by default (its pool of workers), with a run
    database and user folders of its own; sessions of closed tabs are dropped after 2 s. Yields (url, pid,
    the environment it was given)."""
    from harness.app_server import streamlit_server

    root = tmp_path_factory.mktemp("app-server")
    env = {"GANLAB_DATA": str(SHARED_DATA), "GANLAB_RUNS_DB": str(root / "runs.sqlite"),
           "GANLAB_USER_DATA": str(root / "user-data"), "GANLAB_USER_CHECKPOINTS": str(root / "user-checkpoints")}
    with streamlit_server("--server.disconnectedSessionTTL", "2", env=env) as (url, pid):
        yield url, pid, env
