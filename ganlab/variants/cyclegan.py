"""CycleGAN: Zhu, Park, Isola & Efros, "Unpaired Image-to-Image Translation using Cycle-Consistent
Adversarial Networks" (ICCV 2017); and DiscoGAN (Kim et al., ICML 2017) as its reconstruction setting.

Two domains with no pairs between them: here MNIST digits (A) and scikit-learn's 8x8 digits from
other writers (B, ``ganlab.data.digits8``), or two 2-D point clouds. Two generators, G: A -> B and
F: B -> A, and a discriminator per domain. Each G fools its domain's D, and the round trip must come
back to where it started:

    L = L_adv(G, D_B) + L_adv(F, D_A) + lambda_cyc (|| F(G(a)) - a || + || G(F(b)) - b ||)
        + lambda_id (|| G(b) - b || + || F(a) - a ||).

The cycle term is what stops G from drawing any B image at all: the digit must survive the trip,
so only the handwriting may change. The identity term (G should leave a B image alone) keeps the
translation from wandering further. The reference code weighs the two round trips apart (its
lambda_A and lambda_B, each also scaling its identity term); ``cycle_share_b`` is their ratio here:
below 1, F is held less to B's handwriting (G(F(b)) ~ b) than to inverting G (F(G(a)) ~ a).
``semantic_weight`` adds CyCADA's semantic consistency (Hoffman et al., ICML 2018): a classifier
(``reader``, a small pooled convnet) learns domain A's labels beside the
discriminators, and each translation must keep its reading: F(b) the class it reads in b, G(a) a's
label. B's labels are never used. With the class held that way, the cycle can be weighed less.
``reconstruction`` "l1" is CycleGAN's distance; "l2" is DiscoGAN's (its squared reconstruction
error); DiscoGAN had no identity term (set it to 0).

At 28x28 on a CPU, each generator is by default the small U-Net pix2pix uses
(``ganlab.core.models.UNet``) rather than the paper's residual network (``generator`` "resnet"): a
quarter of the cost, and a skip path that makes the identity (keep the digit, change the stroke)
easy to find; docs/variants.md has the two side by side.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.data.catalog import DATASETS_IMAGE, DATASETS_TOY
from ganlab.settings import ConfigError, Validated, setting
from ganlab.core.models import (DCGANDiscriminator, MLPDiscriminator, MLPGenerator, UNet, conv_features,
                                conv_width)
from ganlab.core.step import penalised, real_batch
from ganlab.data.datasets import load_data
from ganlab.variants.base import BASE_METRICS, Half, Metric, Translation, Variant, register

DOMAINS_B = ("auto", *(d for d in DATASETS_IMAGE + DATASETS_TOY if d not in ("custom", "mog1d")))
N_CYCLE = 60  # points whose round trip the 2-D lab view draws


@dataclass(frozen=True)
class CycleGANSettings(Validated):
    domain_b: str = setting("auto", choices=DOMAINS_B, label="Domain B",
                            help="cyclegan: the second domain (auto: the 8x8 digits for images, ring8 for 2-D data)")
    cycle_weight: float = setting(10.0, min=0.0, max=1000.0, label="Cycle weight lambda_cyc",
                                  help="cyclegan: weight of the cycle-consistency loss")
    cycle_share_b: float = setting(1.0, min=0.0, max=1.0, label="Share for B's round trip",
                                   help="cyclegan: the round trip from domain B, G(F(b)) ~ b, and G's identity term "
                                        "weigh this share of theirs (the reference code's lambda_B / lambda_A); "
                                        "below 1, F may let go of more of B's handwriting")
    identity_weight: float = setting(5.0, min=0.0, max=1000.0, label="Identity weight lambda_id",
                                     help="cyclegan: weight of the identity loss (0 turns it off, as DiscoGAN)")
    reconstruction: str = setting("l1", choices=("l1", "l2"), label="Reconstruction distance",
                                  help="cyclegan: l1 (CycleGAN) or l2, the squared error (DiscoGAN)")
    generator: str = setting("unet", choices=("unet", "resnet"), legacy="unet", label="Generators",
                             help="cyclegan: unet, pix2pix's U-Net, whose skips keep every pixel in place (trains "
                                  "faster here); resnet, the paper's (down to 7x7, residual blocks, up again), "
                                  "which can move strokes")
    res_blocks: int = setting(4, min=1, max=12, label="Residual blocks", help="cyclegan: residual blocks at 7x7 "
                              "in each resnet generator (the paper's 6 at 128x128)")
    semantic_weight: float = setting(0.0, min=0.0, max=100.0, label="Semantic weight lambda_sem",
                                     help="cyclegan: CyCADA's semantic consistency: a classifier learning domain A's "
                                          "labels reads each image before and after translation, and a change of "
                                          "reading costs this much (0 turns it off; images only)")
    critic: str = setting("plain", choices=("plain", "spread"), legacy="plain", label="Discriminators",
                          help="cyclegan: plain, DCGAN's discriminator; spread adds ProGAN's minibatch standard "
                               "deviation, so that a batch of look-alike translations is easy to call fake")


def domain_b(config) -> str:
    """The second domain: the one the settings name, or the natural partner of the first."""
    chosen = config.variant.domain_b
    if chosen != "auto":
        return chosen
    if config.data.name in DATASETS_IMAGE:
        return "digits8" if config.data.name != "digits8" else "mnist"
    return "ring8" if config.data.name != "ring8" else "moons"


class ResidualBlock(nn.Module):
    """Two 3x3 convs with instance norm, added to the input (He et al. 2016; CycleGAN's R256)."""

    def __init__(self, ch: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1), nn.InstanceNorm2d(ch, affine=True), nn.ReLU(),
                                  nn.Conv2d(ch, ch, 3, 1, 1), nn.InstanceNorm2d(ch, affine=True))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.body(h)


