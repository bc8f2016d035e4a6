"""Thirty sessions against one server: it keeps answering, pages load, sessions stay apart, and all is released."""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import urllib.request

import pytest

from tests.app_server import rss_mb
from tests.test_browser import ARTIFACTS, trainer_threads, trainer_threads_left
from tests.test_browser import browser as _browser_fixture
from tests.test_browser import server as _server_fixture
from tests.ws_session import WsSession

SESSIONS = int(os.environ.get("GANLAB_LOAD_SESSIONS", "30"))

browser = _browser_fixture  # Debian's Chromium, one per module
server = _server_fixture  # same fixture: `streamlit run app.py` on a free port, torn down afterwards


@pytest.fixture(scope="module", autouse=True)
def allow_thirty_trainers(tmp_path_factory):
    """Read by the server the fixture starts: thirty trainers at once, and a run database of its own."""
    wanted = {"GANLAB_MAX_TRAINERS": str(SESSIONS),
              "GANLAB_RUNS_DB": str(tmp_path_factory.mktemp("load-db") / "runs.sqlite")}
    old = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    yield wanted["GANLAB_RUNS_DB"]
    for key, value in old.items():
        if value is None:
            del os.environ[key]
        else:
            os.environ[key] = value


class Prober(threading.Thread):
    """Fetches the app's front page and health endpoint every quarter second, timing each answer."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.times, self.halt = url, [], threading.Event()

    def run(self):
        while not self.halt.is_set():
            for path in ("/", "/_stcore/health"):
                t0 = time.perf_counter()
                try:
                    urllib.request.urlopen(self.url + path, timeout=30).read()
                    self.times.append(time.perf_counter() - t0)
                except OSError:
                    self.times.append(float("inf"))
            self.halt.wait(0.25)


def p95(values):
    return sorted(values)[max(0, int(0.95 * len(values)) - 1)]


BROWSER_LOADS = 10


def browser_load(browser, url, shot: str | None = None) -> float:
    """Seconds from navigation to a usable Start button, in a fresh context (empty cache, new session)."""
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    t0 = time.perf_counter()
    page.goto(url)
    page.get_by_role("button", name="Start").wait_for(timeout=60000)
    seconds = time.perf_counter() - t0
    if shot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot))
    ctx.close()
    return seconds


def test_thirty_sessions(allow_thirty_trainers, server, browser):
    """Thirty real sessions over the app's websocket, each training, with their fragments refreshing as
    open tabs do; meanwhile new sessions load the full page over the websocket and in Chromium."""
    url, pid = server
    t_start = time.perf_counter()
    sessions, ws_load_s = [], []
    prober = Prober(url)
    prober.start()
    rss_start = None
    warm = WsSession(url, live=False)  # the server's first page imports torch and the app: timed on its own
    warm.start()
    first_page_s = warm.wait_loaded()
    warm.close()
    idle_load_s = [browser_load(browser, url) for _ in range(3)]  # the same page load with nobody else on
    for i in range(SESSIONS):
        s = WsSession(url, live=True)  # reruns its fragments every 0.5 s / 1.5 s, like an open Train tab
        s.start()
        ws_load_s.append(s.wait_loaded())
        if rss_start is None:
            rss_start = rss_mb(pid)
        s.press("Start" if i % 2 == 0 else "Step x10")  # half train continuously, half take exactly ten steps
        sessions.append(s)
    time.sleep(5)
    held = trainer_threads(pid)
    # While all thirty are open, newcomers load the page: over the websocket, and in a real browser.
    for _ in range(10):
        s = WsSession(url, live=False)
        s.start()
        ws_load_s.append(s.wait_loaded())
        s.close()
    browser_load_s = []
    for i in range(BROWSER_LOADS):
        browser_load_s.append(browser_load(browser, url, shot="load-newcomer.png" if i == 0 else None))
    prober.halt.set()
    prober.join()
    steps = []
    for s in sessions:  # each session's own page, rerun in full: its own run is still there
        s.rerun()
        steps.append(s.step())
    rss_loaded = rss_mb(pid)
    errors = [repr(s.error) for s in sessions if s.error is not None]
    reruns = sum(s.fragment_reruns for s in sessions)
    for s in sessions:
        s.close()
    left = trainer_threads_left(pid, timeout=60)
    # what the sessions took goes back to the OS once the server drops them (ganlab.training.memory)
    kept_limit = rss_start + max(50.0, 0.4 * (rss_loaded - rss_start))  # 50 MB: RSS's own jitter
    deadline = time.time() + 30
    while rss_mb(pid) > kept_limit and time.time() < deadline:
        time.sleep(1)
    rss_after = rss_mb(pid)
    figures = {"sessions": SESSIONS, "trainer_threads_while_open": held, "trainer_threads_after_close": left,
               "fragment_reruns_served": reruns,
               "http_answers": len(prober.times), "http_answer_s_median": round(statistics.median(prober.times), 3),
               "http_answer_s_p95": round(p95(prober.times), 3), "http_answer_s_max": round(max(prober.times), 3),
               "server_first_page_s": round(first_page_s, 2),
               "ws_page_loads": len(ws_load_s), "ws_page_load_s_median": round(statistics.median(ws_load_s), 3),
               "ws_page_load_s_p95": round(p95(ws_load_s), 3), "ws_page_load_s_max": round(max(ws_load_s), 3),
               "browser_page_load_s_nobody_else": [round(x, 2) for x in idle_load_s],
               "browser_page_loads": len(browser_load_s),
               "browser_page_load_s_median": round(statistics.median(browser_load_s), 2),
               "browser_page_load_s_p95": round(p95(browser_load_s), 2),
               "browser_page_load_s_max": round(max(browser_load_s), 2),
               "server_rss_mb_first_session": round(rss_start), "server_rss_mb_all_sessions": round(rss_loaded),
               "server_rss_mb_after_close": round(rss_after), "steps_of_training_sessions": steps[::2],
               "seconds": round(time.perf_counter() - t_start), "errors": errors}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))
    assert not errors, figures
    assert held == SESSIONS, figures
    for i, step in enumerate(steps):
        if i % 2:
            assert step == 10, f"session {i} should show exactly its own 10 steps, shows {step}"
        else:
            assert step > 10, f"training session {i} did not advance"
    assert left == 0, "trainer threads outlived their sessions"
    # the run database took every session's writes at once (the runs recorded as they trained and as they stopped)
    import sqlite3

    from ganlab.persist.runs_db import RunsDB

    db_path = allow_thirty_trainers
    recorded = RunsDB(db_path).runs(1000)
    assert len(recorded) >= SESSIONS, f"{len(recorded)} runs recorded for {SESSIONS} sessions"
    assert sum(r.steps >= 10 for r in recorded) >= SESSIONS, [(r.id, r.steps, r.status) for r in recorded]
    with sqlite3.connect(db_path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # without ganlab.training.memory 27% came back here (215 of 294 MB kept), with it all of it; see docs/reliability.md
    assert rss_after <= kept_limit, f"the server kept {rss_after - rss_start:.0f} of the {rss_loaded - rss_start:.0f} MB its sessions took"
    assert p95(prober.times) < 2.0, figures  # the server keeps answering
    assert p95(ws_load_s) < 2.0, figures  # a whole page (every element of the Train page) under 2 s
    # Chromium draws the page on the same 2 cores as the server and every trainer; reported in
    # docs/reliability.md, bounded here only against a hang.
    assert p95(browser_load_s) < 20.0, figures
