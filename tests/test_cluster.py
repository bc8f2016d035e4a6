"""The Ray backend on a real local cluster (a Ray head on 127.0.0.1): runs in actors, the same handle as a
thread's, no actor outliving its session, a killed actor reported and resumed, the cluster-wide limit, an
unreachable cluster, and one lecture watched across two Streamlit servers in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.app_server import free_port, launch_chromium, streamlit_server
from tests.conftest import REPO, SHARED_DATA

ray = pytest.importorskip("ray", reason="the cluster tests need Ray: pip install -r requirements-dev.txt")
RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Ray head on 127.0.0.1 with 8 logical CPUs (runs ask for one each), stopped afterwards."""
    port, dash = free_port(), free_port()
    temp = tmp_path_factory.mktemp("ray")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    subprocess.run([RAY, "start", "--head", "--num-cpus", "8", "--port", str(port), "--node-ip-address", "127.0.0.1",
                    "--dashboard-host", "127.0.0.1", "--dashboard-port", str(dash), "--temp-dir", str(temp),
                    "--disable-usage-stats"], check=True, env=env, capture_output=True, timeout=180)
    address = f"127.0.0.1:{port}"
    old = {k: os.environ.get(k) for k in ("GANLAB_RAY_ADDRESS", "GANLAB_USER_CHECKPOINTS")}
    os.environ["GANLAB_RAY_ADDRESS"] = address
    os.environ["GANLAB_USER_CHECKPOINTS"] = str(tmp_path_factory.mktemp("shared-checkpoints"))  # every node reaches it
    try:
        yield address
    finally:
        if ray.is_initialized():
            ray.shutdown()
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)


def alive_runs() -> list:
    from ray.util.state import list_actors

    return [a for a in list_actors(filters=[("state", "=", "ALIVE")]) if a.class_name == "RunActor"]


def wait(predicate, timeout=60.0):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_a_run_in_an_actor_behaves_as_a_run_in_a_thread(cluster):
    from ganlab.cluster.runs import RayRun, actor_options
    from ganlab.config import ConfigError, default_config

    run = RayRun(default_config("ring8", hidden=32), source="test")
    assert run.status().state == "ready" and run.config.data.name == "ring8"
    run.step(5)
    assert run.wait_steps(30) and run.status().step == 5
    run.start()
    assert wait(lambda: run.status().step > 50)
    snap = run.look().snapshot
    assert snap.column("step")[-1] > 50 and run.samples().fake.shape == (2500, 2)
    with pytest.raises(ConfigError, match="lr_d must be greater than 0"):
        run.set_hparams(lr_d=-1)
    trips = [run.refresh_round_trip() for _ in range(5)]
    assert max(trips) < 5.0  # one call a redraw, well under a second on this machine (docs/deploy.md)
    assert set(run.nets_snapshot()) == {"gen", "disc"} and run.checkpoint_bytes()[:2] == b"PK"
    run.pause()
    assert len(alive_runs()) == 1
    run.stop()
    assert wait(lambda: not alive_runs(), 30), "the actor outlived its stop"
    assert actor_options(default_config("ring8", device="auto")) == {"num_cpus": 1, "max_restarts": 0}


def test_every_variant_trains_through_the_cluster(cluster):
    """Each registered variant, on MNIST (which every one of them takes), takes two steps in its own actor."""
    from ganlab import variants
    from ganlab.cluster.runs import RayRun
    from ganlab.config import default_config

    for name in variants.names():
        run = RayRun(default_config("mnist", model=name, batch_size=8, data_dir=str(SHARED_DATA)), source="test")
        try:
            run.step(2)
            assert run.wait_steps(120) and run.status().step == 2, (name, run.status())
            assert run.config.model.arch == name
        finally:
            run.stop()
    assert wait(lambda: not alive_runs(), 60)


def test_a_cuda_run_asks_for_a_share_of_a_gpu(cluster, monkeypatch):
    from dataclasses import replace

    from ganlab.cluster.runs import actor_options
    from ganlab.config import default_config

    config = replace(default_config("ring8"), device="cuda")  # the request only: no GPU is needed to build it
    monkeypatch.setenv("GANLAB_RAY_GPU_FRACTION", "0.25")
    assert actor_options(config) == {"num_cpus": 1, "max_restarts": 0, "num_gpus": 0.25}


