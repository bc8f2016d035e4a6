"""Milliseconds per step of R same-shaped ring8 runs stepped together (``ganlab.pool.stacked.run_together``)
against one run stepped alone, on one CPU thread.

    python -m benchmarks.stacked_cost [--runs 30] [--steps 100]
"""

from __future__ import annotations

import argparse
import time

import torch

from ganlab.config import default_config
from ganlab.pool import stacked
from ganlab.training.trainer import Trainer


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--steps", type=int, default=100)
    ns = ap.parse_args()
    torch.set_num_threads(1)
    for r in (1, ns.runs):
        trainers = [Trainer(default_config("ring8", seed=s, device="cpu")) for s in range(r)]
        step = (lambda n: trainers[0].run(n)) if r == 1 else (lambda n: stacked.run_together(trainers, n))
        step(5)  # warm-up
        t0 = time.perf_counter()
        step(ns.steps)
        dt = time.perf_counter() - t0
        print(f"{r:3d} run(s): {dt / ns.steps * 1e3:7.2f} ms/step, {r * ns.steps / dt:6.0f} run-steps/s", flush=True)


if __name__ == "__main__":
    main()
