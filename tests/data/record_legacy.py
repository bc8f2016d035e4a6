"""Record the first steps' metrics of the pre-variant trainer (commit 735c0d6), for tests/test_variants_legacy.py.

A record of how legacy_steps.json was made: it runs in a checkout of commit 735c0d6 (``git worktree add /tmp/old
735c0d6``), whose modules (ganlab.datasets, ganlab.trainer) it imports; today's tree has moved them.
"""
import json

import numpy as np
import torch
from ganlab.datasets import load_images
from ganlab.trainer import Trainer

from ganlab.config import default_config

torch.set_num_threads(1)
mn = load_images("mnist", "../shared/data", download=False)
small = mn  # whole set; batch draws are index draws
CASES = {
  "ring8-mlp-defaults": (dict(data="ring8"), None, 25),
  "ring8-cgan-wgangp": (dict(data="ring8", model="cgan", loss="wgan-gp", hidden=32, depth=2, batch_size=64), None, 25),
  "grid25-mlp-minimax-dsteps2-smooth": (dict(data="grid25", loss="minimax", d_steps=2, label_smoothing=0.1, hidden=32), None, 25),
  "mog1d-mlp-lsgan": (dict(data="mog1d", loss="lsgan"), None, 25),
  "mnist-mlp-defaults": (dict(data="mnist"), mn, 20),
  "mnist-dcgan-h8": (dict(data="mnist", model="dcgan", hidden=8, batch_size=16), mn, 8),
  "mnist-cdcgan-h8-hinge-r1": (dict(data="mnist", model="cdcgan", hidden=8, batch_size=16, loss="hinge", r1=0.1, ema=0.99), mn, 8),
  "mnist-cgan-uniform": (dict(data="mnist", model="cgan", latent="uniform", z_dim=16), mn, 10),
}
out = {}
for name, (kw, data, n) in CASES.items():
    data_name = kw.pop("data")
    cfg = default_config(data_name, seed=3, device="cpu", data_dir="../shared/data", **kw)
    t = Trainer(cfg, data=data)
    t.run(n)
    t.run(1, "d")
    t.run(1, "g")
    t.run(2)
    snap = t.store.snapshot()
    out[name] = {"config": {"data": data_name, **kw}, "steps": n, "metrics": snap.mean[:, 1:7].tolist(),
                 "fixed_sample_sum": float(np.asarray(t.sample_fixed(), dtype=np.float64).sum())}
    print(name, out[name]["metrics"][-1])
json.dump({"recorded_on": "735c0d6", "seed": 3, "cases": out}, open("tests/data/legacy_steps.json", "w"), indent=1)
