"""The shared networks: the classic MLP GAN and a 28x28 DCGAN, each optionally conditional.

Every generator is ``gen(z, y=None) -> x`` and every discriminator is
``disc(x, y=None) -> logits`` of shape (B,). A class label ``y`` may be integer
indices (B,) or soft labels (B, n_classes), so two classes can be blended.
Which networks a run builds is its variant's choice (:mod:`ganlab.variants`);
:func:`ganlab.variants.build_nets` builds them and :func:`initialise` sets their weights from the run's seed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn



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


def output_activation(a: ModelArgs) -> nn.Module:
    """G's last activation on images: tanh (to -1..1, the data's range) unless the run asks for sigmoid (0..1)."""
    return nn.Sigmoid() if a.option("output", "auto") == "sigmoid" else nn.Tanh()


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
        self.squash = output_activation(a) if len(a.data_shape) > 1 else None  # images: tanh (-1..1) by default

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.args.n_classes:
            z = torch.cat([z, label_vector(y, self.args.n_classes)], 1)  # (B, z_dim + C)
        x = self.net(z)  # (B, z_dim [+ C]) -> (B, prod(data_shape))
        if self.squash is not None:
            x = self.squash(x)
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
    """Radford et al. 2016 (DCGAN), sized for 28x28: z -> 7x7 -> 14x14 -> 28x28 with transposed convs
    (any S x S image with S divisible by 4 the same way, from S/4: 32x32 colour from 8x8)."""

    def __init__(self, a: ModelArgs):
        super().__init__()
        self.args = a
        ch = a.hidden
        self.side = a.data_shape[1] // 4  # 7 for 28x28
        cells = 2 * ch * self.side * self.side
        self.project = nn.Sequential(nn.Linear(a.z_dim + a.n_classes, cells, bias=False),
                                     nn.BatchNorm1d(cells), nn.ReLU())
        self.up = nn.Sequential(
            *refining(a, 2 * ch, nn.BatchNorm2d, nn.ReLU),  # the ``convs`` option: 3x3 layers at 7x7
            nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1, bias=False), nn.BatchNorm2d(ch), nn.ReLU(),
            *refining(a, ch, nn.BatchNorm2d, nn.ReLU),  # and at 14x14
            last_upsampling(a, ch, a.data_shape[0]), output_activation(a),
        )

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.args.n_classes:
            z = torch.cat([z, label_vector(y, self.args.n_classes)], 1)
        h = self.project(z).view(len(z), 2 * self.args.hidden, self.side, self.side)  # (B, z) -> (B, 2ch, 7, 7)
        return self.up(h)  # (B, 2ch, 7, 7) -> (B, ch, 14, 14) -> (B, 1, 28, 28)


def refining(a: ModelArgs, ch: int, norm, act) -> list[nn.Module]:
    """The ``convs`` model option's layers at one resolution: that many 3x3 convolutions keeping ``ch`` channels and
    the size, each followed by ``norm(ch)`` (none when ``norm`` is None) and ``act``. None by default: DCGAN's nets."""
    layers: list[nn.Module] = []
    for _ in range(a.option("convs", 0)):
        layers += [nn.Conv2d(ch, ch, 3, 1, 1, bias=norm is None), *([norm(ch)] if norm else []), act()]
    return layers


def _leaky() -> nn.Module:
    return nn.LeakyReLU(0.2)


def last_upsampling(a: ModelArgs, cin: int, cout: int) -> nn.Module:
    """The layer that doubles the image to its full size: DCGAN's 4x4 transposed convolution (stride 2), or, with
    the ``upsample`` option, nearest or bilinear resizing and a 3x3 convolution. Transposed convolutions leave a
    periodic pattern at the highest frequencies (Odena et al. 2016), a fingerprint that a detector on the spectrum
    reads; resizing instead removes it (Chandrasegaran et al. 2021, ganlab.detect)."""
    mode = a.option("upsample", "transposed")
    if mode == "transposed":
        return nn.ConvTranspose2d(cin, cout, 4, 2, 1)
    return nn.Sequential(nn.Upsample(scale_factor=2, mode=mode, **({"align_corners": False} if mode == "bilinear" else {})),
                         nn.Conv2d(cin, cout, 3, 1, 1))


