"""Training data: 1-D and 2-D mixtures sampled fresh every batch, and image sets held on the device.

Every source answers ``batch(n, generator) -> (x, y)`` on its device, drawing
only from the ``torch.Generator`` it is handed; there is no DataLoader.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ganlab.data.catalog import DATASETS_IDX, DATASETS_TOY, SUBSETS, SYSTEM_PACKAGES, USER_PREFIX, system_folder
from ganlab.data.digits8 import load_digits8
from ganlab.data.image_data import ImageData, class_names  # noqa: F401  (re-exported)
from ganlab.data.user_data import load_user
from ganlab.errors import DatasetUnavailable  # noqa: F401  (raised here, defined apart)

# ---------------------------------------------------------------------------
# Toy mixtures: 2-D (the plane) and 1-D (the line of Goodfellow et al.'s Figure 1)
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mixture:
    """An equal-weight mixture of isotropic Gaussians on the line or in the plane, or a curve with noise.

    ``modes`` and ``sigma`` are exact for ``ring8`` and ``grid25`` (the benchmark
    parameters used by PacGAN and VEEGAN), so mode-coverage metrics apply.
    """

    name: str
    modes: torch.Tensor  # (K, dim) component means; (0, 2) for curve data
    sigma: float
    n_classes: int
    has_modes: bool  # True when the data is a finite set of Gaussians with known means
    extent: float  # half-width of a square view that holds the data comfortably

    def to(self, device) -> "Mixture":
        return Mixture(self.name, self.modes.to(device), self.sigma, self.n_classes, self.has_modes, self.extent)

    @property
    def device(self) -> torch.device:
        return self.modes.device

    @property
    def data_shape(self) -> tuple[int, ...]:
        return (self.modes.shape[1],)

    def density(self, x: np.ndarray) -> np.ndarray:
        """The exact density of a 1-D mixture at points ``x`` (for drawing it)."""
        means = self.modes[:, 0].cpu().numpy()
        z = (np.asarray(x, dtype=np.float64)[:, None] - means[None, :]) / self.sigma
        return np.exp(-0.5 * z**2).mean(1) / (self.sigma * math.sqrt(2 * math.pi))

    def batch(self, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        if self.name == "spiral":
            return _spiral(n, generator, self.device)
        if self.name == "moons":
            return _moons(n, generator, self.device, self.sigma)
        k = torch.randint(len(self.modes), (n,), generator=generator, device=self.device)
        noise = torch.randn(n, self.modes.shape[1], generator=generator, device=self.device)
        return self.modes[k] + self.sigma * noise, k % self.n_classes  # (n, d), (n,); a drawn set is one class


def ring8_modes() -> torch.Tensor:
    k = torch.arange(8, dtype=torch.float64)
    angle = 2 * math.pi * k / 8
    return torch.stack([angle.cos(), angle.sin()], 1).float()


def grid25_modes() -> torch.Tensor:
    axis = torch.tensor([-4.0, -2.0, 0.0, 2.0, 4.0])
    gx, gy = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([gx.flatten(), gy.flatten()], 1)


def _spiral(n, generator, device):
    """Two interleaved arms of an Archimedean spiral, radius up to 1, noise 0.02."""
    t = torch.rand(n, generator=generator, device=device)
    arm = torch.randint(2, (n,), generator=generator, device=device)
    angle = 3 * math.pi * t.sqrt() + math.pi * arm
    radius = t.sqrt()
    x = torch.stack([radius * angle.cos(), radius * angle.sin()], 1)
    return x + 0.02 * torch.randn(n, 2, generator=generator, device=device), arm


def _moons(n, generator, device, sigma):
    """scikit-learn's two moons, centred: upper arc and lower arc offset by (1, -0.5)."""
    t = math.pi * torch.rand(n, generator=generator, device=device)
    moon = torch.randint(2, (n,), generator=generator, device=device)
    upper = torch.stack([t.cos(), t.sin()], 1)
    lower = torch.stack([1 - t.cos(), 0.5 - t.sin()], 1)
    x = torch.where(moon[:, None] == 0, upper, lower) - torch.tensor([0.5, 0.25], device=device)
    return x + sigma * torch.randn(n, 2, generator=generator, device=device), moon


