"""Tabulation: precinct reports -> delegates -> SDEs -> totals -> national delegates.

The modules of the tabulation: :mod:`~caucuskit.services.results_files` (reading a results
file), :mod:`~caucuskit.services.recount` (one unit from raw counts), this one (many units and
satellites), :mod:`~caucuskit.services.tabulation_totals` (county, district and state sums,
reporting), :mod:`~caucuskit.services.tabulation_model` (the result types),
:mod:`~caucuskit.services.county_tabulation` (county-level results). The result types and the
recount are re-exported here for callers that import them from ``tabulate``.

Inputs: an election and its precinct reports. Outputs: a
:class:`~caucuskit.services.tabulation_model.Tabulation`.

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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal

from caucuskit.core.election import County, Election, Precinct
from caucuskit.core.report import PrecinctReport
from caucuskit.core.satellite import satellite_delegates
from caucuskit.core.sde import (
    SatelliteReading,
    candidate_sdes,
    ranked,
    sde_to_delegates,
    site_values,
)
from caucuskit.services.county_tabulation import CountySdeLike, tabulate_county_sde
from caucuskit.services.recount import MAX_OUTCOMES, Recount, Run, recount
from caucuskit.services.tabulation_model import (
    National,
    Reporting,
    Tabulation,
    UnitResult,
    national_delegates,
)
from caucuskit.services.tabulation_totals import Summed, totals

__all__ = [
    "MAX_OUTCOMES",
    "CountySdeLike",
    "National",
    "Progress",
    "Reading",
    "Recount",
    "Reporting",
    "Run",
    "Tabulation",
    "UnitResult",
    "national_delegates",
    "recount",
    "satellite_reading_difference",
    "satellite_values",
    "tabulate",
    "tabulate_county_sde",
]

Reading = Literal["turnout", "delegates"]
Progress = Callable[[int, int], None]


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


@dataclass
class _Memo:
    """Work shared across units with the same inputs: a recount is a pure function of D, N,
    the counts and the recorded toss winners; a split of a value has one set of SDEs."""

    recounts: dict[tuple[object, ...], Recount] = field(default_factory=dict)
    sdes: dict[tuple[object, ...], dict[str, Fraction]] = field(default_factory=dict)
    published: dict[tuple[object, ...], dict[str, int] | None] = field(default_factory=dict)
    ratios: dict[str, Fraction] = field(default_factory=dict)


@dataclass(frozen=True)
class _Values:
    """The SDE value of every satellite site under the reading asked for and under the
    turnout reading (published satellite SDEs were made with it: converted back with it)."""

    reading: dict[tuple[str, str], Fraction]
    published: dict[tuple[str, str], Fraction]


def _unit_value(
    election: Election, p: Precinct, r: PrecinctReport, values: _Values, memo: _Memo
) -> tuple[int, Fraction, Fraction]:
    """D, the SDE value and the value the published SDEs were made with (§7.1, §7.3)."""
    if p.satellite:
        d = satellite_delegates(r.effective_attendees)
        return d, values.reading.get(r.key, Fraction(0)), values.published.get(r.key, Fraction(0))
    d = p.delegates or 0
    if p.county not in memo.ratios:
        memo.ratios[p.county] = election.sde_per_delegate(p.county) or Fraction(0)
    value = d * memo.ratios[p.county]
    return d, value, value


def _settle_from_published(
    rc: Recount, r: PrecinctReport, pub_value: Fraction, d: int, value: Fraction, memo: _Memo
) -> tuple[Recount, dict[str, int] | None, Fraction]:
    """A tie no recorded toss decides: settled from the published split when that split is
    one of its outcomes (the recount, the published delegates, the SDE still pending)."""
    wkey = (
        pub_value,
        d,
        None if r.published_sde is None else tuple(sorted(r.published_sde.items())),
    )
    if wkey not in memo.published:
        memo.published[wkey] = _published_won(r, pub_value, d)
    pub_won = memo.published[wkey]
    if pub_won is not None and pub_won in [dict(o) for o in rc.outcomes]:
        settled = replace(
            rc,
            won=dict(pub_won),
            pending=None,
            enumerated=rc.outcomes,
            toss_source="published",
            again=None,
        )
        return settled, pub_won, Fraction(0)
    pend = value * rc.undecided / d if d else Fraction(0)
    return rc, pub_won, pend


def _recomputed_unit(
    election: Election,
    r: PrecinctReport,
    p: Precinct,
    county: County,
    values: _Values,
    memo: _Memo,
) -> UnitResult:
    """One unit's delegates from its raw counts, and their SDEs (§5.7, §7.1)."""
    d, value, pub_value = _unit_value(election, p, r, values, memo)
    key = (
        d,
        r.effective_attendees,
        tuple(sorted(r.final.items())),
        tuple(sorted(r.first.items())),
        r.toss_winners,
    )
    rc = memo.recounts.get(key) or memo.recounts.setdefault(
        key, recount(election.rules, d, r, election.candidate_names)
    )
    pend = Fraction(0)
    pub_won = None
    if rc.pending is not None:
        rc, pub_won, pend = _settle_from_published(rc, r, pub_value, d, value, memo)
    won = dict(rc.won)
    # the same split of the same value has the same SDEs (shared, read-only)
    skey = (p.county if not p.satellite else value, d, tuple(won.items()))
    part = memo.sdes.get(skey)
    if part is None:
        part = memo.sdes[skey] = candidate_sdes(won, value, d) if d else {}
    return UnitResult(r, p, county, d, value, part, rc, pub_won, pend)


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
    sat_values = satellite_values(election, reports, reading)
    values = _Values(
        sat_values,
        sat_values
        if reading is SatelliteReading.TURNOUT
        else satellite_values(election, reports, SatelliteReading.TURNOUT),
    )
    units: list[UnitResult] = []
    unknown: list[str] = []
    ticker = _Ticker(progress, len(reports))
    seen: set[tuple[str, str]] = set()
    memo = _Memo()
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
        if published:
            d, value, _ = _unit_value(election, p, r, values, memo)
            sde = {c: v for c, v in (r.published_sde or {}).items() if v.numerator}
            units.append(UnitResult(r, p, county, d, value, sde, None))
            continue
        units.append(_recomputed_unit(election, r, p, county, values, memo))
    pending_total = sum((u.pending_sde for u in units), Fraction(0))
    how = Summed(reading, published, unknown, pending_total, share_places, sum_rounded)
    return totals(election, units, how)


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
