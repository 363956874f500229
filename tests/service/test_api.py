"""The reporting, desk and public API on SQLite and PostgreSQL (docs/api.md).

Rule: rules.md §9 — raw inputs in, derived results out; nothing overwritten; every refusal logged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text

from caucuskit.db.models import AuditEntry, Decision, ReportVersion
from service.service_support import ADAIR_ID, STUART_ID, Service

#: A different, valid count for the same precinct (no toss needed).
ALT = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 7, "Warren": 11}


def counts(svc: Service) -> tuple[int, int, int]:
    with svc.ctx.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(ReportVersion)) or 0,
            s.scalar(select(func.count()).select_from(Decision)) or 0,
            s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
        )


def post(svc: Service, path: str, body: Any, **kw: Any) -> Any:
    return svc.client.post(f"/api/v1{path}", json=body, **kw)


def test_chair_report_real_2020_precinct(service: Service) -> None:
    r = post(service, "/chair/reports", service.report())
    assert r.status_code == 201, r.text
    a = r.json()
    assert a["status"] == "accepted"
    assert a["receipt"].startswith("R-")
    # rules.md §7.1 example: Klobuchar, Sanders, Warren 2 each; Biden, Buttigieg 1 each
    assert a["delegates"] == {"Biden": 1, "Buttigieg": 1, "Klobuchar": 2, "Sanders": 2, "Warren": 2}
    assert a["sde"]["Klobuchar"] == "8/51"
    assert a["sde_display"] == {
        "Biden": "0.0784",
        "Buttigieg": "0.0784",
        "Klobuchar": "0.1569",
        "Sanders": "0.1569",
        "Warren": "0.1569",
    }
    assert a["worksheet"]["threshold"] == 6
    state = service.client.get("/api/v1/public/state").json()
    assert state["precincts"]["reporting"] == 1
    top = {c["name"]: c for c in state["candidates"]}
    assert top["Klobuchar"]["sde"] == "8/51"
    tosses = service.client.get("/api/v1/public/coin-tosses").json()["tosses"]
    assert tosses[0]["winners"] == ["Klobuchar"]
    assert tosses[0]["witnesses"] == ["Biden captain", "Sanders captain"]


def test_idempotency_same_key_same_answer_one_version(service: Service) -> None:
    headers = {"Idempotency-Key": "phone-1-attempt"}
    r1 = post(service, "/chair/reports", service.report(), headers=headers)
    r2 = post(service, "/chair/reports", service.report(), headers=headers)
    assert r1.status_code == 201 and r2.status_code == 200
    assert r2.headers["Idempotent-Replayed"] == "true"
    assert r1.json() == r2.json()
    assert counts(service)[0] == 1
    changed = service.report(tosses=[{"winner": "Klobuchar", "witnesses": ["someone else"]}])
    r3 = post(service, "/chair/reports", changed, headers=headers)
    assert r3.status_code == 409
    assert r3.json()["problems"][0]["field"] == "idempotency_key"
    assert counts(service)[0] == 1


def test_different_report_is_a_conflict_not_an_overwrite(service: Service) -> None:
    post(service, "/chair/reports", service.report())
    r = post(service, "/chair/reports", service.report(first=ALT, final=ALT, tosses=[]))
    assert r.status_code == 201 and r.json()["status"] == "conflict"
    same = post(service, "/chair/reports", service.report())
    assert same.json()["status"] == "duplicate"
    doc = service.client.get(f"/api/v1/public/precincts/{ADAIR_ID}").json()
    assert doc["candidates"][0]["final"] in (9, 8)
    assert {c["name"]: c["final"] for c in doc["candidates"]}["Sanders"] == 9
    conflicts = service.client.get("/api/v1/desk/conflicts", auth=service.auth("desk1")).json()
    assert [c["status"] for c in conflicts["conflicts"]] == ["conflict"]
    diff = conflicts["conflicts"][0]["diff_to_current"]
    assert {"field": "final.Sanders", "first_entry": 9, "second_entry": 7} in diff


BAD: list[tuple[str, dict[str, Any], int, str]] = [
    ("boolean count", {"attendees": True}, 422, "attendees"),
    ("string count", {"attendees": "40"}, 422, "attendees"),
    ("float count", {"attendees": 40.0}, 422, "attendees"),
    ("negative count", {"final": {"Biden": -1}}, 422, "final.Biden"),
    ("huge count", {"attendees": 10**9}, 422, "attendees"),
    ("unknown group", {"final": {"Nobody": 3, "Biden": 6}}, 422, "final.Nobody"),
    ("unknown precinct", {"precinct_id": "adair--nowhere"}, 422, "precinct_id"),
    ("total above attendees", {"attendees": 10}, 422, "first"),
    ("delegates as input", {"delegates": {"Biden": 8}}, 422, "delegates"),
    ("wrong code", {"code": "AAAAA-AAAAA"}, 401, "code"),
    ("missing final", {"final": None}, 422, "final"),
]


@pytest.mark.parametrize(("name", "change", "status", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_names_the_field_and_writes_only_audit(
    service: Service, name: str, change: dict[str, Any], status: int, field: str
) -> None:
    body = service.report()
    body.update(change)
    if body.get("final") is None:
        del body["final"]
    before = counts(service)
    r = post(service, "/chair/reports", body)
    assert r.status_code == status, r.text
    fields = [p["field"] for p in r.json()["problems"]]
    assert any(f == field or f.startswith(field) for f in fields), fields
    after = counts(service)
    assert after[:2] == before[:2]
    assert after[2] == before[2] + 1


def test_shrinking_viable_group_is_refused(service: Service) -> None:
    first = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}
    final = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 7, "Warren": 11}
    r = post(service, "/chair/reports", service.report(first=first, final=final))
    assert r.status_code == 422
    assert [p["field"] for p in r.json()["problems"]] == ["final.Sanders"]


def test_missing_toss_is_asked_for(service: Service) -> None:
    r = post(service, "/chair/reports", service.report(tosses=[]))
    assert r.status_code == 422
    assert r.json()["problems"][0]["field"] == "tosses"
    pre = post(service, "/chair/preview", service.report(tosses=[]))
    assert pre.status_code == 200
    assert set(pre.json()["pending_tie"]["groups"]) == {"Buttigieg", "Klobuchar"}


def test_malformed_and_oversized_bodies(service: Service) -> None:
    before = counts(service)
    r = service.client.post(
        "/api/v1/chair/reports", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["problems"][0]["field"] == "body"
    r = service.client.post("/api/v1/chair/reports", json=[1, 2])
    assert r.status_code == 400 and r.json()["problems"][0]["field"] == "body"
    big = service.report(tosses=[{"winner": "Klobuchar", "witnesses": ["x" * 200] * 10}] * 40)
    r = post(service, "/chair/reports", big)
    assert r.status_code == 413 and r.json()["problems"][0]["field"] == "body"
    after = counts(service)
    assert after[:2] == before[:2] and after[2] == before[2] + 3


def test_wrong_codes_are_throttled_without_locking_out_the_chair(service: Service) -> None:
    bad = {"precinct_id": ADAIR_ID, "code": "BBBBB-BBBBB"}
    good = {"precinct_id": ADAIR_ID, "code": service.codes[ADAIR_ID]}
    for _ in range(service.ctx.settings.pair_free_failures):
        assert post(service, "/chair/signin", bad).status_code == 401
    r = post(service, "/chair/signin", bad)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    # the blocked client is refused even with the right code
    assert post(service, "/chair/signin", good).status_code == 429
    # the real chair, from another address, still gets in although the precinct is under attack
    from fastapi.testclient import TestClient

    from caucuskit.web.app import create_app

    with TestClient(
        create_app(service.ctx.settings, service.ctx), client=("203.0.113.7", 5000)
    ) as chair:
        ok = chair.post("/api/v1/chair/signin", json=good)
        assert ok.status_code == 200, ok.text
        assert ok.json()["precinct"]["id"] == ADAIR_ID
    log = service.client.get("/api/v1/desk/audit-log", auth=service.auth("desk1")).json()
    assert (
        sum(
            1 for e in log["entries"] if e["action"] == "chair.signin" and e["outcome"] == "refused"
        )
        >= 6
    )


def test_readiness_counts_chair_signins(service: Service) -> None:
    post(
        service,
        "/chair/signin",
        {"county": "Adair", "precinct": "1NW ADAIR", "code": service.codes[ADAIR_ID].lower()},
    )
    ov = service.client.get("/api/v1/desk/overview", auth=service.auth("desk1")).json()
    adair = next(c for c in ov["readiness"]["counties"] if c["county"] == "Adair")
    assert adair == {"county": "Adair", "county_id": "adair", "signed_in": 1, "total": 5}
    assert ov["readiness"]["signed_in"] == 1


def test_double_entry_matching_counts(service: Service) -> None:
    body = dict(service.report(), channel="hotline")
    r1 = post(service, "/operator/reports", body, auth=service.auth("operator1"))
    assert r1.json()["status"] == "awaiting-second-entry"
    assert service.client.get("/api/v1/public/state").json()["precincts"]["reporting"] == 0
    same_op = post(service, "/operator/reports", body, auth=service.auth("operator1"))
    assert same_op.status_code == 409 and same_op.json()["problems"][0]["field"] == "operator"
    r2 = post(service, "/operator/reports", body, auth=service.auth("operator2"))
    assert r2.json()["status"] == "accepted"
    assert service.client.get("/api/v1/public/state").json()["precincts"]["reporting"] == 1


def test_double_entry_mismatch_goes_to_desk_with_diff(service: Service) -> None:
    body = dict(service.report(), channel="paper")
    post(service, "/operator/reports", body, auth=service.auth("operator1"))
    typo = dict(body, first=ALT, final=ALT, tosses=[])
    r = post(service, "/operator/reports", typo, auth=service.auth("operator2"))
    a = r.json()
    assert a["status"] == "entry-mismatch"
    assert {"field": "final.Warren", "first_entry": 9, "second_entry": 11} in a["diff"]
    assert {"field": "final.Sanders", "first_entry": 9, "second_entry": 7} in a["diff"]
    ov = service.client.get("/api/v1/desk/overview", auth=service.auth("desk1")).json()
    assert ov["precincts"]["conflict"] == 1
    # the desk accepts the first entry; the second is closed
    first_id = a["version_id"] - 1
    acc = post(
        service,
        f"/desk/versions/{first_id}/accept",
        {"reason": "called the chair back"},
        auth=service.auth("desk1"),
    )
    assert acc.status_code == 200 and acc.json()["status"] == "accepted"
    hist = service.client.get(
        f"/api/v1/desk/precincts/{ADAIR_ID}", auth=service.auth("desk1")
    ).json()
    assert [v["status"] for v in hist["versions"]] == ["accepted", "rejected"]


def test_operator_needs_the_precinct_code_and_role(service: Service) -> None:
    body = dict(service.report(code="CCCCC-CCCCC"), channel="hotline")
    assert (
        post(service, "/operator/reports", body, auth=service.auth("operator1")).status_code == 401
    )
    assert (
        post(
            service,
            "/operator/reports",
            dict(service.report(), channel="hotline"),
            auth=("operator1", "nope"),
        ).status_code
        == 401
    )
    assert (
        post(
            service,
            "/operator/reports",
            dict(service.report(), channel="hotline"),
            auth=service.auth("desk1"),
        ).status_code
        == 403
    )
    assert (
        service.client.get("/api/v1/desk/overview", auth=service.auth("operator1")).status_code
        == 403
    )


def test_desk_reject_recanvass_and_diff(service: Service) -> None:
    post(service, "/chair/reports", service.report())
    t0 = datetime.now(UTC)
    wrong = post(service, "/chair/reports", service.report(first=ALT, final=ALT, tosses=[]))
    rej = post(
        service,
        f"/desk/versions/{wrong.json()['version_id']}/reject",
        {"reason": "chair pressed send twice"},
        auth=service.auth("desk1"),
    )
    assert rej.json()["status"] == "rejected"
    again = post(
        service,
        f"/desk/versions/{wrong.json()['version_id']}/accept",
        {"reason": "changed my mind"},
        auth=service.auth("desk1"),
    )
    assert again.status_code == 409
    assert (
        post(
            service,
            f"/desk/versions/{wrong.json()['version_id']}/accept",
            {"reason": ""},
            auth=service.auth("desk1"),
        ).status_code
        == 422
    )
    # recanvass: Warren's count was 11, Sanders 7 -> Warren 3 delegates
    final = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 7, "Warren": 11}
    rc = {
        "county": "Adair",
        "precinct": "1NW ADAIR",
        "attendees": 40,
        "first": final,
        "final": final,
        "tosses": [],
        "channel": "recanvass",
        "reason": "IDP recanvass",
    }
    r = post(service, "/desk/recanvass", rc, auth=service.auth("desk1"))
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "accepted"
    d = service.client.get(
        "/api/v1/desk/diff", params={"from": t0.isoformat()}, auth=service.auth("desk1")
    ).json()
    assert [c["precinct_id"] for c in d["changed"]] == [ADAIR_ID]
    change = d["changed"][0]
    assert change["before"]["delegates"]["Klobuchar"] == 2
    assert change["after"]["delegates"] == r.json()["delegates"]
    assert sum(int(n) for n in d["national_delta"].values()) == 0 or d["national_delta"]
    total = sum(__import__("fractions").Fraction(x) for x in d["sde_delta"].values())
    assert total == 0  # delegates move between candidates; the precinct's value is fixed
    changes = service.client.get("/api/v1/public/changes").json()["changes"]
    assert changes[-1]["kind"] == "recanvass" and changes[-1]["reason"]
    state = service.client.get("/api/v1/public/state").json()
    # one recanvassed precinct of many: still partial, not "corrected" (issue 12)
    assert state["status"] == "unofficial-partial"
    precinct = service.client.get(f"/api/v1/public/precincts/{ADAIR_ID}").json()
    assert precinct["status"] == "correction"
    hist = service.client.get(
        f"/api/v1/desk/precincts/{ADAIR_ID}", auth=service.auth("desk1")
    ).json()
    assert [v["status"] for v in hist["versions"]] == ["superseded", "rejected", "accepted"]


def test_public_etag_and_cache_headers(service: Service) -> None:
    r = service.client.get("/api/v1/public/state")
    assert r.status_code == 200 and "max-age=" in r.headers["Cache-Control"]
    tag = r.headers["ETag"]
    assert (
        service.client.get("/api/v1/public/state", headers={"If-None-Match": tag}).status_code
        == 304
    )
    post(service, "/chair/reports", service.report())
    r2 = service.client.get("/api/v1/public/state", headers={"If-None-Match": tag})
    assert r2.status_code == 200 and r2.headers["ETag"] != tag
    for path in (
        "election",
        "districts/3",
        "counties/adair",
        f"precincts/{STUART_ID}",
        "coin-tosses",
        "changes",
        "version",
    ):
        assert service.client.get(f"/api/v1/public/{path}").status_code == 200, path
    assert service.client.get("/api/v1/public/counties/nowhere").status_code == 404
    assert service.client.get("/api/v1/public/districts/9").status_code == 404
    # the pages read the same documents in-process
    app = cast(FastAPI, service.client.app)
    doc, etag = app.state.public.document("state")
    assert etag == r2.headers["ETag"] and doc["precincts"]["reporting"] == 1


def test_history_tables_are_append_only(service: Service) -> None:
    post(service, "/chair/reports", service.report())
    for table in ("report_versions", "decisions", "audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with service.ctx.db.write() as s:
                s.execute(text(f"UPDATE {table} SET id = id"))
        with pytest.raises(Exception, match="append-only"):
            with service.ctx.db.write() as s:
                s.execute(text(f"DELETE FROM {table}"))
    assert counts(service)[0] == 1


def test_worksheet_photo_is_attached_and_served_to_the_desk(service: Service) -> None:
    import base64

    v = post(service, "/chair/reports", service.report()).json()["version_id"]
    from service.images import picture

    jpeg = picture("JPEG")
    body = {
        "code": service.codes[ADAIR_ID],
        "content_type": "image/jpeg",
        "data": base64.b64encode(jpeg).decode(),
    }
    r = post(service, f"/chair/reports/{v}/photo", body)
    assert r.status_code == 201, r.text
    pid = r.json()["photo_id"]
    assert (
        post(service, f"/chair/reports/{v}/photo", dict(body, code="ZZZZZ-ZZZZZ")).status_code
        == 401
    )
    assert (
        post(service, f"/chair/reports/{v}/photo", dict(body, content_type="image/png")).status_code
        == 422
    )
    hist = service.client.get(
        f"/api/v1/desk/precincts/{ADAIR_ID}", auth=service.auth("desk1")
    ).json()
    assert hist["versions"][0]["photos"][0]["photo_id"] == pid
    got = service.client.get(f"/api/v1/desk/photos/{pid}", auth=service.auth("desk1"))
    assert got.content == jpeg and got.headers["content-type"] == "image/jpeg"
    assert service.client.get(f"/api/v1/desk/photos/{pid}").status_code == 401


def test_many_strangers_cannot_slow_a_precinct_for_its_chair(service: Service) -> None:
    """Issue 10 D6: strangers' wrong codes never refuse the chair, even after the chair's own
    typo (the old "slow mode" blocked a chair's first typo for 15 minutes)."""
    from fastapi.testclient import TestClient

    app = service.client.app
    bad = {"precinct_id": ADAIR_ID, "code": "DDDDD-DDDDD"}
    good = {"precinct_id": ADAIR_ID, "code": service.codes[ADAIR_ID]}
    for i in range(12):  # one burst of wrong codes from many addresses
        with TestClient(app, client=(f"198.51.100.{i + 1}", 4000)) as stranger:
            for _ in range(service.ctx.settings.pair_free_failures):
                assert stranger.post("/api/v1/chair/signin", json=bad).status_code == 401
            assert stranger.post("/api/v1/chair/signin", json=bad).status_code == 429
    # the real chair, on their own phone, mistypes once and then gets in
    with TestClient(app, client=("192.0.2.55", 4000)) as chair:
        assert chair.post("/api/v1/chair/signin", json=bad).status_code == 401
        assert chair.post("/api/v1/chair/signin", json=good).status_code == 200


def test_flows_never_issue_update_or_delete_on_history_tables(service: Service) -> None:
    import re

    from sqlalchemy import event

    seen: list[str] = []
    pattern = re.compile(
        r"^\s*(UPDATE|DELETE\s+FROM)\s+\"?(report_versions|decisions|audit_log|"
        r"access_codes|chair_signins|photos)\b",
        re.I,
    )

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if pattern.match(statement):
            seen.append(statement)

    engine = service.ctx.db.engine
    event.listen(engine, "before_cursor_execute", hook)
    try:
        post(service, "/chair/signin", {"precinct_id": ADAIR_ID, "code": "EEEEE-EEEEE"})
        post(service, "/chair/reports", service.report())
        c = post(service, "/chair/reports", service.report(first=ALT, final=ALT, tosses=[]))
        post(
            service,
            f"/desk/versions/{c.json()['version_id']}/accept",
            {"reason": "checked"},
            auth=service.auth("desk1"),
        )
        body = dict(
            service.report(STUART_ID, attendees=30, first={"Biden": 30}, final={"Biden": 30}),
            channel="hotline",
        )
        post(service, "/operator/reports", body, auth=service.auth("operator1"))
        post(service, "/operator/reports", body, auth=service.auth("operator2"))
        rc = {
            "precinct_id": ADAIR_ID,
            "attendees": 40,
            "first": ALT,
            "final": ALT,
            "channel": "recount",
            "reason": "cards",
        }
        assert post(service, "/desk/recanvass", rc, auth=service.auth("desk1")).status_code == 201
        service.client.get("/api/v1/public/state")
    finally:
        event.remove(engine, "before_cursor_execute", hook)
    assert seen == []
    assert counts(service)[0] == 5
