"""Shared test fixtures: where the real data lives, and real services (PostgreSQL, Chromium).

On a developer machine a test that needs a missing service is skipped with the reason printed;
with CAUCUS_REQUIRE_SERVICES=1 (set by .ci/run) the same situation is a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from caucuskit.core.election import Election, Precinct, make_election
from caucuskit.formats.election_file import load_election

REPO = Path(__file__).resolve().parent.parent
DATA = (REPO / ".." / "shared" / "data").resolve()
IOWA_2020 = DATA / "iowa-2020"
IOWA_2016 = DATA / "iowa-2016"
RESULTS_100 = IOWA_2020 / "results" / "idp-2020-02-08-100pct_full.csv"
RESULTS_97 = IOWA_2020 / "results" / "idp-2020-02-06-97pct_full.csv"
RESULTS_0205 = IOWA_2020 / "results" / "idp-2020-02-05-8pm_partial.csv"
COUNTY_2016 = IOWA_2016 / "results" / "kaggle_primary_results_iowa_dem_county.csv"
NIST_SCHEMA = (REPO / ".." / "shared" / "spec" / "nist-1500-100").resolve()
CHROMIUM = Path("/usr/bin/chromium")
PG_ADMIN_URL = os.environ.get("CAUCUS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def part_of_election(
    shipped: str,
    counties: Iterable[str],
    *,
    id: str,
    title: str,
    keep: Callable[[Precinct], bool] | None = None,
    unit: str = "sde",
) -> Election:
    """A shipped election cut down to ``counties`` (their real S_c and D, the same candidates,
    rules and national delegates), and to the precincts ``keep`` accepts when given."""
    full = load_election(shipped)
    names = set(counties)
    return make_election(
        id=id,
        title=title,
        ruleset=full.rules.name,
        candidates=full.candidates,
        counties=tuple(c for c in full.counties if c.name in names),
        precincts=tuple(
            p for p in full.precincts if p.county in names and (keep is None or keep(p))
        ),
        national=full.national,
        unit=unit,
    )


def services_required() -> bool:
    return os.environ.get("CAUCUS_REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip (developer machine) or fail (CI) when a real service or data set is missing."""
    if condition:
        return
    if services_required():
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    need(DATA.is_dir(), f"the shared data folder is missing at {DATA}")
    return DATA


def _pg_available() -> bool:
    try:
        import psycopg

        url = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    need(_pg_available(), f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    import psycopg

    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    name = f"caucus_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    need(
        CHROMIUM.exists() or shutil.which("chromium") is not None,
        "Debian's chromium is not installed (/usr/bin/chromium)",
    )
    return CHROMIUM


#: Headless Chromium as this machine runs it (no network of its own, no sandbox as root).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[object]:
    """One Chromium for the whole session: Playwright's sync API allows one driver at a time,
    so every browser test (pages, Nevada) shares this one."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
