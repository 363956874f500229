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

Rule: rules.md §6 (the published results as the empirical check), §7.2 (SDEs to 4 decimals,
parsed exactly), §9 (raw counts are the truth; published SDEs are kept for the audit only).
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal

from caucuskit.core.election import Election, Precinct
from caucuskit.core.errors import CaucusError
from caucuskit.core.report import PrecinctReport

Layout = Literal["by-measure", "by-candidate"]
#: Every layout an import object can come from (see :mod:`caucuskit.formats.detect`).
ImportLayout = Literal[
    "by-measure", "by-candidate", "nyt-feed", "canonical-csv", "canonical-json", "nv-long"
]

#: Header texts of the three measures, mapped to the field they fill.
MEASURES: dict[str, str] = {
    "first expression": "first",
    "final expression": "final",
    "sde": "sde",
}
TOTAL_ROW = "total"
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class IdpFormatError(CaucusError, ValueError):
    """The file is not an IDP results table (its header cannot be read)."""


def unescape(text: str) -> str:
    """HTML-unescape until nothing changes (``&amp;amp;`` -> ``&``); collapse runs of spaces.

    The 5 Feb file writes three Pottawattamie precincts with a double space
    (``Council Bluff  04``); every other file has one.
    """
    previous = None
    while previous != text:
        previous, text = text, html.unescape(text)
    return " ".join(text.split())


@dataclass(frozen=True)
class IdpRow:
    """One data row of the table, names unescaped, numbers exact."""

    line: int
    county: str
    precinct: str
    first: dict[str, int]
    final: dict[str, int]
    sde: dict[str, Fraction]


@dataclass(frozen=True)
class UnjoinedRow:
    """A row left out of the import: its line in the file, the names as read, and why."""

    line: int
    county: str
    precinct: str
    reason: str
    #: What ``line`` counts: a CSV ``line``, or an ``entry`` of a JSON list (1-based).
    unit: str = "line"

    def __str__(self) -> str:
        return f"{self.unit} {self.line}: {self.county} / {self.precinct}: {self.reason}"


@dataclass
class IdpTable:
    """The file as read, before any join with an election definition."""

    path: Path
    layout: Layout
    candidates: tuple[str, ...]
    rows: list[IdpRow] = field(default_factory=list)
    totals: list[IdpRow] = field(default_factory=list)
    bad_rows: list[UnjoinedRow] = field(default_factory=list)
    #: (0-based column, measure field, candidate label) of every number column.
    columns: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class IdpImport:
    """Reports read from a results file and joined to an election.

    Returned by :func:`read_idp_results`, :func:`caucuskit.formats.nyt2020.read_nyt_results`
    and :func:`caucuskit.formats.detect.read_results`. ``notes`` lists joins that were not
    exact (a satellite matched by similar name, a precinct matched by short code), so that
    nothing is guessed silently.
    """

    path: Path
    layout: ImportLayout
    reports: list[PrecinctReport]
    unjoined: list[UnjoinedRow]
    county_totals: dict[str, dict[str, Fraction]]
    notes: list[str] = field(default_factory=list)

    @property
    def published_sde_total(self) -> dict[str, Fraction]:
        """Published SDEs per candidate summed over the joined units (Total rows excluded)."""
        totals: dict[str, Fraction] = {}
        for report in self.reports:
            for name, value in (report.published_sde or {}).items():
                totals[name] = totals.get(name, Fraction(0)) + value
        return totals


# --------------------------------------------------------------------------- header


