"""Tabulation: precinct reports -> delegates -> SDEs -> totals -> national delegates.

Rule: rules.md §5.7 (each precinct recomputed from raw counts), §6 (N = first-alignment total
when attendees are not published), §7.1-§7.3 (SDEs, satellites), §8.2-§8.3 (national).

Two modes:

* recomputed (default): every unit's delegates are derived from its raw counts. A report that
  breaks the realignment checks of §4 is still computed, leniently (see :func:`recount`), and
  the problems are kept. A tie that no recorded toss decides is settled from the published
  split when that split is one of the tie's outcomes (the only record of the toss); otherwise
  the delegates at stake stay undecided and are counted in ``pending``.
* published (``published=True``): the file's own published SDEs are summed as they are.

Satellites (§7.3): a site's D is ``satellite_delegates(turnout)``; its pseudo-county's pool is
divided among the sites that have reported, in proportion to turnout ("turnout", what the IDP
did) or to the sites' county delegates ("delegates"). Until every site of a pseudo-county has
reported, that division is provisional: the reported sites share the whole pool. The SDE value
outstanding therefore counts a pool only while none of its sites has reported; partly reported
pools are shown as satellite sites outstanding.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal, Protocol

from caucuskit.core.allocation import allocate
from caucuskit.core.election import County, Election, Precinct
from caucuskit.core.errors import ValidationError
from caucuskit.core.model import PendingTie, PrecinctInput, PrecinctResult
from caucuskit.core.national import UnitAllocation, add_delegates, allocate_unit
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str, scaled
from caucuskit.core.rules import RuleSet
from caucuskit.core.satellite import satellite_delegates
from caucuskit.core.sde import (
    SatelliteReading,
    candidate_sdes,
    display_sdes,
    ranked,
    sde_to_delegates,
    site_values,
)
from caucuskit.core.ties import TossBook
from caucuskit.core.viability import viability_threshold, viable_groups
from caucuskit.formats.county_sde import CountySdeResults, read_county_sde
from caucuskit.formats.detect import read_results
from caucuskit.formats.election_file import load_election

Reading = Literal["turnout", "delegates"]
Progress = Callable[[int, int], None]
#: one allocation of a unit for given toss winners: (delegates won, tie still pending)
Run = Callable[[tuple[str, ...]], tuple[dict[str, int], PendingTie | None]]

#: Most complete toss outcomes enumerated for one precinct (a chain of ties multiplies them).
MAX_OUTCOMES = 512


@dataclass(frozen=True)
class LoadedResults:
    """Reports read from a results file, with the rows that could not be joined."""

    election: Election
    reports: list[PrecinctReport]
    unjoined: list[str]
    layout: str


def load_results(election: str | Election, path: str | Path) -> LoadedResults:
    """Read a results file for ``election``: any layout :func:`read_results` recognises (IDP
    2020 tables, the NYT feed, canonical raw reports; docs/results-format.md)."""
    e = load_election(election) if isinstance(election, str) else election
    imp = read_results(path, e)
    return LoadedResults(e, imp.reports, [str(u) for u in imp.unjoined], imp.layout)


def load_county_sde(election: str | Election, path: str | Path) -> tuple[Election,
                                                                         CountySdeResults]:
    """Read county-level SDE results (the 2016 file) for ``election``."""
    e = load_election(election) if isinstance(election, str) else election
    return e, read_county_sde(path, e)


# ---------------------------------------------------------------------------------------------
# One unit from raw counts
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recount:
    """One reporting unit recomputed from its raw counts.

    ``problems`` are the validation problems of the strict inputs; when there are any the unit
    was computed ``lenient``-ly: without the realignment checks (first alignment ignored) and,
    when the final alignment outnumbers N, straight through the allocation with N kept as the
    first-alignment total (the method of rules.md §6). ``error`` is set when nothing could be
    computed at all (e.g. nobody attended).
    """

    delegates: int
    attendees: int
    won: Mapping[str, int]
    pending: PendingTie | None
    result: PrecinctResult | None = None
    problems: tuple[str, ...] = ()
    lenient: bool = False
    error: str | None = None
    #: every complete outcome of the pending tie(s); None until first asked for (see
    #: :attr:`outcomes`: enumerating re-runs the allocation once per toss combination)
    enumerated: tuple[Mapping[str, int], ...] | None = ()
    toss_source: str | None = None
    again: Run | None = field(default=None, compare=False, repr=False)
    winners: tuple[str, ...] = ()

    @property
    def outcomes(self) -> tuple[Mapping[str, int], ...]:
        """Every complete outcome of the pending tie(s), enumerated on first use only."""
        if self.enumerated is None:
            found: tuple[Mapping[str, int], ...] = ()
            if self.pending is not None and self.again is not None:
                found = tuple(_enumerate(self.again, self.winners))
            object.__setattr__(self, "enumerated", found)
            return found
        return self.enumerated

    @property
    def undecided(self) -> int:
        """Delegates a game of chance must still give out."""
        return 0 if self.pending is None else self.pending.winners_needed


def _raw_run(
    rules: RuleSet, d: int, n: int, final: Mapping[str, int], winners: tuple[str, ...]
) -> tuple[dict[str, int], PendingTie | None]:
    """The allocation without input validation (lenient path, rules.md §6 method)."""
    book = TossBook(winners, rules.tie_method.value)
    if d == 1:
        groups = {g: v for g, v in final.items() if v > 0}
        if not groups:
            return {}, None
        top = max(groups.values())
        leaders = tuple(sorted(g for g, v in groups.items() if v == top))
        if len(leaders) == 1:
            return {leaders[0]: 1}, None
        outcome = book.decide(leaders, 1, "gain", "largest groups tie")
        if isinstance(outcome, PendingTie):
            return {}, outcome
        return {outcome[0]: 1}, None
    threshold = viability_threshold(rules, d, n)
    assert threshold is not None
    viable = viable_groups(final, threshold)
    if not viable:
        return {}, None
    alloc = allocate(rules, d, n, {g: final[g] for g in viable}, book)
    return {g: v for g, v in alloc.delegates.items() if v > 0}, alloc.pending


def _strict_run(
    rules: RuleSet, data: PrecinctInput, known: frozenset[str] | None
) -> tuple[dict[str, int], PendingTie | None, PrecinctResult]:
    result = compute_precinct(rules, data, known)
    return dict(result.delegates), result.pending_tie, result


def recount(
    rules: RuleSet,
    delegates: int,
    report: PrecinctReport,
    known_groups: frozenset[str] | None = None,
    *,
    enumerate_ties: bool = True,
) -> Recount:
    """Recompute one unit electing ``delegates`` from ``report``'s raw counts (§5.7, §6)."""
    n = report.effective_attendees
    final = {g: v for g, v in report.final.items() if v}
    first = {g: v for g, v in report.first.items() if v}
    if delegates == 0:
        return Recount(0, n, {}, None)
    if n <= 0:
        return Recount(delegates, n, {}, None, error="nobody attended (N = 0): nothing to compute")
    problems: tuple[str, ...] = ()
    lenient = False
    run: Run
    result: PrecinctResult | None = None
    strict = PrecinctInput(delegates, n, final, first or None, report.toss_winners)
    try:
        won, pending, result = _strict_run(rules, strict, known_groups)

        def run(w: tuple[str, ...]) -> tuple[dict[str, int], PendingTie | None]:
            d = PrecinctInput(delegates, n, final, first or None, w)
            got, pend, _ = _strict_run(rules, d, known_groups)
            return got, pend

    except ValidationError as exc:
        problems = tuple(str(p) for p in exc.problems)
        lenient = True
        if any(p.field.startswith("toss_winners") for p in exc.problems):
            return Recount(delegates, n, {}, None, problems=problems, lenient=True,
                           error="recorded toss outcomes do not fit the ties")

        def run(w: tuple[str, ...]) -> tuple[dict[str, int], PendingTie | None]:
            return _raw_run(rules, delegates, n, final, w)

        try:
            won, pending = run(report.toss_winners)
        except ValidationError as again:
            return Recount(delegates, n, {}, None, problems=problems, lenient=True,
                           error="; ".join(str(p) for p in again.problems))
    lazy = pending is not None and enumerate_ties
    return Recount(delegates, n, won, pending, result, problems, lenient, None,
                   None if lazy else (), None, run if lazy else None, report.toss_winners)


