"""The conditional GAN of Mirza & Osindero (2014): the class label y goes to both networks, so
G(z, y) learns to draw class y, and z is left to carry the style.

The step is the plain GAN's (``vanilla.py``) with y fed in. The convolutional version's D is a
projection discriminator (Miyato & Koyama, ICLR 2018): logit = w.h + <embed(y), h>.
"""

from __future__ import annotations

from ganlab.core.models import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator, check_image
from ganlab.variants.base import register
from ganlab.variants.vanilla import GAN


class ConditionalGAN(GAN):
    key = "cgan"
    title = "Conditional GAN (fully connected)"
    summary = "G and D both see the class label: ask for a class, and z carries only the style."
    formula = (r"\min_G \max_D \; \mathbb{E}_{x, y} \log D(x \mid y) + "
               r"\mathbb{E}_{z, y} \log\bigl(1 - D(G(z \mid y) \mid y)\bigr)")
    paper = "Mirza & Osindero, Conditional Generative Adversarial Nets (arXiv 2014)"
    conditional = True
    stacks = False  # a class input: not the plain GAN's step

    def build(self, a):
        return {"gen": MLPGenerator(a), "disc": MLPDiscriminator(a)}


class ConditionalDCGAN(ConditionalGAN):
    key = "cdcgan"
    upsampling = True  # DCGAN's generator: its last layer may resize instead (ModelConfig.upsample)
    title = "Conditional DCGAN"
    summary = "A DCGAN whose G takes the label and whose D projects it onto its features (projection discriminator)."
    paper = ("Mirza & Osindero 2014; Radford et al. 2016; Miyato & Koyama, cGANs with Projection "
             "Discriminator (ICLR 2018)")
    data_kinds = ("image",)
    default_data = "mnist"
    dcgan_init = True
    showcase = ("class control",)  # the Class control page's "train a conditional model"
    # issue #23 (docs/benchmarks.md, "Time to quality"): 28 base channels, Adam at 2e-3 and a weight average
    # reach 95% label agreement in about 900 steps; with 2e-4 and no average the same networks were at 60%
    # after 1,200
    defaults = {"mnist": dict(hidden=28, lr_d=2e-3, lr_g=2e-3, ema=0.999)}

    def build(self, a):
        check_image(a)
        return {"gen": DCGANGenerator(a), "disc": DCGANDiscriminator(a)}


register(ConditionalGAN())
register(ConditionalDCGAN())
