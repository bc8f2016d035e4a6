"""How much of a Chromium page load under load is the Train page's, and how much any Streamlit page's.

    python -m benchmarks.load_floor [--sessions 30] [--loads 10] [--pin]

Starts ganlab's server and a second Streamlit server whose whole page is a title and a Start button
(written to a temporary folder). Chromium loads the two pages in turn, each in a fresh context (empty
cache, new session), timed from navigation to a visible Start button, as `tests/test_load.py` times
them: first with nobody else on, then with ``--sessions`` websocket sessions on ganlab's server (even
ones training ring8, odd ones after Step x10, all refreshing their live fragments like open tabs).
The one-button page's time is the floor that no change to ganlab's pages can go below on this machine.

``--pin`` puts both servers on CPU core 0 and this script, its sessions and Chromium on the other
cores: the browser on cores of its own, as far as one machine allows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from harness.app_server import launch_chromium, streamlit_server  # noqa: E402
from harness.browsing import browser_load, p95  # noqa: E402
from harness.ws_session import WsSession, classroom  # noqa: E402

ONE_BUTTON = 'import streamlit as st\n\nst.title("One button")\nst.button("Start")\n'


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--loads", type=int, default=10)
    ap.add_argument("--pin", action="store_true")
    a = ap.parse_args()
    cores = os.sched_getaffinity(0)
    if a.pin:
        os.sched_setaffinity(0, {min(cores)})  # the servers inherit it
    env = {"GANLAB_MAX_TRAINERS": str(a.sessions)}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "app.py").write_text(ONE_BUTTON)
        with streamlit_server(env=env) as (url, _), streamlit_server(cwd=Path(tmp)) as (bare_url, _):
            if a.pin:
                os.sched_setaffinity(0, cores - {min(cores)})  # this script, its sessions, Chromium
            with sync_playwright() as p:
                browser = launch_chromium(p)
                first = WsSession(url, live=False)  # the server's first page imports torch
                first.start()
                first.wait_loaded()
                first.close()
                for page_url in (url, bare_url):  # warm-up
                    browser_load(browser, page_url)
                idle = {"train": [], "one button": []}
                for _ in range(4):
                    idle["train"].append(browser_load(browser, url))
                    idle["one button"].append(browser_load(browser, bare_url))
                sessions = classroom(url, a.sessions)
                time.sleep(5)
                loaded = {"train": [], "one button": []}
                for _ in range(a.loads):
                    loaded["train"].append(browser_load(browser, url))
                    loaded["one button"].append(browser_load(browser, bare_url))
                for s in sessions:
                    s.close()
                browser.close()
    print(f"Chromium, navigation to a visible Start button, s{' (servers on core 0, browser on the rest)' if a.pin else ''}\n\n"
          f"| page | nobody else on, median | with {a.sessions} sessions, median | p95 | max |\n| --- | --- | --- | --- | --- |")
    for name in ("train", "one button"):
        xs = loaded[name]
        print(f"| {name} | {statistics.median(idle[name]):.2f} | {statistics.median(xs):.2f} | {p95(xs):.2f} "
              f"| {max(xs):.2f} |")


if __name__ == "__main__":
    main()
