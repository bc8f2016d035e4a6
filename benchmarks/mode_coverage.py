"""Mode coverage of the app's default settings over many seeds: the figures in docs/mode_coverage.md.

    python benchmarks/mode_coverage.py ring8 --seeds 10 --steps 20000 --out mode-ring8.json
    python benchmarks/mode_coverage.py grid25 --seed-list 7,9 --set '{"r1": 0.1}'

Each seed trains the default config for ``--steps`` generator steps on the CPU, saves a
checkpoint, and evaluates it exactly as ``python -m ganlab eval`` does (PacGAN metric on
2,500 samples, grid KL/JS). Also reports the figures at intermediate steps.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # a script beside the package, run from anywhere
from ganlab.config import default_config
from ganlab.evaluation.evaluate import evaluate
from ganlab.persist.checkpoint import load, save
from ganlab.training.trainer import Trainer

ANNEAL_EVERY = 250


def anneal_factor(frac: float, start: float, final: float) -> float:
    """A cosine from 1 down to ``final`` over the run's fraction from ``start`` to its end (1 before ``start``)."""
    if frac <= start:
        return 1.0
    return final + (1 - final) * 0.5 * (1 + math.cos(math.pi * (frac - start) / (1 - start)))


def one_seed(data: str, seed: int, steps: int, every: int, overrides: dict, anneal: tuple[float, float] | None = None,
             ) -> dict:
    trainer = Trainer(default_config(data, seed=seed, device="cpu", **overrides))
    lr_d, lr_g = trainer.config.optim.lr_d, trainer.config.optim.lr_g
    history, t0 = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        while trainer.step < steps:
            # An annealed run sets both rates every ANNEAL_EVERY steps, as a person would move the sliders.
            block = ANNEAL_EVERY if anneal else every
            trainer.run(min(block, steps - trainer.step, every - trainer.step % every))
            if anneal:
                f = anneal_factor(trainer.step / steps, *anneal)
                trainer.set_hparams(lr_d=lr_d * f, lr_g=lr_g * f)
            if trainer.step % every and trainer.step < steps:
                continue
            path = save(trainer, Path(tmp) / "run.pt")
            history.append(evaluate(load(path)))
    return {"seed": seed, "seconds": round(time.perf_counter() - t0, 1), "final": history[-1], "history": history}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", choices=["ring8", "grid25", "mog1d"])
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1")
    ap.add_argument("--seed-list", help="comma-separated seeds instead, e.g. 7,9 (the trials in docs/mode_coverage.md)")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--every", type=int, default=5000)
    ap.add_argument("--set", default="{}", help="JSON of flat config overrides, e.g. '{\"ema\": 0}'")
    ap.add_argument("--anneal", help="START,FINAL: from this fraction of the run, both learning rates follow a cosine "
                    "down to FINAL times their value (e.g. 0.5,0.05), set every 250 steps")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    overrides = json.loads(a.set)
    anneal = tuple(float(x) for x in a.anneal.split(",")) if a.anneal else None
    runs = []
    seeds = [int(x) for x in a.seed_list.split(",")] if a.seed_list else range(a.seeds)
    for seed in seeds:
        r = one_seed(a.data, seed, a.steps, a.every, overrides, anneal)
        f = r["final"]
        print(f"seed {seed}: {f.get('modes_covered')}/{f.get('n_modes')} modes, high quality {f.get('high_quality', 0):.3f}, "
              f"reverse KL {f.get('reverse_kl', 0):.4f}, grid KL {f['grid_kl']:.3f}, JS {f['grid_js']:.4f} "
              f"({r['seconds']:.0f} s)", flush=True)
        runs.append(r)
        if a.out:
            a.out.write_text(json.dumps({"data": a.data, "steps": a.steps, "overrides": overrides, "anneal": anneal,
                                         "torch": torch.__version__, "runs": runs}, indent=1))
    finals = [r["final"] for r in runs]
    mean = {k: sum(f[k] for f in finals) / len(finals) for k in ("modes_covered", "high_quality", "grid_kl", "grid_js")
            if all(k in f for f in finals)}
    print("mean over seeds:", {k: round(v, 4) for k, v in mean.items()})


if __name__ == "__main__":
    main()
