"""Record the version-1 checkpoints (v1-*.pt) and their samples (v1-checkpoints.json) that tests/ load to check
old files still open. A record of how they were made: it runs in a checkout of commit 735c0d6 (2026-12-01,
``git worktree add /tmp/old 735c0d6``), whose modules (ganlab.datasets, ganlab.sampling,
ganlab.trainer, ganlab.checkpoint) it imports; today's tree has moved them.
"""
import json

import numpy as np
from ganlab.datasets import load_images
from ganlab.sampling import generate
from ganlab.trainer import Trainer

from ganlab import checkpoint as ck
from ganlab.config import default_config

mn = load_images("mnist", "../shared/data", download=False)
t = Trainer(default_config("ring8", model="cgan", hidden=16, depth=2, seed=5, device="cpu"))
t.run(30)
ck.save(t, "tests/data/v1-ring8-cgan.pt")
t2 = Trainer(default_config("mnist", model="cdcgan", hidden=4, z_dim=8, batch_size=16, seed=5, device="cpu", data_dir="../shared/data", ema=0.9), data=mn)
t2.run(5)
ck.save(t2, "tests/data/v1-mnist-cdcgan.pt")
exp = {}
for name in ("v1-ring8-cgan", "v1-mnist-cdcgan"):
    c = ck.load(f"tests/data/{name}.pt")
    x, y = generate(c, 20, seed=1)
    exp[name] = {"sum": float(x.astype(np.float64).sum()), "abs_sum": float(np.abs(x.astype(np.float64)).sum()), "labels": y.tolist()}
json.dump({"recorded_on": "735c0d6", "samples": exp}, open("tests/data/v1-checkpoints.json", "w"), indent=1)
print(exp)
