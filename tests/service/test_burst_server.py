"""Issue 10 D2, D4 and D7 against real ``caucus serve`` processes on loopback: a burst of
wrong codes from many addresses (behind a trusted proxy) is hashed a few at a time, so the
server's memory stays bounded; a burst from one address against two workers is counted
exactly once per guess.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from caucuskit.db.models import Throttle
from caucuskit.services import credentials
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from service.service_support import ADAIR_ID, db_url, make_service
from service.test_outage_pg import serve

pytestmark = pytest.mark.slow
__all__ = ["db_url"]


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def test_d4_burst_from_many_addresses_keeps_memory_bounded(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = db_url
    ctx = make_service(url)
    real = Context(Settings.from_env(database_url=url), db=ctx.db)  # codes at full argon2 cost
    credentials.issue_codes(real, only=[ADAIR_ID])
    ctx.db.dispose()
    # real argon2 cost (19 MiB per check), the proxy on loopback is trusted
    monkeypatch.setenv("CAUCUS_TRUSTED_PROXIES", "127.0.0.1")
    with serve(url, tmp_path / "server.log", fast=False) as (base, proc):
        before = _kib(proc.pid, "VmRSS")
        gate = threading.Barrier(40)
        statuses: Counter[int] = Counter()

        def guess(i: int) -> None:
            gate.wait()
            r = httpx.post(
                f"{base}/api/v1/chair/signin",
                timeout=120,
                json={"precinct_id": ADAIR_ID, "code": "DDDDD-DDDDD"},
                headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
            )
            with lock:
                statuses[r.status_code] += 1

        lock = threading.Lock()
        threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        peak = _kib(proc.pid, "VmHWM")
        # a forwarded address from an untrusted peer would be ignored: here the peer is
        # trusted, so 40 addresses each had a free guess
    grown = (peak - before) // 1024
    print(
        f"D4 memory: 40 concurrent guesses from 40 addresses: {dict(statuses)}, "
        f"RSS {before // 1024} MiB before, peak {peak // 1024} MiB (+{grown} MiB)"
    )
    assert statuses == Counter({401: 40})
    assert grown < 120, grown
    assert os.environ["CAUCUS_TRUSTED_PROXIES"] == "127.0.0.1"


def test_d2_d4_two_worker_processes_check_exactly_the_limit(db_url: str, tmp_path: Path) -> None:
    """40 wrong codes at once from one address against two worker processes: no 500, exactly
    ``pair_free_failures`` (5) checked, every guess counted once across the workers."""
    ctx = make_service(db_url)
    credentials.issue_codes(ctx, only=[ADAIR_ID])
    with serve(db_url, tmp_path / "server.log", workers=2) as (base, _proc):
        gate = threading.Barrier(40)
        statuses: Counter[int] = Counter()
        lock = threading.Lock()

        def guess() -> None:
            gate.wait()
            r = httpx.post(
                f"{base}/api/v1/chair/signin",
                timeout=120,
                json={"precinct_id": ADAIR_ID, "code": "DDDDD-DDDDD"},
            )
            with lock:
                statuses[r.status_code] += 1

        threads = [threading.Thread(target=guess) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    with ctx.db.read() as s:
        counted = s.scalar(select(Throttle.failures).where(Throttle.key == "ip:127.0.0.1"))
    ctx.db.dispose()
    print(f"D2/D4 two workers: {dict(statuses)}; wrong codes counted {counted}")
    assert statuses == Counter({401: 5, 429: 35})
    assert counted == 5
