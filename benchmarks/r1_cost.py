"""What the R1 penalty costs in training speed: ring8's defaults with and without it, side by side.

    python -m benchmarks.r1_cost

Two trainers in one process, one torch thread, alternating blocks of 200 steps.
"""

import time

import torch

from ganlab.config import default_config
from ganlab.training.trainer import Trainer


def main(blocks: int = 6, block: int = 200) -> None:
    torch.set_num_threads(1)
    trainers = {"r1 0": Trainer(default_config("ring8", device="cpu", r1=0.0)),
                "r1 default": Trainer(default_config("ring8", device="cpu"))}
    seconds = dict.fromkeys(trainers, 0.0)
    for t in trainers.values():
        t.run(20)  # warm-up
    for _ in range(blocks):
        for name, t in trainers.items():
            t0 = time.perf_counter()
            t.run(block)
            seconds[name] += time.perf_counter() - t0
    rates = {name: blocks * block / s for name, s in seconds.items()}
    print(", ".join(f"{name}: {rate:.0f} steps/s" for name, rate in rates.items())
          + f", ratio {rates['r1 default'] / rates['r1 0']:.2f}")


if __name__ == "__main__":
    main()