def _norm_relu(ch: int) -> list[nn.Module]:
    return [nn.InstanceNorm2d(ch, affine=True), nn.ReLU()]


class ResnetTranslator(nn.Module):
    """CycleGAN's generator (Johnson et al. 2016's, as Zhu et al. use it), scaled to 28x28: a conv, two
    strided convs down to 7x7, residual blocks there, two transposed convs up and a conv with tanh; instance
    norm throughout. At 28x28 its 7x7 end convs are 3x3 (a 7x7 kernel on a 28x28 image is a quarter of
    it), at a third of the cost. Going down to 7x7 and back lets it move and resize strokes, which a
    U-Net's full-size skip discourages."""

    def __init__(self, a):
        super().__init__()
        ch, blocks = a.hidden, a.option("res_blocks")
        self.net = nn.Sequential(
            nn.Conv2d(1, ch, 3, 1, 1), *_norm_relu(ch),  # (B, 1, 28, 28) -> (B, ch, 28, 28)
            nn.Conv2d(ch, 2 * ch, 4, 2, 1), *_norm_relu(2 * ch),  # -> (B, 2ch, 14, 14)
            nn.Conv2d(2 * ch, 4 * ch, 4, 2, 1), *_norm_relu(4 * ch),  # -> (B, 4ch, 7, 7)
            *[ResidualBlock(4 * ch) for _ in range(blocks)],
            nn.ConvTranspose2d(4 * ch, 2 * ch, 4, 2, 1), *_norm_relu(2 * ch),  # -> (B, 2ch, 14, 14)
            nn.ConvTranspose2d(2 * ch, ch, 4, 2, 1), *_norm_relu(ch),  # -> (B, ch, 28, 28)
            nn.Conv2d(ch, 1, 3, 1, 1), nn.Tanh(),  # -> (B, 1, 28, 28)
        )

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x)


class ImageCritic(nn.Module):
    """D of one domain: DCGAN's body and one logit."""

    def __init__(self, a):
        super().__init__()
        self.features = conv_features(a)
        self.head = nn.Linear(conv_width(a), 1)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.head(self.features(x)).squeeze(1)


