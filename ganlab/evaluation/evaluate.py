"""Headless quality figures for a checkpoint: what ``python -m ganlab eval`` prints.

* 1-D and 2-D mixtures: GAN Lab's grid KL/JS and, where the modes are known, the PacGAN
  metric, on 2,500 samples from the same fixed z the Train page's live figures use.
* MNIST: the project's LeNet judges 10,000 samples (balanced classes for conditional
  models): label agreement with the conditioning class, the class histogram, and the
  Fréchet distance of penultimate features to the MNIST test set, beside the floor
  set by 10,000 real training images against the same test set.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ganlab.data.datasets import load_data, load_images
from ganlab.evaluation.classifier import frechet_distance, load_classifier, predict
from ganlab.evaluation.quality import QUALITY_REAL_SEED, QUALITY_SAMPLES, QUALITY_Z_SEED, toy_quality
from ganlab.explore.sampling import generate
from ganlab.persist.checkpoint import Checkpoint

CHECKPOINT_DIR = Path(__file__).resolve().parents[2] / "checkpoints"
CLASSIFIER_PATH = CHECKPOINT_DIR / "mnist-classifier.pt"


def evaluate(ckpt: Checkpoint, *, data_dir: str | Path | None = None, n: int | None = None, seed: int = QUALITY_Z_SEED,
             classifier_path: str | Path = CLASSIFIER_PATH) -> dict:
    """Figures for ``ckpt``; on toy data ``seed`` defaults to the draw the Train page's live figures use."""
    name = ckpt.config.data.name
    if len(ckpt.args.data_shape) == 1:  # 1-D and 2-D mixtures
        m = load_data(name, points=ckpt.config.data.points)
        x, _ = generate(ckpt, n or QUALITY_SAMPLES, seed=seed)
        real = m.batch(len(x), torch.Generator().manual_seed(QUALITY_REAL_SEED))[0].numpy()
        return {"data": name, "step": ckpt.step, "samples": len(x), **toy_quality(x, real, m)}
    if name != "mnist":
        raise ValueError(f"the classifier judges MNIST only; this checkpoint was trained on {name}")
    clf, clf_acc = load_classifier(classifier_path)
    root = data_dir or ckpt.config.data.data_dir
    test = load_images("mnist", root, train=False, download=False)
    train = load_images("mnist", root, train=True, download=False)
    x, labels = generate(ckpt, n or 10000, seed=seed)
    pred, feats = predict(clf, x)
    _, test_feats = predict(clf, test.images)
    _, train_feats = predict(clf, train.images[:len(test.images)])
    out = {
        "data": name, "step": ckpt.step, "samples": len(x), "classifier_test_accuracy": clf_acc,
        "frechet_distance": frechet_distance(feats, test_feats),
        "frechet_floor_train_vs_test": frechet_distance(train_feats, test_feats),
        "class_histogram": np.bincount(pred, minlength=10).tolist(),
    }
    if labels is not None:
        out["label_agreement"] = float((pred == labels).mean())
        out["per_class_agreement"] = [round(float((pred[labels == k] == k).mean()), 4) for k in range(10)]
    return out
