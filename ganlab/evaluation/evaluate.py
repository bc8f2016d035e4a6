"""Headless quality figures for a checkpoint: what ``python -m ganlab eval`` prints.

* 1-D and 2-D mixtures: GAN Lab's grid KL/JS and, where the modes are known, the PacGAN
  metric, on 2,500 samples from the same fixed z the Train page's live figures use.
* MNIST and Fashion-MNIST: the project's LeNet of that dataset judges 10,000 samples (balanced
  classes for conditional models): label agreement with the conditioning class, the class
  histogram, and the Fréchet distance of penultimate features to the test set, beside the floor
  set by as many real training images against the same test set.
"""

from __future__ import annotations

from pathlib import Path

import torch

from ganlab.core.accuracy import accuracy
from ganlab.data.datasets import load_data
from ganlab.evaluation.captions import caption_figures
from ganlab.evaluation.classifier import has_judge
from ganlab.evaluation.judge import ImageJudge
from ganlab.evaluation.styles import mixing_figures
from ganlab.evaluation.quality import QUALITY_REAL_SEED, QUALITY_SAMPLES, QUALITY_Z_SEED, toy_quality
from ganlab.explore.sampling import generate
from ganlab.persist.checkpoint import Checkpoint

# What a model offers the exploration pages, and the figures that say how well it does it: a style-based
# model, what each block decides (ganlab.evaluation.styles); a text-to-image model, whether the caption's
# digit and attribute words show (ganlab.evaluation.captions). A new capability adds its line.
CAPABILITY_FIGURES = (
    (lambda v, args: bool(v.style_blocks(args)), mixing_figures),
    (lambda v, args: bool(v.vocabulary(args)), caption_figures),
)


def classifier_accuracies(ckpt: Checkpoint, test, matching: dict[str, int] | None = None) -> dict[str, float]:
    """Test accuracy of each classifier the checkpoint's variant trains (D's auxiliary head, the
    semi-supervised D and its baseline, InfoGAN's Q). Q predicts codes, not digits: with the code
    ``matching`` each code is read as the digit it was matched to (an unmatched code is never right)."""
    nets = ckpt.build_nets("cpu")
    out = {}
    for name, classify in ckpt.variant.classifiers(nets).items():
        if matching is None:
            out[name] = accuracy(classify, test.images, test.labels)
            continue
        lookup = torch.tensor([matching.get(str(k), -1) for k in range(ckpt.args.n_classes)])
        with torch.no_grad():
            codes = torch.cat([classify(test.images[i:i + 1000]).argmax(1) for i in range(0, len(test.images), 1000)])
        out[name] = float((lookup[codes] == test.labels).float().mean())
    return out


def evaluate(ckpt: Checkpoint, *, data_dir: str | Path | None = None, n: int | None = None, seed: int = QUALITY_Z_SEED,
             classifier: str | Path | None = None) -> dict:
    """Figures for ``ckpt``; on toy data ``seed`` defaults to the draw the Train page's live figures use."""
    name = ckpt.config.data.name
    if ckpt.variant.translation(ckpt.args) is not None:  # pix2pix, CycleGAN: is the digit kept, and the look changed?
        from ganlab.evaluation.translation import evaluate_translation

        images = len(ckpt.args.data_shape) > 1
        return evaluate_translation(ckpt, data_dir=data_dir or ckpt.config.data.data_dir,
                                    classifier=classifier if images else None, seed=seed)
    if len(ckpt.args.data_shape) == 1:  # 1-D and 2-D mixtures
        m = load_data(name, points=ckpt.config.data.points)
        x, _ = generate(ckpt, n or QUALITY_SAMPLES, seed=seed)
        real = m.batch(len(x), torch.Generator().manual_seed(QUALITY_REAL_SEED))[0].numpy()
        return {"data": name, "step": ckpt.step, "samples": len(x), **toy_quality(x, real, m)}
    if not has_judge(name):
        raise ValueError(f"no classifier judges {name}: eval judges images of MNIST and Fashion-MNIST (and 1-D and "
                         "2-D mixtures)")
    judge = ImageJudge(data_dir or ckpt.config.data.data_dir, name, classifier)
    x, labels = generate(ckpt, n or 10000, seed=seed)
    out = {"data": name, "model": ckpt.args.arch, "step": ckpt.step, "samples": len(x),
           "classifier_test_accuracy": judge.clf_accuracy,
           **judge.judge(x, labels, handle=ckpt.variant.class_handle)}
    for offers, figures_of in CAPABILITY_FIGURES:
        if offers(ckpt.variant, ckpt.args):
            out.update(figures_of(ckpt, judge, seed=seed))
    accuracies = classifier_accuracies(ckpt, judge.test, out.get("code_matching"))
    if accuracies:
        out["test_accuracy"] = accuracies  # the variant's own classifiers on the 10,000 MNIST test images
    return out
