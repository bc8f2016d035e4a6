"""DiscoGAN: Kim, Cha, Kim, Lee & Kim, "Learning to Discover Cross-Domain Relations with Generative
Adversarial Networks" (ICML 2017).

Two domains with no pairs between them and little in common pixel by pixel: here Fashion-MNIST's
bags (A) and its shoes (B: sandals, sneakers, ankle boots), the paper's handbags <-> shoes at 28x28.
G_AB draws a shoe for a bag, G_BA a bag for a shoe, and each round trip must come back. What the
pair of generators discovers is a relation between the domains: a wide bag goes to a wide shoe, a
dark one to a dark one. Nothing says which shoe; the reconstruction only asks that the shoe keep
enough of the bag to rebuild it.

Each generator is an encoder-decoder with no skip connections (4x4 strided convs with batch norm and
leaky ReLU down to a 4x4 code, transposed convs with batch norm and ReLU up again, tanh out), so a
translation can change the shape entirely: a U-Net's skips (CycleGAN's setting here) would pin the
bag's pixels in place. Each discriminator is a strided conv net whose three hidden layers are also
returned, for the feature-matching term. The losses, as the authors' code has them:

    L_D = 1/2 (BCE(D_B(b), 1) + BCE(D_B(G_AB(a)), 0)) + (the same for D_A)
    L_G = [(1 - r)(0.1 L_GAN + 0.9 L_FM) + r L_CONST]_A->B + [...]_B->A

with L_CONST the squared error of the round trip, L_FM the squared difference of D's mean hidden
features on real and translated batches (Salimans et al. 2016), and the reconstruction rate r at 0.01
for the first ``curriculum_steps`` generator updates (the adversarial terms find the target domain
first), then ``recon_rate`` (0.5). There is no identity term. The authors update D once every third
iteration and G on the other two; here the shared step updates both each step (``d_steps`` and the two
learning rates set the balance).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.data.catalog import DATASETS_IMAGE, SUBSETS
from ganlab.data.datasets import load_data
from ganlab.settings import ConfigError, Validated, setting
from ganlab.variants.base import BASE_METRICS, Half, Metric, Translation, Variant, register
from ganlab.variants.cyclegan import CycleGAN

PARTNERS = {"fashion-bags": "fashion-shoes", "fashion-shoes": "fashion-bags", "mnist": "fashion-mnist",
            "fashion-mnist": "mnist"}  # the other domain "auto" picks
START_RATE = 0.01  # the reconstruction rate of the curriculum's first steps (the authors' starting_rate)


@dataclass(frozen=True)
class DiscoGANSettings(Validated):
    partner: str = setting("auto", choices=("auto", *(d for d in DATASETS_IMAGE if d != "custom")),
                           label="Domain B", help="discogan: the second domain (auto: shoes for bags, bags for shoes)")
    recon_rate: float = setting(0.5, min=0.0, max=1.0, label="Reconstruction rate r",
                                help="discogan: the share of G's loss that the round trip's squared error takes, "
                                     "after the curriculum (the rest: 0.1 adversarial, 0.9 feature matching)")
    curriculum_steps: int = setting(10000, min=0, max=1_000_000, label="Curriculum steps",
                                    help=f"discogan: generator updates at reconstruction rate {START_RATE} before "
                                         "recon_rate applies (the authors' gan_curriculum)")
    feature_share: float = setting(0.9, min=0.0, max=1.0, label="Feature-matching share",
                                   help="discogan: of the adversarial part, the share of feature matching on D's "
                                        "hidden layers (the rest is the plain GAN loss)")


def partner(config) -> str:
    chosen = config.variant.partner
    return PARTNERS.get(config.data.name, "fashion-mnist") if chosen == "auto" else chosen


def _down(cin: int, cout: int, kernel: int = 4, norm: bool = True) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, kernel, 2, 1, bias=not norm), *([nn.BatchNorm2d(cout)] if norm else []),
            nn.LeakyReLU(0.2)]


def _up(cin: int, cout: int, kernel: int = 4) -> list[nn.Module]:
    return [nn.ConvTranspose2d(cin, cout, kernel, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]


class EncoderDecoder(nn.Module):
    """DiscoGAN's generator at 28x28: down to a 4x4 code and up again, no skips."""

    def __init__(self, a):
        super().__init__()
        ch = a.hidden
        self.net = nn.Sequential(
            *_down(1, ch, norm=False),  # (B, 1, 28, 28) -> (B, ch, 14, 14)
            *_down(ch, 2 * ch),  # -> (B, 2ch, 7, 7)
            *_down(2 * ch, 4 * ch, kernel=3),  # -> (B, 4ch, 4, 4)
            *_up(4 * ch, 2 * ch, kernel=3),  # -> (B, 2ch, 7, 7)
            *_up(2 * ch, ch),  # -> (B, ch, 14, 14)
            nn.ConvTranspose2d(ch, 1, 4, 2, 1), nn.Tanh(),  # -> (B, 1, 28, 28)
        )

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x)


