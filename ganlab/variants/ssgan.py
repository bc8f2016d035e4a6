"""The semi-supervised GAN: Salimans et al., "Improved Techniques for Training GANs" (NeurIPS 2016),
section 5; Odena, "Semi-Supervised Learning with Generative Adversarial Networks" (2016).

D is a K-way classifier with logits l(x). Its "real" probability is read off the same logits,
D(x) = Z(x) / (Z(x) + 1) with Z(x) = sum_k exp l_k(x), so its real/fake logit is logsumexp_k l_k(x)
and no extra output is needed. D minimises

    L_D = L_supervised + L_unsupervised,
    L_supervised = -E_{(x, y) labelled} log softmax(l(x))_y          (only ``labels`` images, N = 100 by default)
    L_unsupervised = -E_x log D(x) - E_z log(1 - D(G(z)))            (every training image, no labels)

and G matches the statistics of D's last hidden layer f on real data (feature matching, the
paper's best generator objective for classification): L_G = || E_x f(x) - E_z f(G(z)) ||^2.

So the unlabelled images and the generated ones teach D features that the few labels then name.
Beside it, the same network (``baseline``) is trained on the same labelled batches alone, with
the same optimiser, so the Train page can show what the GAN bought. The labelled images are
chosen by the run's seed, the same number from every class.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from ganlab import figures
from ganlab.core.accuracy import accuracy
from ganlab.core.step import draw_z
from ganlab.data.datasets import load_images
from ganlab.figures import Figure, Mark, percent
from ganlab.settings import Validated, setting
from ganlab.variants.base import BASE_METRICS, Half, Metric, Variant, register

LIVE_TEST_IMAGES = 2000  # held-out test images the Train page's live accuracy is measured on (eval uses all 10,000)


@dataclass(frozen=True)
class SSGANSettings(Validated):
    labels: int = setting(100, min=10, max=60000, label="Labelled images", help="ssgan: labelled training images, the same number per class "
                          "(chosen by the seed); every other image is used without its label")
    unsup_weight: float = setting(1.0, min=0.0, max=100.0, label="Unsupervised loss weight", help="ssgan: weight of the unsupervised (real/fake) loss")


class GaussianNoise(nn.Module):
    """Additive N(0, sigma^2) noise while training (Salimans et al.'s D), drawn from the run's generator."""

    def __init__(self, sigma: float):
        super().__init__()
        self.sigma = sigma
        self.rng: torch.Generator | None = None  # set by the variant's prepare; no noise without one

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.rng is None or not self.sigma:
            return x
        return x + self.sigma * torch.randn(x.shape, generator=self.rng, device=x.device, dtype=x.dtype)


class SSClassifier(nn.Module):
    """The paper's MNIST D, scaled by ``hidden`` h: 784 -> 8h -> 4h -> 2h -> 2h -> 2h -> K (h = 125 gives
    its 1000-500-250-250-250; the default 56 gives a 4.82 MiB checkpoint without optimisers; 54 gave 4.60 MiB
    but 93.3% against 95.8% test accuracy, docs/variants.md), ReLU, Gaussian noise on the input
    (0.3) and on every hidden layer (0.5). Without the paper's weight normalisation: on this MNIST,
    at h = 48, it trained no better (86% against 88% test accuracy after 8 minutes, docs/variants.md)."""

    def __init__(self, a):
        super().__init__()
        h = a.hidden
        sizes = [784, 8 * h, 4 * h, 2 * h, 2 * h, 2 * h]
        layers: list[nn.Module] = [nn.Flatten(), GaussianNoise(0.3)]
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(n_in, n_out), nn.ReLU(), GaussianNoise(0.5)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(sizes[-1], a.option("classes", 10))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)  # (B, 1, 28, 28) -> (B, 2h)

    def classify(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))  # (B, K) class logits

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        """The real/fake logit: log Z(x) = logsumexp_k l_k(x)."""
        return torch.logsumexp(self.classify(x), 1)


class SSGenerator(nn.Module):
    """The paper's MNIST G, scaled by h: z -> 4h -> 4h (batch norm, softplus) -> 784 (tanh: data in [-1, 1])."""

    def __init__(self, a):
        super().__init__()
        h = 4 * a.hidden
        self.net = nn.Sequential(nn.Linear(a.z_dim, h), nn.BatchNorm1d(h), nn.Softplus(),
                                 nn.Linear(h, h), nn.BatchNorm1d(h), nn.Softplus(), nn.Linear(h, 784), nn.Tanh())

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        return self.net(z).view(len(z), 1, 28, 28)  # (B, z_dim) -> (B, 1, 28, 28)


def labelled_subset(labels: torch.Tensor, n: int, n_classes: int, seed: int) -> torch.Tensor:
    """Indices of ``n`` labelled images, n // K per class (the first n % K classes one more), by ``seed``."""
    g = torch.Generator().manual_seed(seed)
    labels = labels.cpu()
    out = []
    for k in range(n_classes):
        pool = (labels == k).nonzero().flatten()
        take = n // n_classes + (k < n % n_classes)
        if take > len(pool):
            raise ValueError(f"class {k} has {len(pool)} images; cannot label {take} of them")
        out.append(pool[torch.randperm(len(pool), generator=g)[:take]])
    return torch.cat(out)


