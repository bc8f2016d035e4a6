"""docs/deploy.md's load balancer, run: nginx with ip_hash in front of two Streamlit replicas; a browser
trains through it (the websocket passes the proxy) and stays on one replica."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from harness.app_server import free_port, streamlit_server
from harness.browsing import open_tab, step_of, until
from tests.conftest import REPO, SHARED_DATA

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_conf(docs: str, port: int, upstreams: list[str]) -> str:
    """The example of docs/deploy.md with this test's ports put in."""
    block = re.search(r"```nginx\n(.*?)```", docs, re.S).group(1)
    block = block.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    servers = "".join(f"    server {u};\n" for u in upstreams)
    block = re.sub(r"(    server 127\.0\.0\.1:\d+;\n)+", servers, block)
    return block


@pytest.mark.slow
def test_two_replicas_behind_nginx_with_sticky_sessions(tmp_path, browser):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: apt-get install nginx (.ci/run does this)")
    env = {"GANLAB_DATA": str(SHARED_DATA), "GANLAB_RUNS_DB": str(tmp_path / "runs.sqlite")}
    with streamlit_server(env=env) as (one, pid_one), streamlit_server(env=env) as (two, pid_two):
        port = free_port()
        http = nginx_conf((REPO / "docs" / "deploy.md").read_text(), port,
                          [one.removeprefix("http://"), two.removeprefix("http://")])
        conf = tmp_path / "nginx.conf"
        conf.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
                        f"http {{\n log_format upstream '\"$request\" $status $upstream_addr';\n"
                        f" access_log {tmp_path}/access.log upstream;\n client_body_temp_path {tmp_path};\n"
                        f" proxy_temp_path {tmp_path};\n{http}}}\n")
        subprocess.run([NGINX, "-t", "-c", str(conf)], check=True, capture_output=True)
        proc = subprocess.Popen([NGINX, "-c", str(conf), "-g", "daemon off;"])
        try:
            time.sleep(1)
            page = open_tab(browser, f"http://127.0.0.1:{port}")
            page.get_by_role("button", name="Start").wait_for(timeout=60000)
            page.get_by_role("button", name="Start").click()
            page.get_by_role("button", name="Pause").wait_for(timeout=30000)
            first = step_of(page)
            assert until(lambda: step_of(page) > first + 20, 30), "the live page did not update through the proxy"
            page.get_by_role("button", name="Pause").click()
            (REPO / "test-artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(REPO / "test-artifacts" / "deploy-nginx.png"), full_page=True)
            page.close()
            # nginx logs a websocket when it closes: wait for the closed tab's line before stopping nginx
            until(lambda: " 101 " in (tmp_path / "access.log").read_text(), timeout=30)
        finally:
            proc.terminate()
            proc.wait(10)
        log = (tmp_path / "access.log").read_text()
        assert re.search(r'"GET /_stcore/stream HTTP/1.1" 101', log), "no websocket went through nginx:\n" + log[:2000]
        served_by = set(re.findall(r" (127\.0\.0\.1:\d+)$", log, re.M))
        assert len(served_by) == 1, f"ip_hash should keep one browser on one replica: {served_by}"