def check_28(a: ModelArgs) -> None:
    """Networks built for 1x28x28 images only (InfoGAN's, StyleGAN's, StackGAN's, the U-Net)."""
    if tuple(a.data_shape) != (1, 28, 28):
        raise ValueError(f"{a.arch} is built for 1x28x28 images, not data of shape {a.data_shape}")


def check_image(a: ModelArgs) -> None:
    """The DCGAN networks take C x S x S images with S divisible by 4: 1x28x28, or colour 3x32x32."""
    if len(a.data_shape) != 3 or a.data_shape[1] != a.data_shape[2] or a.data_shape[1] % 4 or a.data_shape[1] < 8:
        raise ValueError(f"{a.arch} is built for square images whose side is divisible by 4 (28x28 grey, 32x32 "
                         f"colour), not data of shape {a.data_shape}")


def conv_features(a: ModelArgs) -> nn.Sequential:
    """DCGAN's discriminator body for 28x28: two strided convs with LeakyReLU(0.2), no batch norm (so
    the WGAN-GP and R1 penalties stay per-sample); (B, 1, 28, 28) -> (B, 2ch*49). Variants put their
    own heads on it (``conv_width(a)`` features)."""
    ch = a.hidden
    return nn.Sequential(
        nn.Conv2d(a.data_shape[0], ch, 4, 2, 1), nn.LeakyReLU(0.2),  # -> (B, ch, 14, 14)
        *refining(a, ch, None, _leaky),  # the ``convs`` option: 3x3 layers at 14x14
        nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.LeakyReLU(0.2),  # -> (B, 2ch, 7, 7)
        *refining(a, 2 * ch, None, _leaky),  # and at 7x7
        nn.Flatten(),
    )


