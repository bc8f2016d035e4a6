"""Headless figures for a text-to-image model (StackGAN-lite): does the digit follow the caption,
and do the attribute words do what they say?"""

from __future__ import annotations

import torch

from ganlab.core.models import sample_z
from ganlab.data.captions import DIGITS, bag, ink, slant
from ganlab.evaluation.classifier import predict


@torch.no_grad()
def caption_figures(ckpt, judge, *, per_digit: int = 1000, seed: int = 0) -> dict:
    """On ``per_digit`` latents per digit: the LeNet's agreement with the caption's digit, over captions
    with random attribute words; and, with the same digits and the same z, the ink of "bold" captions
    over the ink of "thin" ones, and the mean |slant| of "slanted" over "upright"."""
    gen = ckpt.build_generator("cpu")
    g = torch.Generator().manual_seed(seed)
    n = per_digit * len(DIGITS)
    z = sample_z(n, ckpt.args.z_dim, ckpt.config.model.latent, g, "cpu")
    digits = torch.arange(n) % len(DIGITS)
    thick, slanted = torch.randint(-1, 2, (n,), generator=g), torch.randint(-1, 2, (n,), generator=g)
    x = torch.cat([gen(z[i:i + 2000], bag(digits[i:i + 2000], thick[i:i + 2000], slanted[i:i + 2000]))
                   for i in range(0, n, 2000)])
    pred, _ = predict(judge.clf, x)
    none = torch.full((n,), -1)

    def draw(thickness, slant_word):
        return torch.cat([gen(z[i:i + 2000], bag(digits[i:i + 2000], thickness[i:i + 2000], slant_word[i:i + 2000]))
                          for i in range(0, n, 2000)])

    thin, bold = draw(torch.zeros(n, dtype=torch.long), none), draw(torch.ones(n, dtype=torch.long), none)
    upright, leaning = draw(none, torch.zeros(n, dtype=torch.long)), draw(none, torch.ones(n, dtype=torch.long))
    return {"caption_samples": n, "caption_digit_agreement": float((pred == digits.numpy()).mean()),
            "bold_over_thin_ink": float(ink(bold).mean() / ink(thin).mean()),
            "slanted_over_upright_slant": float(slant(leaning).abs().mean() / slant(upright).abs().mean().clamp_min(1e-9))}
