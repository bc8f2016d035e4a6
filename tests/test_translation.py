"""Image-to-image translation: the outline transform, the 8x8 digits, pix2pix and CycleGAN's networks
and short real training runs, the translate command, and untrusted pictures."""

from __future__ import annotations

import io
import struct
from dataclasses import replace
import zlib

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from ganlab.core.models import minibatch_stddev
from ganlab.config import ConfigError, default_config
from ganlab.variants import build_nets, model_args
from ganlab.data.datasets import load_data, load_images
from ganlab.data.digits8 import digits8_arrays
from ganlab.data.image_input import ImageInputError, canvas_to_digit, read_image, to_digit
from ganlab.data.outline import edge, outline
from ganlab.explore.translate import round_trip
from ganlab.persist import checkpoint as ck
from ganlab.training.trainer import Trainer
from tests.test_cli import ganlab

IMG = (1, 28, 28)


@pytest.fixture(scope="module")
def mnist(mnist_root):
    return load_images("mnist", mnist_root, download=False)


def test_outline_is_dilation_minus_erosion():
    u = torch.zeros(1, 1, 7, 7)
    u[0, 0, 2:5, 2:5] = 1.0  # a 3x3 square
    e = edge(u)[0, 0]
    want = torch.zeros(7, 7)
    want[1:6, 1:6] = 1.0  # dilated square 5x5 ...
    want[3, 3] = 0.0  # ... minus the eroded one (its centre alone)
    assert torch.equal(e, want)
    assert torch.equal(edge(torch.ones(1, 1, 5, 5)), torch.zeros(1, 1, 5, 5))  # no border edge of its own
    x = torch.rand(3, 1, 28, 28) * 2 - 1
    u = (x + 1) / 2
    by_hand = F.max_pool2d(u, 3, 1, 1) - (-F.max_pool2d(-u, 3, 1, 1))
    assert torch.allclose(outline(x), by_hand * 2 - 1)


def test_the_8x8_digits_as_28x28_images():
    raw, labels = digits8_arrays()
    assert raw.shape == (1797, 1, 8, 8) and raw.max() == 16 and np.bincount(labels.numpy()).min() > 170
    d = load_data("digits8")
    assert d.images.shape == (1797, *IMG) and d.n_classes == 10
    assert d.images.min() >= -1 and d.images.max() <= 1
    ink = (d.images + 1) / 2  # framed as MNIST: a 20x20 box, its centre of mass at the image's centre
    box = F.interpolate(raw / 16, size=(20, 20), mode="bilinear", align_corners=False)
    assert torch.allclose(ink.sum((1, 2, 3)), box.sum((1, 2, 3)), atol=1e-3)  # all the ink, none cut off
    rows = ink.sum((1, 3))  # (N, 28): ink per row
    centre = (rows * (torch.arange(28) + 0.5)).sum(1) / rows.sum(1)
    assert (centre - 14).abs().max() <= 0.5 + 1e-4  # within half a pixel: placement is whole pixels
    assert (ink[:, :, :4].amax((1, 2, 3)) == 0).mean(dtype=torch.float) > 0.5  # most leave MNIST's margin empty


def test_pix2pix_and_cyclegan_networks():
    a = model_args(default_config("mnist", model="pix2pix", hidden=8), IMG, 10)
    nets = build_nets(a)
    e = outline(torch.rand(4, *IMG) * 2 - 1)
    out = nets["gen"](e)
    assert out.shape == (4, *IMG) and out.abs().max() <= 1
    assert nets["disc"](out, e).shape == (4, 49)  # a 7x7 map of patch logits
    c = default_config("mnist", model="cyclegan", hidden=8)
    a = model_args(c, IMG, 10)
    assert a.option("domain_b") == "digits8"
    nets = build_nets(a)
    assert set(nets) == {"gen", "gen_ba", "disc", "disc_a"}
    assert nets["gen_ba"](nets["gen"](e)).shape == (4, *IMG) and nets["disc_a"](e).shape == (4,)
    a2 = model_args(default_config("moons", model="cyclegan"), (2,), 2)
    assert a2.option("domain_b") == "ring8" and build_nets(a2)["gen"](torch.randn(5, 2)).shape == (5, 2)
    spread = build_nets(model_args(default_config("mnist", model="cyclegan", hidden=8, critic="spread"), IMG, 10))
    copies = e[:1].expand(4, *IMG)  # four copies of one picture, beside four different ones
    assert spread["disc"].spread and spread["disc_a"](torch.cat([copies, e])).shape == (8,)
    with torch.no_grad():  # ProGAN's spread channel: zero for a group of copies, not for different pictures
        same, different = (minibatch_stddev(spread["disc"].features(x))[:, -1] for x in (copies, e))
    assert same.abs().max() < 1e-3 < different.min()


