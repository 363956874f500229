"""Real server processes: crash (kill -9) durability and two workers on one database.

Rule: rules.md §9 (2020: results were lost and re-entered; an acknowledged report must survive a
crash, and two workers must never both accept a report for the same precinct).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from caucuskit.db.models import Decision, ReportVersion
from caucuskit.services import credentials
from caucuskit.services.context import Context
from process_support import caucus_serve
from service.service_support import FAST, make_service

pytestmark = pytest.mark.slow


@contextmanager
def server(url: str, workers: int = 1) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``caucus serve`` as a real subprocess on a free loopback port."""
    env = dict(os.environ, **{f"CAUCUS_{k.upper()}": str(v) for k, v in FAST.items()})
    with caucus_serve(url, env, workers=workers) as running:
        yield running


def kill9(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def setup_db(url: str, n: int) -> tuple[Context, dict[str, str]]:
    ctx = make_service(url)
    ids = [p.id for p in ctx.precincts if not p.satellite][:n]
    issued, _ = credentials.issue_codes(ctx, only=ids)
    return ctx, {c.precinct_id: c.code for c in issued}


def unanimous(pid: str, code: str, group: str = "Biden", n: int = 10) -> dict[str, Any]:
    return {
        "precinct_id": pid,
        "code": code,
        "attendees": n,
        "first": {group: n},
        "final": {group: n},
    }


def test_kill9_keeps_every_acknowledged_report_exactly_once(db_url: str) -> None:
    ctx, codes = setup_db(db_url, 24)
    acked: dict[str, tuple[str, str]] = {}  # precinct -> (key, receipt)
    stop = threading.Event()
    with server(db_url) as (base, proc):

        def pump() -> None:
            with httpx.Client(base_url=base, timeout=10) as c:
                for pid, code in codes.items():
                    if stop.is_set():
                        return
                    key = f"crash-{pid}"
                    try:
                        r = c.post(
                            "/api/v1/chair/reports",
                            json=unanimous(pid, code),
                            headers={"Idempotency-Key": key},
                        )
                    except httpx.HTTPError:
                        return
                    if r.status_code == 201:
                        acked[pid] = (key, r.json()["receipt"])

        t = threading.Thread(target=pump)
        t.start()
        while len(acked) < 12 and t.is_alive():
            time.sleep(0.01)
        kill9(proc)
        stop.set()
        t.join()
    assert len(acked) >= 12
    with server(db_url) as (base, _):
        with ctx.db.read() as s:
            rows = s.execute(select(ReportVersion.receipt, ReportVersion.precinct_id)).all()
        receipts = [r[0] for r in rows]
        for pid, (_key, receipt) in acked.items():
            assert receipts.count(receipt) == 1, pid
        # resending after the restart replays the stored answer; still one version each
        with httpx.Client(base_url=base, timeout=10) as c:
            for pid, (key, receipt) in acked.items():
                r = c.post(
                    "/api/v1/chair/reports",
                    json=unanimous(pid, codes[pid]),
                    headers={"Idempotency-Key": key},
                )
                assert r.status_code == 200 and r.json()["receipt"] == receipt
        with ctx.db.read() as s:
            per = [pk for (pk,) in s.execute(select(ReportVersion.precinct_id)).all()]
        assert len(per) == len(set(per))
    ctx.db.dispose()


def test_two_workers_one_winner_per_precinct(db_url: str) -> None:
    ctx, codes = setup_db(db_url, 8)
    results: dict[str, list[str]] = {}
    # An assert inside a thread only prints a warning; answers are collected and checked here.
    answers: list[tuple[str, int, str]] = []
    with server(db_url) as (a, _), server(db_url) as (b, _):

        def send(base: str, pid: str, group: str, barrier: threading.Barrier) -> None:
            with httpx.Client(base_url=base, timeout=30) as c:
                barrier.wait()
                r = c.post("/api/v1/chair/reports", json=unanimous(pid, codes[pid], group))
                answers.append((pid, r.status_code, r.text))
                if r.status_code == 201:
                    results.setdefault(pid, []).append(r.json()["status"])

        for pid in codes:
            barrier = threading.Barrier(2)
            ts = [
                threading.Thread(target=send, args=(a, pid, "Biden", barrier)),
                threading.Thread(target=send, args=(b, pid, "Sanders", barrier)),
            ]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
        assert [x for x in answers if x[1] != 201] == []
        assert set(results) == set(codes)
        for pid, st in results.items():
            assert sorted(st) == ["accepted", "conflict"], (pid, st)
        with ctx.db.read() as s:
            accepted = s.execute(
                select(Decision.precinct_id, Decision.version_id).where(
                    Decision.status == "accepted"
                )
            ).all()
            winners = {pk: s.get(ReportVersion, vid) for pk, vid in accepted}
        assert len(accepted) == len(codes) == len(winners)
        expected_final: dict[str, int] = {}
        for v in winners.values():
            assert v is not None
            for g, n in v.final.items():
                expected_final[g] = expected_final.get(g, 0) + n
        for base in (a, b):
            # each worker's background builder publishes within a poll and a build (ADR 0007)
            deadline = time.monotonic() + 20
            while True:
                state = httpx.get(f"{base}/api/v1/public/state").json()
                if (
                    state["precincts"]["reporting"] == len(codes)
                    and state["race_version"] == state["version"]
                ):
                    break
                assert time.monotonic() < deadline, state["precincts"]
                time.sleep(0.05)
            got = {c["name"]: c["final"] for c in state["candidates"] if c["final"]}
            assert got == expected_final
        tags = {httpx.get(f"{base}/api/v1/public/state").headers["ETag"] for base in (a, b)}
        assert len(tags) == 1  # both workers serve the same snapshot
    ctx.db.dispose()


def test_demo_and_publish_cli(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from caucuskit.cli.app import build

    url = str(tmp_path / "pub.sqlite")
    runner = CliRunner()
    r = runner.invoke(build(), ["init", "--election", "iowa-2020", "--db", url, "--json"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "site"
    r = runner.invoke(build(), ["publish", "--db", url, "--out", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert (out / "state.json").exists() and (out / "counties" / "adair.json").exists()
    assert (out / "precincts" / "adair--1nw-adair.json").exists()
