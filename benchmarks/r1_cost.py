"""What the R1 penalty costs in training speed: ring8's defaults with and without it, side by side.

    python benchmarks/r1_cost.py

Two trainers in one process, one torch thread, alternating blocks of 200 steps.
"""

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # a script beside the package, run from anywhere
from ganlab.config import default_config
from ganlab.trainer import Trainer
torch.set_num_threads(1)
a = Trainer(default_config("ring8", device="cpu", r1=0.0)); b = Trainer(default_config("ring8", device="cpu"))
ta = tb = 0.0
a.run(20); b.run(20)
for _ in range(6):
    t0 = time.perf_counter(); a.run(200); ta += time.perf_counter() - t0
    t0 = time.perf_counter(); b.run(200); tb += time.perf_counter() - t0
print(f"r1 0: {1200/ta:.0f} steps/s, r1 0.03: {1200/tb:.0f} steps/s, ratio {ta/tb:.2f}")
