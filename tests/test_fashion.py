"""Fashion-MNIST's models: DiscoGAN's module (its networks, its losses and curriculum, a real short run on bags and
shoes), what a translation between two kinds keeps, DesignGAN's loop, and the Design and Translate pages on the
shipped files."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from ganlab.config import ConfigError, default_config
from ganlab.explore.design import Design, blends, draw, kind_directions, neighbours, new_designs, png, sweep
from ganlab.explore.traits import kept_traits, mean_pairwise_distance, traits
from ganlab.persist.checkpoint import load
from ganlab.training.trainer import Trainer
from ganlab.variants import get
from tests.conftest import REPO

CKPT = REPO / "checkpoints"


def test_traits_read_size_tone_and_shape():
    x = -np.ones((2, 1, 28, 28))
    x[0, 0, 10:18, 4:24] = 0.0  # a wide grey bar: 160 pixels, tone 0.5, wider than tall
    x[1, 0, 4:24, 12:16] = 1.0  # a tall white bar: 80 pixels, tone 1
    t = traits(x)
    assert np.allclose(t["size"], [160 / 784, 80 / 784]) and np.allclose(t["tone"], [0.5, 1.0])
    assert t["width"][0] > 0 > t["width"][1]
    assert abs(t["tilt"][0]) < 1 and abs(abs(t["tilt"][1]) - 90) < 1
    assert kept_traits(x, x)["tone"] == pytest.approx(1.0)
    assert mean_pairwise_distance(np.repeat(x[:1], 5, 0)) == 0 and mean_pairwise_distance(x) > 0


def test_discogan_is_its_own_module_with_encoder_decoders_and_feature_critics(fashion_data):
    config = default_config("fashion-bags", model="discogan", data_dir=str(fashion_data), hidden=8, batch_size=8,
                            curriculum_steps=3)
    t = Trainer(config)
    nets = t.parts.nets
    assert set(nets) == {"gen", "gen_ba", "disc", "disc_a"}
    assert not any(isinstance(m, torch.nn.Upsample) for m in nets["gen"].modules())  # no U-Net skips, no resizing
    logit, hidden = nets["disc"].features(torch.zeros(2, 1, 28, 28))
    assert logit.shape == (2,) and [h.shape[1:] for h in hidden] == [(8, 14, 14), (16, 7, 7), (32, 4, 4)]
    tr = get("discogan").translation(t.args)
    assert (tr.a_data, tr.b_data, tr.keeps, tr.cycle) == ("fashion-bags", "fashion-shoes", "look", True)
    t.run(5)
    rates = t.store.snapshot().column("recon_share")
    assert rates[0] == pytest.approx(0.01) and rates[-1] == pytest.approx(0.5)  # the curriculum, by G's updates
    assert np.isfinite(t.store.snapshot().column("loss_fm")).all()
    with pytest.raises(ConfigError, match="two domains"):
        default_config("fashion-bags", model="discogan", partner="fashion-bags")
    with pytest.raises(ConfigError):
        default_config("ring8", model="discogan")


@pytest.mark.slow
def test_discogan_learns_to_draw_shoes_from_bags_in_a_short_run(fashion_data):
    """A real run on the two parts of Fashion-MNIST: after 300 steps the shipped judge reads most translated bags
    as shoes (the untranslated bags: under 1%)."""
    from ganlab.evaluation.judge import ImageJudge
    from ganlab.explore.translate import domain_inputs, translate

    torch.set_num_threads(2)
    config = default_config("fashion-bags", model="discogan", data_dir=str(fashion_data), hidden=16, batch_size=32,
                            seed=0)
    t = Trainer(config)
    t.run(300)
    judge = ImageJudge(fashion_data, "fashion-shoes")
    bags, _ = domain_inputs(t.variant, t.args, "a", 300, data_dir=fashion_data)
    with torch.no_grad():
        shoes = translate(t.shown_nets, t.variant, bags).numpy()
    assert (judge.read(shoes)[0] >= 0).mean() > 0.6
    assert (judge.read(bags.numpy())[0] >= 0).mean() < 0.05


def test_design_loop_keeps_its_noise_through_every_variation():
    ckpt = load(CKPT / "fashion-cdcgan.pt")
    gen, a = ckpt.build_generator("cpu"), ckpt.args
    designs = new_designs(a, ckpt.config.model.latent, 0, n=4, seed=3)
    again = new_designs(a, ckpt.config.model.latent, 0, n=4, seed=3)
    assert np.array_equal(draw(gen, a, designs), draw(gen, a, again))  # the same seed, the same designs
    kept = designs[1]
    directions, explained = kind_directions(gen, a, ckpt.config.model.latent, 0)
    assert directions.shape == (6, a.z_dim) and 0 < explained.sum() <= 1 and explained[0] >= explained[-1]
    row = sweep(kept, directions[0], n=7)
    assert torch.equal(row[3].z, kept.z) and not torch.equal(row[0].z, kept.z)
    towards = blends(kept, 3, n=5)
    assert all(torch.equal(d.z, kept.z) for d in towards) and towards[-1].label(10)[0, 3] == 1
    near = neighbours(kept, n=3, radius=0.5)
    assert all(0 < (d.z - kept.z).norm() < 0.5 * 3 * a.z_dim ** 0.5 for d in near)
    image = draw(gen, a, [Design(kept.z, 0, 3, 0.5)])
    assert image.shape == (1, 1, 28, 28) and png(image[0])[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="kind must be"):
        new_designs(a, "normal", 10)


@pytest.fixture
def fresh_session(fashion_data, monkeypatch, released_resources):
    monkeypatch.setenv("GANLAB_DATA", str(fashion_data))


def page(path: str) -> AppTest:
    return AppTest.from_file(str(REPO / "app.py"), default_timeout=120).run().switch_page(path).run()


def test_the_design_page_varies_a_kept_design_and_downloads_it(fresh_session):
    at = page("pages/design.py")
    assert not at.exception, at.exception
    assert at.selectbox(key="source_design").value == "fashion-cdcgan"
    assert at.segmented_control(key="design_kind").value == 0  # T-shirt/top first
    first = [img.proto.imgs[0].url for img in at.get("image")]
    at.slider(key="design_amount").set_value(2.0).run()
    at.slider(key="design_blend").set_value(0.5).run()
    assert not at.exception, at.exception
    assert [img.proto.imgs[0].url for img in at.get("image")][1] != first[1]  # the kept design moved
    grid = at.get("image")[0].proto.imgs[0].url
    at.button(key="design_new").click().run()
    assert at.number_input(key="design_seed").value == 1  # the next seed, and with it another grid
    assert at.get("image")[0].proto.imgs[0].url != grid
    assert [d.label for d in at.get("download_button")] == ["Download as PNG"]
    at.segmented_control(key="design_kind").set_value(3).run()  # Dress
    assert not at.exception and "Dress" in at.get("image")[0].proto.imgs[0].caption


def test_the_translate_page_shows_what_a_bag_keeps_as_a_shoe(fresh_session):
    at = page("pages/translate.py")
    at.selectbox(key="source_translate").select("fashion-discogan").run()
    assert not at.exception, at.exception
    assert at.radio(key="translate_direction").value == "a2b"
    captions = [img.proto.imgs[0].caption for img in at.get("image")]
    assert captions[:3] == ["input: bag", "translated: shoe", "back again"]
    assert "What the translation keeps" in [s.value for s in at.subheader]
    kept = at.get("dataframe")[1].value
    assert list(kept["trait"]) == ["size", "tone", "width", "tilt"]
    assert kept.set_index("trait").loc["tone"].iloc[0] > 0.5  # a dark bag makes a dark shoe
