"""How long the Train page takes to load in Chromium with nobody else on the server.

    python -m benchmarks.page_load [--loads 6]

Starts `streamlit run app.py`; after one warm-up load, each load is a fresh browser context (empty
cache, new session): seconds from navigation to a visible Start button, and to all four charts
(three time charts and the lab view) drawn. For each load it also counts the files the browser
fetched up to the Start button, and gives their median wait in Chromium's queue (at most 6 requests
go to one host at a time) and the server's median time to first byte.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from harness.app_server import launch_chromium, streamlit_server  # noqa: E402

CHARTS = "document.querySelectorAll('.js-plotly-plot, .vega-embed').length >= 4"


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--loads", type=int, default=6)
    a = ap.parse_args()
    start, charts, fetched = [], [], []
    with streamlit_server() as (url, _), sync_playwright() as p:
        b = launch_chromium(p)
        for i in range(a.loads + 1):
            ctx = b.new_context(viewport={"width": 1200, "height": 900})
            page = ctx.new_page()
            done = []
            page.on("requestfinished", lambda r: done.append(r))
            t0 = time.perf_counter()
            page.goto(url)
            page.get_by_role("button", name="Start").wait_for(timeout=60000)
            t1 = time.perf_counter()
            timings = [r.timing for r in done if r.timing["requestStart"] >= 0]  # -1: not sent over the network
            page.wait_for_function(CHARTS, timeout=60000)
            t2 = time.perf_counter()
            if i:  # the first load is the warm-up
                start.append(t1 - t0)
                charts.append(t2 - t0)
                fetched.append((len(timings), statistics.median(t["requestStart"] for t in timings),
                                statistics.median(t["responseStart"] - t["requestStart"] for t in timings)))
            ctx.close()
        b.close()
    print("| loads | Start visible, median s | all charts drawn, median s | each load, Start / charts |\n"
          "| --- | --- | --- | --- |\n"
          f"| {a.loads} | {statistics.median(start):.2f} | {statistics.median(charts):.2f} | "
          + ", ".join(f"{s:.2f}/{c:.2f}" for s, c in zip(start, charts)) + " |")
    print("\n| load | files fetched by the Start button | median wait in the browser, ms | median time to first byte, ms |\n"
          "| --- | --- | --- | --- |")
    for i, (n, queued, ttfb) in enumerate(fetched, 1):
        print(f"| {i} | {n} | {queued:.0f} | {ttfb:.0f} |")


if __name__ == "__main__":
    main()
