"""ACGAN: Odena, Olah & Shlens, "Conditional Image Synthesis with Auxiliary Classifier GANs" (ICML 2017).

G draws class y from (z, y), as in the conditional GAN; but D is not told the class. It answers
two questions from one body: is x real (the source, S), and which class is it (C)? With

    L_S = E log P(S = real | x) + E log P(S = fake | G(z, y))
    L_C = E log P(C = y | x) + E log P(C = y | G(z, y)),

D maximises L_S + L_C and G maximises L_C - L_S: the generator must fool D *and* draw samples D
classifies as the asked class. The class term is weighted by ``aux_weight``; L_S is the run's
adversarial loss (non-saturating by default).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.settings import Validated, setting
from ganlab.core.models import DCGANGenerator, check_image, conv_features, conv_width
from ganlab.core.step import draw_classes, draw_z, penalised, real_batch
from ganlab.variants.base import BASE_METRICS, Half, Metric, Variant, register


@dataclass(frozen=True)
class ACGANSettings(Validated):
    aux_weight: float = setting(1.0, min=0.0, max=100.0, label="Class loss weight",
                                help="acgan: weight of the auxiliary class loss L_C")
    fake_class_weight: float = setting(1.0, min=0.0, max=1.0, label="D's class loss on fakes",
                                       help="acgan: weight of the generated images' term in D's L_C (1 as in the paper; "
                                            "0 trains D's classifier on real images only)")


class AuxClassifierDiscriminator(nn.Module):
    """DCGAN's body with two heads: one source logit and K class logits."""

    def __init__(self, a):
        super().__init__()
        self.features = conv_features(a)
        self.source = nn.Linear(conv_width(a), 1)
        self.classes = nn.Linear(conv_width(a), a.n_classes)

    def both(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.features(x)  # (B, 1, 28, 28) -> (B, 2ch*49)
        return self.source(h).squeeze(1), self.classes(h)  # (B,), (B, K)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The source logit alone (D is never told the class: y is ignored)."""
        return self.both(x)[0]


def _accuracy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return (logits.argmax(1) == y).float().mean()


class ACGAN(Variant):
    key = "acgan"
    upsampling = True  # DCGAN's generator: its last layer may resize instead (ModelConfig.upsample)
    title = "ACGAN (auxiliary classifier)"
    summary = "D is not told the class: it must say real or fake and which digit, and G must draw the digit asked."
    formula = (r"\max_D\; L_S + L_C, \quad \max_G\; L_C - L_S, \qquad "
               r"L_C = \mathbb{E}\log P(C = y \mid x) + \mathbb{E}\log P(C = y \mid G(z, y))")
    paper = "Odena, Olah & Shlens, Conditional Image Synthesis with Auxiliary Classifier GANs (ICML 2017)"
    data_kinds = ("image",)
    default_data = "mnist"
    Settings = ACGANSettings
    conditional = True
    dcgan_init = True
    lab_view = False
    metrics = BASE_METRICS + (
        Metric("acc_real", "class accuracy, real", "share of real images D's classifier labels correctly", "class"),
        Metric("acc_fake", "class accuracy, generated", "share of G(z, y) that D's classifier labels as y", "class"),
        Metric("loss_class", "L_C (D)", "D's auxiliary class loss on real and generated images", "parts"),
    )
    # tuned on this project's 2-CPU machine (docs/variants.md)
    defaults = {"mnist": dict(z_dim=100, hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.999),
                "fashion-mnist": dict(z_dim=100, hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.999)}

    def build(self, a):
        check_image(a)
        return {"gen": DCGANGenerator(a), "disc": AuxClassifierDiscriminator(a)}

    def d_half(self, p, x, y):
        """(1) Update D: maximise L_S + L_C on a real batch (with its labels) and on G(z, y') for random y'."""
        z = draw_z(p)
        y_fake = draw_classes(p)
        x = real_batch(p, x)
        with torch.no_grad():
            fake = p.gen(z, y_fake)  # (B, z_dim), (B,) -> (B, 1, 28, 28)
        logit_real, class_real = p.disc.both(x)
        logit_fake, class_fake = p.disc.both(fake)
        logit_real, logit_fake = logit_real.float(), logit_fake.float()
        loss_class = (F.cross_entropy(class_real.float(), y)
                      + p.settings.fake_class_weight * F.cross_entropy(class_fake.float(), y_fake))
        loss_d = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing) + p.settings.aux_weight * loss_class
        loss_d = penalised(p, loss_d, x, fake, logit_real, p.disc)
        with torch.no_grad():
            extras = {"acc_real": _accuracy(class_real, y), "acc_fake": _accuracy(class_fake, y_fake),
                      "loss_class": loss_class}
        return Half(loss_d, logit_real, logit_fake, extras)

    def g_half(self, p):
        """(2) Update G: maximise L_C - L_S, i.e. fool D and be classified as the class asked for."""
        y = draw_classes(p)
        z = draw_z(p)
        logit_gen, class_gen = p.disc.both(p.gen(z, y))
        loss_g = p.loss.generator(logit_gen.float()) + p.settings.aux_weight * F.cross_entropy(class_gen.float(), y)
        return Half(loss_g, None, logit_gen.float())

    def classifiers(self, nets):
        return {"D's auxiliary classifier": lambda x: nets["disc"].both(x)[1]}


register(ACGAN())