class Reader(nn.Module):
    """CyCADA's task classifier, learned alongside: two 5x5 convs each with max pooling (LeNet's shape,
    ``hidden`` and twice as many channels), and one logit per class of domain A. The pooling is what lets it
    read the other domain: taught MNIST alone for 6,000 steps, DCGAN's strided body reads 63% of the 8x8
    digits right, this 87% (``benchmarks/reader_transfer.py``; both about 98% of MNIST's test digits)."""

    def __init__(self, a):
        super().__init__()
        ch = a.hidden
        self.net = nn.Sequential(
            nn.Conv2d(a.data_shape[0], ch, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2),  # (B, 1, 28, 28) -> (B, ch, 14, 14)
            nn.Conv2d(ch, 2 * ch, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2),  # -> (B, 2ch, 7, 7)
            nn.Flatten(), nn.Linear(2 * ch * 49, a.data_classes))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(x)


class PointTranslator(MLPGenerator):
    """A 2-D point to a 2-D point: the MLP generator with the point as its input."""

    def __init__(self, a):
        super().__init__(replace(a, z_dim=2, n_classes=0))


class CycleGAN(Variant):
    key = "cyclegan"
    title = "CycleGAN (unpaired translation)"
    summary = ("Two domains and no pairs: G turns MNIST digits into 8x8-style digits and F turns them back, "
               "and the round trip must return the original.")
    formula = (r"L = L_{adv}(G, D_B) + L_{adv}(F, D_A) + \lambda_{cyc}\bigl(\lVert F(G(a)) - a\rVert_1 "
               r"+ \lVert G(F(b)) - b\rVert_1\bigr) + \lambda_{id}\bigl(\lVert G(b) - b\rVert_1 + \lVert F(a) - a\rVert_1\bigr)")
    paper = "Zhu et al., CycleGAN (ICCV 2017); Kim et al., DiscoGAN (ICML 2017)"
    data_kinds = ("toy", "image")
    default_data = "mnist"
    Settings = CycleGANSettings
    has_latent = False
    lab_view = True
    d_nets = ("disc", "disc_a")
    g_nets = ("gen", "gen_ba")
    averaged = ("gen", "gen_ba")  # B -> A is the direction pages open on and eval judges
    side_nets = ("reader",)  # with semantic_weight: the classifier the D optimiser teaches A's labels
    metrics = BASE_METRICS + (
        Metric("loss_cycle", "cycle loss", "distance of F(G(a)) from a and of G(F(b)) from b", "parts"),
        Metric("loss_identity", "identity loss", "distance of G(b) from b and of F(a) from a", "parts"),
        Metric("loss_semantic", "semantic loss", "the reader's cross-entropy on translations against its reading "
               "of their inputs (0 without semantic_weight)", "parts"),
        Metric("d_real_a", "D_A(a)", "mean probability D_A gives real domain-A samples", "prob"),
        Metric("d_fake_a", "D_A(F(b))", "mean probability D_A gives B samples translated to A", "prob"),
    )
    defaults = {"mnist": dict(hidden=16, batch_size=32, lr_d=2e-4, lr_g=2e-4, ema=0.0),
                "moons": dict(hidden=64, depth=3, batch_size=256, lr_d=1e-3, lr_g=1e-3, ema=0.0)}

    def check(self, config):
        super().check(config)
        a, b = config.data.name, domain_b(config)
        if a == b:
            raise ConfigError(f"cyclegan translates between two domains; domain B is {b}, the same as the data")
        if (a in DATASETS_IMAGE) != (b in DATASETS_IMAGE) or a in ("custom", "mog1d"):
            raise ConfigError(f"cyclegan needs two image sets or two 2-D point sets; {a} and {b} are not")
        if config.variant.semantic_weight and a not in DATASETS_IMAGE:
            raise ConfigError("cyclegan's semantic_weight reads digits: it needs image data; set it to 0 for 2-D points")

    def model_options(self, config, data_classes):
        resnet = {"generator": "resnet", "res_blocks": config.variant.res_blocks} \
            if config.variant.generator == "resnet" and config.data.kind == "image" else {}
        spread = {"minibatch_spread": True} if config.variant.critic == "spread" and config.data.kind == "image" else {}
        reader = {"reader": True} if config.variant.semantic_weight else {}
        return {"domain_a": config.data.name, "domain_b": domain_b(config), **resnet, **spread, **reader}

    def build(self, a):
        if len(a.data_shape) == 1:
            return {"gen": PointTranslator(a), "disc": MLPDiscriminator(a),
                    "gen_ba": PointTranslator(a), "disc_a": MLPDiscriminator(a)}
        if tuple(a.data_shape) != (1, 28, 28):
            raise ValueError(f"cyclegan is built for 1x28x28 images or 2-D points, not data of shape {a.data_shape}")
        translator = ResnetTranslator if a.option("generator") == "resnet" else UNet
        def critic():
            return DCGANDiscriminator(a, spread=True) if a.option("minibatch_spread") else ImageCritic(a)

        nets = {"gen": translator(a), "disc": critic(), "gen_ba": translator(a), "disc_a": critic()}
        return nets | ({"reader": Reader(a)} if a.option("reader") else {})

    def prepare(self, p, config):
        """Domain B's data, held on the device beside domain A's."""
        p.state["b"] = load_data(domain_b(config), config.data.data_dir, device=p.device)

    def translation(self, args):
        a, b = args.option("domain_a"), args.option("domain_b")
        # B to A first: the model was trained on A's data (MNIST), and the page's question is whether another
        # writer's digit comes back as one of its digits, the same digit
        return Translation(_display(a), _display(b), a, b, cycle=True, first="b2a")

    def translate(self, nets, x, direction="a2b"):
        if direction not in ("a2b", "b2a"):
            raise ValueError(f"direction must be a2b or b2a, got {direction!r}")
        return nets["gen" if direction == "a2b" else "gen_ba"](x)

    def target(self, trainer):
        return trainer.parts.state["b"]

    def _distance(self, p, x, target):
        if p.settings.reconstruction == "l2":
            return F.mse_loss(x.float(), target.float())
        return F.l1_loss(x.float(), target.float())

    def d_half(self, p, x, y):
        """(1) Update D_B and D_A: tell each domain's real samples from the other's translated ones."""
        a = x
        b, _ = p.state["b"].batch(p.batch_size, p.rng)
        b = real_batch(p, b)
        with torch.no_grad():
            fake_b, fake_a = p.gen(a), p.nets["gen_ba"](b)
        logit_b, logit_fake_b = p.disc(b).float(), p.disc(fake_b).float()
        logit_a, logit_fake_a = p.nets["disc_a"](a).float(), p.nets["disc_a"](fake_a).float()
        loss_b = p.loss.discriminator(logit_b, logit_fake_b, smoothing=p.smoothing)
        loss_b = penalised(p, loss_b, b, fake_b, logit_b, p.disc)  # the run's penalties, on D_B
        loss_a = p.loss.discriminator(logit_a, logit_fake_a, smoothing=p.smoothing)
        with torch.no_grad():
            extras = {"d_real_a": torch.sigmoid(logit_a).mean(), "d_fake_a": torch.sigmoid(logit_fake_a).mean()}
        loss = loss_b + loss_a
        if "reader" in p.nets:  # the reader learns A's labels (it shares no weight with the discriminators)
            loss = loss + F.cross_entropy(p.nets["reader"](a.detach()).float(), y)
        return Half(loss, logit_b, logit_fake_b, extras, shown=loss_b + loss_a)

    def _g(self, p, a, y_a, b):
        fake_b, fake_a = p.gen(a), p.nets["gen_ba"](b)
        logit_fake_b = p.disc(fake_b).float()
        adv = p.loss.generator(logit_fake_b) + p.loss.generator(p.nets["disc_a"](fake_a).float())
        share = p.settings.cycle_share_b  # the terms that hold on to B's images weigh this share
        cycle_a, cycle_b = self._distance(p, p.nets["gen_ba"](fake_b), a), self._distance(p, p.gen(fake_a), b)
        loss = adv + p.settings.cycle_weight * (cycle_a + share * cycle_b)
        cycle = cycle_a + cycle_b
        identity = torch.zeros((), device=a.device)
        if p.settings.identity_weight:
            same_b, same_a = self._distance(p, p.gen(b), b), self._distance(p, p.nets["gen_ba"](a), a)
            loss = loss + p.settings.identity_weight * (share * same_b + same_a)
            identity = same_b + same_a
        semantic = torch.zeros((), device=a.device)
        if p.settings.semantic_weight:  # F(b) keeps the class the reader sees in b; G(a) keeps a's label
            reader = p.nets["reader"]
            with torch.no_grad():
                read_b = reader(b).argmax(1)
            semantic = F.cross_entropy(reader(fake_a).float(), read_b) + F.cross_entropy(reader(fake_b).float(), y_a)
            loss = loss + p.settings.semantic_weight * semantic
        return loss, logit_fake_b, {"loss_cycle": cycle.detach(), "loss_identity": identity.detach(),
                                    "loss_semantic": semantic.detach()}

    def g_half(self, p):
        """(2) Update G and F: fool both discriminators, and come back: F(G(a)) ~ a, G(F(b)) ~ b."""
        a, y_a = p.data.batch(p.batch_size, p.rng)
        b, _ = p.state["b"].batch(p.batch_size, p.rng)  # B's labels are never used
        loss, logit, extras = self._g(p, a, y_a, b)
        return Half(loss, None, logit, extras)

    def g_measure(self, p, d):
        with torch.no_grad():
            a, y_a = p.data.batch(p.batch_size, p.rng)
            b, _ = p.state["b"].batch(p.batch_size, p.rng)
            return self._g(p, a, y_a, b)[0]

    def d_logit(self, p, x, y):
        return p.disc(p.state["b"].batch(len(x), p.rng)[0])

    def fixed_inputs(self, trainer, n, generator):
        """Fixed domain-A inputs (2,500 points, or 32 images), and for images 32 domain-B ones as y."""
        data_a, data_b = trainer.data, trainer.parts.state["b"]
        if len(trainer.args.data_shape) == 1:
            return data_a.to("cpu").batch(n, generator)[0], None
        pick = [torch.randint(len(d.images), (32,), generator=generator).to(d.device) for d in (data_a, data_b)]
        return data_a.images[pick[0]].cpu(), data_b.images[pick[1]].cpu()

    def panels(self, trainer):
        a, b = trainer.fixed_noise
        if b is None:
            return ()
        nets = trainer.shown_nets
        with trainer.lock, torch.no_grad():
            was = {k: n.training for k, n in nets.items()}
            for n in nets.values():
                n.eval()
            try:
                g_a = nets["gen"](a)
                back_a, f_b = nets["gen_ba"](g_a), nets["gen_ba"](b)
                back_b = nets["gen"](f_b)
            finally:
                for k, n in nets.items():
                    n.train(was[k])
        t = self.translation(trainer.args)
        rows = ((f"a: {t.a}", a), ("G(a)", g_a), ("F(G(a)): back again", back_a),
                (f"b: {t.b}", b), ("F(b)", f_b), ("G(F(b)): back again", back_b))
        return tuple((caption, images.float().cpu().numpy()) for caption, images in rows)

    def lab_grid(self, trainer):
        return float(trainer.data.extent)  # G's input is a point of domain A: warp A's plane

    def cycle_lines(self, trainer, n: int = N_CYCLE):
        """(n, 3, 2): a domain-A point, G of it, and F of that (the 2-D lab view draws the round trip)."""
        a = trainer.fixed_noise[0][:n]
        nets = trainer.shown_nets
        with torch.no_grad():
            g_a = nets["gen"](a)
            return torch.stack([a, g_a, nets["gen_ba"](g_a)], 1).float().cpu().numpy()


def _display(name: str) -> str:
    return {"mnist": "MNIST digit", "digits8": "8x8 digit", "fashion-mnist": "Fashion-MNIST item"}.get(name, name)


register(CycleGAN())
