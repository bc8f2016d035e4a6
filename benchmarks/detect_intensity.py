"""Why the detectors read log intensity: each detector fitted on mnist-dcgan's digits twice, once on the raw grey
values and once on their log (``ganlab.detect.spectrum.log_intensity``), and judged on held-out images.

    python -m benchmarks.detect_intensity --data-dir ../shared/data [--images 10000 --held-out 2000]

Prints the share of black background pixels of each set, then one JSON line per detector and intensity
(docs/detection.md).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from ganlab.detect.detectors import KINDS, accuracy, auc, fit
from ganlab.detect.sets import FIT_SEED, HELD_OUT_SEED, generated_images, real_images
from ganlab.detect.spectrum import LOG_FLOOR, grey_intensity, log_intensity
from ganlab.persist.checkpoint import load
from ganlab.evaluation.classifier import CHECKPOINT_DIR


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", default="./data")
    ap.add_argument("--generator", default=str(CHECKPOINT_DIR / "mnist-dcgan.pt"))
    ap.add_argument("--images", type=int, default=10000)
    ap.add_argument("--held-out", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=1)
    ns = ap.parse_args()
    torch.set_num_threads(ns.threads)
    ckpt = load(ns.generator)
    fake, fake_held = generated_images(ckpt, ns.images, seed=FIT_SEED), generated_images(ckpt, ns.held_out,
                                                                                         seed=HELD_OUT_SEED)
    real, real_held = real_images(ns.data_dir, ns.images, train=True), real_images(ns.data_dir, ns.held_out,
                                                                                   train=False)
    for name, x in (("real test digits", real_held), (Path(ns.generator).stem, fake_held)):
        grey = (x + 1) / 2  # where a background is black: exactly, or only nearly (log intensity tells these apart)
        print(json.dumps({"set": name, "pixels_exactly_black": round(float((grey == 0).mean()), 3),
                          "pixels_below_log_floor": round(float((grey < LOG_FLOOR).mean()), 3)}), flush=True)
    for kind in KINDS:
        for name, intensity in (("raw", grey_intensity), ("log", log_intensity)):
            t0 = time.perf_counter()
            det = fit(kind, real, fake, intensity=intensity)
            print(json.dumps({"kind": kind, "intensity": name, "generator": Path(ns.generator).stem,
                              "fit_images": [len(real), len(fake)], "held_out": [len(real_held), len(fake_held)],
                              "accuracy": round(accuracy(det, real_held, fake_held), 4),
                              "auc": round(auc(det, real_held, fake_held), 4),
                              "fit_seconds": round(time.perf_counter() - t0, 1)}), flush=True)


if __name__ == "__main__":
    main()
