"""Your own data: a CSV of 1-D or 2-D points, or a zip of PNG/JPEG images (one folder per class,
torchvision's ImageFolder convention, gives labels), converted once and kept as ``user:NAME``.

Uploads are untrusted. What a file *declares* is checked before anything is allocated: an archive's
entry count and the sizes its directory declares, each image's width and height
(``ganlab.data.image_input``); what is then read is bounded again while reading, so an archive
that lies about its sizes is caught too. Entry names are never used as paths: an entry whose name
climbs out of the archive (``../``, an absolute path) refuses the whole upload. Nothing is written
outside the user data folder, a dataset is written to a temporary folder and renamed into place
only when complete, and an existing dataset is never overwritten.

Bounds (``LIMITS``): an upload of at most 100 MB; at most 20,000 archive entries declaring at most
400 MB in all and 20 MB each; at most 30,000 images kept, of at most 16.7 million pixels each; a CSV
of at most 200,000 rows. The largest dataset held in memory is then 30,000 x 3 x 32 x 32 bytes
(92 MB) as uint8 on disk, 368 MB as float32 for training.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np
import torch
from PIL import Image

from ganlab.data.image_data import ImageData
from ganlab.errors import DatasetUnavailable
from ganlab.data.image_input import ImageInputError, read_image
from ganlab.data.catalog import USER_NAME, USER_PREFIX, check_name, list_datasets, user_root  # noqa: F401 (re-exported)
from ganlab.errors import UploadError  # noqa: F401  (raised here, defined apart)
from ganlab.said import said

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 100 * 2**20
    entries: int = 20000
    declared_bytes: int = 400 * 2**20
    entry_bytes: int = 20 * 2**20
    images: int = 30000
    pixels: int = 4096 * 4096
    csv_rows: int = 200000


LIMITS = Limits()




def _taken(name: str) -> UploadError:
    return UploadError(said("a dataset named {name} exists already; choose another name", name=USER_PREFIX + name))


@dataclass(frozen=True)
class ImportResult:
    name: str
    kind: str  # "points" or "images"
    count: int
    shape: tuple[int, ...]
    classes: tuple[str, ...]
    skipped: tuple[str, ...]  # what was left out, and why

    @property
    def message(self) -> str:
        name = USER_PREFIX + self.name
        if self.kind == "points":
            text = said("Imported {name}: {count:,} points in {dims}-D.", name=name, count=self.count, dims=self.shape[0])
        elif len(self.classes) > 1:
            shown = ", ".join(self.classes[:10]) + ("..." if len(self.classes) > 10 else "")
            text = said("Imported {name}: {count:,} images of {shape}, {n} classes ({classes}).", name=name,
                        count=self.count, shape="x".join(map(str, self.shape)), n=len(self.classes), classes=shown)
        else:
            text = said("Imported {name}: {count:,} images of {shape}, one class (no labels: conditional models need "
                        "at least two).", name=name, count=self.count, shape="x".join(map(str, self.shape)))
        if not self.skipped:
            return text
        left_out = "; ".join(self.skipped[:5]) + (" ..." if len(self.skipped) > 5 else "")
        return said("{imported} Left out {n}: {left_out}.", imported=text, n=len(self.skipped), left_out=left_out)


# -- points ------------------------------------------------------------------------------


def parse_points(data: bytes, limits: Limits = LIMITS) -> np.ndarray:
    """(N, 1) or (N, 2) float32 points from CSV bytes: one or two numeric columns, an optional header row."""
    if len(data) > limits.upload_bytes:
        raise UploadError(said("the file is {mb:.0f} MB; uploads are limited to {limit} MB", mb=len(data) / 2**20,
                               limit=limits.upload_bytes // 2**20))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UploadError(said("the CSV is not text (UTF-8)")) from err
    rows = []
    for i, row in enumerate(csv.reader(io.StringIO(text))):
        if not row or all(not c.strip() for c in row):
            continue
        if len(rows) >= limits.csv_rows:
            raise UploadError(said("the CSV has more than {rows:,} rows", rows=limits.csv_rows))
        try:
            values = [float(c) for c in row]
        except ValueError:
            if i == 0 and not rows:
                continue  # a header row
            raise UploadError(said("row {row} holds text where a number belongs: {text!r}", row=i + 1,
                                        text=", ".join(row)[:80])) from None
        if len(values) not in (1, 2):
            raise UploadError(said("row {row} has {n} columns; points have one (1-D) or two (2-D)", row=i + 1,
                                    n=len(values)))
        if rows and len(values) != len(rows[0]):
            raise UploadError(said("row {row} has {n} columns, the rows before it {before}", row=i + 1, n=len(values),
                                    before=len(rows[0])))
        if not all(math.isfinite(v) for v in values):
            raise UploadError(said("row {row} holds NaN or an infinite value", row=i + 1))
        rows.append(values)
    if len(rows) < 10:
        raise UploadError(said("the CSV has {n} points; a distribution needs at least 10", n=len(rows)))
    x = np.asarray(rows, dtype=np.float64)
    if np.abs(x).max() > 1e6:
        raise UploadError(said("the points lie beyond +-1,000,000; rescale them"))
    return x.astype(np.float32)


# -- images ------------------------------------------------------------------------------


def _safe_parts(name: str) -> tuple[str, ...]:
    """The path parts of an archive entry, refusing any name that could leave the archive."""
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise UploadError(said("the archive holds an entry with an unsafe name ({name!r}); nothing was imported",
                               name=name[:80]))
    parts = PurePosixPath(name).parts
    if any(p in ("..", "") for p in parts):
        raise UploadError(said("the archive holds an entry whose name climbs out of it ({name!r}); nothing was "
                               "imported", name=name[:80]))
    return parts


def _entries(data: bytes, limits: Limits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    if len(data) > limits.upload_bytes:
        raise UploadError(said("the archive is {mb:.0f} MB; uploads are limited to {limit} MB", mb=len(data) / 2**20,
                               limit=limits.upload_bytes // 2**20))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise UploadError(said("it is not a zip archive ({err})", err=str(err))) from err
    if len(infos) > limits.entries:
        raise UploadError(said("the archive holds {n:,} entries; at most {limit:,} are read", n=len(infos),
                               limit=limits.entries))
    declared = sum(i.file_size for i in infos)
    if declared > limits.declared_bytes:
        raise UploadError(said("the archive would unpack to {mb:,.0f} MB; at most {limit} MB are read (a zip bomb?)",
                               mb=declared / 2**20, limit=limits.declared_bytes // 2**20))
    for info in infos:
        _safe_parts(info.filename)
    return archive, [i for i in infos if not i.is_dir()]


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    if info.file_size > limits.entry_bytes:
        raise ImageInputError(f"it declares {info.file_size / 2**20:.0f} MB, over {limits.entry_bytes // 2**20} MB")
    try:
        with archive.open(info) as fh:
            body = fh.read(info.file_size + 1)  # never more than declared: a lying entry is caught here
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as err:
        raise UploadError(said("the archive is damaged at {name!r} ({err}); nothing was imported",
                               name=info.filename[:80], err=str(err))) from err
    if len(body) > info.file_size:
        raise UploadError(said("{name!r} unpacks to more than it declares; nothing was imported",
                               name=info.filename[:80]))
    return body


def _class_of(parts: tuple[str, ...], root: tuple[str, ...]) -> str:
    inner = parts[len(root):]
    return inner[0] if len(inner) > 1 else ""


def convert(img: Image.Image, colour: bool) -> np.ndarray:
    """A picture as (1, 28, 28) grey or (3, 32, 32) colour uint8 (resized with Lanczos)."""
    if colour:
        return np.asarray(img.convert("RGB").resize((32, 32), Image.Resampling.LANCZOS), dtype=np.uint8).transpose(2, 0, 1)
    return np.asarray(img.convert("L").resize((28, 28), Image.Resampling.LANCZOS), dtype=np.uint8)[None]


def parse_images(data: bytes, *, colour: bool = False, limits: Limits = LIMITS):
    """(N, C, H, W) uint8 images, (N,) labels, class names and what was left out, from zip bytes."""
    archive, files = _entries(data, limits)
    candidates = [i for i in files if not PurePosixPath(i.filename).name.startswith((".", "__"))
                  and "__MACOSX" not in i.filename]
    parts = [_safe_parts(i.filename) for i in candidates]
    # one folder around everything (digits/0/a.png): the classes are the folders inside it
    root: tuple[str, ...] = ()
    while parts and all(len(p) > len(root) + 1 and p[len(root)] == parts[0][len(root)] for p in parts):
        root = parts[0][:len(root) + 1]
    images, classes, skipped = [], [], []
    for info, p in zip(candidates, parts):
        if not info.filename.lower().endswith(IMAGE_SUFFIXES):
            skipped.append(f"{info.filename[:60]} (not a PNG or JPEG)")
            continue
        if len(images) >= limits.images:
            skipped.append(f"everything after {limits.images:,} images")
            break
        try:
            img = read_image(_read_entry(archive, info, limits), max_bytes=limits.entry_bytes, max_pixels=limits.pixels)
        except ImageInputError as err:
            skipped.append(f"{info.filename[:60]} ({err})")
            continue
        images.append(convert(img, colour))
        classes.append(_class_of(p, root))
    if not images:
        if skipped:
            raise UploadError(said("the archive holds no PNG or JPEG image that could be read (left out: {left_out})",
                                   left_out="; ".join(skipped[:3])))
        raise UploadError(said("the archive holds no PNG or JPEG image that could be read"))
    names = sorted(set(classes))
    if "" in names and len(names) > 1:  # images beside the class folders: a class of their own
        names = [n or "(no folder)" for n in names]
        classes = [c or "(no folder)" for c in classes]
    labels = np.array([names.index(c) for c in classes], dtype=np.int64)
    return np.stack(images), labels, tuple(n or "all" for n in names), tuple(skipped)


# -- storing and loading -------------------------------------------------------------------------


def _write(root: Path, name: str, arrays: dict[str, np.ndarray], meta: dict) -> None:
    """Write a dataset into a temporary folder beside its place, then rename it there (never over one)."""
    root.mkdir(parents=True, exist_ok=True)
    final = (root / name).resolve()
    if final.parent != root.resolve():
        raise UploadError(said("{name!r} would leave the user data folder", name=name))
    if final.exists():
        raise _taken(name)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=root))
    try:
        for key, array in arrays.items():
            np.save(tmp / f"{key}.npy", array, allow_pickle=False)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
        os.rename(tmp, final)  # fails if another import of the same name won the race: nothing is overwritten
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if final.exists():
            raise _taken(name) from err
        raise UploadError(said("the dataset could not be written to {root} ({err})", root=str(root), err=str(err))) from err


def import_file(filename: str, data: bytes, name: str, data_dir: str | Path, *, colour: bool = False,
                limits: Limits = LIMITS) -> ImportResult:
    """A CSV (points) or a zip (images) as the user dataset ``name``, by the file's suffix."""
    name = check_name(name)
    root = user_root(data_dir)
    if (root / name).exists():
        raise _taken(name)
    suffix = PurePosixPath(str(filename)).suffix.lower()
    meta = {"name": name, "source": PurePosixPath(str(filename)).name[:120], "created": time.strftime("%Y-%m-%d %H:%M:%S")}
    if suffix in (".csv", ".txt"):
        x = parse_points(data, limits)
        _write(root, name, {"points": x}, {**meta, "kind": "points", "count": len(x), "shape": [x.shape[1]],
                                           "classes": []})
        return ImportResult(name, "points", len(x), (x.shape[1],), (), ())
    if suffix == ".zip":
        images, labels, classes, skipped = parse_images(data, colour=colour, limits=limits)
        _write(root, name, {"images": images, "labels": labels},
               {**meta, "kind": "images", "count": len(images), "shape": list(images.shape[1:]),
                "classes": list(classes), "skipped": list(skipped[:50])})
        return ImportResult(name, "images", len(images), tuple(images.shape[1:]), classes, skipped)
    raise UploadError(said("{name!r}: upload a .csv of points or a .zip of images",
                           name=PurePosixPath(str(filename)).name))


