"""Joining a results file to an election: finding its counties, units and candidates by name.

Inputs: the names a results file uses (IDP tables, the NYT feed). Outputs: the election's own
county, reporting unit (:class:`UnitIndex`) and candidate (:func:`match_candidate`), or None;
and :class:`IdpImport`, the joined reports every importer returns, with the rows left out and
the joins that were not exact (``notes``), so that nothing is guessed silently.

Rule: rules.md §6 (the published record as the check), §9 (raw counts are the truth).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Literal

from caucuskit.core.election import Election, Precinct
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.idp2020_table import UnjoinedRow

#: Every layout an import object can come from (see :mod:`caucuskit.formats.detect`).
ImportLayout = Literal["by-measure", "by-candidate", "nyt-feed", "canonical-csv", "canonical-json"]


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
