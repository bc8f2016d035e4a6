"""Training speed with the Train page open in a real browser vs headless, side by side in one run.

    python -m benchmarks.ui_overhead [--data ring8] [--seconds 20] [--rounds 3] [--warm 3] [--client ws]

Headless: the library's Trainer for the same number of seconds in this process.
Browser: `streamlit run app.py` with Debian's Chromium (Playwright) on the Train page,
Start pressed; steps counted from the page's step counter over the same window.
``--warm`` seconds of training with the page open come before the browser's window (and as long
a run before the headless one): an older run has fuller charts, which cost the browser more to
redraw. The two alternate, ``--rounds`` times, so a machine whose speed drifts during the run (a
shared one does) weighs on both sides alike; the ratio is of the totals.

``--client ws`` opens the page with a websocket client instead (``harness/ws_session.py``, ring8
only): it asks for every fragment rerun as an open tab does but draws nothing, so it measures the
server's part of the page's cost without the browser's.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from harness.app_server import launch_chromium, streamlit_server  # noqa: E402
from harness.browsing import step_of as _step  # noqa: E402
from harness.ws_session import WsSession  # noqa: E402


def headless(data: str, seconds: float, threads: int, warm: float) -> float:
    import torch

    from ganlab.config import default_config
    from ganlab.training.trainer import Trainer

    torch.set_num_threads(threads)
    t = Trainer(default_config(data))
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < warm:
        t.run(20)
    start, t0 = t.step, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        t.run(20)
    return (t.step - start) / (time.perf_counter() - t0)


def steps_per_second(read_step, seconds: float, warm: float) -> float:
    """The rate a page's step counter shows over ``seconds``, after ``warm`` seconds of training."""
    time.sleep(warm)
    s0, t0 = read_step(), time.perf_counter()
    time.sleep(seconds)
    return (read_step() - s0) / (time.perf_counter() - t0)


def in_browser(data: str, seconds: float, warm: float) -> float:
    from playwright.sync_api import sync_playwright

    with streamlit_server() as (url, _), sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url)
        if data != "ring8":
            page.get_by_role("combobox", name="Dataset").click()
            page.get_by_role("option", name=data, exact=True).click()
            page.get_by_role("button", name="Start").wait_for()
        page.get_by_role("button", name="Start").click()
        page.get_by_role("button", name="Pause").wait_for()
        rate = steps_per_second(lambda: _step(page), seconds, warm)
        b.close()
    return rate


def over_websocket(data: str, seconds: float, warm: float) -> float:
    if data != "ring8":
        raise SystemExit("--client ws opens the app's first dataset only: use --data ring8")
    with streamlit_server() as (url, _):
        session = WsSession(url)
        session.start()
        session.wait_loaded()
        session.press("Start")
        rate = steps_per_second(session.step, seconds, warm)
        session.close()
    return rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="ring8")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warm", type=float, default=3)
    ap.add_argument("--client", choices=("chromium", "ws"), default="chromium")
    a = ap.parse_args()
    page_open = in_browser if a.client == "chromium" else over_websocket
    from ganlab.training.capacity import interactive_threads

    n = interactive_threads()  # the app trains with this many torch threads; headless gets the same
    client = "Chromium" if a.client == "chromium" else "a websocket client"
    print(f"| data | round | torch threads | headless steps/s | Train page open in {client}, steps/s | ratio |\n"
          "| --- | --- | --- | --- | --- | --- |", flush=True)
    hs, opened = [], []
    for r in range(1, a.rounds + 1):
        hs.append(headless(a.data, a.seconds, n, a.warm))
        opened.append(page_open(a.data, a.seconds, a.warm))
        print(f"| {a.data} | {r} | {n} | {hs[-1]:.0f} | {opened[-1]:.0f} | {opened[-1] / hs[-1]:.2f} |", flush=True)
    h, w = sum(hs) / len(hs), sum(opened) / len(opened)
    print(f"| {a.data} | all {a.rounds} | {n} | {h:.0f} | {w:.0f} | **{w / h:.2f}** |")


if __name__ == "__main__":
    main()
