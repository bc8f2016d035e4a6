"""InfoGAN: Chen et al., "InfoGAN: Interpretable Representation Learning by Information Maximizing
Generative Adversarial Nets" (NeurIPS 2016).

G takes noise z and a code c: one categorical code c1 ~ Cat(K) and a few continuous codes
c2, c3 ~ U(-1, 1). Nothing tells the codes what to mean. A head Q on D's body guesses the code back
from G(z, c), and G and Q together maximise a lower bound on the mutual information I(c; G(z, c)):

    L_I(G, Q) = E_{c, x ~ G(z, c)} log Q(c | x) + H(c)  <=  I(c; G(z, c)),

    min_{G, Q} max_D  V(D, G) - lambda L_I(G, Q).

So G is pushed to draw images from which the code can be read, and on MNIST the categorical code
comes to pick the digit and the continuous codes the slant and the stroke width, without a label.
Q's categorical part is a softmax (its log-likelihood is minus the cross-entropy); its continuous
part is a unit-variance Gaussian (minus half the squared error, up to a constant), weighted by
``cont_weight`` as in the paper's lower weight for continuous codes. The live metric is the bound's
categorical part in nats: log K - CE, at most log K (2.30 for 10 codes).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.settings import ConfigError, Validated, setting
from ganlab.core.models import BatchNormDiscriminator, DCGANGenerator, check_28
from ganlab.core.step import draw_z, penalised, real_batch
from ganlab.variants.base import BASE_METRICS, Code, Half, Metric, Variant, register


@dataclass(frozen=True)
class InfoGANSettings(Validated):
    cat_codes: int = setting(10, min=2, max=100, label="Categorical code values", help="infogan: values of the categorical code c1")
    cont_codes: int = setting(2, min=0, max=8, label="Continuous codes", help="infogan: continuous codes c2, c3, ... ~ U(-1, 1)")
    info_weight: float = setting(1.0, min=0.0, max=100.0, label="Information weight lambda", help="infogan: lambda, the weight of L_I")
    cont_weight: float = setting(0.1, min=0.0, max=100.0, label="Continuous code weight", help="infogan: weight of the continuous codes within L_I")


def code_vector(y: torch.Tensor, n_cat: int, n_cont: int) -> torch.Tensor:
    """G's code from (B,) categorical indices, (B, K) soft categorical codes, or the full (B, K + n_cont)
    code; continuous codes not given are 0 (the middle of their range)."""
    if y.dtype in (torch.int64, torch.int32):
        y = F.one_hot(y.long(), n_cat).float()
    y = y.float()
    if y.shape[1] == n_cat:
        y = torch.cat([y, y.new_zeros(len(y), n_cont)], 1)
    if y.shape[1] != n_cat + n_cont:
        raise ValueError(f"an InfoGAN code has {n_cat} + {n_cont} values, got {y.shape[1]}")
    return y


class InfoGenerator(nn.Module):
    """DCGAN's generator on [z, c2.., one-hot c1]: (B, z_dim) and a code -> (B, 1, 28, 28)."""

    def __init__(self, a):
        super().__init__()
        self.n_cat, self.n_cont = a.n_classes, a.option("cont_codes", 0)
        self.net = DCGANGenerator(replace(a, z_dim=a.z_dim + self.n_cont))

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        c = code_vector(y, self.n_cat, self.n_cont)  # (B, K + n_cont)
        return self.net(torch.cat([z, c[:, self.n_cat:]], 1), c[:, :self.n_cat])


