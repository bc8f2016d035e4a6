"""The DCGAN step on this device three ways, alternating in one process: float32, float32 with
channels_last memory format, and bf16 autocast (the ``precision bf16`` setting).

    python -m benchmarks.dcgan_formats --threads 2 [--batch 64] [--steps 10] [--rounds 3]

Prints steps/s per round for each, so the spread between rounds shows the machine's noise.
"""

import argparse
import time

import torch

from ganlab.config import default_config
from ganlab.data.catalog import default_data_dir
from ganlab.core.step import train_step
from ganlab.training.trainer import Trainer


def make(data_dir: str, batch: int, channels_last: bool, precision: str) -> Trainer:
    t = Trainer(default_config("mnist", model="dcgan", batch_size=batch, data_dir=data_dir, precision=precision))
    if channels_last:
        for net in (t.parts.gen, t.parts.disc):
            net.to(memory_format=torch.channels_last)
        object.__setattr__(t.data, "images", t.data.images.contiguous(memory_format=torch.channels_last))
    return t


def rate(t: Trainer, steps: int) -> float:
    train_step(t.parts)  # warm-up
    t0 = time.perf_counter()
    for _ in range(steps):
        out = train_step(t.parts)
    out.tolist()  # wait for the device
    return steps / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default=default_data_dir())
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ns = ap.parse_args()
    if ns.threads:
        torch.set_num_threads(ns.threads)
    ways = {"float32": make(ns.data_dir, ns.batch, False, "fp32"),
            "float32, channels_last": make(ns.data_dir, ns.batch, True, "fp32"),
            "bf16 autocast": make(ns.data_dir, ns.batch, False, "bf16")}
    rates = {name: [] for name in ways}
    for _ in range(ns.rounds):
        for name, t in ways.items():
            rates[name].append(rate(t, ns.steps))
    print(f"DCGAN, batch {ns.batch}, {torch.get_num_threads()} threads, device {next(iter(ways.values())).device}")
    for name, r in rates.items():
        print(f"{name}: " + " / ".join(f"{x:.2f}" for x in r) + " steps/s")


if __name__ == "__main__":
    main()
