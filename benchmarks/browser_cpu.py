"""How much CPU the Train page costs the browser while a run trains, and the run's speed meanwhile.

    python -m benchmarks.browser_cpu [--warm 30] [--seconds 15] [--no-layers]

Starts `streamlit run app.py`, opens the Train page in Debian's Chromium (Playwright), presses
Start on ring8, waits ``--warm`` seconds (an older run has fuller charts), then for ``--seconds``
counts the CPU time of every Chromium process and of the server (from /proc), and the steps the
page's counter advanced. ``--no-layers`` switches the lab view's layers off first.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from harness.app_server import launch_chromium, streamlit_server  # noqa: E402
from harness.browsing import step_of as _step  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process, from /proc/PID/stat (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def chromium_seconds() -> float:
    total = 0.0
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if "chrom" in (d / "comm").read_text():
                    total += cpu_seconds(int(d.name))
            except OSError:
                pass
    return total


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser()
    ap.add_argument("--warm", type=float, default=30)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--no-layers", action="store_true")
    a = ap.parse_args()
    with streamlit_server() as (url, pid), sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url)
        page.get_by_role("button", name="Start").wait_for()
        if a.no_layers:
            for name in ("Real", "Generated", "D(x) surface", "Gradient arrows"):
                page.get_by_role("button", name=name, exact=True).click()
                time.sleep(1)
        page.get_by_role("button", name="Start").click()
        page.get_by_role("button", name="Pause").wait_for()
        time.sleep(a.warm)
        s0, t0, c0, v0 = _step(page), time.perf_counter(), chromium_seconds(), cpu_seconds(pid)
        time.sleep(a.seconds)
        s1, t1, c1, v1 = _step(page), time.perf_counter(), chromium_seconds(), cpu_seconds(pid)
        b.close()
    dt = t1 - t0
    print("| layers | warm-up s | steps/s with the page open | Chromium, cores | server, cores |\n"
          "| --- | --- | --- | --- | --- |\n"
          f"| {'off' if a.no_layers else 'default'} | {a.warm:g} | {(s1 - s0) / dt:.0f} | {(c1 - c0) / dt:.2f} | "
          f"{(v1 - v0) / dt:.2f} |")


if __name__ == "__main__":
    main()
