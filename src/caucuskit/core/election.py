"""An election definition: who runs, where the precincts are, what each is worth.

Rule: rules.md §2 (apportionment is input data), §7.1 (SDE per county delegate), §7.3
(satellite pools), §8.1 (national delegate counts).
"""

from __future__ import annotations

import dataclasses
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
    #: The county this is a part of, for a county split between districts (Nevada: "Clark
    #: CD1" is part of "Clark"); None for a whole county.
    part_of: str | None = None

    @property
    def whole(self) -> str:
        """The name of the whole county (itself, or the county it is a part of)."""
        return self.part_of or self.name


#: Headline units (rules.md §7 Iowa SDEs; Nevada reports county convention delegates, §8.1).
UNIT_LABELS: dict[str, tuple[str, str]] = {
    "sde": ("SDE", "state delegate equivalents"),
    "ccd": ("CCD", "county convention delegates"),
}


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
    #: Nevada 2020 at-large (casino) site: D was set from expected turnout and is an input,
    #: None until given (see :func:`with_unit_delegates`).
    at_large: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.county, self.name)

    @property
    def counted(self) -> bool:
        """Whether the unit counts toward "precincts reporting" (:func:`is_counted_unit`)."""
        return is_counted_unit(self.satellite or self.at_large, self.delegates)


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
    #: The headline unit: "sde" (Iowa) or "ccd" (Nevada: the delegates themselves, summed).
    unit: str = "sde"

    @property
    def unit_short(self) -> str:
        """ "SDE" or "CCD"."""
        return UNIT_LABELS[self.unit][0]

    @property
    def unit_long(self) -> str:
        """ "state delegate equivalents" or "county convention delegates"."""
        return UNIT_LABELS[self.unit][1]

    @cached_property
    def whole_counties(self) -> tuple[str, ...]:
        """Names of the whole counties, parts merged (Nevada: 17), in definition order."""
        return tuple(dict.fromkeys(c.whole for c in self.counties))

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
        """S_c / C_c for a real county (rules.md §7.1); None when S_c is unknown.

        In a CCD election each delegate is worth one CCD: the ratio is 1.
        """
        if self.unit == "ccd":
            return Fraction(1)
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
            problems.extend(self._county_problems(c))
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
            problems.extend(f"{where}: {why}" for why in self._precinct_problems(p))
        if self.unit not in UNIT_LABELS:
            problems.append(f"unit: {self.unit!r} is not one of {', '.join(UNIT_LABELS)}")
        problems.extend(self._apportionment_problems(seen))
        if problems:
            raise DefinitionError(problems)

    def _county_problems(self, c: County) -> list[str]:
        out = []
        if c.district is not None and c.district not in self.national.district:
            out.append(f"counties.{c.name}: district {c.district} has no national delegate count")
        if c.state_delegates is not None and c.state_delegates < 0:
            out.append(f"counties.{c.name}: negative state delegates")
        return out

    def _precinct_problems(self, p: Precinct) -> list[str]:
        """What is wrong with one precinct on its own (rules.md §2, §7.3)."""
        out = []
        if p.at_large:
            if p.satellite:
                out.append("an at-large site is not a satellite site")
        elif p.satellite != (p.delegates is None):
            out.append("satellite sites (and only they) take D from turnout")
        if p.delegates is not None and p.delegates < 0:
            out.append("negative delegates")
        county = self.county_by_name.get(p.county)
        if county is not None and county.satellite != p.satellite:
            out.append("satellite flag differs from its county's")
        return out

    def _apportionment_problems(self, whole: set[str]) -> list[str]:
        """Counties that are part of a whole county listed too, or that have state delegates
        and no precinct delegates to divide them by (rules.md §7.1)."""
        out = []
        for c in self.counties:
            if c.part_of is not None and c.part_of in whole:
                out.append(f"counties.{c.name}: part_of names a county listed as whole")
        for c in self.counties:
            if not c.satellite and c.state_delegates is not None and c.state_delegates > 0:
                if self.county_delegates.get(c.name, 0) == 0:
                    out.append(f"counties.{c.name}: state delegates but no precinct delegates")
        return out


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
    unit: str = "sde",
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
        unit=unit,
    )
    election.check()
    return election


def with_unit_delegates(election: Election, delegates: Mapping[tuple[str, str], int]) -> Election:
    """A copy of ``election`` in which the at-large sites named by key get their D.

    Nevada 2020's at-large sites had D set from expected turnout, which no data set gives: it is
    an input (rules.md §2: apportionment is input data). Raises :class:`DefinitionError` for a
    key that is not an at-large site or a D below zero.
    """
    problems: list[str] = []
    for key, d in delegates.items():
        p = election.precinct_by_key.get(key)
        if p is None or not p.at_large:
            problems.append(f"{key[0]}/{key[1]}: not an at-large site of {election.id}")
        elif isinstance(d, bool) or not isinstance(d, int) or d < 0:
            problems.append(f"{key[0]}/{key[1]}: D must be a whole number >= 0, got {d!r}")
    if problems:
        raise DefinitionError(problems)
    precincts = tuple(
        dataclasses.replace(p, delegates=delegates[p.key]) if p.key in delegates else p
        for p in election.precincts
    )
    out = dataclasses.replace(election, precincts=precincts)
    out.check()
    return out
