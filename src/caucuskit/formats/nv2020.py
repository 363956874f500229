"""Importer for the published Nevada 2020 results in long format (one row per unit x candidate).

The layout is the one of the caucus-night scrape kept in
``../shared/data/nevada-2020/results/`` (see its README): columns ``county`` (upper case,
abbreviated: ``CARSON``, ``WHITE``), ``precinct``, ``total_attendance``, ``candidate``,
``reported_del_given`` (county convention delegates as published), ``align1``, ``alignfinal``
(early votes included), ``congressional_district``, ``precinct_delegates``, ``precinct_full``,
``is_complete``.

Joining follows the README: the key is (county, precinct); an election county is upper-cased
with ``CARSON CITY`` -> ``CARSON`` and ``WHITE PINE`` -> ``WHITE`` (a county split into
district parts joins through its whole name); in Washoe a 6-digit precinct ending in ``00``
that is not a precinct is tried as its first 4 digits. Rows that join nothing are refused with
their lines and the reason (the scrape's ``CARSON/City`` and ``WHITE/Pine`` keys, which lump
several precincts together; a placeholder such as ``DOUGLAS/Zzzzzz``), never dropped silently.

``total_attendance`` becomes the report's attendees (N) unless ``n_from="first"`` asks for the
first-alignment total; ``reported_del_given`` becomes the published headline number (CCDs),
kept for the audit only.

Rule: rules.md §6 (published results), §9 (raw counts are the truth), §4 NV (early votes are
inside the published alignments).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

from caucuskit.core.election import Election, Precinct
from caucuskit.core.errors import CaucusError
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.idp2020 import IdpImport, ImportLayout, UnjoinedRow

#: The header of the long format, in order.
COLUMNS = (
    "county", "precinct", "total_attendance", "candidate", "reported_del_given", "align1",
    "alignfinal", "congressional_district", "precinct_delegates", "precinct_full", "is_complete",
)  # fmt: skip
#: Results county abbreviations (README "Joining").
COUNTY_KEYS = {"CARSON CITY": "CARSON", "WHITE PINE": "WHITE"}
LAYOUT: ImportLayout = "nv-long"
NFrom = Literal["attendance", "first"]


class NvFormatError(CaucusError, ValueError):
    """The file is not the NV long format, or a row cannot be read at all."""


def looks_like_nv_long(header: list[str]) -> bool:
    """Whether a CSV header is the NV long format (:data:`COLUMNS`)."""
    return tuple(c.strip().lower() for c in header[: len(COLUMNS)]) == COLUMNS


@dataclass
class _Unit:
    county: str
    precinct: str
    lines: list[int] = field(default_factory=list)
    attendance: set[str] = field(default_factory=set)
    first: dict[str, int] = field(default_factory=dict)
    final: dict[str, int] = field(default_factory=dict)
    ccd: dict[str, Fraction] = field(default_factory=dict)
    d_given: set[str] = field(default_factory=set)
    complete: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        first, last = self.lines[0], self.lines[-1]
        rows = len(self.lines)
        return f"line {first}" if rows == 1 else f"lines {first}-{last} ({rows} rows)"


class UnitIndex:
    """The election's units by results key, following the README's join rules."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.by_key: dict[tuple[str, str], Precinct] = {}
        self.counties: set[str] = set()
        for p in election.precincts:
            whole = election.county_by_name[p.county].whole.upper()
            county = COUNTY_KEYS.get(whole, whole)
            self.counties.add(county)
            self.by_key[(county, p.name.upper())] = p

    def find(self, county: str, precinct: str) -> tuple[Precinct | None, str | None, str]:
        """The unit, a note when the join was not exact, or the reason it joins nothing."""
        c, name = county.strip().upper(), precinct.strip().upper()
        hit = self.by_key.get((c, name))
        if hit is not None:
            return hit, None, ""
        if c not in self.counties:
            return None, None, f"county {county!r} is not a county of {self.election.id}"
        if c == "WASHOE" and len(name) == 6 and name.isdigit() and name.endswith("00"):
            hit = self.by_key.get((c, name[:4]))
            if hit is not None:
                return (
                    hit,
                    f"{county}/{precinct} joined as Washoe precinct {hit.name} (README: "
                    "6-digit Washoe precincts ending in 00 are listed in 4-digit form)",
                    "",
                )
        if (
            not any(ch.isdigit() for ch in name)
            and c in ("CARSON", "WHITE")
            and name in ("CITY", "PINE")
        ):
            return (
                None,
                None,
                (
                    f"the scrape split the county name at its space ({county} "
                    f"{precinct}): several precincts are lumped under one key, "
                    "so these rows cannot be joined to a precinct"
                ),
            )
        if name.startswith("ZZZ"):
            return None, None, "a placeholder unit, not a precinct of the apportionment"
        return None, None, f"precinct {precinct!r} is not a precinct of {county}"


def _int(text: str, what: str, unit: _Unit, line: int) -> int | None:
    t = text.strip()
    if t.isdigit():
        return int(t)
    unit.problems.append(f"line {line}: {what} {text!r} is not a whole number")
    return None


