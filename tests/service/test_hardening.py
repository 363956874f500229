"""Issue 10: each attack of the outside probe, replayed (loopback, in process, bounded), on
SQLite and PostgreSQL. Every test names the defect it guards (D1..D9 and the smaller items).

Rule: rules.md §9 (2020: the hotline and the people who had to get through).
"""

from __future__ import annotations

import base64
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from caucuskit.db.models import AuditEntry, Throttle
from caucuskit.services import credentials, sessions, staff_accounts, throttle
from caucuskit.services.context import Context
from caucuskit.services.errors import Unauthorized
from caucuskit.services.settings import Settings
from caucuskit.web.app import create_app
from service.images import picture
from service.service_support import ADAIR_ID, FAST, PASSWORDS, STUART_ID, Service, make_service

BAD = "DDDDD-DDDDD"


def client(svc: Service | Context, host: str) -> TestClient:
    ctx = svc.ctx if isinstance(svc, Service) else svc
    return TestClient(create_app(ctx.settings, ctx), client=(host, 4000))


def signin(c: TestClient, code: str, precinct_id: str = ADAIR_ID) -> Any:
    return c.post("/api/v1/chair/signin", json={"precinct_id": precinct_id, "code": code})


def burst(n: int, call: Callable[[int], int]) -> Counter[int]:
    """``n`` requests at once (threads released together); the status codes."""
    gate = threading.Barrier(n)

    def one(i: int) -> int:
        gate.wait()
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return Counter(pool.map(one, range(n)))


def failures(ctx: Context, key: str) -> int:
    with ctx.db.read() as s:
        row = s.get(Throttle, key)
        return 0 if row is None else row.failures


def refusals(ctx: Context, action: str | None = None) -> int:
    with ctx.db.read() as s:
        q = select(func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "refused")
        if action:
            q = q.where(AuditEntry.action == action)
        return int(s.scalar(q) or 0)


@contextmanager
def counting_checks() -> Iterator[Counter[str]]:
    """Count the argon2 checks made inside the block (``credentials.checked`` wrapped)."""
    checks = Counter[str]()
    real = credentials.checked

    def counting(*args: Any) -> bool:
        checks["argon2"] += 1
        return real(*args)

    credentials.checked = counting  # type: ignore[assignment]
    try:
        yield checks
    finally:
        credentials.checked = real


# ------------------------------------------------------------------------------------ D1
def test_d1_unknown_precinct_or_county_page_is_a_404_page(service: Service) -> None:
    for path in ("/results/precinct/nope", "/results/county/nope"):
        r = service.client.get(path)
        assert r.status_code == 404, (path, r.text[:300])
        assert "text/html" in r.headers["content-type"]
        assert "Not found" in r.text and "nope" in r.text


# ------------------------------------------------------------------------------------ D2, D4
def test_d2_d4_burst_of_wrong_codes_from_one_address_checks_exactly_the_limit(
    service: Service,
) -> None:
    """40 wrong codes at once from one fresh address: no 500, exactly ``pair_free_failures``
    checked (401), the rest refused before any hash (429), every guess counted."""
    ctx = service.ctx
    free = ctx.settings.pair_free_failures
    with counting_checks() as checks:
        statuses = burst(40, lambda i: signin(client(service, "198.51.100.7"), BAD).status_code)
    print("D2/D4 burst of 40:", dict(statuses), "argon2 checks:", checks["argon2"])
    assert statuses == Counter({401: free, 429: 40 - free})
    assert checks["argon2"] == free
    assert failures(ctx, f"code:{ctx.by_id[ADAIR_ID].pk}@ip:198.51.100.7") == free
    assert failures(ctx, "ip:198.51.100.7") == free
    assert refusals(ctx, "chair.signin") == 40


def test_d4_two_workers_count_every_guess_once(service: Service) -> None:
    """Two contexts (two engines, like two worker processes) share the counters."""
    second = Context(service.ctx.settings)
    try:
        apps = [client(service, "198.51.100.8"), client(second, "198.51.100.8")]
        statuses = burst(24, lambda i: signin(apps[i % 2], BAD).status_code)
    finally:
        second.db.dispose()
    assert statuses[401] == service.ctx.settings.pair_free_failures
    assert 500 not in statuses