def test_a_killed_actor_is_reported_and_resumes_from_its_autosave(cluster, tmp_path):
    from ganlab.cluster.runs import RayRun
    from ganlab.config import default_config

    run = RayRun(default_config("ring8", hidden=32), source="test")
    save = Path(os.environ["GANLAB_USER_CHECKPOINTS"]) / "lost.pt"
    run.set_autosave(50, save)
    run.start()
    assert wait(lambda: save.is_file() and run.status().step > 120, 60)
    os.kill(run.pid(), signal.SIGKILL)
    assert wait(lambda: run.status().message is not None, 30)
    assert "The process training this run on the cluster stopped" in run.status().message
    assert run.recoverable
    from ganlab.persist.checkpoint import load

    saved = load(save).step  # the block in which a multiple of 50 fell: 50 <= saved
    # a page's scripts do not wait for each other: Resume pressed while the new actor is still starting
    # comes from another script thread; it waits for the switch and then trains (it used to be dropped)
    import threading

    coming_back = threading.Thread(target=run.recover)
    coming_back.start()
    assert wait(lambda: run._resuming.locked() or not coming_back.is_alive(), 10)
    if coming_back.is_alive():
        assert "Resuming from the last autosave" in run.status().message and not run.recoverable
    run.start()
    coming_back.join(60)
    assert wait(lambda: run.status().step > saved + 50), run.status()
    run.pause()
    run.stop()
    assert wait(lambda: not alive_runs(), 30)


def test_the_cluster_wide_limit_says_busy(cluster, monkeypatch):
    from ganlab.cluster.runs import RayRun
    from ganlab.config import default_config
    from ganlab.training.capacity import Busy

    monkeypatch.setenv("GANLAB_RAY_MAX_RUNS", "1")
    first, second = (RayRun(default_config("ring8", hidden=16), source="test") for _ in range(2))
    try:
        first.start()
        with pytest.raises(Busy, match="The cluster is busy: 1 runs are training now"):
            second.start()
        first.pause()  # a slot freed by a pause is free for the next
        second.start()
        assert wait(lambda: second.status().state == "running")
    finally:
        first.stop()
        second.stop()
    assert wait(lambda: not alive_runs(), 30)


def test_an_unreachable_cluster_is_a_message_not_a_hang(monkeypatch):
    code = ("import os, time; os.environ['GANLAB_RAY_ADDRESS'] = '127.0.0.1:%d'\n"
            "import ganlab.cluster.connection as c; c.CONNECT_TIMEOUT_S = 8\n"
            "t = time.time()\n"
            "try:\n    c.connect()\nexcept c.ClusterUnavailable as e:\n    print(round(time.time() - t), e)\n") % free_port()
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "cannot be reached" in out.stdout and "unset GANLAB_RAY_ADDRESS" in out.stdout, out.stdout + out.stderr
    assert int(out.stdout.split()[0]) <= 15


def page_step(page) -> int:
    """The Step counter of a Train or Lecture page."""
    text = page.locator('[data-testid="stMetric"]').filter(has_text="Step").first.inner_text()
    return int(re.search(r"([\d,]+)\s*$", text).group(1).replace(",", ""))


def two_replicas(cluster):
    env = {"GANLAB_DATA": str(SHARED_DATA), "GANLAB_RAY_ADDRESS": cluster,
           "GANLAB_USER_CHECKPOINTS": os.environ["GANLAB_USER_CHECKPOINTS"]}
    ttl = ("--server.disconnectedSessionTTL", "2")
    return streamlit_server(*ttl, env=env, timeout=120), streamlit_server(*ttl, env=env, timeout=120)


def start_training(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(url)
    page.get_by_role("button", name="Start").wait_for(timeout=150000)
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=60000)
    return page


