"""Generators with structure: StyleGAN-lite's styles, mixing and truncation; StackGAN-lite's captions and
two stages. Shapes, the captions' exact definitions, short real training runs, and the CLI."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from ganlab.config import default_config
from ganlab.variants import build_nets, model_args
from ganlab.data.captions import VOCABULARY, CaptionError, attribute_thresholds, attributes, bag, describe, ink, \
    parse, slant
from ganlab.data.datasets import load_images
from ganlab.explore.styles import mixing_grid, style_mix
from ganlab.persist import checkpoint as ck
from ganlab.training.trainer import Trainer
from ganlab.variants.stylegan import mixed_styles
from tests.test_cli import ganlab

IMG = (1, 28, 28)


@pytest.fixture(scope="module")
def mnist(mnist_root):
    return load_images("mnist", mnist_root, download=False)


def test_stylegan_networks_mixing_and_truncation():
    a = model_args(default_config("mnist", model="stylegan", hidden=8, z_dim=16), IMG, 10)
    gen = build_nets(a)["gen"].eval()
    z = torch.randn(5, 16)
    x = gen(z)
    assert x.shape == (5, *IMG) and x.abs().max() <= 1
    w = gen.styles(z)
    assert w.shape == (5, 64) and torch.equal(gen.truncate(w, 0.0), gen.w_avg.expand(5, -1))
    ws = mixed_styles(gen, w[:1], w[1:2], 1)
    assert torch.equal(ws[0, 0], w[0]) and torch.equal(ws[0, 1], w[1]) and torch.equal(ws[0, 2], w[1])
    a_img, b_img, mixed = style_mix(gen, z[:2], z[2:4], 3)
    assert np.array_equal(mixed, a_img)  # every block from A
    assert np.array_equal(style_mix(gen, z[:2], z[2:4], 0)[2], b_img)  # every block from B
    same = style_mix(gen, z[:2], z[2:4], 1, noise_seed=1)[2]
    assert np.array_equal(same, style_mix(gen, z[:2], z[2:4], 1)[2])  # the noise starts switched off (weight 0)
    with torch.no_grad():
        gen.blocks[2].noise2.weight.fill_(1.0)
    assert not np.array_equal(style_mix(gen, z[:2], z[2:4], 1, noise_seed=1)[2], style_mix(gen, z[:2], z[2:4], 1)[2])
    assert mixing_grid(gen, z[:3], z[3:5], 1).shape == ((2 + 1) * (3 + 1), *IMG)
    with pytest.raises(ValueError, match="crossover must be between 0 and 3"):
        mixed_styles(gen, w, w, 4)


def test_captions_are_measured_as_documented():
    x = torch.full((2, 1, 28, 28), -1.0)
    x[0, 0, 4:24, 12:14] = 1.0  # an upright bar, 40 pixels of ink
    for r in range(4, 24):  # the same bar leaning right: its top shifted right
        x[1, 0, r, 12 + (24 - r) // 4: 14 + (24 - r) // 4] = 1.0
    assert ink(x)[0] == pytest.approx(40 / 784)
    s = slant(x)
    assert abs(float(s[0])) < 1e-6 and float(s[1]) > 0.15
    labels = torch.zeros(2, dtype=torch.long)
    th = attribute_thresholds(x, labels, n_classes=1)
    assert attributes(x, labels, th)[:, 1].tolist() == [0, 1]  # upright, slanted
    words, digit = parse("A BOLD slanted seven")
    assert digit == 7 and describe(words) == "bold slanted seven"
    assert torch.equal(parse("seven slanted bold")[0], words)  # word order is free
    assert torch.equal(bag(torch.tensor([7]), torch.tensor([1]), torch.tensor([1]))[0], words)
    with pytest.raises(CaptionError, match="unknown word.*purple.*The words this model knows: zero"):
        parse("a purple seven")
    with pytest.raises(CaptionError, match="exactly one digit"):
        parse("bold")
    with pytest.raises(CaptionError, match="at most one of thin / bold"):
        parse("thin bold two")
    assert set(VOCABULARY) >= {"zero", "nine", "thin", "bold"}


def test_stackgan_networks_and_stages():
    a = model_args(default_config("mnist", model="stackgan", hidden=8, z_dim=16), IMG, 10)
    nets = build_nets(a)
    assert set(nets) == {"gen", "disc", "disc_lo"}
    z, words = torch.randn(4, 16), parse("bold three")[0].expand(4, -1)
    sketch, full, kl = nets["gen"].eval().stages(z, words)
    assert sketch.shape == (4, 1, 14, 14) and full.shape == (4, *IMG) and kl.ndim == 0
    assert nets["gen"](z, torch.tensor([0, 1, 2, 3])).shape == (4, *IMG)  # a digit alone is a caption too
    assert nets["disc"](full, words).shape == (4,) and nets["disc_lo"](sketch, words).shape == (4,)


@pytest.mark.slow
def test_stylegan_learns_something(mnist, mnist_root):
    """250 steps: the mean generated image moves towards the mean digit, and G itself (not its weight
    average) still draws different images for different z. Before the mapping network's slow learning
    rate, the unit-gain styles and the minibatch spread in D, its samples' per-pixel spread had fallen
    from 0.41 to 0.096 by step 250 (one digit for every z); with them it was 0.26 (real digits: 0.39)."""
    t = Trainer(default_config("mnist", model="stylegan", hidden=32, seed=0, device="cpu", data_dir=str(mnist_root)),
                data=mnist)
    real_mean = mnist.images[:5000].mean(0).numpy()
    before = np.abs(t.sample_fixed().mean(0) - real_mean).mean()
    t.run(250)
    after = np.abs(t.sample_fixed().mean(0) - real_mean).mean()
    assert after < before / 2, (before, after)
    gen = t.parts.gen.eval()
    with torch.no_grad():
        spread = gen(torch.randn(256, gen.mapping[0].weight.shape[1], generator=torch.Generator().manual_seed(1)))
    assert spread.std(0).mean() > 0.18, "G draws nearly the same image for every z: mode collapse"


@pytest.mark.slow
def test_stackgan_follows_the_digit_word(mnist, mnist_root):
    """300 steps: D tells a real digit with the wrong caption from one with its own (it reads the words),
    and both stages' D see their sketches and digits."""
    t = Trainer(default_config("mnist", model="stackgan", hidden=16, seed=0, device="cpu", data_dir=str(mnist_root)),
                data=mnist)
    t.run(300)
    snap = t.store.snapshot()
    assert snap.column("d_mismatch")[-30:].mean() < snap.column("d_real")[-30:].mean() - 0.2
    rows = dict(t.variant.panels(t))
    assert len(rows) == 2 and all(v.shape == (100, *IMG) for v in rows.values())


