"""Mode coverage of the app's default settings over many seeds: the figures in docs/mode_coverage.md.

    python -m ganlab bench mode-coverage ring8 --seeds 10 --steps 20000 --out mode-ring8.json
    python -m ganlab bench mode-coverage grid25 --seed-list 7,9 --set '{"r1": 0.1}'
    python -m ganlab bench mode-coverage ring8 --set '{"anneal_start": 0}'     # the defaults without the rates' fall

Each seed trains the default config for ``--steps`` generator steps on the CPU, saves a
checkpoint, and evaluates it exactly as ``python -m ganlab eval`` does (PacGAN metric on
2,500 samples, grid KL/JS). Also reports the figures at intermediate steps.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from ganlab.config import default_config
from ganlab.evaluation.evaluate import evaluate
from ganlab.persist.checkpoint import load, save
from ganlab.training.trainer import Trainer


def one_seed(data: str, seed: int, steps: int, every: int, overrides: dict) -> dict:
    trainer = Trainer(default_config(data, seed=seed, device="cpu", **overrides))
    history, t0 = [], time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        while trainer.step < steps:
            trainer.run(min(every, steps - trainer.step))
            path = save(trainer, Path(tmp) / "run.pt")
            history.append(evaluate(load(path)))
    return {"seed": seed, "seconds": round(time.perf_counter() - t0, 1), "final": history[-1], "history": history}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", choices=["ring8", "grid25", "mog1d"])
    ap.add_argument("--seeds", type=int, default=10, help="seeds 0 .. N-1")
    ap.add_argument("--seed-list", help="comma-separated seeds instead, e.g. 7,9 (the trials in docs/mode_coverage.md)")
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--every", type=int, default=5000)
    ap.add_argument("--set", default="{}", help="JSON of flat config overrides, e.g. '{\"ema\": 0}'")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    overrides = json.loads(a.set)
    runs = []
    seeds = [int(x) for x in a.seed_list.split(",")] if a.seed_list else range(a.seeds)
    for seed in seeds:
        r = one_seed(a.data, seed, a.steps, a.every, overrides)
        f = r["final"]
        print(f"seed {seed}: {f.get('modes_covered')}/{f.get('n_modes')} modes, high quality {f.get('high_quality', 0):.3f}, "
              f"reverse KL {f.get('reverse_kl', 0):.4f}, grid KL {f['grid_kl']:.3f}, JS {f['grid_js']:.4f} "
              f"({r['seconds']:.0f} s)", flush=True)
        runs.append(r)
        if a.out:
            a.out.write_text(json.dumps({"data": a.data, "steps": a.steps, "overrides": overrides,
                                         "torch": torch.__version__, "runs": runs}, indent=1))
    finals = [r["final"] for r in runs]
    mean = {k: sum(f[k] for f in finals) / len(finals) for k in ("modes_covered", "high_quality", "grid_kl", "grid_js")
            if all(k in f for f in finals)}
    print("mean over seeds:", {k: round(v, 4) for k, v in mean.items()})


if __name__ == "__main__":
    main()
