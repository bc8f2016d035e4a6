"""Headless figures for a translation model (pix2pix, CycleGAN, DiscoGAN): what ``eval`` prints for one.

Every direction that lands in a dataset with a judge (MNIST, Fashion-MNIST and its parts) is judged
by the project's LeNet of that dataset, beside the same figures for the untranslated inputs:
* a translation that keeps the class (a digit stays that digit): the share of outputs read as the label
  of the input they started from;
* one between two kinds of thing (a bag becomes a shoe; ``Translation.keeps`` "look"): the share of
  outputs read as the target kind, the outputs' variety (mean pairwise distance) against the real target
  test set's, and how well each trait of ``ganlab.explore.traits`` (size, tone...) carries over;
and by the Fréchet distance of its features to the landing set's test images (does it look like them?).
A cycle model also reports its round trips' mean absolute error, per pixel on the [0, 1] scale.
"""

from __future__ import annotations

import numpy as np
import torch

from ganlab.data.catalog import has_test_set
from ganlab.data.datasets import load_data, load_images
from ganlab.evaluation.classifier import frechet_distance, has_judge
from ganlab.evaluation.judge import ImageJudge
from ganlab.evaluation.quality import toy_quality
from ganlab.explore.traits import kept_traits, mean_pairwise_distance
from ganlab.explore.translate import domain_inputs, round_trip, translate


def _domain_size(name: str, data_dir) -> int:
    """Every test input of a domain with a test set (10,000 of MNIST, 1,000 bags), every image of another."""
    data = load_images(name, data_dir, train=False, download=False) if has_test_set(name) else load_data(name, data_dir)
    return len(data.images)


def _judged(judge, x: np.ndarray, labels: np.ndarray | None) -> dict:
    """Fréchet distance to the judge's test set and, with the inputs' labels, the share read as that label;
    without, the share read as any class of the judge's data (its part: a shoe, not a bag)."""
    pred, feats = judge.read(x)
    rate = {"label_rate": float((pred == labels).mean())} if labels is not None \
        else {"target_rate": float((pred >= 0).mean())}
    return {**rate, "frechet_distance": frechet_distance(feats, judge.test_feats)}


def evaluate_translation(ckpt, *, data_dir, classifier=None, seed: int = 0, judges: dict | None = None) -> dict:
    """The figures above for ``ckpt``; ``judges`` caches an ImageJudge per landing dataset between calls
    (a benchmark that checks a run as it trains), ``classifier`` replaces the shipped judge's file."""

    t = ckpt.variant.translation(ckpt.args)
    nets = ckpt.build_nets("cpu")
    judges = {} if judges is None else judges

    def inputs(side: str, n: int, seed_: int):
        return domain_inputs(ckpt.variant, ckpt.args, side, n, seed=seed_, data_dir=data_dir)

    out: dict = {"data": ckpt.config.data.name, "model": ckpt.args.arch, "step": ckpt.step,
                 "domains": {"a": t.a_data, "b": t.b_data}}
    if len(ckpt.args.data_shape) == 1:  # 2-D: G(a) against domain B's points, and the round trip
        a, _ = inputs("a", 2500, seed)
        there, back = round_trip(nets, ckpt.variant, a)
        real_b = load_data(t.b_data).batch(2500, torch.Generator().manual_seed(seed + 1))[0].numpy()
        out["a2b"] = toy_quality(there.numpy(), real_b, load_data(t.b_data))
        out["cycle_error_a"] = float((back - a).abs().mean())
        return out
    directions = [("a2b", "a", t.b_data)] + ([("b2a", "b", t.a_data)] if t.cycle else [])
    landed = set()
    for direction, side, lands_in in directions:
        if not has_judge(lands_in):
            continue
        if lands_in not in judges:
            judges[lands_in] = ImageJudge(data_dir, lands_in, classifier)
        judge = judges[lands_in]
        landed.add(lands_in)
        x, labels = inputs(side, _domain_size(t.a_data if side == "a" else t.b_data, data_dir), seed)
        there = translate(nets, ckpt.variant, x, direction).numpy()
        kept = None if t.keeps == "look" else labels.numpy()
        row = {"inputs": len(x), **_judged(judge, there, kept), "untranslated": _judged(judge, x.numpy(), kept),
               "frechet_floor": judge.floor}
        if t.keeps == "look":
            real = judge.test.images.numpy()
            row["variety_ratio"] = mean_pairwise_distance(there, seed=seed) / mean_pairwise_distance(real, seed=seed)
            row["kept_traits"] = kept_traits(x.numpy(), there)
        out[direction] = row
    if t.cycle:
        for side, direction in (("a", "a2b"), ("b", "b2a")):
            x, _ = inputs(side, _domain_size(t.a_data if side == "a" else t.b_data, data_dir), seed)
            _, back = round_trip(nets, ckpt.variant, x, direction)
            out[f"cycle_l1_{side}"] = float((back - x).abs().mean() / 2)  # on the [0, 1] pixel scale
    if len(landed) == 1:  # one landing set (MNIST): its floor (with two, each direction has its own)
        out["frechet_floor_train_vs_test"] = judges[landed.pop()].floor
    return out
