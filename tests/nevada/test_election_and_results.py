"""nevada-2020: the shipped definition, the NV long-format importer and the snapshot's
tabulation, audit and call (issue 13)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caucuskit.cli.app import build
from caucuskit.core.election import Election
from caucuskit.core.errors import ValidationError
from caucuskit.formats.detect import detect_layout
from caucuskit.formats.election_file import load_election
from caucuskit.formats.nv2020 import parse_nv_results, read_nv_results
from caucuskit.services.nevada import apply_site_delegates
from caucuskit.services.tabulate import tabulate
from conftest import DATA, REPO, need

NV = DATA / "nevada-2020"
SNAPSHOT = NV / "results" / "nv_results_2020-02-22_225211_partial.csv"
SHIPPED = REPO / "src" / "caucuskit" / "data" / "elections" / "nevada-2020.json"


@pytest.fixture(scope="module")
def election() -> Election:
    return load_election("nevada-2020")


def test_definition(election) -> None:  # type: ignore[no-untyped-def]
    assert election.unit == "ccd" and election.unit_long == "county convention delegates"
    assert len(election.whole_counties) == 17
    real = [p for p in election.precincts if not p.at_large]
    assert len(real) == 2088 and sum(p.delegates or 0 for p in real) == 14675
    sites = sorted(p.name for p in election.precincts if p.at_large)
    assert sites == [
        "Bellagio",
        "Harrahs",
        "Mandalay Bay",
        "Paris",
        "Park MGM",
        "Rio",
        "Wynn Resorts",
    ]
    assert all(
        p.delegates is None and p.county == "Clark at-large"
        for p in election.precincts
        if p.at_large
    )
    assert dict(election.national.district) == {1: 5, 2: 6, 3: 6, 4: 6}
    assert (election.national.at_large, election.national.pleo, election.national.total) == (
        8,
        5,
        36,
    )
    per_cd = Counter(election.county_by_name[p.county].district for p in real)
    assert [per_cd[d] for d in (1, 2, 3, 4)] == [316, 767, 466, 539]  # data README
    assert election.sde_per_delegate("Clark CD1") == 1  # a delegate is one CCD


def test_derive_script_reproduces_the_shipped_json(tmp_path: Path) -> None:
    need(NV.is_dir(), f"the shared data folder is missing at {NV}")
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "derive_elections.py"), "--data", str(DATA),
         "--out", str(tmp_path)], capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "nevada-2020.json").read_bytes() == SHIPPED.read_bytes()


def test_site_delegates_are_an_input(election) -> None:  # type: ignore[no-untyped-def]
    e = apply_site_delegates(election, ["Harrahs=34", "clark at-large/Rio=20"])
    assert e.precinct_by_key[("Clark at-large", "Harrahs")].delegates == 34
    assert e.precinct_by_key[("Clark at-large", "Rio")].delegates == 20
    for bad in ("Harrahs", "Harrahs=x", "Clark CD1/5036=4", "Nowhere=3"):
        with pytest.raises(ValidationError) as err:
            apply_site_delegates(election, [bad])
        assert err.value.problems[0].field == "--site-delegates"


HEADER = (
    "county,precinct,total_attendance,candidate,reported_del_given,align1,alignfinal,"
    "congressional_district,precinct_delegates,precinct_full,is_complete"
)


def test_join_rules_and_refusals_by_line(election) -> None:  # type: ignore[no-untyped-def]
    lines = [HEADER,
             "WASHOE,100500,10,Biden,0,0,0,NA,NA,WASHOE-100500,NA",  # 4-digit form
             "CARSON,101,40,Biden,9,40,40,2,9,CARSON-101,TRUE",
             "CARSON,City,99,Biden,3,5,5,NA,NA,CARSON-City,NA",
             "CARSON,City,98,Sanders,3,5,5,NA,NA,CARSON-City,NA",
             "DOUGLAS,Zzzzzz,0,Biden,0,0,0,NA,NA,DOUGLAS-Zzzzzz,NA",
             "CLARK,Harrahs,82,Biden,12,26,29,NA,NA,CLARK-Harrahs,NA",
             "NOWHERE,1,5,Biden,0,1,1,1,1,X,TRUE",
             "CLARK,1688,74,Nobody,0,1,1,3,9,CLARK-1688,TRUE"]  # fmt: skip
    if ("Washoe", "1005") not in election.precinct_by_key:
        pytest.skip("Washoe 1005 is not in this apportionment")
    imp = parse_nv_results(lines, election)
    keys = [r.key for r in imp.reports]
    assert keys == [("Washoe", "1005"), ("Carson City", "101"), ("Clark at-large", "Harrahs")]
    assert any("4-digit" in n for n in imp.notes)
    refused = {(u.county, u.precinct): (u.line, u.reason) for u in imp.unjoined}
    assert refused[("CARSON", "City")][0] == 4
    assert "lines 4-5 (2 rows)" in refused[("CARSON", "City")][1]
    assert "split the county name" in refused[("CARSON", "City")][1]
    assert "placeholder" in refused[("DOUGLAS", "Zzzzzz")][1]
    assert "not a county" in refused[("NOWHERE", "1")][1]
    assert "unknown candidate 'Nobody'" in refused[("CLARK", "1688")][1]


def test_snapshot_joins_and_published_ccds_are_reproduced(election) -> None:  # type: ignore[no-untyped-def]
    need(SNAPSHOT.is_file(), "the NV snapshot is missing")
    assert detect_layout(SNAPSHOT) == "nv-long"
    imp = read_nv_results(SNAPSHOT, election)
    assert len(imp.reports) == 1022
    assert sorted((u.county, u.precinct) for u in imp.unjoined) == [
        ("CARSON", "City"),
        ("WHITE", "Pine"),
    ]
    # every row of the file is either joined or refused, with its CCDs
    file_totals: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    with SNAPSHOT.open(newline="") as handle:
        for row in csv.DictReader(handle):
            file_totals[row["candidate"]] += int(row["reported_del_given"])
            if row["precinct"] in ("City", "Pine"):
                refused[row["candidate"]] += int(row["reported_del_given"])
    assert file_totals["Sanders"] == 3563 and file_totals["Biden"] == 1470  # data README
    tab = tabulate(election, imp.reports, published=True)
    for c, v in file_totals.items():
        assert tab.statewide.get(c, Fraction(0)) == v - refused[c], c
    assert tab.published_statewide == tab.statewide


def test_snapshot_recomputed_with_harrahs(election) -> None:  # type: ignore[no-untyped-def]
    need(SNAPSHOT.is_file(), "the NV snapshot is missing")
    e = apply_site_delegates(election, ["Harrahs=34"])
    imp = read_nv_results(SNAPSHOT, e)
    tab = tabulate(e, imp.reports)
    harrahs = next(u for u in tab.units if u.precinct.name == "Harrahs")
    assert harrahs.recount is not None
    assert dict(harrahs.recount.won) == {"Biden": 12, "Sanders": 12, "Steyer": 10}
    assert sum(tab.national.total.values()) == 36
    assert all(isinstance(v, Fraction) and v.denominator == 1 for v in tab.statewide.values())


#: The election and the results snapshot every CLI call below reads.
NV_SNAPSHOT = ("--election", "nevada-2020", "--results", str(SNAPSHOT))


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"COLUMNS": "200"}).invoke(build(), list(args))
    return result.exit_code, result.output


def test_cli_tabulate_audit_call_label_ccds() -> None:
    need(SNAPSHOT.is_file(), "the NV snapshot is missing")
    # A row the election cannot place stops the command unless --skip-bad-rows (rules.md §9).
    code, out = _cli("tabulate", *NV_SNAPSHOT, "--site-delegates", "Harrahs=34")
    assert code == 2 and "line 386: CARSON / City" in out.replace("\n", " "), out
    code, out = _cli("tabulate", *NV_SNAPSHOT, "--site-delegates", "Harrahs=34", "--skip-bad-rows")
    assert code == 0, out
    assert "SDE" not in out and "CCD" in out
    assert "CCDs by congressional district" in out
    assert "County convention delegates by county" in out
    assert "skipped: line 386: CARSON / City" in out.replace("\n", " ")
    code, out = _cli("tabulate", *NV_SNAPSHOT, "--published", "--json", "--skip-bad-rows")
    data = json.loads(out)
    assert data["unit"] == {"code": "ccd", "short": "CCD", "long": "county convention delegates"}
    assert data["national"] == {"Sanders": 23, "Biden": 7, "Buttigieg": 6}
    code, out = _cli("audit", *NV_SNAPSHOT, "--skip-bad-rows")
    assert code == 0, out
    assert "SDE" not in out and "card draw" in out and "final-above-first" in out
    code, out = _cli("call", *NV_SNAPSHOT, "--site-delegates", "Harrahs=34")
    assert code == 0, out
    assert "SDE" not in out and "CCD lead" in out


def _sde_words(doc: object) -> list[str]:
    """Every key with "sde" in it and every string saying SDE, anywhere in ``doc``."""
    if isinstance(doc, dict):
        own = [k for k in doc if "sde" in k.lower()]
        return own + [w for v in doc.values() for w in _sde_words(v)]
    if isinstance(doc, list):
        return [w for v in doc for w in _sde_words(v)]
    return [doc] if isinstance(doc, str) and "SDE" in doc else []


def test_cli_json_names_its_values_for_ccds() -> None:
    """``--json`` of tabulate, audit and call on nevada-2020: ccd keys (``pending_ccd``,
    ``reporting.outstanding_ccd``, ``open_ccd``, ``published_ccd``...) and the unit, no key
    or sentence naming SDEs (issue 13, services/public_units.py)."""
    need(SNAPSHOT.is_file(), "the NV snapshot is missing")
    unit = {"code": "ccd", "short": "CCD", "long": "county convention delegates"}
    site = ("--site-delegates", "Harrahs=34", "--skip-bad-rows", "--json")
    code, out = _cli("tabulate", *NV_SNAPSHOT, *site, "--units")
    assert code == 0, out
    tab = json.loads(out)
    assert tab["unit"] == unit and not _sde_words(tab)
    assert "pending_ccd" in tab and "outstanding_ccd" in tab["reporting"]
    assert any("CCD wait for a" in n for n in tab["notes"])  # the 8 CCDs awaiting a draw
    assert all("ccd" in u for u in tab["units"] if u["error"] is None)
    code, out = _cli("audit", *NV_SNAPSHOT, *site)
    assert code == 0, out
    aud = json.loads(out)
    assert aud["unit"] == unit and not _sde_words(aud)
    assert {"published_ccd", "recomputed_ccd"} <= set(aud["precincts"][0])
    code, out = _cli("call", *NV_SNAPSHOT, *site[:2], "--json")
    assert code == 0, out
    call = json.loads(out)
    assert call["unit"] == unit and not _sde_words(call)
    assert {"open_ccd", "ccd"} <= set(call) and "outstanding_ccd" in call["reporting"]
    # the one "still to be decided" figure: the outstanding units plus the pending draws
    assert Fraction(call["open_ccd"]) >= Fraction(call["reporting"]["outstanding_ccd"]) > 0
    assert "CCD still to be decided" in call["lead"]["explanation"]


def test_at_large_d_from_the_results_file_and_zero_rows_of_unknown_candidates(
    election: Election,
) -> None:
    from caucuskit.services.nevada import missing_site_delegates, with_site_delegates

    lines = [HEADER,
             "CLARK,Bellagio,40,Biden,5,20,20,NA,10,CLARK-Bellagio,TRUE",
             "CLARK,Bellagio,40,Sanders,5,20,20,NA,10,CLARK-Bellagio,TRUE",
             "CLARK,Bellagio,40,Bloomberg,0,0,0,NA,10,CLARK-Bellagio,TRUE",
             "CLARK,Rio,30,Biden,4,30,30,NA,NA,CLARK-Rio,TRUE"]  # fmt: skip
    imp = parse_nv_results(lines, election)
    assert [r.precinct for r in imp.reports] == ["Bellagio", "Rio"]
    assert any("Bloomberg" in n and "all zeros" in n for n in imp.notes)
    e = with_site_delegates(election, imp.reports, [])
    assert e.precinct_by_key[("Clark at-large", "Bellagio")].delegates == 10  # from the file
    assert e.precinct_by_key[("Clark at-large", "Rio")].delegates is None
    assert [n.split(":")[0] for n in missing_site_delegates(e, imp.reports)] == [
        "Clark at-large/Rio"
    ]
    tab = tabulate(e, imp.reports)
    bellagio = next(u for u in tab.units if u.precinct.name == "Bellagio")
    assert bellagio.recount is not None and dict(bellagio.recount.won) == {"Biden": 5, "Sanders": 5}
    e2 = with_site_delegates(election, imp.reports, ["Bellagio=12"])  # the option wins
    assert e2.precinct_by_key[("Clark at-large", "Bellagio")].delegates == 12
    bad = parse_nv_results([*lines, "CLARK,1688,74,Bloomberg,1,1,1,3,9,CLARK-1688,TRUE"], election)
    assert any("unknown candidate 'Bloomberg'" in u.reason for u in bad.unjoined)


def test_audit_names_the_at_large_site_without_d(election) -> None:  # type: ignore[no-untyped-def]
    from caucuskit.services.audit import audit

    need(SNAPSHOT.is_file(), "the NV snapshot is missing")
    imp = read_nv_results(SNAPSHOT, election)
    found = {f.precinct: f for f in audit(election, imp.reports).findings}
    assert found["Harrahs"].finding == "site-d-unknown"
    e = apply_site_delegates(election, ["Harrahs=34"])
    again = audit(e, imp.reports).findings
    assert next(f for f in again if f.precinct == "Harrahs").finding == "match"
    counts = Counter(f.finding for f in again)
    assert len(again) - counts["all-zeros"] == 890  # units with counts
    assert (counts["match"], counts["match-up-to-toss"]) == (758, 44)
