"""The IDP 2020 results importer against the real published files and small made-up ones.

Rule: rules.md §6 (published results), §7.2 (statewide SDE sums at 3 decimals).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from caucuskit.core.election import Election
from caucuskit.core.rounding import decimal_str
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import (
    IdpFormatError,
    read_idp_results,
    read_idp_table,
    unescape,
)
from conftest import RESULTS_0205, RESULTS_97, RESULTS_100, need


@pytest.fixture(scope="module")
def iowa() -> Election:
    return load_election("iowa-2020")


def _rounded(totals: dict[str, Fraction]) -> dict[str, str]:
    return {k: decimal_str(v, 3) for k, v in totals.items() if v}


def test_100pct_joins_every_unit(iowa: Election) -> None:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    imp = read_idp_results(RESULTS_100, iowa)
    assert imp.layout == "by-measure"
    assert imp.unjoined == []
    assert len(imp.reports) == 1765
    units = [iowa.precinct_by_key[r.key] for r in imp.reports]
    assert sum(1 for p in units if not p.satellite) == 1678
    assert sum(1 for p in units if p.satellite) == 87
    assert sum(p.delegates or 0 for p in units) == 11402
    assert len(imp.county_totals) == 104
    assert sum(sum(r.first.values()) for r in imp.reports) == 176436
    # every candidate is kept, zeros included; attendees were not published
    assert all(len(r.first) == len(r.final) == 14 for r in imp.reports)
    assert all(r.attendees is None for r in imp.reports)


def test_100pct_published_sde_sums(iowa: Election) -> None:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    totals = read_idp_results(RESULTS_100, iowa).published_sde_total
    # exact sums of the 4-decimal texts
    assert totals["Buttigieg"] == Fraction("564.0124")
    assert totals["Sanders"] == Fraction("562.4973")
    assert sum(totals.values()) == Fraction("2152.8894")
    # ... and at the 3 decimals the IDP showed (rules.md §7.2)
    assert _rounded(totals) == {
        "Buttigieg": "564.012",
        "Sanders": "562.497",
        "Warren": "387.069",
        "Biden": "341.172",
        "Klobuchar": "264.204",
        "Yang": "22.223",
        "Steyer": "6.739",
        "Uncommitted": "3.957",
        "Other": "0.693",
        "Bloomberg": "0.210",
        "Gabbard": "0.114",
    }
    assert decimal_str(sum(totals.values(), Fraction(0)), 3) == "2152.889"


def test_100pct_names_with_commas_and_entities(iowa: Election) -> None:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    imp = read_idp_results(RESULTS_100, iowa)
    keys = {r.key for r in imp.reports}
    assert ("Out of State Satellite", "Philadelphia, PA - Houston Hall at Penn University") in keys
    assert ("Carroll", "Carroll Ward Two & N1/2 Maple River Twp") in keys  # was &amp;
    adair = next(r for r in imp.reports if r.key == ("Adair", "1NW ADAIR"))
    assert adair.source_line == 4
    assert adair.final["Sanders"] == 9 and adair.final["Bennet"] == 0
    assert adair.published_sde is not None
    assert adair.published_sde["Klobuchar"] == Fraction("0.1569")
    assert imp.county_totals["Adair"]["Klobuchar"] == Fraction("0.8629")


def test_97pct(iowa: Election) -> None:
    need(RESULTS_97.is_file(), f"missing {RESULTS_97}")
    imp = read_idp_results(RESULTS_97, iowa)
    assert (imp.layout, len(imp.reports), imp.unjoined) == ("by-measure", 1711, [])
    totals = _rounded(imp.published_sde_total)
    assert [totals[c] for c in ("Buttigieg", "Sanders", "Warren", "Biden", "Klobuchar")] == [
        "550.339", "546.912", "381.258", "331.351", "255.216",
    ]  # fmt: skip
    assert sum(sum(r.first.values()) for r in imp.reports) == 172510


def test_5feb_by_candidate_layout(iowa: Election) -> None:
    need(RESULTS_0205.is_file(), f"missing {RESULTS_0205}")
    imp = read_idp_results(RESULTS_0205, iowa)
    assert (imp.layout, len(imp.reports), imp.unjoined) == ("by-candidate", 1520, [])
    totals = _rounded(imp.published_sde_total)
    assert [totals[c] for c in ("Buttigieg", "Sanders", "Warren", "Biden", "Klobuchar")] == [
        "511.998", "488.071", "351.936", "305.833", "232.269",
    ]  # fmt: skip
    assert sum(sum(r.first.values()) for r in imp.reports) == 156233
    # "Council Bluff  04" (two spaces) joins the apportionment's "Council Bluff 04"
    assert ("Pottawattamie", "Council Bluff 04") in {r.key for r in imp.reports}


def test_a_row_that_cannot_join_is_listed(iowa: Election, tmp_path: Path) -> None:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    lines = RESULTS_100.read_text(encoding="utf-8").splitlines()
    bad = ["Adair,NOWHERE" + ",0" * 42, "Atlantis,1" + ",0" * 42, "Adair,2NE STUART" + ",x" * 42]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join([*lines[:10], *bad, *lines[10:20]]) + "\n", encoding="utf-8")
    imp = read_idp_results(path, iowa)
    assert [(u.line, u.county, u.precinct) for u in imp.unjoined] == [
        (11, "Adair", "NOWHERE"),
        (12, "Atlantis", "1"),
        (13, "Adair", "2NE STUART"),
    ]
    assert "no reporting unit 'NOWHERE' in Adair" in imp.unjoined[0].reason
    assert "unknown county 'Atlantis'" in imp.unjoined[1].reason
    assert "first.Bennet (column 3): 'x' is not a number" in imp.unjoined[2].reason
    assert "line 11: Adair / NOWHERE" in str(imp.unjoined[0])
    assert len(imp.reports) == 15  # 17 copied rows less the Adair and Adams Total rows
    assert set(imp.county_totals) == {"Adair", "Adams"}


SMALL_BY_CANDIDATE = """candidate,,Biden,Biden,Biden,Sanders,Sanders,Sanders
subhead,,First Expression,Final Expression,SDE,First Expression,Final Expression,SDE
county,precinct,,,,,,
Carroll,Carroll Ward Two &amp;amp; N1/2 Maple River Twp,7.0,8.0,0.33,9.0,9.0,0.66
Carroll,Carroll Ward Two & N1/2 Maple River Twp,1.0,1.0,0.0,1.0,1.0,0.0
Carroll,Total,7.0,8.0,0.33,9.0,9.0,0.66
Carroll,X,7.5,8.0,0.33,9.0,9.0,0.66
"""


def test_by_candidate_layout_floats_entities_duplicates(iowa: Election, tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text(SMALL_BY_CANDIDATE, encoding="utf-8")
    imp = read_idp_results(path, iowa)
    assert imp.layout == "by-candidate"
    [report] = imp.reports
    assert report.key == ("Carroll", "Carroll Ward Two & N1/2 Maple River Twp")
    assert report.first == {"Biden": 7, "Sanders": 9}
    assert report.published_sde == {"Biden": Fraction("0.33"), "Sanders": Fraction("0.66")}
    assert [(u.line, u.reason) for u in imp.unjoined] == [
        (5, "duplicate of line 4"),
        (7, "first.Biden (column 3): '7.5' is not a whole number"),
    ]
    assert imp.county_totals == {
        "Carroll": {"Biden": Fraction("0.33"), "Sanders": Fraction("0.66")}
    }


def test_bad_headers_are_named(iowa: Election, tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("a,b,c\nd,e,f\nCounty,Precinct,\n", encoding="utf-8")
    with pytest.raises(IdpFormatError, match="header rows 1-2 must name the measures"):
        read_idp_table(path)
    path.write_text(SMALL_BY_CANDIDATE.replace("Sanders", "Sanders2"), encoding="utf-8")
    with pytest.raises(IdpFormatError, match="candidates not in election 'iowa-2020': Sanders2"):
        read_idp_results(path, iowa)
    path.write_text("x\n" * 8, encoding="utf-8")
    with pytest.raises(IdpFormatError, match="no 'County,Precinct' header row"):
        read_idp_table(path)


def test_unescape_repeats() -> None:
    assert unescape("A &amp;amp;amp; B ") == "A & B"
    assert unescape("Council Bluff  04") == "Council Bluff 04"
