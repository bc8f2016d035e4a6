"""The checkpoints folder: pretrained models (read-only) and the user's saves and uploads.

Pretrained checkpoints ship in ``checkpoints/``; saves from the Train page and
uploads land in ``checkpoints/user/``. Every name a person types or uploads is
checked against one pattern, so nothing outside those folders can be read,
written or deleted, and an upload never overwrites an existing file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ganlab.persist.checkpoint import MAX_BYTES, Checkpoint, CheckpointError, atomic_write, load, to_bytes
from ganlab.said import said

# The judges shipped beside the GAN checkpoints (ganlab.evaluation.classifier's LeNets), which are not GAN
# checkpoints and are not listed: the file of each dataset that has one
JUDGE_FILES = {"mnist": "mnist-classifier.pt", "fashion-mnist": "fashion-classifier.pt"}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "checkpoints"


@dataclass(frozen=True)
class Entry:
    name: str  # "mnist-cdcgan" (pretrained) or "user/my-run"
    path: Path
    pretrained: bool
    size: int

    @property
    def label(self) -> str:
        return f"{self.name} (pretrained)" if self.pretrained else self.name


def clean_name(name: str) -> str:
    """A safe file stem: letters, digits, '.', '_' and '-', at most 64 characters, no path parts."""
    stem = str(name).strip()
    if stem.endswith(".pt"):
        stem = stem[:-3]
    if not NAME.match(stem) or stem in (".", "..") or ".." in stem:
        raise CheckpointError(said("{name!r} is not a valid checkpoint name: use letters, digits, '.', '_' and '-' "
                                   "(up to 64, starting with a letter or digit)", name=name))
    return stem


class CheckpointDir:
    def __init__(self, root: str | Path = DEFAULT_ROOT):
        """Pretrained models in ``root``; the user's in ``$GANLAB_USER_CHECKPOINTS`` when set (a folder every
        node of a cluster and every server replica reaches, docs/deploy.md), else ``root/user``."""
        self.root = Path(root).resolve()
        env = os.environ.get("GANLAB_USER_CHECKPOINTS", "").strip()
        self.user = Path(env).resolve() if env else self.root / "user"

    def entries(self) -> list[Entry]:
        """Pretrained first, then the user's, each sorted by name."""
        out = []
        for folder, pretrained in ((self.root, True), (self.user, False)):
            if not folder.is_dir():
                continue
            for p in sorted(folder.glob("*.pt")):
                if p.is_file() and not p.is_symlink() and NAME.match(p.stem) and p.name not in JUDGE_FILES.values():
                    out.append(Entry(p.stem if pretrained else f"user/{p.stem}", p, pretrained, p.stat().st_size))
        return out

    def find(self, name: str) -> Entry:
        for e in self.entries():
            if e.name == name:
                return e
        raise CheckpointError(said("no checkpoint named {name!r}", name=name))

    def load(self, name: str) -> Checkpoint:
        return load(self.find(name).path)

    def user_path(self, name: str) -> Path:
        """Where user checkpoint ``name`` lives; raises for any name that is not a plain, safe stem."""
        self.user.mkdir(parents=True, exist_ok=True)
        path = (self.user / f"{clean_name(name)}.pt").resolve()
        if path.parent != self.user:
            raise CheckpointError(said("{name!r} would leave the checkpoints folder", name=name))
        return path

    def save(self, trainer, name: str, *, overwrite: bool = True) -> Entry:
        """Atomically save ``trainer`` as user/<name>.pt."""
        return self.save_bytes(to_bytes(trainer), name, overwrite=overwrite)

    def save_bytes(self, data: bytes, name: str, *, overwrite: bool = True) -> Entry:
        """Atomically write a checkpoint's bytes (a run's own, from wherever it trains) as user/<name>.pt."""
        path = self.user_path(name)
        if path.exists() and not overwrite:
            raise CheckpointError(said("a checkpoint named {name} exists; choose another name", name=f"user/{path.stem}"))
        atomic_write(path, data)
        return Entry(f"user/{path.stem}", path, False, path.stat().st_size)

    def upload(self, filename: str, data: bytes) -> Entry:
        """Validate untrusted bytes as a checkpoint, then store them as user/<name>.pt (never overwriting)."""
        if len(data) > MAX_BYTES:
            raise CheckpointError(said("the upload is {mb:.1f} MB; checkpoints are limited to {limit:.0f} MB",
                                       mb=len(data) / 2**20, limit=MAX_BYTES / 2**20))
        path = self.user_path(Path(str(filename)).name)
        load(bytes(data))  # raises CheckpointError for anything that is not a valid, safe checkpoint
        if path.exists():
            raise CheckpointError(said("a checkpoint named {name} already exists; rename the file and retry",
                                       name=f"user/{path.stem}"))
        atomic_write(path, bytes(data))
        return Entry(f"user/{path.stem}", path, False, len(data))

    def delete(self, name: str) -> None:
        entry = self.find(name)
        if entry.pretrained:
            raise CheckpointError(said("{name} is a pretrained model and cannot be deleted", name=name))
        entry.path.unlink()

    def read_bytes(self, name: str) -> bytes:
        return self.find(name).path.read_bytes()