def test_runs_on_both_replicas_train_and_a_killed_actor_resumes_from_the_page(cluster):
    """A browser on each of two servers trains through an actor of its own; the first turns on autosave, its
    actor's process is killed, its page says so in plain words, and the page's Resume button continues the
    run from the autosave; closing the tabs leaves no actor behind."""
    from playwright.sync_api import sync_playwright

    first_server, second_server = two_replicas(cluster)
    with first_server as (one, _), second_server as (two, _), sync_playwright() as p:
        browser = launch_chromium(p, "--disable-background-networking", "--disable-component-update")
        a = browser.new_page(viewport={"width": 1400, "height": 1100})
        a.goto(one)
        a.get_by_text("Save a checkpoint").wait_for(timeout=150000)
        a.get_by_text("Save a checkpoint").click()
        every = a.get_by_label("Also save automatically every N steps (0 = off)")
        every.fill("100")
        every.press("Enter")
        time.sleep(2)
        a.get_by_role("button", name="Start").click()
        a.get_by_role("button", name="Pause").wait_for(timeout=60000)
        assert wait(lambda: len(alive_runs()) == 1, 60)
        a_pid = alive_runs()[0].pid  # the first server's run
        b = start_training(browser, two)
        b_first = page_step(b)
        a.get_by_text("autosaved at step").first.wait_for(timeout=120000)
        assert wait(lambda: page_step(b) > b_first + 50, 90), "the run on the second server did not train"
        assert wait(lambda: len(alive_runs()) == 2, 30), [x.name for x in alive_runs()]  # one actor per server's run
        os.kill(a_pid, signal.SIGKILL)
        a.get_by_text("The process training this run on the cluster stopped").wait_for(timeout=60000)
        (REPO / "test-artifacts").mkdir(exist_ok=True)
        a.screenshot(path=str(REPO / "test-artifacts" / "cluster-actor-lost.png"), full_page=True)
        a.get_by_role("button", name="Resume from the last autosave").click()
        a.get_by_role("button", name="Resume", exact=True).wait_for(timeout=60000)  # paused at the autosave's step
        resumed = page_step(a)
        assert resumed >= 100
        a.get_by_role("button", name="Resume", exact=True).click()
        if not wait(lambda: page_step(a) > resumed + 50, 90):
            a.screenshot(path=str(REPO / "test-artifacts" / "cluster-resume-failed.png"), full_page=True)
            shown = a.locator('[data-testid="stMain"]').inner_text()[:1500]
            raise AssertionError(f"the resumed run did not train (actors {[x.name for x in alive_runs()]}); "
                                 f"the page said:\n{shown}")
        a.screenshot(path=str(REPO / "test-artifacts" / "cluster-actor-resumed.png"), full_page=True)
        a.close()
        b.close()
        browser.close()
    assert wait(lambda: not alive_runs(), 90), [x.name for x in alive_runs()]


def test_a_lecture_shared_across_two_server_replicas(cluster):
    """Server 1's presenter trains and shares; a student on server 2 watches the same run live; closing
    the tabs leaves no actor behind."""
    from playwright.sync_api import sync_playwright

    first_server, second_server = two_replicas(cluster)
    with first_server as (one, _), second_server as (two, _):
        with sync_playwright() as p:
            browser = launch_chromium(p, "--disable-background-networking", "--disable-component-update")
            presenter = start_training(browser, one)
            presenter.get_by_role("button", name="Share this run").click()
            presenter.get_by_text("Your run is shared").wait_for(timeout=60000)
            student = browser.new_page(viewport={"width": 1400, "height": 1100})
            student.goto(two + "/lecture")
            student.get_by_text("Watching the presenter's run").wait_for(timeout=150000)
            first = page_step(student)
            assert wait(lambda: page_step(student) > first + 20, 60), "the student's page did not follow the run"
            (REPO / "test-artifacts").mkdir(exist_ok=True)
            student.screenshot(path=str(REPO / "test-artifacts" / "cluster-lecture-replica2.png"), full_page=True)
            assert len(alive_runs()) >= 1  # the presenter's run is an actor
            presenter.close()
            student.close()
            browser.close()
        assert wait(lambda: not alive_runs(), 90), [a.name for a in alive_runs()]
