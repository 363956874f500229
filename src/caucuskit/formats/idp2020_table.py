"""The IDP's 2020 results table as read from the file, before any join with an election.

Inputs: a CSV of results.thecaucuses.org in either layout (``by-measure``: measures in header row
1 and candidates in row 2; ``by-candidate``: the other way round, numbers written ``7.0``).
Outputs: an :class:`IdpTable` with the data rows, the county ``Total`` rows and the rows whose
numbers cannot be read (``bad_rows``, with their line). Names are HTML-unescaped until stable
and their runs of spaces collapsed (:func:`unescape`). See :mod:`caucuskit.formats.idp2020` for
the tolerated variations and the join.

Rule: rules.md §6 (the published results as the empirical check), §7.2 (SDEs to 4 decimals,
parsed exactly).
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Literal

from caucuskit.core.errors import CaucusError

Layout = Literal["by-measure", "by-candidate"]

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


# --------------------------------------------------------------------------- header


def _measure_rows(
    head: Sequence[Sequence[str]], path: Path
) -> tuple[Layout, list[str], list[str], list[str]]:
    """The layout, and which header row names the measures and which the candidates."""
    if len(head) < 2:
        raise IdpFormatError(f"{path}: fewer than 3 header rows")
    row1 = [unescape(c) for c in head[0]]
    row2 = [unescape(c) for c in head[1]]
    labels1 = {c.lower() for c in row1[2:] if c}
    labels2 = {c.lower() for c in row2[2:] if c}
    if labels1 and labels1 <= set(MEASURES):
        return "by-measure", row1, row1, row2
    if labels2 and labels2 <= set(MEASURES):
        return "by-candidate", row1, row2, row1
    raise IdpFormatError(
        f"{path}: header rows 1-2 must name the measures (First Expression, Final "
        f"Expression, SDE) in one row and the candidates in the other"
    )


def _cell(row: Sequence[str], col: int) -> str:
    return row[col] if col < len(row) else ""


def _header_columns(
    layout: Layout, row1: list[str], measures: list[str], names: list[str], path: Path
) -> list[tuple[int, str, str]]:
    """[(column, measure field, candidate)]; a group named once over merged cells carries on."""
    columns: list[tuple[int, str, str]] = []
    group = ""  # row 1 of a spreadsheet with merged cells names a group once, then blanks
    for col in range(2, max(len(measures), len(names))):
        measure, name = _cell(measures, col).lower(), _cell(names, col)
        if not measure and not name:
            continue
        if _cell(row1, col):
            group = _cell(row1, col)
        elif group and layout == "by-measure":
            measure = group.lower()
        elif group:
            name = group
        if measure not in MEASURES or not name:
            raise IdpFormatError(
                f"{path}: header column {col + 1} has measure {measure!r} and candidate {name!r}"
            )
        columns.append((col, MEASURES[measure], name))
    return columns


def _check_columns(columns: list[tuple[int, str, str]], path: Path) -> None:
    """Each candidate has exactly one column of each measure."""
    seen: dict[tuple[str, str], int] = {}
    for col, measure, name in columns:
        if (measure, name) in seen:
            raise IdpFormatError(
                f"{path}: columns {seen[(measure, name)] + 1} and {col + 1} are both "
                f"{measure} for {name}"
            )
        seen[(measure, name)] = col
    for name in dict.fromkeys(name for _, _, name in columns):
        missing = [m for m in ("first", "final", "sde") if (m, name) not in seen]
        if missing:
            raise IdpFormatError(f"{path}: candidate {name!r} has no {', '.join(missing)} column")


def _detect_layout(
    head: Sequence[Sequence[str]], path: Path
) -> tuple[Layout, list[tuple[int, str, str]]]:
    """(layout, [(column, measure field, candidate)]) from the two naming header rows."""
    layout, row1, measures, names = _measure_rows(head, path)
    columns = _header_columns(layout, row1, measures, names, path)
    _check_columns(columns, path)
    return layout, columns


def _count(text: str) -> int:
    """A head count, written ``7`` or ``7.0``."""
    value = Decimal(text)
    if value != value.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


# --------------------------------------------------------------------------- rows


def _read_head(reader: Iterator[list[str]], path: Path) -> list[list[str]]:
    """The header rows, up to and including the ``County,Precinct`` row."""
    head: list[list[str]] = []
    for raw in reader:
        head.append(raw)
        if len(raw) >= 2 and [unescape(c).lower() for c in raw[:2]] == ["county", "precinct"]:
            return head
        if len(head) > 5:
            raise IdpFormatError(f"{path}: no 'County,Precinct' header row in the first 5 lines")
    raise IdpFormatError(f"{path}: no 'County,Precinct' header row")


def _read_row(
    raw: list[str], line: int, columns: list[tuple[int, str, str]], width: int
) -> IdpRow | UnjoinedRow:
    """One data row, or the reason it cannot be read."""
    county = unescape(raw[0]) if raw else ""
    precinct = unescape(raw[1]) if len(raw) > 1 else ""
    if len(raw) < width:
        return UnjoinedRow(line, county, precinct, f"{len(raw)} columns, expected {width}")
    counts: dict[str, dict[str, int]] = {"first": {}, "final": {}}
    sde: dict[str, Fraction] = {}
    errors: list[str] = []
    for col, measure, name in columns:
        text = raw[col].strip()
        label = f"{measure}.{name} (column {col + 1})"
        if not _NUMBER.match(text):
            errors.append(f"{label}: {text!r} is not a number")
        elif measure == "sde":
            sde[name] = Fraction(Decimal(text))
        else:
            try:
                counts[measure][name] = _count(text)
            except ValueError as exc:
                errors.append(f"{label}: {exc}")
    if errors:
        return UnjoinedRow(line, county, precinct, "; ".join(errors))
    return IdpRow(line, county, precinct, counts["first"], counts["final"], sde)


def read_idp_table(path: str | Path) -> IdpTable:
    """Read an IDP results CSV (either layout) without joining it to an election.

    Rows whose numbers cannot be read are listed in ``bad_rows`` with their line number.
    """
    path = Path(path)
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        layout, columns = _detect_layout(_read_head(reader, path), path)
        table = IdpTable(
            path=path,
            layout=layout,
            candidates=tuple(dict.fromkeys(name for _, _, name in columns)),
            columns=columns,
        )
        width = max(col for col, _, _ in columns) + 1
        for raw in reader:
            if not any(cell.strip() for cell in raw):
                continue
            row = _read_row(raw, reader.line_num, columns, width)
            if isinstance(row, UnjoinedRow):
                table.bad_rows.append(row)
            elif row.precinct.lower() == TOTAL_ROW:
                table.totals.append(row)
            else:
                table.rows.append(row)
    return table