class SemiSupervisedGAN(Variant):
    key = "ssgan"
    title = "Semi-supervised GAN"
    summary = ("D is a 10-way classifier that learns from 100 labels and 60,000 unlabelled images; "
               "beside it, the same network on the 100 labels alone.")
    formula = (r"L_D = -\mathbb{E}_{(x,y)} \log p(y \mid x) - \mathbb{E}_x \log D(x) - \mathbb{E}_z \log(1 - D(G(z))),"
               r"\; D(x) = \tfrac{Z(x)}{Z(x)+1},\; Z(x) = \textstyle\sum_k e^{l_k(x)}")
    paper = "Salimans et al., Improved Techniques for Training GANs (NeurIPS 2016); Odena 2016"
    data_kinds = ("image",)
    default_data = "mnist"
    Settings = SSGANSettings
    lab_view = False
    side_nets = ("baseline",)
    metrics = BASE_METRICS + (
        Metric("loss_sup", "L_supervised", "D's cross-entropy on a batch of the labelled images", "parts"),
        Metric("loss_unsup", "L_unsupervised", "D's real/fake loss on unlabelled and generated images", "parts"),
        Metric("loss_baseline", "baseline's loss", "the labels-only network's cross-entropy on the same batch", "parts"),
    )
    defaults = {"mnist": dict(z_dim=100, hidden=56, batch_size=100, lr_d=5e-4, lr_g=5e-4, ema=0.0),
                "fashion-mnist": dict(z_dim=100, hidden=56, batch_size=100, lr_d=5e-4, lr_g=5e-4, ema=0.0)}

    def model_options(self, config, data_classes):
        return {"classes": data_classes}

    def build(self, a):
        if tuple(a.data_shape) != (1, 28, 28):
            raise ValueError(f"ssgan is built for 1x28x28 images, not data of shape {a.data_shape}")
        return {"gen": SSGenerator(a), "disc": SSClassifier(a), "baseline": SSClassifier(a)}

    def prepare(self, p, config):
        """Choose the labelled images by the seed; hold out test images for the live accuracy; give D's
        noise layers the run's generator."""
        n_classes = p.args.option("classes", 10)
        idx = labelled_subset(p.data.labels, config.variant.labels, n_classes, config.seed).to(p.data.device)
        p.state["x_lab"], p.state["y_lab"] = p.data.images[idx], p.data.labels[idx]
        for net in (p.disc, p.nets["baseline"]):
            for m in net.modules():
                if isinstance(m, GaussianNoise):
                    m.rng = p.rng
        try:
            test = load_images(config.data.name, config.data.data_dir, train=False, download=False)
            p.state["test"] = (test.images[:LIVE_TEST_IMAGES].to(p.device), test.labels[:LIVE_TEST_IMAGES].to(p.device))
        except Exception:  # noqa: BLE001 - no test set here: training still works, the live accuracy is not shown
            p.state["test"] = None

    def _labelled(self, p):
        i = torch.randint(len(p.state["y_lab"]), (p.batch_size,), generator=p.rng, device=p.device)
        return p.state["x_lab"][i], p.state["y_lab"][i]

    def d_half(self, p, x, y):
        """(1) Update D: minimise L_supervised + L_unsupervised; the baseline minimises L_supervised alone."""
        x_lab, y_lab = self._labelled(p)
        z = draw_z(p)
        with torch.no_grad():
            fake = p.gen(z)
        loss_sup = F.cross_entropy(p.disc.classify(x_lab).float(), y_lab)
        logit_real, logit_fake = p.disc(x).float(), p.disc(fake).float()  # log Z(x), log Z(G(z))
        loss_unsup = p.loss.discriminator(logit_real, logit_fake, smoothing=p.smoothing)
        loss_base = F.cross_entropy(p.nets["baseline"].classify(x_lab).float(), y_lab)
        loss_d = loss_sup + p.settings.unsup_weight * loss_unsup
        extras = {"loss_sup": loss_sup.detach(), "loss_unsup": loss_unsup.detach(), "loss_baseline": loss_base.detach()}
        # the baseline shares no parameter with D, so one backward through the sum updates each on its own loss
        return Half(loss_d + loss_base, logit_real, logit_fake, extras, shown=loss_d)

    def _feature_matching(self, p, fake: torch.Tensor) -> torch.Tensor:
        x, _ = p.data.batch(p.batch_size, p.rng)
        with torch.no_grad():
            real_features = p.disc.features(x).float().mean(0)
        return ((real_features - p.disc.features(fake).float().mean(0)) ** 2).sum()

    def g_half(self, p):
        """(2) Update G: feature matching, min || E f(x) - E f(G(z)) ||^2 on D's last hidden layer."""
        fake = p.gen(draw_z(p))
        loss_g = self._feature_matching(p, fake)
        with torch.no_grad():
            logit_fake = p.disc(fake).float()
        return Half(loss_g, None, logit_fake)

    def g_measure(self, p, d):
        return self._feature_matching(p, p.gen(draw_z(p)))

    def classifiers(self, nets):
        return {"D": nets["disc"].classify, "labels-only baseline": nets["baseline"].classify}

    def live_figures(self, trainer):
        test = trainer.parts.state.get("test")
        if test is None:
            return {}
        nets = trainer.parts.nets
        out = {}
        with trainer.lock:
            for key, net in (("test_accuracy", nets["disc"]), ("baseline_accuracy", nets["baseline"])):
                was = net.training
                net.eval()
                try:
                    out[key] = accuracy(net.classify, *test)
                finally:
                    net.train(was)
        return out


register(SemiSupervisedGAN())
figures.register(
    Figure("test_accuracy", "D's test accuracy",
           "D as a classifier, on 2,000 held-out MNIST test images (python -m ganlab eval uses all 10,000)",
           percent("test_accuracy"), share=True, series="D's test accuracy", rank=0,
           chart="Test accuracy (2,000 held-out images)",
           marks=(Mark("95% test accuracy", lambda q: q["test_accuracy"] >= 0.95, lambda q: "95% test accuracy"),)),
    Figure("baseline_accuracy", "Labels-only baseline",
           "the same network trained on the same labelled images alone, without the GAN",
           percent("baseline_accuracy"), share=True, series="labels-only baseline"),
)
