import io
import os
import pickle

import numpy as np
import pytest
import torch

from ganlab.config import default_config
from ganlab.persist import checkpoint as ck
from ganlab.training.resume import resume
from ganlab.training.trainer import Trainer

SMALL = dict(hidden=32, depth=2, batch_size=64)


@pytest.fixture
def saved(tmp_path):
    t = Trainer(default_config("ring8", model="cgan", **SMALL))
    t.run(20)
    path = ck.save(t, tmp_path / "run" / "checkpoint.pt")
    return t, path


def test_checkpoint_describes_itself(saved):
    t, path = saved
    raw = torch.load(path, weights_only=True)
    assert raw["format"] == ck.FORMAT and raw["step"] == 20
    assert raw["config"]["model"]["arch"] == "cgan" and raw["model_args"]["n_classes"] == 8
    assert set(raw["versions"]) == {"ganlab", "torch"}
    c = ck.load(path.parent)  # a run folder works too
    gen = c.build_generator()
    z, y = torch.randn(4, 2), torch.arange(4)
    with torch.no_grad():
        shown = t.shown_generator  # ring8's defaults keep a weight average; samples come from it
        assert shown is t.parts.gen_ema
        assert torch.equal(gen(z, y), shown(z, y))
        assert not torch.equal(gen(z, y), t.parts.gen.eval()(z, y)), "the raw G is stored beside the average"


def test_a_file_of_the_average_only_draws_the_same_samples_and_resumes_from_them(saved, tmp_path):
    """``average_only``: the weight average is stored as the generator, the raw G is left out."""
    t, path = saved
    small = ck.save(t, tmp_path / "small.pt", optimisers=False, average_only=True)
    raw = torch.load(small, weights_only=True)
    assert "gen_ema" not in raw and "opt_g" not in raw
    assert small.stat().st_size < ck.save(t, tmp_path / "full.pt", optimisers=False).stat().st_size
    z, y = torch.randn(4, 2), torch.arange(4)
    with torch.no_grad():
        assert torch.equal(ck.load(small).build_generator()(z, y), t.shown_generator(z, y))
    resumed = resume(ck.load(small))
    assert resumed.step == 20 and resumed.parts.gen_ema is not None
    for a, b in zip(resumed.parts.gen.parameters(), t.parts.gen_ema.parameters()):
        assert torch.equal(a, b)  # the run continues from the average
    resumed.run(5)
    assert resumed.step == 25


def test_both_translators_of_a_cyclegan_are_averaged_saved_and_resumed(tmp_path):
    """A run's weight average follows every generator its variant names (CycleGAN's F: B -> A too, the
    direction pages open on); the file keeps each average, pages draw from it, a run resumes with it."""
    t = Trainer(default_config("moons", model="cyclegan", hidden=16, depth=2, batch_size=32, ema=0.9))
    t.run(30)
    p = t.parts
    assert set(p.averages) == {"gen_ba"}
    raw_f, avg_f = p.nets["gen_ba"], p.averages["gen_ba"]
    assert not all(torch.equal(a, b) for a, b in zip(raw_f.parameters(), avg_f.parameters()))
    assert t.shown_nets["gen_ba"] is avg_f and t.shown_nets["disc_a"] is p.nets["disc_a"]
    path = ck.save(t, tmp_path / "c.pt")
    c = ck.load(path)
    x = torch.randn(6, 2)
    with torch.no_grad():
        assert torch.equal(c.build_nets()["gen_ba"](x), avg_f(x))
    resumed = resume(c)
    for a, b in zip(resumed.parts.averages["gen_ba"].parameters(), avg_f.parameters()):
        assert torch.equal(a, b)
    small = ck.save(t, tmp_path / "small.pt", optimisers=False, average_only=True)
    raw = torch.load(small, weights_only=True)
    assert "averages" not in raw and "gen_ema" not in raw
    with torch.no_grad():
        assert torch.equal(ck.load(small).build_nets()["gen_ba"](x), avg_f(x))
    full = torch.load(path, weights_only=True)
    full["averages"] = {"disc_a": full["averages"]["gen_ba"]}  # an average of a net that is not a generator
    buf = io.BytesIO()
    torch.save(full, buf)
    with pytest.raises(ck.CheckpointError, match="weight averages"):
        ck.load(buf.getvalue())