def test_d4_argon2_checks_are_queued(tmp_path: Any) -> None:
    """At most ``argon2_concurrency`` hashes at once, however many addresses guess."""
    settings = Settings.from_env(
        database_url=str(tmp_path / "q.sqlite"),
        argon2_concurrency=2,
        argon2_time_cost=1,
        argon2_memory_kib=8192,
    )
    ctx = make_service(settings.database_url)
    ctx = Context(settings, db=ctx.db)
    credentials.issue_codes(ctx, only=[ADAIR_ID])
    running, peak = 0, 0
    lock = threading.Lock()
    real = credentials._verify

    def watched(*args: Any) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.01)
            return real(*args)
        finally:
            with lock:
                running -= 1

    credentials._verify = watched  # type: ignore[assignment]
    try:
        statuses = burst(16, lambda i: signin(client(ctx, f"203.0.113.{i + 1}"), BAD).status_code)
    finally:
        credentials._verify = real
        ctx.db.dispose()
    print("D4 queue: 16 addresses at once, peak argon2 checks running:", peak)
    assert statuses == Counter({401: 16})
    assert peak <= 2


# ------------------------------------------------------------------------------------ D3
def test_d3_nul_characters_are_refused_with_4xx_everywhere(service: Service) -> None:
    c = service.client
    r = c.get("/api/v1/desk/overview", auth=("a\x00b", "pw"))
    assert r.status_code == 401, r.text
    rc = {
        "precinct_id": ADAIR_ID,
        "attendees": 40,
        "first": {"Biden": 40},
        "final": {"Biden": 40},
        "channel": "recount",
        "reason": "A\x00B",
    }
    r = c.post("/api/v1/desk/recanvass", json=rc, auth=service.auth("desk1"))
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "reason", r.text
    r = c.post("/api/v1/chair/reports", json=service.report(final={"Bi\x00den": 3}))
    assert r.status_code == 422, r.text
    r = c.post("/api/v1/chair/signin", json={"precinct_id": "a\x00b", "code": BAD})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "precinct_id"
    r = c.post("/api/v1/chair/reports", json={**service.report(), "x\x00": 1})
    assert r.status_code == 422, r.text
    assert c.get("/api/v1/desk/precincts/a%00b", auth=service.auth("desk1")).status_code == 422
    assert (
        c.get("/api/v1/desk/precincts?county=a%00", auth=service.auth("desk1")).status_code == 422
    )
    assert c.get("/results/precinct/a%00b").status_code == 422
    r = c.post(
        "/api/v1/chair/reports", json=service.report(), headers={"Idempotency-Key": "a\x7fb"}
    )
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "idempotency_key"
    assert refusals(service.ctx) >= 6


# ------------------------------------------------------------------------------------ D5
def test_d5_a_valid_code_does_not_reset_the_address_budget(db_url: str) -> None:
    """Four wrong codes for other precincts, then one right sign-in, over and over: the
    address is cut off after its budget of wrong codes, successes notwithstanding."""
    ctx = make_service(db_url)
    ctx = Context(Settings.from_env(database_url=db_url, address_code_budget=12, **FAST), db=ctx.db)
    issued, _ = credentials.issue_codes(ctx, only=[STUART_ID])
    own = issued[0].code
    others = [p.id for p in ctx.precincts if p.id != STUART_ID][:4]
    c = client(ctx, "198.51.100.99")
    seen: Counter[int] = Counter()
    for _ in range(25):  # 100 wrong guesses attempted, as in the probe
        for pid in others:
            seen[signin(c, BAD, pid).status_code] += 1
        assert signin(c, own, STUART_ID).status_code in (200, 429)
    ctx.db.dispose()
    print("D5: 100 wrong guesses attempted with resets:", dict(seen))
    assert seen[401] == 12 and seen[429] == 88


# ------------------------------------------------------------------------------------ D6
def test_d6_a_stranger_burst_cannot_lock_out_a_chair_who_mistypes(service: Service) -> None:
    statuses = burst(40, lambda i: signin(client(service, "198.51.100.66"), BAD).status_code)
    assert statuses[429] == 40 - service.ctx.settings.pair_free_failures
    chair = client(service, "192.0.2.10")
    assert signin(chair, BAD).status_code == 401  # one typo of their own
    r = signin(chair, service.codes[ADAIR_ID])
    assert r.status_code == 200, r.text
    print("D6: after a 40-request burst and one typo, the chair got", r.status_code)


