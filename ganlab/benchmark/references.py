"""The benchmark's two reference loops, written the way others write them (``ganlab.benchmark.bench`` times them).

(a) :func:`tutorial_loop`: the PyTorch DCGAN tutorial's shape: torchvision MNIST with
    ToTensor/Normalize, a DataLoader with 2 workers, Sigmoid + BCELoss, ``.item()`` on four
    metrics every step.
(d) :func:`graph_reference`: the same step with nothing in the way, on a CUDA GPU: the dataset as
    one device tensor, BCE-with-logits, fused capturable Adam, D update then G update captured in
    one CUDA graph and replayed; the metrics copied to the host every 50 steps.

Both use the project's networks (``ganlab.core.models``) so that only the loop differs.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
from torch import nn

from ganlab.config import default_config
from ganlab import variants
from ganlab.variants import build_models, model_args

SYNC_EVERY = 50  # (d) copies its metrics to the host this often, as the trainer does per block


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def bench_config(arch: str, batch: int, **values):
    """The run every speed row compares: the model's MNIST defaults at ``batch``; the image models with 128
    base channels, the size the DCGAN tutorial's networks have (docs/benchmarks.md)."""
    sized = {"hidden": 128} if variants.get(arch).dcgan_init else {}
    return default_config("mnist", model=arch, batch_size=batch, **sized, **values)


def _networks(arch: str, batch: int, device: torch.device):
    config = bench_config(arch, batch)
    gen, disc = build_models(model_args(config, (1, 28, 28), 0), seed=0)
    return gen.to(device), disc.to(device), config.model.z_dim


class _TutorialMNIST(torch.utils.data.Dataset):
    """torchvision.datasets.MNIST's per-item work (uint8 array -> PIL image -> transform), reading the
    .gz files directly: torchvision's class wants them unpacked, and the benchmark must not download."""

    def __init__(self, root: str, transform):
        from ganlab.data.datasets import _FILES, read_idx

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
    gen, disc, z_dim = _networks(arch, batch, device)
    criterion = nn.BCELoss()
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    done, t0 = 0, None
    while done < steps + warmup:
        for x, _ in loader:
            if done == warmup:
                sync(device)
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
    sync(device)
    return steps / (time.perf_counter() - t0)


def graph_reference(arch: str, batch: int, steps: int, data_dir: str, device: torch.device,
                    warmup: int = 3, bf16: bool = False) -> float | None:
    """Steps/s of (d); None off CUDA (there is no graph to capture). ``bf16`` autocasts the forward passes."""
    if device.type != "cuda":
        return None
    from ganlab.data.datasets import load_data

    images = load_data("mnist", data_dir).to(device).images  # (N, 1, 28, 28) in [-1, 1]
    gen, disc, z_dim = _networks(arch, batch, device)
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999), fused=True, capturable=True)
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999), fused=True, capturable=True)
    g_params = list(gen.parameters())
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch, device=device), torch.zeros(batch, device=device)
    rng = torch.Generator(device).manual_seed(0)

    def autocast():
        return torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16, cache_enabled=False)

    def step() -> torch.Tensor:
        x = images[torch.randint(len(images), (batch,), generator=rng, device=device)]
        with autocast():
            fake = gen(torch.randn(batch, z_dim, generator=rng, device=device))
            logit_real, logit_fake = disc(x).float(), disc(fake.detach()).float()
            loss_d = bce(logit_real, ones) + bce(logit_fake, zeros)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        with autocast():
            logit_gen = disc(fake).float()
            loss_g = bce(logit_gen, ones)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward(inputs=g_params)
        opt_g.step()
        return torch.stack([loss_d.detach(), loss_g.detach(), torch.sigmoid(logit_real).mean(),
                            torch.sigmoid(logit_gen).mean()])

    side = torch.cuda.Stream(device)
    side.wait_stream(torch.cuda.current_stream(device))
    with torch.cuda.stream(side):
        for _ in range(warmup):
            step()
    torch.cuda.current_stream(device).wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    graph.register_generator_state(rng)
    opt_d.zero_grad(set_to_none=True)
    opt_g.zero_grad(set_to_none=True)
    torch.cuda.synchronize(device)
    with torch.cuda.graph(graph):
        out = step()
    torch.cuda.synchronize(device)
    t0 = time.perf_counter()
    outs = []
    for i in range(steps):
        graph.replay()
        outs.append(out.clone())
        if len(outs) == SYNC_EVERY or i == steps - 1:
            torch.stack(outs).cpu()
            outs = []
    sync(device)
    return steps / (time.perf_counter() - t0)
