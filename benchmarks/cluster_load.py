"""The same training sessions with their trainers in the server process and in Ray actors, side by side
in one run: page-load p95 (a fresh Chromium tab and a fresh websocket session, while all of them train)
and each session's steps/s.

    python benchmarks/cluster_load.py [--sessions 30] [--seconds 40] [--json docs/cluster_load/NAME.json]

It starts a local Ray head on 127.0.0.1 (``ray start --head``) for the actor half and stops it after.
Each session is a real websocket session of the Train page (tests/ws_session.py) that reruns its fragments
as an open tab does; all of them open first (with Ray, each run's actor starts then), then all press
Start. On one machine the actors share the same cores as the server, so this shows what moving trainers
out of the server's process changes (the interpreter lock, the server's responsiveness), not the gain
of more machines.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.app_server import free_port, launch_chromium, rss_mb, streamlit_server  # noqa: E402
from tests.conftest import SHARED_DATA  # noqa: E402
from tests.test_load import browser_load, p95  # noqa: E402
from tests.ws_session import WsSession  # noqa: E402

RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"


def memory_mb(server_pid: int) -> dict:
    """Resident memory of the Streamlit server and of every Ray worker process on this machine, in MB (/proc)."""
    workers = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes().startswith(b"ray::"):
                workers.append(rss_mb(int(proc.name)))
        except OSError:
            continue  # it ended while we looked
    return {"server_rss_mb": round(rss_mb(server_pid)), "ray_workers": len(workers),
            "ray_workers_rss_mb": round(sum(workers))}


def _has_start(s: WsSession, timeout: float = 300.0) -> None:
    """Wait until the session's page offers Start (with Ray, once its run's actor has answered)."""
    end = time.perf_counter() + timeout
    while "Start" not in s.buttons:
        if time.perf_counter() > end or s.error is not None:
            raise LookupError(f"no Start on the page after {timeout:.0f} s; it said: {s.texts[-3:]}")
        time.sleep(2)
        s.rerun(180)


def measure(browser, env: dict, sessions: int, seconds: float, loads: int) -> dict:
    with streamlit_server("--server.disconnectedSessionTTL", "2", env=env, timeout=120) as (url, server_pid):
        warm = WsSession(url, live=False)
        warm.start()
        warm.wait_loaded(180)
        warm.close()
        open_ = []
        t_start = time.perf_counter()
        for _ in range(sessions):  # the class arrives: every page is open (and every actor started) first,
            s = WsSession(url, live=True)
            s.start()
            s.wait_loaded(180)
            _has_start(s)
            open_.append(s)
        opened = time.perf_counter() - t_start
        for s in open_:  # ... then everyone presses Start
            s.press("Start", timeout=300)
        started = time.perf_counter() - t_start
        time.sleep(5)
        first = []
        for s in open_:
            s.rerun(120)
            first.append((time.perf_counter(), s.step()))
        ws_loads, browser_loads = [], []
        end = time.perf_counter() + seconds
        failed_loads = []
        while time.perf_counter() < end or len(browser_loads) + len(failed_loads) < loads:
            s = WsSession(url, live=False)
            s.start()
            ws_loads.append(s.wait_loaded(180))
            s.close()
            try:
                browser_loads.append(browser_load(browser, url))
            except Exception as err:  # noqa: BLE001 - a newcomer's page that never offered Start is a figure too
                failed_loads.append(f"{type(err).__name__}: {str(err)[:200]}")
        rates = []
        for s, (t0, step0) in zip(open_, first):
            s.rerun(120)
            rates.append((s.step() - step0) / (time.perf_counter() - t0))
        memory = memory_mb(server_pid)
        errors = [repr(s.error) for s in open_ if s.error is not None]
        for s in open_:
            s.close()
    return {"sessions": sessions, "seconds_to_open_all": round(opened, 1), "seconds_to_start_all": round(started, 1),
            "browser_page_load_s_p95": round(p95(browser_loads), 2) if browser_loads else None,
            "browser_page_load_s_median": round(statistics.median(browser_loads), 2) if browser_loads else None,
            "browser_page_loads_without_start_in_60_s": failed_loads,
            "ws_page_load_s_p95": round(p95(ws_loads), 3), "page_loads": len(browser_loads),
            "steps_per_s_per_session_median": round(statistics.median(rates), 1),
            "steps_per_s_per_session_min": round(min(rates), 1),
            "steps_per_s_all_sessions": round(sum(rates), 1), **memory, "errors": errors}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=40.0, help="measuring time while all of them train")
    parser.add_argument("--loads", type=int, default=8, help="at least this many page loads per mode")
    parser.add_argument("--json", type=Path, default=None)
    ns = parser.parse_args()
    from playwright.sync_api import sync_playwright

    base = {"GANLAB_DATA": str(SHARED_DATA), "GANLAB_MAX_TRAINERS": str(ns.sessions),
            "GANLAB_RAY_MAX_RUNS": str(ns.sessions), "GANLAB_RUNS_DB": tempfile.mktemp(suffix=".sqlite")}
    out = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d %H:%M")}
    with sync_playwright() as p:
        browser = launch_chromium(p, "--disable-background-networking", "--disable-component-update")
        out["threads_in_server"] = measure(browser, base, ns.sessions, ns.seconds, ns.loads)
        print(json.dumps(out["threads_in_server"]), flush=True)
        if ns.json:  # what is measured so far is kept, whatever happens to the second half
            ns.json.write_text(json.dumps(out, indent=2) + "\n")
        port, temp = free_port(), tempfile.mkdtemp(prefix="ray")
        env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        # every open page holds an actor with one logical CPU, trained or not: the newcomers whose loads are
        # timed need room beside the sessions (with exactly `sessions` CPUs their actors waited forever)
        subprocess.run([RAY, "start", "--head", "--num-cpus", str(ns.sessions + 4), "--port", str(port),
                        "--node-ip-address", "127.0.0.1", "--include-dashboard", "true", "--dashboard-host", "127.0.0.1",
                        "--dashboard-port", str(free_port()), "--temp-dir", temp, "--disable-usage-stats"],
                       check=True, env=env, capture_output=True, timeout=180)
        try:
            out["ray_actors"] = measure(browser, {**base, "GANLAB_RAY_ADDRESS": f"127.0.0.1:{port}",
                                                  "GANLAB_USER_CHECKPOINTS": tempfile.mkdtemp()},
                                        ns.sessions, ns.seconds, ns.loads)
            print(json.dumps(out["ray_actors"]), flush=True)
        finally:
            subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)
        browser.close()
    print(json.dumps(out, indent=2))
    if ns.json:
        ns.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
