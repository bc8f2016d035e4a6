"""The sweep behind the tuned defaults of issue #23: each named recipe (settings over the app's defaults) trained
for a fixed budget of training seconds on one or more seeds, with each mark's time (ganlab/benchmark/time_to_quality.py's
marks and checks), one JSON line per run appended to --out, beside the tutorial loop's steps/s of the same hour.

    python -m ganlab bench recipe-sweep --target ring8 --budget 20 --seeds 0 --out sweep.jsonl \\
        --recipe small "hidden=128 depth=2 batch_size=128 lr_d=1e-3 lr_g=1e-3 ema=0.99"

A recipe is a name and a space-separated list of flat settings (``""`` is the app's defaults).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


import torch
from ganlab.benchmark import time_to_quality as ttq

from ganlab.benchmark.references import tutorial_loop
from ganlab.training.capacity import interactive_threads


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=sorted(ttq.TARGETS), required=True)
    ap.add_argument("--budget", type=float, required=True, help="training seconds per run")
    ap.add_argument("--every", type=int, default=None, help="steps between checks")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--recipe", nargs=2, action="append", metavar=("NAME", "SETTINGS"), required=True)
    ap.add_argument("--out", type=Path, required=True)
    ns = ap.parse_args(argv)
    torch.set_num_threads(interactive_threads())
    reference = tutorial_loop("mlp", 64, 200, ttq.DATA_DIR, torch.device("cpu"))
    when = time.strftime("%Y-%m-%d %H:%M")
    print(f"reference: the tutorial loop (mlp, batch 64) at {reference:.1f} steps/s, {when}", flush=True)
    data, judge = ttq.target_data(ns.target)
    every = ns.every or ttq.TARGETS[ns.target]["every"]
    for name, settings in ns.recipe:
        overrides = ttq.parse_sets(settings.split())
        for seed in ns.seeds:
            r = ttq.run_seed(ns.target, seed, overrides, ns.budget, every, data, judge)
            row = {"recipe": name, "set": settings, "target": ns.target, "budget": ns.budget, "every": every,
                   "reference_steps_per_s": round(reference, 1), "when": when,
                   **{k: r[k] for k in ("seed", "steps", "train_seconds", "reached", "last")}}
            print(json.dumps(row), flush=True)
            with ns.out.open("a") as f:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
