"""Memory over a million steps: the metrics store, the sample timeline and the live figures stay flat.

    python -m benchmarks.million_steps [--steps 1000000] [--data ring8] [--hidden 8]

Runs the app's own BackgroundTrainer (the thread the Train page starts: metrics store, sample
timeline, lab view and quality history all included) at full speed on a deliberately tiny model,
so that a million real training steps fit in minutes on a CPU; the model's size does not change
what is being measured, which is everything that grows with the step count. Prints, at 10k steps
and every doubling up to ``--steps``, the process RSS, device memory where there is a device,
and the sizes of what the run keeps. Writes JSON with ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import torch

from ganlab.config import default_config
from ganlab.training.background import BackgroundTrainer
from harness.app_server import rss_mb


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=1_000_000)
    ap.add_argument("--data", default="ring8")
    ap.add_argument("--hidden", type=int, default=8)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--out", type=Path)
    a = ap.parse_args()
    torch.set_num_threads(1)
    cfg = default_config(a.data, hidden=a.hidden, depth=1, batch_size=a.batch, device=a.device)
    run = BackgroundTrainer(cfg)
    cuda = run.trainer.device.type == "cuda"
    marks = [10_000]
    while marks[-1] * 2 < a.steps:
        marks.append(marks[-1] * 2)
    if a.steps > marks[-1]:
        marks.append(a.steps)
    rows, t0 = [], time.perf_counter()
    run.start()
    try:
        for mark in marks:
            while run.trainer.step < mark:
                if run.trainer.diverged:
                    raise SystemExit(f"the run diverged at step {run.trainer.step}: {run.status().message}")
                time.sleep(0.2)
            snap = run.trainer.store.snapshot()
            row = {"step": run.trainer.step, "seconds": round(time.perf_counter() - t0, 1), "rss_mb": round(rss_mb(os.getpid()), 1),
                   "device_mb": round(torch.cuda.memory_allocated() / 2**20, 1) if cuda else None,
                   "store_rows": len(snap.mean), "timeline_frames": len(run.timeline),
                   "quality_points": len(run.quality_history)}
            rows.append(row)
            print(row, flush=True)
    finally:
        run.stop()
    first, last = rows[0], rows[-1]
    print(f"RSS at {first['step']:,} steps: {first['rss_mb']:.1f} MB; at {last['step']:,}: {last['rss_mb']:.1f} MB "
          f"({last['rss_mb'] - first['rss_mb']:+.1f} MB); store rows {first['store_rows']} -> {last['store_rows']}")
    if a.out:
        a.out.write_text(json.dumps({"config": cfg.to_dict(), "torch": torch.__version__, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