# ------------------------------------------------------------------------------------ D7
def test_d7_a_shared_address_locks_nobody_else_out(service: Service) -> None:
    """Hotline room behind one address: operator1's typos never refuse operator2, nor a chair
    of another precinct or of the same one."""
    c = service.client  # everyone here comes from the same address
    bad = dict(
        service.report(STUART_ID, attendees=30, first={"Biden": 30}, final={"Biden": 30}),
        channel="hotline",
        code=BAD,
    )
    seen = Counter(
        c.post("/api/v1/operator/reports", json=bad, auth=service.auth("operator1")).status_code
        for _ in range(8)
    )
    assert seen == Counter({401: 5, 429: 3})
    good = dict(bad, code=service.codes[STUART_ID])
    r = c.post("/api/v1/operator/reports", json=good, auth=service.auth("operator2"))
    assert r.status_code == 201, r.text
    assert signin(c, service.codes[STUART_ID], STUART_ID).status_code == 200
    assert signin(c, service.codes[ADAIR_ID]).status_code == 200
    assert failures(service.ctx, "acct:operator1") == 5


def test_d7_forwarded_address_only_from_listed_proxies(service: Service) -> None:
    settings = Settings.from_env(
        database_url=service.ctx.settings.database_url, trusted_proxies="10.0.0.1", **FAST
    )
    ctx = Context(settings, db=service.ctx.db)
    via = {"X-Forwarded-For": "203.0.113.50"}
    for peer, expected in (("10.0.0.1", "203.0.113.50"), ("10.0.0.2", "10.0.0.2")):
        with TestClient(create_app(settings, ctx), client=(peer, 1234)) as c:
            c.post("/api/v1/chair/signin", json={"precinct_id": ADAIR_ID, "code": BAD}, headers=via)
        with ctx.db.read() as s:
            last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert last.client == expected


def test_ipv6_clients_are_counted_per_64() -> None:
    assert throttle.client_key("2001:db8:1:2:aaaa::1") == throttle.client_key("2001:db8:1:2::9")
    assert throttle.client_key("2001:db8:1:3::1") != throttle.client_key("2001:db8:1:2::1")
    assert throttle.client_key("::ffff:192.0.2.1") == "192.0.2.1"


# ------------------------------------------------------------------------------------ D8
def test_d8_staff_logins_are_throttled_per_account_and_address(service: Service) -> None:
    c = service.client
    seen = Counter(
        c.get("/api/v1/desk/overview", auth=("desk1", "wrong")).status_code for _ in range(60)
    )
    print("D8: 60 wrong passwords for desk1 from one address:", dict(seen))
    assert seen == Counter({401: 5, 429: 55})
    assert c.get("/api/v1/desk/overview", auth=service.auth("desk1")).status_code == 429
    other = client(service, "192.0.2.77")  # the real desk user, elsewhere
    assert other.get("/api/v1/desk/overview", auth=service.auth("desk1")).status_code == 200
    assert refusals(service.ctx, "staff.signin") == 61  # the 60 and the refused right one


def test_d8_unknown_user_names_take_as_long_as_known_ones(tmp_path: Any) -> None:
    settings = Settings.from_env(database_url=str(tmp_path / "t.sqlite"))  # real argon2 cost
    ctx = make_service(settings.database_url)
    ctx = Context(settings, db=ctx.db)
    staff_accounts.create_account(ctx, "timed", "desk", "the-real-password")

    def timed(user: str, i: int) -> float:
        t0 = time.perf_counter()
        with pytest.raises(Unauthorized):
            staff_accounts.authenticate_account(ctx, user, "nope", f"192.0.2.{i}")
        return time.perf_counter() - t0

    known = [timed("timed", i) for i in range(1, 8)]
    unknown = [timed("ghost", i) for i in range(101, 108)]
    ctx.db.dispose()
    ratio = statistics.median(known) / statistics.median(unknown)
    print(
        f"D8 timing: median known {statistics.median(known) * 1000:.1f} ms, unknown "
        f"{statistics.median(unknown) * 1000:.1f} ms, ratio {ratio:.2f}"
    )
    assert 0.5 < ratio < 2.0


