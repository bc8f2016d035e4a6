"""Headless figures for a translation model (pix2pix, CycleGAN): what ``eval`` prints for one.

Every direction that lands in MNIST is judged by the project's LeNet against the labels of the
inputs it started from (does the digit survive?) and by the Fréchet distance to the MNIST test set
(does it look like MNIST?), beside the same figures for the untranslated inputs. A cycle model also
reports its round trips' mean absolute error, per pixel on the [0, 1] scale.
"""

from __future__ import annotations

import numpy as np
import torch

from ganlab.evaluation.classifier import frechet_distance, predict
from ganlab.evaluation.quality import toy_quality
from ganlab.explore.translate import domain_inputs, round_trip, translate


def _judged(judge, x: np.ndarray, labels: np.ndarray) -> dict:
    pred, feats = predict(judge.clf, x)
    return {"label_rate": float((pred == labels).mean()), "frechet_distance": frechet_distance(feats, judge.test_feats)}


def evaluate_translation(ckpt, judge=None, *, seed: int = 0) -> dict:
    """The figures above for ``ckpt``; ``judge`` (an MnistJudge) for image models."""
    t = ckpt.variant.translation(ckpt.args)
    nets = ckpt.build_nets("cpu")
    root = ckpt.config.data.data_dir if judge is None else str(judge.data_dir)

    def inputs(side: str, n: int, seed_: int):
        return domain_inputs(ckpt.variant, ckpt.args, side, n, seed=seed_, data_dir=root)

    def size(side: str) -> int:  # every input of a small domain, 10,000 of MNIST's test set
        return 10000 if (t.a_data if side == "a" else t.b_data) == "mnist" else 1797
    out: dict = {"data": ckpt.config.data.name, "model": ckpt.args.arch, "step": ckpt.step,
                 "domains": {"a": t.a_data, "b": t.b_data}}
    if len(ckpt.args.data_shape) == 1:  # 2-D: G(a) against domain B's points, and the round trip
        from ganlab.data.datasets import load_data

        a, _ = inputs("a", 2500, seed)
        there, back = round_trip(nets, ckpt.variant, a)
        real_b = load_data(t.b_data).batch(2500, torch.Generator().manual_seed(seed + 1))[0].numpy()
        out["a2b"] = toy_quality(there.numpy(), real_b, load_data(t.b_data))
        out["cycle_error_a"] = float((back - a).abs().mean())
        return out
    directions = [("a2b", "a", t.b_data)] + ([("b2a", "b", t.a_data)] if t.cycle else [])
    for direction, side, lands_in in directions:
        if lands_in != "mnist":
            continue
        x, labels = inputs(side, size(side), seed)
        there = translate(nets, ckpt.variant, x, direction).numpy()
        out[direction] = {"inputs": len(x), **_judged(judge, there, labels.numpy()),
                          "untranslated": _judged(judge, x.numpy(), labels.numpy())}
    if t.cycle:
        for side, direction in (("a", "a2b"), ("b", "b2a")):
            x, _ = inputs(side, size(side), seed)
            _, back = round_trip(nets, ckpt.variant, x, direction)
            out[f"cycle_l1_{side}"] = float((back - x).abs().mean() / 2)  # on the [0, 1] pixel scale
    out["frechet_floor_train_vs_test"] = judge.floor
    return out
