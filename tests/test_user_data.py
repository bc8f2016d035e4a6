"""Your own data: CSVs of points and zips of images become user:NAME datasets; every bad upload gets a
clear message, nothing lands outside the user data folder, and nothing existing is overwritten."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from ganlab.config import ConfigError, default_config
from ganlab.data.datasets import load_data
from ganlab.data.user_data import Limits, UploadError, import_file, list_datasets, user_root
from ganlab.training.trainer import Trainer
from tests.test_translation import _png


def _image(colour=(200, 30, 30), size=(40, 30), fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format=fmt)
    return buf.getvalue()


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("GANLAB_USER_DATA", raising=False)
    return tmp_path / "data"


def _everything_under(path):
    return sorted(str(p.relative_to(path)) for p in path.rglob("*")) if path.exists() else []


def test_a_zip_of_class_folders_trains_a_conditional_model(data_dir):
    entries = {f"pets/{c}/{i}.png": _image((40 * i, 100 if c == "cat" else 10, 50)) for c in ("cat", "dog") for i in range(6)}
    entries["pets/notes.txt"] = b"not an image"
    entries["pets/dog/broken.jpg"] = _image(fmt="JPEG")[:40]
    result = import_file("pets.zip", _zip(entries), "pets", data_dir)
    assert result.count == 12 and result.shape == (1, 28, 28) and result.classes == ("cat", "dog")
    assert any("not a PNG or JPEG" in s for s in result.skipped) and any("broken.jpg" in s for s in result.skipped)
    assert "2 classes (cat, dog)" in result.message and "Left out 2" in result.message
    d = load_data("user:pets", data_dir)
    assert d.images.shape == (12, 1, 28, 28) and d.images.min() >= -1 and d.n_classes == 2
    assert d.class_names == ("cat", "dog") and sorted(d.labels.tolist()) == [0] * 6 + [1] * 6
    t = Trainer(default_config("user:pets", model="cdcgan", hidden=8, batch_size=8, data_dir=str(data_dir), device="cpu"))
    t.run(3)
    assert t.args.n_classes == 2 and t.sample_fixed().shape == (20, 1, 28, 28)
    colour = import_file("pets.zip", _zip(entries), "pets-colour", data_dir, colour=True)
    assert colour.shape == (3, 32, 32)
    t = Trainer(default_config("user:pets-colour", model="dcgan", hidden=8, batch_size=8, data_dir=str(data_dir),
                               device="cpu"))
    t.run(2)
    assert t.sample_fixed().shape[1:] == (3, 32, 32)
    assert {m["name"] for m in list_datasets(data_dir)} == {"pets", "pets-colour"}


def test_a_csv_of_points_trains_the_2d_model(data_dir):
    rows = "x,y\n" + "\n".join(f"{np.cos(k / 5):.4f},{np.sin(k / 5):.4f}" for k in range(300))
    result = import_file("ring.csv", rows.encode(), "my-ring", data_dir)
    assert result.kind == "points" and result.count == 300 and result.shape == (2,)
    t = Trainer(default_config("user:my-ring", data_dir=str(data_dir), device="cpu"))
    t.run(5)
    assert t.sample_fixed().shape[1] == 2 and t.config.model.arch == "mlp"
    with pytest.raises(ConfigError, match="needs image data"):
        default_config("user:my-ring", model="dcgan", data_dir=str(data_dir))


BAD_CSV = {
    "text": (b"x,y\n1,2\nhello,3\n" + b"1,1\n" * 20, "row 3 holds text"),
    "nan": (b"1,2\n" * 20 + b"nan,1\n", "NaN or an infinite"),
    "three columns": (b"1,2,3\n" * 20, "3 columns"),
    "ragged": (b"1,2\n" * 20 + b"4\n", "has 1 columns, the rows before it 2"),
    "too few": (b"1,2\n" * 3, "at least 10"),
    "not text": (b"\xff\xfe\x00\x01" * 50, "not text"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSV))
def test_a_bad_csv_is_explained(case, data_dir):
    data, words = BAD_CSV[case]
    with pytest.raises(UploadError, match=words):
        import_file(f"{case}.csv", data, "bad", data_dir)
    assert _everything_under(user_root(data_dir)) == []


def _bomb() -> bytes:
    """A zip whose one entry inflates 20,000x: 200 MB of zeros in about 200 KB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("zeros.png", "w", force_zip64=True) as fh:
            block = b"\0" * 2**20
            for _ in range(200):
                fh.write(block)
    return buf.getvalue()


