"""The NYT precinct feed importer against the real 9 Feb 2020 feed and small derived feeds.

Rule: rules.md §6 (published results), §7.2 (SDEs exact), §7.3 (satellites).
"""

from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from caucuskit.core.election import Election
from caucuskit.core.errors import ValidationError
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import IdpImport, read_idp_results
from caucuskit.formats.nyt2020 import (
    NytFormatError,
    load_feed,
    match_candidate_id,
    read_nyt_results,
)
from conftest import IOWA_2020, RESULTS_100, need

FEED = IOWA_2020 / "nyt" / "IowaDemPrecinctsSFTP-latest.json"

#: Units whose NYT entry (joined on the short code) holds a different row of numbers than the
#: IDP CSV row of the same name (joined on the long name). Before scripts/derive_elections.py
#: corrected the name <-> short-code pairs (docs/election-format.md) there were 23 in 8 counties;
#: the pair left is the one the correction refuses: the feed swaps the two rows, but the
#: published SDEs do not confirm the other code's D.
PERMUTED = {
    "Winnebago": {"Forest City Ward 3", "Forest City Ward 4"},
}

#: The 21 long names the derive script moved to another short code (rows confirmed by the feed
#: and by the published SDE sums): (county, name) -> short code now.
REPAIRED = {
    ("Black Hawk", "Black Hawk Hudson Lincoln"): "DM00",
    ("Black Hawk", "Cedar Orange"): "EO00",
    ("Black Hawk", "Eagle"): "G000",
    ("Black Hawk", "Elk Run Heights & Raymond"): "DK00",
    ("Cerro Gordo", "Lake / Lincoln Twps Pct"): "LK",
    ("Cerro Gordo", "Lime Creek / Mason N Twps"): "LCN",
    ("Guthrie", "Red"): "7",
    ("Guthrie", "White"): "8",
    ("Johnson", "UNION TOWNSHIP"): "UN",
    ("Johnson", "UNIVERSITY HEIGHTS"): "UH",
    ("Johnson", "WASHINGTON TOWNSHIP"): "WS",
    ("Johnson", "WEST LUCAS TOWNSHIP"): "WL",
    ("Story", "Huxley"): "25",
    ("Story", "Indian Creek Twp-Maxwell"): "26",
    ("Story", "Richland Township"): "37",
    ("Story", "Sherman Township"): "38",
    ("Story", "Slater-Sheldahl-Pal 2"): "39",
    ("Woodbury", "Sioux City 23"): "23",
    ("Woodbury", "Woodbury 22"): "22",
    ("Wright", "Eagle Grove/Troy"): "RURALEG",
    ("Wright", "Rural Clarion"): "BIG_6",
}

#: Satellites whose NYT site name differs from the IDP's: joined by similar name or elimination.
RENAMED_SATELLITES = {
    "Kirkwood Community College Recreation Center":
        ("similar site name", "Cedar Rapids, IA - The Hotel at Kirkwood Center"),
    "University of Dubuque Blades Chapel; Charles and Romonda Myers Center":
        ("similar site name", "Dubuque, IA - University of Dubuque Heritage Center, Room 204"),
    "DMACC Ankeny Building, Room H":
        ("similar site name", "Ankeny, IA - DMACC Ankeny Building 5, Room 1220"),
    "Central Iowa Center for Independent Living":
        ("similar site name", "Des Moines, IA - Central Iowa Center for Independent Living Rm 1"),
    "Jefferson Market Library":
        ("elimination", "New York, NY - The Lesbian, Gay, Bisexual & Transgender Community Center"),
}  # fmt: skip


@pytest.fixture(scope="module")
def iowa() -> Election:
    return load_election("iowa-2020")


@pytest.fixture(scope="module")
def nyt(iowa: Election) -> IdpImport:
    need(FEED.is_file(), f"missing {FEED}")
    return read_nyt_results(FEED, iowa)


@pytest.fixture(scope="module")
def idp(iowa: Election) -> IdpImport:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    return read_idp_results(RESULTS_100, iowa)


def _vector(r: PrecinctReport) -> tuple[object, ...]:
    return (
        tuple(sorted(r.first.items())),
        tuple(sorted(r.final.items())),
        tuple(sorted((r.published_sde or {}).items())),
    )


def _sum(reports: list[PrecinctReport], attr: str) -> Counter[str]:
    total: Counter[str] = Counter()
    for r in reports:
        total.update(getattr(r, attr))
    return total


# --------------------------------------------------------------------------- the real feed


def test_feed_joins_every_unit(iowa: Election, nyt: IdpImport) -> None:
    assert nyt.layout == "nyt-feed"
    assert nyt.unjoined == []
    assert len(nyt.reports) == 1765
    units = [iowa.precinct_by_key[r.key] for r in nyt.reports]
    assert len(set(units)) == 1765
    assert sum(1 for p in units if not p.satellite) == 1678
    assert sum(1 for p in units if p.satellite) == 87
    assert sum(p.delegates or 0 for p in units) == 11402
    assert all(len(r.first) == len(r.final) == 14 and r.attendees is None for r in nyt.reports)


