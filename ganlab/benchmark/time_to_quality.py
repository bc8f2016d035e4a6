"""Time to quality on this machine, as a classroom sees it: seconds of training (evaluation excluded) until a
run with the app's defaults (or the settings given) reaches each mark, over several seeds, with the app's
torch thread setting, beside the tutorial loop's steps/s measured in the same run (this machine's speed
drifts by up to 3x from day to day: read the times against that reference).

    python -m ganlab bench time-to-quality --target ring8 --seeds 0 1 2 3 4 [--set lr_d=1e-3 ...] [--json F]

Targets and their marks (issue #23):
  ring8        8/8 modes; 8/8 modes with 90% high quality            (2,500 samples of the fixed noise, PacGAN)
  grid25       25/25 modes; 25/25 with 90% high quality
  cond-mnist   90% and 95% label agreement                           (cdcgan; 10,000 balanced samples, the LeNet)
  mnist        Frechet distance within 10x of the floor with every digit between 7% and 13% of samples
               (dcgan; 10,000 samples), and within 3x
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


import numpy as np
import torch

from ganlab.config import default_config
from ganlab.data.catalog import default_data_dir
from ganlab.data.datasets import load_images
from ganlab.benchmark.references import tutorial_loop
from ganlab.evaluation.quality import toy_quality
from ganlab.training.capacity import interactive_threads
from ganlab.training.trainer import Trainer

DATA_DIR = default_data_dir()  # GANLAB_DATA
TARGETS = {
    "ring8": dict(data="ring8", model=None, every=100, budget=60),
    "grid25": dict(data="grid25", model=None, every=200, budget=180),
    "cond-mnist": dict(data="mnist", model="cdcgan", every=200, budget=180),
    "mnist": dict(data="mnist", model="dcgan", every=500, budget=600),
}


def parse_sets(items: list[str]) -> dict:
    """``key=value`` settings, each value an int, a float or else a string (``--set hidden=48 lr_g=1e-3``)."""
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        for kind in (int, float):
            try:
                out[key] = kind(value)
                break
            except ValueError:
                continue
        else:
            out[key] = value
    return out


def judge_images(trainer: Trainer, judge, n: int = 10000) -> dict:
    from ganlab.explore.sampling import generate
    from ganlab.persist.checkpoint import load, to_bytes

    ckpt = load(to_bytes(trainer))
    x, labels = generate(ckpt, n, seed=0)
    out = judge.judge(x, labels)
    hist = np.array(out["class_histogram"]) / n
    out["share_min"], out["share_max"] = float(hist.min()), float(hist.max())
    return out


def marks_reached(target: str, q: dict, floor: float) -> dict[str, bool]:
    if target in ("ring8", "grid25"):
        k = q["n_modes"]
        return {f"{k}/{k} modes": q["modes_covered"] == k,
                f"{k}/{k} modes, 90% high quality": q["modes_covered"] == k and q["high_quality"] >= 0.9}
    if target == "cond-mnist":
        return {"90% label agreement": q["label_agreement"] >= 0.9, "95% label agreement": q["label_agreement"] >= 0.95}
    balanced = 0.07 <= q["share_min"] and q["share_max"] <= 0.13
    return {"FID within 10x, digits 7-13%": q["frechet_distance"] <= 10 * floor and balanced,
            "FID within 3x": q["frechet_distance"] <= 3 * floor}


def target_data(target: str):
    """The resident images and the judge for an image target (None, None for a 2-D one)."""
    if TARGETS[target]["data"] != "mnist":
        return None, None
    from ganlab.evaluation.judge import ImageJudge

    return load_images("mnist", DATA_DIR, download=False), ImageJudge(DATA_DIR)


def run_seed(target: str, seed: int, overrides: dict, budget: float, every: int, data, judge) -> dict:
    spec = TARGETS[target]
    kw = {"model": spec["model"]} if spec["model"] else {}
    config = default_config(spec["data"], seed=seed, device="cpu", data_dir=DATA_DIR, **{**kw, **overrides})
    t = Trainer(config, data=data)
    reached: dict[str, float | None] = {}
    trace = []
    while t.train_seconds < budget:
        t.run(every)
        if target in ("ring8", "grid25"):
            q = toy_quality(t.sample_fixed(), t.fixed_real, t.data)
        else:
            q = judge_images(t, judge)
        marks = marks_reached(target, q, getattr(judge, "floor", 1.0))
        for name, ok in marks.items():
            reached.setdefault(name, None)
            if ok and reached[name] is None:
                reached[name] = round(t.train_seconds, 1)
        trace.append({"step": t.step, "seconds": round(t.train_seconds, 1),
                      **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in q.items()
                         if k in ("modes_covered", "high_quality", "label_agreement", "frechet_distance", "share_min",
                                  "share_max")}})
        if all(v is not None for v in reached.values()):
            break
    return {"seed": seed, "steps": t.step, "train_seconds": round(t.train_seconds, 1), "reached": reached,
            "last": trace[-1], "config": config.flat()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--target", choices=sorted(TARGETS), required=True)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--budget", type=float, default=None, help="training seconds per seed (default per target)")
    ap.add_argument("--every", type=int, default=None, help="steps between checks")
    ap.add_argument("--set", nargs="*", default=[], help="settings over the defaults, e.g. lr_d=1e-3")
    ap.add_argument("--json", type=Path)
    ns = ap.parse_args(argv)
    spec = TARGETS[ns.target]
    torch.set_num_threads(interactive_threads())  # the app's: half the cores, at most 4
    reference = tutorial_loop("mlp", 64, 200, DATA_DIR, torch.device("cpu"))
    print(f"reference: the tutorial loop (mlp, batch 64) at {reference:.1f} steps/s, {torch.get_num_threads()} "
          f"torch thread(s), {time.strftime('%Y-%m-%d %H:%M')}", flush=True)
    data, judge = target_data(ns.target)
    results = []
    for seed in ns.seeds:
        r = run_seed(ns.target, seed, parse_sets(ns.set), ns.budget or spec["budget"], ns.every or spec["every"],
                     data, judge)
        results.append(r)
        print(json.dumps({k: r[k] for k in ("seed", "steps", "train_seconds", "reached", "last")}), flush=True)
    if ns.json:
        ns.json.parent.mkdir(parents=True, exist_ok=True)
        ns.json.write_text(json.dumps({"target": ns.target, "set": ns.set, "reference_steps_per_s": reference,
                                       "threads": torch.get_num_threads(), "when": time.strftime("%Y-%m-%d %H:%M"),
                                       "results": results}, indent=1))


if __name__ == "__main__":
    main()