def test_d8_an_operators_own_right_logins_at_once_are_never_refused(service: Service) -> None:
    """The hotline after a restart (found by the drill, issue 14): operator1's queued entries
    all arrive at once with the right password and no login remembered. Each used to be
    counted as a wrong password until checked, so the 6th found the account blocked (429,
    "too many wrong passwords") although no password was ever wrong. Identical wrong
    passwords at once are still each counted."""
    ctx = service.ctx
    staff_accounts.forget_logins()
    hotline = client(service, "192.0.2.30")
    with counting_checks() as checks:
        right = burst(
            20,
            lambda i: (
                hotline.get("/api/v1/desk/overview", auth=service.auth("operator1")).status_code
            ),
        )
        wrong = burst(
            20,
            lambda i: hotline.get("/api/v1/desk/overview", auth=("operator2", "wrong")).status_code,
        )
    print(
        "20 right logins at once:",
        dict(right),
        "; 20 identical wrong ones:",
        dict(wrong),
        "; argon2 checks:",
        checks["argon2"],
    )
    assert right == Counter({403: 20})  # let in (an operator may not read the desk view)
    assert failures(ctx, "login:operator1@192.0.2.30") == 0
    assert wrong == Counter(
        {401: ctx.settings.login_free_failures, 429: 20 - ctx.settings.login_free_failures}
    )
    assert failures(ctx, "login:operator2@192.0.2.30") == ctx.settings.login_free_failures
    assert checks["argon2"] == 1 + ctx.settings.login_free_failures


def test_staff_login_cache_never_holds_the_password(service: Service) -> None:
    assert (
        service.client.get("/api/v1/desk/overview", auth=service.auth("desk1")).status_code == 200
    )
    keys = list(staff_accounts._account_cache)
    assert keys and all(isinstance(k, bytes) and len(k) == 32 for k in keys)  # an HMAC
    assert all(PASSWORDS["desk1"] not in repr(k) for k in keys)
    assert all(PASSWORDS["desk1"] not in repr(v) for v in staff_accounts._account_cache.values())


