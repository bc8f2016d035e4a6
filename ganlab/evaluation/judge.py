"""A dataset's judge: its LeNet, the test set's features and the real-data floor, read once, then any batch of
generated images judged against them (``eval``, translations, and benchmarks that measure quality over time)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ganlab.data.catalog import SUBSETS
from ganlab.data.datasets import load_images
from ganlab.evaluation.classifier import classifier_path, frechet_distance, load_classifier, predict
from ganlab.evaluation.manifold import RealManifold


class ImageJudge:
    """A dataset's LeNet (MNIST's, Fashion-MNIST's; a part of a dataset is judged by the whole's) with its test
    set's features and the real-data floor, computed once: judges any batch of generated images (``eval``, and
    benchmarks that measure quality over time)."""

    def __init__(self, data_dir: str | Path, data: str = "mnist", classifier: str | Path | None = None):
        self.data_dir, self.data = data_dir, data
        self.clf, self.clf_accuracy = load_classifier(classifier or classifier_path(data), data=data)
        self.test = load_images(data, data_dir, train=False, download=False)
        train = load_images(data, data_dir, train=True, download=False)
        _, self.test_feats = predict(self.clf, self.test.images)
        _, train_feats = predict(self.clf, train.images[:len(self.test.images)])
        self.floor = frechet_distance(train_feats, self.test_feats)
        # a part's classes in the whole set's numbering: the judge reads 10 classes, the part's labels count from 0
        self.classes = np.array(SUBSETS[data][1] if data in SUBSETS else range(10))
        self._manifold: RealManifold | None = None  # the test set's balls, made when first asked for

    def read(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The judge's class for each image in the data's own numbering (-1: a class outside the part) and the
        features."""
        pred, feats = predict(self.clf, x)
        lookup = np.full(10, -1)
        lookup[self.classes] = np.arange(len(self.classes))
        return lookup[pred], feats

    def variety(self, feats: np.ndarray) -> dict:
        """Precision, recall, density and coverage of LeNet features against the test set's."""
        if self._manifold is None:
            self._manifold = RealManifold(self.test_feats)
        return self._manifold.figures(feats)

    def judge(self, x: np.ndarray, labels: np.ndarray | None = None, *, handle: str = "class") -> dict:
        """Fréchet distance, class histogram and, for samples drawn with a class input, how well it holds:
        label agreement for a conditional model's labels, the best one-to-one code matching for
        InfoGAN's categorical codes (``handle`` "categorical code")."""
        whole, feats = predict(self.clf, x)
        pred = self.read(x)[0] if len(self.classes) < 10 else whole
        out = {"frechet_distance": frechet_distance(feats, self.test_feats), "frechet_floor_train_vs_test": self.floor,
               **self.variety(feats), "class_histogram": np.bincount(whole, minlength=10).tolist()}
        if labels is None:
            return out
        if handle == "class":
            out["label_agreement"] = float((pred == labels).mean())
            out["per_class_agreement"] = [round(float((pred[labels == k] == k).mean()), 4)
                                          for k in range(len(self.classes))]
        else:
            matching, accuracy = code_matching(labels, pred)
            out["code_matching"] = matching
            out["matched_accuracy"] = accuracy
        return out


def code_matching(codes: np.ndarray, pred: np.ndarray) -> tuple[dict[str, int], float]:
    """The one-to-one matching of codes to predicted digits that agrees with the most samples
    (the Hungarian method on the code x digit count table), and the share of samples it agrees with."""
    from scipy.optimize import linear_sum_assignment

    n_codes = int(codes.max()) + 1
    table = np.zeros((n_codes, 10), dtype=np.int64)
    np.add.at(table, (codes, pred), 1)
    rows, cols = linear_sum_assignment(table, maximize=True)
    return {str(int(r)): int(c) for r, c in zip(rows, cols)}, float(table[rows, cols].sum() / len(codes))
