"""County-level SDEs of 2016 (votes = SDE x 100). Rule: rules.md §7.2, §8.4."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from caucuskit.formats.county_sde import CountySdeFormatError, read_county_sde
from caucuskit.formats.election_file import load_election
from conftest import COUNTY_2016, need


def test_2016_statewide_sdes() -> None:
    need(COUNTY_2016.is_file(), f"missing {COUNTY_2016}")
    results = read_county_sde(COUNTY_2016, load_election("iowa-2016"))
    assert results.unjoined == []
    assert len(results.sde) == 99
    assert results.statewide == {
        "Clinton": Fraction("697.33"),
        "Sanders": Fraction("694.52"),
        "O'Malley": Fraction("7.52"),
        "Uncommitted": Fraction("0.43"),
    }
    assert sum(results.statewide.values()) == Fraction("1399.80")
    assert set(results.sde["O'Brien"]) == {"Clinton", "Sanders", "O'Malley", "Uncommitted"}


def test_bad_rows_are_listed_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "state,state_abbreviation,county,fips,party,candidate,votes,fraction_votes\n"
        "Iowa,IA,Adair,19001.0,Democrat,Hillary Clinton,150,0.5\n"
        "Iowa,IA,Adair,19001.0,Republican,Donald Trump,999,0.5\n"
        "Iowa,IA,Atlantis,1.0,Democrat,Hillary Clinton,1,0.5\n"
        "Iowa,IA,Adair,19001.0,Democrat,Jill Stein,1,0.5\n"
        "Iowa,IA,Adair,19001.0,Democrat,Bernie Sanders,1.5,0.5\n"
        "Iowa,IA,ADAIR,19001.0,Democrat,Hillary Clinton,3,0.5\n",
        encoding="utf-8",
    )
    results = read_county_sde(path, load_election("iowa-2016"))
    assert results.sde == {"Adair": {"Clinton": Fraction(3, 2)}}
    assert [(u.line, u.reason) for u in results.unjoined] == [
        (4, "unknown county 'Atlantis'"),
        (5, "unknown candidate 'Jill Stein'"),
        (6, "votes: '1.5' is not a whole number (SDE x 100)"),
        (7, "duplicate of line 2"),
    ]


def test_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("state,county,party,candidate\n", encoding="utf-8")
    with pytest.raises(CountySdeFormatError, match="missing column"):
        read_county_sde(path, load_election("iowa-2016"))