# ------------------------------------------------------------------------------------ smaller
def test_security_headers_on_pages_api_and_errors(service: Service) -> None:
    for path in (
        "/",
        "/results",
        "/api/v1/public/state",
        "/api/v1/nope",
        "/healthz",
        "/results/precinct/nope",
    ):
        r = service.client.get(path)
        h = r.headers
        assert h["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in h["content-security-policy"], path
        assert "script-src 'self'" in h["content-security-policy"], path
        assert h["referrer-policy"] == "same-origin", path


def test_docs_work_without_internet(service: Service) -> None:
    for page, asset in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        html = service.client.get(page).text
        assert f"/docs-assets/{asset}" in html and "cdn.jsdelivr" not in html
        js = service.client.get(f"/docs-assets/{asset}")
        assert js.status_code == 200 and len(js.content) > 100_000


def test_photo_polyglot_is_refused_and_photos_are_served_safely(service: Service) -> None:
    c = service.client
    v = c.post("/api/v1/chair/reports", json=service.report()).json()["version_id"]
    code = service.codes[ADAIR_ID]
    evil = b"RIFF<html><script>alert(1)</script></html>" + b" " * 100
    r = c.post(
        f"/api/v1/chair/reports/{v}/photo",
        json={"code": code, "content_type": "image/webp", "data": base64.b64encode(evil).decode()},
    )
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "data", r.text
    png = picture("PNG")
    r = c.post(
        f"/api/v1/chair/reports/{v}/photo",
        json={"code": code, "content_type": "image/png", "data": base64.b64encode(png).decode()},
    )
    assert r.status_code == 201, r.text
    got = c.get(f"/api/v1/desk/photos/{r.json()['photo_id']}", auth=service.auth("desk1"))
    assert got.content == png
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith("inline; filename=")
    assert "sandbox" in got.headers["content-security-policy"]


def test_photo_checks_the_code_before_saying_a_version_exists(service: Service) -> None:
    c = service.client
    v = c.post("/api/v1/chair/reports", json=service.report()).json()["version_id"]
    body = {"code": BAD, "content_type": "image/jpeg", "data": base64.b64encode(picture()).decode()}
    known = c.post(f"/api/v1/chair/reports/{v}/photo", json=body)
    unknown = c.post(f"/api/v1/chair/reports/{v + 1000}/photo", json=body)
    assert known.status_code == unknown.status_code == 401
    assert known.json() == unknown.json()


def test_chunked_body_over_the_limit_is_413_and_audited(service: Service) -> None:
    before = refusals(service.ctx)

    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    r = service.client.post(
        "/api/v1/chair/reports", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and r.json()["error"] == "too-large", r.text
    assert refusals(service.ctx) == before + 1


def test_missing_code_is_401(service: Service) -> None:
    body = {k: v for k, v in service.report().items() if k != "code"}
    r = service.client.post("/api/v1/chair/reports", json=body)
    assert r.status_code == 401 and r.json()["problems"][0]["field"] == "code"
    r = service.client.post("/api/v1/chair/signin", json={"precinct_id": ADAIR_ID})
    assert r.status_code == 401


def test_every_refused_post_is_audited(service: Service) -> None:
    c = service.client
    deep = "[" * 5000 + "]" * 5000
    bodies: list[tuple[str, bytes]] = [
        ("/api/v1/chair/reports", b"{not json"),
        ("/api/v1/chair/reports", b"[1, 2]"),
        ("/api/v1/chair/reports", deep.encode()),
        ("/api/v1/chair/reports", b'{"attendees": true}'),
        ("/api/v1/chair/signin", b"\xff\xfe"),
        ("/api/v1/desk/recanvass", b"{}"),
        ("/api/v1/nope", b"{}"),
    ]
    before = refusals(service.ctx)
    for path, raw in bodies:
        r = c.post(path, content=raw, headers={"content-type": "application/json"})
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])
        assert r.json()["problems"][0]["field"]
    assert refusals(service.ctx) == before + len(bodies)


# ------------------------------------------------------------------------------------ tokens
def test_chair_signs_in_once_then_reports_with_a_token(service: Service) -> None:
    c = service.client
    r = signin(c, service.codes[ADAIR_ID])
    token = r.json()["token"]
    assert r.json()["token_expires_at"].endswith("Z")
    with counting_checks() as calls:
        body = {k: v for k, v in service.report().items() if k != "code"}
        bearer = {"Authorization": f"Bearer {token}"}
        r = c.post("/api/v1/chair/reports", json=body, headers=bearer)
        assert r.status_code == 201, r.text
        v = r.json()["version_id"]
        r = c.post(
            f"/api/v1/chair/reports/{v}/photo",
            headers=bearer,
            json={"content_type": "image/jpeg", "data": base64.b64encode(picture()).decode()},
        )
        assert r.status_code == 201, r.text
    assert calls["argon2"] == 0
    # bound to the precinct
    other = {k: v for k, v in service.report(STUART_ID).items() if k != "code"}
    r = c.post("/api/v1/chair/reports", json=other, headers=bearer)
    assert r.status_code == 401 and r.json()["problems"][0]["field"] == "authorization"
    assert r.headers["www-authenticate"].startswith("Bearer")  # no Basic dialog on a phone
    # revoked by hand, and by a new code
    token2 = signin(c, service.codes[ADAIR_ID]).json()["token"]
    assert sessions.revoke(service.ctx, service.ctx.by_id[ADAIR_ID]) == 2
    for t in (token, token2):
        r = c.post("/api/v1/chair/reports", json=body, headers={"Authorization": f"Bearer {t}"})
        assert r.status_code == 401, r.text
    token3 = signin(c, service.codes[ADAIR_ID]).json()["token"]
    credentials.rotate_code(service.ctx, ADAIR_ID, reason="lost packet")
    r = c.post("/api/v1/chair/reports", json=body, headers={"Authorization": f"Bearer {token3}"})
    assert r.status_code == 401, r.text


