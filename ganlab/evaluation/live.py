"""Figures measured live, a few times a second, beside training: a conditional MNIST model's label
agreement on its fixed sample grid, judged by the project's LeNet."""

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
