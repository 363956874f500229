"""The desk counts the same units as the public pages; desk lists name their precincts
(docs/api-requests.md item 6). SQLite and PostgreSQL.

Rule: rules.md §7.1 — the tabulation leaves out the 3 Lee County precincts of 2020 that elect
D = 0, so the public count has 1,765 units (1,678 precincts + 87 satellite sites), not 1,768.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from caucuskit.formats.election_file import load_election
from caucuskit.services import credentials, staff_accounts
from caucuskit.services.context import Context
from caucuskit.services.desk import counted, overview
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database
from caucuskit.web.app import create_app
from conftest import part_of_election
from service.service_support import ADAIR_1NW, ADAIR_ID, FAST, Service

LEE_D0 = {"lee--fm4b", "lee--hr", "lee--ke2b"}
ALT = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 7, "Warren": 11}


@pytest.fixture
def lee(db_url: str) -> Iterator[Service]:
    """Adair, Lee (with its three D = 0 precincts) and one satellite pool, from the real 2020
    definition."""
    election = part_of_election(
        "iowa-2020",
        ("Adair", "Lee", "CD2 Satellite"),
        id="iowa-2020-lee",
        title="Iowa 2020 (Adair, Lee)",
    )
    ctx = Context(Settings.from_env(database_url=db_url, **FAST))
    init_database(ctx.db, election)
    staff_accounts.create_account(ctx, "desk1", "desk", "desk-pw")
    issued, _ = credentials.issue_codes(ctx, only=[ADAIR_ID])
    with TestClient(create_app(ctx.settings, ctx)) as client:
        yield Service(ctx, client, {c.precinct_id: c.code for c in issued})
    ctx.db.dispose()


def desk_get(svc: Service, path: str) -> Any:
    r = svc.client.get(f"/api/v1/desk{path}", auth=("desk1", "desk-pw"))
    assert r.status_code == 200, r.text
    return r.json()


def test_iowa_2020_has_1765_counted_units_and_3_without_delegates() -> None:
    full = load_election("iowa-2020")
    assert len(full.precincts) == 1768
    unit = [p.satellite or bool(p.delegates) for p in full.precincts]
    assert sum(unit) == 1765
    assert sorted(
        f"{p.county} {p.name}" for p, u in zip(full.precincts, unit, strict=True) if not u
    ) == ["Lee FM4B", "Lee HR", "Lee KE2B"]


def test_desk_overview_uses_the_public_denominator(lee: Service) -> None:
    refs = lee.ctx.precincts
    assert {p.id for p in refs if not counted(p)} == LEE_D0
    public = lee.client.get("/api/v1/public/state").json()["precincts"]
    desk = desk_get(lee, "/overview")["precincts"]
    assert desk["no_delegates"] == 3
    assert desk["total"] == public["total"] == len(refs) - 3
    assert (
        (desk["reported"], desk["missing"])
        == (public["reporting"], public["total"])
        == (0, desk["total"])
    )
    # the three are listed on their own, never as missing
    rows = desk_get(lee, "/precincts?state=no-delegates")["precincts"]
    assert {r["id"] for r in rows} == LEE_D0
    assert all(not r["counted"] and not r["reported"] for r in rows)
    missing = {r["id"] for r in desk_get(lee, "/precincts?state=missing")["precincts"]}
    assert not missing & LEE_D0 and len(missing) == desk["total"]

    body = {k: v for k, v in ADAIR_1NW.items() if k not in ("county", "precinct")}
    body.update(precinct_id=ADAIR_ID, code=lee.codes[ADAIR_ID])
    assert lee.client.post("/api/v1/chair/reports", json=body).status_code == 201
    public = lee.client.get("/api/v1/public/state").json()["precincts"]
    desk = overview(lee.ctx)["precincts"]
    assert desk["reported"] == public["reporting"] == 1
    assert desk["missing"] == public["total"] - 1 == desk["total"] - 1
    assert desk["no_delegates"] == 3


def test_conflicts_and_audit_log_name_the_precinct(service: Service) -> None:
    post = service.client.post
    assert post("/api/v1/chair/reports", json=service.report()).status_code == 201
    r = post("/api/v1/chair/reports", json=service.report(first=ALT, final=ALT, tosses=[]))
    assert r.json()["status"] == "conflict"
    items = service.client.get("/api/v1/desk/conflicts", auth=service.auth("desk1")).json()
    [item] = items["conflicts"]
    assert (item["precinct_id"], item["county"], item["precinct"]) == (
        ADAIR_ID,
        "Adair",
        "1NW ADAIR",
    )
    assert item["version_id"] == r.json()["version_id"]
    log = service.client.get("/api/v1/desk/audit-log", auth=service.auth("desk1")).json()
    named = [e for e in log["entries"] if e["precinct_id"] == ADAIR_ID]
    assert named and all((e["county"], e["precinct"]) == ("Adair", "1NW ADAIR") for e in named)
    assert all(
        e["county"] is None and e["precinct"] is None
        for e in log["entries"]
        if e["precinct_id"] is None
    )


def test_full_2020_desk_and_public_both_count_1765(tmp_path: Any) -> None:
    from caucuskit.services.public_feed import PublicFeed

    ctx = Context(Settings.from_env(database_url=str(tmp_path / "full.sqlite"), **FAST))
    init_database(ctx.db, load_election("iowa-2020"))
    desk = overview(ctx)["precincts"]
    public = PublicFeed(ctx).document("state")[0]["precincts"]
    assert (desk["total"], desk["missing"], desk["no_delegates"]) == (1765, 1765, 3)
    assert (public["total"], public["reporting"]) == (1765, desk["reported"])
    ctx.db.dispose()