def _detect_layout(
    head: Sequence[Sequence[str]], path: Path
) -> tuple[Layout, list[tuple[int, str, str]]]:
    """(layout, [(column, measure field, candidate)]) from the two naming header rows."""
    if len(head) < 2:
        raise IdpFormatError(f"{path}: fewer than 3 header rows")
    row1 = [unescape(c) for c in head[0]]
    row2 = [unescape(c) for c in head[1]]
    labels1 = {c.lower() for c in row1[2:] if c}
    labels2 = {c.lower() for c in row2[2:] if c}
    if labels1 and labels1 <= set(MEASURES):
        layout: Layout = "by-measure"
        measures, names = row1, row2
    elif labels2 and labels2 <= set(MEASURES):
        layout = "by-candidate"
        measures, names = row2, row1
    else:
        raise IdpFormatError(
            f"{path}: header rows 1-2 must name the measures (First Expression, Final "
            f"Expression, SDE) in one row and the candidates in the other"
        )
    columns: list[tuple[int, str, str]] = []
    group = ""  # row 1 of a spreadsheet with merged cells names a group once, then blanks
    for col in range(2, max(len(measures), len(names))):
        measure = measures[col].lower() if col < len(measures) else ""
        name = names[col] if col < len(names) else ""
        if not measure and not name:
            continue
        grouping = row1[col] if col < len(row1) else ""
        if grouping:
            group = grouping
        elif group:
            if layout == "by-measure":
                measure = group.lower()
            else:
                name = group
        if measure not in MEASURES or not name:
            raise IdpFormatError(
                f"{path}: header column {col + 1} has measure {measure!r} and candidate {name!r}"
            )
        columns.append((col, MEASURES[measure], name))
    seen: dict[tuple[str, str], int] = {}
    for col, measure, name in columns:
        if (measure, name) in seen:
            raise IdpFormatError(
                f"{path}: columns {seen[(measure, name)] + 1} and {col + 1} are both "
                f"{measure} for {name}"
            )
        seen[(measure, name)] = col
    candidates = list(dict.fromkeys(name for _, _, name in columns))
    for name in candidates:
        missing = [m for m in ("first", "final", "sde") if (m, name) not in seen]
        if missing:
            raise IdpFormatError(f"{path}: candidate {name!r} has no {', '.join(missing)} column")
    return layout, columns


def _count(text: str) -> int:
    """A head count, written ``7`` or ``7.0``."""
    value = Decimal(text)
    if value != value.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


# --------------------------------------------------------------------------- joining


def _fold_name(text: str) -> str:
    """A unit or county name compared without case or repeated spaces."""
    return " ".join(text.casefold().split())


def _fold_candidate(text: str) -> str:
    """A candidate label compared on its letters and digits only (``O'Malley`` = ``OMALLEY``)."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def match_candidate(label: str, names: Iterable[str]) -> str | None:
    """The election's candidate that a column label names, or None.

    Exact name first, then ignoring case and punctuation, then by surname (``Joe Biden`` ->
    ``Biden``). A label that would match two candidates matches none.
    """
    options = list(names)
    if label in options:
        return label
    words = label.split()
    for key in (_fold_candidate(label), _fold_candidate(words[-1] if words else "")):
        hits = [n for n in options if key and _fold_candidate(n) == key]
        if len(hits) == 1:
            return hits[0]
    return None


def _unique(pairs: Iterable[tuple[tuple[str, str], Precinct]]) -> dict[tuple[str, str], Precinct]:
    """A lookup that leaves out keys two units share (those must then match exactly)."""
    found: dict[tuple[str, str], Precinct] = {}
    clashes: set[tuple[str, str]] = set()
    for key, unit in pairs:
        if key in found and found[key] is not unit:
            clashes.add(key)
        found[key] = unit
    return {k: v for k, v in found.items() if k not in clashes}


class UnitIndex:
    """Finds an election's counties and reporting units from the names a results file uses.

    A unit is found by its exact name, then by its name ignoring case and repeated spaces, then
    by its IDP short code (``Precinct.code``). Names are compared after :func:`unescape`.
    """

    def __init__(self, election: Election) -> None:
        self.election = election
        self._counties = {_fold_name(c.name): c.name for c in election.counties}
        self._names = _unique(((p.county, _fold_name(p.name)), p) for p in election.precincts)
        self._codes = _unique(
            ((p.county, _fold_name(p.code)), p) for p in election.precincts if p.code
        )

    def county(self, text: str) -> str | None:
        """The election's name of the county ``text`` names, or None."""
        if text in self.election.county_by_name:
            return text
        return self._counties.get(_fold_name(text))

    def by_name(self, county: str, text: str) -> Precinct | None:
        """The unit of ``county`` named ``text`` (exact, then without case/spaces)."""
        exact = self.election.precinct_by_key.get((county, text))
        return exact or self._names.get((county, _fold_name(text)))

    def by_code(self, county: str, text: str) -> Precinct | None:
        """The unit of ``county`` whose short code is ``text`` (without case/spaces)."""
        return self._codes.get((county, _fold_name(text)))


