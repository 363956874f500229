"""Readers never wait (issue 11 item 1): with the background builder of ``caucus serve``, a
public read takes the newest published set without a lock or a query, and an accepted report
is visible within a second (docs/adr/0007-incremental-public-snapshot.md)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from service.service_support import ADAIR_ID, STUART_ID, Service

STATE = "/api/v1/public/state"


@pytest.fixture
def live(service: Service) -> Iterator[Service]:
    feed = service.client.app.state.public  # type: ignore[attr-defined]
    feed.start()
    yield service
    feed.stop()


def test_public_reads_run_no_query(live: Service) -> None:
    feed = live.client.app.state.public  # type: ignore[attr-defined]
    builder_thread = feed._thread.ident
    seen: list[int] = []

    def on_execute(*_: Any) -> None:
        if threading.get_ident() != builder_thread:
            seen.append(threading.get_ident())

    engine = live.ctx.db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        for path in (
            "state",
            "counties/adair",
            f"precincts/{STUART_ID}",
            "version",
            "districts/3",
            "coin-tosses",
            "changes",
            "election",
        ):
            r = live.client.get(f"/api/v1/public/{path}")
            assert r.status_code == 200, path
            live.client.get(f"/api/v1/public/{path}", headers={"If-None-Match": r.headers["ETag"]})
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert seen == []


def test_reads_are_answered_while_the_builder_is_busy(live: Service) -> None:
    feed = live.client.app.state.public  # type: ignore[attr-defined]
    answers: list[int] = []
    with feed.builder.lock:  # the builder is stuck mid-build
        reader = threading.Thread(target=lambda: answers.append(live.client.get(STATE).status_code))
        reader.start()
        reader.join(timeout=5)
        assert not reader.is_alive() and answers == [200]


def test_an_accepted_report_is_visible_within_a_second(live: Service) -> None:
    before = live.client.get("/api/v1/public/version").json()["version"]
    r = live.client.post("/api/v1/chair/reports", json=live.report(ADAIR_ID))
    assert r.status_code == 201 and r.json()["status"] == "accepted"
    acked = time.monotonic()
    while live.client.get("/api/v1/public/version").json()["version"] == before:
        assert time.monotonic() - acked < 1.0, "not visible within a second"
        time.sleep(0.005)
    state = live.client.get(STATE).json()
    assert state["precincts"]["reporting"] == 1
    county = live.client.get("/api/v1/public/counties/adair").json()
    assert any(k["id"] == ADAIR_ID and k["reporting"] for k in county["children"])


def test_the_race_panel_follows_the_reports(live: Service) -> None:
    r = live.client.post("/api/v1/chair/reports", json=live.report(ADAIR_ID))
    assert r.status_code == 201
    deadline = time.monotonic() + 10
    while True:
        state = live.client.get(STATE).json()
        if state["precincts"]["reporting"] == 1 and state["race_version"] == state["version"]:
            break
        assert time.monotonic() < deadline, "the race panel did not catch up"
        time.sleep(0.02)
    assert state["race"]["sde"]