def read_nv_results(
    path: str | Path, election: Election, *, n_from: NFrom = "attendance"
) -> IdpImport:
    """Read the NV long format at ``path`` and join it to ``election`` (see the module doc)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    return parse_nv_results(text.splitlines(), election, path=path, n_from=n_from)


def parse_nv_results(
    lines: Iterable[str],
    election: Election,
    *,
    path: Path = Path("<results>"),
    n_from: NFrom = "attendance",
) -> IdpImport:
    """Parse the NV long format from text lines (see :func:`read_nv_results`)."""
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = next(reader, None)
    if header is None or not looks_like_nv_long(header):
        raise NvFormatError(
            f"{path}: not the NV long format; expected the header " + ",".join(COLUMNS)
        )
    units = _read_units(reader, election, path)
    reports, unjoined, notes = _join(units, election, n_from)
    return IdpImport(path, LAYOUT, reports, unjoined, {}, notes)


def _read_units(
    reader: Iterator[list[str]], election: Election, path: Path
) -> dict[tuple[str, str], _Unit]:
    """The rows of the file gathered per reporting unit (county, precinct), in file order."""
    units: dict[tuple[str, str], _Unit] = {}
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(COLUMNS):
            raise NvFormatError(f"{path} line {line}: {len(row)} cells, expected {len(COLUMNS)}")
        cell = dict(zip(COLUMNS, row, strict=False))
        key = (cell["county"].strip(), cell["precinct"].strip())
        u = units.setdefault(key, _Unit(*key))
        u.lines.append(line)
        u.attendance.add(cell["total_attendance"].strip())
        u.d_given.add(cell["precinct_delegates"].strip())
        u.complete.add(cell["is_complete"].strip())
        _add_candidate(u, cell, line, election)
    return units


def _add_candidate(u: _Unit, cell: dict[str, str], line: int, election: Election) -> None:
    """One candidate row of a unit: its first and final alignment and its reported CCDs."""
    name = cell["candidate"].strip()
    if name not in election.candidate_names:
        values = (
            cell["align1"].strip(),
            cell["alignfinal"].strip(),
            cell["reported_del_given"].strip(),
        )
        if all(v == "0" for v in values):
            u.notes.append(
                f"line {line}: candidate {name!r} is not in {election.id}; "
                "its row is all zeros and is left out"
            )
        else:
            u.problems.append(f"line {line}: unknown candidate {name!r}")
        return
    if name in u.first:
        u.problems.append(f"line {line}: {name} appears twice for this unit")
        return
    a1 = _int(cell["align1"], "align1", u, line)
    af = _int(cell["alignfinal"], "alignfinal", u, line)
    ccd = _int(cell["reported_del_given"], "reported_del_given", u, line)
    if a1 is not None and af is not None and ccd is not None:
        u.first[name], u.final[name], u.ccd[name] = a1, af, Fraction(ccd)


def _join(
    units: dict[tuple[str, str], _Unit], election: Election, n_from: NFrom
) -> tuple[list[PrecinctReport], list[UnjoinedRow], list[str]]:
    """Each unit joined to the election's precinct: a report, or an unjoined row saying why."""
    index = UnitIndex(election)
    reports: list[PrecinctReport] = []
    unjoined: list[UnjoinedRow] = []
    notes: list[str] = []
    for u in units.values():
        p, note, reason = index.find(u.county, u.precinct)
        if p is None:
            unjoined.append(UnjoinedRow(u.lines[0], u.county, u.precinct, f"{u.where}: {reason}"))
            continue
        if u.problems:
            unjoined.append(
                UnjoinedRow(
                    u.lines[0], u.county, u.precinct, f"{u.where}: " + "; ".join(u.problems[:3])
                )
            )
            continue
        if len(u.attendance) != 1 or not next(iter(u.attendance)).isdigit():
            unjoined.append(
                UnjoinedRow(
                    u.lines[0],
                    u.county,
                    u.precinct,
                    f"{u.where}: total_attendance differs between rows or is "
                    f"not a number ({', '.join(sorted(u.attendance))})",
                )
            )
            continue
        if note:
            notes.append(note)
        notes.extend(u.notes)
        reports.append(_report(u, p, n_from, notes))
    return reports, unjoined, notes


def _report(u: _Unit, p: Precinct, n_from: NFrom, notes: list[str]) -> PrecinctReport:
    """The report of a joined unit (a note when its D differs from the apportionment's)."""
    given = next(iter(u.d_given)) if len(u.d_given) == 1 else "?"
    if given.isdigit() and p.delegates is not None and int(given) != p.delegates:
        notes.append(
            f"{u.county}/{u.precinct}: precinct_delegates {given} differs from the "
            f"apportionment's D = {p.delegates}"
        )
    attendance = int(next(iter(u.attendance)))
    return PrecinctReport(
        county=p.county,
        precinct=p.name,
        attendees=attendance if n_from == "attendance" else None,
        first={c: n for c, n in u.first.items() if n},
        final={c: n for c, n in u.final.items() if n},
        published_sde=dict(u.ccd),
        source_line=u.lines[0],
        extra={
            "total_attendance": str(attendance),
            "is_complete": ",".join(sorted(u.complete)),
            "precinct_delegates": given,
        },
    )
