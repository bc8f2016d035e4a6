"""Real short training runs on CPU whose assertions could fail: the GAN must learn something measurable."""

import numpy as np
import pytest

from ganlab.config import default_config
from ganlab.data.datasets import load_images
from ganlab.evaluation.quality import mode_quality
from ganlab.training.trainer import Trainer


def _mean_mode_distance(x, modes):
    return np.linalg.norm(x[:, None] - modes[None], axis=2).min(1).mean()


@pytest.mark.slow
def test_ring8_generator_moves_onto_the_modes():
    t = Trainer(default_config("ring8", seed=0))
    modes = t.data.modes.numpy()
    # what the app draws: the weight average on the run's fixed 2,500 latents
    before = _mean_mode_distance(t.sample_fixed(), modes)
    t.run(1500)
    after_x = t.sample_fixed()
    after = _mean_mode_distance(after_x, modes)
    q = mode_quality(after_x, modes, t.data.sigma)
    assert after < before / 4, (before, after)
    assert q.modes_covered >= 6, q


@pytest.mark.slow
def test_mnist_classic_gan_learns_the_pixel_statistics(mnist_root):
    data = load_images("mnist", mnist_root, download=False)
    t = Trainer(default_config("mnist", seed=0, data_dir=str(mnist_root)), data=data)
    real_mean = data.images[:10000].mean(0).numpy()

    def gap():
        x = t.sample_fixed()
        return np.abs(x.mean(0) - real_mean).mean()

    before = gap()
    t.run(2500)  # about 6 s on two CPU cores
    after = gap()
    # the mean generated image approaches the mean digit (dark background, bright strokes in the middle)
    assert after < before / 3, (before, after)
    x = t.sample_fixed()
    assert (x < -0.9).mean() > 0.4, "most generated pixels should be background, as in MNIST"
