"""Figures measured live, a few times a second, beside training, on MNIST and Fashion-MNIST models' fixed
sample grids, judged by the project's LeNet of that data: a conditional model's label agreement, and any model's precision and recall (its
grid's features against those of 1,000 test images)."""

from __future__ import annotations

import threading

import numpy as np

from ganlab import figures
from ganlab.figures import Figure, Mark, percent

_JUDGE = {}
_LOCK = threading.Lock()


def _classifier(data: str):
    """The shipped LeNet that judges ``data`` (MNIST's, Fashion-MNIST's), or None where there is none."""
    from ganlab.evaluation.classifier import classifier_path, has_judge, load_classifier

    if not has_judge(data):
        return None
    with _LOCK:
        key = ("clf", classifier_path(data).name)
        if key not in _JUDGE:
            try:
                _JUDGE[key] = load_classifier(classifier_path(data), data=data)[0]
            except Exception:  # noqa: BLE001 - no judge here: the live figure is simply not shown
                _JUDGE[key] = None
        return _JUDGE[key]


LIVE_REAL = 1000  # test images whose LeNet features stand for the real manifold live (eval uses all 10,000)


def _real_manifold(data: str, data_dir: str, clf):
    """The LeNet features of the first LIVE_REAL test images of ``data``, as a RealManifold (once per folder)."""
    with _LOCK:
        key = ("real", data, str(data_dir))
        if key not in _JUDGE:
            _JUDGE[key] = None
            try:
                from ganlab.data.datasets import load_images
                from ganlab.evaluation.classifier import predict
                from ganlab.evaluation.manifold import RealManifold

                test = load_images(data, data_dir, train=False, download=False)
                _JUDGE[key] = RealManifold(predict(clf, test.images[:LIVE_REAL].numpy())[1])
            except Exception:  # noqa: BLE001 - no test set here: the live figures are simply not shown
                pass
        return _JUDGE[key]


def _judged_images(trainer, fake: np.ndarray) -> bool:
    return fake.ndim == 4 and fake.shape[1:] == (1, 28, 28) and _classifier(trainer.config.data.name) is not None


def live_variety(trainer, fake: np.ndarray) -> dict:
    """Precision, recall, density and coverage of an MNIST or Fashion-MNIST model's fixed grid (its LeNet
    features) against 1,000 test images', else {}."""
    if not _judged_images(trainer, fake):
        return {}
    data = trainer.config.data.name
    clf = _classifier(data)
    real = _real_manifold(data, trainer.config.data.data_dir, clf)
    if real is None:
        return {}
    from ganlab.evaluation.classifier import predict

    return real.figures(predict(clf, fake)[1])


def live_agreement(trainer, fake: np.ndarray) -> dict:
    """{"label_agreement": share} for a conditional model on MNIST or Fashion-MNIST (its fixed grid's labels
    against the LeNet's reading of the grid: 100 samples, 10 per class), else {}."""
    if not (trainer.variant.conditional and _judged_images(trainer, fake)):
        return {}
    labels = trainer.fixed_noise[1]
    if labels is None or labels.dtype.is_floating_point:
        return {}
    from ganlab.data.catalog import SUBSETS
    from ganlab.evaluation.classifier import predict

    pred, _ = predict(_classifier(trainer.config.data.name), fake)
    part = SUBSETS.get(trainer.config.data.name)
    if part is not None:  # the judge reads the whole set's ten classes; the part's labels count from 0
        lookup = np.full(10, -1)
        lookup[list(part[1])] = np.arange(len(part[1]))
        pred = lookup[pred]
    return {"label_agreement": float((pred == labels.cpu().numpy()).mean())}


figures.register(Figure(
    "label_agreement", "Label agreement",
    "share of the 100 samples of the fixed grid (10 per class) the project's LeNet reads as the class asked for",
    percent("label_agreement", 0), share=True, series="label agreement", rank=0,
    chart="Label agreement (the 100 samples of the fixed grid)",
    marks=(Mark("95% label agreement", lambda q: q["label_agreement"] >= 0.95, lambda q: "95% label agreement"),)))