class FeatureCritic(nn.Module):
    """DiscoGAN's discriminator: three strided convs and a 4x4 conv to one logit; ``features`` also returns
    the three hidden layers (what feature matching compares)."""

    def __init__(self, a):
        super().__init__()
        ch = a.hidden
        self.layers = nn.ModuleList([
            nn.Sequential(*_down(1, ch, norm=False)),  # (B, 1, 28, 28) -> (B, ch, 14, 14)
            nn.Sequential(*_down(ch, 2 * ch)),  # -> (B, 2ch, 7, 7)
            nn.Sequential(*_down(2 * ch, 4 * ch, kernel=3)),  # -> (B, 4ch, 4, 4)
        ])
        self.head = nn.Conv2d(4 * ch, 1, 4)  # -> (B, 1, 1, 1)

    def features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        hidden = []
        for layer in self.layers:
            x = layer(x)
            hidden.append(x)
        return self.head(x).flatten(), hidden

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.features(x)[0]


def feature_matching(real: list[torch.Tensor], fake: list[torch.Tensor]) -> torch.Tensor:
    """Sum over layers of the mean squared difference of the batch-mean features (real's held fixed)."""
    return sum(((r.detach().float().mean(0) - f.float().mean(0)) ** 2).mean() for r, f in zip(real, fake))


