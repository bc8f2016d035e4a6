"""The Ray backend on a real local cluster (a Ray head on 127.0.0.1): the pool's workers as named actors shared
by every run and every server replica, the same handle as a run in this process, a killed worker reported and
its run resumed on another, an unreachable cluster, and one lecture watched across two Streamlit servers in
Chromium."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from harness.app_server import free_port, streamlit_server
from harness.browsing import drawn_in_full, open_tab, step_of, until
from tests.conftest import REPO, SHARED_DATA

ray = pytest.importorskip("ray", reason="the cluster tests need Ray: pip install -r requirements-dev.txt")
pytestmark = [pytest.mark.cluster, pytest.mark.slow]
RAY = shutil.which("ray", path=str(Path(sys.executable).parent)) or "ray"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Ray head on 127.0.0.1 with 8 logical CPUs (runs ask for one each), stopped afterwards."""
    port, dash = free_port(), free_port()
    # Ray puts its sockets under its temp dir and a socket's path may not pass 107 bytes: pytest's own temp dirs
    # (deeper still under xdist, ".../popen-gw1/ray0/session_<date>/sockets/...") are too long, so a short one.
    temp = Path(tempfile.mkdtemp(prefix="ray-"))
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    old = {k: os.environ.get(k) for k in ("GANLAB_RAY_ADDRESS", "GANLAB_USER_CHECKPOINTS", "GANLAB_RAY_WORKERS")}
    ready = False
    try:
        subprocess.run([RAY, "start", "--head", "--num-cpus", "8", "--port", str(port), "--node-ip-address",
                        "127.0.0.1", "--dashboard-host", "127.0.0.1", "--dashboard-port", str(dash), "--temp-dir",
                        str(temp), "--disable-usage-stats"], check=True, env=env, capture_output=True, timeout=180)
        address = f"127.0.0.1:{port}"
        # `ray start` returns before the dashboard (whose state API `workers()` asks) answers; on busy cores that
        # takes seconds more, so wait for it here rather than let the first test's question fail.
        assert until(lambda: _dashboard_answers(address), timeout=120, every=1), \
            f"Ray's dashboard did not answer in 120 s (its logs: {temp}/session_latest/logs/dashboard*)"
        ready = True
        os.environ["GANLAB_RAY_ADDRESS"] = address
        os.environ["GANLAB_RAY_WORKERS"] = "2"  # two workers (one per core here), shared by every run
        os.environ["GANLAB_USER_CHECKPOINTS"] = str(tmp_path_factory.mktemp("shared-checkpoints"))  # every node reaches it
        yield address
    finally:
        # The head is stopped however the fixture ends, a failed start included: one left running outlives the
        # suite, its processes still holding memory and ports.
        if ray.is_initialized():
            ray.shutdown()
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=120)
        if ready:  # otherwise its logs stay for the message above
            shutil.rmtree(temp, ignore_errors=True)


def _dashboard_answers(address: str) -> bool:
    """Whether the dashboard's state API, which `workers()` asks, answers yet."""
    from ray.util.state import list_nodes

    try:
        list_nodes(address=address)
        return True
    except Exception:  # noqa: BLE001 - ConnectionError and Ray's own errors until the dashboard is up
        return False


def workers() -> list:
    """The cluster's worker actors that are alive."""
    from ray.util.state import list_actors

    return [a for a in list_actors(filters=[("state", "=", "ALIVE")]) if a.class_name == "WorkerActor"]


@pytest.fixture(scope="module")
def pool(cluster):
    from ganlab.cluster.workers import RayPool

    return RayPool()


