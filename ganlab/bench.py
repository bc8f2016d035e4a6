"""``python -m ganlab bench``: training speed side by side in one process, on one device.

(a) the tutorial loop: torchvision MNIST with ToTensor/Normalize, a DataLoader with 2 workers,
    Sigmoid + BCELoss, ``.item()`` on four metrics every step (the PyTorch DCGAN tutorial's shape);
(b) the project's trainer (data resident on the device, index draws, BCE-with-logits, metrics
    copied to the host once per block).
The same networks (``ganlab.models``) and batch sizes in both. Plus time to quality: wall
seconds of training until ``ring8`` covers 8/8 modes, and until the conditional MNIST model
reaches 90% and 95% label agreement by the project's classifier (evaluation time excluded).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch
from torch import nn

from .config import default_config
from .models import ModelArgs, build_models, sample_z
from .trainer import Trainer, resolve_device


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


class _TutorialMNIST(torch.utils.data.Dataset):
    """torchvision.datasets.MNIST's per-item work (uint8 array -> PIL image -> transform), reading the
    .gz files directly: torchvision's class wants them unpacked, and the benchmark must not download."""

    def __init__(self, root: str, transform):
        from .datasets import _FILES, read_idx

        raw = Path(root) / "MNIST" / "raw"
        stem = _FILES[True][0]
        path = raw / stem if (raw / stem).exists() else raw / f"{stem}.gz"
        self.images = read_idx(path, ndim=3).numpy()
        self.transform = transform

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int):
        from PIL import Image

        return self.transform(Image.fromarray(self.images[i], mode="L")), 0


def tutorial_loop(arch: str, batch: int, steps: int, data_dir: str, device: torch.device, warmup: int = 5) -> float:
    """Steps/s of (a). Needs the MNIST files in ``data_dir`` (no download)."""
    from torchvision import transforms

    ds = _TutorialMNIST(data_dir, transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]))
    loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True, num_workers=2, drop_last=True,
                                         persistent_workers=True)
    config = default_config("mnist", model=arch, batch_size=batch)
    gen, disc = build_models(ModelArgs.from_config(config, (1, 28, 28), 0), seed=0)
    gen.to(device)
    disc.to(device)
    criterion = nn.BCELoss()
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    z_dim = config.model.z_dim
    done, t0 = 0, None
    while done < steps + warmup:
        for x, _ in loader:
            if done == warmup:
                _sync(device)
                t0 = time.perf_counter()
            x = x.to(device)
            ones = torch.ones(len(x), device=device)
            zeros = torch.zeros(len(x), device=device)
            disc.zero_grad()
            out = torch.sigmoid(disc(x))
            err_real = criterion(out, ones)
            err_real.backward()
            d_x = out.mean().item()
            fake = gen(torch.randn(len(x), z_dim, device=device))
            out = torch.sigmoid(disc(fake.detach()))
            err_fake = criterion(out, zeros)
            err_fake.backward()
            opt_d.step()
            gen.zero_grad()
            out = torch.sigmoid(disc(fake))
            err_g = criterion(out, ones)
            err_g.backward()
            opt_g.step()
            _ = ((err_real + err_fake).item(), err_g.item(), d_x, out.mean().item())
            done += 1
            if done == steps + warmup:
                break
    _sync(device)
    return steps / (time.perf_counter() - t0)


def trainer_rate(arch: str, batch: int, steps: int, data_dir: str, device: torch.device, warmup: int = 5,
                 block: int = 50) -> float:
    """Steps/s of (b): ``Trainer.run`` in blocks, as the app's thread drives it."""
    t = Trainer(default_config("mnist", model=arch, batch_size=batch, data_dir=data_dir, device=device.type))
    t.run(warmup)
    _sync(device)
    t0 = time.perf_counter()
    left = steps
    while left > 0:
        n = min(block, left)
        t.run(n)
        left -= n
    _sync(device)
    return steps / (time.perf_counter() - t0)


