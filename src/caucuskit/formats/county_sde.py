"""Importer for county-level SDE results (the 2016 Kaggle/CNN file).

Iowa published no precinct-level counts in 2016; the best public source is the county table of
the Kaggle "2016 US Election" data set (``../shared/data/iowa-2016/README.md``). Its ``votes``
column is county SDEs x 100 (two decimals scaled to integers), not a head count, so an SDE is
read exactly as ``Fraction(votes, 100)``.

Rule: rules.md §7.2 (2016 SDEs to 2 decimals), §8.4 (statewide SDEs for the national delegates).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from caucuskit.core.election import Election
from caucuskit.core.errors import CaucusError
from caucuskit.formats.idp2020 import UnjoinedRow, unescape

#: The columns the file must have.
REQUIRED = ("state", "county", "party", "candidate", "votes")
#: ``votes`` is SDE x SCALE.
SCALE = 100


class CountySdeFormatError(CaucusError, ValueError):
    """The file lacks a required column."""


@dataclass
class CountySdeResults:
    """County SDEs per candidate, exact; rows that did not join are listed with their line."""

    path: Path
    sde: dict[str, dict[str, Fraction]]
    unjoined: list[UnjoinedRow] = field(default_factory=list)

    @property
    def statewide(self) -> dict[str, Fraction]:
        """SDEs per candidate summed over the counties."""
        totals: dict[str, Fraction] = {}
        for by_candidate in self.sde.values():
            for name, value in by_candidate.items():
                totals[name] = totals.get(name, Fraction(0)) + value
        return totals


def _candidate(raw: str, names: frozenset[str]) -> str | None:
    """Match "Hillary Clinton" / " Uncommitted" to the election's names (full, then surname)."""
    text = unescape(raw)
    if text in names:
        return text
    last = text.split(" ")[-1] if text else ""
    return last if last in names else None


def read_county_sde(path: str | Path, election: Election) -> CountySdeResults:
    """Read the county SDE table and join counties and candidates to ``election``.

    Rows of another state or party are skipped; a row that cannot be joined (unknown county or
    candidate, bad number, duplicate) is listed in ``unjoined`` with its line number.
    """
    path = Path(path)
    names = election.candidate_names
    counties = election.county_by_name
    by_upper = {name.upper(): name for name in counties}
    results = CountySdeResults(path=path, sde={})
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise CountySdeFormatError(f"{path}: missing column(s) {', '.join(missing)}")
        seen: dict[tuple[str, str], int] = {}
        for row in reader:
            line = reader.line_num
            if row["state"].strip() not in ("Iowa", "IA") or row["party"].strip() != "Democrat":
                continue
            raw_county = unescape(row["county"] or "")
            county = by_upper.get(raw_county.upper())
            candidate = _candidate(row["candidate"] or "", names)
            reason = None
            if county is None:
                reason = f"unknown county {raw_county!r}"
            elif candidate is None:
                reason = f"unknown candidate {row['candidate']!r}"
            elif not (row["votes"] or "").strip().isdigit():
                reason = f"votes: {row['votes']!r} is not a whole number (SDE x {SCALE})"
            elif (county, candidate) in seen:
                reason = f"duplicate of line {seen[(county, candidate)]}"
            if reason is not None or county is None or candidate is None:
                results.unjoined.append(
                    UnjoinedRow(line, raw_county, unescape(row["candidate"] or ""), reason or "")
                )
                continue
            seen[(county, candidate)] = line
            value = Fraction(int(row["votes"]), SCALE)
            results.sde.setdefault(county, {})[candidate] = value
    return results
