"""Tabulating county-level SDE results (2016: no precinct results were published).

Rule: rules.md §8.4; the per-CD sums come from the election's county -> CD map, national
delegates from §8.2. Input: county -> candidate -> SDE. Output: a
:class:`~caucuskit.services.tabulation_model.Tabulation` in mode ``county-sde``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Protocol

from caucuskit.core.election import Election
from caucuskit.services.tabulation_model import (
    Reporting,
    Tabulation,
    add_into,
    national_delegates,
)


class CountySdeLike(Protocol):
    """What :func:`tabulate_county_sde` needs: county -> candidate -> SDE."""

    @property
    def sde(self) -> Mapping[str, Mapping[str, Fraction]]: ...


def tabulate_county_sde(
    election: Election, results: CountySdeLike, *, share_places: int | None = None
) -> Tabulation:
    """Tabulate county-level SDE results (2016: no precinct results were published).

    Rule: rules.md §8.4; the per-CD sums come from the election's county -> CD map.
    """
    statewide: dict[str, Fraction] = {}
    districts: dict[int, dict[str, Fraction]] = {d: {} for d in election.national.district}
    counties: dict[str, dict[str, Fraction]] = {}
    unknown: list[str] = []
    for name, sdes in sorted(results.sde.items()):
        county = election.county_by_name.get(name)
        if county is None:
            unknown.append(f"{name}: not a county of {election.id}")
            continue
        part = {c: Fraction(v) for c, v in sdes.items() if v}
        add_into(statewide, part)
        add_into(counties.setdefault(name, {}), part)
        if county.district is not None:
            add_into(districts.setdefault(county.district, {}), part)
    real = [c for c in election.counties if not c.satellite]
    reported = sum(1 for c in real if c.name in counties)
    known_total = [c.state_delegates for c in real if c.state_delegates is not None]
    outstanding = Fraction(0)
    if len(known_total) == len(real):
        outstanding = sum(
            ((c.state_delegates or Fraction(0)) for c in real if c.name not in counties),
            Fraction(0),
        )
    reporting = Reporting(reported, len(real), outstanding, 0, 0, reported, len(real))
    national = national_delegates(election, statewide, districts, share_places=share_places)
    return Tabulation(
        election=election,
        mode="county-sde",
        satellites="none",
        units=[],
        statewide=statewide,
        districts=districts,
        counties=counties,
        first_vote={},
        final_vote={},
        turnout=0,
        reporting=reporting,
        national=national,
        unknown=unknown,
    )
