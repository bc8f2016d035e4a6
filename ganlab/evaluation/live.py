"""Figures measured live, a few times a second, beside training, on MNIST models' fixed sample grids, judged
by the project's LeNet: a conditional model's label agreement, and any model's precision and recall (its
grid's features against those of 1,000 test images)."""

from __future__ import annotations

import threading

import numpy as np

from ganlab import figures
from ganlab.figures import Figure, Mark, percent

_JUDGE = {}
_LOCK = threading.Lock()


def _classifier():
    with _LOCK:
        if "clf" not in _JUDGE:
            from ganlab.evaluation.classifier import load_classifier
            from ganlab.evaluation.evaluate import CLASSIFIER_PATH

            try:
                _JUDGE["clf"] = load_classifier(CLASSIFIER_PATH)[0]
            except Exception:  # noqa: BLE001 - no judge here: the live figure is simply not shown
                _JUDGE["clf"] = None
        return _JUDGE["clf"]


LIVE_REAL = 1000  # test images whose LeNet features stand for the real manifold live (eval uses all 10,000)


def _real_manifold(data_dir: str):
    """The LeNet features of the first LIVE_REAL MNIST test images, as a RealManifold (once per folder)."""
    with _LOCK:
        key = ("real", str(data_dir))
        if key not in _JUDGE:
            _JUDGE[key] = None
            clf = _JUDGE.get("clf")
            try:
                from ganlab.data.datasets import load_images
                from ganlab.evaluation.classifier import predict
                from ganlab.evaluation.manifold import RealManifold

                test = load_images("mnist", data_dir, train=False, download=False)
                if clf is not None:
                    _JUDGE[key] = RealManifold(predict(clf, test.images[:LIVE_REAL].numpy())[1])
            except Exception:  # noqa: BLE001 - no test set here: the live figures are simply not shown
                pass
        return _JUDGE[key]


def live_variety(trainer, fake: np.ndarray) -> dict:
    """Precision, recall, density and coverage of an MNIST model's fixed grid (its LeNet features) against 1,000
    test images', else {}."""
    if not (trainer.config.data.name == "mnist" and fake.ndim == 4 and fake.shape[1:] == (1, 28, 28)):
        return {}
    clf = _classifier()
    real = _real_manifold(trainer.config.data.data_dir) if clf is not None else None
    if real is None:
        return {}
    from ganlab.evaluation.classifier import predict

    return real.figures(predict(clf, fake)[1])


def live_agreement(trainer, fake: np.ndarray) -> dict:
    """{"label_agreement": share} for a conditional model on MNIST (its fixed grid's labels against the
    LeNet's reading of the grid: 100 samples, 10 per digit), else {}."""
    if not (trainer.variant.conditional and trainer.config.data.name == "mnist" and fake.ndim == 4):
        return {}
    clf = _classifier()
    labels = trainer.fixed_noise[1]
    if clf is None or labels is None or labels.dtype.is_floating_point:
        return {}
    from ganlab.evaluation.classifier import predict

    pred, _ = predict(clf, fake)
    return {"label_agreement": float((pred == labels.cpu().numpy()).mean())}


figures.register(Figure(
    "label_agreement", "Label agreement",
    "share of the 100 samples of the fixed grid (10 per digit) the project's LeNet reads as the digit asked for",
    percent("label_agreement", 0), share=True, series="label agreement", rank=0,
    chart="Label agreement (the 100 samples of the fixed grid)",
    marks=(Mark("95% label agreement", lambda q: q["label_agreement"] >= 0.95, lambda q: "95% label agreement"),)))