def _enumerate(run: Run, start: tuple[str, ...]) -> list[dict[str, int]]:
    """Every complete outcome of the pending tie(s): each combination of toss winners."""
    done: list[dict[str, int]] = []
    stack = [start]
    while stack and len(done) < MAX_OUTCOMES:
        winners = stack.pop()
        won, pending = run(winners)
        if pending is None:
            if won not in done:
                done.append(won)
            continue
        for combo in itertools.combinations(pending.groups, pending.winners_needed):
            stack.append(winners + combo)
    return done


# ---------------------------------------------------------------------------------------------
# The tabulation
# ---------------------------------------------------------------------------------------------


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
            "units": {name: {"seats": u.seats, "delegates": dict(u.delegates),
                             "pending_lot": None if u.pending_lot is None
                             else u.pending_lot.to_dict()}
                      for name, u in self.units.items()},
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
        diff = {c: self.statewide.get(c, Fraction(0)) - self.published_statewide.get(c, Fraction(0))
                for c in names}
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
            "districts_exact": {str(d): {c: str(x) for c, x in ranked(v)}
                                for d, v in sorted(self.districts.items())},
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
                c: decimal_str(v, 4) for c, v in self.difference.items()}
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


def _published_won(report: PrecinctReport, value: Fraction, d: int) -> dict[str, int] | None:
    if report.published_sde is None:
        return None
    out = {}
    for c, v in report.published_sde.items():
        if not v:
            continue
        whole, _ = sde_to_delegates(v, value, d)
        if whole:
            out[c] = whole
    return out