def test_cyclegan_settings_are_checked():
    with pytest.raises(ConfigError, match="the same as the data"):
        default_config("mnist", model="cyclegan", domain_b="mnist")
    with pytest.raises(ConfigError, match="two image sets or two 2-D point sets"):
        default_config("mnist", model="cyclegan", domain_b="ring8")
    with pytest.raises(ConfigError, match="pix2pix needs image data"):
        default_config("ring8", model="pix2pix")


@pytest.mark.slow
def test_pix2pix_learns_to_fill_in_outlines(mnist, mnist_root):
    """150 steps: G's L1 distance to the target digits falls to well under half its start."""
    t = Trainer(default_config("mnist", model="pix2pix", hidden=16, seed=0, device="cpu", data_dir=str(mnist_root)),
                data=mnist)
    t.run(150)
    l1 = t.store.snapshot().column("loss_l1")
    assert l1[-20:].mean() < l1[:5].mean() / 2.5, (l1[:5].mean(), l1[-20:].mean())


@pytest.mark.slow
def test_cyclegan_2d_maps_moons_onto_the_ring_and_back():
    """1,500 steps: G(a) lands near ring8's modes, and F brings it back near a."""
    t = Trainer(default_config("moons", model="cyclegan", seed=0, device="cpu"))
    modes = t.parts.state["b"].modes.numpy()

    def distance_to_modes():
        there = t.sample_fixed()[:500]
        return np.linalg.norm(there[:, None] - modes[None], axis=2).min(1).mean()

    before = distance_to_modes()
    t.run(1500)
    after = distance_to_modes()
    assert after < before / 3, (before, after)
    nets = {k: n.eval() for k, n in t.parts.nets.items()}
    a = t.fixed_noise[0][:500]
    _, back = round_trip(nets, t.variant, a)
    assert float((back - a).norm(dim=1).mean()) < 0.3


@pytest.mark.slow
def test_cyclegan_images_cycle_loss_falls(mnist, mnist_root):
    t = Trainer(default_config("mnist", model="cyclegan", hidden=8, batch_size=16, seed=0, device="cpu",
                               data_dir=str(mnist_root)), data=mnist)
    t.run(150)
    cycle = t.store.snapshot().column("loss_cycle")
    assert cycle[-10:].mean() < cycle[:3].mean() * 0.6, (cycle[:3].mean(), cycle[-10:].mean())
    rows = dict(t.variant.panels(t))
    assert {"G(a)", "F(G(a)): back again", "F(b)"} <= set(rows) and rows["G(a)"].shape == (32, *IMG)


def test_cyclegan_weighs_the_two_round_trips_apart(mnist, mnist_root):
    """cycle_share_b scales what holds on to B's images (G(F(b)) ~ b and G(b) ~ b), as the reference code's
    lambda_B does, and nothing else."""
    t = Trainer(default_config("mnist", model="cyclegan", hidden=8, seed=0, device="cpu", data_dir=str(mnist_root)),
                data=mnist)
    p, v = t.parts, t.variant
    for net in p.nets.values():
        net.eval()
    a, b = mnist.images[:8], p.state["b"].images[:8]
    with torch.no_grad():
        whole = v._g(p, a, None, b)[0]
        p.settings = replace(p.settings, cycle_share_b=0.25)
        part = v._g(p, a, None, b)[0]
        g, f = p.nets["gen"], p.nets["gen_ba"]
        held_to_b = 10 * F.l1_loss(g(f(b)), b) + 5 * F.l1_loss(g(b), b)  # lambda_cyc and lambda_id's defaults
    assert float(held_to_b) > 0.05
    assert float(whole - part) == pytest.approx(0.75 * float(held_to_b), rel=1e-4)
    with pytest.raises(ConfigError, match="cycle_share_b"):
        default_config("mnist", model="cyclegan", cycle_share_b=1.5)


@pytest.mark.slow
def test_cyclegan_semantic_reader_learns_a_s_labels_and_holds_the_translations(mnist, mnist_root):
    """semantic_weight (CyCADA): a reader learns MNIST's labels beside the discriminators, D's optimiser
    updates it, and the translators pay for changing its reading. 2-D points are refused."""
    t = Trainer(default_config("mnist", model="cyclegan", hidden=8, batch_size=32, seed=0, device="cpu",
                               semantic_weight=1.0, data_dir=str(mnist_root)), data=mnist)
    reader = t.parts.nets["reader"]
    assert {id(q) for q in reader.parameters()} <= {id(q) for q in t.parts.d_opt_params}
    test = load_images("mnist", mnist_root, train=False, download=False)
    x, y = test.images[:1000], test.labels[:1000]

    def accuracy():
        with torch.no_grad():
            return float((reader.eval()(x).argmax(1) == y).float().mean())

    before = accuracy()
    t.run(150)
    assert accuracy() > max(0.6, before + 0.4), (before, accuracy())
    semantic = t.store.snapshot().column("loss_semantic")
    assert (semantic > 0).all() and semantic[-20:].mean() < semantic[:5].mean()
    assert "reader" not in build_nets(model_args(default_config("mnist", model="cyclegan", hidden=8), IMG, 10))
    with pytest.raises(ConfigError, match="semantic_weight reads digits"):
        default_config("moons", model="cyclegan", semantic_weight=1.0)


