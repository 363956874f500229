"""Election definition files: the shipped definitions, loading checks, the JSON round trip.

Rule: rules.md §2 (apportionment as input), §7.1 (S_c), §7.3 (satellite pools), §8.1.
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caucuskit.core.errors import CaucusError, DefinitionError
from caucuskit.formats.election_file import (
    dumps_election,
    election_from_dict,
    election_to_dict,
    fraction_to_text,
    list_elections,
    load_election,
    parse_fraction,
)

CANDIDATES_2020 = [
    "Bennet", "Biden", "Bloomberg", "Buttigieg", "Delaney", "Gabbard", "Klobuchar",
    "Patrick", "Sanders", "Steyer", "Warren", "Yang", "Other", "Uncommitted",
]  # fmt: skip
SATELLITES = [
    "CD1 Satellite", "CD2 Satellite", "CD3 Satellite", "CD4 Satellite", "Out of State Satellite",
]  # fmt: skip


def test_shipped_elections_are_listed() -> None:
    assert list_elections() == ["iowa-2016", "iowa-2020", "nevada-2020"]


def test_iowa_2020_counties_and_state_delegates() -> None:
    e = load_election("iowa-2020")
    assert [c.name for c in e.candidates] == CANDIDATES_2020
    assert not any(c.withdrawn for c in e.candidates)
    real = [c for c in e.counties if not c.satellite]
    assert len(real) == 99
    assert [c.name for c in e.counties if c.satellite] == SATELLITES
    assert e.county_by_name["Polk"].state_delegates == 392
    assert e.county_by_name["Adair"].state_delegates == 4
    assert e.sde_per_delegate("Polk") == Fraction(392, 1401)
    assert e.sde_per_delegate("Adair") == Fraction(4, 51)
    assert e.sde_per_delegate("Story") == Fraction(83, 200)
    assert e.sde_per_delegate("Lee") == Fraction(21, 150)
    assert sum(c.state_delegates or 0 for c in real) == 2107
    assert {c.district for c in real} == {1, 2, 3, 4}
    assert [sum(1 for c in real if c.district == d) for d in (1, 2, 3, 4)] == [20, 24, 16, 39]
    assert e.county_by_name["Out of State Satellite"].district is None
    pools = {c.name: c.state_delegates for c in e.counties if c.satellite}
    # observed pools (rules.md §7.3): the published site SDEs summed, at 3 decimals
    assert pools == {
        "CD1 Satellite": 6,
        "CD2 Satellite": 11,
        "CD3 Satellite": Fraction("18.103"),
        "CD4 Satellite": 4,
        "Out of State Satellite": Fraction("4.042"),
    }
    assert (e.sde_places_precinct, e.sde_places_total) == (4, 3)


def test_iowa_2020_precincts_and_satellite_sites() -> None:
    e = load_election("iowa-2020")
    precincts = [p for p in e.precincts if not p.satellite]
    sites = [p for p in e.precincts if p.satellite]
    assert len(precincts) == 1681 and len(sites) == 87
    assert sum(p.delegates or 0 for p in precincts) == 11402
    assert all(p.delegates is None for p in sites)
    per_county = {n: sum(1 for p in sites if p.county == n) for n in SATELLITES}
    assert sum(per_county.values()) == 87 and all(per_county.values())
    lee_zero = sorted(p.name for p in precincts if p.county == "Lee" and p.delegates == 0)
    assert lee_zero == ["FM4B", "HR", "KE2B"]
    assert not any("&amp;" in p.name for p in e.precincts)
    assert ("Carroll", "Carroll Ward Two & N1/2 Maple River Twp") in e.precinct_by_key
    adair = e.precinct_by_key[("Adair", "1NW ADAIR")]
    assert (adair.code, adair.delegates) == ("01NW", 8)
    assert e.precinct_sde_value(adair) == Fraction(32, 51)
    assert e.national.district == {1: 7, 2: 7, 3: 8, 4: 5}
    assert (e.national.at_large, e.national.pleo, e.national.total) == (9, 5, 41)


def test_iowa_2016() -> None:
    e = load_election("iowa-2016")
    assert [c.name for c in e.candidates] == ["Clinton", "Sanders", "O'Malley", "Uncommitted"]
    assert len(e.counties) == 99 and all(c.state_delegates is None for c in e.counties)
    assert len(e.precincts) == 1681
    assert sum(p.delegates or 0 for p in e.precincts) == 11065
    assert e.national.district == {1: 8, 2: 8, 3: 7, 4: 6}
    assert (e.national.at_large, e.national.pleo, e.national.total) == (9, 6, 44)
    assert (e.sde_places_precinct, e.sde_places_total) == (2, 2)
    altoona = e.precinct_by_key[("Polk", "ALTOONA-1")]
    assert (altoona.code, altoona.delegates) == ("Polk-ALTOONA-1", 6)
    assert e.sde_per_delegate("Polk") is None


@pytest.mark.parametrize("name", ["iowa-2016", "iowa-2020"])
def test_round_trip_is_identical(name: str, tmp_path: Path) -> None:
    e = load_election(name)
    again = election_from_dict(election_to_dict(e))
    assert again == e
    path = tmp_path / "copy.json"
    path.write_text(dumps_election(e), encoding="utf-8")
    assert load_election(path) == e
    assert load_election(str(path)) == e


def _small() -> dict[str, object]:
    """A tiny valid definition: two counties, one satellite pseudo-county."""
    return {
        "format": "caucuskit-election/1",
        "id": "tiny",
        "title": "Tiny",
        "ruleset": "ia-2020",
        "candidates": [{"name": "A"}, {"name": "B", "withdrawn": True}],
        "national": {"district": {"1": 3, "2": 2}, "at_large": 1, "pleo": 1},
        "counties": [
            {"name": "North", "district": 1, "state_delegates": "4"},
            {"name": "South", "district": 2, "state_delegates": "5/2"},
            {"name": "Sat", "district": None, "state_delegates": "1.5", "satellite": True},
        ],
        "precincts": [
            {"county": "North", "name": "N1", "code": "N1", "delegates": 3},
            {"county": "North", "name": "N2", "code": "N2", "delegates": 5},
            {"county": "South", "name": "S1", "code": "S1", "delegates": 4},
            {"county": "Sat", "name": "Site, Town", "delegates": None, "satellite": True},
        ],
    }


def test_small_definition_loads(tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(_small()), encoding="utf-8")
    e = load_election(path)
    assert e.candidates[1].withdrawn
    assert e.sde_per_delegate("South") == Fraction(5, 8)
    assert e.county_by_name["Sat"].state_delegates == Fraction(3, 2)
    assert (e.sde_places_precinct, e.sde_places_total) == (4, 3)  # from the ruleset


def test_every_inconsistency_is_named() -> None:
    data = copy.deepcopy(_small())
    data["ruleset"] = "ia-2024"
    data["colour"] = "blue"
    data["candidates"] = [{"name": "A"}, {"name": "A"}]
    data["national"] = {"district": {"1": 3}, "at_large": -1, "pleo": 1}
    counties = data["counties"]
    assert isinstance(counties, list)
    counties[1]["state_delegates"] = 2.5  # float: inexact
    counties[2]["district"] = 7
    precincts = data["precincts"]
    assert isinstance(precincts, list)
    precincts[1]["delegates"] = -2
    precincts[2]["county"] = "East"
    precincts.append({"county": "North", "name": "N1", "code": "N9", "delegates": 1})
    precincts.append({"county": "North", "name": "N3", "code": "N3", "delegates": None})
    with pytest.raises(DefinitionError) as info:
        election_from_dict(data)
    text = "\n".join(info.value.problems)
    for expected in [
        "colour: unknown key; known: candidates, counties, display, format, id,",
        "ruleset: unknown ruleset 'ia-2024'",
        "national.at_large: must not be negative",
        "counties.South.state_delegates: write 2.5 as a string",
        "candidates: duplicate names",
        "counties.Sat: district 7 has no national delegate count",
        "counties.South: district 2 has no national delegate count",
        "precincts.North/N2: negative delegates",
        "precincts.East/S1: unknown county 'East'",
        "precincts.North/N1: duplicate precinct",
        "precincts.North/N3: satellite sites (and only they) take D from turnout",
        "counties.South: no precinct",
    ]:
        assert expected in text, expected
    assert len(info.value.problems) == len(set(info.value.problems))


def test_missing_keys_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as info:
        election_from_dict({"id": "x"})
    text = "\n".join(info.value.problems)
    for key in ("format", "title", "ruleset", "candidates", "national", "counties", "precincts"):
        assert f"{key}: is missing" in text
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(DefinitionError, match="not valid JSON"):
        load_election(bad)
    with pytest.raises(CaucusError, match="no such file"):
        load_election(tmp_path / "absent.json")


def test_one_bad_value_raises_no_follow_on_problems() -> None:
    """A bad value is named once; its entry is kept without it, so a county with a bad
    district is still the county of its precincts (formats/inputs.py shapes, one pass)."""
    data = copy.deepcopy(_small())
    counties = data["counties"]
    assert isinstance(counties, list)
    counties[0]["district"] = "one"
    counties[1]["colour"] = "red"
    precincts = data["precincts"]
    assert isinstance(precincts, list)
    precincts[0] = "oops"
    data["national"] = {"district": {"1": 3, "2": "two"}, "at_large": 1, "pleo": True}
    with pytest.raises(DefinitionError) as info:
        election_from_dict(data)
    assert list(info.value.problems) == [
        "counties.North.district: must be a whole number, got 'one'",
        "counties.South.colour: unknown key; known: district, name, part_of, satellite, "
        "state_delegates",
        "precincts[0]: must be an object, got 'oops'",
        "national.district.2: must be a whole number, got 'two'",
        "national.pleo: must be a whole number, got True",
        "national.district: district 1 has no county",
        "counties.South: district 2 has no national delegate count",
    ]


def test_satellite_county_needs_its_pool() -> None:
    data = _small()
    counties = data["counties"]
    assert isinstance(counties, list)
    counties[2]["state_delegates"] = None
    with pytest.raises(DefinitionError, match=r"counties\.Sat: a satellite pseudo-county needs"):
        election_from_dict(data)


@given(st.fractions())
def test_fraction_text_round_trip(x: Fraction) -> None:
    problems: list[str] = []
    assert parse_fraction(fraction_to_text(x), "x", problems) == x
    assert problems == []


def test_fraction_text_forms() -> None:
    assert fraction_to_text(Fraction(392)) == "392"
    assert fraction_to_text(Fraction("18.103")) == "18.103"
    assert fraction_to_text(Fraction(4, 51)) == "4/51"
    problems: list[str] = []
    assert parse_fraction("1/0", "f", problems) is None
    assert parse_fraction(True, "g", problems) is None
    assert parse_fraction("abc", "h", problems) is None
    assert [p.split(":")[0] for p in problems] == ["f", "g", "h"]
