"""A Nevada night in the results service: the memo's examples B, J, K through the chair API
(rules.md §5.8), on a few real Carson City precincts of nevada-2020 (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from caucuskit.services import credentials
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database
from caucuskit.web.app import create_app
from conftest import part_of_election

FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}


@pytest.fixture
def nv_ctx(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Context]]:
    """The results service on Carson City alone (nv-2020 rules, CCDs), codes for every
    precinct: (client, precinct id -> code, context)."""
    e = part_of_election(
        "nevada-2020",
        ("Carson City",),
        id="nevada-2020-carson",
        title="Nevada 2020 (Carson City)",
        unit="ccd",
    )
    ctx = Context(Settings.from_env(database_url=str(tmp_path / "nv.sqlite"), **FAST))
    init_database(ctx.db, e)
    issued, _ = credentials.issue_codes(ctx)
    with TestClient(create_app(ctx.settings, ctx)) as client:
        yield client, {c.precinct_id: c.code for c in issued}, ctx
    ctx.db.dispose()


@pytest.fixture
def nv(
    nv_ctx: tuple[TestClient, dict[str, str], Context],
) -> tuple[TestClient, dict[str, str]]:
    client, codes, _ = nv_ctx
    return client, codes


# Carson City precincts with the D of each memo example: 107 (D 7), 109 (D 10), 411 (D 4).
CASES = [
    ("carson-city--107", 79, {"Biden": 14, "Sanders": 19, "Warren": 18, "Steyer": 12,
                              "Klobuchar": 16},
     {"Biden": 1, "Sanders": 2, "Warren": 2, "Steyer": 1, "Klobuchar": 1}),  # B
    ("carson-city--109", 75, {"Biden": 23, "Sanders": 27}, {"Biden": 5, "Sanders": 5}),  # J
    ("carson-city--411", 76, {"Biden": 13, "Warren": 13, "Steyer": 13, "Klobuchar": 13,
                              "Sanders": 24},
     {"Biden": 1, "Warren": 1, "Steyer": 1, "Klobuchar": 1, "Sanders": 1}),  # K: 5 for D = 4
]  # fmt: skip


def _report_case(
    client: TestClient, codes: dict[str, str], pid: str, n: int, final: dict[str, int]
) -> Any:
    """The chair reports a memo case (first alignment = final) and it is accepted."""
    r = client.post(
        "/api/v1/chair/reports",
        json={
            "precinct_id": pid,
            "code": codes[pid],
            "attendees": n,
            "first": final,
            "final": final,
        },
    )
    assert r.status_code in (200, 201), r.text
    return r


@pytest.mark.parametrize(("pid", "n", "final", "expected"), CASES)
def test_memo_examples_through_the_chair_api(
    nv: tuple[TestClient, dict[str, str]],
    pid: str,
    n: int,
    final: dict[str, int],
    expected: dict[str, int],
) -> None:
    client, codes = nv
    r = _report_case(client, codes, pid, n, final)
    body = r.json()
    text = str(body)
    for g, k in expected.items():
        assert f"'{g}': {k}" in text, (g, k, text[:2000])


def _delegates(body: object) -> dict[str, int] | None:
    """The worksheet's ``delegates`` mapping wherever the receipt nests it."""
    if isinstance(body, dict):
        d = body.get("delegates")
        if isinstance(d, dict) and d and all(isinstance(v, int) for v in d.values()):
            return d
        for v in body.values():
            found = _delegates(v)
            if found is not None:
                return found
    return None


def test_principle_2_receipt_awards_five(nv: tuple[TestClient, dict[str, str]]) -> None:
    client, codes = nv
    pid, n, final, expected = CASES[2]
    r = _report_case(client, codes, pid, n, final)
    assert _delegates(r.json()) == expected


# ---------------------------------------------------------------- early ballots and card draws