# --------------------------------------------------------------------------- reading


def read_idp_table(path: str | Path) -> IdpTable:
    """Read an IDP results CSV (either layout) without joining it to an election.

    Rows whose numbers cannot be read are listed in ``bad_rows`` with their line number.
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        head: list[list[str]] = []
        for raw in reader:
            head.append(raw)
            if len(raw) >= 2 and [unescape(c).lower() for c in raw[:2]] == ["county", "precinct"]:
                break
            if len(head) > 5:
                raise IdpFormatError(
                    f"{path}: no 'County,Precinct' header row in the first 5 lines"
                )
        else:
            raise IdpFormatError(f"{path}: no 'County,Precinct' header row")
        layout, columns = _detect_layout(head, path)
        table = IdpTable(
            path=path,
            layout=layout,
            candidates=tuple(dict.fromkeys(name for _, _, name in columns)),
            columns=columns,
        )
        width = max(col for col, _, _ in columns) + 1
        for raw in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in raw):
                continue
            county = unescape(raw[0]) if raw else ""
            precinct = unescape(raw[1]) if len(raw) > 1 else ""
            if len(raw) < width:
                table.bad_rows.append(
                    UnjoinedRow(line, county, precinct, f"{len(raw)} columns, expected {width}")
                )
                continue
            first: dict[str, int] = {}
            final: dict[str, int] = {}
            sde: dict[str, Fraction] = {}
            errors: list[str] = []
            for col, measure, name in columns:
                text = raw[col].strip()
                label = f"{measure}.{name} (column {col + 1})"
                if not _NUMBER.match(text):
                    errors.append(f"{label}: {text!r} is not a number")
                    continue
                if measure == "sde":
                    sde[name] = Fraction(Decimal(text))
                else:
                    try:
                        (first if measure == "first" else final)[name] = _count(text)
                    except ValueError as exc:
                        errors.append(f"{label}: {exc}")
            if errors:
                table.bad_rows.append(UnjoinedRow(line, county, precinct, "; ".join(errors)))
                continue
            row = IdpRow(line, county, precinct, first, final, sde)
            if precinct.lower() == TOTAL_ROW:
                table.totals.append(row)
            else:
                table.rows.append(row)
    return table


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
    index = UnitIndex(election)
    unjoined = list(table.bad_rows)
    notes: list[str] = []
    reports: list[PrecinctReport] = []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        county = index.county(row.county)
        unit: Precinct | None = None
        if county is None:
            reason = f"unknown county {row.county!r}"
        elif not row.precinct:
            reason = "blank precinct name"
        else:
            unit = index.by_name(county, row.precinct)
            how = "name"
            if unit is None:
                unit, how = index.by_code(county, row.precinct), "short code"
            if unit is None:
                reason = f"no reporting unit {row.precinct!r} in {county} in {election.id}"
            elif unit.key in seen:
                reason = f"duplicate of line {seen[unit.key]}"
            else:
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
                continue
        unjoined.append(UnjoinedRow(row.line, row.county, row.precinct, reason))
    county_totals: dict[str, dict[str, Fraction]] = {}
    for row in table.totals:
        county = index.county(row.county)
        if county is None:
            unjoined.append(
                UnjoinedRow(
                    row.line,
                    row.county,
                    row.precinct,
                    f"Total row of unknown county {row.county!r}",
                )
            )
            continue
        if county in county_totals:
            unjoined.append(
                UnjoinedRow(row.line, row.county, row.precinct, "second Total row for this county")
            )
            continue
        county_totals[county] = {rename[k]: v for k, v in row.sde.items()}
    unjoined.sort(key=lambda u: u.line)
    return IdpImport(
        path=table.path,
        layout=table.layout,
        reports=reports,
        unjoined=unjoined,
        county_totals=county_totals,
        notes=notes,
    )
