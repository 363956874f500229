"""Shared data and helpers of the results-service tests (fixtures are in conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from caucuskit.core.election import Election
from caucuskit.services import credentials, staff_accounts
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings
from caucuskit.services.setup import init_database
from caucuskit.web.app import create_app
from conftest import part_of_election

#: Adair "1NW ADAIR" on 3 Feb 2020: D = 8, N = 40; Klobuchar won the coin toss (rules.md §5.8 G).
ADAIR_1NW: dict[str, Any] = {
    "county": "Adair",
    "precinct": "1NW ADAIR",
    "attendees": 40,
    "first": {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9},
    "final": {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9},
    "tosses": [{"winner": "Klobuchar", "witnesses": ["Biden captain", "Sanders captain"]}],
}
ADAIR_ID = "adair--1nw-adair"
STUART_ID = "adair--2ne-stuart"
COUNTIES = ("Adair", "Story", "Polk", "CD3 Satellite")
FAST = {"argon2_time_cost": 1, "argon2_memory_kib": 1024}
PASSWORDS = {
    "operator1": "op-one-pw",
    "operator2": "op-two-pw",
    "desk1": "desk-pw",
    "admin": "admin-pw",
}


class HandClock:
    """A monotonic clock the test moves by hand (``clock.now += 0.5``)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def mini_election() -> Election:
    """A few real 2020 counties (with their real S_c and D) and one satellite pool."""
    return part_of_election(
        "iowa-2020", COUNTIES, id="iowa-2020-mini", title="Iowa 2020 (four counties)"
    )


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "caucus.sqlite")
    return str(request.getfixturevalue("pg_url"))


@dataclass
class Service:
    ctx: Context
    client: TestClient
    codes: dict[str, str]

    def auth(self, user: str) -> tuple[str, str]:
        return (user, PASSWORDS[user])

    def report(self, precinct_id: str = ADAIR_ID, **changes: Any) -> dict[str, Any]:
        body = (
            dict(ADAIR_1NW)
            if precinct_id == ADAIR_ID
            else {"attendees": 0, "first": {}, "final": {}}
        )
        body = {k: v for k, v in body.items() if k not in ("county", "precinct")}
        body["precinct_id"] = precinct_id
        body["code"] = self.codes.get(precinct_id, self.codes[ADAIR_ID])
        body.update(changes)
        return body


def make_service(url: str, issue: tuple[str, ...] = (ADAIR_ID, STUART_ID)) -> Context:
    ctx = Context(Settings.from_env(database_url=url, **FAST))
    init_database(ctx.db, mini_election())
    for name, pw in PASSWORDS.items():
        role = {"operator1": "operator", "operator2": "operator", "desk1": "desk"}.get(
            name, "admin"
        )
        staff_accounts.create_account(ctx, name, role, pw)
    return ctx


@pytest.fixture
def service(db_url: str) -> Iterator[Service]:
    ctx = make_service(db_url)
    issued, _ = credentials.issue_codes(ctx, only=[ADAIR_ID, STUART_ID])
    codes = {c.precinct_id: c.code for c in issued}
    with TestClient(create_app(ctx.settings, ctx)) as client:
        yield Service(ctx, client, codes)
    ctx.db.dispose()
