"""Totals of a tabulation: county, district and statewide SDEs, votes, reporting, national.

Rule: rules.md §7.1-§7.3 (SDEs summed by county, district and state; satellite pools count as
outstanding until one of their sites reports), §8.2-§8.3 (national delegates from the sums),
§11 Q5 (``sum_rounded``: add precinct SDEs rounded to the ruleset's precision).

Inputs: the election, the units :func:`caucuskit.services.tabulate.tabulate` computed, how it
read satellites, whether it summed published SDEs, and what it could not place.
Outputs: the :class:`~caucuskit.services.tabulation_model.Tabulation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.election import Election
from caucuskit.core.rounding import decimal_str, scaled
from caucuskit.core.sde import SatelliteReading
from caucuskit.services.tabulation_model import (
    Reporting,
    Tabulation,
    UnitResult,
    add_into,
    national_delegates,
)


@dataclass(frozen=True)
class Summed:
    """What :func:`totals` adds up from the units, before it is put into a tabulation."""

    reading: SatelliteReading
    published: bool
    unknown: list[str]
    pending_total: Fraction
    share_places: int | None
    sum_rounded: bool = False


class _Sum:
    """Exact running sums per candidate, kept as integer numerators per denominator (fast:
    the precincts of one county share a denominator)."""

    def __init__(self) -> None:
        self._num: dict[tuple[str, int], int] = {}

    def add(self, part: Mapping[str, Fraction]) -> None:
        num = self._num
        for c, v in part.items():
            n = v.numerator
            if n:
                key = (c, v.denominator)
                num[key] = num.get(key, 0) + n

    def total(self) -> dict[str, Fraction]:
        out: dict[str, Fraction] = {}
        for (c, den), n in self._num.items():
            if n:
                out[c] = out.get(c, Fraction(0)) + Fraction(n, den)
        return out


@dataclass
class _Votes:
    """The units' sums: SDEs per county (recomputed and published), votes, turnout."""

    by_county: dict[str, _Sum] = field(default_factory=dict)
    published_by_county: dict[str, _Sum] = field(default_factory=dict)
    any_published: bool = False
    first: dict[str, int] = field(default_factory=dict)
    final: dict[str, int] = field(default_factory=dict)
    turnout: int = 0


def _votes(election: Election, units: list[UnitResult], how: Summed) -> _Votes:
    places = election.rules.sde_places_precinct
    out = _Votes()
    for u in units:
        part_sde = u.sde
        if how.sum_rounded and not how.published:
            part_sde = {c: Fraction(scaled(v, places), 10**places) for c, v in u.sde.items()}
        out.by_county.setdefault(u.county.name, _Sum()).add(part_sde)
        if u.report.published_sde is not None:
            out.any_published = True
            if not how.published:
                out.published_by_county.setdefault(u.county.name, _Sum()).add(
                    u.report.published_sde
                )
        for c, n in u.report.first.items():
            out.first[c] = out.first.get(c, 0) + n
        for c, n in u.report.final.items():
            out.final[c] = out.final.get(c, 0) + n
        out.turnout += u.report.effective_attendees
    if how.published:
        out.published_by_county = out.by_county
    return out


def totals(
    election: Election,
    units: list[UnitResult],
    how: Summed,
) -> Tabulation:
    """Sum ``units`` into a :class:`Tabulation` (see the module docstring)."""
    statewide: dict[str, Fraction] = {}
    districts: dict[int, dict[str, Fraction]] = {d: {} for d in election.national.district}
    counties: dict[str, dict[str, Fraction]] = {}
    votes = _votes(election, units, how)
    for name, acc in votes.by_county.items():
        part = acc.total()
        counties[name] = part
        add_into(statewide, part)
        district = election.county_by_name[name].district
        if district is not None:
            add_into(districts.setdefault(district, {}), part)
    published_totals: dict[str, Fraction] | None = None
    if votes.any_published:
        published_totals = {}
        for acc in votes.published_by_county.values():
            add_into(published_totals, acc.total())
    national = national_delegates(election, statewide, districts, share_places=how.share_places)
    notes = []
    if how.pending_total:
        notes.append(
            f"{decimal_str(how.pending_total, 4)} SDE wait for a game of chance that no "
            "recorded outcome or published split decides"
        )
    return Tabulation(
        election=election,
        mode="published" if how.published else "recomputed",
        satellites=how.reading.value,
        units=units,
        statewide={c: v for c, v in statewide.items() if v},
        districts=districts,
        counties=counties,
        first_vote={c: v for c, v in votes.first.items() if v},
        final_vote={c: v for c, v in votes.final.items() if v},
        turnout=votes.turnout,
        reporting=reporting(election, units),
        national=national,
        pending_sde=how.pending_total,
        published_statewide=published_totals,
        unknown=how.unknown,
        notes=notes,
    )


def reporting(election: Election, units: list[UnitResult]) -> Reporting:
    """Units counted (``Precinct.counted``): satellite sites and precincts electing delegates."""
    reported_keys = {u.precinct.key for u in units}
    total = reported = 0
    outstanding = Fraction(0)
    sat_total = sat_reported = 0
    sat_counties_seen: set[str] = set()
    for p in election.precincts:
        if not p.counted:
            continue
        if p.satellite:
            sat_total += 1
            total += 1
            if p.key in reported_keys:
                sat_reported += 1
                reported += 1
                sat_counties_seen.add(p.county)
            continue
        total += 1
        if p.key in reported_keys:
            reported += 1
        else:
            outstanding += election.precinct_sde_value(p) or Fraction(0)
    for c in election.counties:
        if c.satellite and c.name not in sat_counties_seen and c.state_delegates:
            outstanding += c.state_delegates
    return Reporting(reported, total, outstanding, sat_reported, sat_total)
