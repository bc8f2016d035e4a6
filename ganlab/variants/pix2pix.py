"""pix2pix: Isola, Zhu, Zhou & Efros, "Image-to-Image Translation with Conditional Adversarial
Networks" (CVPR 2017), here from a digit's outline to the digit.

The pairs are made from MNIST on the fly: the input is the outline of a digit
(``ganlab.data.outline``: dilation minus erosion), the target the digit itself. G is a small U-Net
whose skip connections carry the outline's position straight to the output; D is a PatchGAN that
judges (input, output) pairs patch by patch, each logit looking at a 10x10 window. G minimises

    L_G = L_adv(D(e, G(e))) + lambda * || x - G(e) ||_1,

where the L1 term makes G draw *this* digit (the target), and the adversarial term makes it look
like a real stroke rather than L1's blurred average. D minimises the run's adversarial loss on
(e, x) against (e, G(e)). ``l1_weight`` is lambda: the paper's 100, on images of 28x28.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.settings import Validated, setting
from ganlab.core.models import UNet, check_28
from ganlab.core.step import penalised, real_batch
from ganlab.data.outline import outline
from ganlab.variants.base import BASE_METRICS, Half, Metric, Translation, Variant, register


@dataclass(frozen=True)
class Pix2PixSettings(Validated):
    l1_weight: float = setting(100.0, min=0.0, max=10000.0, label="L1 weight lambda",
                               help="pix2pix: weight of the L1 distance to the target digit")


class PatchDiscriminator(nn.Module):
    """D(e, x): the input and a candidate output stacked as two channels, a 7x7 map of logits, one per
    overlapping 10x10 patch (the PatchGAN). No batch norm, so R1 and WGAN-GP stay per-sample."""

    def __init__(self, a):
        super().__init__()
        ch = a.hidden
        self.net = nn.Sequential(
            nn.Conv2d(2, ch, 4, 2, 1), nn.LeakyReLU(0.2),  # (B, 2, 28, 28) -> (B, ch, 14, 14)
            nn.Conv2d(ch, 2 * ch, 4, 2, 1), nn.LeakyReLU(0.2),  # -> (B, 2ch, 7, 7)
            nn.Conv2d(2 * ch, 1, 3, 1, 1),  # -> (B, 1, 7, 7)
        )

    def forward(self, x: torch.Tensor, e: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(torch.cat([e, x], 1)).flatten(1)  # (B, 49) patch logits


class Pix2Pix(Variant):
    key = "pix2pix"
    title = "pix2pix (outline to digit)"
    summary = "Paired translation: a U-Net learns to fill in a digit from its outline, judged patch by patch."
    formula = (r"\min_G \max_D \; \mathbb{E}\log D(e, x) + \mathbb{E}\log\bigl(1 - D(e, G(e))\bigr) "
               r"+ \lambda\, \mathbb{E}\lVert x - G(e) \rVert_1, \quad e = \mathrm{edge}(x)")
    paper = "Isola et al., Image-to-Image Translation with Conditional Adversarial Networks (CVPR 2017)"
    data_kinds = ("image",)
    default_data = "mnist"
    Settings = Pix2PixSettings
    has_latent = False
    lab_view = False
    dcgan_init = True
    metrics = BASE_METRICS + (
        Metric("loss_l1", "L1 to the target", "mean absolute pixel difference between G(e) and the digit", "parts"),
        Metric("loss_adv", "G's adversarial loss", "G's loss against the PatchGAN alone, before the L1 term", "parts"),
    )
    defaults = {"mnist": dict(hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.0),
                "fashion-mnist": dict(hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.0)}

    def build(self, a):
        check_28(a)
        return {"gen": UNet(a), "disc": PatchDiscriminator(a)}

    def translation(self, args):
        return Translation("outline", "digit", "mnist", "mnist", outline_input=True)

    def translate(self, nets, x, direction="a2b"):
        if direction != "a2b":
            raise ValueError("pix2pix translates outlines to digits only (direction a2b)")
        return nets["gen"](x)

    def d_half(self, p, x, y):
        """(1) Update D: tell (outline, digit) pairs from (outline, G(outline)) pairs, patch by patch."""
        e = outline(x)
        x = real_batch(p, x)
        with torch.no_grad():
            fake = p.gen(e)
        logit_real, logit_fake = p.disc(x, e).float(), p.disc(fake, e).float()
        loss_d = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing)
        return Half(penalised(p, loss_d, x, fake, logit_real, lambda h: p.disc(h, e)), logit_real, logit_fake)

    def _g(self, p, x):
        e = outline(x)
        fake = p.gen(e)
        logit = p.disc(fake, e).float()
        adv, l1 = p.loss.generator(logit), F.l1_loss(fake.float(), x)
        return adv + p.settings.l1_weight * l1, logit, {"loss_l1": l1.detach(), "loss_adv": adv.detach()}

    def g_half(self, p):
        """(2) Update G: fool the PatchGAN and stay within lambda-weighted L1 of the target digit."""
        x, _ = p.data.batch(p.batch_size, p.rng)
        loss_g, logit, extras = self._g(p, x)
        return Half(loss_g, None, logit, extras)

    def g_measure(self, p, d):
        with torch.no_grad():
            return self._g(p, p.data.batch(p.batch_size, p.rng)[0])[0]

    def d_logit(self, p, x, y):
        return p.disc(x, outline(x))

    def fixed_inputs(self, trainer, n, generator):
        """32 fixed training digits' outlines, and the digits themselves as y (which G ignores)."""
        idx = torch.randint(len(trainer.data.images), (32,), generator=generator).to(trainer.data.device)
        digits = trainer.data.images[idx]
        return outline(digits).cpu(), digits.cpu()

    def panels(self, trainer):
        e, target = trainer.fixed_noise
        return (("outline: the input", e.cpu().numpy()), ("G(outline)", trainer.sample_fixed()),
                ("the digit: the target", target.cpu().numpy()))


register(Pix2Pix())
