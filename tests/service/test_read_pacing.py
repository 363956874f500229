"""Reports before reads (issue 11; docs/adr/0014-reports-before-reads.md): while chairs are
reporting, a worker answers public reads at a set pace and the CPU they no longer take goes to
the reports; when nothing is reported the reads are not limited.

The pacer's arithmetic is checked with a hand-moved clock; the middleware with the real app
(its background builder, real concurrent requests through ASGI) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from caucuskit.services.settings import Settings
from caucuskit.web.app import create_app
from caucuskit.web.read_pacing import ReadPacer
from service.service_support import ADAIR_ID, Service
from service.service_support import HandClock as Clock

STATE = "/api/v1/public/state"
T = TypeVar("T")


def test_quiet_reads_are_never_held() -> None:
    clock = Clock()
    pacer = ReadPacer(10, clock=clock)
    assert [pacer.reserve() for _ in range(1000)] == [0.0] * 1000
    assert not pacer.reporting()


def test_reads_are_spaced_while_reporting_then_free_again() -> None:
    clock = Clock()
    pacer = ReadPacer(10, hold=1.0, max_wait=0.5, clock=clock)
    pacer.note_write()
    assert pacer.reporting()
    waits = [pacer.reserve() for _ in range(6)]
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4, 0.5])
    assert pacer.reserve() is None and pacer.refused == 1  # 0.6 s away: answered 503
    clock.now += 0.35  # time passes: the queue moves on
    assert pacer.reserve() == pytest.approx(0.25)
    clock.now += 1.0  # a second without a report: no longer reporting
    assert not pacer.reporting() and pacer.reserve() == 0.0 and pacer.reserve() == 0.0


def test_rate_zero_turns_pacing_off() -> None:
    pacer = ReadPacer(0)
    pacer.note_write()
    assert not pacer.enabled and all(pacer.reserve() == 0.0 for _ in range(100))


def test_a_new_results_version_means_reports_are_arriving() -> None:
    clock = Clock()
    pacer = ReadPacer(10, clock=clock)
    pacer.note_version(7)  # the first version seen is where the worker starts, not news
    assert not pacer.reporting()
    pacer.note_version(7)
    assert not pacer.reporting()
    pacer.note_version(8)  # another worker accepted a report
    assert pacer.reporting()


@given(
    rate=st.integers(1, 5000),
    gaps=st.lists(st.floats(0, 0.01, allow_nan=False), min_size=1, max_size=200),
)
def test_granted_turns_keep_the_pace_and_never_wait_too_long(rate: int, gaps: list[float]) -> None:
    clock = Clock()
    pacer = ReadPacer(rate, hold=10.0, max_wait=0.5, clock=clock)
    pacer.note_write()
    turns: list[float] = []
    for gap in gaps:
        clock.now += gap
        wait = pacer.reserve()
        if wait is None:
            continue
        assert 0 <= wait <= 0.5
        turns.append(clock.now + wait)
    assert turns == sorted(turns)
    assert all(b - a >= 1 / rate - 1e-9 for a, b in itertools.pairwise(turns))


# ---------------------------------------------------------------- through the application


@pytest.fixture
def paced(service: Service) -> Iterator[tuple[Service, TestClient]]:
    """The service's database behind an app paced at 20 public reads/s while reporting."""
    settings = Settings.from_env(
        database_url=service.ctx.settings.database_url,
        public_reads_while_reporting=20,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    with TestClient(create_app(settings, service.ctx)) as client:
        client.app.state.public.start()  # type: ignore[attr-defined]
        yield service, client
        client.app.state.public.stop()  # type: ignore[attr-defined]


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: a browser test earlier in the session (sync
    Playwright) leaves an event loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _reads(client: TestClient, n: int) -> tuple[float, list[httpx.Response]]:
    transport = httpx.ASGITransport(app=client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        t0 = time.monotonic()
        answers = await asyncio.gather(*(c.get(STATE) for _ in range(n)))
        return time.monotonic() - t0, list(answers)


def test_reads_pass_at_once_when_nobody_reports(paced: tuple[Service, TestClient]) -> None:
    _, client = paced
    took, answers = run(_reads(client, 9))
    assert [r.status_code for r in answers] == [200] * 9
    assert took < 0.3  # at 20/s pacing nine reads would take 0.4 s


def test_a_report_makes_the_reads_wait_their_turn(paced: tuple[Service, TestClient]) -> None:
    svc, client = paced
    r = client.post("/api/v1/chair/reports", json=svc.report(ADAIR_ID))
    assert r.status_code == 201
    took, answers = run(_reads(client, 9))
    assert [r.status_code for r in answers] == [200] * 9
    assert took >= 0.38  # nine turns 50 ms apart: the last one 0.4 s after the first


def test_reads_beyond_half_a_second_of_queue_get_503(paced: tuple[Service, TestClient]) -> None:
    svc, client = paced
    client.post("/api/v1/chair/reports", json=svc.report(ADAIR_ID))
    _, answers = run(_reads(client, 20))
    codes = sorted(r.status_code for r in answers)
    # turns at 0, 50 ms .. 500 ms: 11 answered (a few more if the queue moved on meanwhile)
    assert set(codes) == {200, 503} and codes.count(200) >= 11 and codes.count(503) >= 4
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.headers["Retry-After"] == "1" and busy.headers["Cache-Control"] == "no-store"
    assert busy.json()["error"] == "unavailable" and busy.json()["problems"][0]["field"]


def test_another_workers_report_paces_this_worker(paced: tuple[Service, TestClient]) -> None:
    """The report goes through the service's own app (another worker); the paced app learns
    of it from the new results version its builder publishes."""
    svc, client = paced
    feed = client.app.state.public  # type: ignore[attr-defined]
    before = feed.published.version
    run(_reads(client, 1))  # the paced worker has seen the current version
    assert svc.client.post("/api/v1/chair/reports", json=svc.report(ADAIR_ID)).status_code == 201
    deadline = time.monotonic() + 5
    while feed.published.version == before:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    took, answers = run(_reads(client, 9))
    assert [r.status_code for r in answers] == [200] * 9 and took >= 0.38
