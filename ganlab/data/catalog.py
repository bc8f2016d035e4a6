"""The dataset catalogue, torch-free: which datasets exist, what kind each is, and the user datasets'
index (their names and descriptions on disk). It owns the datasets' names; the loaders
(``ganlab.data.datasets``) and the run settings (``ganlab.config``) both read them here.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from ganlab.errors import UploadError
from ganlab.said import said

DATASETS_2D = ("ring8", "grid25", "spiral", "moons")
DATASETS_1D = ("mog1d",)
DATASETS_DRAWN = ("custom",)  # a 2-D distribution a person drew (DataConfig.points)
DATASETS_TOY = DATASETS_2D + DATASETS_1D + DATASETS_DRAWN  # sampled from formulas, no files, works offline
MAX_POINTS = 2000  # points of a drawn distribution
DATASETS_IDX = ("mnist", "fashion-mnist")  # image files in torchvision's layout under the data folder
# Named parts of an image set, with its train/test split: DiscoGAN's domains (Kim et al. 2017 translate handbags
# and shoes; Fashion-MNIST's bags, and its sandals, sneakers and ankle boots), each trainable on its own too.
# Their labels are renumbered 0..k-1 in the order given; a judge of the whole set reads them (ganlab.evaluation).
SUBSETS = {"fashion-bags": ("fashion-mnist", (8,)), "fashion-shoes": ("fashion-mnist", (5, 7, 9))}
DATASETS_SUBSET = tuple(SUBSETS)
DATASETS_PACKAGED = ("digits8",)  # images that ship with a package (scikit-learn's 8x8 digits), always offline
DATASETS_IMAGE = DATASETS_IDX + DATASETS_SUBSET + DATASETS_PACKAGED
DATASETS = DATASETS_TOY + DATASETS_IMAGE
USER_PREFIX = "user:"  # user:NAME, a dataset someone imported (ganlab.data.user_data)
USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,47}$")


# Datasets a Linux distribution packages: Debian puts them in /usr/share/datasets/<name>/ (the four IDX files,
# flat); the package a person installs when the data folder has no copy
SYSTEM_PACKAGES = {"fashion-mnist": "dataset-fashion-mnist"}


def has_test_set(name: str) -> bool:
    """Whether ``name`` comes with a held-out test split (MNIST, Fashion-MNIST and their parts)."""
    return name in DATASETS_IDX or name in SUBSETS


def whole_set(name: str) -> str:
    """The dataset a part is taken from (``fashion-shoes`` -> ``fashion-mnist``); any other name itself."""
    return SUBSETS[name][0] if name in SUBSETS else name


def default_data_dir() -> str:
    return os.environ.get("GANLAB_DATA", "./data")


def system_folder(name: str) -> Path | None:
    """Where the distribution's package puts ``name`` (``$GANLAB_SYSTEM_DATA``, default /usr/share/datasets,
    then the dataset's name), or None for a dataset no package ships."""
    if name not in SYSTEM_PACKAGES:
        return None
    return Path(os.environ.get("GANLAB_SYSTEM_DATA", "/usr/share/datasets")) / name


def user_root(data_dir: str | Path) -> Path:
    """Where user datasets live: ``$GANLAB_USER_DATA``, else ``<data folder>/user``."""
    env = os.environ.get("GANLAB_USER_DATA", "").strip()
    return Path(env) if env else Path(data_dir) / "user"


def check_name(name: str) -> str:
    """A user dataset's name without its ``user:`` prefix; raises UploadError for one that cannot be a name."""
    name = str(name).strip()
    if name.startswith(USER_PREFIX):
        name = name[len(USER_PREFIX):]
    if not USER_NAME.match(name):
        raise UploadError(said("{name!r} is not a dataset name: use letters, digits, '_' and '-' (up to 48, starting "
                               "with a letter or digit)", name=name))
    return name


def list_datasets(data_dir: str | Path) -> list[dict]:
    """Every user dataset's description (meta.json), by name."""
    root = user_root(data_dir)
    out = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            meta = folder / "meta.json"
            if folder.is_dir() and USER_NAME.match(folder.name) and meta.is_file():
                try:
                    out.append(json.loads(meta.read_text()))
                except (OSError, ValueError):
                    continue
    return out


def data_kind(name: str, data_dir: str) -> str:
    """"toy" (1-D or 2-D points), "image", or "unknown" (an imported dataset not on this machine: a
    checkpoint trained on it still loads and draws; training on it says where to import it)."""
    if name.startswith(USER_PREFIX):
        meta = next((m for m in list_datasets(data_dir) if m.get("name") == name[len(USER_PREFIX):]), None)
        return "unknown" if meta is None else "toy" if meta["kind"] == "points" else "image"
    return "toy" if name in DATASETS_TOY else "image"
