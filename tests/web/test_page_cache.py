"""Rendered pages kept per worker (web/pages/page_cache.py): a page is rendered once per
published version, and while versions change faster than the interval, at most once per
interval; every answer's ETag is that of the version its bytes show."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from caucuskit.services import credentials
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database
from caucuskit.web.app import create_app
from caucuskit.web.pages.page_cache import PageCache
from service.service_support import ADAIR_ID, FAST, STUART_ID, mini_election
from service.service_support import HandClock as Clock


def test_a_page_is_kept_for_its_version_and_for_the_interval() -> None:
    clock = Clock()
    cache = PageCache(1.0, clock)
    key = ("http://x/", "/results", "", "results_state")
    assert cache.usable(key, "v1") is None
    cache.keep(key, "v1", "e1", b"one")
    clock.now += 5
    kept = cache.usable(key, "v1")
    assert kept is not None and kept.body == b"one"  # same version: kept however old
    cache.keep(key, "v2", "e2", b"two")
    clock.now += 0.5
    kept = cache.usable(key, "v3")  # newer results, rendered half a second ago: still shown
    assert kept is not None and (kept.stamp, kept.etag) == ("v2", "e2")
    clock.now += 0.6
    assert cache.usable(key, "v3") is None  # past the interval: render again
    assert PageCache(0.0, clock).usable(key, "v3") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_the_cache_keeps_at_most_its_size(keys: list[int]) -> None:
    cache = PageCache(1.0, Clock(), max_pages=8)
    for k in keys:
        cache.keep((str(k),), "v", "e", b"")
        assert len(cache) <= 8
    assert cache.usable((str(keys[-1]),), "v") is not None  # the latest is never evicted


def _report(client: TestClient, codes: dict[str, str], precinct: str, n: int) -> None:
    body = {"precinct_id": precinct, "code": codes[precinct], "attendees": n}
    r = client.post(
        "/api/v1/chair/reports", json={**body, "first": {"Biden": n}, "final": {"Biden": n}}
    )
    assert r.status_code == 201, r.text


def test_through_the_app_the_page_lags_at_most_the_interval(tmp_path: Path) -> None:
    app, codes, clock = _app(tmp_path, interval=30.0)
    with TestClient(app) as client:
        first = client.get("/results")
        assert first.status_code == 200 and "ETag" in first.headers
        precincts = sorted(codes)
        _report(client, codes, precincts[0], 12)
        held = client.get("/results")  # newer results, but rendered within the interval
        assert held.headers["ETag"] == first.headers["ETag"] and held.text == first.text
        again = client.get("/results", headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
        clock["shift"] = 31.0  # the interval is over: the next read renders the new version
        fresh = client.get("/results")
        assert fresh.headers["ETag"] != first.headers["ETag"]
        live = client.get("/results?part=live")
        assert live.headers["ETag"] != fresh.headers["ETag"]  # another body, another tag


def test_with_interval_zero_every_new_version_is_rendered(tmp_path: Path) -> None:
    app, codes, _ = _app(tmp_path, interval=0.0)
    with TestClient(app) as client:
        first = client.get("/results")
        _report(client, codes, sorted(codes)[0], 12)
        assert client.get("/results").headers["ETag"] != first.headers["ETag"]


def _app(tmp_path: Path, interval: float) -> tuple[Any, dict[str, str], dict[str, float]]:
    settings = Settings.from_env(
        database_url=str(tmp_path / "caucus.sqlite"), page_render_interval=interval, **FAST
    )
    ctx = Context(settings)
    init_database(ctx.db, mini_election())
    issued, _ = credentials.issue_codes(ctx, only=[ADAIR_ID, STUART_ID])
    app = create_app(settings, ctx)
    shift = {"shift": 0.0}
    cache: PageCache = app.state.page_cache
    base = cache.clock
    cache.clock = lambda: base() + shift["shift"]
    return app, {c.precinct_id: c.code for c in issued}, shift
