"""What the 8x8 digits -> MNIST figures can be read against: three sets of 1,797 images judged as
``eval`` judges a CycleGAN's translations (the project's LeNet; label kept, Fréchet distance to the
MNIST test set), none of them made by a model.

    python -m benchmarks.translation_bounds [--data-dir ../shared/data] [--checkpoint checkpoints/digits-cyclegan.pt]

- real: 1,797 MNIST training digits (a random draw, seed 0; and the first 1,797): the floor at this
  sample size, and how much it moves from one draw to the next;
- untranslated: the 8x8 digits as domain B holds them (``ganlab.data.digits8``, framed as MNIST);
- nearest real digit: for each 8x8 digit, the MNIST training digit of its own class nearest to it
  (both average-pooled 4x4, so the 8x8's blur does not count): what a translator that keeps each
  input's shape and draws it in real MNIST strokes would give;
- with --checkpoint, a CycleGAN's translations of the 8x8 digits into MNIST.
Each row also gives the label kept per class and the Fréchet distance's two terms: the means' and
the covariances' (with the trace of each set's feature covariance: how far its features spread).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from ganlab.data.datasets import load_images  # noqa: E402
from ganlab.data.digits8 import load_digits8  # noqa: E402
from ganlab.evaluation.classifier import frechet_distance, predict  # noqa: E402
from ganlab.evaluation.judge import ImageJudge  # noqa: E402
from ganlab.explore.translate import translate  # noqa: E402
from ganlab.persist.checkpoint import load  # noqa: E402


def nearest_of_class(queries: torch.Tensor, q_labels: torch.Tensor, pool: torch.Tensor, p_labels: torch.Tensor):
    """Index into ``pool`` of the same-class image nearest each query, after 4x4 average pooling."""
    flat = lambda x: F.avg_pool2d(x, 4).flatten(1)  # noqa: E731
    fq, fp = flat(queries), flat(pool)
    out = torch.empty(len(queries), dtype=torch.long)
    for c in q_labels.unique().tolist():
        iq, ip = (q_labels == c).nonzero().squeeze(1), (p_labels == c).nonzero().squeeze(1)
        out[iq] = ip[torch.cdist(fq[iq], fp[ip]).argmin(1)]
    return out


def frechet_terms(a, b) -> dict:
    """The Fréchet distance of feature sets a and b, and its split: ||mu_a - mu_b||^2, and the rest (the
    covariances'), with how far each set's features spread (the trace of its covariance)."""
    whole, means = frechet_distance(a, b), float(((a.mean(0) - b.mean(0)) ** 2).sum())
    return {"frechet_distance": round(whole, 2), "means_term": round(means, 2), "covariance_term": round(whole - means, 2),
            "spread": round(float(a.var(0, ddof=1).sum()), 1), "spread_test": round(float(b.var(0, ddof=1).sum()), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--checkpoint", type=Path, help="also judge this CycleGAN's translations of the 8x8 digits")
    ns = ap.parse_args()
    judge = ImageJudge(ns.data_dir)
    train = load_images("mnist", ns.data_dir, train=True, download=False)
    b = load_digits8()
    n = len(b.images)
    picked = nearest_of_class(b.images, b.labels, train.images, train.labels)
    real = torch.randperm(len(train.images), generator=torch.Generator().manual_seed(0))[:n]
    sets = {"real": (train.images[real], train.labels[real]), "real, the first ones": (train.images[:n], train.labels[:n]),
            "untranslated": (b.images, b.labels), "nearest real digit": (train.images[picked], b.labels)}
    if ns.checkpoint:
        ckpt = load(ns.checkpoint)
        with torch.no_grad():
            sets["translated"] = (translate(ckpt.build_nets("cpu"), ckpt.variant, b.images, "b2a"), b.labels)
    for name, (x, labels) in sets.items():
        pred, feats = predict(judge.clf, x.numpy())
        truth = labels.numpy()
        row = {"set": name, "images": n, "label_rate": round(float((pred == truth).mean()), 4),
               **frechet_terms(feats, judge.test_feats),
               "per_class": [round(float((pred[truth == c] == c).mean()), 2) for c in range(10)]}
        if name == "nearest real digit":
            row["distinct_digits"] = len(set(picked.tolist()))
        print(json.dumps(row), flush=True)
    print(json.dumps({"frechet_floor_train_vs_test": round(judge.floor, 3)}))


if __name__ == "__main__":
    main()
