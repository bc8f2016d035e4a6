"""Thirty sessions against one server: it keeps answering, pages load, sessions stay apart, and all is released."""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import threading
import time
import urllib.request

import pytest

from ganlab.persist.runs_db import RunsDB
from harness.app_server import rss_mb
from harness.browsing import ARTIFACTS, browser_load, open_tab, p95, step_of, until
from harness.ws_session import WsSession

SESSIONS = int(os.environ.get("GANLAB_LOAD_SESSIONS", "30"))
pytestmark = [pytest.mark.browser, pytest.mark.slow]


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


BROWSER_LOADS = 10


def test_thirty_sessions(app_server, browser):
    """Thirty real sessions over the app's websocket, each with its run on the server's pool of workers, their
    fragments refreshing as open tabs do: every one trains (none is turned away) or takes exactly its own ten
    steps; meanwhile newcomers load the page over the websocket and in Chromium, and a newcomer's run trains;
    every run stops when its session ends, and the run database took every session's writes. How fast and how
    much memory: benchmarks/cluster_load.py (docs/deploy.md); here only what must always hold."""
    url, pid, env = app_server
    t_start = time.perf_counter()
    sessions, ws_load_s = [], []
    prober = Prober(url)
    prober.start()
    warm = WsSession(url, live=False)  # the server's first page starts the pool: timed on its own
    warm.start()
    first_page_s = warm.wait_loaded(120)
    warm.close()
    for i in range(SESSIONS):
        s = WsSession(url, live=True)  # reruns its fragments every 0.5 s / 1.5 s, like an open Train tab
        s.start()
        ws_load_s.append(s.wait_loaded(120))
        s.press("Start" if i % 2 == 0 else "Step x10", timeout=120)  # half train on, half take exactly ten steps
        sessions.append(s)
    # While all thirty are open, newcomers load the page: over the websocket, and in a real browser.
    for _ in range(10):
        s = WsSession(url, live=False)
        s.start()
        ws_load_s.append(s.wait_loaded(120))
        s.close()
    browser_load_s = [browser_load(browser, url, shot="load-newcomer.png" if i == 0 else None)
                      for i in range(BROWSER_LOADS)]
    newcomer = open_tab(browser, url, start=True)
    newcomer.get_by_role("button", name="Start").click()
    newcomer_trains = until(lambda: step_of(newcomer) > 0, 60)
    newcomer.get_by_role("button", name="Pause").click()
    newcomer.close()
    prober.halt.set()
    prober.join()
    steps = []
    for s in sessions:  # each session's own page, rerun in full: its own run is still there
        s.rerun(120)
        steps.append(s.step())
    errors = [repr(s.error) for s in sessions if s.error is not None]
    reruns = sum(s.fragment_reruns for s in sessions)
    for s in sessions:
        s.close()
    db = RunsDB(env["GANLAB_RUNS_DB"])
    all_stopped = until(lambda: all(r.status in ("stopped", "finished") for r in db.runs(1000)), 60)
    figures = {"sessions": SESSIONS, "fragment_reruns_served": reruns, "newcomer_trains": newcomer_trains,
               "http_answers": len(prober.times), "http_answer_s_median": round(statistics.median(prober.times), 3),
               "http_answer_s_p95": round(p95(prober.times), 3), "http_answer_s_max": round(max(prober.times), 3),
               "server_first_page_s": round(first_page_s, 2),
               "ws_page_loads": len(ws_load_s), "ws_page_load_s_median": round(statistics.median(ws_load_s), 3),
               "ws_page_load_s_p95": round(p95(ws_load_s), 3), "ws_page_load_s_max": round(max(ws_load_s), 3),
               "browser_page_loads": len(browser_load_s),
               "browser_page_load_s_median": round(statistics.median(browser_load_s), 2),
               "browser_page_load_s_p95": round(p95(browser_load_s), 2),
               "server_rss_mb": round(rss_mb(pid)), "steps_of_training_sessions": steps[::2],
               "seconds": round(time.perf_counter() - t_start), "errors": errors}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "load.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))
    assert not errors, figures
    for i, step in enumerate(steps):
        if i % 2:
            assert step == 10, f"session {i} should show exactly its own 10 steps, shows {step}"
        else:
            assert step > 10, f"training session {i} did not advance"
    assert newcomer_trains, "a newcomer's run should train while thirty others do"
    assert max(prober.times) < float("inf"), "the server stopped answering"
    recorded = db.runs(1000)
    assert len(recorded) >= SESSIONS, f"{len(recorded)} runs recorded for {SESSIONS} sessions"
    assert sum(r.steps >= 10 for r in recorded) >= SESSIONS, [(r.id, r.steps, r.status) for r in recorded]
    assert all_stopped, [(r.id, r.status) for r in db.runs(1000) if r.status not in ("stopped", "finished")]
    with sqlite3.connect(env["GANLAB_RUNS_DB"]) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