def satellite_values(
    election: Election, reports: Iterable[PrecinctReport], reading: Reading | SatelliteReading
) -> dict[tuple[str, str], Fraction]:
    """The SDE value of every reported satellite site under ``reading`` (rules.md §7.3)."""
    how = SatelliteReading(reading)
    by_county: dict[str, dict[tuple[str, str], int]] = {}
    for r in reports:
        p = election.precinct_by_key.get(r.key)
        if p is None or not p.satellite:
            continue
        n = r.effective_attendees
        weight = n if how is SatelliteReading.TURNOUT else satellite_delegates(n)
        by_county.setdefault(p.county, {})[r.key] = weight
    values: dict[tuple[str, str], Fraction] = {}
    for county, weights in by_county.items():
        pool = election.county_by_name[county].state_delegates or Fraction(0)
        values.update(site_values(pool, weights))
    return values


class _Ticker:
    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def step(self) -> None:
        self.done += 1
        if self.progress is not None and (self.done % 50 == 0 or self.done == self.total):
            self.progress(self.done, self.total)


def tabulate(
    election: Election,
    reports: Sequence[PrecinctReport],
    *,
    satellites: Reading | str = "turnout",
    published: bool = False,
    progress: Progress | None = None,
    share_places: int | None = None,
    sum_rounded: bool | None = None,
) -> Tabulation:
    """Tabulate ``reports`` for ``election`` (see the module docstring for the two modes).

    ``sum_rounded`` (rules.md §11 Q5; default from the ruleset, exact sums) adds up precinct
    SDEs rounded to the ruleset's precinct precision instead of their exact values.
    """
    if sum_rounded is None:
        sum_rounded = election.rules.sum_rounded_precinct_sdes
    reading = SatelliteReading(satellites)
    rules = election.rules
    known = election.candidate_names
    sat_values = satellite_values(election, reports, reading)
    # Published satellite SDEs were made with the turnout reading: convert them back with it.
    pub_values = (sat_values if reading is SatelliteReading.TURNOUT
                  else satellite_values(election, reports, SatelliteReading.TURNOUT))
    units: list[UnitResult] = []
    unknown: list[str] = []
    ticker = _Ticker(progress, len(reports))
    seen: set[tuple[str, str]] = set()
    pending_total = Fraction(0)
    ratios: dict[str, Fraction] = {}
    #: units with the same inputs have the same recount (a pure function of D, N, the counts
    #: and the recorded toss winners): computed once
    same: dict[tuple[object, ...], Recount] = {}
    sdes: dict[tuple[object, ...], dict[str, Fraction]] = {}
    pubs: dict[tuple[object, ...], dict[str, int] | None] = {}
    for r in reports:
        ticker.step()
        p = election.precinct_by_key.get(r.key)
        if p is None:
            unknown.append(f"{r.county}/{r.precinct}: not a precinct of {election.id}")
            continue
        if r.key in seen:
            unknown.append(f"{r.county}/{r.precinct}: reported twice; the later report is ignored")
            continue
        seen.add(r.key)
        county = election.county_by_name[p.county]
        if p.satellite:
            d = satellite_delegates(r.effective_attendees)
            value = sat_values.get(r.key, Fraction(0))
            pub_value = pub_values.get(r.key, Fraction(0))
        else:
            d = p.delegates or 0
            if p.county not in ratios:
                ratios[p.county] = election.sde_per_delegate(p.county) or Fraction(0)
            value = pub_value = d * ratios[p.county]
        if published:
            sde = {c: v for c, v in (r.published_sde or {}).items() if v.numerator}
            units.append(UnitResult(r, p, county, d, value, sde, None))
            continue
        key = (d, r.effective_attendees, tuple(sorted(r.final.items())),
               tuple(sorted(r.first.items())), r.toss_winners)
        rc = same.get(key) or same.setdefault(key, recount(rules, d, r, known))
        won = dict(rc.won)
        pend = Fraction(0)
        pub_won = None
        if rc.pending is not None:
            wkey = (pub_value, d, None if r.published_sde is None
                    else tuple(sorted(r.published_sde.items())))
            if wkey not in pubs:
                pubs[wkey] = _published_won(r, pub_value, d)
            pub_won = pubs[wkey]
            if pub_won is not None and pub_won in [dict(o) for o in rc.outcomes]:
                won = dict(pub_won)
                rc = replace(rc, won=won, pending=None, enumerated=rc.outcomes,
                             toss_source="published", again=None)
            elif d:
                pend = value * rc.undecided / d
        pending_total += pend
        # the same split of the same value has the same SDEs (shared, read-only)
        skey = (p.county if not p.satellite else value, d, tuple(won.items()))
        part = sdes.get(skey)
        if part is None:
            part = sdes[skey] = candidate_sdes(won, value, d) if d else {}
        units.append(UnitResult(r, p, county, d, value, part, rc, pub_won, pend))
    return _totals(election, units, reports, reading, published, unknown, pending_total,
                   share_places, sum_rounded)


