"""Two detectors of generated images, fitted on real MNIST digits (label 0) against a generator's (label 1).

* ``spectrum``: logistic regression on the 1-D spectra of ``ganlab.detect.spectrum`` (21 numbers an image),
  standardised by the fit set's mean and spread (Durall et al. 2019). Seconds to fit; it sees only frequencies.
* ``cnn``: a small convolutional network on the pixels' log intensity (three 3x3 convs, global pooling, one
  logit), which can learn any cue, the spectrum's included (Wang et al. 2020 use a ResNet-50 at full size).

Either scores an image as its probability of being generated. A detector file holds its kind, its weights and
what it was fitted on; it is read with ``weights_only`` (nothing in it runs) and checked against its kind.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.detect.spectrum import log_intensity, radial_spectrum
from ganlab.persist.checkpoint import MAX_BYTES, CheckpointError, atomic_write

DETECTOR_FORMAT = "ganlab-detector"
KINDS = ("spectrum", "cnn")
RINGS = 21  # radial_spectrum's length at 28x28 (rings 0 to 20: the corners lie 19.8 from the centre)
EPOCHS = {"spectrum": 40, "cnn": 3}


class SpectrumDetector(nn.Module):
    kind = "spectrum"

    def __init__(self, intensity=log_intensity):
        super().__init__()
        self.intensity = intensity  # what the spectrum is taken of (grey_intensity: benchmarks/detect_intensity.py)
        self.register_buffer("mean", torch.zeros(RINGS))
        self.register_buffer("std", torch.ones(RINGS))
        self.linear = nn.Linear(RINGS, 1)

    def inputs(self, images: np.ndarray) -> torch.Tensor:
        return torch.as_tensor(radial_spectrum(images, self.intensity), dtype=torch.float32)

    def standardise_on(self, x: torch.Tensor) -> None:
        self.mean.copy_(x.mean(0))
        self.std.copy_(x.std(0).clamp_min(1e-6))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear((x - self.mean) / self.std).squeeze(1)


class PixelDetector(nn.Module):
    kind = "cnn"

    def __init__(self, ch: int = 16, intensity=log_intensity):
        super().__init__()
        self.intensity = intensity
        self.net = nn.Sequential(
            nn.Conv2d(1, ch, 3, 1, 1), nn.LeakyReLU(0.2),  # (B, 1, 28, 28) -> (B, ch, 28, 28)
            nn.Conv2d(ch, 2 * ch, 3, 2, 1), nn.LeakyReLU(0.2),  # -> (B, 2ch, 14, 14)
            nn.Conv2d(2 * ch, 4 * ch, 3, 2, 1), nn.LeakyReLU(0.2),  # -> (B, 4ch, 7, 7)
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * ch, 1))

    def inputs(self, images: np.ndarray) -> torch.Tensor:
        """The log intensity, as the spectrum's (raw pixels hide a generator's faint background pattern from it
        as well: 50% held out on mnist-dcgan after 3 epochs, against 98% on log intensity;
        benchmarks/detect_intensity.py)."""
        return torch.as_tensor(self.intensity(images)[:, None], dtype=torch.float32)

    def standardise_on(self, x: torch.Tensor) -> None:
        pass

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)


def new_detector(kind: str, intensity=log_intensity) -> nn.Module:
    if kind not in KINDS:
        raise ValueError(f"a detector is one of {', '.join(KINDS)}, not {kind!r}")
    return SpectrumDetector(intensity=intensity) if kind == "spectrum" else PixelDetector(intensity=intensity)


@torch.no_grad()
def score(detector: nn.Module, images: np.ndarray, *, batch: int = 2000) -> np.ndarray:
    """(N,) probability that each image was generated."""
    detector.eval()
    x = detector.inputs(images)
    return torch.cat([torch.sigmoid(detector(x[i:i + batch])) for i in range(0, len(x), batch)]).numpy()


def fit(kind: str, real: np.ndarray, fake: np.ndarray, *, epochs: int | None = None, seed: int = 0,
        held_out: tuple[np.ndarray, np.ndarray] | None = None,
        progress: Callable[[int, float, float | None], None] | None = None, should_stop=lambda: False,
        intensity=log_intensity) -> nn.Module:
    """A detector of ``kind`` fitted on ``real`` (label 0) against ``fake`` (label 1) with Adam; after each tenth of
    the fit, ``progress(updates, fit-set loss, held-out accuracy or None)``."""
    g = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)  # the layers' initial weights (only the fit's own generator draws the batches)
    detector = new_detector(kind, intensity)
    x = torch.cat([detector.inputs(real), detector.inputs(fake)])
    y = torch.cat([torch.zeros(len(real)), torch.ones(len(fake))])
    detector.standardise_on(x)
    opt = torch.optim.Adam(detector.parameters(), lr=1e-2 if kind == "spectrum" else 2e-3)
    batch = 256 if kind == "spectrum" else 128
    epochs = epochs or EPOCHS[kind]
    total = epochs * -(-len(x) // batch)
    every, done = max(1, total // 10), 0
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), batch):
            if should_stop():
                return detector.eval()
            detector.train()
            idx = order[i:i + batch]
            loss = F.binary_cross_entropy_with_logits(detector(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            done += 1
            if progress is not None and (done % every == 0 or done == total):
                acc = accuracy(detector, *held_out) if held_out is not None else None
                progress(done, float(loss.detach()), acc)
    return detector.eval()


def accuracy(detector: nn.Module, real: np.ndarray, fake: np.ndarray) -> float:
    """Share of images called right at the threshold 0.5, real and generated weighed alike."""
    return 0.5 * (float((score(detector, real) < 0.5).mean()) + float((score(detector, fake) >= 0.5).mean()))


def auc(detector: nn.Module, real: np.ndarray, fake: np.ndarray) -> float:
    """Area under the ROC curve: the chance that a generated image scores above a real one (ties count half),
    whatever the threshold."""
    from scipy.stats import rankdata

    s = np.concatenate([score(detector, real), score(detector, fake)])
    ranks = rankdata(s)
    n_real, n_fake = len(real), len(fake)
    return float((ranks[n_real:].sum() - n_fake * (n_fake + 1) / 2) / (n_real * n_fake))


def save_detector(detector: nn.Module, path: str | Path, *, trained_on: list[str], held_out_accuracy: float) -> Path:
    buf = io.BytesIO()
    torch.save({"format": DETECTOR_FORMAT, "kind": detector.kind, "state": detector.state_dict(),
                "trained_on": list(trained_on), "held_out_accuracy": float(held_out_accuracy)}, buf)
    return atomic_write(path, buf.getvalue())


def load_detector(path: str | Path) -> tuple[nn.Module, dict]:
    """A detector file (untrusted: its size is checked first, it is read with ``weights_only``, and its weights
    must fit its kind) and what it says about itself."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        raise CheckpointError(f"cannot read {path}: {err.strerror or err}") from err
    if size > MAX_BYTES:
        raise CheckpointError(f"{path} is {size:,} bytes; a detector file is at most {MAX_BYTES:,}")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(raw, dict) or raw.get("format") != DETECTOR_FORMAT:
            raise ValueError("no detector tag")
        detector = new_detector(raw["kind"])
        detector.load_state_dict(raw["state"])
        about = {"kind": raw["kind"], "trained_on": [str(n) for n in raw.get("trained_on", [])],
                 "held_out_accuracy": float(raw.get("held_out_accuracy", float("nan")))}
    except (OSError, RuntimeError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise CheckpointError(f"{path} is not a ganlab detector ({err})") from err
    return detector.eval(), about
