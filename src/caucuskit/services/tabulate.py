"""Tabulation: precinct reports -> delegates -> SDEs -> totals -> national delegates.

The modules of the tabulation: :mod:`~caucuskit.services.recount` (one unit from raw counts),
this one (many units: satellites, totals, reporting), :mod:`~caucuskit.services.tabulation_model`
(the result types), :mod:`~caucuskit.services.county_tabulation` (county-level results).
Names are re-exported here for callers that import them from ``tabulate``.

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

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Literal

from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rounding import decimal_str, scaled
from caucuskit.core.satellite import satellite_delegates
from caucuskit.core.sde import (
    SatelliteReading,
    candidate_sdes,
    ranked,
    sde_to_delegates,
    site_values,
)
from caucuskit.formats.county_sde import CountySdeResults, read_county_sde
from caucuskit.formats.detect import read_results
from caucuskit.formats.election_file import load_election
from caucuskit.services.county_tabulation import CountySdeLike, tabulate_county_sde
from caucuskit.services.recount import MAX_OUTCOMES, Recount, Run, recount
from caucuskit.services.tabulation_model import (
    National,
    Reporting,
    Tabulation,
    UnitResult,
    add_into,
    national_delegates,
)

__all__ = [
    "MAX_OUTCOMES",
    "CountySdeLike",
    "LoadedResults",
    "National",
    "Progress",
    "Reading",
    "Recount",
    "Reporting",
    "Run",
    "Tabulation",
    "UnitResult",
    "load_county_sde",
    "load_results",
    "national_delegates",
    "recount",
    "satellite_reading_difference",
    "satellite_values",
    "tabulate",
    "tabulate_county_sde",
]

Reading = Literal["turnout", "delegates"]
Progress = Callable[[int, int], None]


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


def load_county_sde(
    election: str | Election, path: str | Path
) -> tuple[Election, CountySdeResults]:
    """Read county-level SDE results (the 2016 file) for ``election``."""
    e = load_election(election) if isinstance(election, str) else election
    return e, read_county_sde(path, e)


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
    pub_values = (
        sat_values
        if reading is SatelliteReading.TURNOUT
        else satellite_values(election, reports, SatelliteReading.TURNOUT)
    )
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
        key = (
            d,
            r.effective_attendees,
            tuple(sorted(r.final.items())),
            tuple(sorted(r.first.items())),
            r.toss_winners,
        )
        rc = same.get(key) or same.setdefault(key, recount(rules, d, r, known))
        won = dict(rc.won)
        pend = Fraction(0)
        pub_won = None
        if rc.pending is not None:
            wkey = (
                pub_value,
                d,
                None if r.published_sde is None else tuple(sorted(r.published_sde.items())),
            )
            if wkey not in pubs:
                pubs[wkey] = _published_won(r, pub_value, d)
            pub_won = pubs[wkey]
            if pub_won is not None and pub_won in [dict(o) for o in rc.outcomes]:
                won = dict(pub_won)
                rc = replace(
                    rc,
                    won=won,
                    pending=None,
                    enumerated=rc.outcomes,
                    toss_source="published",
                    again=None,
                )
            elif d:
                pend = value * rc.undecided / d
        pending_total += pend
        # the same split of the same value has the same SDEs (shared, read-only)
        skey = (p.county if not p.satellite else value, d, tuple(won.items()))
        part = sdes.get(skey)
        if part is None:
            part = sdes[skey] = candidate_sdes(won, value, d) if d else {}
        units.append(UnitResult(r, p, county, d, value, part, rc, pub_won, pend))
    return _totals(
        election,
        units,
        reports,
        reading,
        published,
        unknown,
        pending_total,
        share_places,
        sum_rounded,
    )


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
        add_into(statewide, part)
        district = election.county_by_name[name].district
        if district is not None:
            add_into(districts.setdefault(district, {}), part)
    published_totals: dict[str, Fraction] | None = None
    if any_published:
        published_totals = {}
        for acc in published_by_county.values():
            add_into(published_totals, acc.total())
    reporting = _reporting(election, units)
    national = national_delegates(election, statewide, districts, share_places=share_places)
    notes = []
    if pending_total:
        notes.append(
            f"{decimal_str(pending_total, 4)} SDE wait for a game of chance that no "
            "recorded outcome or published split decides"
        )
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
        out = {
            c: by_turnout.statewide.get(c, Fraction(0)) - by_count.statewide.get(c, Fraction(0))
            for c in set(by_turnout.statewide) | set(by_count.statewide)
        }
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
