"""``caucus tabulate`` and ``caucus audit`` through Typer's runner, on the real files."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from caucuskit.cli.app import build
from conftest import COUNTY_2016, RESULTS_97, RESULTS_100, need

runner = CliRunner()
#: The 2020 election and its 100 % results file.
IOWA_100 = ("--election", "iowa-2020", "--results", str(RESULTS_100))


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(build(), list(args))
    return result.exit_code, result.output


def test_tabulate_published_json() -> None:
    need(RESULTS_100.is_file(), "shared data missing")
    code, out = _run(
        "tabulate",
        *IOWA_100,
        "--published",
        "--json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["statewide"]["Buttigieg"] == "564.012"
    assert data["national"] == {
        "Buttigieg": 14,
        "Sanders": 12,
        "Warren": 8,
        "Biden": 6,
        "Klobuchar": 1,
    }
    assert data["national_units"]["CD4"]["delegates"]["Klobuchar"] == 1
    assert data["districts"]["3"]["Biden"] == "92.726"


def test_tabulate_tables_and_difference() -> None:
    need(RESULTS_97.is_file(), "shared data missing")
    code, out = _run("tabulate", "--election", "iowa-2020", "--results", str(RESULTS_97))
    assert code == 0, out
    assert "Precincts reporting: 1711 of 1765 (96.9%)" in out
    assert "National delegates" in out
    assert "caucus audit" in out  # recomputed totals differ from the published ones


def test_tabulate_2016_county_results() -> None:
    need(COUNTY_2016.is_file(), "shared data missing")
    code, out = _run(
        "tabulate", "--election", "iowa-2016", "--county-results", str(COUNTY_2016), "--json"
    )
    assert code == 0, out
    assert json.loads(out)["national"] == {"Clinton": 23, "Sanders": 21}


def test_tabulate_errors_exit_non_zero() -> None:
    code, out = _run("tabulate", "--election", "iowa-2020", "--json")
    assert code == 2
    assert "exactly one of --results or --county-results" in out
    need(RESULTS_100.is_file(), "shared data missing")
    code, out = _run(
        "tabulate",
        *IOWA_100,
        "--satellites",
        "people",
    )
    assert code == 2
    code, out = _run(
        "tabulate", "--election", "no-such-election", "--results", str(RESULTS_100), "--json"
    )
    assert code == 2
    assert "error" in json.loads(out)


def test_audit_json_and_csv() -> None:
    need(RESULTS_100.is_file(), "shared data missing")
    code, out = _run("audit", "--election", "iowa-2020", "--results", str(RESULTS_100), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["summary"]["match"] > 1400
    assert len(data["precincts"]) == 1765
    p = data["precincts"][0]
    assert {"county", "precinct", "finding", "published_delegates", "recomputed_delegates"} <= set(
        p
    )
    code, out = _run("audit", "--election", "iowa-2020", "--results", str(RESULTS_100), "--csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("county,precinct,finding")
    assert len(lines) == 1766
    code, out = _run(
        "audit",
        *IOWA_100,
        "--fail-on-findings",
        "--limit",
        "3",
    )
    assert code == 1
    assert "Ordinary precincts" in out


def test_help_texts() -> None:
    for cmd in ("tabulate", "audit"):
        code, out = _run(cmd, "--help")
        assert code == 0
        assert "--json" in out