def test_runs_share_the_clusters_workers_and_answer_as_a_thread_does(pool):
    """Three runs on two workers (started once, found by name): each trains, answers every command, and its
    stop frees it on its worker; the workers stay for the next runs."""
    from ganlab.config import ConfigError, default_config
    from ganlab.pool.hosted import HostedRun
    from ganlab.training.run import Run

    runs = [HostedRun(pool, default_config("ring8", hidden=32, seed=s), source="test") for s in range(3)]
    try:
        assert all(isinstance(r, Run) for r in runs) and len(workers()) == 2
        assert len({r.worker.name for r in runs}) == 2  # placed on the least busy worker
        runs[0].step(5)
        assert runs[0].wait_steps(30) and runs[0].look().step == 5
        for r in runs:
            r.start()
        assert until(lambda: min(r.look().step for r in runs) > 50, 60)
        look = runs[0].look()
        assert look.snapshot.column("step")[-1] > 50 and look.samples.fake.shape == (2500, 2)
        with pytest.raises(ConfigError, match="lr_d must be greater than 0"):
            runs[0].set_hparams(lr_d=-1)
        assert set(runs[0].nets_snapshot()) == {"gen", "disc"} and runs[0].checkpoint_bytes()[:2] == b"PK"
    finally:
        for r in runs:
            r.stop()
    assert sum(load["runs"] for load in pool.loads()) == 0 and len(workers()) == 2


def test_every_variant_trains_through_the_cluster(pool):
    """Each registered variant, on MNIST (which every one of them takes), takes two steps on a worker."""
    from ganlab import variants
    from ganlab.config import default_config
    from ganlab.pool.hosted import HostedRun

    for name in variants.names():
        run = HostedRun(pool, default_config("mnist", model=name, batch_size=8, data_dir=str(SHARED_DATA)),
                        source="test")
        try:
            run.step(2)
            assert run.wait_steps(120) and run.look().step == 2, (name, run.look().status)
            assert run.config.model.arch == name
        finally:
            run.stop()


def test_a_killed_worker_is_reported_and_its_run_resumes_on_another(pool):
    from ganlab.config import default_config
    from ganlab.persist.checkpoint import load
    from ganlab.pool.hosted import HostedRun

    run = HostedRun(pool, default_config("ring8", hidden=32), source="test")
    save = Path(os.environ["GANLAB_USER_CHECKPOINTS"]) / "lost.pt"
    run.set_autosave(50, save)
    run.start()
    assert until(lambda: save.is_file() and run.look().step > 120, 60)
    lost = run.worker
    os.kill(ray.get(lost.actor.pid.remote()), signal.SIGKILL)
    assert until(lambda: run.look().status.message is not None, 30)
    assert "The worker process training this run stopped" in run.look().status.message
    assert run.recoverable
    saved = load(save).step
    run.recover()
    assert run.lost is None and run.worker.name != lost.name
    run.start()
    assert until(lambda: run.look().step > saved + 50, 60), run.look().status
    run.stop()
    assert until(lambda: len(workers()) == 2, 120)  # the dead worker is started again under its name


def test_an_unreachable_cluster_is_a_message_not_a_hang(monkeypatch):
    code = ("import os, time; os.environ['GANLAB_RAY_ADDRESS'] = '127.0.0.1:%d'\n"
            "import ganlab.cluster.connection as c; c.CONNECT_TIMEOUT_S = 8\n"
            "t = time.time()\n"
            "try:\n    c.connect()\nexcept c.ClusterUnavailable as e:\n    print(round(time.time() - t), e)\n") % free_port()
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert "cannot be reached" in out.stdout and "unset GANLAB_RAY_ADDRESS" in out.stdout, out.stdout + out.stderr
    assert int(out.stdout.split()[0]) <= 15


def two_replicas(cluster):
    env = {"GANLAB_DATA": str(SHARED_DATA), "GANLAB_RAY_ADDRESS": cluster,
           "GANLAB_USER_CHECKPOINTS": os.environ["GANLAB_USER_CHECKPOINTS"]}
    ttl = ("--server.disconnectedSessionTTL", "2")
    return streamlit_server(*ttl, env=env, timeout=120), streamlit_server(*ttl, env=env, timeout=120)


def start_training(browser, url: str):
    page = open_tab(browser, url)
    page.get_by_role("button", name="Start").wait_for(timeout=150000)
    drawn_in_full(page)  # the sidebar's lecture controls too
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=60000)
    return page