def _totals(
    election: Election,
    units: list[UnitResult],
    reports: Sequence[PrecinctReport],
    reading: SatelliteReading,
    published: bool,
    unknown: list[str],
    pending_total: Fraction,
    share_places: int | None,
    sum_rounded: bool = False,
) -> Tabulation:
    statewide: dict[str, Fraction] = {}
    places = election.rules.sde_places_precinct
    districts: dict[int, dict[str, Fraction]] = {d: {} for d in election.national.district}
    counties: dict[str, dict[str, Fraction]] = {}
    first: dict[str, int] = {}
    final: dict[str, int] = {}
    turnout = 0
    by_county: dict[str, _Sum] = {}
    published_by_county: dict[str, _Sum] = {}
    any_published = False
    for u in units:
        part_sde = u.sde
        if sum_rounded and not published:
            part_sde = {c: Fraction(scaled(v, places), 10**places) for c, v in u.sde.items()}
        by_county.setdefault(u.county.name, _Sum()).add(part_sde)
        if u.report.published_sde is not None:
            any_published = True
            if not published:
                published_by_county.setdefault(u.county.name, _Sum()).add(u.report.published_sde)
        for c, n in u.report.first.items():
            first[c] = first.get(c, 0) + n
        for c, n in u.report.final.items():
            final[c] = final.get(c, 0) + n
        turnout += u.report.effective_attendees
    if published:
        published_by_county = by_county
    for name, acc in by_county.items():
        part = acc.total()
        counties[name] = part
        _add(statewide, part)
        district = election.county_by_name[name].district
        if district is not None:
            _add(districts.setdefault(district, {}), part)
    published_totals: dict[str, Fraction] | None = None
    if any_published:
        published_totals = {}
        for acc in published_by_county.values():
            _add(published_totals, acc.total())
    reporting = _reporting(election, units)
    national = national_delegates(election, statewide, districts, share_places=share_places)
    notes = []
    if pending_total:
        notes.append(f"{decimal_str(pending_total, 4)} SDE wait for a game of chance that no "
                     "recorded outcome or published split decides")
    return Tabulation(
        election=election,
        mode="published" if published else "recomputed",
        satellites=reading.value,
        units=units,
        statewide={c: v for c, v in statewide.items() if v},
        districts=districts,
        counties=counties,
        first_vote={c: v for c, v in first.items() if v},
        final_vote={c: v for c, v in final.items() if v},
        turnout=turnout,
        reporting=reporting,
        national=national,
        pending_sde=pending_total,
        published_statewide=published_totals,
        unknown=unknown,
        notes=notes,
    )


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


