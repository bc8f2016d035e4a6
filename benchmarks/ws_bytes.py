"""What one open Train page costs the network: bytes per second the server sends it while ring8 trains.

    python -m benchmarks.ws_bytes [--warm 20] [--seconds 20]

Starts `streamlit run app.py`, opens the Train page in Debian's Chromium (Playwright), presses Start,
waits ``--warm`` seconds, then counts the websocket frames the page receives for ``--seconds``. A
classroom multiplies this by the number of open tabs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from harness.app_server import launch_chromium, streamlit_server  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--warm", type=float, default=20)
    ap.add_argument("--seconds", type=float, default=20)
    a = ap.parse_args()
    got = {"frames": 0, "bytes": 0, "counting": False}

    def frame(payload) -> None:
        if got["counting"]:
            got["frames"] += 1
            got["bytes"] += len(payload)

    with streamlit_server() as (url, _), sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        page.on("websocket", lambda ws: ws.on("framereceived", frame))
        page.goto(url)
        page.get_by_role("button", name="Start").click()
        page.wait_for_timeout(a.warm * 1000)  # Playwright delivers the frame events while it waits
        got["counting"], t0 = True, time.perf_counter()
        page.wait_for_timeout(a.seconds * 1000)
        seconds, got["counting"] = time.perf_counter() - t0, False
        b.close()
    print("| warm-up s | KB/s to one Train page | frames/s |\n| --- | --- | --- |\n"
          f"| {a.warm:g} | {got['bytes'] / seconds / 1024:.0f} | {got['frames'] / seconds:.1f} |")


if __name__ == "__main__":
    main()