def time_to_modes(device: torch.device, budget: float = 300.0, every: int = 250) -> float | None:
    """Training seconds until ring8 (app defaults) covers 8/8 modes, checked every ``every`` steps."""
    from .quality import toy_quality

    t = Trainer(default_config("ring8", device=device.type))
    while t.train_seconds < budget:
        t.run(every)
        if toy_quality(t.sample_fixed(), t.fixed_real, t.data)["modes_covered"] == 8:
            return t.train_seconds
    return None


def time_to_agreement(data_dir: str, device: torch.device, targets=(0.90, 0.95), budget: float = 600.0,
                      every: int = 250, n: int = 2000) -> dict[str, float | None]:
    """Training seconds until the conditional MNIST model (the pretrained one's settings) reaches each
    label agreement judged by the project's classifier on ``n`` balanced samples."""
    from .classifier import load_classifier, predict
    from .evaluate import CLASSIFIER_PATH

    clf, _ = load_classifier(CLASSIFIER_PATH)
    t = Trainer(default_config("mnist", model="cdcgan", hidden=28, data_dir=data_dir, device=device.type))
    z = sample_z(n, t.args.z_dim, "normal", torch.Generator().manual_seed(0), "cpu").to(t.device)
    y = (torch.arange(n) % 10).to(t.device)
    out: dict[str, float | None] = {f"{p:.0%}": None for p in targets}
    while t.train_seconds < budget and any(v is None for v in out.values()):
        t.run(every)
        with torch.no_grad():
            t.parts.gen.eval()
            x = t.parts.gen(z, y).cpu().numpy()
            t.parts.gen.train()
        pred, _ = predict(clf, x)
        agreement = float((pred == y.cpu().numpy()).mean())
        for p in targets:
            if agreement >= p and out[f"{p:.0%}"] is None:
                out[f"{p:.0%}"] = t.train_seconds
    return out


def run_bench(data_dir: str, device_name: str = "auto", steps: dict[str, int] | None = None,
              batches=(64, 256), quality: bool = True) -> dict:
    device = resolve_device(device_name)
    steps = steps or {"mlp": 300, "dcgan": 30}
    rows = []
    for arch, n in steps.items():
        for batch in batches:
            a = tutorial_loop(arch, batch, n, data_dir, device)
            b = trainer_rate(arch, batch, n, data_dir, device)
            rows.append({"model": arch, "batch": batch, "tutorial": a, "trainer": b, "trainer/tutorial": b / a})
    out = {"device": str(device), "torch": torch.__version__, "threads": torch.get_num_threads(), "speed": rows}
    if quality:
        out["seconds_to_ring8_8_modes"] = time_to_modes(device)
        out["seconds_to_cdcgan_agreement"] = time_to_agreement(data_dir, device)
    return out


def markdown(result: dict) -> str:
    lines = [f"device {result['device']}, torch {result['torch']}, {result['threads']} threads", "",
             "| model | batch | (a) tutorial loop | (b) trainer | (b)/(a) |", "| --- | --- | --- | --- | --- |"]
    for r in result["speed"]:
        lines.append(f"| {r['model']} | {r['batch']} | {r['tutorial']:.1f} | {r['trainer']:.1f} | "
                     f"{r['trainer/tutorial']:.2f}x |")
    if "seconds_to_ring8_8_modes" in result:
        lines += ["", f"ring8 to 8/8 modes: {_secs(result['seconds_to_ring8_8_modes'])}"]
        for k, v in result["seconds_to_cdcgan_agreement"].items():
            lines.append(f"conditional MNIST to {k} label agreement: {_secs(v)}")
    return "\n".join(lines)


def _secs(v) -> str:
    return "not reached within the budget" if v is None else f"{v:.1f} s of training"


def write_json(result: dict, path: Path) -> None:
    path.write_text(json.dumps(result, indent=1))
