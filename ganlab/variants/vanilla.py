"""The GAN of Goodfellow et al. (2014) with fully connected networks, and the DCGAN of Radford,
Metz & Chintala (2016): one generator, one discriminator, one adversarial objective.

The objective is the run's loss (``--loss``: the non-saturating default, minimax, LSGAN, hinge,
WGAN-GP), optionally with one-sided label smoothing and an R1 penalty. The conditional GAN
(``conditional.py``) is this same step with the class label fed to both networks.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ganlab.settings import ConfigError, Validated, setting

from ganlab.core.models import (BatchNormDiscriminator, DCGANDiscriminator, DCGANGenerator, MLPDiscriminator,
                                MLPGenerator, check_image)
from ganlab.core.step import draw_classes, draw_z, penalised, real_batch
from ganlab.variants.base import Half, Variant, register


class GAN(Variant):
    key = "mlp"
    title = "GAN (fully connected)"
    summary = "The original GAN: an MLP generator against an MLP discriminator, on points or images."
    formula = (r"\min_G \max_D \; \mathbb{E}_{x \sim p_{data}} \log D(x) + "
               r"\mathbb{E}_{z \sim p(z)} \log\bigl(1 - D(G(z))\bigr)")
    paper = "Goodfellow et al., Generative Adversarial Nets (NeurIPS 2014)"
    stacks = True  # its MLPs and objective are what ganlab.pool.stacked steps for many runs at once

    def build(self, a):
        return {"gen": MLPGenerator(a), "disc": MLPDiscriminator(a)}

    def d_half(self, p, x, y):
        """(1) Update D: maximise log D(x) + log(1 - D(G(z)))  [or the chosen loss's critic objective]."""
        y = y if p.n_classes else None
        z = draw_z(p)
        x = real_batch(p, x)
        with torch.no_grad():
            fake = p.gen(z, y)  # (B, z_dim) -> (B, *data_shape)
        logit_real, logit_fake = p.disc(x, y).float(), p.disc(fake, y).float()  # (B,), (B,)
        loss_d = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing)
        return Half(penalised(p, loss_d, x, fake, logit_real, lambda h: p.disc(h, y)), logit_real, logit_fake)

    def g_half(self, p):
        """(2) Update G: maximise log D(G(z))  [minimax: minimise log(1 - D(G(z)))]."""
        y = draw_classes(p) if p.n_classes else None
        z = draw_z(p)
        logit_gen = p.disc(p.gen(z, y), y).float()
        return Half(p.loss.generator(logit_gen), None, logit_gen)


@dataclass(frozen=True)
class DCGANSettings(Validated):
    disc: str = setting("batchnorm", choices=("plain", "spread", "batchnorm"), legacy="plain", label="Discriminator",
                        help="dcgan: plain, strided convs (penalties allowed); spread, with ProGAN's minibatch standard "
                             "deviation as one more feature map, so that a G drawing look-alikes is caught; batchnorm, "
                             "the DCGAN and InfoGAN papers' MNIST D (batch norm, a fully connected layer)")


class DCGAN(GAN):
    key = "dcgan"
    upsampling = True  # DCGAN's generator: its last layer may resize instead (ModelConfig.upsample)
    title = "DCGAN"
    summary = "Convolutional G and D (transposed convolutions up, strided convolutions down) for 28x28 images."
    paper = "Radford, Metz & Chintala, Unsupervised Representation Learning with Deep Convolutional GANs (ICLR 2016)"
    data_kinds = ("image",)
    default_data = "mnist"
    dcgan_init = True
    stacks = False
    Settings = DCGANSettings

    def model_options(self, config, data_classes):
        return {"spread": {"minibatch_spread": True}, "batchnorm": {"disc": "batchnorm"}}.get(config.variant.disc, {})

    def check(self, config):
        super().check(config)
        if config.variant.disc == "batchnorm" and (config.optim.r1 or config.optim.loss == "wgan-gp"):
            raise ConfigError("dcgan's batch-norm discriminator makes each sample's score depend on the batch, which the "
                              "R1 and WGAN-GP penalties do not allow; pick another discriminator, or set r1 to 0 and "
                              "another loss")

    def build(self, a):
        check_image(a)
        disc = BatchNormDiscriminator(a) if a.option("disc") == "batchnorm" else DCGANDiscriminator(a)
        return {"gen": DCGANGenerator(a), "disc": disc}


register(GAN())
register(DCGAN())
