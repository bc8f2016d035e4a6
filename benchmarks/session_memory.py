"""Does a server give back the memory of sessions that leave? Waves of sessions come and go.

    python -m benchmarks.session_memory [--waves 3] [--sessions 30] [--seconds 15]

Each wave opens ``--sessions`` websocket sessions (harness/ws_session.py, refreshing their live
fragments like open tabs); even ones press Start, odd ones Step x10. After ``--seconds`` they all
close; 20 s after the last trainer thread ends, the server's RSS is read again. Prints a Markdown
table: RSS idle, with the wave open, and after it left.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from harness.app_server import rss_mb, streamlit_server  # noqa: E402
from harness.paths import SHARED_DATA  # noqa: E402
from harness.paths import trainer_threads_left, trainer_threads_of as trainer_threads  # noqa: E402
from harness.ws_session import WsSession, classroom  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--waves", type=int, default=3)
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=15)
    a = ap.parse_args()
    env = {"GANLAB_MAX_TRAINERS": str(a.sessions), "GANLAB_DATA": str(SHARED_DATA)}
    with streamlit_server("--server.disconnectedSessionTTL", "2", env={**os.environ, **env}) as (url, pid):
        first = WsSession(url, live=False)  # the first page imports torch and the app
        first.start()
        first.wait_loaded()
        first.close()
        time.sleep(5)
        idle = rss_mb(pid)
        print("| wave | sessions | RSS idle, MB | RSS with the wave open | RSS after it left | trainer threads left |\n"
              "| --- | --- | --- | --- | --- | --- |", flush=True)
        for wave in range(1, a.waves + 1):
            sessions = classroom(url, a.sessions)
            time.sleep(a.seconds)
            loaded = rss_mb(pid)
            for s in sessions:
                s.close()
            trainer_threads_left(pid, timeout=60)
            time.sleep(20)
            print(f"| {wave} | {a.sessions} | {idle:.0f} | {loaded:.0f} | {rss_mb(pid):.0f} | {trainer_threads(pid)} |",
                  flush=True)


if __name__ == "__main__":
    main()