def _lying_zip() -> bytes:
    """An entry whose directory declares 100 bytes but that inflates to 2 MB."""
    data = bytearray(_zip({"a/x.png": b"\0" * 2 * 2**20}))
    # patch the declared uncompressed size (local header offset 22, central directory's offset 24)
    real = (2 * 2**20).to_bytes(4, "little")
    for at in [i for i in range(len(data) - 4) if data[i:i + 4] == real]:
        data[at:at + 4] = (100).to_bytes(4, "little")
    return bytes(data)


BAD_ZIPS = {
    "not a zip": (lambda: b"PK\x03\x04 but not really a zip", "not a zip archive"),
    "zip bomb": (_bomb, "would unpack to 200 MB"),
    "too many entries": (lambda: _zip({f"{i}.png": b"" for i in range(30)}), "holds 30 entries"),
    "climbs out": (lambda: _zip({"ok/a.png": _image(), "../../etc/evil.png": _image()}), "climbs out of it"),
    "absolute": (lambda: _zip({"/etc/evil.png": _image()}), "unsafe name"),
    "backslash": (lambda: _zip({"..\\evil.png": _image()}), "unsafe name"),
    "no images": (lambda: _zip({"a.txt": b"x", "b.csv": b"1,2"}), "holds no PNG or JPEG"),
    "only broken images": (lambda: _zip({"a.png": b"\x89PNG\r\n\x1a\n junk"}), "holds no PNG or JPEG"),
    "image bomb": (lambda: _zip({"big.png": _png(60000, 60000)}), "holds no PNG or JPEG image that could be read"),
    "lies about its size": (_lying_zip, "damaged at 'a/x.png'"),  # zipfile stops at the declared size: a bad CRC
}


@pytest.mark.parametrize("case", sorted(BAD_ZIPS))
def test_a_bad_archive_is_explained_and_nothing_is_written(case, data_dir):
    make, words = BAD_ZIPS[case]
    limits = Limits(entries=20, declared_bytes=50 * 2**20)
    with pytest.raises(UploadError, match=words):
        import_file(f"{case}.zip", make(), "bad", data_dir, limits=limits)
    assert _everything_under(user_root(data_dir)) == [] and not (data_dir.parent / "etc").exists()


def test_sizes_are_checked_before_anything_is_allocated(data_dir):
    """The bounds hold on what a file declares: a 60000 x 60000 PNG (3.6 GB of pixels) is refused from its
    28-byte header, and an archive's declared total before a byte of it is inflated."""
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(UploadError):
        import_file("bomb.zip", _zip({"big.png": _png(60000, 60000)}), "x", data_dir)
    with pytest.raises(UploadError):
        import_file("bomb.zip", _bomb(), "x", data_dir, limits=Limits(declared_bytes=50 * 2**20))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 20 * 2**20, f"peak {peak / 2**20:.0f} MB"


def test_names_are_checked_and_nothing_is_overwritten(data_dir):
    good = _zip({f"{i}.png": _image() for i in range(3)})
    import_file("a.zip", good, "mine", data_dir)
    before = _everything_under(user_root(data_dir))
    with pytest.raises(UploadError, match="exists already"):
        import_file("a.zip", good, "mine", data_dir)
    for bad in ("../up", "a/b", "", ".hidden", "x" * 60):
        with pytest.raises(UploadError, match="not a dataset name"):
            import_file("a.zip", good, bad, data_dir)
    assert _everything_under(user_root(data_dir)) == before
    with pytest.raises(UploadError, match="upload a .csv of points or a .zip"):
        import_file("a.tar", good, "other", data_dir)
    one = import_file("a.zip", good, "single", data_dir)
    assert one.classes == ("all",) and "one class" in one.message
