"""LeNet-5 classifiers: the judges of generated MNIST and Fashion-MNIST samples.

LeCun et al., "Gradient-based learning applied to document recognition" (Proc.
IEEE 1998). Trained by the project itself on the real training set of the data it judges;
its 84-unit penultimate layer is the feature space for the Fréchet distance.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.data.catalog import whole_set
from ganlab.data.image_data import ImageData
from ganlab.persist.checkpoint import CheckpointError, atomic_write
from ganlab.persist.checkpoint_dir import JUDGE_FILES

CLASSIFIER_FORMAT = "ganlab-classifier"
CHECKPOINT_DIR = Path(__file__).resolve().parents[2] / "checkpoints"
# JUDGE_FILES: the shipped judge of each dataset that has one (a part of a dataset, such as its shoes, is judged
# by the whole's)
# how far training images are shifted at random, per dataset (see train_classifier)
JUDGE_SHIFTS = {"mnist": 2, "fashion-mnist": 0}


def has_judge(data: str) -> bool:
    return whole_set(data) in JUDGE_FILES


def classifier_path(data: str) -> Path:
    """The shipped classifier that judges ``data`` (``checkpoints/mnist-classifier.pt``, ...)."""
    whole = whole_set(data)
    if whole not in JUDGE_FILES:
        raise ValueError(f"no classifier judges {data}: the judged datasets are {', '.join(JUDGE_FILES)}")
    return CHECKPOINT_DIR / JUDGE_FILES[whole]


class LeNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # (B, 1, 28, 28) -> (B, 6, 14, 14)
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),  # -> (B, 16, 5, 5)
            nn.Flatten(),
        )
        self.fc = nn.Sequential(nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU())
        self.out = nn.Linear(84, 10)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 1, 28, 28) in [-1, 1] -> (B, 84) penultimate activations."""
        return self.fc(self.conv(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.features(x))


def train_classifier(train: ImageData, test: ImageData, *, epochs: int = 10, batch_size: int = 128,
                     lr: float = 1e-3, seed: int = 0, max_shift: int = 2, log=print) -> tuple[LeNet, float]:
    """Adam on a real training set with random shifts of up to ``max_shift`` pixels (digits wander on the page;
    Fashion-MNIST's products are centred, and shifting them costs accuracy: 86.6% with 2, 88.8% with 0);
    returns the model and its test accuracy."""
    g = torch.Generator().manual_seed(seed)
    model = LeNet()
    with torch.no_grad():  # seeded init without touching the global RNG
        for p in model.parameters():
            if p.dim() > 1:
                nn.init.kaiming_uniform_(p, a=5 ** 0.5, generator=g)
            else:
                p.zero_()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(train.images)
    for epoch in range(epochs):
        t0 = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=g)
        for i in range(0, n, batch_size):
            idx = order[i:i + batch_size]
            x = _shift(train.images[idx], g, max_shift) if max_shift else train.images[idx]
            loss = F.cross_entropy(model(x), train.labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        for group in opt.param_groups:
            group["lr"] *= 0.75
        acc = accuracy(model, test)
        log(f"epoch {epoch + 1}/{epochs}: test accuracy {acc:.4f} ({time.perf_counter() - t0:.0f} s)")
    return model.eval(), acc


def _shift(x: torch.Tensor, g: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Roll the batch by one random (dy, dx) in [-max_shift, max_shift]^2, padding with background."""
    dy, dx = (int(v) for v in torch.randint(-max_shift, max_shift + 1, (2,), generator=g))
    padded = F.pad(x, (max_shift,) * 4, value=-1.0)
    return padded[:, :, max_shift + dy: max_shift + dy + 28, max_shift + dx: max_shift + dx + 28]


@torch.no_grad()
def predict(model: LeNet, images: torch.Tensor | np.ndarray, *, batch: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """Predicted labels (N,) and penultimate features (N, 84) for images in [-1, 1]."""
    images = torch.as_tensor(images, dtype=torch.float32)
    labels, feats = [], []
    for i in range(0, len(images), batch):
        f = model.features(images[i:i + batch])
        feats.append(f)
        labels.append(model.out(f).argmax(1))
    return torch.cat(labels).numpy(), torch.cat(feats).double().numpy()


def accuracy(model: LeNet, data: ImageData) -> float:
    model.eval()
    pred, _ = predict(model, data.images)
    return float((pred == data.labels.numpy()).mean())


def save_classifier(model: LeNet, path: str | Path, *, test_accuracy: float, data: str = "mnist") -> Path:
    """The weights, the dataset they judge and their accuracy on its test set, written atomically."""
    buf = io.BytesIO()
    torch.save({"format": CLASSIFIER_FORMAT, "data": data, "state": model.state_dict(),
                "test_accuracy": float(test_accuracy)}, buf)
    return atomic_write(path, buf.getvalue())


def load_classifier(path: str | Path, *, data: str | None = None) -> tuple[LeNet, float]:
    """A classifier file (read with ``weights_only``: nothing in it runs); with ``data``, it must judge that
    dataset (files from before the field judge MNIST)."""
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(raw, dict) or raw.get("format") != CLASSIFIER_FORMAT:
            raise ValueError("no classifier tag")
        model = LeNet()
        model.load_state_dict(raw["state"])
    except (OSError, RuntimeError, ValueError, KeyError, AttributeError) as err:
        raise CheckpointError(f"{path} is not a ganlab classifier ({err})") from err
    judges = raw.get("data", "mnist")
    if data is not None and judges != whole_set(data):
        raise CheckpointError(f"{path} judges {judges}, not {whole_set(data)}")
    return model.eval(), float(raw["test_accuracy"])


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to feature sets (N, D) and (M, D) (Heusel et al. 2017, FID).

    ||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^(1/2)), with the trace of the root taken as the
    sum of square roots of the eigenvalues of S_a^(1/2) S_b S_a^(1/2) (symmetric, so stable).
    """
    mu_a, mu_b = a.mean(0), b.mean(0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    w, v = np.linalg.eigh(s_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    cross = np.linalg.eigvalsh(root_a @ s_b @ root_a)
    tr_root = np.sqrt(np.clip(cross, 0, None)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * tr_root)