@pytest.mark.slow
def test_mix_and_sample_commands(mnist, mnist_root, tmp_path):
    for arch in ("stylegan", "stackgan"):
        t = Trainer(default_config("mnist", model=arch, hidden=8, z_dim=16, batch_size=16, device="cpu",
                                   data_dir=str(mnist_root)), data=mnist)
        t.run(2)
        ck.save(t, tmp_path / f"{arch}.pt")
    ganlab("mix", tmp_path / "stylegan.pt", "--n", 5, "--seed", 3, "--crossover", 1, "--out", tmp_path / "mix")
    a, b, mixed = (np.load(tmp_path / "mix" / f"{n}.npy") for n in ("a", "b", "mixed"))
    assert a.shape == b.shape == mixed.shape == (5, *IMG) and np.abs(mixed).max() <= 1
    ganlab("sample", tmp_path / "stylegan.pt", "--n", 4, "--truncation", 0.5, "--out", tmp_path / "t.npy")
    bad = ganlab("mix", tmp_path / "stylegan.pt", "--crossover", 9, check=False)
    assert bad.returncode == 2 and "between 0 and 3" in bad.stderr
    ganlab("sample", tmp_path / "stackgan.pt", "--text", "bold seven", "--n", 6, "--out", tmp_path / "s.npy",
           "--labels-out", tmp_path / "l.npy")
    assert np.load(tmp_path / "s.npy").shape == (6, *IMG) and np.load(tmp_path / "l.npy").tolist() == [7] * 6
    bad = ganlab("sample", tmp_path / "stackgan.pt", "--text", "a purple seven", check=False)
    assert bad.returncode == 2 and "unknown word(s): purple" in bad.stderr
    bad = ganlab("sample", tmp_path / "stylegan.pt", "--text", "seven", check=False)
    assert bad.returncode == 2 and "does not draw from words" in bad.stderr
    bad = ganlab("sample", tmp_path / "stackgan.pt", "--truncation", 0.5, check=False)
    assert bad.returncode == 2 and "truncation applies to style-based models" in bad.stderr
