"""``caucus call --db URL``: the race call from the results service's current reports,
on SQLite and PostgreSQL. Rule: rules.md §7, §8, §5.4, §9."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from call.service_reports import real_reports, store
from caucuskit.cli.app import build
from caucuskit.services.call import call_reports
from caucuskit.services.history import current_reports
from service.service_support import COUNTIES, db_url, make_service, mini_election

__all__ = ["db_url"]


def test_call_from_the_database(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = make_service(db_url)
    stored = store(ctx, real_reports(COUNTIES), limit=40)
    assert any(r.toss_winners for r in stored)  # a recorded toss travels with its report
    got = current_reports(ctx)
    assert {(r.county, r.precinct, r.toss_winners) for r in got} == {
        (r.county, r.precinct, r.toss_winners) for r in stored
    }
    url = ctx.db.url
    ctx.db.dispose()
    expected = call_reports(mini_election(), stored).to_dict()
    expected["election"] = "iowa-2020-mini"
    runner = CliRunner()
    out = runner.invoke(build(), ["call", "--db", url, "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    # the CLI adds the headline unit (Iowa keeps its sde keys: services/public_units.py)
    unit = doc.pop("unit")
    assert unit == {"code": "sde", "short": "SDE", "long": "state delegate equivalents"}
    assert doc == json.loads(json.dumps(expected))
    assert doc["lead"]["status"] == "open"
    assert doc["reporting"]["reported"] == 40
    monkeypatch.setenv("CAUCUS_DATABASE_URL", url)
    env = runner.invoke(build(), ["call", "--json"])
    assert env.exit_code == 0, env.output
    assert json.loads(env.output) == {**doc, "unit": unit}
    text = runner.invoke(build(), ["call"])
    assert text.exit_code == 0 and "SDE lead" in text.output


def test_call_needs_a_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CAUCUS_DATABASE_URL", raising=False)
    runner = CliRunner()
    out = runner.invoke(build(), ["call", "--json"])
    assert out.exit_code == 2 and "--db" in json.loads(out.output)["error"]
    missing = tmp_path / "none.sqlite"
    out = runner.invoke(build(), ["call", "--db", str(missing), "--json"])
    assert out.exit_code == 2 and "no results database" in json.loads(out.output)["error"]
    assert not missing.exists()
