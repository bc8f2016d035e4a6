"""StyleGAN-lite: Karras, Laine & Aila, "A Style-Based Generator Architecture for Generative
Adversarial Networks" (CVPR 2019), at 28x28.

The latent z does not enter the image directly. A mapping network turns it into a style
w = f(z); the image grows from a *learned constant* through three style blocks, at 7x7, 14x14 and
28x28, and every block is steered by w through adaptive instance normalisation (Huang & Belongie
2017): each feature map is normalised, then scaled and shifted by an affine function of w,

    AdaIN(h, w) = y_s(w) * (h - mu(h)) / sigma(h) + y_b(w).

Per-pixel noise, scaled per channel, is added before each AdaIN: the stochastic details (where a
stroke frays) that the style does not fix. So each block can take its style from a different w:
*style mixing*. Blocks before the crossover K take w_A, blocks from K on take w_B; the coarse
block (7x7) decides the digit's identity and pose, the fine ones its stroke. During training, a
share ``mixing`` of batches mix two styles at a random crossover (the paper's mixing
regularisation), so that neighbouring blocks do not lean on each other. The *truncation trick*
draws w' = w_avg + psi (w - w_avg), with w_avg the running mean of f(z): psi < 1 trades variety
for typical, cleaner digits. The mapping network learns at a hundredth of the rate (the paper's
learning-rate multiplier); D is DCGAN's discriminator with ProGAN's minibatch standard deviation; the
loss is the run's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.settings import Validated, setting
from ganlab.core.models import DCGANDiscriminator, check_28
from ganlab.core.step import draw_z, penalised, real_batch
from ganlab.variants.base import Half, Variant, register

BLOCKS = ("7x7 (coarse)", "14x14 (middle)", "28x28 (fine)")
W_AVG_DECAY = 0.995  # how fast the running mean of w follows the mapping network


@dataclass(frozen=True)
class StyleGANSettings(Validated):
    mixing: float = setting(0.9, min=0.0, max=1.0, label="Style mixing share",
                            help="stylegan: share of training batches whose blocks take two styles (the paper's 0.9)")
    mapping_layers: int = setting(4, min=1, max=8, label="Mapping layers", help="stylegan: depth of the z -> w network")
    to_image: str = setting("skip", choices=("skip", "last"), legacy="last", label="Who paints the image",
                          help="stylegan: skip, every block paints an image at its own size and the three are summed "
                               "(StyleGAN2's skip generator: the coarse block draws the digit's shape); last, only "
                               "the 28x28 block paints")


class MappingLinear(nn.Module):
    """A mapping layer with the paper's equalised learning rate and learning-rate multiplier 0.01: the
    weight is stored as N(0, 1) / lr_mul and scaled by lr_mul / sqrt(fan_in) when used, so Adam moves the
    mapping network a hundred times more slowly than the synthesis blocks. Without it, the 4-layer
    mapping learned to send every z to nearly the same w within 4,650 steps here, and every sample was
    the same digit (Fréchet distance 782, docs/variants.md)."""

    def __init__(self, n_in: int, n_out: int, lr_mul: float = 0.01):
        super().__init__()
        self.lr_mul, self.scale = lr_mul, 2 ** 0.5 * lr_mul / n_in ** 0.5  # sqrt 2: He's gain before a LeakyReLU
        self.weight = nn.Parameter(torch.empty(n_out, n_in))
        self.bias = nn.Parameter(torch.empty(n_out))

    def initialise(self, generator: torch.Generator) -> None:
        nn.init.normal_(self.weight, 0.0, 1.0 / self.lr_mul, generator=generator)
        nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.scale, self.bias * self.lr_mul)


class AdaIN(nn.Module):
    """Instance norm, then a per-channel scale and shift computed from the style w."""

    def __init__(self, channels: int, w_dim: int):
        super().__init__()
        self.norm = nn.InstanceNorm2d(channels, affine=False)
        self.style = nn.Linear(w_dim, 2 * channels)

    def initialise(self, generator: torch.Generator) -> None:
        """The paper's: each style is an affine map of w with unit gain, so that from the first step the
        styles differ from one w to the next as much as w does (the default, smaller init let the
        synthesis ignore w, and G drew one digit for every z)."""
        nn.init.normal_(self.style.weight, 0.0, self.style.in_features ** -0.5, generator=generator)
        nn.init.zeros_(self.style.bias)

    def forward(self, h: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        scale, shift = self.style(w).unsqueeze(-1).unsqueeze(-1).chunk(2, 1)  # (B, C, 1, 1) each
        return (1 + scale) * self.norm(h) + shift


class NoiseInput(nn.Module):
    """Per-pixel Gaussian noise, one learned weight per channel."""

    def __init__(self, channels: int):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(1, channels, 1, 1))

    def initialise(self, generator: torch.Generator) -> None:
        nn.init.zeros_(self.weight)  # the paper's: noise starts switched off

    def forward(self, h: torch.Tensor, noise: torch.Generator) -> torch.Tensor:
        n = torch.randn(h.shape[0], 1, *h.shape[2:], generator=noise, device=h.device, dtype=h.dtype)
        return h + self.weight * n


class StyleBlock(nn.Module):
    """Two 3x3 convs at one resolution, each followed by noise, LeakyReLU and AdaIN(w)."""

    def __init__(self, c_in: int, c_out: int, w_dim: int, *, upsample: bool):
        super().__init__()
        self.upsample = upsample
        self.conv1, self.conv2 = nn.Conv2d(c_in, c_out, 3, 1, 1), nn.Conv2d(c_out, c_out, 3, 1, 1)
        self.noise1, self.noise2 = NoiseInput(c_out), NoiseInput(c_out)
        self.ada1, self.ada2 = AdaIN(c_out, w_dim), AdaIN(c_out, w_dim)

    def forward(self, h: torch.Tensor, w: torch.Tensor, noise: torch.Generator) -> torch.Tensor:
        if self.upsample:
            h = F.interpolate(h, scale_factor=2, mode="bilinear", align_corners=False)  # (B, C, 2H, 2W)
        h = self.ada1(F.leaky_relu(self.noise1(self.conv1(h), noise), 0.2), w)
        return self.ada2(F.leaky_relu(self.noise2(self.conv2(h), noise), 0.2), w)


class StyleGenerator(nn.Module):
    """z -> w (mapping) -> constant 7x7 -> style blocks at 7, 14, 28 -> 1x1 conv(s) -> tanh. With the ``skip``
    option each block paints its own image and the images are summed, upsampled (Karras et al. 2020,
    "Analyzing and Improving the Image Quality of StyleGAN", the skip generator); without it only the last does."""

    def __init__(self, a):
        super().__init__()
        ch, w_dim = a.hidden, a.option("w_dim", 64)
        layers: list[nn.Module] = []
        for i in range(a.option("mapping_layers", 4)):
            layers += [MappingLinear(a.z_dim if i == 0 else w_dim, w_dim), nn.LeakyReLU(0.2)]
        self.mapping = nn.Sequential(*layers)
        self.const = nn.Parameter(torch.empty(1, ch, 7, 7))
        self.blocks = nn.ModuleList([StyleBlock(ch, ch, w_dim, upsample=False), StyleBlock(ch, ch, w_dim, upsample=True),
                                     StyleBlock(ch, ch // 2, w_dim, upsample=True)])
        self.skip = a.option("skip", False)
        if self.skip:  # one 1x1 "to image" conv per block (StyleGAN2's tRGB), their images summed
            self.to_images = nn.ModuleList([nn.Conv2d(ch, 1, 1), nn.Conv2d(ch, 1, 1), nn.Conv2d(ch // 2, 1, 1)])
        else:
            self.to_image = nn.Conv2d(ch // 2, 1, 1)
        self.register_buffer("w_avg", torch.empty(w_dim))
        self.noise_rng: torch.Generator | None = None  # training noise: the run's generator (Variant.prepare)

    def initialise(self, generator: torch.Generator) -> None:
        nn.init.normal_(self.const, 0.0, 1.0, generator=generator)
        self.w_avg.zero_()

    def styles(self, z: torch.Tensor) -> torch.Tensor:
        """w = f(z) for normalised z (pixel norm, as the paper's): (B, z_dim) -> (B, w_dim)."""
        z = z * torch.rsqrt(z.pow(2).mean(1, keepdim=True) + 1e-8)
        return self.mapping(z)

    def truncate(self, w: torch.Tensor, psi: float) -> torch.Tensor:
        """The truncation trick: w_avg + psi (w - w_avg)."""
        return self.w_avg + psi * (w - self.w_avg)

    def synthesis(self, ws: torch.Tensor, noise: torch.Generator | None = None) -> torch.Tensor:
        """(B, 3, w_dim), one style per block -> (B, 1, 28, 28). Noise from ``noise``; by default the
        run's generator while training, a fixed one (seed 0) otherwise, so a picture stays put."""
        if noise is None:
            noise = self.noise_rng if self.training and self.noise_rng is not None else \
                torch.Generator(ws.device).manual_seed(0)
        h = self.const.expand(len(ws), -1, -1, -1)
        image = None
        for i, block in enumerate(self.blocks):
            h = block(h, ws[:, i], noise)  # -> (B, ch, 7, 7), (B, ch, 14, 14), (B, ch/2, 28, 28)
            if self.skip:  # this block's image, added to the coarser ones' upsampled: (B, 1, 7, 7) ... (B, 1, 28, 28)
                paint = self.to_images[i](h)
                image = paint if image is None else F.interpolate(image, scale_factor=2, mode="bilinear",
                                                                  align_corners=False) + paint
        return torch.tanh(image if self.skip else self.to_image(h))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None, *, truncation: float = 1.0) -> torch.Tensor:
        w = self.styles(z)
        if self.training:
            with torch.no_grad():  # the running mean of w, for the truncation trick
                self.w_avg.lerp_(w.detach().float().mean(0), 1 - W_AVG_DECAY)
        if truncation != 1.0:
            w = self.truncate(w, truncation)
        return self.synthesis(w.unsqueeze(1).expand(-1, len(self.blocks), -1))

    @torch.no_grad()
    def mix(self, z_a: torch.Tensor, z_b: torch.Tensor, crossover: int, *, truncation: float = 1.0,
            noise_seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Style mixing: (A, B, mixed) images for latents ``z_a`` and ``z_b`` (n each), mixed taking the blocks
        before ``crossover`` from A's style and the rest from B's; the same noise for all three."""
        w_a, w_b = (self.truncate(self.styles(z), truncation) for z in (z_a, z_b))
        n = len(self.blocks)

        def draw(ws):
            return self.synthesis(ws, torch.Generator(ws.device).manual_seed(int(noise_seed))).float().cpu().numpy()

        return (draw(w_a[:, None].expand(-1, n, -1)), draw(w_b[:, None].expand(-1, n, -1)),
                draw(mixed_styles(self, w_a, w_b, crossover)))


def mixed_styles(gen: StyleGenerator, w_a: torch.Tensor, w_b: torch.Tensor, crossover: int) -> torch.Tensor:
    """(B, 3, w_dim): blocks before ``crossover`` take w_a, blocks from it on take w_b."""
    n = len(gen.blocks)
    if not 0 <= crossover <= n:
        raise ValueError(f"the crossover must be between 0 and {n}, got {crossover}")
    take_b = (torch.arange(n, device=w_a.device) >= crossover)[None, :, None]
    return torch.where(take_b, w_b[:, None], w_a[:, None])


class StyleGANLite(Variant):
    key = "stylegan"
    title = "StyleGAN-lite (styles and mixing)"
    summary = ("A mapping network turns z into a style w that steers three blocks through AdaIN; mix two "
               "styles to see which block decides what.")
    formula = (r"w = f(z), \quad \mathrm{AdaIN}(h, w) = y_s(w)\,\frac{h - \mu(h)}{\sigma(h)} + y_b(w), \quad "
               r"w' = \bar w + \psi\,(w - \bar w)")
    paper = "Karras, Laine & Aila, A Style-Based Generator Architecture for GANs (CVPR 2019); Huang & Belongie 2017"
    data_kinds = ("image",)
    default_data = "mnist"
    Settings = StyleGANSettings
    dcgan_init = False
    lab_view = False
    defaults = {"mnist": dict(z_dim=64, hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.999, r1=1.0),
                "fashion-mnist": dict(z_dim=64, hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.999, r1=1.0)}

    def model_options(self, config, data_classes):
        skip = {"skip": True} if config.variant.to_image == "skip" else {}
        return {"w_dim": 64, "mapping_layers": config.variant.mapping_layers, **skip}

    def build(self, a):
        check_28(a)
        # DCGAN's D with ProGAN's minibatch spread as one more feature map before its last conv: as a single
        # scalar beside the head's 3,136 features, D did not learn to use it, and G drew one digit for every z
        return {"gen": StyleGenerator(a), "disc": DCGANDiscriminator(replace(a, n_classes=0), spread=True)}

    def prepare(self, p, config):
        p.gen.noise_rng = p.rng

    def _fake(self, p):
        """A batch of G's images, a share ``mixing`` of them from two styles at a random crossover."""
        w = p.gen.styles(draw_z(p))
        w2 = p.gen.styles(draw_z(p))
        cut = torch.randint(1, len(p.gen.blocks), (len(w), 1, 1), generator=p.rng, device=p.device)
        mix = torch.rand(len(w), 1, 1, generator=p.rng, device=p.device) < p.settings.mixing
        blocks = torch.arange(len(p.gen.blocks), device=p.device)[None, :, None]
        ws = torch.where(mix & (blocks >= cut), w2[:, None], w[:, None])  # (B, 3, w_dim)
        if p.gen.training:
            with torch.no_grad():
                p.gen.w_avg.lerp_(w.detach().float().mean(0), 1 - W_AVG_DECAY)
        return p.gen.synthesis(ws)

    def d_half(self, p, x, y):
        """(1) Update D: the run's adversarial loss on real images against mixed-style fakes."""
        x = real_batch(p, x)
        with torch.no_grad():
            fake = self._fake(p)
        logit_real, logit_fake = p.disc(x).float(), p.disc(fake).float()
        loss_d = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing)
        return Half(penalised(p, loss_d, x, fake, logit_real, p.disc), logit_real, logit_fake)

    def g_half(self, p):
        """(2) Update G (mapping, constant, blocks): fool D with mixed-style fakes."""
        logit = p.disc(self._fake(p)).float()
        return Half(p.loss.generator(logit), None, logit)

    def style_blocks(self, args) -> tuple[str, ...]:
        return BLOCKS

    def panels(self, trainer):
        """Sources A and B from the fixed noise, and their mixes at each crossover: the blocks at work."""
        z = trainer.fixed_noise[0]
        gen = trainer.shown_generator
        with trainer.lock:
            was = gen.training
            gen.eval()
            try:
                a, b, coarse = gen.mix(z[:16], z[16:32], 1)
                middle = gen.mix(z[:16], z[16:32], 2)[2]
            finally:
                gen.train(was)
        return (("A", a), ("B", b), ("7x7 block from A, the rest from B (crossover 1)", coarse),
                ("7x7 and 14x14 from A, 28x28 from B (crossover 2)", middle))


register(StyleGANLite())
