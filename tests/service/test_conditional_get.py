"""Conditional GET on the public API and pages (issue 16 item 4; RFC 9110 §13.1.2, §15.4.5).

Each test runs against both read paths: the FastAPI routes (synchronous snapshot, as in-process
use) and the fast ASGI path of a background-built snapshot (``caucus serve``).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest

from caucuskit.web.api.public import accepts_gzip, if_none_match
from service.service_support import ADAIR_ID, Service

STATE = "/api/v1/public/state"


@pytest.fixture(params=["routes", "fast-path"])
def svc(request: pytest.FixtureRequest, service: Service) -> Iterator[Service]:
    feed = service.client.app.state.public  # type: ignore[attr-defined]
    if request.param == "fast-path":
        feed.start()
    yield service
    feed.stop()


def test_if_none_match_parsing() -> None:
    assert if_none_match('"a"', '"a"') and if_none_match('W/"a"', '"a"')
    assert if_none_match('"x", W/"a" ,"y"', '"a"') and if_none_match(" * ", '"a"')
    assert not if_none_match('"x", "y"', '"a"') and not if_none_match(None, '"a"')
    assert not if_none_match('"ab"', '"a"')
    assert accepts_gzip("br, gzip;q=0.8") and not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("identity") and not accepts_gzip(None)


def test_weak_if_none_match_gets_304(svc: Service) -> None:
    tag = svc.client.get(STATE).headers["ETag"]
    assert svc.client.get(STATE, headers={"If-None-Match": f"W/{tag}"}).status_code == 304


def test_list_if_none_match_gets_304_only_when_one_matches(svc: Service) -> None:
    tag = svc.client.get(STATE).headers["ETag"]
    hit = svc.client.get(STATE, headers={"If-None-Match": f'"nope", {tag}'})
    assert hit.status_code == 304
    miss = svc.client.get(STATE, headers={"If-None-Match": '"nope", W/"other"'})
    assert miss.status_code == 200 and miss.json()["scope"] == "state"
    assert svc.client.get(STATE, headers={"If-None-Match": "*"}).status_code == 304


def test_304_carries_etag_and_cache_control_and_no_body(svc: Service) -> None:
    first = svc.client.get(STATE)
    r = svc.client.get(STATE, headers={"If-None-Match": first.headers["ETag"]})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["ETag"] == first.headers["ETag"]
    assert r.headers["Cache-Control"] == first.headers["Cache-Control"]
    assert "max-age=" in r.headers["Cache-Control"]
    assert r.headers["Vary"] == "Accept-Encoding"


def test_head_answers_like_get_without_a_body(svc: Service) -> None:
    get = svc.client.get(STATE, headers={"Accept-Encoding": "identity"})
    head = svc.client.head(STATE, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert int(head.headers["Content-Length"]) == len(get.content)
    assert "max-age=" in head.headers["Cache-Control"]
    cond = svc.client.head(STATE, headers={"If-None-Match": get.headers["ETag"]})
    assert cond.status_code == 304 and cond.headers["ETag"] == get.headers["ETag"]
    assert svc.client.head("/api/v1/public/counties/nowhere").status_code == 404


def test_gzip_is_the_same_document(svc: Service) -> None:
    plain = svc.client.get(STATE, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    with svc.client.stream("GET", STATE, headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
        assert r.headers["Content-Encoding"] == "gzip"
        assert r.headers["ETag"] == plain.headers["ETag"]
    assert gzip.decompress(raw) == plain.content


def test_a_report_changes_the_etag_and_the_old_one_gets_200(svc: Service) -> None:
    import time

    tag = svc.client.get(STATE).headers["ETag"]
    r = svc.client.post("/api/v1/chair/reports", json=svc.report(ADAIR_ID))
    assert r.status_code == 201, r.text
    deadline = time.monotonic() + 2
    while True:
        again = svc.client.get(STATE, headers={"If-None-Match": tag})
        if again.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert again.status_code == 200 and again.headers["ETag"] != tag
    assert again.json()["precincts"]["reporting"] == 1


def test_pages_honour_weak_and_list_if_none_match(service: Service) -> None:
    first = service.client.get("/results")
    assert first.status_code == 200
    tag = first.headers["ETag"]
    weak = tag if tag.startswith("W/") else f"W/{tag}"
    for header in (weak, f'"other", {tag}', tag.removeprefix("W/")):
        r = service.client.get("/results", headers={"If-None-Match": header})
        assert r.status_code == 304, header
        assert r.headers["ETag"] == tag and r.headers["Cache-Control"]
