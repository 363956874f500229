"""The state of the night for the race call, updated one accepted report at a time.

Rule: rules.md §7.1 (an outstanding precinct's fixed value D x S_c / C_c), §7.3 (satellite
pools by turnout), §5.4 (pending games of chance).

Inputs: an election and the accepted reports' outcomes (:class:`UnitOutcome`, from the
tabulation's units), one at a time; a later report for a unit replaces the earlier one.
Outputs: :meth:`NightTracker.race`: the :class:`~caucuskit.core.race_input.RaceInput` of the
exact call. Per scope the open total and the sorted outstanding units are kept up to date
(integers of work per report), so a call does not re-sum the night.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from caucuskit.core.award_bounds import most_delegates, most_delegates_upto
from caucuskit.core.bounds import (
    Pending,
    PoolTerms,
    RaceInput,
    ScopeState,
    SiteReport,
    satellite_terms,
)
from caucuskit.core.election import Election, Precinct
from caucuskit.core.model import PendingTie
from caucuskit.services.tabulate import Tabulation, UnitResult

ZERO = Fraction(0)
MaxTurnout = int | Mapping[tuple[str, str], int] | None
#: The declared most delegates of an at-large site whose D is unknown: one number for all,
#: per site, or None (undeclared: the call stays open where it counts, rules.md §5.7).
MaxDelegates = int | Mapping[tuple[str, str], int] | None


#: per scope, parallel tuples: (label, value), delegates, most delegates, upto
_Items = tuple[tuple[tuple[str, Fraction], ...], tuple[int, ...], tuple[int, ...], tuple[bool, ...]]


def _label(key: tuple[str, str]) -> str:
    return f"{key[0]} / {key[1]}"


@dataclass(frozen=True)
class UnitOutcome:
    """What one reported unit contributes: delegates won, a pending toss, its turnout."""

    key: tuple[str, str]
    delegates: int
    won: Mapping[str, int]
    pending: PendingTie | None
    turnout: int
    value: Fraction

    @classmethod
    def from_unit(cls, u: UnitResult) -> UnitOutcome:
        rc = u.recount
        if rc is None:  # published mode: the published split, no toss information
            won = dict(u.published_delegates or {})
            pending = None
        else:
            won, pending = dict(rc.won), rc.pending
        return cls(u.precinct.key, u.delegates, won, pending, u.report.effective_attendees, u.value)


class NightTracker:
    """The state of the night, updated one accepted report at a time (cheap per report).

    ``satellite_max_turnout``: the declared maximum turnout of a satellite site that has not
    reported (one number for all, a mapping per site, or None: undeclared, so its pool is
    counted as wholly open, a conservative supremum; rules.md §7.3).
    ``site_max_delegates``: the declared most delegates of an outstanding at-large site whose
    D is not known (a Nevada casino site, D set from expected turnout); None: undeclared, so
    such a site keeps every result it counts in open (docs/adr/0012-nevada-race-call.md).
    """

    def __init__(
        self,
        election: Election,
        *,
        satellite_max_turnout: MaxTurnout = None,
        site_max_delegates: MaxDelegates = None,
    ) -> None:
        self.election = election
        self.max_turnout = satellite_max_turnout
        self.max_delegates = site_max_delegates
        self.candidates = tuple(c.name for c in election.candidates)
        self.scope_of: dict[str, int | None] = {c.name: c.district for c in election.counties}
        self.scopes: list[int | None] = []
        self.scopes.extend(
            sorted({c.district for c in election.counties if c.district is not None})
        )
        if any(c.district is None for c in election.counties):
            self.scopes.append(None)
        self.reported: dict[tuple[str, str], UnitOutcome] = {}
        self._current: dict[int | None, dict[str, Fraction]] = {d: {} for d in self.scopes}
        self._pending: dict[int | None, dict[tuple[str, str], Pending]] = {
            d: {} for d in self.scopes
        }
        self._outstanding: dict[int | None, dict[tuple[str, str], Fraction]] = {
            d: {} for d in self.scopes
        }
        self._ratio: dict[tuple[str, str], Fraction] = {}
        self._sites: dict[str, list[tuple[str, str]]] = {}
        #: per scope: the sum of the outstanding values (kept exactly, one step per report)
        #: and the sorted open masses (rebuilt only for a scope that changed)
        self._free: dict[int | None, Fraction] = {d: ZERO for d in self.scopes}
        self._items: dict[int | None, _Items] = {}
        #: per scope, in key order: key -> (label, value, delegates) of each outstanding unit;
        #: a report only removes its entry, so the order never has to be sorted again
        self._open: dict[int | None, dict[tuple[str, str], tuple[tuple[str, Fraction], int]]] = {
            d: {} for d in self.scopes
        }
        #: per satellite county: its pool terms, recomputed only when one of its sites reports
        self._pool_terms: dict[str, PoolTerms] = {}
        #: per outstanding unit that can award more than D, or whose D is only a declared
        #: maximum: (most delegates, upto) (rules.md §5.7 step 5.2)
        self._most: dict[tuple[str, str], tuple[int, bool]] = {}
        #: per scope: outstanding units whose D is unknown and undeclared
        self._unbounded: dict[int | None, dict[tuple[str, str], str]] = {d: {} for d in self.scopes}
        for p in sorted(election.precincts, key=lambda p: p.key):
            if p.satellite:
                self._sites.setdefault(p.county, []).append(p.key)
                continue
            self._start_unit(p)

    def _start_unit(self, p: Precinct) -> None:
        """An outstanding unit: its value, delegates and most delegates (rules.md §7.1)."""
        scope = self.scope_of[p.county]
        groups = len(self.candidates)
        rules = self.election.rules
        delegates, upto = p.delegates, False
        if delegates is None and p.at_large:
            declared = self._max_delegates(p.key)
            ratio = self.election.sde_per_delegate(p.county)
            if declared is None or ratio is None:
                self._unbounded[scope][p.key] = _label(p.key)
                return
            delegates, upto = declared, True
            value = declared * ratio
            most = most_delegates_upto(rules, declared, groups)
        else:
            value = self.election.precinct_sde_value(p) or ZERO
            most = most_delegates(rules, delegates or 0, groups)
        if delegates and value:
            self._outstanding[scope][p.key] = value
            self._open[scope][p.key] = ((_label(p.key), value), delegates)
            self._free[scope] += value
            self._ratio[p.key] = value / delegates
            if most > delegates or upto:
                self._most[p.key] = (most, upto)

    def _most_of(
        self, waiting: Mapping[tuple[str, str], tuple[tuple[str, Fraction], int]]
    ) -> tuple[tuple[int, ...], tuple[bool, ...]]:
        """(most delegates, upto) per outstanding unit, or two empty tuples when every
        unit awards its D (Iowa: the common case costs nothing)."""
        if not any(k in self._most for k in waiting):
            return (), ()
        pairs = [self._most.get(k, (n, False)) for k, (_, n) in waiting.items()]
        return tuple(m for m, _ in pairs), tuple(u for _, u in pairs)

    def _max_delegates(self, key: tuple[str, str]) -> int | None:
        m = self.max_delegates
        if m is None or isinstance(m, int):
            return m
        return m.get(key)

    def add(self, outcome: UnitOutcome) -> None:
        """Record one accepted report (a later report for the same unit replaces it)."""
        key = outcome.key
        p = self.election.precinct_by_key[key]
        scope = self.scope_of[p.county]
        if key in self.reported and not p.satellite:
            self._remove(key, scope)
        self.reported[key] = outcome
        if p.satellite:
            self._pool_terms.pop(p.county, None)
            return
        self._unbounded[scope].pop(key, None)
        if key in self._most and self._most[key][1]:
            # a declared maximum stood in for an unknown D: the report's own D counts now
            self._drop_placeholder(key, scope)
            return
        ratio = self._ratio.get(key)
        gone = self._outstanding[scope].pop(key, None)
        if gone is not None:
            self._free[scope] -= gone
            self._open[scope].pop(key, None)
            self._items.pop(scope, None)
        if ratio is None:
            return
        cur = self._current[scope]
        for c, n in outcome.won.items():
            if n:
                cur[c] = cur.get(c, ZERO) + ratio * n
        if outcome.pending is not None:
            t = outcome.pending
            self._pending[scope][key] = Pending(_label(key), t.groups, t.winners_needed, ratio)

    def _drop_placeholder(self, key: tuple[str, str], scope: int | None) -> None:
        """A reported unit whose D was only a declared maximum: no longer outstanding. Its
        delegates cannot be valued without its D (the results file or --site-delegates
        gives it), as when no maximum is declared."""
        gone = self._outstanding[scope].pop(key, None)
        if gone is not None:
            self._free[scope] -= gone
            self._open[scope].pop(key, None)
            self._items.pop(scope, None)
        self._ratio.pop(key, None)
        self._most.pop(key, None)

    def _remove(self, key: tuple[str, str], scope: int | None) -> None:
        old = self.reported[key]
        ratio = self._ratio.get(key)
        if ratio is None:
            return
        cur = self._current[scope]
        for c, n in old.won.items():
            if n:
                cur[c] = cur.get(c, ZERO) - ratio * n
        self._pending[scope].pop(key, None)

    def _pool(self, county: str, keys: list[tuple[str, str]]) -> PoolTerms:
        """A satellite county's pool as baseline + open masses (rules.md §7.3)."""
        sites = []
        waiting = []
        for k in keys:
            o = self.reported.get(k)
            if o is None:
                waiting.append((_label(k), self._max_turnout(k)))
            else:
                sites.append(SiteReport(_label(k), o.turnout, o.delegates, o.won, o.pending))
        pool = self.election.county_by_name[county].state_delegates or ZERO
        return satellite_terms(pool, sites, waiting)

    def _max_turnout(self, key: tuple[str, str]) -> int | None:
        m = self.max_turnout
        if m is None or isinstance(m, int):
            return m
        return m.get(key)

    def race(self) -> RaceInput:
        """The :class:`~caucuskit.core.bounds.RaceInput` for the reports recorded so far."""
        cur: dict[int | None, dict[str, Fraction]] = {d: dict(v) for d, v in self._current.items()}
        base: dict[int | None, dict[str, Fraction]] = {d: dict(v) for d, v in cur.items()}
        items: dict[int | None, list[tuple[str, Fraction]]] = {}
        seats: dict[int | None, list[int]] = {}
        most: dict[int | None, list[int]] = {}
        upto: dict[int | None, list[bool]] = {}
        for d, waiting_units in self._open.items():
            cached = self._items.get(d)
            if cached is None:
                # the (label, value) pairs are made once, at the start: a call builds one
                # tuple per changed scope and no small objects (less garbage to collect)
                cached = (
                    tuple(item for item, _ in waiting_units.values()),
                    tuple(n for _, n in waiting_units.values()),
                    *self._most_of(waiting_units),
                )
                self._items[d] = cached
            items[d] = list(cached[0])
            seats[d] = list(cached[1])
            most[d] = list(cached[2])
            upto[d] = list(cached[3])
        sites_open: dict[int | None, bool] = {d: False for d in self.scopes}
        free: dict[int | None, Fraction] = dict(self._free)
        pend: dict[int | None, list[Pending]] = {
            d: list(p.values()) for d, p in self._pending.items()
        }
        limit: dict[int | None, bool] = {d: False for d in self.scopes}
        for county, keys in sorted(self._sites.items()):
            c = self.election.county_by_name[county]
            scope = c.district
            terms = self._pool_terms.get(county)
            if terms is None:
                terms = self._pool(county, keys)
                self._pool_terms[county] = terms
            for c_name, v in terms.current.items():
                cur[scope][c_name] = cur[scope].get(c_name, ZERO) + v
            for c_name, v in terms.baseline.items():
                base[scope][c_name] = base[scope].get(c_name, ZERO) + v
            items[scope].extend(terms.items)
            seats[scope].extend(0 for _ in terms.items)  # a site: won whole (rules.md §7.3)
            sites_open[scope] = sites_open[scope] or bool(terms.items)
            free[scope] += sum((v for _, v in terms.items), ZERO)
            pend[scope].extend(terms.pending)
            limit[scope] = limit[scope] or terms.limit
        scopes = tuple(
            ScopeState(
                d,
                {c: v for c, v in cur[d].items() if v},
                {c: v for c, v in base[d].items() if v},
                tuple(items[d]),
                tuple(pend[d]),
                limit[d],
                free[d],
                tuple(seats[d]),
                sites_open[d],
                tuple(most[d]),  # shorter than the items: the rest award their D
                tuple(upto[d]),
                tuple(self._unbounded[d].values()),
            )
            for d in self.scopes
        )
        return RaceInput(self.candidates, scopes, self.election.national)


def tracker_from_tabulation(
    tab: Tabulation,
    *,
    satellite_max_turnout: MaxTurnout = None,
    site_max_delegates: MaxDelegates = None,
) -> NightTracker:
    tracker = NightTracker(
        tab.election,
        satellite_max_turnout=satellite_max_turnout,
        site_max_delegates=site_max_delegates,
    )
    for u in tab.units:
        tracker.add(UnitOutcome.from_unit(u))
    return tracker
