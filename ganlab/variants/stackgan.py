"""StackGAN-lite: Zhang et al., "StackGAN: Text to Photo-realistic Image Synthesis with Stacked
Generative Adversarial Networks" (ICCV 2017), drawing a digit from words.

Captions are made from MNIST itself (``ganlab.data.captions``: "a bold slanted seven"). A small
text encoder turns a caption's bag of words into a mean mu and a spread sigma, and *conditioning
augmentation* draws the text code c ~ N(mu, sigma^2) with a KL term towards N(0, I), so that nearby
captions give nearby codes and a few captions cover a smooth space. Then two stages:

    Stage I:  (z, c) -> a 14x14 sketch: the digit's shape and pose;
    Stage II: (sketch, c) -> the 28x28 digit, re-reading the caption to fix what Stage I missed.

Each stage has its own discriminator, which sees the caption (a projection of its words on D's
features) and, as StackGAN's matching-aware D does, also learns to call a real digit with the
*wrong* caption fake. Both stages train together here (the paper trained Stage I first).

    L_G = L_adv(D_II(G(z, c), t)) + L_adv(D_I(G_I(z, c), t)) + lambda_KL KL(N(mu, sigma^2) || N(0, I)).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.settings import ConfigError, Validated, setting
from ganlab.core.models import conv_features, conv_width, check_28
from ganlab.core.step import draw_z
from ganlab.data.captions import VOCABULARY, attribute_thresholds, attributes, bag
from ganlab.variants.base import BASE_METRICS, Half, Metric, Variant, register

C_DIM = 16  # the text code c


@dataclass(frozen=True)
class StackGANSettings(Validated):
    kl_weight: float = setting(1.0, min=0.0, max=100.0, label="KL weight",
                               help="stackgan: weight of conditioning augmentation's KL term")
    mismatch_weight: float = setting(0.5, min=0.0, max=1.0, label="Mismatched captions in D",
                                     help="stackgan: weight of 'a real digit with the wrong caption is fake' in D's loss")
    word_drop: float = setting(0.25, min=0.0, max=0.9, label="Attribute words left out",
                               help="stackgan: share of training captions that leave out each attribute word")


def caption_vector(y: torch.Tensor) -> torch.Tensor:
    """(B,) digit indices (a caption of the digit's name alone) or (B, V) multi-hot captions -> (B, V)."""
    if y.dtype in (torch.int64, torch.int32):
        return bag(y.long())
    return y.float()


class TextEncoder(nn.Module):
    """Bag of words -> (mu, log sigma^2) of the text code c (conditioning augmentation)."""

    def __init__(self, e_dim: int = 32):
        super().__init__()
        self.embed = nn.Linear(len(VOCABULARY), e_dim, bias=False)
        self.out = nn.Linear(e_dim, 2 * C_DIM)

    def forward(self, words: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = F.leaky_relu(self.embed(words / words.sum(1, keepdim=True).clamp_min(1)), 0.2)  # the words' mean embedding
        mu, log_var = self.out(h).chunk(2, 1)
        return mu, log_var.clamp(-10, 10)


class StackGenerator(nn.Module):
    """Text encoder, Stage I (z, c -> 14x14) and Stage II (14x14 sketch, c -> 28x28)."""

    def __init__(self, a):
        super().__init__()
        ch = a.hidden
        self.text = TextEncoder()
        self.stage1_project = nn.Sequential(nn.Linear(a.z_dim + C_DIM, 2 * ch * 7 * 7), nn.BatchNorm1d(2 * ch * 7 * 7),
                                            nn.ReLU())
        self.stage1_up = nn.Sequential(nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1), nn.BatchNorm2d(ch), nn.ReLU(),
                                       nn.Conv2d(ch, 1, 3, 1, 1), nn.Tanh())  # -> (B, 1, 14, 14)
        self.stage2_in = nn.Sequential(nn.Conv2d(1 + C_DIM, ch, 3, 1, 1), nn.BatchNorm2d(ch), nn.ReLU(),
                                       nn.Conv2d(ch, ch, 3, 1, 1), nn.BatchNorm2d(ch), nn.ReLU())
        self.stage2_up = nn.Sequential(nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1), nn.BatchNorm2d(ch // 2), nn.ReLU(),
                                       nn.Conv2d(ch // 2, 1, 3, 1, 1), nn.Tanh())  # -> (B, 1, 28, 28)
        self.hidden = ch
        self.noise_rng: torch.Generator | None = None  # conditioning augmentation's draws while training

    def code(self, words: torch.Tensor):
        """c ~ N(mu, sigma^2) while training (from the run's generator); c = mu otherwise. And the KL term."""
        mu, log_var = self.text(words)
        kl = 0.5 * (mu.pow(2) + log_var.exp() - 1 - log_var).sum(1).mean()
        if self.training and self.noise_rng is not None:
            eps = torch.randn(mu.shape, generator=self.noise_rng, device=mu.device, dtype=mu.dtype)
            return mu + (0.5 * log_var).exp() * eps, kl
        return mu, kl

    def stages(self, z: torch.Tensor, y: torch.Tensor):
        """(Stage I's 14x14 sketch, Stage II's 28x28 digit, the KL term) for latents z and captions y."""
        c, kl = self.code(caption_vector(y))
        h = self.stage1_project(torch.cat([z, c], 1)).view(len(z), 2 * self.hidden, 7, 7)
        sketch = self.stage1_up(h)  # (B, 1, 14, 14)
        up = F.interpolate(sketch, scale_factor=2, mode="bilinear", align_corners=False)
        h = self.stage2_in(torch.cat([up, c[:, :, None, None].expand(-1, -1, 28, 28)], 1))  # (B, ch, 28, 28)
        h = F.avg_pool2d(h, 2)  # (B, ch, 14, 14): refine at 14x14, then up to 28x28
        return sketch, self.stage2_up(h), kl

    def forward(self, z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return self.stages(z, y)[1]


class CaptionDiscriminator(nn.Module):
    """D(x, t) of one stage: a conv body, a logit, and the projection of the caption's words on the features."""

    def __init__(self, a, size: int):
        super().__init__()
        ch = a.hidden
        if size == 28:
            self.features, width = conv_features(a), conv_width(a)
        else:  # 14x14: one stride-2 conv to 7x7
            self.features = nn.Sequential(nn.Conv2d(1, ch, 4, 2, 1), nn.LeakyReLU(0.2),
                                          nn.Conv2d(ch, 2 * ch, 3, 1, 1), nn.LeakyReLU(0.2), nn.Flatten())
            width = 2 * ch * 7 * 7
        self.head = nn.Linear(width, 1)
        self.words = nn.Linear(len(VOCABULARY), width, bias=False)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = self.features(x)
        logit = self.head(h).squeeze(1)
        if y is not None:
            logit = logit + (self.words(caption_vector(y)) * h).sum(1)
        return logit


class StackGANLite(Variant):
    key = "stackgan"
    title = "StackGAN-lite (words to a digit)"
    summary = "Type a caption ('a bold slanted seven'): Stage I sketches the digit at 14x14, Stage II draws it at 28x28."
    formula = (r"c \sim \mathcal{N}(\mu(t), \sigma^2(t)), \quad L_G = L_{adv}^{II} + L_{adv}^{I} + "
               r"\lambda\, D_{KL}\bigl(\mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, I)\bigr)")
    paper = "Zhang et al., StackGAN: Text to Photo-realistic Image Synthesis (ICCV 2017)"
    data_kinds = ("image",)
    default_data = "mnist"
    Settings = StackGANSettings
    conditional = True
    class_handle = "class"
    dcgan_init = True
    lab_view = False
    d_nets = ("disc", "disc_lo")
    metrics = BASE_METRICS + (
        Metric("loss_kl", "KL term", "conditioning augmentation's KL(N(mu, sigma^2) || N(0, I)) of the text codes", "parts"),
        Metric("d_real_lo", "Stage I D(x)", "mean probability Stage I's D gives real digits (at 14x14)", "prob"),
        Metric("d_fake_lo", "Stage I D(G(z))", "mean probability Stage I's D gives Stage I's sketches", "prob"),
        Metric("d_mismatch", "D(x, wrong caption)", "mean probability D gives a real digit with another's caption",
               "prob"),
    )
    defaults = {"mnist": dict(z_dim=32, hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.0)}

    def check(self, config):
        super().check(config)
        if config.data.name != "mnist":
            raise ConfigError(f"stackgan's captions name digits: it trains on mnist, not {config.data.name}")

    def build(self, a):
        check_28(a)
        return {"gen": StackGenerator(a), "disc": CaptionDiscriminator(a, 28), "disc_lo": CaptionDiscriminator(a, 14)}

    def prepare(self, p, config):
        """Measure every training digit's attributes once: its caption's words come from them."""
        images, labels = p.data.images, p.data.labels
        p.state["thresholds"] = attribute_thresholds(images.cpu(), labels.cpu())
        p.state["attributes"] = torch.cat([attributes(images[i:i + 10000], labels[i:i + 10000], p.state["thresholds"])
                                           for i in range(0, len(images), 10000)]).to(p.device)
        p.gen.noise_rng = p.rng

    def _captions(self, p, digits: torch.Tensor, attrs: torch.Tensor) -> torch.Tensor:
        """Training captions: the digit's name, and each attribute word unless dropped (share ``word_drop``)."""
        drop = torch.rand(len(digits), 2, generator=p.rng, device=p.device) < p.settings.word_drop
        attrs = torch.where(drop, torch.full_like(attrs, -1), attrs)
        return bag(digits, attrs[:, 0], attrs[:, 1])

    def _batch(self, p):
        i = torch.randint(len(p.data.images), (p.batch_size,), generator=p.rng, device=p.device)
        x, digits = p.data.images[i], p.data.labels[i]
        return x, self._captions(p, digits, p.state["attributes"][i])

    def d_half(self, p, x, y):
        """(1) Update both stages' D: real digit with its caption -> real; a generated one, or a real
        digit with a mismatched caption -> fake."""
        x, t = self._batch(p)  # this variant draws its own batch: it needs each image's attributes
        z = draw_z(p)
        with torch.no_grad():
            sketch, fake, _ = p.gen.stages(z, t)
        x_lo = F.avg_pool2d(x, 2)  # (B, 1, 14, 14)
        wrong = t.roll(1, 0)  # another digit's caption
        d2, d1 = p.disc, p.nets["disc_lo"]
        logit_real, logit_fake = d2(x, t).float(), d2(fake, t).float()
        real_lo, fake_lo = d1(x_lo, t).float(), d1(sketch, t).float()
        mismatch = d2(x, wrong).float()
        loss = (p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing)
                + p.loss.discriminator(real_lo, fake_lo, smoothing=p.smoothing)
                + p.settings.mismatch_weight * F.binary_cross_entropy_with_logits(mismatch, torch.zeros_like(mismatch)))
        with torch.no_grad():
            extras = {"d_real_lo": torch.sigmoid(real_lo).mean(), "d_fake_lo": torch.sigmoid(fake_lo).mean(),
                      "d_mismatch": torch.sigmoid(mismatch).mean()}
        return Half(loss, logit_real, logit_fake, extras)

    def g_half(self, p):
        """(2) Update G (text encoder, both stages): fool both D with the batch's captions, KL-regularised codes."""
        _, t = self._batch(p)
        sketch, fake, kl = p.gen.stages(draw_z(p), t)
        logit = p.disc(fake, t).float()
        loss = p.loss.generator(logit) + p.loss.generator(p.nets["disc_lo"](sketch, t).float()) + p.settings.kl_weight * kl
        return Half(loss, None, logit, {"loss_kl": kl.detach()})

    def d_logit(self, p, x, y):
        return p.disc(x, y)

    def vocabulary(self, args):
        return VOCABULARY

    def fixed_inputs(self, trainer, n, generator):
        """Ten styles of each digit, each row of the grid one caption: thin/bold, upright/slanted in turn."""
        z, classes = super().fixed_inputs(trainer, n, generator)
        k = torch.arange(n)
        return z, bag(classes, (k // 10) % 2, (k // 20) % 2)

    def panels(self, trainer):
        z, y = trainer.fixed_noise
        gen = trainer.shown_generator
        with trainer.lock, torch.no_grad():
            was = gen.training
            gen.eval()
            try:
                sketch, full, _ = gen.stages(z, y)
            finally:
                gen.train(was)
        sketch = F.interpolate(sketch, scale_factor=2, mode="nearest")  # drawn at the same size as Stage II
        return (("Stage I: 14x14 sketches (one column per digit; rows: thin/bold, upright/slanted in turn)",
                 sketch.float().cpu().numpy()), ("Stage II: 28x28", full.float().cpu().numpy()))


register(StackGANLite())

