import math
from pathlib import Path

import numpy as np

import pytest
import torch

from ganlab.data.datasets import DatasetUnavailable, load_images, mixture, read_idx
from tests.conftest import write_idx


def _draw(name, n=20000, seed=0):
    return mixture(name).batch(n, torch.Generator().manual_seed(seed))


def test_ring8_has_the_published_parameters():
    m = mixture("ring8")
    expected = [(math.cos(2 * math.pi * k / 8), math.sin(2 * math.pi * k / 8)) for k in range(8)]
    assert torch.allclose(m.modes, torch.tensor(expected), atol=1e-6)
    assert m.sigma == 0.01 and m.n_classes == 8


def test_grid25_has_the_published_parameters():
    m = mixture("grid25")
    assert m.sigma == 0.05
    assert sorted(set(m.modes[:, 0].tolist())) == [-4, -2, 0, 2, 4]
    assert len({tuple(p) for p in m.modes.tolist()}) == 25


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_mixture_samples_have_the_stated_spread_and_balance(name):
    m = mixture(name)
    x, k = _draw(name)
    residual = x - m.modes[k]
    assert abs(residual.std().item() - m.sigma) < 0.05 * m.sigma
    counts = torch.bincount(k, minlength=len(m.modes)).float()
    assert (counts / counts.mean() - 1).abs().max() < 0.15


def test_fresh_batches_and_seeded_reproducibility():
    a, _ = _draw("ring8", 100, seed=1)
    b, _ = _draw("ring8", 100, seed=1)
    g = torch.Generator().manual_seed(1)
    m = mixture("ring8")
    first, _ = m.batch(100, g)
    second, _ = m.batch(100, g)
    assert torch.equal(a, b) and not torch.equal(first, second)


@pytest.mark.parametrize("name", ["spiral", "moons"])
def test_curve_data_is_in_view(name):
    m = mixture(name)
    x, y = _draw(name, 5000)
    assert x.shape == (5000, 2) and set(y.unique().tolist()) == {0, 1}
    assert x.abs().max() < m.extent


def test_real_mnist_loads_scaled_with_labels(mnist_root):
    data = load_images("mnist", mnist_root, download=False)
    assert data.images.shape == (60000, 1, 28, 28)
    assert data.images.min() == -1 and data.images.max() == 1
    assert data.labels.shape == (60000,) and set(data.labels.unique().tolist()) == set(range(10))
    test = load_images("mnist", mnist_root, train=False, download=False)
    assert len(test.images) == 10000
    x, y = data.batch(32, torch.Generator().manual_seed(0))
    assert x.shape == (32, 1, 28, 28) and y.shape == (32,)


def test_fashion_mnist_reads_torchvision_layout(fashion_root):
    data = load_images("fashion-mnist", fashion_root, download=False)
    assert data.images.shape == (40, 1, 28, 28)
    assert data.class_names[9] == "Ankle boot"
    raw = read_idx(fashion_root / "FashionMNIST" / "raw" / "train-images-idx3-ubyte", ndim=3)
    assert torch.allclose((raw[:, None].float() / 127.5 - 1), data.images)


def test_gzipped_idx_files_are_read(tmp_path):
    write_idx(tmp_path / "FashionMNIST" / "raw" / "train-images-idx3-ubyte", torch.zeros(3, 28, 28).numpy(),
              compress=True)
    write_idx(tmp_path / "FashionMNIST" / "raw" / "train-labels-idx1-ubyte", [1, 2, 3], compress=True)
    assert load_images("fashion-mnist", tmp_path, download=False).labels.tolist() == [1, 2, 3]


def test_missing_files_say_where_to_put_them(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLAB_SYSTEM_DATA", str(tmp_path / "no-packages"))
    with pytest.raises(DatasetUnavailable) as err:
        load_images("fashion-mnist", tmp_path, download=False)
    text = str(err.value)
    assert "train-images-idx3-ubyte.gz" in text and str((tmp_path / "FashionMNIST" / "raw").resolve()) in text
    assert "GANLAB_DATA" in text and "apt-get install dataset-fashion-mnist" in text
    with pytest.raises(DatasetUnavailable) as err:  # MNIST has no such package: the message names none
        load_images("mnist", tmp_path, download=False)
    assert "apt-get" not in str(err.value)


def test_fashion_mnist_comes_from_the_distributions_folder(tmp_path, monkeypatch, fashion_root):
    """Debian's dataset-fashion-mnist puts the four files flat in /usr/share/datasets/fashion-mnist/: an empty data
    folder falls back to it, and a data folder that has its own copy is read first."""
    system = tmp_path / "datasets" / "fashion-mnist"
    system.mkdir(parents=True)
    write_idx(system / "train-images-idx3-ubyte", np.full((3, 28, 28), 255), compress=True)
    write_idx(system / "train-labels-idx1-ubyte", [7, 8, 9], compress=True)
    monkeypatch.setenv("GANLAB_SYSTEM_DATA", str(tmp_path / "datasets"))
    packaged = load_images("fashion-mnist", tmp_path / "empty", download=False)
    assert packaged.labels.tolist() == [7, 8, 9] and float(packaged.images.min()) == 1.0
    own = load_images("fashion-mnist", fashion_root, download=False)
    assert len(own.images) == 40


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz").is_file(),
                    reason="Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)")
def test_the_installed_package_is_read(tmp_path, monkeypatch):
    monkeypatch.delenv("GANLAB_SYSTEM_DATA", raising=False)
    train = load_images("fashion-mnist", tmp_path, download=False)
    test = load_images("fashion-mnist", tmp_path, train=False, download=False)
    assert train.images.shape == (60000, 1, 28, 28) and len(test.images) == 10000
    assert torch.bincount(test.labels).tolist() == [1000] * 10


def test_corrupt_files_are_rejected_clearly(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + (5).to_bytes(4, "big") * 3 + b"xx")
    write_idx(raw / "train-labels-idx1-ubyte", [0] * 5)
    with pytest.raises(DatasetUnavailable, match="truncated"):
        load_images("fashion-mnist", tmp_path, download=False)
    (raw / "train-images-idx3-ubyte").write_bytes(b"not an idx file at all")
    with pytest.raises(DatasetUnavailable, match="not an IDX file"):
        load_images("fashion-mnist", tmp_path, download=False)
