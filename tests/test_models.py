import pytest
import torch

from ganlab.core.models import ModelArgs, sample_z
from ganlab.variants import build_models

IMG = (1, 28, 28)


@pytest.mark.parametrize("arch,shape,n_classes", [
    ("mlp", (2,), 0), ("cgan", (2,), 8), ("mlp", IMG, 0), ("cgan", IMG, 10), ("dcgan", IMG, 0), ("cdcgan", IMG, 10),
])
def test_shapes(arch, shape, n_classes):
    a = ModelArgs(arch, 16, 32, 2, shape, n_classes)
    gen, disc = build_models(a)
    z = torch.randn(5, 16)
    y = torch.arange(5) % n_classes if n_classes else None
    x = gen(z, y)
    assert x.shape == (5, *shape)
    if len(shape) > 1:
        assert x.min() >= -1 and x.max() <= 1
    assert disc(x, y).shape == (5,)
    if n_classes:  # soft labels blend two classes
        soft = torch.zeros(5, n_classes)
        soft[:, 0] = soft[:, 1] = 0.5
        assert gen(z, soft).shape == x.shape and disc(x, soft).shape == (5,)


def test_classic_mlp_sizes():
    gen, disc = build_models(ModelArgs("mlp", 100, 128, 1, IMG, 0))
    assert [tuple(p.shape) for p in disc.parameters()] == [(128, 784), (128,), (1, 128), (1,)]
    assert [tuple(p.shape) for p in gen.parameters()] == [(128, 100), (128,), (784, 128), (784,)]


def test_init_is_seeded_without_touching_the_global_rng():
    a = ModelArgs("dcgan", 8, 8, 1, IMG, 0)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    g1, _ = build_models(a, seed=3)
    assert torch.equal(torch.rand(1), before)
    g2, _ = build_models(a, seed=3)
    g3, _ = build_models(a, seed=4)
    p1, p2, p3 = (next(g.parameters()) for g in (g1, g2, g3))
    assert torch.equal(p1, p2) and not torch.equal(p1, p3)


def test_latent_distributions():
    g = torch.Generator().manual_seed(0)
    u = sample_z(10000, 3, "uniform", g, "cpu")
    n = sample_z(10000, 3, "normal", g, "cpu")
    assert u.min() >= -1 and u.max() <= 1 and abs(u.std().item() - 0.577) < 0.02
    assert abs(n.std().item() - 1) < 0.03


def test_convs_deepen_every_dcgan_net_and_only_where_asked():
    """``convs`` adds 3x3 layers at each resolution of G and D (shapes unchanged); without it the nets are DCGAN's
    as checkpoints saved before the setting expect, and a model without DCGAN's networks refuses it."""
    from ganlab.config import ConfigError, default_config
    from ganlab.variants.build import model_args

    plain = model_args(default_config("mnist", model="cdcgan", hidden=8), IMG, 10)
    assert "convs" not in dict(plain.options)
    deeper = model_args(default_config("mnist", model="cdcgan", hidden=8, convs=2), IMG, 10)
    y = torch.arange(4) % 10
    counts = []
    for a in (plain, deeper):
        gen, disc = build_models(a)
        x = gen(torch.randn(4, a.z_dim), y)
        assert x.shape == (4, *IMG) and disc(x, y).shape == (4,)
        counts.append([sum(isinstance(m, torch.nn.Conv2d) for m in net.modules()) for net in (gen, disc)])
    assert counts == [[0, 2], [4, 6]]  # G: two 3x3 at 7x7 and at 14x14; D: two more at each of its resolutions
    gen, disc = build_models(model_args(default_config("mnist", model="dcgan", hidden=8, convs=1, disc="batchnorm"),
                                        IMG, 10))
    assert disc(gen(torch.randn(4, 100))).shape == (4,)
    with pytest.raises(ConfigError, match="convs 1"):
        default_config("ring8", convs=1)
