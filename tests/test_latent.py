import io

import numpy as np
import pytest
import torch
from PIL import Image

from ganlab.core.models import ModelArgs
from ganlab.variants import build_models
from ganlab.explore.classes import blend, class_by_style, class_samples
from ganlab.explore.latent import interpolate, loop, principal_directions, random_walk, z_for_seed
from ganlab.views.animation import gif_bytes, to_frames
from ganlab.training.timeline import Timeline


def test_seeds_name_latents():
    assert torch.equal(z_for_seed(5, 100), z_for_seed(5, 100))
    assert not torch.equal(z_for_seed(5, 100), z_for_seed(6, 100))


def test_slerp_stays_on_the_shell_and_lerp_sags():
    z0, z1 = z_for_seed(0, 100), z_for_seed(1, 100)
    for mode in ("lerp", "slerp"):
        path = interpolate(z0, z1, 11, mode)
        assert torch.allclose(path[0], z0, atol=1e-5) and torch.allclose(path[-1], z1, atol=1e-5)
    mid_lerp = interpolate(z0, z1, 11, "lerp")[5].norm()
    mid_slerp = interpolate(z0, z1, 11, "slerp")[5].norm()
    ends = (z0.norm() + z1.norm()) / 2
    assert float(mid_slerp) == pytest.approx(float(ends), rel=1e-4)
    assert mid_lerp < 0.8 * ends  # nearly orthogonal in 100-D: the midpoint is ~1/sqrt(2) of the radius


def test_loop_closes_and_walk_stays_near_the_shell():
    z0, z1 = z_for_seed(0, 64), z_for_seed(1, 64)
    path = loop(z0, z1, 16)
    assert torch.allclose(path[0], z0, atol=1e-5)
    assert torch.allclose(path.norm(dim=1), z0.norm().expand(16), rtol=1e-4)
    walk = random_walk(z0, 200, seed=0)
    assert (walk.norm(dim=1) / 8 - 1).abs().max() < 0.5


def test_principal_directions_explain_decreasing_variance():
    gen, _ = build_models(ModelArgs("dcgan", 16, 8, 1, (1, 28, 28), 0), seed=0)
    d, explained = principal_directions(gen.eval(), 16, "normal", k=5, n=500)
    assert d.shape == (5, 16) and torch.allclose(d.norm(dim=1), torch.ones(5), atol=1e-5)
    assert np.all(np.diff(explained) <= 1e-12) and 0 < explained.sum() <= 1


def test_gif_is_a_real_animation():
    frames = to_frames(np.random.default_rng(0).uniform(-1, 1, (5, 1, 28, 28)), scale=2)
    data = gif_bytes(frames, bounce=True)
    img = Image.open(io.BytesIO(data))
    assert img.format == "GIF" and img.n_frames == 8 and img.size == (56, 56)


def test_class_views():
    args = ModelArgs("cgan", 8, 16, 1, (1, 28, 28), 10)
    gen, _ = build_models(args)
    gen.eval()
    grid = class_by_style(gen, args, "normal", n_styles=4, seed=1)
    assert grid.shape == (40, 1, 28, 28)
    assert np.allclose(grid[:4], class_samples(gen, args, "normal", 0, n=4, seed=1), atol=1e-6)
    assert np.allclose(blend(gen, args, "normal", 3, 7, 0.0, n=4, seed=1), grid[12:16], atol=1e-6)
    with pytest.raises(ValueError, match="between 0 and 9"):
        class_samples(gen, args, "normal", 10)
    uncond = ModelArgs("mlp", 8, 16, 1, (1, 28, 28), 0)
    with pytest.raises(ValueError, match="unconditional"):
        class_samples(build_models(uncond)[0], uncond, "normal", 0)


def test_timeline_stays_bounded_and_evenly_spaced():
    tl = Timeline(every=10, capacity=8)
    for step in range(1, 5001):
        if tl.due(step):
            tl.add(step, np.zeros((4, 2)))
    steps = [s for s, _ in tl.frames()]
    assert len(steps) <= 8 and steps[0] == 1 and steps[-1] > 4000
    gaps = np.diff(steps)
    assert gaps.max() <= 2 * gaps.min()
