"""A classroom on one server: N sessions of the Train page, each training ring8, then newcomers arriving; in
three designs, side by side in one run:

* ``threads``: the runs are threads of the web process (``GANLAB_WORKERS=0``, the limit lifted so all train),
  the design before the worker pool;
* ``pool``: the server's pool of worker processes, the default (ganlab.pool.local);
* ``ray``: two Streamlit replicas sharing the workers of a local Ray head (ganlab.cluster.workers).

    python -m benchmarks.cluster_load [--sessions 4 10 30] [--modes threads pool ray] [--seconds 40]
                                      [--json docs/cluster_load/NAME.json]

Each session is a real websocket session (harness/ws_session.py) that reruns its fragments as an open tab does;
all open first, then all press Start. Measured while they train: each session's real pace (its Step counter
over wall time) and the Steps/s its page shows (against the real pace over the same few seconds); newcomers' page loads in Chromium (to a usable Start) and how
long a newcomer's run takes from the press to its first steps; the memory of the server and its workers
(resident, and proportional: shared libraries counted once over the processes that map them). The reference
of the hour: PyTorch's tutorial training loop (mlp, batch 64) in one process on an idle machine.
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
from contextlib import ExitStack
from pathlib import Path


from harness.app_server import free_port, launch_chromium, streamlit_server  # noqa: E402
from harness.paths import SHARED_DATA  # noqa: E402
from harness.browsing import browser_load_phases, p95  # noqa: E402
from harness.ws_session import WsSession  # noqa: E402

RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"


def reference_rate() -> float:
    """Steps/s of PyTorch's tutorial training loop (mlp, batch 64, one thread), the machine's pace this hour."""
    code = ("import torch; torch.set_num_threads(1)\n"
            "from ganlab.benchmark.references import tutorial_loop\n"
            f"print(tutorial_loop('mlp', 64, 600, '{SHARED_DATA}', torch.device('cpu')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[1],
                         timeout=300, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def memory(pids: list[int]) -> dict:
    """Resident and proportional memory, in MB, of the processes ``pids`` and of every pool worker and Ray
    worker on this machine (/proc)."""
    found = set(pids)
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes()
            if proc.name.isdigit() and (b"ganlab.pool.worker" in cmd or cmd.startswith(b"ray::")):
                found.add(int(proc.name))
        except OSError:
            continue
    each = {}
    for pid in sorted(found):
        try:
            fig = {k: int(v.split()[0]) / 1024 for k, v in (line.split(":", 1) for line in
                   Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]) if k in ("Rss", "Pss", "Anonymous")}
            name = "server" if pid in pids else "worker"
        except (OSError, ValueError):
            continue
        each[f"{name} {pid}"] = {"rss_mb": round(fig["Rss"]), "pss_mb": round(fig["Pss"]),
                                 "anonymous_mb": round(fig.get("Anonymous", 0))}
    return {"processes": len(each), "rss_mb": sum(e["rss_mb"] for e in each.values()),
            "pss_mb": sum(e["pss_mb"] for e in each.values()), "each": each}


def _has_start(s: WsSession, timeout: float = 300.0) -> None:
    end = time.perf_counter() + timeout
    while "Start" not in s.buttons:
        if time.perf_counter() > end or s.error is not None:
            raise LookupError(f"no Start on the page after {timeout:.0f} s; it said: {s.texts[-3:]}")
        time.sleep(1)
        s.rerun(180)


def newcomer_start(url: str, timeout: float = 60.0) -> float:
    """Seconds from a newcomer's press of Start to its page showing steps trained (an open tab, which runs its
    page's timers: the first page's counters come on its first tick, ui/first_paint.py)."""
    s = WsSession(url, live=True)
    s.start()
    s.wait_loaded(180)
    _has_start(s)
    t0 = time.perf_counter()
    s.press("Start", timeout=120)
    while s.step() <= 0:
        if time.perf_counter() - t0 > timeout:
            break
        time.sleep(0.2)
        s.rerun(60)
    seconds = time.perf_counter() - t0
    s.press("Pause", timeout=120) if "Pause" in s.buttons else None
    s.close()
    return seconds


def shown_rate(s: WsSession) -> float:
    text = s.metrics.get("Steps/s", "-").replace(",", "")
    return float(text) if text not in ("-", "") else 0.0


def measure(browser, urls: list[str], pids: list[int], sessions: int, seconds: float, loads: int) -> dict:
    for url in urls:
        warm = WsSession(url, live=False)
        warm.start()
        warm.wait_loaded(180)
        warm.close()
    open_ = []
    t_start = time.perf_counter()
    for i in range(sessions):  # the class arrives: every page open first, across the replicas...
        s = WsSession(urls[i % len(urls)], live=True)
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
    browser_loads, failed, presses, phases = [], [], [], []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end or len(browser_loads) + len(failed) < loads:
        url = urls[i % len(urls)]
        i += 1
        try:
            phases.append(browser_load_phases(browser, url))
            browser_loads.append(phases[-1]["start"])
        except Exception as err:  # noqa: BLE001 - a newcomer's page that never offered Start is a figure too
            failed.append(f"{type(err).__name__}: {str(err)[:200]}")
        if len(presses) < 5:
            presses.append(newcomer_start(url))
    rates, last = [], []
    for s, (t0, step0) in zip(open_, first):
        s.rerun(120)
        last.append((time.perf_counter(), s.step()))
        rates.append((last[-1][1] - step0) / (last[-1][0] - t0))
    # the page's Steps/s against the real pace over the same few seconds, the newcomers gone: both wall time
    time.sleep(10)
    recent, shown = [], []
    for s, (t0, step0) in zip(open_, last):
        s.rerun(120)
        recent.append((s.step() - step0) / (time.perf_counter() - t0))
        shown.append(shown_rate(s))
    mem = memory(pids)
    errors = [repr(s.error) for s in open_ if s.error is not None]
    for s in open_:
        s.close()
    median = statistics.median(rates)
    return {"sessions": sessions, "seconds_to_open_all": round(opened, 1), "seconds_to_start_all": round(started, 1),
            "real_steps_per_s_all": round(sum(rates), 1), "real_steps_per_s_median": round(median, 1),
            "real_steps_per_s_min": round(min(rates), 1),
            "slowest_over_median": round(min(rates) / median, 2) if median else None,
            "page_steps_per_s_median": round(statistics.median(shown), 1),
            "real_steps_per_s_median_same_seconds": round(statistics.median(recent), 1),
            "real_steps_per_s_all_newcomers_gone": round(sum(recent), 1),
            "page_over_real": (round(statistics.median(shown) / statistics.median(recent), 2)
                               if statistics.median(recent) else None),
            "newcomer_page_to_start_s_median": round(statistics.median(browser_loads), 2) if browser_loads else None,
            "newcomer_page_to_start_s_p95": round(p95(browser_loads), 2) if browser_loads else None,
            "newcomer_loads": len(browser_loads), "newcomer_loads_without_start": failed,
            "newcomer_phases_median": {k: round(statistics.median(p[k] for p in phases), 2) for k in phases[0]}
            if phases else None,
            "newcomer_phases_slowest": max(phases, key=lambda p: p["start"]) if phases else None,
            "newcomer_press_to_training_s_max": round(max(presses), 2) if presses else None,
            "newcomer_press_to_training_s_median": round(statistics.median(presses), 2) if presses else None,
            **mem, "errors": errors}


def run_mode(browser, mode: str, sessions: int, seconds: float, loads: int) -> dict:
    base = {"GANLAB_DATA": str(SHARED_DATA), "GANLAB_RUNS_DB": tempfile.mktemp(suffix=".sqlite")}
    ttl = ("--server.disconnectedSessionTTL", "2")
    with ExitStack() as stack:
        if mode == "threads":
            env = {**base, "GANLAB_WORKERS": "0", "GANLAB_MAX_TRAINERS": str(sessions + 10)}
            servers = [stack.enter_context(streamlit_server(*ttl, env=env, timeout=120))]
        elif mode == "pool":
            servers = [stack.enter_context(streamlit_server(*ttl, env=base, timeout=120))]
        else:  # two replicas on a local Ray head with one logical CPU per core: one worker each
            port, temp = free_port(), tempfile.mkdtemp(prefix="ray")
            renv = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
            subprocess.run([RAY, "start", "--head", "--num-cpus", str(os.cpu_count()), "--port", str(port),
                            "--node-ip-address", "127.0.0.1", "--include-dashboard", "false", "--temp-dir", temp,
                            "--disable-usage-stats"], check=True, env=renv, capture_output=True, timeout=180)
            stack.callback(subprocess.run, [RAY, "stop", "--force"], env=renv, capture_output=True, timeout=120)
            env = {**base, "GANLAB_RAY_ADDRESS": f"127.0.0.1:{port}", "GANLAB_USER_CHECKPOINTS": tempfile.mkdtemp()}
            servers = [stack.enter_context(streamlit_server(*ttl, env=env, timeout=180)) for _ in range(2)]
        return measure(browser, [u for u, _ in servers], [p for _, p in servers], sessions, seconds, loads)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[4, 10, 30])
    parser.add_argument("--modes", nargs="+", default=["threads", "pool", "ray"], choices=["threads", "pool", "ray"])
    parser.add_argument("--seconds", type=float, default=40.0, help="measuring time while all of them train")
    parser.add_argument("--loads", type=int, default=8, help="at least this many newcomer page loads per measurement")
    parser.add_argument("--json", type=Path, default=None)
    ns = parser.parse_args()
    from playwright.sync_api import sync_playwright

    out = {"machine": f"{os.cpu_count()} cores", "date": time.strftime("%Y-%m-%d %H:%M"),
           "reference_tutorial_loop_steps_per_s": reference_rate()}
    print(json.dumps(out), flush=True)
    with sync_playwright() as p:
        browser = launch_chromium(p, "--disable-background-networking", "--disable-component-update")
        for mode in ns.modes:
            for n in ns.sessions:
                out[f"{mode}-{n}"] = run_mode(browser, mode, n, ns.seconds, ns.loads)
                print(f"{mode}-{n}", json.dumps(out[f"{mode}-{n}"]), flush=True)
                if ns.json:  # what is measured so far is kept, whatever happens to the rest
                    ns.json.write_text(json.dumps(out, indent=2) + "\n")
        browser.close()
    out["reference_tutorial_loop_steps_per_s_after"] = reference_rate()
    print(json.dumps(out, indent=2))
    if ns.json:
        ns.json.write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
