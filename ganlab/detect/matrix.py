"""Trained on one generator, tested on every other (Wang et al. 2020, "CNN-generated images are surprisingly easy
to spot... for now"): each detector kind fitted on real digits against one generator's samples, then judged on
held-out real digits against each generator's held-out samples, by accuracy at the threshold 0.5 and by AUC
(which needs no threshold: a detector can still rank an unseen generator's images above real ones while its
fixed threshold calls most of them real)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from ganlab.detect.detectors import KINDS, accuracy, auc, fit
from ganlab.detect.sets import FIT_IMAGES, FIT_SEED, HELD_OUT_IMAGES, HELD_OUT_SEED, generated_images, real_images
from ganlab.persist.checkpoint import Checkpoint


def cross_matrix(generators: dict[str, Checkpoint], *, data_dir: str | Path, kinds=KINDS, n_fit: int = FIT_IMAGES,
                 n_held: int = HELD_OUT_IMAGES, log: Callable[[str], None] = print) -> dict:
    """{"generators": names, "held_out": n, kind: {"accuracy": rows, "auc": rows}}: row i is the detector fitted on
    generator i, column j its figure on generator j's held-out samples."""
    names = list(generators)
    real_fit, real_held = real_images(data_dir, n_fit, train=True), real_images(data_dir, n_held, train=False)
    fakes = {}
    for name, ckpt in generators.items():
        fakes[name] = (generated_images(ckpt, n_fit, seed=FIT_SEED), generated_images(ckpt, n_held, seed=HELD_OUT_SEED))
        log(f"sampled {name}")
    out: dict = {"generators": names, "fit_images": n_fit, "held_out_images": n_held}
    for kind in kinds:
        acc, area = [], []
        for name in names:
            detector = fit(kind, real_fit, fakes[name][0])
            acc.append([round(accuracy(detector, real_held, fakes[other][1]), 4) for other in names])
            area.append([round(auc(detector, real_held, fakes[other][1]), 4) for other in names])
            log(f"{kind} fitted on {name}: accuracy on itself {acc[-1][names.index(name)]:.3f}")
        out[kind] = {"accuracy": acc, "auc": area}
    return out


def markdown(result: dict) -> str:
    """The matrix as tables: one per detector kind and figure, rows the generator fitted on, columns tested on."""
    names = result["generators"]
    lines = []
    for kind in (k for k in KINDS if k in result):
        for figure in ("accuracy", "auc"):
            lines += [f"**{kind} detector, {'accuracy at 0.5' if figure == 'accuracy' else 'AUC'}** (rows: fitted on; "
                      "columns: tested on)", "", "| fitted on | " + " | ".join(names) + " |",
                      "| --- |" + " --- |" * len(names)]
            for name, row in zip(names, result[kind][figure]):
                lines.append(f"| {name} | " + " | ".join(f"{v:.3f}" for v in row) + " |")
            lines.append("")
    return "\n".join(lines)
