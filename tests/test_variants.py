"""The variant machinery and the three variants of the GAN family's first part: ACGAN, InfoGAN and
the semi-supervised GAN. Shapes of every network, the registry's rules, their settings' messages,
and a short real training run of each whose assertion could fail."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from ganlab import variants
from ganlab.data.catalog import DATASETS
from ganlab.config import ConfigError, RunConfig, Validated, default_config, field_specs, setting
from ganlab.core.models import ModelArgs
from ganlab.variants import build_nets, model_args
from ganlab.data.datasets import load_images
from ganlab.core.accuracy import accuracy
from ganlab.evaluation.judge import code_matching
from ganlab.explore.classes import code_sweep, with_codes
from ganlab.explore.sampling import generate
from ganlab.persist import checkpoint as ck
from ganlab.training.resume import resume
from ganlab.training.trainer import Trainer

IMG = (1, 28, 28)


@pytest.fixture(scope="module")
def mnist(mnist_root):
    return load_images("mnist", mnist_root, download=False)


def _args(arch: str, **kw) -> ModelArgs:
    config = default_config("mnist", model=arch, hidden=8, z_dim=16, **kw)
    return model_args(config, IMG, 10)


def test_every_variant_describes_itself():
    for v in variants.all_variants():
        assert v.title and v.summary and v.formula and v.paper, v.key
        names = [m.name for m in v.metrics]
        assert len(set(names)) == len(names) and names[:6] == [m.name for m in variants.BASE_METRICS]
        assert all(m.label and m.about and m.group in variants.CHART_GROUPS for m in v.metrics)
        assert v.default_data in DATASETS, (v.key, v.default_data)


def test_the_registry_refuses_a_clash():
    class Again(variants.Variant):
        key = "acgan"

    with pytest.raises(ValueError, match="registered already"):
        variants.register(Again())

    @dataclasses.dataclass(frozen=True)
    class Stolen(variants.get("ssgan").Settings):
        pass

    class Thief(variants.Variant):
        key = "thief"
        Settings = Stolen

    with pytest.raises(ValueError, match="named already"):
        variants.register(Thief())

    @dataclasses.dataclass(frozen=True)
    class Shadow(Validated):  # a setting named as a shared one (the model's output activation)
        output: str = setting("x")

    class Shadower(variants.Variant):
        key = "shadower"
        Settings = Shadow

    with pytest.raises(ValueError, match="shared settings"):
        variants.register(Shadower())
    assert "thief" not in variants.names()


def test_acgan_networks():
    a = _args("acgan")
    nets = build_nets(a)
    assert set(nets) == {"gen", "disc"} and a.n_classes == 10
    z, y = torch.randn(5, 16), torch.arange(5)
    x = nets["gen"](z, y)
    assert x.shape == (5, *IMG) and x.abs().max() <= 1
    logit, classes = nets["disc"].both(x)
    assert logit.shape == (5,) and classes.shape == (5, 10)
    assert torch.equal(nets["disc"](x, y), logit)  # D is never told the class


def test_infogan_networks_and_codes():
    a = _args("infogan", cat_codes=7, cont_codes=3)
    v = variants.get("infogan")
    nets = build_nets(a)
    assert a.n_classes == 7 and a.option("cont_codes") == 3
    z = torch.randn(4, 16)
    for y in (torch.arange(4), torch.full((4, 7), 1 / 7), v.code_vector(a, torch.arange(4), torch.rand(4, 3))):
        assert nets["gen"](z, y).shape == (4, *IMG)
    logit, q = nets["disc"].both(nets["gen"](z, torch.arange(4)))
    assert logit.shape == (4,) and q.shape == (4, 7 + 3)
    assert [c.index for c in v.codes(a)] == [0, 1, 2]
    grid = code_sweep(nets["gen"].eval(), v, a, z[0], 1, [-2, 0, 2])
    assert grid.shape == (3 * 7, *IMG)
    assert with_codes(nets["gen"], v, a, z[0], 3, [0.5, -0.5, 0]).shape == (1, *IMG)
    with pytest.raises(ValueError, match="no code 3"):
        code_sweep(nets["gen"], v, a, z[0], 3, [0])


def test_ssgan_networks():
    a = _args("ssgan")
    nets = build_nets(a)
    assert set(nets) == {"gen", "disc", "baseline"} and a.n_classes == 0 and a.option("classes") == 10
    x = nets["gen"](torch.randn(6, 16))
    assert x.shape == (6, *IMG)
    logits = nets["disc"].classify(x)
    assert logits.shape == (6, 10)
    assert torch.allclose(nets["disc"].eval()(x), torch.logsumexp(nets["disc"].classify(x), 1))  # log Z(x)
    assert nets["disc"].features(x).shape == (6, 16)


def test_settings_are_checked_with_a_message_a_person_can_act_on():
    with pytest.raises(ConfigError, match="labels must be between 10 and 60000, got 0"):
        default_config("mnist", model="ssgan", labels=0)
    with pytest.raises(ConfigError, match="cat_codes must be between 2 and 100"):
        default_config("mnist", model="infogan", cat_codes=1)
    with pytest.raises(ConfigError, match="labels is a setting of model ssgan, not of acgan"):
        default_config("mnist", model="acgan", labels=100)
    with pytest.raises(ConfigError, match="model acgan needs image data"):
        default_config("ring8", model="acgan")
    c = default_config("mnist", model="infogan", cat_codes=12)
    assert c.variant.cat_codes == 12 and c.flat()["cat_codes"] == 12
    assert c.with_values(model="ssgan").variant == variants.get("ssgan").Settings()  # another model: its defaults
    assert RunConfig.from_dict(c.to_dict()) == c
    old = c.to_dict()
    del old["variant"]  # a config written before variants had settings of their own
    assert RunConfig.from_dict(old).variant.cat_codes == 10
    assert field_specs("ssgan")["labels"]["variant"] == "ssgan" and "labels" not in field_specs("acgan")


@pytest.mark.slow
def test_acgan_learns_to_classify_and_to_draw_the_class_asked(mnist, mnist_root):
    """300 steps: D's auxiliary classifier reads real test digits well above chance, and G's samples of
    a class are classified as that class by D more often than chance (G's half of L_C works)."""
    t = Trainer(default_config("mnist", model="acgan", hidden=16, seed=1, device="cpu", data_dir=str(mnist_root)),
                data=mnist)
    t.run(300)
    test = load_images("mnist", mnist_root, train=False, download=False)
    classify = t.variant.classifiers(t.parts.nets)["D's auxiliary classifier"]
    assert accuracy(classify, test.images[:1000], test.labels[:1000]) > 0.8
    last = t.store.snapshot()
    assert last.column("acc_fake")[-50:].mean() > 0.5, last.column("acc_fake")[-50:].mean()


@pytest.mark.slow
def test_infogan_makes_its_code_readable(mnist, mnist_root):
    """300 steps: Q reads the categorical code of G's images back far above chance (1 in 10), so the
    mutual-information bound has risen towards log 10 = 2.30 nats."""
    t = Trainer(default_config("mnist", model="infogan", hidden=16, seed=1, device="cpu", data_dir=str(mnist_root)),
                data=mnist)
    t.run(300)
    snap = t.store.snapshot()
    assert snap.column("q_acc")[-50:].mean() > 0.7
    assert snap.column("mi_cat")[-50:].mean() > 1.2


@pytest.mark.slow
def test_ssgan_learns_from_a_hundred_labels(mnist, mnist_root):
    """400 steps on 100 labels: D classifies held-out test digits far above chance, and the live figures
    report it beside the labels-only baseline."""
    t = Trainer(default_config("mnist", model="ssgan", hidden=32, seed=1, device="cpu", data_dir=str(mnist_root)),
                data=mnist)
    assert len(t.parts.state["y_lab"]) == 100 and torch.bincount(t.parts.state["y_lab"]).tolist() == [10] * 10
    t.run(400)
    figures = t.variant.live_figures(t)
    assert set(figures) == {"test_accuracy", "baseline_accuracy"}
    assert figures["test_accuracy"] > 0.6, figures


@pytest.mark.parametrize("arch", ["acgan", "infogan", "ssgan"])
def test_a_checkpoint_rebuilds_its_variant_from_the_file_alone(arch, mnist, mnist_root, tmp_path):
    t = Trainer(default_config("mnist", model=arch, hidden=8, z_dim=16, batch_size=16, seed=2, device="cpu",
                               data_dir=str(mnist_root)), data=mnist)
    t.run(3)
    path = ck.save(t, tmp_path / "c.pt")
    c = ck.load(path)
    assert c.variant is t.variant and set(c.nets) == set(t.parts.nets)
    x, labels = generate(c, 20, seed=0, class_=1 if t.args.n_classes else None)
    assert x.shape == (20, *IMG)
    if t.args.n_classes:
        assert labels.tolist() == [1] * 20
    resumed = resume(c, data=mnist)
    t.run(2)
    resumed.run(2)
    np.testing.assert_array_equal(t.store.snapshot().mean[-2:, 1:-1], resumed.store.snapshot().mean[-2:, 1:-1])


def test_code_matching_finds_the_permutation():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 10, 5000)
    perm = rng.permutation(10)
    pred = perm[codes]
    wrong = rng.random(5000) < 0.2
    pred[wrong] = rng.integers(0, 10, wrong.sum())
    matching, acc = code_matching(codes, pred)
    assert matching == {str(k): int(perm[k]) for k in range(10)}
    assert acc == pytest.approx(0.8 + 0.2 / 10, abs=0.02)
