"""``caucus publish --watch`` behind Debian's nginx (issue 11 item 2; docs/deploy.md).

Starts the real watcher as a subprocess over a results database and the real nginx on a free
loopback port over the published folder (the location block of docs/deploy.md), then accepts a
report and checks that nginx serves it within a second, with ETag/304, Cache-Control and the
pre-compressed file.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from caucuskit.services.submit import ReportInput, Toss, submit_report
from conftest import need
from process_support import CLI, free_port
from service.service_support import ADAIR_1NW, ADAIR_ID, make_service

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  sendfile on;  # as Debian's nginx.conf (docs/deploy.md)
  tcp_nopush on;
  keepalive_requests 100000;
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    # the published documents (caucus publish --watch --out {root})
    location /api/v1/public/ {{
      root {root};
      rewrite ^/api/v1/public/(.+)$ /$1.json break;
      gzip_static on;
      add_header Cache-Control "public, max-age=5" always;
      add_header Vary "Accept-Encoding" always;
    }}
  }}
}}
"""


def _wait(cond: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(cond) and cond():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def nginx_site(tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    need(os.path.exists(NGINX), "nginx is not installed (scripts/ci-services installs it)")
    url = str(tmp_path / "results.sqlite")
    ctx = make_service(url)
    ctx.db.dispose()
    site = tmp_path / "site"
    watcher = subprocess.Popen(
        [
            *CLI,
            "publish",
            "--watch",
            "--json",
            "--db",
            url,
            "--out",
            str(site),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    port = free_port()
    conf = tmp_path / "nginx.conf"
    user = "user root root;" if os.geteuid() == 0 else ""
    conf.write_text(CONF.format(tmp=tmp_path, root=site, port=port, user=user))
    server = None
    try:
        assert _wait(lambda: (site / "version.json").exists(), 30), "publish --watch wrote nothing"
        server = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return httpx.get(f"{base}/api/v1/public/version").status_code == 200
            except httpx.HTTPError:
                return False

        assert _wait(up, 10), "nginx did not start"
        yield base, site, url
    finally:
        for proc in (server, watcher):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)


def test_a_report_reaches_nginx_within_a_second(nginx_site: tuple[str, Path, str]) -> None:
    base, site, url = nginx_site
    from caucuskit.services.context import Context
    from caucuskit.services.settings import Settings

    ctx = Context(Settings.from_env(database_url=url))
    with httpx.Client(base_url=base) as c:
        before = c.get("/api/v1/public/version").json()["version"]
        state0 = c.get("/api/v1/public/state")
        assert state0.json()["precincts"]["reporting"] == 0
        tag0 = state0.headers["ETag"]
        assert c.get("/api/v1/public/state", headers={"If-None-Match": tag0}).status_code == 304
        body = {k: v for k, v in ADAIR_1NW.items() if k not in ("county", "precinct")}
        report = ReportInput(
            body["attendees"],
            body["first"],
            body["final"],
            tuple(Toss(t["winner"], tuple(t["witnesses"])) for t in body["tosses"]),
        )
        sub = submit_report(
            ctx,
            precinct=ctx.by_id[ADAIR_ID],
            report=report,
            actor=f"chair:{ADAIR_ID}",
            role="chair",
            channel="chair",
            client="test",
        )
        assert sub.answer["status"] == "accepted"
        acked = time.monotonic()
        while c.get("/api/v1/public/version").json()["version"] == before:
            assert time.monotonic() - acked < 1.0, "not served by nginx within a second"
            time.sleep(0.005)
        state = c.get("/api/v1/public/state", headers={"If-None-Match": tag0})
        assert state.status_code == 200 and state.json()["precincts"]["reporting"] == 1
        assert state.headers["Cache-Control"] == "public, max-age=5"
        assert state.headers["Content-Type"].startswith("application/json")
        precinct = c.get(f"/api/v1/public/precincts/{ADAIR_ID}").json()
        assert precinct["reported"] and precinct["tosses"][0]["winners"] == ["Klobuchar"]
        with c.stream("GET", "/api/v1/public/state", headers={"Accept-Encoding": "gzip"}) as r:
            raw = b"".join(r.iter_raw())
            assert r.headers["Content-Encoding"] == "gzip"
        assert json.loads(gzip.decompress(raw)) == state.json()
        assert c.get("/api/v1/public/counties/nowhere").status_code == 404
    # no half-written file is ever left behind
    assert not [p for p in site.rglob(".tmp-*")]
    ctx.db.dispose()
