"""Importer for the IDP's published 2020 precinct results (results.thecaucuses.org as CSV).

Two layouts exist (see ``../shared/data/iowa-2020/README.md``):

* ``by-measure`` (the 6 and 8 Feb ``full.csv`` files): header row 1 names the measure
  (First Expression / Final Expression / SDE), row 2 the candidate, row 3 ``County,Precinct``;
* ``by-candidate`` (the 5 Feb 8 pm file): row 1 names the candidate, row 2 the measure, numbers
  written like floats (``7.0``).

Both carry one ``Total`` row per county (the published county total, kept apart in
``county_totals``). Names may hold HTML entities, sometimes escaped twice (``&amp;amp;``):
they are unescaped until stable, and runs of spaces collapsed, on both sides of the join.
Satellite site names contain commas, so the file is read with a real CSV parser.

A re-published file may differ in form; the reader tolerates a BOM, CRLF, trailing empty
columns, numbers written ``7.0`` or with spaces, candidate columns in any order (a subset is
fine), candidate headers in another case or as full names, measure headers written once over
merged cells, and units written in another case or as their short code (listed in ``notes``).

Reading the table is :mod:`caucuskit.formats.idp2020_table`, finding names in the election
:mod:`caucuskit.formats.joining`; this module joins the two (and re-exports their names).

Rule: rules.md §6 (the published results as the empirical check), §7.2 (SDEs to 4 decimals,
parsed exactly), §9 (raw counts are the truth; published SDEs are kept for the audit only).
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from caucuskit.core.election import Election, Precinct
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.idp2020_table import (
    MEASURES,
    TOTAL_ROW,
    IdpFormatError,
    IdpRow,
    IdpTable,
    Layout,
    UnjoinedRow,
    read_idp_table,
    unescape,
)
from caucuskit.formats.joining import IdpImport, ImportLayout, UnitIndex, match_candidate

__all__ = [
    "MEASURES",
    "TOTAL_ROW",
    "IdpFormatError",
    "IdpImport",
    "IdpRow",
    "IdpTable",
    "ImportLayout",
    "Layout",
    "UnitIndex",
    "UnjoinedRow",
    "match_candidate",
    "read_idp_results",
    "read_idp_table",
    "unescape",
]


def _candidate_names(table: IdpTable, election: Election) -> dict[str, str]:
    """Column label -> the election's candidate; every label must name exactly one."""
    rename: dict[str, str] = {}
    unknown: dict[str, list[int]] = {}
    for col, _, label in table.columns:
        name = match_candidate(label, election.candidate_names)
        if name is None:
            unknown.setdefault(label, []).append(col + 1)
        else:
            rename[label] = name
    if unknown:
        described = ", ".join(
            f"{label} (column{'s' if len(cols) > 1 else ''} {', '.join(map(str, cols))})"
            for label, cols in unknown.items()
        )
        known = ", ".join(c.name for c in election.candidates)
        raise IdpFormatError(
            f"{table.path}: candidates not in election {election.id!r}: {described}; "
            f"the election's candidates are {known}"
        )
    twice = [n for n in set(rename.values()) if list(rename.values()).count(n) > 1]
    if twice:
        labels = [lab for lab, n in rename.items() if n in twice]
        raise IdpFormatError(
            f"{table.path}: columns {', '.join(map(repr, labels))} name the same candidate"
        )
    return rename


def _find_unit(
    row: IdpRow, index: UnitIndex, election: Election
) -> tuple[Precinct | None, str, str]:
    """(unit, how it was found, why not): by name, then by short code."""
    county = index.county(row.county)
    if county is None:
        return None, "", f"unknown county {row.county!r}"
    if not row.precinct:
        return None, "", "blank precinct name"
    unit = index.by_name(county, row.precinct)
    if unit is not None:
        return unit, "name", ""
    unit = index.by_code(county, row.precinct)
    if unit is not None:
        return unit, "short code", ""
    return None, "", f"no reporting unit {row.precinct!r} in {county} in {election.id}"


def _join_rows(
    table: IdpTable, election: Election, rename: dict[str, str], index: UnitIndex
) -> tuple[list[PrecinctReport], list[UnjoinedRow], list[str]]:
    """Each data row as a report of its unit; rows that cannot be joined, with the reason."""
    unjoined: list[UnjoinedRow] = []
    notes: list[str] = []
    reports: list[PrecinctReport] = []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        unit, how, reason = _find_unit(row, index, election)
        if unit is not None and unit.key in seen:
            reason = f"duplicate of line {seen[unit.key]}"
            unit = None
        if unit is None:
            unjoined.append(UnjoinedRow(row.line, row.county, row.precinct, reason))
            continue
        seen[unit.key] = row.line
        if unit.key != (row.county, row.precinct):
            notes.append(
                f"line {row.line}: {row.county} / {row.precinct} joined by {how} "
                f"to {unit.county} / {unit.name}"
            )
        reports.append(
            PrecinctReport(
                county=unit.county,
                precinct=unit.name,
                attendees=None,
                first={rename[k]: v for k, v in row.first.items()},
                final={rename[k]: v for k, v in row.final.items()},
                published_sde={rename[k]: v for k, v in row.sde.items()},
                source_line=row.line,
            )
        )
    return reports, unjoined, notes


def _join_totals(
    table: IdpTable, rename: dict[str, str], index: UnitIndex
) -> tuple[dict[str, dict[str, Fraction]], list[UnjoinedRow]]:
    """The published county totals; a Total row of an unknown county, or a second one, is left
    out with the reason."""
    county_totals: dict[str, dict[str, Fraction]] = {}
    unjoined: list[UnjoinedRow] = []
    for row in table.totals:
        county = index.county(row.county)
        if county is None:
            reason = f"Total row of unknown county {row.county!r}"
        elif county in county_totals:
            reason = "second Total row for this county"
        else:
            county_totals[county] = {rename[k]: v for k, v in row.sde.items()}
            continue
        unjoined.append(UnjoinedRow(row.line, row.county, row.precinct, reason))
    return county_totals, unjoined


def read_idp_results(path: str | Path, election: Election) -> IdpImport:
    """Read an IDP results CSV and join each row to a reporting unit of ``election``.

    Each joined row becomes a :class:`PrecinctReport` (attendees unknown, first/final head
    counts with zeros kept, ``published_sde`` exact) named as in the election. Rows that cannot
    be joined are listed in ``unjoined`` with their line number and the reason; the county
    ``Total`` rows go to ``county_totals``. Candidate columns are matched to the election's
    names (:func:`match_candidate`); a column naming no candidate raises
    :class:`IdpFormatError` naming the column.
    """
    table = read_idp_table(path)
    rename = _candidate_names(table, election)
    index = UnitIndex(election)
    reports, unjoined_rows, notes = _join_rows(table, election, rename, index)
    county_totals, unjoined_totals = _join_totals(table, rename, index)
    unjoined = [*table.bad_rows, *unjoined_rows, *unjoined_totals]
    unjoined.sort(key=lambda u: u.line)
    return IdpImport(
        path=table.path,
        layout=table.layout,
        reports=reports,
        unjoined=unjoined,
        county_totals=county_totals,
        notes=notes,
    )