DRAWN_SIGMA = 0.05  # half the spacing of the Draw page's canvas, so selected points fill a region


def drawn(points, device="cpu") -> Mixture:
    """A distribution a person drew: equal-weight Gaussian blobs on the selected points."""
    modes = torch.tensor(points, dtype=torch.float32).reshape(-1, 2)
    if not len(modes):
        raise ValueError("a drawn distribution needs at least one point")
    extent = max(1.5, float(modes.abs().max()) + 0.5)
    return Mixture("custom", modes, DRAWN_SIGMA, 1, False, extent).to(device)


def mixture(name: str, device="cpu") -> Mixture:
    if name == "ring8":
        m = Mixture("ring8", ring8_modes(), 0.01, 8, True, 1.5)
    elif name == "grid25":
        m = Mixture("grid25", grid25_modes(), 0.05, 25, True, 5.5)
    elif name == "spiral":
        m = Mixture("spiral", torch.zeros(0, 2), 0.02, 2, False, 1.3)
    elif name == "moons":
        m = Mixture("moons", torch.zeros(0, 2), 0.05, 2, False, 2.0)
    elif name == "mog1d":  # three well separated Gaussians on the line
        m = Mixture("mog1d", torch.tensor([[-3.0], [0.0], [3.0]]), 0.5, 3, True, 5.0)
    else:
        raise ValueError(f"unknown toy dataset {name!r}; choose one of {', '.join(DATASETS_TOY)}")
    return m.to(device)


# ---------------------------------------------------------------------------
# Images (MNIST, Fashion-MNIST) in torchvision's layout
# ---------------------------------------------------------------------------