def test_expired_token_falls_back_to_the_code(service: Service) -> None:
    c = service.client
    token = signin(c, service.codes[ADAIR_ID]).json()["token"]
    ctx = service.ctx
    later = ctx.clock() + timedelta(seconds=ctx.settings.session_ttl + 5)
    ctx.clock = lambda: later
    body = {k: v for k, v in service.report().items() if k != "code"}
    bearer = {"Authorization": f"Bearer {token}"}
    r = c.post("/api/v1/chair/reports", json=body, headers=bearer)
    assert r.status_code == 401, r.text
    # the outbox keeps the code: the same request with it goes through (a silent re-sign-in)
    r = c.post(
        "/api/v1/chair/reports", json=dict(body, code=service.codes[ADAIR_ID]), headers=bearer
    )
    assert r.status_code == 201, r.text
    assert (
        c.post(
            "/api/v1/chair/reports", json=body, headers={"Authorization": "Bearer forged.token"}
        ).status_code
        == 401
    )


# ------------------------------------------------------------------------------------ issue 16
def test_idempotency_key_is_scoped_per_actor(service: Service) -> None:
    """docs/api.md: the same key from the *same actor* replays. Two operators using the same
    key are two entries (a double entry that confirms), and two chairs' keys never collide."""
    c = service.client
    key = {"Idempotency-Key": "shared-key-1"}
    body = dict(
        service.report(STUART_ID, attendees=30, first={"Biden": 30}, final={"Biden": 30}),
        channel="hotline",
    )
    first = c.post(
        "/api/v1/operator/reports", json=body, headers=key, auth=service.auth("operator1")
    )
    assert first.status_code == 201 and first.json()["status"] == "awaiting-second-entry"
    second = c.post(
        "/api/v1/operator/reports", json=body, headers=key, auth=service.auth("operator2")
    )
    assert second.status_code == 201, second.text
    assert "idempotent-replayed" not in second.headers
    assert second.json()["status"] == "accepted"
    again = c.post(
        "/api/v1/operator/reports", json=body, headers=key, auth=service.auth("operator1")
    )
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    chair = c.post("/api/v1/chair/reports", json=service.report(), headers=key)
    assert chair.status_code == 201 and chair.json()["precinct"]["id"] == ADAIR_ID


# ------------------------------------------------------------------------------------ budget
def test_address_budget_bounds_all_guesses_from_one_address(db_url: str) -> None:
    """Guarantee 1 of docs/security.md: one address gets ``address_code_budget`` checked wrong
    codes per window, spread over any number of precincts."""
    ctx = make_service(db_url)
    ctx = Context(Settings.from_env(database_url=db_url, address_code_budget=12, **FAST), db=ctx.db)
    c = client(ctx, "198.51.100.123")
    ids = [p.id for p in ctx.precincts][:10]
    seen = Counter(signin(c, BAD, pid).status_code for pid in ids for _ in range(3))
    ctx.db.dispose()
    assert seen == Counter({401: 12, 429: 18})


def test_codes_file_is_private_before_any_secret_is_written(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The codes CSV was chmod 600 only after it was written; now it is created private."""
    import csv
    import os

    from typer.testing import CliRunner

    from caucuskit.cli.app import build

    monkeypatch.setenv("CAUCUS_ARGON2_TIME_COST", "1")
    monkeypatch.setenv("CAUCUS_ARGON2_MEMORY_KIB", "1024")
    db, out = str(tmp_path / "c.sqlite"), tmp_path / "codes.csv"
    runner = CliRunner()
    assert runner.invoke(build(), ["init", "--election", "iowa-2020", "--db", db]).exit_code == 0
    modes: list[int] = []
    real_writer = csv.writer

    def watching(fh: Any, *args: Any, **kwargs: Any) -> Any:
        modes.append(os.stat(out).st_mode & 0o777)  # the moment before the first secret
        return real_writer(fh, *args, **kwargs)

    monkeypatch.setattr(csv, "writer", watching)
    old = os.umask(0o022)
    try:
        r = runner.invoke(
            build(),
            [
                "credentials",
                "issue",
                "--db",
                db,
                "--out",
                str(out),
                "--precinct",
                ADAIR_ID,
                "--json",
            ],
        )
    finally:
        os.umask(old)
    assert r.exit_code == 0, r.output
    assert modes == [0o600] and os.stat(out).st_mode & 0o777 == 0o600
