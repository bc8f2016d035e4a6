"""What the trainer adds to a bare eager PyTorch loop on the CPU, and what a headless run spends outside
its steps (issue #23).

    python benchmarks/step_cost.py [--threads 1] [--steps 1500] [--rounds 3]

In one process, rounds alternate between
  bare:    the same MLP networks (784-128 / 100-128-784), the whole dataset resident as one tensor,
           index draws, BCE-with-logits, Adam; nothing else;
  trainer: ``Trainer(config).run(50)`` in blocks, as the app's thread and ``train`` drive it (metrics
           into the store, the weight average if set, the divergence check, one host copy per block);
then times ``python -c 'import torch'`` and a whole ``python -m ganlab train`` of --steps steps, whose
wall time minus its training seconds is start-up and finish.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import torch  # noqa: E402
from torch import nn  # noqa: E402

from ganlab.config import default_config  # noqa: E402
from ganlab.core.models import ModelArgs, build_models  # noqa: E402
from ganlab.data.datasets import load_images  # noqa: E402
from ganlab.training.trainer import Trainer  # noqa: E402

DATA_DIR = str(REPO.parent / "shared" / "data")


def bare_loop(images: torch.Tensor, config, steps: int) -> float:
    gen, disc = build_models(ModelArgs.from_config(config, (1, 28, 28), 0), seed=0)
    bce = nn.BCEWithLogitsLoss()
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    b, z_dim = config.optim.batch_size, config.model.z_dim
    ones, zeros = torch.ones(b), torch.zeros(b)
    t0 = time.perf_counter()
    for _ in range(steps):
        x = images[torch.randint(len(images), (b,))]
        fake = gen(torch.randn(b, z_dim))
        loss_d = bce(disc(x), ones) + bce(disc(fake.detach()), zeros)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_g = bce(disc(fake), ones)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
    return steps / (time.perf_counter() - t0)


def trainer_loop(data, config, steps: int) -> float:
    t = Trainer(config, data=data)
    t.run(50)  # the first block builds what the trainer keeps; not counted
    t0 = time.perf_counter()
    while t.step < steps + 50:
        t.run(50)
    return steps / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--rounds", type=int, default=3)
    ns = ap.parse_args()
    torch.set_num_threads(ns.threads)
    config = default_config("mnist", device="cpu", data_dir=DATA_DIR)  # the MLP GAN, batch 64
    data = load_images("mnist", DATA_DIR, download=False)
    rows = []
    for r in range(ns.rounds):
        rows.append({"round": r + 1, "bare": round(bare_loop(data.images, config, ns.steps), 1),
                     "trainer": round(trainer_loop(data, config, ns.steps), 1)})
        print(json.dumps(rows[-1]), flush=True)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    import_torch = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "ganlab", "train", "--data", "mnist", "--data-dir", DATA_DIR,
                               "--steps", "3000", "--device", "cpu", "--threads", str(ns.threads), "--out", out],
                              check=True, capture_output=True, text=True, cwd=REPO)
        wall = time.perf_counter() - t0
    last = [line for line in done.stdout.splitlines() if line.startswith("done:")]
    print(json.dumps({"threads": ns.threads, "import_torch_s": round(import_torch, 2), "train_3000_wall_s": round(wall, 1),
                      "train_says": last[-1] if last else done.stdout[-300:], "when": time.strftime("%Y-%m-%d %H:%M")}))


if __name__ == "__main__":
    main()