def _add(into: dict[str, Fraction], part: Mapping[str, Fraction]) -> None:
    for c, v in part.items():
        if v:
            into[c] = into.get(c, Fraction(0)) + v


def _reporting(election: Election, units: list[UnitResult]) -> Reporting:
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
        units[f"CD{d}"] = allocate_unit(districts.get(d, {}), seats, unit=f"CD{d}",
                                        share_places=share_places)
    units["at-large"] = allocate_unit(statewide, election.national.at_large, unit="at-large",
                                      share_places=share_places)
    units["PLEO"] = allocate_unit(statewide, election.national.pleo, unit="PLEO",
                                  share_places=share_places)
    return National(units, add_delegates(list(units.values())))


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
        _add(statewide, part)
        _add(counties.setdefault(name, {}), part)
        if county.district is not None:
            _add(districts.setdefault(county.district, {}), part)
    real = [c for c in election.counties if not c.satellite]
    reported = sum(1 for c in real if c.name in counties)
    known_total = [c.state_delegates for c in real if c.state_delegates is not None]
    outstanding = Fraction(0)
    if len(known_total) == len(real):
        outstanding = sum(((c.state_delegates or Fraction(0)) for c in real
                           if c.name not in counties), Fraction(0))
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


def satellite_reading_difference(
    election: Election, reports: Sequence[PrecinctReport], *, basis: str = "recomputed"
) -> dict[str, Fraction]:
    """SDEs under the turnout reading minus the delegates reading, per candidate (§7.3).

    ``basis``: "recomputed" uses the delegates each site wins from its raw counts; "published"
    uses the delegates the published SDEs convert back to (what rules.md §7.3 measured).
    """
    out: dict[str, Fraction]
    if basis not in ("recomputed", "published"):
        raise ValueError(f"basis must be 'recomputed' or 'published', got {basis!r}")
    if basis == "recomputed":
        by_turnout = tabulate(election, reports, satellites="turnout")
        by_count = tabulate(election, reports, satellites="delegates")
        out = {c: by_turnout.statewide.get(c, Fraction(0)) - by_count.statewide.get(c, Fraction(0))
               for c in set(by_turnout.statewide) | set(by_count.statewide)}
        return {c: v for c, v in ranked(out) if v}
    turnout = satellite_values(election, reports, SatelliteReading.TURNOUT)
    by_delegates = satellite_values(election, reports, SatelliteReading.DELEGATES)
    out = {}
    for r in reports:
        p = election.precinct_by_key.get(r.key)
        if p is None or not p.satellite:
            continue
        d = satellite_delegates(r.effective_attendees)
        if not d:
            continue
        won = _published_won(r, turnout[r.key], d) or {}
        step = (turnout[r.key] - by_delegates[r.key]) / d
        for c, n in won.items():
            out[c] = out.get(c, Fraction(0)) + n * step
    return {c: v for c, v in ranked(out) if v}
