"""Sample quality on 2-D mixtures with known modes: the PacGAN metric.

Lin et al., "PacGAN: The power of two samples in generative adversarial
networks" (NeurIPS 2018), section 5: a sample is *high quality* if its
sigma-scaled distance to the nearest mode is below 3; a mode is *covered* if at
least one high-quality sample is nearest to it; the reverse KL compares the
mode histogram of the high-quality samples with the uniform distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ganlab import figures
from ganlab.evaluation.manifold import RealManifold
from ganlab.figures import Figure, Mark, number, percent


@dataclass(frozen=True)
class ModeQuality:
    modes_covered: int
    n_modes: int
    high_quality: float  # share of samples within 3 sigma of a mode
    reverse_kl: float  # sum p log(p / q) over covered modes, q uniform

    def as_dict(self) -> dict:
        return {"modes_covered": self.modes_covered, "n_modes": self.n_modes,
                "high_quality": self.high_quality, "reverse_kl": self.reverse_kl}


def mode_quality(samples: np.ndarray, modes: np.ndarray, sigma: float, *, threshold: float = 3.0) -> ModeQuality:
    """PacGAN's metric for (N, 2) ``samples`` against (K, 2) ``modes`` with std ``sigma``."""
    samples = np.asarray(samples, dtype=np.float64)
    modes = np.asarray(modes, dtype=np.float64)
    dist = np.linalg.norm(samples[:, None, :] - modes[None, :, :], axis=2)  # (N, K)
    nearest = dist.argmin(1)
    good = dist[np.arange(len(samples)), nearest] / sigma < threshold
    counts = np.bincount(nearest[good], minlength=len(modes))
    covered = int((counts > 0).sum())
    if good.any():
        p = counts[counts > 0] / counts.sum()
        reverse_kl = float((p * np.log(p * len(modes))).sum())
    else:
        reverse_kl = float("inf")
    return ModeQuality(covered, len(modes), float(good.mean()) if len(samples) else 0.0, reverse_kl)


# Fixed draws behind the live figures and `python -m ganlab eval`, so both measure the same samples.
QUALITY_SAMPLES = 2500
QUALITY_Z_SEED = 0  # z ~ p(z) from torch.Generator().manual_seed(0), as sampling.generate(seed=0) draws it
QUALITY_REAL_SEED = 1  # the real samples the grid divergences compare against
GRID_CELLS = 20


def grid_divergence(real: np.ndarray, fake: np.ndarray, extent: float, *, cells: int = GRID_CELLS,
                    floor: float = 1e-10) -> dict[str, float]:
    """GAN Lab's figures for any 1-D or 2-D data: KL(real || fake) and JS between histograms.

    Both sample sets are binned on a ``cells``-per-axis grid over [-extent, extent]^d
    (points outside land in the border cells); empty cells get ``floor`` so KL stays finite.
    """
    real, fake = np.atleast_2d(real.T).T, np.atleast_2d(fake.T).T
    edges = [np.linspace(-extent, extent, cells + 1)[1:-1]] * real.shape[1]

    def hist(x):
        idx = np.stack([np.digitize(x[:, i], edges[i]) for i in range(x.shape[1])], 1)
        flat = np.ravel_multi_index(idx.T, (cells,) * x.shape[1])
        h = np.bincount(flat, minlength=cells ** x.shape[1]).astype(np.float64)
        h = np.maximum(h / max(len(x), 1), floor)
        return h / h.sum()

    p, q = hist(real), hist(fake)
    m = (p + q) / 2
    kl = float((p * np.log(p / q)).sum())
    js = float(0.5 * (p * np.log(p / m)).sum() + 0.5 * (q * np.log(q / m)).sum())
    return {"grid_kl": kl, "grid_js": js}


def toy_quality(fake: np.ndarray, real: np.ndarray, data, manifold: RealManifold | None = None) -> dict[str, float]:
    """Every 1-D/2-D figure that applies to ``data`` (a Mixture): the PacGAN metric where modes are known,
    the grid divergences, and precision, recall, density and coverage always (``manifold``: the real
    samples' balls, made once, when the same real samples are judged against again and again)."""
    out = grid_divergence(real, fake, data.extent)
    if data.has_modes:
        out.update(mode_quality(fake, data.modes.cpu().numpy(), data.sigma).as_dict())
    out.update((manifold or RealManifold(real)).figures(fake))
    return out


def _all_modes(q) -> bool:
    return q["modes_covered"] == q["n_modes"]


figures.register(
    Figure("modes_covered", "Modes covered", "a mode is covered if a high-quality sample is nearest to it (PacGAN)",
           lambda q: f"{q['modes_covered']} / {q['n_modes']}", share=True, series="modes covered (share)", rank=0,
           value=lambda q: q["modes_covered"] / q["n_modes"],
           marks=(Mark("all modes", _all_modes, lambda q: f"{q['n_modes']}/{q['n_modes']} modes"),)),
    Figure("high_quality", "High quality", "share of the 2,500 samples within 3 sigma of their nearest mode",
           percent("high_quality"), share=True, series="high quality", rank=1,
           marks=(Mark("all modes, 90% high quality", lambda q: _all_modes(q) and q["high_quality"] >= 0.9,
                       lambda q: f"{q['n_modes']}/{q['n_modes']} modes, 90% high quality"),)),
    Figure("reverse_kl", "Reverse KL", "sum p log(p/q) of the high-quality samples' mode histogram against uniform",
           number("reverse_kl"), better="lower"),
    Figure("grid_kl", "Grid KL", "KL(real || generated) on a 20x20 grid (GAN Lab)", number("grid_kl"), better="lower"),
    Figure("grid_js", "Grid JS", "Jensen-Shannon divergence on the same grid", number("grid_js"), better="lower",
           share=True, series="grid JS / ln 2", rank=2, value=lambda q: q["grid_js"] / np.log(2)),
)
VARIETY = "Quality against variety (precision, recall, coverage)"
figures.register(
    Figure("precision", "Precision", "share of generated samples inside the real samples' manifold (each real "
           "sample's ball reaching its 3rd nearest neighbour): are they realistic? (Kynkäänniemi et al. 2019)",
           percent("precision"), share=True, series="precision", chart=VARIETY),
    Figure("recall", "Recall", "share of real samples inside the generated samples' manifold: is all of the data's "
           "variety there? A collapsed G is precise and recalls little (Kynkäänniemi et al. 2019)",
           percent("recall"), share=True, series="recall", chart=VARIETY),
    Figure("density", "Density", "how many real balls (5th neighbour) hold each generated sample, over 5: about 1 when "
           "the two match, above 1 where samples crowd the densest data (Naeem et al. 2020)", number("density", 2)),
    Figure("coverage", "Coverage", "share of real samples whose own ball holds a generated sample: a steadier recall "
           "(Naeem et al. 2020)", percent("coverage"), share=True, series="coverage", chart=VARIETY),
)
