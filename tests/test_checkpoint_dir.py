import os
import pickle
from pathlib import Path

import pytest

from ganlab.config import default_config
from ganlab.persist.checkpoint import CheckpointError, to_bytes
from ganlab.persist.checkpoint_dir import JUDGE_FILES, CheckpointDir
from ganlab.training.trainer import Trainer


@pytest.fixture
def shelf(tmp_path):
    t = Trainer(default_config("ring8", hidden=16))
    t.run(3)
    (tmp_path / "ring8-pre.pt").write_bytes(to_bytes(t))  # stands in for a shipped pretrained model
    return CheckpointDir(tmp_path), t


@pytest.mark.parametrize("name", ["../escape", "/etc/passwd", "a/b", "..", ".hidden", "x" * 70, "", "a b",
                                  "..\\win", "con:", "ok/../../up"])
def test_names_cannot_escape(shelf, name):
    d, t = shelf
    with pytest.raises(CheckpointError, match="not a valid checkpoint name"):
        d.save(t, name)
    assert sorted(p.name for p in d.root.rglob("*") if p.is_file()) == ["ring8-pre.pt"]


def test_save_list_load_delete(shelf):
    d, t = shelf
    d.save(t, "mine")
    assert [e.name for e in d.entries()] == ["ring8-pre", "user/mine"]
    assert d.load("user/mine").step == 3
    assert os.stat(d.find("user/mine").path).st_mode & 0o044  # readable by others, like any saved file
    with pytest.raises(CheckpointError, match="cannot be deleted"):
        d.delete("ring8-pre")
    d.delete("user/mine")
    assert [e.name for e in d.entries()] == ["ring8-pre"]
    with pytest.raises(CheckpointError, match="no checkpoint named"):
        d.delete("user/mine")


def test_uploads_are_validated_and_never_overwrite(shelf):
    d, t = shelf
    good = to_bytes(t)
    assert d.upload("friend.pt", good).name == "user/friend"
    with pytest.raises(CheckpointError, match="already exists"):
        d.upload("friend.pt", good)
    for bad in (b"", b"\x00" * 100, pickle.dumps({"format": "ganlab-checkpoint"}), good[:1000]):
        with pytest.raises(CheckpointError):
            d.upload("bad.pt", bad)
    # an uploaded file's name loses any folder part, so it lands inside checkpoints/user/
    assert d.upload("../../evil.pt", good).path == d.user / "evil.pt"
    assert not (d.root.parent / "evil.pt").exists()
    with pytest.raises(CheckpointError, match="not a valid checkpoint name"):
        d.upload("..pt", good)
    assert [e.name for e in d.entries()] == ["ring8-pre", "user/evil", "user/friend"]
    assert d.read_bytes("user/friend") == good


def test_every_shipped_checkpoint_is_small_and_describes_itself():
    """The repository stays small (each file under 5 MiB), and each pretrained file loads from itself alone."""
    from ganlab.persist.checkpoint import load

    shipped = sorted(Path(CheckpointDir().root).glob("*.pt"))
    assert len(shipped) >= 12
    for path in shipped:
        assert path.stat().st_size < 5 * 2**20, f"{path.name}: {path.stat().st_size:,} bytes"
        if path.name not in JUDGE_FILES.values():  # the LeNet judges are classifier files
            assert load(path).variant.key == load(path).args.arch