class InfoDiscriminator(BatchNormDiscriminator):
    """The paper's MNIST D (``BatchNormDiscriminator``: conv ch, conv 2ch + batch norm, fully connected 8ch +
    batch norm), with Q, a head of 4ch + batch norm on its fully connected layer that reads the code back.
    Its batch norm helps Q read digits; it makes D's output depend on the batch, so this variant is not for
    the R1 or WGAN-GP penalties."""

    def __init__(self, a):
        super().__init__(a)
        ch = a.hidden
        self.n_cat, self.n_cont = a.n_classes, a.option("cont_codes", 0)
        self.q = nn.Sequential(nn.Linear(8 * ch, 4 * ch), nn.BatchNorm1d(4 * ch), nn.LeakyReLU(0.2),
                               nn.Linear(4 * ch, self.n_cat + self.n_cont))

    def both(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.features(x)  # (B, 1, 28, 28) -> (B, 2ch*49)
        return self.source(h).squeeze(1), self.q(h)  # (B,), (B, K + n_cont): categorical logits, continuous means

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.both(x)[0]


class InfoGAN(Variant):
    key = "infogan"
    upsampling = True  # DCGAN's generator: its last layer may resize instead (ModelConfig.upsample)
    title = "InfoGAN (codes that learn a meaning)"
    summary = "No labels: G gets a 10-way code and two sliders, and is paid for making them readable from its image."
    formula = (r"\min_{G,Q} \max_D \; V(D, G) - \lambda\, L_I(G, Q), \quad "
               r"L_I = \mathbb{E}_{c,\, x \sim G(z, c)} \log Q(c \mid x) + H(c) \;\le\; I(c;\, G(z, c))")
    paper = "Chen et al., InfoGAN (NeurIPS 2016)"
    data_kinds = ("image",)
    default_data = "mnist"
    Settings = InfoGANSettings
    class_handle = "categorical code"
    dcgan_init = True
    lab_view = False
    metrics = BASE_METRICS + (
        Metric("mi_cat", "L_I, categorical (nats)", "the mutual-information lower bound of the categorical code: "
               "log K - cross-entropy of Q's guess; at most log K", "info"),
        Metric("q_acc", "Q's code accuracy", "share of generated images whose categorical code Q reads back", "class"),
        Metric("q_cont_err", "Q's continuous error", "mean squared error of Q's guess of the continuous codes", "info"),
    )
    defaults = {"mnist": dict(z_dim=62, hidden=32, batch_size=64, lr_d=2e-4, lr_g=1e-3, ema=0.0),
                "fashion-mnist": dict(z_dim=62, hidden=32, batch_size=64, lr_d=2e-4, lr_g=1e-3, ema=0.0)}

    def check(self, config):
        super().check(config)
        if config.optim.r1 or config.optim.loss == "wgan-gp":
            raise ConfigError("infogan's discriminator uses batch norm, which the R1 and WGAN-GP penalties do not "
                              "allow; set r1 to 0 and pick another loss")

    def class_count(self, config, data_classes):
        return config.variant.cat_codes

    def model_options(self, config, data_classes):
        return {"cont_codes": config.variant.cont_codes}

    def build(self, a):
        check_28(a)
        return {"gen": InfoGenerator(a), "disc": InfoDiscriminator(a)}

    def _codes(self, p) -> tuple[torch.Tensor, torch.Tensor]:
        """c1 ~ Cat(K) as indices, c2.. ~ U(-1, 1): (B,), (B, n_cont)."""
        n_cont = p.args.option("cont_codes", 0)
        cat = torch.randint(p.n_classes, (p.batch_size,), generator=p.rng, device=p.device)
        cont = torch.rand(p.batch_size, n_cont, generator=p.rng, device=p.device) * 2 - 1
        return cat, cont

    def _info(self, p, q: torch.Tensor, cat: torch.Tensor, cont: torch.Tensor):
        """-L_I + H(c) as a loss (the cross-entropy of Q's categorical guess plus the weighted Gaussian
        NLL of its continuous guess), and the live figures."""
        k = p.n_classes
        ce = F.cross_entropy(q[:, :k].float(), cat)
        err = ((q[:, k:].float() - cont) ** 2).mean() if cont.shape[1] else torch.zeros((), device=q.device)
        loss = ce + p.settings.cont_weight * 0.5 * err
        with torch.no_grad():
            figures = {"mi_cat": math.log(k) - ce, "q_acc": (q[:, :k].argmax(1) == cat).float().mean(), "q_cont_err": err}
        return loss, figures

    def d_half(self, p, x, y):
        """(1) Update D and Q: maximise V(D, G) + lambda L_I, with Q reading the code of G(z, c) (G fixed)."""
        z = draw_z(p)
        cat, cont = self._codes(p)
        x = real_batch(p, x)
        with torch.no_grad():
            fake = p.gen(z, self.code_vector(p.args, cat, cont))
        logit_real = p.disc(x).float()
        logit_fake, q = p.disc.both(fake)
        logit_fake = logit_fake.float()
        info, _ = self._info(p, q, cat, cont)
        loss_d = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing) + p.settings.info_weight * info
        return Half(penalised(p, loss_d, x, fake, logit_real, p.disc), logit_real, logit_fake)

    def g_half(self, p):
        """(2) Update G: fool D and maximise lambda L_I, i.e. draw images whose code Q can read back."""
        z = draw_z(p)
        cat, cont = self._codes(p)
        logit_gen, q = p.disc.both(p.gen(z, self.code_vector(p.args, cat, cont)))
        info, figures = self._info(p, q, cat, cont)
        loss_g = p.loss.generator(logit_gen.float()) + p.settings.info_weight * info
        return Half(loss_g, None, logit_gen.float(), figures)

    # -- what exploration may do ----------------------------------------------------
    def condition(self, args, classes, generator):
        n_cont = args.option("cont_codes", 0)
        cont = torch.rand(len(classes), n_cont, generator=generator) * 2 - 1
        return self.code_vector(args, classes, cont.to(classes.device))

    def codes(self, args):
        return tuple(Code(i, f"c{i + 2} (continuous code {i + 1})") for i in range(args.option("cont_codes", 0)))

    def code_vector(self, args, classes, values):
        return torch.cat([F.one_hot(classes.long(), args.n_classes).float(), values.float()], 1)

    def classifiers(self, nets):
        k = nets["disc"].n_cat
        return {"Q's categorical code": lambda x: nets["disc"].both(x)[1][:, :k]}


register(InfoGAN())
