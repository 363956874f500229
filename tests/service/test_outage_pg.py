"""Issue 10 D9: PostgreSQL stopped under load answers JSON 503 + Retry-After, never 500, and
/healthz says the database is unreachable; the service recovers by itself.

The test starts its own throwaway PostgreSQL cluster (initdb + pg_ctl, on its own port, as the
``postgres`` user when run as root) and stops *that* one; the machine's shared server is never
touched. The server under test is a real ``caucus serve`` process on loopback.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from caucuskit.db.models import ReportVersion
from caucuskit.services import credentials
from caucuskit.services.context import Context
from conftest import need
from process_support import caucus_serve, free_port
from service.service_support import FAST, make_service

pytestmark = pytest.mark.slow


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class Cluster:
    """A private PostgreSQL cluster in a temporary folder."""

    def __init__(self, bindir: Path, root: Path, port: int) -> None:
        self.bindir, self.data, self.port = bindir, root / "data", port
        self.root = root

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(
            cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120
        )

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            opts,
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self) -> None:
        """Stop at once, as a crash would (immediate mode: no checkpoint, clients cut)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    bindir = _pg_bin()
    need(bindir is not None, "PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="caucus-pg-"))
    c = Cluster(bindir, root, free_port())
    try:
        c.init()
        c.start()
        yield c
    finally:
        try:
            c.stop()
        except Exception:
            pass
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def serve(
    url: str, log: Path, fast: bool = True, workers: int = 1
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``caucus serve`` on a free loopback port, its log in ``log``."""
    env = dict(
        os.environ, **({f"CAUCUS_{k.upper()}": str(v) for k, v in FAST.items()} if fast else {})
    )
    env["CAUCUS_DB_RETRY_AFTER"] = "2"
    with caucus_serve(url, env, workers=workers, log=log) as running:
        yield running


def test_d9_database_outage_gives_json_503_never_500(cluster: Cluster, tmp_path: Path) -> None:
    ctx = make_service(cluster.url)
    ids = [p.id for p in ctx.precincts if not p.satellite][:40]
    issued, _ = credentials.issue_codes(ctx, only=ids)
    codes = {c.precinct_id: c.code for c in issued}
    ctx.db.dispose()
    seen: Counter[str] = Counter()
    bad: list[str] = []
    acked: list[str] = []
    stop = threading.Event()
    outage = threading.Event()

    def record(r: httpx.Response, during: bool) -> None:
        key = f"{r.status_code}{' (outage)' if during else ''}"
        seen[key] += 1
        if r.status_code >= 500:
            body: Any = (
                r.json()
                if r.headers.get("content-type", "").startswith("application/json")
                else None
            )
            if (
                r.status_code != 503
                or body is None
                or "Retry-After" not in r.headers
                or not body.get("problems")
            ):
                bad.append(f"{r.status_code} {r.headers.get('content-type')} {r.text[:200]}")

    def chair(n: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            i = n
            while not stop.is_set() and i < len(ids):
                pid = ids[i]
                body = {
                    "precinct_id": pid,
                    "code": codes[pid],
                    "attendees": 10,
                    "first": {"Biden": 10},
                    "final": {"Biden": 10},
                }
                try:
                    r = c.post(
                        "/api/v1/chair/reports", json=body, headers={"Idempotency-Key": f"k-{pid}"}
                    )
                except httpx.HTTPError as exc:
                    bad.append(f"transport: {exc!r}")
                    continue
                record(r, outage.is_set())
                if r.status_code in (200, 201):
                    acked.append(pid)
                    i += 4
                else:
                    time.sleep(0.1)  # retry the same report, as the outbox does

    def health() -> None:
        with httpx.Client(base_url=base, timeout=30) as c:
            while not stop.is_set():
                r = c.get("/healthz")
                record(r, outage.is_set())
                if outage.is_set() and r.status_code == 503:
                    seen["healthz 503"] += 1
                    assert r.json()["problems"][0]["field"] == "database"
                time.sleep(0.05)

    with serve(cluster.url, tmp_path / "server.log") as (base, _proc):
        threads = [threading.Thread(target=chair, args=(n,)) for n in range(4)]
        threads.append(threading.Thread(target=health))
        for t in threads:
            t.start()
        time.sleep(1.0)
        outage.set()
        cluster.stop()
        time.sleep(4.0)
        cluster.start()
        outage.clear()
        deadline = time.monotonic() + 60
        while len(set(acked)) < len(ids) and time.monotonic() < deadline:
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(timeout=60)
        after = httpx.get(f"{base}/healthz", timeout=10)
    print("D9 outage answers:", dict(sorted(seen.items())))
    assert not bad, bad[:5]
    assert seen["503 (outage)"] > 0 and seen["healthz 503"] > 0
    assert after.status_code == 200
    assert set(acked) == set(ids)  # every report got through once the database was back
    check = Context(ctx.settings)
    try:
        with check.db.read() as s:
            stored = s.scalar(select(func.count()).select_from(ReportVersion))
        assert stored == len(ids)  # acknowledged once each, none lost, none doubled
    finally:
        check.db.dispose()