def test_early_ballots_and_a_card_draw_through_the_api(
    nv_ctx: tuple[TestClient, dict[str, str], Context], tmp_path: Path
) -> None:
    from caucuskit.services.early_ballots import load_early_file

    client, codes, ctx = nv_ctx
    pid = "carson-city--105"  # D = 6
    f = tmp_path / "early.csv"
    f.write_text(
        "county,precinct,choice1,choice2,choice3,choice4,choice5\n"
        "Carson City,105,Buttigieg,Sanders,Warren,,\n"
        "Carson City,105,Warren,Sanders,Buttigieg,,\n"
        "Carson City,105,Sanders,Sanders,,,\n",
        encoding="utf-8",
    )
    [loaded] = load_early_file(ctx, f)
    assert loaded.count == 3
    signin = client.post("/api/v1/chair/signin", json={"precinct_id": pid, "code": codes[pid]})
    assert signin.status_code == 200, signin.text
    # N = 198 + 2 valid early = 200: Warren 100, Sanders 50, Buttigieg 50 -> 3/1.5/1.5: a draw
    body = {
        "precinct_id": pid,
        "code": codes[pid],
        "attendees": 198,
        "first": {"Warren": 99, "Sanders": 50, "Buttigieg": 49},
        "final": {"Warren": 99, "Sanders": 50, "Buttigieg": 49},
    }
    r = client.post("/api/v1/chair/reports", json=body)
    assert r.status_code == 422 and "card draw" in r.text
    body["tosses"] = [
        {"cards": {"Sanders": "QH", "Buttigieg": "QS"}, "witnesses": ["Pat Doe (Sanders)"]}
    ]
    r = client.post("/api/v1/chair/reports", json=body)
    assert r.status_code == 422
    assert r.json()["problems"][0]["field"] == "early_confirmed"
    body["early_confirmed"] = {"count": 3, "checksum": "0000-0000-0000"}
    r = client.post("/api/v1/chair/reports", json=body)
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "early_checksum"
    body["early_confirmed"] = {"count": 3, "checksum": loaded.checksum}
    r = client.post("/api/v1/chair/reports", json=body)
    assert r.status_code in (200, 201), r.text
    ans = r.json()
    assert ans["delegates"] == {"Warren": 3, "Buttigieg": 2, "Sanders": 1}
    ws = ans["worksheet"]
    assert ws["attendees"] == 200 and ws["early"]["valid"] == 2 and ws["early"]["void"] == 1
    assert ws["card_draws"][0]["winners"] == ["Buttigieg"]
    ties = client.get("/api/v1/public/coin-tosses").json()["tosses"]
    assert ties[0]["cards"] == {"Buttigieg": "QS", "Sanders": "QH"}
    assert ties[0]["method"] == "card draw" and ties[0]["winners"] == ["Buttigieg"]
    assert ties[0]["witnesses"] == ["Pat Doe (Sanders)"]
    state = client.get("/api/v1/public/state").json()
    got = {c["name"]: c["delegates"] for c in state["candidates"] if c["delegates"]}
    assert got == {"Warren": 3, "Buttigieg": 2, "Sanders": 1}
    # the public precinct document and page give the early votes per group beside the
    # in-person head counts (docs/adr/0011), and N
    doc = client.get(f"/api/v1/public/precincts/{pid}").json()
    early = {c["name"]: (c["early_first"], c["early_final"]) for c in doc["candidates"]}
    assert early["Warren"] == (1, 1) and early["Buttigieg"] == (1, 1) and early["Sanders"] == (0, 0)
    assert doc["early"]["attendees"] == 200 and doc["early"]["in_person_attendees"] == 198
    page = client.get(f"/results/precinct/{pid}")
    assert page.status_code == 200 and "First early" in page.text and "Final early" in page.text
    assert "198 in person + 2 early = 200 participants" in page.text
    # a winner typed in is refused under card draws; a bad card names its field
    body["tosses"] = [{"winner": "Sanders", "witnesses": ["x"]}]
    assert client.post("/api/v1/chair/preview", json=body).status_code == 422
    body["tosses"] = [{"cards": {"Sanders": "QH", "Buttigieg": "QX"}}]
    r = client.post("/api/v1/chair/preview", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["field"] == "tosses.0.cards.Buttigieg"


def test_hotline_double_entry_with_cards(
    nv_ctx: tuple[TestClient, dict[str, str], Context],
) -> None:
    from caucuskit.services import staff_accounts

    client, codes, ctx = nv_ctx
    staff_accounts.create_account(ctx, "op1", "operator", "pw-one")
    staff_accounts.create_account(ctx, "op2", "operator", "pw-two")
    pid = "carson-city--105"
    counts = {"Warren": 100, "Sanders": 50, "Buttigieg": 50}
    body = {
        "precinct_id": pid,
        "code": codes[pid],
        "channel": "hotline",
        "attendees": 200,
        "first": counts,
        "final": counts,
        "tosses": [{"cards": {"Sanders": "2C", "Buttigieg": "3C"}, "witnesses": ["W"]}],
    }
    r1 = client.post("/api/v1/operator/reports", json=body, auth=("op1", "pw-one"))
    assert r1.status_code in (200, 201, 202), r1.text
    assert r1.json()["status"] == "awaiting-second-entry"
    other = dict(body, tosses=[{"cards": {"Sanders": "2C", "Buttigieg": "3D"}, "witnesses": []}])
    r2 = client.post("/api/v1/operator/reports", json=other, auth=("op2", "pw-two"))
    assert r2.json()["status"] == "entry-mismatch"  # a different card is a different report
    assert any(d["field"] == "tosses" for d in r2.json()["diff"])


def test_operators_get_a_precincts_early_ballots_not_their_checksum(
    nv_ctx: tuple[TestClient, dict[str, str], Context], tmp_path: Path
) -> None:
    """The hotline console reads a precinct's early ballots to count them as the chair's phone
    does (docs/adr/0011); only an operator (or admin) may, and the answer carries no count or
    checksum: the operator hears those from the caller."""
    from caucuskit.services import staff_accounts
    from caucuskit.services.early_ballots import load_early_file

    client, _, ctx = nv_ctx
    staff_accounts.create_account(ctx, "op1", "operator", "pw-one")
    staff_accounts.create_account(ctx, "desk1", "desk", "pw-desk")
    f = tmp_path / "early.csv"
    f.write_text(
        "county,precinct,choice1,choice2,choice3\n"
        "Carson City,105,Buttigieg,Sanders,Warren\n"
        "Carson City,105,Warren,Sanders,Buttigieg\n",
        encoding="utf-8",
    )
    load_early_file(ctx, f)
    url = "/api/v1/operator/precincts/{}/early"
    r = client.get(url.format("carson-city--105"), auth=("op1", "pw-one"))
    assert r.status_code == 200, r.text
    assert r.json() == {
        "precinct_id": "carson-city--105",
        "ballots": [["Buttigieg", "Sanders", "Warren"], ["Warren", "Sanders", "Buttigieg"]],
    }
    none = client.get(url.format("carson-city--107"), auth=("op1", "pw-one"))
    assert none.json() == {"precinct_id": "carson-city--107", "ballots": None}
    assert client.get(url.format("carson-city--105")).status_code == 401
    assert client.get(url.format("carson-city--105"), auth=("desk1", "pw-desk")).status_code == 403
    assert client.get(url.format("nowhere"), auth=("op1", "pw-one")).status_code == 404


def test_nist_export_says_county_convention_delegates(
    nv_ctx: tuple[TestClient, dict[str, str], Context],
) -> None:
    import json

    from caucuskit.services.export import export_cdf

    client, codes, ctx = nv_ctx
    for pid, n, final, _ in CASES:
        _report_case(client, codes, pid, n, final)
    report = export_cdf(ctx)
    text = json.dumps(report)
    assert "county-convention-delegates" in text
    assert "state-delegate-equivalents" not in text
    assert "SDE" not in text and "state delegate" not in text.lower()
    # each precinct's CCDs are its delegates (Principle 2 included: 411 elects 5 for D = 4),
    # and the statewide headline count is their sum, in whole CCDs
    gp = {u["@id"]: u["Name"]["Text"][0]["Content"] for u in report["GpUnit"]}
    (contest,) = report["Election"][0]["Contest"]
    names = {
        c["@id"]: c["BallotName"]["Text"][0]["Content"] for c in report["Election"][0]["Candidate"]
    }
    got: dict[tuple[str, str], int | float] = {}
    for sel in contest["ContestSelection"]:
        (cand,) = sel["CandidateIds"]
        for vc in sel["VoteCounts"]:
            if vc.get("OtherType") == "county-convention-delegates" and vc["Count"]:
                got[(gp[vc["GpUnitId"]], names[cand])] = vc["Count"]
    state = gp[report["Election"][0]["ElectionScopeId"]]
    want: dict[tuple[str, str], int] = {}
    for pid, _, _, expected in CASES:
        for c, k in expected.items():
            want[(pid.removeprefix("carson-city--"), c)] = k
            want[(state, c)] = want.get((state, c), 0) + k
    assert got == want
