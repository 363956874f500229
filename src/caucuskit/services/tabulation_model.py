"""What a tabulation returns: units, reporting, national delegates, totals (and as JSON).

Rule: rules.md §7.2 (SDE display precision per ruleset), §8.2-§8.3 (national delegates: each CD
from its SDEs, at-large and PLEO from the statewide SDEs).

Inputs/outputs: plain data built by :func:`caucuskit.services.tabulate.tabulate` and
:func:`caucuskit.services.county_tabulation.tabulate_county_sde`, read by the CLI, the audit,
the race call and the projection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.election import County, Election, Precinct
from caucuskit.core.model import PrecinctResult
from caucuskit.core.national import UnitAllocation, add_delegates, allocate_unit
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str
from caucuskit.core.sde import display_sdes, ranked
from caucuskit.services.recount import Recount


@dataclass(frozen=True)
class UnitResult:
    """One reporting unit in the tabulation."""

    report: PrecinctReport
    precinct: Precinct
    county: County
    delegates: int
    value: Fraction
    sde: Mapping[str, Fraction]
    recount: Recount | None
    published_delegates: Mapping[str, int] | None = None
    pending_sde: Fraction = Fraction(0)

    @property
    def result(self) -> PrecinctResult | None:
        return None if self.recount is None else self.recount.result

    @property
    def error(self) -> str | None:
        return None if self.recount is None else self.recount.error


@dataclass(frozen=True)
class Reporting:
    """How much has reported: units, percent, and the SDE value still out."""

    reported: int
    total: int
    outstanding_sde: Fraction
    satellite_sites_reported: int
    satellite_sites_total: int
    counties_reported: int | None = None
    counties_total: int | None = None

    @property
    def percent(self) -> Fraction:
        return Fraction(100 * self.reported, self.total) if self.total else Fraction(0)

    def to_dict(self, places: int) -> dict[str, object]:
        out: dict[str, object] = {
            "reported": self.reported,
            "total": self.total,
            "percent": decimal_str(self.percent, 1),
            "outstanding_sde": decimal_str(self.outstanding_sde, places),
            "satellite_sites_reported": self.satellite_sites_reported,
            "satellite_sites_total": self.satellite_sites_total,
        }
        if self.counties_total is not None:
            out["counties_reported"] = self.counties_reported
            out["counties_total"] = self.counties_total
        return out


@dataclass(frozen=True)
class National:
    """National delegates per unit (CD1.., at-large, PLEO) and in total (rules.md §8.2)."""

    units: Mapping[str, UnitAllocation]
    total: Mapping[str, int]

    def to_dict(self) -> dict[str, object]:
        return {
            "total": dict(self.total),
            "units": {
                name: {
                    "seats": u.seats,
                    "delegates": dict(u.delegates),
                    "pending_lot": None if u.pending_lot is None else u.pending_lot.to_dict(),
                }
                for name, u in self.units.items()
            },
        }


@dataclass
class Tabulation:
    """Everything a results page or the CLI shows for one set of reports."""

    election: Election
    mode: str
    satellites: str
    units: list[UnitResult]
    statewide: dict[str, Fraction]
    districts: dict[int, dict[str, Fraction]]
    counties: dict[str, dict[str, Fraction]]
    first_vote: dict[str, int]
    final_vote: dict[str, int]
    turnout: int
    reporting: Reporting
    national: National
    pending_sde: Fraction = Fraction(0)
    published_statewide: dict[str, Fraction] | None = None
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def places(self) -> int:
        return self.election.sde_places_total

    @property
    def precincts(self) -> list[UnitResult]:
        """Alias of :attr:`units` (the name used by the shared interface)."""
        return self.units

    @property
    def difference(self) -> dict[str, Fraction]:
        """Recomputed minus published statewide SDEs (empty in published mode)."""
        if self.published_statewide is None or self.mode == "published":
            return {}
        names = set(self.statewide) | set(self.published_statewide)
        diff = {
            c: self.statewide.get(c, Fraction(0)) - self.published_statewide.get(c, Fraction(0))
            for c in names
        }
        return {c: v for c, v in ranked(diff) if v}

    def to_dict(self, *, units: bool = False) -> dict[str, object]:
        """JSON-ready: SDEs as decimals rounded per ruleset (§7.2) plus exact ``p/q`` strings."""
        p = self.places
        out: dict[str, object] = {
            "election": self.election.id,
            "ruleset": self.election.rules.name,
            "mode": self.mode,
            "satellites": self.satellites,
            "statewide": display_sdes(self.statewide, p),
            "statewide_exact": {c: str(v) for c, v in ranked(self.statewide)},
            "statewide_total": decimal_str(sum(self.statewide.values(), Fraction(0)), p),
            "districts": {str(d): display_sdes(v, p) for d, v in sorted(self.districts.items())},
            "districts_exact": {
                str(d): {c: str(x) for c, x in ranked(v)} for d, v in sorted(self.districts.items())
            },
            "counties": {c: display_sdes(v, p) for c, v in sorted(self.counties.items())},
            "popular_vote": {
                "first": dict(sorted(self.first_vote.items(), key=lambda kv: -kv[1])),
                "final": dict(sorted(self.final_vote.items(), key=lambda kv: -kv[1])),
            },
            "turnout": self.turnout,
            "reporting": self.reporting.to_dict(p),
            "national": dict(self.national.total),
            "national_units": self.national.to_dict()["units"],
            "national_worksheets": {n: u.to_dict(p) for n, u in self.national.units.items()},
            "pending_sde": decimal_str(self.pending_sde, p),
            "unknown_units": list(self.unknown),
            "notes": list(self.notes),
        }
        if self.published_statewide is not None:
            out["published_statewide"] = display_sdes(self.published_statewide, p)
            out["difference_from_published"] = {
                c: decimal_str(v, 4) for c, v in self.difference.items()
            }
        if units:
            out["units"] = [_unit_dict(u, self.election.sde_places_precinct) for u in self.units]
        return out


def _unit_dict(u: UnitResult, places: int) -> dict[str, object]:
    rc = u.recount
    return {
        "county": u.precinct.county,
        "precinct": u.precinct.name,
        "delegates": u.delegates,
        "value": decimal_str(u.value, places),
        "sde": display_sdes(u.sde, places),
        "won": None if rc is None else dict(rc.won),
        "pending": None if rc is None or rc.pending is None else rc.pending.to_dict(),
        "toss_source": None if rc is None else rc.toss_source,
        "problems": [] if rc is None else list(rc.problems),
        "error": None if rc is None else rc.error,
    }


def national_delegates(
    election: Election,
    statewide: Mapping[str, Fraction],
    districts: Mapping[int, Mapping[str, Fraction]],
    *,
    share_places: int | None = None,
) -> National:
    """District-level delegates per CD from the CD's SDEs; at-large and PLEO, separately, from
    the statewide SDEs (rules.md §8.2 step 5)."""
    units: dict[str, UnitAllocation] = {}
    for d, seats in sorted(election.national.district.items()):
        units[f"CD{d}"] = allocate_unit(
            districts.get(d, {}), seats, unit=f"CD{d}", share_places=share_places
        )
    units["at-large"] = allocate_unit(
        statewide, election.national.at_large, unit="at-large", share_places=share_places
    )
    units["PLEO"] = allocate_unit(
        statewide, election.national.pleo, unit="PLEO", share_places=share_places
    )
    return National(units, add_delegates(list(units.values())))


def add_into(into: dict[str, Fraction], part: Mapping[str, Fraction]) -> None:
    """Add ``part`` to ``into`` candidate by candidate (exact; zeros skipped)."""
    for c, v in part.items():
        if v:
            into[c] = into.get(c, Fraction(0)) + v
