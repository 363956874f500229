"""The canonical raw-report format: exact round trips in CSV and JSON, errors that name the cell.

Rule: rules.md §9 (raw counts are the truth; delegates and SDEs are derived, never stored).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caucuskit.core.errors import ValidationError
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.canonical import (
    read_reports,
    reports_from_csv,
    reports_from_json,
    reports_to_csv,
    reports_to_json,
    write_reports,
)
from caucuskit.formats.election_file import load_election
from caucuskit.formats.idp2020 import read_idp_results
from conftest import RESULTS_100, need

names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12
).map(str.strip).filter(lambda s: s != "" and ";" not in s)  # fmt: skip
counts = st.dictionaries(names, st.integers(0, 10_000), max_size=5)


@st.composite
def reports(draw: st.DrawFn) -> list[PrecinctReport]:
    keys = draw(st.lists(st.tuples(names, names), unique=True, max_size=6))
    out = []
    for county, precinct in keys:
        sde = draw(
            st.none()
            | st.dictionaries(
                names, st.fractions(min_value=0, max_value=100), min_size=1, max_size=4
            )
        )
        out.append(PrecinctReport(
            county=county,
            precinct=precinct,
            attendees=draw(st.none() | st.integers(0, 5000)),
            first=draw(counts),
            final=draw(counts),
            toss_winners=tuple(draw(st.lists(names, max_size=3))),
            published_sde=sde,
            source_line=draw(st.none() | st.integers(1, 10**6)),
            extra=draw(st.dictionaries(names, names, max_size=2)),
        ))  # fmt: skip
    return out


@settings(max_examples=60, deadline=None)
@given(reports())
def test_csv_round_trip(items: list[PrecinctReport]) -> None:
    assert reports_from_csv(reports_to_csv(items)) == items


@settings(max_examples=60, deadline=None)
@given(reports())
def test_json_round_trip(items: list[PrecinctReport]) -> None:
    assert reports_from_json(reports_to_json(items)) == items


def test_real_100pct_round_trip(tmp_path: Path) -> None:
    need(RESULTS_100.is_file(), f"missing {RESULTS_100}")
    items = read_idp_results(RESULTS_100, load_election("iowa-2020")).reports
    for name in ("r.csv", "r.json"):
        write_reports(tmp_path / name, items)
        assert read_reports(tmp_path / name) == items
    header = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("county,precinct,attendees,toss_winners,source_line,first:Bennet,")


def test_csv_blank_means_absent_zero_is_kept() -> None:
    text = (
        "county,precinct,attendees,toss_winners,source_line,first:A,first:B,final:A,"
        "published_sde:A\n"
        "Polk,P1,12,A;B,,5,0,7,0.1569\n"
        "Polk,P2,,,,3,,,\n"
    )
    p1, p2 = reports_from_csv(text)
    assert p1.attendees == 12 and p1.toss_winners == ("A", "B")
    assert p1.first == {"A": 5, "B": 0} and p1.final == {"A": 7}
    assert p1.published_sde == {"A": Fraction(1569, 10000)}
    assert p2.attendees is None and p2.first == {"A": 3} and p2.final == {}
    assert p2.published_sde is None and p2.effective_attendees == 3


def test_csv_errors_name_line_and_column() -> None:
    text = (
        "county,precinct,attendees,toss_winners,source_line,first:A,final:A,sde:A\n"
        "Polk,P1,-1,,,x,3\n"
        "Polk,P2,4,,,1,1,\n"
        "Polk,P2,4,,,1,1,\n"
        ",P3,4,,,1,1,\n"
    )
    with pytest.raises(ValidationError) as info:
        reports_from_csv(text, "in.csv")
    messages = [str(p) for p in info.value.problems]
    assert messages == [
        "in.csv line 1, column 8: unknown column 'sde:A'",
        "in.csv line 2: 7 cells, the header has 8",
        "in.csv line 5, county: must be a non-empty text, got ''",
        "in.csv line 4: Polk/P2 repeats in.csv line 3",
    ]
    with pytest.raises(ValidationError, match="the header must start with county, precinct"):
        reports_from_csv("a,b\n", "x.csv")
    with pytest.raises(ValidationError, match=r"line 2, first:A: must be a whole number"):
        reports_from_csv(
            "county,precinct,attendees,toss_winners,source_line,first:A\nPolk,P1,,,,2.5\n", "y.csv"
        )


def test_json_errors_name_the_field() -> None:
    text = (
        '{"format": "caucuskit-reports/1", "reports": ['
        '{"county": "Polk", "precinct": "P1", "first": {"A": -1}, "final": {"A": true},'
        ' "published_sde": {"A": 0.5}, "colour": 1}]}'
    )
    with pytest.raises(ValidationError) as info:
        reports_from_json(text, "in.json")
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "in.json reports[0].colour",
        "in.json reports[0].first.A",
        "in.json reports[0].final.A",
        "in.json reports[0].published_sde.A",
    }
    with pytest.raises(ValidationError, match="expected"):
        reports_from_json('{"format": "other"}')


def test_suffix_decides_the_form(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"use a \.csv or \.json suffix"):
        write_reports(tmp_path / "r.txt", [])
    write_reports(tmp_path / "r.txt", [], form="json")
    assert read_reports(tmp_path / "r.txt", form="json") == []
