"""Train one MNIST or Fashion-MNIST variant and judge it as it goes: the figures its target names, every few seconds
of training (evaluation time excluded), then the checkpoint.

    python -m ganlab bench variant-trace --model acgan --seconds 600 --every 60 [--set hidden=48 ...] [--out DIR]
    python -m ganlab bench variant-trace --resume DIR/checkpoint.pt --seconds 1800 --every 300 --out DIR2
    python -m ganlab bench variant-trace --data fashion-mnist --model cdcgan ...   (any dataset with a judge)

Per variant, what is judged (the project's LeNet of the data, ``ganlab.evaluation.evaluate``):
  a model with a class input: label agreement (or InfoGAN's matched code accuracy) and Fréchet
  distance on 2,000 samples of a fixed noise (the final line: 10,000, as ``eval``);
  a model with classifiers (ACGAN, the semi-supervised GAN, InfoGAN's Q): their accuracy on the
  10,000 test images.
Prints one line per check; with --out, writes trace.json and checkpoint.pt there (both rewritten at
every check, so a run stopped early keeps its last check), and with --keep-best also best.pt: the
checkpoint at the check with the lowest Fréchet distance so far (GAN training can peak and drift).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
import json
from pathlib import Path


import torch

from ganlab.config import default_config
from ganlab.data.catalog import default_data_dir
from ganlab.data.datasets import load_images
from ganlab.evaluation.evaluate import classifier_accuracies
from ganlab.evaluation.judge import ImageJudge
from ganlab.explore.sampling import generate
from ganlab.persist.checkpoint import load, save, to_bytes
from ganlab.training.resume import resume
from ganlab.benchmark.time_to_quality import parse_sets
from ganlab.training.trainer import LIVE_KNOBS, Trainer


def judge(trainer: Trainer, judge_: ImageJudge, n: int, judges: dict) -> dict:
    ckpt = load(to_bytes(trainer))
    if ckpt.variant.translation(ckpt.args) is not None:
        from ganlab.evaluation.translation import evaluate_translation

        return evaluate_translation(ckpt, data_dir=judge_.data_dir, judges=judges)
    extra = {}
    if ckpt.variant.style_blocks(ckpt.args):
        from ganlab.evaluation.styles import mixing_figures

        extra = mixing_figures(ckpt, judge_, pairs=min(n, 1000))
    if ckpt.variant.vocabulary(ckpt.args):
        from ganlab.evaluation.captions import caption_figures

        extra = caption_figures(ckpt, judge_, per_digit=max(50, n // 10))
    x, labels = generate(ckpt, n, seed=0)
    out = judge_.judge(x, labels, handle=ckpt.variant.class_handle)
    hist = out.pop("class_histogram")
    out["share_min"], out["share_max"] = min(hist) / sum(hist), max(hist) / sum(hist)  # every digit 7-13%?
    out.pop("per_class_agreement", None)
    for name, value in classifier_accuracies(ckpt, judge_.test, out.get("code_matching")).items():
        out[f"accuracy: {name}"] = value
    return {**out, **extra}


def frechet(row: dict) -> float:
    """The check's Fréchet distance: the samples', or a translation's (B to A, else A to B; a translation
    between two kinds of thing, both directions' in units of their floors, summed)."""
    if "frechet_distance" in row:
        return row["frechet_distance"]
    looks = [row[d] for d in ("a2b", "b2a") if "target_rate" in row.get(d, {})]
    if looks:
        return sum(d["frechet_distance"] / d["frechet_floor"] for d in looks)
    for where in (row.get("b2a", {}), row.get("a2b", {})):
        if "frechet_distance" in where:
            return where["frechet_distance"]
    return float("inf")


def kept_labels(row: dict) -> float:
    """The check's label figure: a translation's labels kept (B to A, else A to B), or a conditional model's
    agreement; 1 where there is none."""
    looks = [row[d]["target_rate"] for d in ("a2b", "b2a") if "target_rate" in row.get(d, {})]
    if looks:  # between two kinds of thing: the share read as the target kind, the worse direction's
        return min(looks)
    for where in (row.get("b2a", {}), row.get("a2b", {}), row):
        for key in ("label_rate", "label_agreement"):
            if key in where:
                return where[key]
    return 1.0


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model")
    ap.add_argument("--data", default="mnist", help="the training data (default mnist; a judged set or a part of "
                    "one: fashion-mnist, fashion-bags...)")
    ap.add_argument("--data-dir", default=default_data_dir(), help="default: $GANLAB_DATA, else ./data")
    ap.add_argument("--seconds", type=float, default=600)
    ap.add_argument("--every", type=float, default=60)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--set", nargs="*", default=[], help="flat settings, e.g. hidden=48 lr_g=1e-3")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--keep-best", action="store_true", help="with --out: also keep best.pt, the lowest Fréchet seen")
    ap.add_argument("--best-label", type=float, default=0.0, help="with --keep-best: only checks that keep at least "
                    "this share of labels (a translation's, or a conditional model's agreement) count, e.g. 0.85")
    ap.add_argument("--resume", type=Path, help="continue this checkpoint (its config; --set may change the learning "
                    "rates, d_steps, the weight average and loss weights, not the networks' shapes)")
    ns = ap.parse_args(argv)
    torch.set_num_threads(ns.threads)
    data_name = load(ns.resume).config.data.name if ns.resume else ns.data
    data = load_images(data_name, ns.data_dir, download=False)
    if ns.resume:
        sets, ckpt = parse_sets(ns.set), load(ns.resume)
        live = {k: sets.pop(k) for k in list(sets) if k in LIVE_KNOBS}
        if sets:  # the rest change the config the run resumes with: the average's reach, a loss weight (not a shape)
            ckpt = replace(ckpt, config=ckpt.config.with_values(**sets))
        trainer = resume(ckpt, device="cpu", data=data)
        if live:
            trainer.set_hparams(**live)
        config = trainer.config.with_values(**live)  # as the run will train: set_hparams applies at the next step
    else:
        config = default_config(data_name, model=ns.model, data_dir=ns.data_dir, device="cpu", seed=ns.seed,
                                **parse_sets(ns.set))
        trainer = Trainer(config, data=data)
    start_seconds = trainer.train_seconds
    judge_, judges = ImageJudge(ns.data_dir, data_name), {}
    print(json.dumps(config.flat()), flush=True)
    trace = []
    best = float("inf")
    if ns.out:
        ns.out.mkdir(parents=True, exist_ok=True)
    next_check = start_seconds + ns.every
    end = start_seconds + ns.seconds
    while True:
        trainer.run(50)
        if trainer.train_seconds >= next_check or trainer.train_seconds >= end:
            final = trainer.train_seconds >= end
            figures = judge(trainer, judge_, 10000 if final else ns.samples, judges)
            row = {"step": trainer.step, "seconds": round(trainer.train_seconds, 1), **figures}
            trace.append(row)
            print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}), flush=True)
            next_check += ns.every
            if ns.out:
                save(trainer, ns.out / "checkpoint.pt")
                (ns.out / "trace.json").write_text(json.dumps({"config": trainer.config.flat(), "trace": trace}, indent=1))
                if ns.keep_best and frechet(row) < best and kept_labels(row) >= ns.best_label:
                    best = frechet(row)
                    save(trainer, ns.out / "best.pt")
            if final:
                break


if __name__ == "__main__":
    main()