def conv_width(a: ModelArgs) -> int:
    """Features out of :func:`conv_features`: 2ch x (H/4) x (W/4), 2ch x 49 for 28x28."""
    return 2 * a.hidden * (a.data_shape[1] // 4) * (a.data_shape[2] // 4)


def minibatch_stddev(h: torch.Tensor, group: int = 4) -> torch.Tensor:
    """ProGAN's minibatch standard deviation (Karras et al. 2018): (B, C, H, W) -> (B, C + 1, H, W), the
    extra channel each sample's group's spread (the std over the group of every feature, averaged), so
    that a batch of look-alikes is easy for D to see. Groups of ``group`` samples (the batch, if smaller)."""
    b, c, hh, ww = h.shape
    g = min(group, b)
    if b % g:
        g = 1
    y = h.reshape(g, -1, c, hh, ww) if g > 1 else h[None]
    spread = (y.var(0, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (B/g,); eps: no inf gradient at 0
    spread = spread.repeat(g) if g > 1 else spread.expand(b) * 0  # one sample alone has no spread
    return torch.cat([h, spread.view(b, 1, 1, 1).expand(b, 1, hh, ww)], 1)


class DCGANDiscriminator(nn.Module):
    """Strided convs with LeakyReLU and no batch norm (so the WGAN-GP and R1 penalties stay per-sample).

    With ``spread`` (the model option ``minibatch_spread``), ProGAN's minibatch standard deviation joins
    the 7x7 features as one more map, followed by a 3x3 conv, before the head: a batch of look-alikes
    is then easy to call fake, which keeps an unconditional G drawing every digit (Karras et al. 2018).
    Conditional models use the projection discriminator of Miyato & Koyama, "cGANs
    with Projection Discriminator" (ICLR 2018): logit = w.h + <embed(y), h>.
    """

    def __init__(self, a: ModelArgs, *, spread: bool | None = None):
        super().__init__()
        self.args = a
        self.spread = bool(a.option("minibatch_spread", False) if spread is None else spread)
        ch = a.hidden
        if self.spread:
            self.features = nn.Sequential(*list(conv_features(a))[:-1])  # -> (B, 2ch, 7, 7), before the flatten
            self.last = nn.Sequential(nn.Conv2d(2 * ch + 1, 2 * ch, 3, 1, 1), nn.LeakyReLU(0.2), nn.Flatten())
        else:
            self.features = conv_features(a)
        width = conv_width(a)
        self.head = nn.Linear(width, 1)
        self.embed = nn.Linear(a.n_classes, width, bias=False) if a.n_classes else None

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)  # (B, 1, 28, 28) -> (B, ch, 14, 14) -> (B, 2ch, 7, 7) [-> (B, 2ch*49)]
        if self.spread:
            h = self.last(minibatch_stddev(h))  # (B, 2ch + 1, 7, 7) -> (B, 2ch*49)
        logit = self.head(h).squeeze(1)  # (B,)
        if self.embed is not None:
            logit = logit + (self.embed(label_vector(y, self.args.n_classes)) * h).sum(1)
        return logit


class BatchNormDiscriminator(nn.Module):
    """The MNIST discriminator of the InfoGAN paper (Chen et al. 2016, Table 1), which is DCGAN's (Radford et al.
    2016: batch norm after every layer but the first) with a fully connected layer: conv ch, conv 2ch + batch
    norm, fully connected 8ch + batch norm (LeakyReLU 0.2 throughout), one logit. ``features`` ends at the
    fully connected layer (InfoGAN puts its Q head there). Batch norm makes a sample's score depend on its
    batch: no R1 or WGAN-GP penalty with it."""

    def __init__(self, a: ModelArgs):
        super().__init__()
        ch = a.hidden
        self.features = nn.Sequential(
            nn.Conv2d(a.data_shape[0], ch, 4, 2, 1), nn.LeakyReLU(0.2),  # (B, C, S, S) -> (B, ch, S/2, S/2)
            *refining(a, ch, nn.BatchNorm2d, _leaky),  # the ``convs`` option
            nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2),  # -> (B, 2ch, S/4, S/4)
            *refining(a, 2 * ch, nn.BatchNorm2d, _leaky), nn.Flatten(),  # -> (B, 2ch*S²/16)
            nn.Linear(conv_width(a), 8 * ch), nn.BatchNorm1d(8 * ch), nn.LeakyReLU(0.2))  # -> (B, 8ch)
        self.source = nn.Linear(8 * ch, 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.source(self.features(x)).squeeze(1)  # (B,)


class UNet(nn.Module):
    """28x28 -> 14 -> 7 -> 14 -> 28, each decoder level fed the encoder's map of the same size (U-Net
    skips, Ronneberger et al. 2015). Input and output (B, 1, 28, 28) in [-1, 1]."""

    def __init__(self, a):
        super().__init__()
        ch = a.hidden
        self.down1 = nn.Sequential(nn.Conv2d(1, ch, 4, 2, 1), nn.LeakyReLU(0.2))  # -> (B, ch, 14, 14)
        self.down2 = nn.Sequential(nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.BatchNorm2d(2 * ch), nn.LeakyReLU(0.2))  # -> 7x7
        self.middle = nn.Sequential(nn.Conv2d(2 * ch, 2 * ch, 3, 1, 1), nn.BatchNorm2d(2 * ch), nn.ReLU())
        self.up2 = nn.Sequential(nn.ConvTranspose2d(4 * ch, ch, 4, 2, 1), nn.BatchNorm2d(ch), nn.ReLU())  # -> 14x14
        self.up1 = nn.Sequential(nn.ConvTranspose2d(2 * ch, 1, 4, 2, 1), nn.Tanh())  # -> (B, 1, 28, 28)

    def forward(self, e: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        d1 = self.down1(e)
        d2 = self.down2(d1)
        m = self.middle(d2)
        u2 = self.up2(torch.cat([m, d2], 1))  # (B, 4ch, 7, 7) -> (B, ch, 14, 14)
        return self.up1(torch.cat([u2, d1], 1))  # (B, 2ch, 14, 14) -> (B, 1, 28, 28)


def initialise(module: nn.Module, generator: torch.Generator, *, dcgan: bool) -> None:
    """PyTorch's default init (or DCGAN's N(0, 0.02)), drawn from ``generator`` instead of the global RNG.
    A module with an ``initialise(generator)`` method of its own is initialised by it."""
    if hasattr(module, "initialise"):
        module.initialise(generator)
    elif isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
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
    elif isinstance(module, nn.modules.instancenorm._InstanceNorm) and module.affine:
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
