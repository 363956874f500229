"""The NIST SP 1500-100 CDF of a tiny election, pinned byte for byte (issue 15).

Rule: rules.md §9 (publish raw alignments and derived results), §7.2 (display precision). The
snapshot is tests/formats/snapshots/nist_cdf_tiny.json; after a deliberate change of the export,
rewrite it with ``UPDATE_SNAPSHOTS=1 pytest tests/formats/test_nist_cdf.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from caucuskit.core import election
from caucuskit.core.election import Candidate, County, NationalDelegates, Precinct, make_election
from caucuskit.formats.nist_cdf import CdfUnit, ElectionReport, election_report
from conftest import NIST_SCHEMA, need

SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "nist_cdf_tiny.json"


def tiny_election() -> election.Election:
    """Two districts, a county each, a satellite pool of one site, three candidates."""
    return make_election(
        id="tiny",
        title="Tiny caucus",
        ruleset="ia-2020",
        candidates=(Candidate("Ada"), Candidate("Bo"), Candidate("Cy", withdrawn=True)),
        counties=(
            County("North", 1, Fraction(4)),
            County("South", 2, Fraction(3)),
            County("Abroad", None, Fraction(1), satellite=True),
        ),
        precincts=(
            Precinct("North", "N1", "N1", 4),
            Precinct("North", "N2", "N2", 2),
            Precinct("South", "S1", "S1", 3),
            Precinct("Abroad", "Paris", "P", None, satellite=True),
        ),
        national=NationalDelegates({1: 2, 2: 1}, at_large=1, pleo=1),
    )


def tiny_report() -> ElectionReport:
    units = [
        CdfUnit(
            "North",
            "N1",
            {"Ada": 12, "Bo": 8, "Cy": 3},
            {"Ada": 13, "Bo": 10},
            {"Ada": 2, "Bo": 2},
            {"Ada": Fraction(4, 3), "Bo": Fraction(4, 3)},
            23,
        ),
        CdfUnit(
            "South",
            "S1",
            {"Ada": 5, "Bo": 9},
            {"Ada": 5, "Bo": 9},
            {"Ada": 1, "Bo": 2},
            {"Ada": Fraction(1), "Bo": Fraction(2)},
        ),
        CdfUnit("Abroad", "Paris", {"Bo": 7}, {"Bo": 7}, {"Bo": 1}, {"Bo": Fraction(1)}, 7),
    ]
    return election_report(
        tiny_election(),
        units,
        status="unofficial-partial",
        generated=datetime(2020, 2, 4, 1, 30, tzinfo=UTC),
        election_date="2020-02-03",
        national={"Ada": 2, "Bo": 3},
    )


def test_the_tiny_election_matches_its_snapshot() -> None:
    text = json.dumps(tiny_report(), indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), "CDF changed: see the module docstring"


def test_the_tiny_election_is_valid_cdf() -> None:
    need(NIST_SCHEMA.is_dir(), f"NIST schema folder missing at {NIST_SCHEMA}")
    schema = json.loads((NIST_SCHEMA / "NIST_V2_election_results_reporting.json").read_text())
    jsonschema.Draft4Validator(schema).validate(tiny_report())


def test_units_outside_the_election_and_bad_status_are_refused() -> None:
    e = tiny_election()
    stray = CdfUnit("North", "N9", {}, {}, {}, {})
    with pytest.raises(ValueError, match="North/N9: not a precinct of tiny"):
        election_report(
            e,
            [stray],
            status="certified",
            generated=datetime(2020, 2, 4),
            election_date="2020-02-03",
        )
    with pytest.raises(ValueError, match="status: 'final' is not one of"):
        election_report(
            e, [], status="final", generated=datetime(2020, 2, 4), election_date="2020-02-03"
        )
