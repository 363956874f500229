"""An election definition: who runs, where the precincts are, what each is worth.

Rule: rules.md §2 (apportionment is input data), §7.1 (SDE per county delegate), §7.3
(satellite pools), §8.1 (national delegate counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from caucuskit.core.errors import DefinitionError
from caucuskit.core.rules import RuleSet, get_ruleset


@dataclass(frozen=True)
class Candidate:
    """A preference group that appears on the results (candidates, Uncommitted, Other)."""

    name: str
    withdrawn: bool = False


@dataclass(frozen=True)
class County:
    """A county, or a satellite pseudo-county ("CD1 Satellite", "Out of State Satellite").

    ``district`` is the congressional district (None: counts statewide only, §8.3).
    ``state_delegates`` is S_c, the state convention delegates apportioned to the county, or
    the pool of a satellite pseudo-county; None when unknown (2016).
    """

    name: str
    district: int | None
    state_delegates: Fraction | None
    satellite: bool = False


def is_counted_unit(satellite: bool, delegates: int | None) -> bool:
    """Whether a unit counts toward "precincts reporting": every satellite site and every
    precinct electing at least one delegate (the 3 Lee County precincts of 2020 elect none)."""
    return satellite or bool(delegates)


@dataclass(frozen=True)
class Precinct:
    """A reporting unit. ``delegates`` is D; None for a satellite site (D from turnout, §7.3)."""

    county: str
    name: str
    code: str
    delegates: int | None
    satellite: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.county, self.name)

    @property
    def counted(self) -> bool:
        """Whether the unit counts toward "precincts reporting" (:func:`is_counted_unit`)."""
        return is_counted_unit(self.satellite, self.delegates)


@dataclass(frozen=True)
class NationalDelegates:
    """Pledged national delegates to allocate (rules.md §8.1)."""

    district: Mapping[int, int]
    at_large: int
    pleo: int

    @property
    def total(self) -> int:
        return sum(self.district.values()) + self.at_large + self.pleo


@dataclass(frozen=True)
class Election:
    """One election, loaded from a definition file and checked (see :meth:`check`)."""

    id: str
    title: str
    rules: RuleSet
    candidates: tuple[Candidate, ...]
    counties: tuple[County, ...]
    precincts: tuple[Precinct, ...]
    national: NationalDelegates
    sde_places_precinct: int = 4
    sde_places_total: int = 3
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def county_by_name(self) -> dict[str, County]:
        return {c.name: c for c in self.counties}

    @cached_property
    def precinct_by_key(self) -> dict[tuple[str, str], Precinct]:
        return {p.key: p for p in self.precincts}

    @cached_property
    def candidate_names(self) -> frozenset[str]:
        return frozenset(c.name for c in self.candidates)

    @cached_property
    def county_delegates(self) -> dict[str, int]:
        """C_c: county-convention delegates summed over the county's (non-satellite) precincts."""
        totals: dict[str, int] = {c.name: 0 for c in self.counties}
        for p in self.precincts:
            if p.delegates is not None:
                totals[p.county] = totals.get(p.county, 0) + p.delegates
        return totals

    def sde_per_delegate(self, county: str) -> Fraction | None:
        """S_c / C_c for a real county (rules.md §7.1); None when S_c is unknown."""
        c = self.county_by_name[county]
        total = self.county_delegates.get(county, 0)
        if c.state_delegates is None or total == 0:
            return None
        return c.state_delegates / total

    def precinct_sde_value(self, precinct: Precinct) -> Fraction | None:
        """D x S_c / C_c: what the precinct is worth in SDEs (None for satellites)."""
        if precinct.delegates is None:
            return None
        ratio = self.sde_per_delegate(precinct.county)
        return None if ratio is None else precinct.delegates * ratio

    def check(self) -> None:
        """Raise :class:`DefinitionError` naming every inconsistency."""
        problems: list[str] = []
        names = [c.name for c in self.candidates]
        if len(set(names)) != len(names):
            problems.append("candidates: duplicate names")
        seen: set[str] = set()
        for c in self.counties:
            if c.name in seen:
                problems.append(f"counties: {c.name!r} appears twice")
            seen.add(c.name)
            if c.district is not None and c.district not in self.national.district:
                problems.append(
                    f"counties.{c.name}: district {c.district} has no national delegate count"
                )
            if c.state_delegates is not None and c.state_delegates < 0:
                problems.append(f"counties.{c.name}: negative state delegates")
        keys: set[tuple[str, str]] = set()
        codes: set[tuple[str, str]] = set()
        for p in self.precincts:
            where = f"precincts.{p.county}/{p.name}"
            if p.county not in seen:
                problems.append(f"{where}: unknown county {p.county!r}")
            if p.key in keys:
                problems.append(f"{where}: duplicate precinct")
            keys.add(p.key)
            if p.code and (p.county, p.code) in codes:
                problems.append(f"{where}: duplicate short code {p.code!r}")
            codes.add((p.county, p.code))
            if p.satellite != (p.delegates is None):
                problems.append(f"{where}: satellite sites (and only they) take D from turnout")
            if p.delegates is not None and p.delegates < 0:
                problems.append(f"{where}: negative delegates")
            county = self.county_by_name.get(p.county)
            if county is not None and county.satellite != p.satellite:
                problems.append(f"{where}: satellite flag differs from its county's")
        for c in self.counties:
            if not c.satellite and c.state_delegates is not None and c.state_delegates > 0:
                if self.county_delegates.get(c.name, 0) == 0:
                    problems.append(f"counties.{c.name}: state delegates but no precinct delegates")
        if problems:
            raise DefinitionError(problems)


def make_election(
    *,
    id: str,
    title: str,
    ruleset: str,
    candidates: tuple[Candidate, ...],
    counties: tuple[County, ...],
    precincts: tuple[Precinct, ...],
    national: NationalDelegates,
    notes: tuple[str, ...] = (),
) -> Election:
    """Build and check an :class:`Election`."""
    rules = get_ruleset(ruleset)
    election = Election(
        id=id,
        title=title,
        rules=rules,
        candidates=candidates,
        counties=counties,
        precincts=precincts,
        national=national,
        sde_places_precinct=rules.sde_places_precinct,
        sde_places_total=rules.sde_places_total,
        notes=notes,
    )
    election.check()
    return election
