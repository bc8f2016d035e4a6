"""Soak: train with the Train page open in Chromium for a long time; sample the server's memory.

    python -m benchmarks.soak --minutes 30 [--out test-artifacts/soak.json]

Prints one line per sample (minute, step, server RSS in MB, trainer threads) and a summary.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from harness.app_server import launch_chromium, rss_mb, streamlit_server  # noqa: E402
from harness.browsing import step_of as _step  # noqa: E402
from harness.paths import trainer_threads_of as trainer_threads  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--every", type=float, default=60, help="seconds between samples")
    ap.add_argument("--out", type=Path, default=REPO / "test-artifacts" / "soak.json")
    a = ap.parse_args()
    from playwright.sync_api import sync_playwright

    samples = []
    with streamlit_server() as (url, pid), sync_playwright() as p:
        b = launch_chromium(p)
        page = b.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url)
        page.get_by_role("button", name="Start").click()
        page.get_by_role("button", name="Pause").wait_for()
        t0 = time.time()
        while True:
            minute = (time.time() - t0) / 60
            row = {"minute": round(minute, 1), "step": _step(page), "server_rss_mb": round(rss_mb(pid), 1),
                   "trainer_threads": trainer_threads(pid)}
            samples.append(row)
            print(json.dumps(row), flush=True)
            if minute >= a.minutes:
                break
            time.sleep(a.every)
        b.close()
    first_full = next((s for s in samples if s["minute"] >= 5), samples[0])
    summary = {"minutes": samples[-1]["minute"], "steps": samples[-1]["step"],
               "rss_mb_at_1min": samples[1]["server_rss_mb"] if len(samples) > 1 else None,
               "rss_mb_at_5min": first_full["server_rss_mb"], "rss_mb_at_end": samples[-1]["server_rss_mb"],
               "samples": samples}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "samples"}))


if __name__ == "__main__":
    main()