class DiscoGAN(CycleGAN):
    """The round trip's machinery (two domains held on the device, the panels, the fixed inputs) is
    CycleGAN's; the networks and the losses are DiscoGAN's own."""

    key = "discogan"
    title = "DiscoGAN (cross-domain relations)"
    summary = ("Bags become shoes and shoes bags, with no pairs: two encoder-decoders, each round trip "
               "rebuilt, so a translation keeps the item's size, tone and shape.")
    formula = (r"L_G = \sum_{A \to B,\ B \to A} (1 - r)\bigl(0.1\, L_{GAN} + 0.9\, L_{FM}\bigr) "
               r"+ r\, \lVert G_{BA}(G_{AB}(a)) - a\rVert_2^2")
    paper = "Kim et al., DiscoGAN (ICML 2017)"
    data_kinds = ("image",)
    default_data = "fashion-bags"
    Settings = DiscoGANSettings
    side_nets = ()
    lab_view = False  # images only
    metrics = BASE_METRICS + (
        Metric("loss_cycle", "reconstruction loss", "squared error of G_BA(G_AB(a)) from a plus that of "
               "G_AB(G_BA(b)) from b", "parts"),
        Metric("loss_fm", "feature matching", "squared distance of D's mean hidden features on real and "
               "translated batches, both directions", "parts"),
        Metric("recon_share", "reconstruction rate r", "the share of G's loss the round trip takes (the "
               "curriculum's start, then recon_rate)", "parts"),
        Metric("d_real_a", "D_A(a)", "mean probability D_A gives real domain-A samples", "prob"),
        Metric("d_fake_a", "D_A(G_BA(b))", "mean probability D_A gives B samples translated to A", "prob"),
    )
    defaults = {name: dict(hidden=32, batch_size=64, lr_d=2e-4, lr_g=2e-4, ema=0.0)
                for name in ("fashion-bags", "fashion-shoes")}

    def check(self, config):
        Variant.check(self, config)  # the shared checks, not CycleGAN's (its domain_b and semantic_weight)
        if config.data.name not in DATASETS_IMAGE or config.data.name == "custom":
            raise ConfigError(f"discogan translates between two image sets; {config.data.name} is not one")
        if partner(config) == config.data.name:
            raise ConfigError(f"discogan translates between two domains; domain B is {partner(config)}, the same "
                              "as the data")

    def model_options(self, config, data_classes):
        return {"domain_a": config.data.name, "domain_b": partner(config)}

    def build(self, a):
        if tuple(a.data_shape) != (1, 28, 28):
            raise ValueError(f"discogan is built for 1x28x28 images, not data of shape {a.data_shape}")
        return {"gen": EncoderDecoder(a), "disc": FeatureCritic(a),
                "gen_ba": EncoderDecoder(a), "disc_a": FeatureCritic(a)}

    def prepare(self, p, config):
        p.state["b"] = load_data(partner(config), config.data.data_dir, device=p.device)

    def translation(self, args):
        a, b = args.option("domain_a"), args.option("domain_b")
        # two kinds of item: a translation keeps the look (size, tone, shape), not the class
        return Translation(_display(a), _display(b), a, b, cycle=True, first="a2b", keeps="look")

    def d_half(self, p, x, y):
        """(1) Update D_B and D_A: 1/2 BCE on real and translated batches of each domain."""
        a = x
        b = p.state["b"].batch(p.batch_size, p.rng)[0]
        with torch.no_grad():
            fake_b, fake_a = p.gen(a), p.nets["gen_ba"](b)
        logit_b, logit_fake_b = p.disc(b).float(), p.disc(fake_b).float()
        logit_a, logit_fake_a = p.nets["disc_a"](a).float(), p.nets["disc_a"](fake_a).float()
        loss = 0.5 * (p.loss.discriminator(logit_b, logit_fake_b, smoothing=p.smoothing)
                      + p.loss.discriminator(logit_a, logit_fake_a, smoothing=p.smoothing))
        with torch.no_grad():
            extras = {"d_real_a": torch.sigmoid(logit_a).mean(), "d_fake_a": torch.sigmoid(logit_fake_a).mean()}
        return Half(loss, logit_b, logit_fake_b, extras)

    def _rate(self, p) -> float:
        """r: the curriculum's START_RATE until G has been updated ``curriculum_steps`` times (the count
        the G optimiser keeps, so a resumed run picks up where it was), then recon_rate."""
        state = p.opt_g.state.get(p.g_params[0], {})
        done = float(state["step"]) if "step" in state else 0.0
        return START_RATE if done < p.settings.curriculum_steps else p.settings.recon_rate

    def _g(self, p, a, y_a, b):
        rate, share = self._rate(p), p.settings.feature_share
        fake_b, fake_a = p.gen(a), p.nets["gen_ba"](b)
        logit_fake_b, feats_fake_b = p.disc.features(fake_b)
        logit_fake_a, feats_fake_a = p.nets["disc_a"].features(fake_a)
        with torch.no_grad():
            feats_b, feats_a = p.disc.features(b)[1], p.nets["disc_a"].features(a)[1]
        fm = feature_matching(feats_b, feats_fake_b) + feature_matching(feats_a, feats_fake_a)
        adv = p.loss.generator(logit_fake_b.float()) + p.loss.generator(logit_fake_a.float())
        recon = F.mse_loss(p.nets["gen_ba"](fake_b).float(), a.float()) + F.mse_loss(p.gen(fake_a).float(), b.float())
        loss = (1 - rate) * ((1 - share) * adv + share * fm) + rate * recon
        return loss, logit_fake_b.float(), {"loss_cycle": recon.detach(), "loss_fm": fm.detach(),
                                            "recon_share": torch.full((), rate, device=a.device)}


def _display(name: str) -> str:
    if name in SUBSETS:
        return {"fashion-bags": "bag", "fashion-shoes": "shoe"}.get(name, name)
    return {"mnist": "MNIST digit", "fashion-mnist": "Fashion-MNIST item", "digits8": "8x8 digit"}.get(name, name)


register(DiscoGAN())
