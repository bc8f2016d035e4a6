"""What the R1 penalty costs in training speed: ring8's defaults with and without it, side by side.

    python -m ganlab bench r1-cost

Two trainers in one process, one torch thread, alternating blocks of 200 steps.
"""

import argparse
import time

import torch

from ganlab.config import default_config
from ganlab.training.trainer import Trainer


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blocks", type=int, default=6)
    ap.add_argument("--block", type=int, default=200, help="steps per block")
    ns = ap.parse_args(argv)
    blocks, block = ns.blocks, ns.block
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