_TORCHVISION_CLASS = {"mnist": "MNIST", "fashion-mnist": "FashionMNIST"}
_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
def read_idx(path: Path, *, ndim: int) -> torch.Tensor:
    """Read an IDX file of unsigned bytes (plain or .gz) with ``ndim`` dimensions."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as err:
        raise DatasetUnavailable(f"{path} could not be read ({err}); replace it with a good copy") from err
    if len(data) < 4 + 4 * ndim or data[0:3] != b"\x00\x00\x08" or data[3] != ndim:
        raise DatasetUnavailable(f"{path} is not an IDX file of unsigned bytes with {ndim} dimension(s)")
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    body = memoryview(data)[4 + 4 * ndim:]  # a view: the one copy is the bytearray torch needs to own
    if len(body) != math.prod(shape):
        raise DatasetUnavailable(f"{path} is truncated or padded: header says {shape}, body holds {len(body)} bytes")
    return torch.frombuffer(bytearray(body), dtype=torch.uint8).view(*shape)


def _find(raw: Path, stem: str) -> Path | None:
    for candidate in (raw / stem, raw / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _download(name: str, root: Path, train: bool) -> None:
    import torchvision.datasets as tvd  # imported late: only downloads need it

    cls = getattr(tvd, _TORCHVISION_CLASS[name])
    cls(str(root), train=train, download=True)


def load_images(name: str, root: str | Path, *, train: bool = True, download: bool = True,
                device="cpu") -> ImageData:
    """Load ``mnist`` or ``fashion-mnist`` from ``root/<Class>/raw`` (torchvision's layout), else from the folder
    a distribution's package fills (Debian's ``dataset-fashion-mnist``: /usr/share/datasets/fashion-mnist/).

    Missing files are downloaded through ``torchvision.datasets`` when ``download``
    and the network allow; otherwise :class:`DatasetUnavailable` says where to put them.
    """
    if name == "digits8":
        return load_digits8(device=device)
    if name in SUBSETS:
        return part_of(load_images(SUBSETS[name][0], root, train=train, download=download, device=device), name)
    if name not in DATASETS_IDX:
        raise ValueError(f"unknown image dataset {name!r}; choose one of {', '.join(DATASETS_IDX)}")
    root = Path(root)
    raw = root / _TORCHVISION_CLASS[name] / "raw"
    stems = _FILES[train]
    paths = _find_all(name, raw, stems)
    if None in paths and download:
        try:
            _download(name, root, train)
        except Exception as err:  # network errors come in many types (URLError, OSError, RuntimeError)
            raise DatasetUnavailable(_missing_message(name, raw, stems, f"download failed: {err}")) from err
        paths = _find_all(name, raw, stems)
    if None in paths:
        raise DatasetUnavailable(_missing_message(name, raw, stems, "download is off"))
    images = read_idx(paths[0], ndim=3)
    labels = read_idx(paths[1], ndim=1)
    if images.shape[1:] != (28, 28) or len(images) != len(labels):
        raise DatasetUnavailable(f"{paths[0].parent}: expected N x 28 x 28 images and N labels, got "
                                 f"{tuple(images.shape)} and {tuple(labels.shape)}")
    if len(labels) and int(labels.max()) >= 10:
        raise DatasetUnavailable(f"{paths[1]}: labels must be 0-9, found {int(labels.max())}")
    x = images.to(device=device, dtype=torch.float32).unsqueeze(1)  # (N, 28, 28) -> (N, 1, 28, 28)
    x.div_(127.5).sub_(1.0)  # in place: the same values as x / 127.5 - 1.0, without two more 188 MB tensors
    return ImageData(name, x, labels.to(device=device, dtype=torch.long))


def part_of(whole: ImageData, name: str) -> ImageData:
    """The images of ``whole`` whose class is one of the part's, their labels renumbered 0..k-1 in its order."""
    classes = SUBSETS[name][1]
    keep = torch.isin(whole.labels, torch.tensor(classes, device=whole.device))
    lookup = torch.full((whole.n_classes,), -1, dtype=torch.long, device=whole.device)
    lookup[list(classes)] = torch.arange(len(classes), device=whole.device)
    names = tuple(whole.class_names[k] for k in classes)
    return ImageData(name, whole.images[keep], lookup[whole.labels[keep]], len(classes), names)


def _find_all(name: str, raw: Path, stems) -> list[Path | None]:
    """The images' and labels' files from the data folder, else both from the distribution's folder."""
    paths = [_find(raw, s) for s in stems]
    system = system_folder(name)
    if None in paths and system is not None:
        packaged = [_find(system, s) for s in stems]
        if None not in packaged:
            return packaged
    return paths


def _missing_message(name: str, raw: Path, stems, why: str) -> str:
    files = ", ".join(f"{s}.gz" for s in stems)
    package = SYSTEM_PACKAGES.get(name)
    install = (f"Install Debian's package (sudo apt-get install {package}, which puts them in "
               f"{system_folder(name)}), or put {files} in {raw.resolve()}") if package else \
        f"Put {files} in {raw.resolve()}"
    return (f"{name} is not on this machine ({why}). {install} "
            f"(or set GANLAB_DATA / --data-dir to a folder that has {raw.parent.name}/raw/), "
            f"or connect to the internet and try again.")


def load_data(name: str, data_dir: str | Path = "./data", *, points=(), device="cpu", download: bool = True):
    """Any dataset by registry key: a :class:`Mixture` or an :class:`ImageData` (``points`` for data custom;
    ``user:NAME`` for a dataset someone imported)."""
    if name.startswith(USER_PREFIX):
        return load_user(name, data_dir, device)
    if name == "custom":
        return drawn(points, device)
    if name in DATASETS_TOY:
        return mixture(name, device)
    return load_images(name, data_dir, device=device, download=download)
