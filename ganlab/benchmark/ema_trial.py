"""The trial behind docs/mode_coverage.md's "what was tried" table: one seed, G's samples and a
running average of G's weights (updated every 50 steps) evaluated side by side every 5,000 steps.

    python -m ganlab bench ema-trial grid25 0 20000 '{"ema": 0}'
    python -m ganlab bench ema-trial grid25 0 20000 '{"ema": 0, "r1": 1.0}'

Prints (step, modes of G, high quality of G, modes of the average, high quality of the average).
The average's decay is the extra "ema" key of the JSON (default 0.999); config "ema" is set to 0
so the trainer keeps no average of its own.
"""

import argparse
import copy
import json
import time

import torch

from ganlab.config import default_config
from ganlab.core.models import sample_z
from ganlab.evaluation.quality import mode_quality
from ganlab.training.trainer import Trainer


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data")
    ap.add_argument("seed", type=int)
    ap.add_argument("steps", type=int)
    ap.add_argument("settings", nargs="?", default="{}", help="JSON of settings; its 'ema' is the average's decay")
    torch.set_num_threads(1)
    ns = ap.parse_args(argv)
    data, seed, steps, over = ns.data, ns.seed, ns.steps, json.loads(ns.settings)
    ema_decay = over.pop("ema", 0.999)
    cfg = default_config(data, seed=seed, device="cpu", ema=0.0, **over)
    t = Trainer(cfg)
    ema = copy.deepcopy(t.parts.gen)
    for p in ema.parameters():
        p.requires_grad_(False)
    z = sample_z(2500, cfg.model.z_dim, cfg.model.latent, torch.Generator().manual_seed(12345), "cpu")
    m = t.data
    t0 = time.time()
    res = []
    for k in range(steps // 500):
        for _ in range(500 // 50):
            t.run(50)
            with torch.no_grad():
                for pe, p in zip(ema.parameters(), t.parts.gen.parameters()):
                    pe.lerp_(p, 1 - ema_decay ** 50)  # rough: update every 50 steps
        if (k + 1) % 10 == 0:
            with torch.no_grad():
                q = mode_quality(t.parts.gen(z, None).numpy(), m.modes.numpy(), m.sigma)
                qe = mode_quality(ema(z, None).numpy(), m.modes.numpy(), m.sigma)
            res.append((t.step, q.modes_covered, round(q.high_quality, 3), qe.modes_covered, round(qe.high_quality, 3)))
    print(data, seed, over, "time %.0f" % (time.time() - t0), res, flush=True)


if __name__ == "__main__":
    main()
