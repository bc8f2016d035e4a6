"""Start `streamlit run app.py` on a free localhost port, and read a process's memory: for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"  # Debian's: Playwright's own download fails here


def launch_chromium(playwright, *extra_args: str):
    """Debian's Chromium, headless, for the browser tests and benchmarks."""
    return playwright.chromium.launch(executable_path=CHROMIUM,
                                      args=["--headless", "--no-sandbox", "--disable-gpu", *extra_args])


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def server_env(extra: dict | None = None) -> dict:
    """The environment of a real server: as the app runs by default (its pool of worker processes, not the
    in-process threads tests/conftest.py gives the pages tested in this process), plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if k != "GANLAB_WORKERS"}
    return {**env, **(extra or {})}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(*extra_args: str, env: dict | None = None, timeout: float = 60.0, cwd: Path = REPO):
    """Yields (url, pid) once /_stcore/health answers; terminates the server afterwards. ``cwd``: the
    folder whose app.py it runs (this repository's by default)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         *extra_args],
        cwd=cwd, env=server_env(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    proc.kill()
                    raise RuntimeError("streamlit did not start:\n" + (proc.stdout.read() if proc.stdout else ""))
                time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