def test_resume_continues_exactly(saved):
    t, path = saved
    resumed = resume(ck.load(path))
    assert resumed.step == 20
    t.run(10)
    resumed.run(10)
    a = t.store.snapshot().mean[-10:, 1:7]
    b = resumed.store.snapshot().mean[-10:, 1:7]
    assert np.array_equal(a, b), "optimiser and RNG state must carry over"


def test_atomic_write_leaves_no_temp_files_and_keeps_old_file_on_failure(saved, tmp_path):
    t, path = saved
    before = path.read_bytes()
    t.diverged = "forced"
    with pytest.raises(ck.CheckpointError, match="diverged"):
        ck.save(t, path)
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["checkpoint.pt"]


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/ganlab-pwned",))


def _bad_files(tmp_path, good: bytes):
    raw = torch.load(io.BytesIO(good), weights_only=True)
    wrong = dict(raw, nets=dict(raw["nets"], gen={k: torch.zeros(3) for k in raw["nets"]["gen"]}))
    buf = io.BytesIO()
    torch.save(wrong, buf)
    mismatch = dict(raw, model_args=dict(raw["model_args"], hidden=999))
    buf2 = io.BytesIO()
    torch.save(mismatch, buf2)
    return {
        "empty": (b"", "empty"),
        "truncated": (good[: len(good) // 2], "not a ganlab checkpoint"),
        "random": (np.random.default_rng(0).bytes(5000), "not a ganlab checkpoint"),
        "pickle with code": (pickle.dumps(Evil()), "not a ganlab checkpoint"),
        "torch-saved code": (_torch_bytes({"format": ck.FORMAT, "x": Evil()}), "not a ganlab checkpoint"),
        "wrong shapes": (buf.getvalue(), "do not fit"),
        "args vs config": (buf2.getvalue(), "do not match"),
        "plain tensor": (_torch_bytes(torch.zeros(2)), "no 'ganlab-checkpoint' tag"),
        "a network missing": (_torch_bytes(dict(raw, nets={"gen": raw["nets"]["gen"]})), "do not fit"),
        "another variant's args": (_torch_bytes(dict(raw, model_args=dict(raw["model_args"], arch="mlp"))),
                                   "do not match"),
        "unknown variant": (_torch_bytes(dict(raw, config=dict(raw["config"], model=dict(raw["config"]["model"],
                                                                                        arch="nope")))),
                            "damaged description"),
    }


def _torch_bytes(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def test_bad_files_are_rejected_and_nothing_runs(saved, tmp_path):
    _, path = saved
    if os.path.exists("/tmp/ganlab-pwned"):
        os.remove("/tmp/ganlab-pwned")
    for name, (data, words) in _bad_files(tmp_path, path.read_bytes()).items():
        with pytest.raises(ck.CheckpointError, match=words):
            ck.load(data)
        f = tmp_path / f"{name}.pt"
        f.write_bytes(data)
        with pytest.raises(ck.CheckpointError):
            ck.load(f)
    assert not os.path.exists("/tmp/ganlab-pwned"), "a checkpoint executed code"


def test_oversized_is_refused_before_parsing(saved):
    _, path = saved
    with pytest.raises(ck.CheckpointError, match="limited to"):
        ck.load(path, max_bytes=100)
    with pytest.raises(ck.CheckpointError, match="cannot be read"):
        ck.load(path.parent / "missing.pt")


def test_a_checkpoint_read_back_is_the_same_file_again(saved):
    """What a page sends a worker to resume (``to_bytes_of``) reads as the checkpoint it came from."""
    _, path = saved
    ckpt = ck.load(path)
    again = ck.load(ck.to_bytes_of(ckpt))
    assert (again.config, again.args, again.step, again.train_seconds) == (ckpt.config, ckpt.args, ckpt.step,
                                                                           ckpt.train_seconds)
    for name, state in ckpt.nets.items():
        assert all(torch.equal(state[k], again.nets[name][k]) for k in state)
    assert torch.equal(again.rng, ckpt.rng) and again.opt_d is not None
