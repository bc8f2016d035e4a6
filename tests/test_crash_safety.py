"""Killing the process in the middle of a checkpoint save never leaves a corrupt or missing checkpoint."""

import subprocess
import sys
import time

import pytest

from ganlab.persist.checkpoint import load
from tests.conftest import REPO

SAVER = """
import sys
from ganlab.persist.checkpoint import save
from ganlab.config import default_config
from ganlab.training.trainer import Trainer
t = Trainer(default_config("ring8"))
save(t, sys.argv[1])
print("ready", flush=True)
while True:
    t.run(1)
    save(t, sys.argv[1])
"""


@pytest.mark.slow
def test_sigkill_during_saves_leaves_a_good_checkpoint(tmp_path):
    path = tmp_path / "latest.pt"
    steps_seen = set()
    for delay in (0.05, 0.13, 0.29, 0.41, 0.6, 0.77, 1.0, 1.3):
        proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.kill()  # SIGKILL: no cleanup handlers run
        proc.wait(10)
        ckpt = load(path)  # never raises: the file is always a whole checkpoint
        steps_seen.add(ckpt.step)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name != "latest.pt"]
        for name in leftovers:  # a killed save may leave its temporary file, never a half-written latest.pt
            assert name.startswith(".latest.pt.") and name.endswith(".tmp")
    assert len(steps_seen) > 1, "the saver should have been killed at different points of its work"