def test_renamed_satellites_are_noted(nyt: IdpImport, idp: IdpImport) -> None:
    joined = {note.split(" / ", 1)[1].split(" joined by ")[0]: note for note in nyt.notes}
    assert set(joined) == set(RENAMED_SATELLITES)
    csv_first = {r.key: r.first for r in idp.reports}
    for site, (how, unit) in RENAMED_SATELLITES.items():
        assert f"joined by {how}" in joined[site]
        assert joined[site].endswith(f"/ {unit}")
        [report] = [r for r in nyt.reports if r.precinct == unit]
        # the IDP CSV row of that unit has the same first alignment: the join is right
        assert report.first == csv_first[report.key]
    assert len(nyt.notes) == 5


def test_sde_sums_equal_the_100pct_csv(nyt: IdpImport, idp: IdpImport) -> None:
    assert nyt.published_sde_total == idp.published_sde_total
    assert nyt.published_sde_total["Buttigieg"] == Fraction("564.0124")
    assert nyt.published_sde_total["Sanders"] == Fraction("562.4973")
    assert sum(nyt.published_sde_total.values()) == Fraction("2152.8894")
    # exact decimals, never binary floats
    assert all(
        isinstance(v, Fraction) and (v * 10**4).denominator == 1
        for r in nyt.reports
        for v in (r.published_sde or {}).values()
    )


def test_alignment_totals_equal_the_100pct_csv(nyt: IdpImport, idp: IdpImport) -> None:
    assert _sum(nyt.reports, "first") == _sum(idp.reports, "first")
    assert sum(_sum(nyt.reports, "first").values()) == 176436
    assert _sum(nyt.reports, "final") == _sum(idp.reports, "final")


def test_precinct_differences_are_explained(iowa: Election, nyt: IdpImport, idp: IdpImport) -> None:
    """Only the 2 Forest City wards of Winnebago still differ; their rows are swapped.

    The feed joins on the IDP short code, the CSV on the long name. The 21 re-paired names
    (REPAIRED) now carry the same row in both. In Winnebago the feed holds Ward 4's CSV row
    under FC 4 (D 3) and Ward 3's under FC3D3 (D 4), and the 2008 precinct list agrees
    (FC 4 = "Forest City Ward 4"). But both rows publish 3 delegates' worth (0.45), so under
    either pairing one row is short for the D = 4 code: now Ward 4's, swapped Ward 3's (whose
    split is exact for D 3). The published SDEs do not confirm the swap; it is not made.
    """
    csv_rows = {r.key: r for r in idp.reports}
    nyt_rows = {r.key: r for r in nyt.reports}
    assert set(csv_rows) == set(nyt_rows)
    differ = {k for k in csv_rows if _vector(csv_rows[k]) != _vector(nyt_rows[k])}
    assert differ == {(c, p) for c, names in PERMUTED.items() for p in names}
    for county, names in PERMUTED.items():
        keys = [(county, p) for p in names]
        assert Counter(_vector(csv_rows[k]) for k in keys) == Counter(
            _vector(nyt_rows[k]) for k in keys
        ), county
    fits: dict[tuple[str, str], tuple[bool, bool]] = {}
    for key in differ:
        value = iowa.precinct_sde_value(iowa.precinct_by_key[key])
        assert value is not None
        nyt_sum = sum((nyt_rows[key].published_sde or {}).values(), Fraction(0))
        csv_sum = sum((csv_rows[key].published_sde or {}).values(), Fraction(0))
        near = Fraction(1, 1000)  # published SDEs are rounded to 4 places
        fits[key] = (abs(nyt_sum - value) < near, abs(csv_sum - value) < near)
    assert fits == {
        ("Winnebago", "Forest City Ward 3"): (True, True),  # D = 3; both rows are worth 0.45
        ("Winnebago", "Forest City Ward 4"): (False, False),  # D = 4, but neither row sums to 0.6
    }


def test_repaired_pairs_agree_with_the_feed(iowa: Election, nyt: IdpImport, idp: IdpImport) -> None:
    """Each re-paired name has its new code, and the feed's entry for that code is its CSV row
    (same first, final and SDE numbers), worth D x S_c / C_c of the new code."""
    csv_rows = {r.key: r for r in idp.reports}
    nyt_rows = {r.key: r for r in nyt.reports}
    for key, code in REPAIRED.items():
        unit = iowa.precinct_by_key[key]
        assert unit.code == code, key
        assert _vector(nyt_rows[key]) == _vector(csv_rows[key]), key
        value = iowa.precinct_sde_value(unit)
        assert value is not None
        published = sum((csv_rows[key].published_sde or {}).values(), Fraction(0))
        assert abs(published - value) < Fraction(1, 1000), key
    assert any("corrected for 21 precincts" in note for note in iowa.notes)


# --------------------------------------------------------------------------- derived feeds


def _write(tmp_path: Path, entries: list[dict[str, Any]]) -> Path:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps({"meta": {}, "precincts": entries}), encoding="utf-8")
    return path