def worker_training_a_run(pool):
    """The worker (of two) whose run trains, while only one does."""
    loads = {load["name"]: load for load in pool.loads()}
    return next(w for w in pool.workers if loads.get(w.name, {}).get("running"))


def test_runs_on_both_replicas_train_and_a_killed_worker_resumes_from_the_page(cluster, pool, browser):
    """A browser on each of two servers trains on the cluster's shared workers; the first turns on autosave, the
    worker training its run is killed, its page says so in plain words, and the page's Resume button continues
    the run from the autosave on the other worker; closing the tabs frees the workers of their runs."""
    first_server, second_server = two_replicas(cluster)
    with first_server as (one, _), second_server as (two, _):
        a = open_tab(browser, one)
        a.get_by_text("Save a checkpoint").wait_for(timeout=150000)
        a.get_by_text("Save a checkpoint").click()
        every = a.get_by_label("Also save automatically every N steps (0 = off)")
        every.fill("100")
        every.press("Enter")
        a.get_by_role("button", name="Start").click()
        a.get_by_role("button", name="Pause").wait_for(timeout=60000)
        assert until(lambda: sum(load["running"] for load in pool.loads()) == 1, 60)
        a_worker = worker_training_a_run(pool)
        b = start_training(browser, two)
        b_first = step_of(b)
        a.get_by_text("autosaved at step").first.wait_for(timeout=120000)
        assert until(lambda: step_of(b) > b_first + 50, 90), "the run on the second server did not train"
        os.kill(ray.get(a_worker.actor.pid.remote()), signal.SIGKILL)
        a.get_by_text("The worker process training this run stopped").wait_for(timeout=60000)
        (REPO / "test-artifacts").mkdir(exist_ok=True)
        a.screenshot(path=str(REPO / "test-artifacts" / "cluster-worker-lost.png"), full_page=True)
        a.get_by_role("button", name="Resume from the last autosave").click()
        # the lost run's page has a Resume button too: wait for the message to go, then for the resumed run's button
        a.get_by_text("The worker process training this run stopped").wait_for(state="hidden", timeout=60000)
        a.get_by_role("button", name="Resume", exact=True).wait_for(timeout=60000)  # paused at the autosave's step
        resumed = step_of(a)
        assert resumed >= 100
        a.get_by_role("button", name="Resume", exact=True).click()
        if not until(lambda: step_of(a) > resumed + 50, 90):
            a.screenshot(path=str(REPO / "test-artifacts" / "cluster-resume-failed.png"), full_page=True)
            shown = a.locator('[data-testid="stMain"]').inner_text()[:1500]
            raise AssertionError(f"the resumed run did not train; the page said:\n{shown}")
        a.screenshot(path=str(REPO / "test-artifacts" / "cluster-worker-resumed.png"), full_page=True)
        a.close()
        b.close()
    assert until(lambda: sum(load["runs"] for load in pool.loads()) == 0, 90), pool.loads()


def test_a_lecture_shared_across_two_server_replicas(cluster, pool, browser):
    """Server 1's presenter trains and shares; a student on server 2 watches the same run live."""
    first_server, second_server = two_replicas(cluster)
    with first_server as (one, _), second_server as (two, _):
        presenter = start_training(browser, one)
        presenter.get_by_role("button", name="Share this run").click()
        presenter.get_by_text("Your run is shared").wait_for(timeout=60000)
        student = open_tab(browser, two + "/lecture")
        student.get_by_text("Watching the presenter's run").wait_for(timeout=150000)
        first = step_of(student)
        assert until(lambda: step_of(student) > first + 20, 60), "the student's page did not follow the run"
        (REPO / "test-artifacts").mkdir(exist_ok=True)
        student.screenshot(path=str(REPO / "test-artifacts" / "cluster-lecture-replica2.png"), full_page=True)
        presenter.close()
        student.close()
        assert until(lambda: sum(load["runs"] for load in pool.loads()) == 0, 90), pool.loads()
