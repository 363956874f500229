"""A short caucus night against real servers on loopback: the drill owns a ``caucus serve``
on its own throwaway PostgreSQL cluster, kills the server with SIGKILL once and stops and
starts the database once, mid-night, and the proof must hold (rules.md §7, §8.2, §9).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from caucuskit.drill.html import page
from caucuskit.drill.output import report
from caucuskit.drill.plan import Options
from caucuskit.drill.run import DrillConfig, run_drill
from caucuskit.drill.servers import ServerError, pg_bin
from caucuskit.formats.election_file import write_election
from conftest import need, part_of_election

pytestmark = pytest.mark.slow

#: Cheap password hashing for the test server (the benchmark uses the real settings).
FAST = {"CAUCUS_ARGON2_TIME_COST": "1", "CAUCUS_ARGON2_MEMORY_KIB": "1024"}
#: Until the service answers 503 while its database is down (issue "harden"), answers of 500
#: during the PostgreSQL outage are reported by the drill, not asserted here.
REPORTED_ONLY = {"no answer of 500 during faults"}


#: Six real counties (224 units, every district, a satellite pool): the whole-state public
#: snapshot is rebuilt after each change, so a smaller state keeps the test quick.
COUNTIES = ("Johnson", "Black Hawk", "Story", "Pottawattamie", "Adair", "CD2 Satellite")


def mini_iowa(folder: Path) -> Path:
    e = part_of_election(
        "iowa-2020", COUNTIES, id="iowa-2020-drill", title="Iowa 2020 (six counties)"
    )
    path = folder / "iowa-2020-drill.json"
    write_election(e, path)
    return path


def _pg_binaries() -> bool:
    try:
        pg_bin()
    except ServerError:
        return False
    return os.geteuid() != 0 or shutil.which("runuser") is not None


def test_short_night_with_kill9_and_postgres_restart(data_dir: Path, tmp_path: Path) -> None:
    need(_pg_binaries(), "PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    results = data_dir / "iowa-2020" / "results" / "idp-2020-02-08-100pct_full.csv"
    cfg = DrillConfig(
        str(mini_iowa(tmp_path)),
        results,
        serve="postgresql",
        readers=2,
        out=tmp_path,
        server_env=FAST,
        fault_down=0.5,
        options=Options(
            seed=14,
            speed=200,
            max_gap=0.3,
            flood=300,
            signin_share=0.4,
            readiness_seconds=2,
            kills=1,
            pg_restarts=1,
        ),
    )
    result = run_drill(cfg)
    rep = report(result)
    (tmp_path / "report.json").write_text(json.dumps(rep, indent=1), encoding="utf-8")
    failed = {
        c["name"]: c["problems"][:5]
        for c in rep["checks"]
        if not c["ok"] and c["name"] not in REPORTED_ONLY
    }
    assert not failed, failed
    names = {c["name"] for c in rep["checks"]}
    assert {
        "tabulation",
        "receipts exactly once",
        "nothing half-written",
        "current results",
        "readiness rose",
        "no real chair or operator locked out",
    } <= names
    m = rep["metrics"]
    assert [f["fault"] for f in m["faults"]] == ["kill -9 server", "PostgreSQL stop/start"]
    assert rep["units"]["planned"] == 224
    assert rep["units"]["reported"] == 224 - rep["units"]["cannot_report"]
    # the night's troubles happened and were answered as they should be
    assert m["outcomes"].get("hotline entry-mismatch", 0) >= 1
    assert m["outcomes"].get("recanvass accepted", 0) >= 1
    assert any(k.startswith("file defect 422") for k in m["refused"])
    assert set(m["flood"]) <= {"0", "401", "422", "429", "500", "503"}
    # every flood attempt answered was refused: a wrong code is counted (401) and, past the
    # free typos of one precinct and address or the budget of one address, held back (429).
    # This flood (300 attempts, 3 addresses, 22 precincts) stays under both limits of
    # docs/security.md, so 429s are allowed, not required (tests/service/test_hardening.py
    # asserts the limits themselves).
    assert m["flood"].get("401", 0) + m["flood"].get("429", 0) > 0
    assert m["retries"] > 0
    html = page(result, rep)
    assert html.count("<svg") == 3 and "cdn" not in html.lower()
    json.dumps(rep)
    assert (tmp_path / "accepted-reports.csv").exists()
