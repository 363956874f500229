"""A Nevada night in the results service: the memo's examples B, J, K through the chair API
(rules.md §5.8), on a few real Carson City precincts of nevada-2020 (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from caucuskit.core.election import make_election
from caucuskit.formats.election_file import load_election
from caucuskit.services import credentials
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database
from caucuskit.web.app import create_app

FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}


@pytest.fixture
def nv(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    full = load_election("nevada-2020")
    precincts = tuple(p for p in full.precincts if p.county == "Carson City")
    e = make_election(id="nevada-2020-carson", title="Nevada 2020 (Carson City)",
                      ruleset="nv-2020", candidates=full.candidates,
                      counties=tuple(c for c in full.counties if c.name == "Carson City"),
                      precincts=precincts, national=full.national, unit="ccd")
    ctx = Context(Settings.from_env(database_url=str(tmp_path / "nv.sqlite"), **FAST))
    init_database(ctx.db, e)
    issued, _ = credentials.issue_codes(ctx)
    with TestClient(create_app(ctx.settings, ctx)) as client:
        yield client, {c.precinct_id: c.code for c in issued}
    ctx.db.dispose()


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


@pytest.mark.parametrize(("pid", "n", "final", "expected"), CASES)
def test_memo_examples_through_the_chair_api(
    nv: tuple[TestClient, dict[str, str]], pid: str, n: int, final: dict[str, int],
    expected: dict[str, int],
) -> None:
    client, codes = nv
    r = client.post("/api/v1/chair/reports", json={
        "precinct_id": pid, "code": codes[pid], "attendees": n, "first": final, "final": final})
    assert r.status_code in (200, 201), r.text
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
    r = client.post("/api/v1/chair/reports", json={
        "precinct_id": pid, "code": codes[pid], "attendees": n, "first": final, "final": final})
    assert r.status_code in (200, 201), r.text
    assert _delegates(r.json()) == expected