def _entry(county: str, precinct: object, **counts: Any) -> dict[str, Any]:
    first = counts.pop("first", {"sandersb": 9, "bidenj": 6})
    final = counts.pop("final", first)
    return {
        "locality_name": county,
        "precinct": precinct,
        "results_align1": first,
        "results_alignfinal": final,
        "results": counts.pop("sde", {"sandersb": 0, "bidenj": 0}),
    }


def test_numbers_are_read_from_their_text(iowa: Election, tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(
        '{"precincts": [{"locality_name": "Adair", "precinct": "01NW", '
        '"results_align1": {"sandersb": 9, "bidenj": 6}, '
        '"results_alignfinal": {"sandersb": 9.0, "bidenj": 6}, '
        '"results": {"sandersb": 0.1569, "bidenj": 0.1}}]}',
        encoding="utf-8",
    )
    feed = load_feed(path)
    assert feed["precincts"][0]["results"]["bidenj"] == Fraction(1, 10)  # not 0.1000000000000000055
    imp = read_nyt_results(path, iowa)
    [report] = imp.reports
    assert report.key == ("Adair", "1NW ADAIR")
    assert report.final == {"Sanders": 9, "Biden": 6}
    assert report.published_sde == {"Sanders": Fraction("0.1569"), "Biden": Fraction("0.1")}


def test_short_codes_written_as_numbers_join(iowa: Election, tmp_path: Path) -> None:
    path = _write(tmp_path, [_entry("Guthrie", 7), _entry("Guthrie", "8")])
    imp = read_nyt_results(path, iowa)
    assert [r.precinct for r in imp.reports] == ["Red", "White"]  # 7 = Red (D 3), 8 = White
    assert imp.unjoined == [] and imp.notes == []


def test_entries_that_cannot_join_are_listed(iowa: Election, tmp_path: Path) -> None:
    entries = [
        _entry("Adair", "01NW"),
        _entry("Atlantis", "1"),
        _entry("Adair", "NOWHERE"),
        _entry("Adair", "01NW"),
        _entry("Adair", "02NE", first={"sandersb": 1.5}, final={"sandersb": 1}),
        {"locality_name": "Adair", "precinct": "3"},
        _entry("Adair", "02NE", first={"sandersb": -1}, final={}),
        _entry("Out of State Satellite", "Somewhere Else Entirely"),
        _entry("adair", "02ne"),
    ]
    imp = read_nyt_results(_write(tmp_path, entries), iowa)
    assert [(u.line, u.reason) for u in imp.unjoined] == [
        (2, "unknown county 'Atlantis'"),
        (3, "no reporting unit with short code or name 'NOWHERE' in Adair in iowa-2020"),
        (4, "duplicate of entry 1"),
        (5, "results_align1.sandersb: head count 1.5 is not whole"),
        (6, "missing key results_align1, results_alignfinal, results"),
        (7, "results_align1.sandersb: expected a number >= 0, got -1"),
        (8, "no satellite site named 'Somewhere Else Entirely' in Out of State Satellite "
            "in iowa-2020"),
    ]  # fmt: skip
    assert str(imp.unjoined[0]) == "entry 2: Atlantis / 1: unknown county 'Atlantis'"
    # case differences in county and code still join (and are not guesses)
    assert [r.key for r in imp.reports] == [("Adair", "1NW ADAIR"), ("Adair", "2NE STUART")]


def test_unknown_candidate_ids_are_problems(iowa: Election, tmp_path: Path) -> None:
    entries = [
        _entry("Adair", "01NW"),
        _entry("Adair", "02NE", first={"sandersb": 3, "smithj": 1, "zz": 0}),
    ]
    path = _write(tmp_path, entries)
    with pytest.raises(ValidationError) as err:
        read_nyt_results(path, iowa)
    assert [p.field for p in err.value.problems] == [
        f"{path} entry 2, results_align1.smithj",
        f"{path} entry 2, results_align1.zz",
    ]
    assert "candidate id 'smithj' names no candidate of iowa-2020" in str(err.value)
    imp = read_nyt_results(path, iowa, candidate_ids={"smithj": "Other", "zz": "Uncommitted"})
    assert imp.reports[1].first == {"Sanders": 3, "Other": 1, "Uncommitted": 0}


def test_candidate_ids() -> None:
    names = ["Biden", "Sanders", "Other", "Uncommitted", "O'Malley", "De La Fuente"]
    assert match_candidate_id("bidenj", names) == "Biden"
    assert match_candidate_id("sandersb", names) == "Sanders"
    assert match_candidate_id("other", names) == "Other"
    assert match_candidate_id("uncommitted", names) == "Uncommitted"
    assert match_candidate_id("omalleym", names) == "O'Malley"
    assert match_candidate_id("delafuenterr", names) == "De La Fuente"
    assert match_candidate_id("bidenjoseph", names) is None  # too long for initials
    assert match_candidate_id("warrene", names) is None


def test_not_a_feed(iowa: Election, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"meta": {}}', encoding="utf-8")
    with pytest.raises(NytFormatError, match="expected"):
        read_nyt_results(path, iowa)
    path.write_text("{", encoding="utf-8")
    with pytest.raises(NytFormatError, match="not valid JSON"):
        read_nyt_results(path, iowa)