@pytest.mark.slow
def test_translate_command_and_its_messages(mnist, mnist_root, tmp_path):
    t = Trainer(default_config("mnist", model="cyclegan", hidden=8, batch_size=16, seed=0, device="cpu",
                               data_dir=str(mnist_root)), data=mnist)
    t.run(2)
    ck.save(t, tmp_path / "cg.pt")
    np.save(tmp_path / "x.npy", mnist.images[:7].numpy())
    for direction in ("a2b", "b2a"):
        ganlab("translate", tmp_path / "cg.pt", "--images", tmp_path / "x.npy", "--direction", direction,
               "--out", tmp_path / f"{direction}.npy")
        y = np.load(tmp_path / f"{direction}.npy")
        assert y.shape == (7, *IMG) and np.abs(y).max() <= 1
    p = Trainer(default_config("mnist", model="pix2pix", hidden=8, batch_size=16, device="cpu",
                               data_dir=str(mnist_root)), data=mnist)
    ck.save(p, tmp_path / "p.pt")
    bad = ganlab("translate", tmp_path / "p.pt", "--images", tmp_path / "x.npy", "--direction", "b2a", check=False)
    assert bad.returncode == 2 and "one way only" in bad.stderr
    np.save(tmp_path / "wrong.npy", np.zeros((3, 28, 28)))
    bad = ganlab("translate", tmp_path / "p.pt", "--images", tmp_path / "wrong.npy", check=False)
    assert bad.returncode == 2 and "expected (N, 1, 28, 28)" in bad.stderr
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    bad = ganlab("translate", tmp_path / "p.pt", "--images", tmp_path / "obj.npy", check=False)
    assert bad.returncode == 2 and "not a .npy array of numbers" in bad.stderr
    ganlab("sample", tmp_path / "p.pt", "--n", 5, "--out", tmp_path / "s.npy", "--labels-out", tmp_path / "l.npy")
    assert np.load(tmp_path / "s.npy").shape == (5, *IMG) and np.load(tmp_path / "l.npy").shape == (5,)


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (its pixel data may be missing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(body)) + chunk(b"IEND", b"")


def _encoded(img: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def test_untrusted_pictures_get_a_message():
    with pytest.raises(ImageInputError, match="empty"):
        read_image(b"")
    with pytest.raises(ImageInputError, match="not a picture"):
        read_image(b"just some text, not an image")
    with pytest.raises(ImageInputError, match="declares"):
        read_image(_png(100000, 100000))  # refused from its header, before anything is decoded
    with pytest.raises(ImageInputError, match="declares 5000 x 4000 pixels"):
        read_image(_png(5000, 4000))  # under PIL's own bound, over ours
    with pytest.raises(ImageInputError, match="limited to"):
        read_image(b"x" * 100, max_bytes=10)
    good = _encoded(Image.new("L", (40, 30), 255), "PNG")
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        read_image(good[: len(good) // 2])
    with pytest.raises(ImageInputError, match="pictures are not read here"):
        read_image(_encoded(Image.new("RGB", (8, 8)), "TIFF"))
    assert read_image(_encoded(Image.new("RGB", (50, 20), (10, 20, 30)), "JPEG")).mode == "L"


def test_a_picture_becomes_an_mnist_like_digit():
    paper = Image.new("L", (300, 200), 255)  # a dark bar on light paper, off-centre
    paper.paste(0, (20, 30, 60, 190))
    x = to_digit(paper)
    assert x.shape == (1, 28, 28) and x.min() >= -1 and x.max() <= 1
    ink = x[0] > 0
    rows, cols = np.where(ink.any(1))[0], np.where(ink.any(0))[0]
    assert rows[-1] - rows[0] + 1 == 20 and abs((rows[0] + rows[-1]) / 2 - 13.5) <= 1  # scaled to 20, centred
    assert abs((cols[0] + cols[-1]) / 2 - 13.5) <= 1
    assert (to_digit(Image.new("L", (10, 10), 0)) == -1).all()  # blank stays blank
    drawing = np.zeros((280, 280, 4), dtype=np.uint8)
    drawing[100:200, 130:150] = 255
    assert canvas_to_digit(drawing)[0].max() > 0.9