@dataclass(frozen=True)
class UserPoints:
    """A 1-D or 2-D point set someone uploaded: batches are rows drawn at random (no noise added)."""

    name: str
    points: torch.Tensor  # (N, d)
    extent: float
    n_classes: int = 1
    has_modes: bool = False
    sigma: float = 0.0

    @property
    def device(self) -> torch.device:
        return self.points.device

    @property
    def data_shape(self) -> tuple[int, ...]:
        return (self.points.shape[1],)

    @property
    def modes(self) -> torch.Tensor:
        return torch.zeros(0, self.points.shape[1])

    def batch(self, n: int, generator: torch.Generator):
        idx = torch.randint(len(self.points), (n,), generator=generator, device=self.device)
        return self.points[idx], torch.zeros(n, dtype=torch.long, device=self.device)

    def density(self, x: np.ndarray) -> np.ndarray:
        """A histogram density of 1-D points (for the line view)."""
        pts = self.points[:, 0].cpu().numpy()
        hist, edges = np.histogram(pts, bins=80, range=(-self.extent, self.extent), density=True)
        return hist[np.clip(np.digitize(x, edges) - 1, 0, len(hist) - 1)]

    def to(self, device) -> "UserPoints":
        return UserPoints(self.name, self.points.to(device), self.extent)


