"""The shared networks: the classic MLP GAN and a 28x28 DCGAN, each optionally conditional.

Every generator is ``gen(z, y=None) -> x`` and every discriminator is
``disc(x, y=None) -> logits`` of shape (B,). A class label ``y`` may be integer
indices (B,) or soft labels (B, n_classes), so two classes can be blended.
Which networks a run builds is its variant's choice (:mod:`ganlab.variants`);
:func:`build_nets` builds and initialises them from the run's seed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.config import RunConfig


@dataclass(frozen=True)
class ModelArgs:
    """Everything needed to rebuild the networks; stored in every checkpoint."""

    arch: str  # the variant
    z_dim: int
    hidden: int
    depth: int
    data_shape: tuple[int, ...]
    n_classes: int  # values G's class input takes: the data's classes, InfoGAN's categorical code; 0 for none
    data_classes: int | None = None  # classes in the training data (None: a checkpoint from before it was kept)
    options: tuple[tuple[str, Any], ...] = ()  # what the variant's networks need besides (Variant.model_options)

    def __post_init__(self):
        if self.data_classes is None:
            object.__setattr__(self, "data_classes", self.n_classes)

    @classmethod
    def from_config(cls, config: RunConfig, data_shape, data_classes: int) -> "ModelArgs":
        from ganlab import variants

        m, v = config.model, variants.get(config.model.arch)
        return cls(m.arch, m.z_dim, m.hidden, m.depth, tuple(int(s) for s in data_shape),
                   v.class_count(config, data_classes), int(data_classes),
                   tuple(sorted(v.model_options(config, data_classes).items())))

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.options).get(name, default)

    def to_dict(self) -> dict:
        return {**asdict(self), "data_shape": list(self.data_shape), "options": dict(self.options)}

    @classmethod
    def from_dict(cls, d: dict) -> "ModelArgs":
        """From a checkpoint; those written before variants had options (format 1) have none."""
        return cls(**{**d, "data_shape": tuple(d["data_shape"]), "options": tuple(sorted(d.get("options", {}).items()))})


def label_vector(y: torch.Tensor, n_classes: int) -> torch.Tensor:
    """(B,) class indices or (B, C) soft labels -> (B, C) float."""
    if y.dtype in (torch.int64, torch.int32):
        return F.one_hot(y.long(), n_classes).float()
    return y.float()


def sample_z(n: int, z_dim: int, latent: str, generator: torch.Generator, device) -> torch.Tensor:
    """Draw (n, z_dim) latents from p(z): standard normal, or uniform on [-1, 1]."""
    if latent == "uniform":
        return torch.rand(n, z_dim, generator=generator, device=device) * 2 - 1
    return torch.randn(n, z_dim, generator=generator, device=device)


def _mlp(sizes: list[int], act: nn.Module) -> nn.Sequential:
    layers: list[nn.Module] = []
    for a, b in zip(sizes[:-2], sizes[1:-1]):
        layers += [nn.Linear(a, b), act]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """z (+ one-hot y) -> hidden ReLU layers -> x; tanh for images, linear for 2-D points."""

    def __init__(self, a: ModelArgs):
        super().__init__()
        self.args = a
        out = math.prod(a.data_shape)
        self.net = _mlp([a.z_dim + a.n_classes] + [a.hidden] * a.depth + [out], nn.ReLU())
        self.squash = len(a.data_shape) > 1  # images live in [-1, 1]

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.args.n_classes:
            z = torch.cat([z, label_vector(y, self.args.n_classes)], 1)  # (B, z_dim + C)
        x = self.net(z)  # (B, z_dim [+ C]) -> (B, prod(data_shape))
        if self.squash:
            x = torch.tanh(x)
        return x.view(len(z), *self.args.data_shape)


class MLPDiscriminator(nn.Module):
    """x (+ one-hot y) -> hidden LeakyReLU(0.2) layers -> one logit."""

    def __init__(self, a: ModelArgs):
        super().__init__()
        self.args = a
        self.net = _mlp([math.prod(a.data_shape) + a.n_classes] + [a.hidden] * a.depth + [1], nn.LeakyReLU(0.2))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = x.flatten(1)  # (B, *data_shape) -> (B, D)
        if self.args.n_classes:
            h = torch.cat([h, label_vector(y, self.args.n_classes)], 1)
        return self.net(h).squeeze(1)  # (B, 1) -> (B,)


class DCGANGenerator(nn.Module):
    """Radford et al. 2016 (DCGAN), sized for 28x28: z -> 7x7 -> 14x14 -> 28x28 with transposed convs."""

    def __init__(self, a: ModelArgs):
        super().__init__()
        self.args = a
        ch = a.hidden
        self.project = nn.Sequential(nn.Linear(a.z_dim + a.n_classes, 2 * ch * 7 * 7, bias=False),
                                     nn.BatchNorm1d(2 * ch * 7 * 7), nn.ReLU())
        self.up = nn.Sequential(
            nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1, bias=False), nn.BatchNorm2d(ch), nn.ReLU(),
            nn.ConvTranspose2d(ch, a.data_shape[0], 4, 2, 1), nn.Tanh(),
        )

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.args.n_classes:
            z = torch.cat([z, label_vector(y, self.args.n_classes)], 1)
        h = self.project(z).view(len(z), 2 * self.args.hidden, 7, 7)  # (B, z) -> (B, 2ch, 7, 7)
        return self.up(h)  # (B, 2ch, 7, 7) -> (B, ch, 14, 14) -> (B, 1, 28, 28)


class DCGANDiscriminator(nn.Module):
    """Strided convs with LeakyReLU and no batch norm (so the WGAN-GP penalty stays per-sample).

    Conditional models use the projection discriminator of Miyato & Koyama, "cGANs
    with Projection Discriminator" (ICLR 2018): logit = w.h + <embed(y), h>.
    """

    def __init__(self, a: ModelArgs):
        super().__init__()
        self.args = a
        ch = a.hidden
        self.features = nn.Sequential(
            nn.Conv2d(a.data_shape[0], ch, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        width = 2 * ch * 7 * 7
        self.head = nn.Linear(width, 1)
        self.embed = nn.Linear(a.n_classes, width, bias=False) if a.n_classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)  # (B, 1, 28, 28) -> (B, ch, 14, 14) -> (B, 2ch, 7, 7) -> (B, 2ch*49)
        logit = self.head(h).squeeze(1)  # (B,)
        if self.embed is not None:
            logit = logit + (self.embed(label_vector(y, self.args.n_classes)) * h).sum(1)
        return logit


def _init_weights(module: nn.Module, generator: torch.Generator, *, dcgan: bool) -> None:
    """PyTorch's default init (or DCGAN's N(0, 0.02)), drawn from ``generator`` instead of the global RNG."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        if dcgan:
            nn.init.normal_(module.weight, 0.0, 0.02, generator=generator)
        else:
            nn.init.kaiming_uniform_(module.weight, a=math.sqrt(5), generator=generator)
        if module.bias is not None:
            if dcgan:
                nn.init.zeros_(module.bias)
            else:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(module.weight)
                bound = 1 / math.sqrt(fan_in)
                nn.init.uniform_(module.bias, -bound, bound, generator=generator)
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02, generator=generator)
        nn.init.zeros_(module.bias)
        module.reset_running_stats()


def build_nets(a: ModelArgs, *, seed: int = 0) -> dict[str, nn.Module]:
    """Fresh networks of ``a``'s variant, by name, initialised deterministically from ``seed`` (no global seeding)."""
    from ganlab import variants

    v = variants.get(a.arch)
    with torch.device("meta"):  # built without drawing from the global RNG, then initialised below
        nets = v.build(a)
    nets = {name: net.to_empty(device="cpu") for name, net in nets.items()}
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for net in nets.values():
            for module in net.modules():
                _init_weights(module, generator, dcgan=v.dcgan_init)
    return nets


def build_models(a: ModelArgs, *, seed: int = 0) -> tuple[nn.Module, nn.Module]:
    """(gen, disc) of ``a`` (see :func:`build_nets` for every network a variant has)."""
    nets = build_nets(a, seed=seed)
    return nets["gen"], nets["disc"]