def load_user(name: str, data_dir: str | Path, device="cpu"):
    """``user:NAME`` as an :class:`ImageData` (images) or :class:`UserPoints`."""
    name = check_name(name)
    folder = user_root(data_dir) / name
    if not (folder / "meta.json").is_file():
        raise DatasetUnavailable(f"no imported dataset {USER_PREFIX}{name} in {folder.parent}; import it (Your own data on "
                                 "the Train page, or python -m ganlab data import FILE --name NAME)")
    try:
        meta = json.loads((folder / "meta.json").read_text())
        if meta["kind"] == "points":
            pts = torch.from_numpy(np.load(folder / "points.npy", allow_pickle=False)).float()
            extent = float(pts.abs().max()) * 1.15 or 1.0
            return UserPoints(USER_PREFIX + name, pts.to(device), extent)
        images = np.load(folder / "images.npy", allow_pickle=False)
        labels = np.load(folder / "labels.npy", allow_pickle=False)
    except (OSError, ValueError, KeyError) as err:
        raise DatasetUnavailable(f"the user dataset {USER_PREFIX}{name} is not in {folder.parent} or is damaged ({err}); "
                                 "import it again on the Train page or with python -m ganlab data import") from err
    x = torch.from_numpy(images).float().div(127.5).sub(1.0)  # uint8 -> [-1, 1]
    return ImageData(USER_PREFIX + name, x.to(device), torch.from_numpy(labels).long().to(device),
                     n_classes=max(1, len(meta.get("classes", [])) or 1), names=tuple(meta.get("classes", ())))
