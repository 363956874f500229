"""The race call's input: the night as scopes of fixed SDEs, open masses and pending tosses.

Rule: rules.md §7.1 (an outstanding precinct is worth a fixed D x S_c / C_c SDEs and one
viable group can take all D), §7.3 (satellite pools), §5.4 (pending games of chance).

Inputs: built by :class:`caucuskit.services.call.NightTracker` (or by hand in tests).
Outputs: :class:`RaceInput` (candidates, one :class:`ScopeState` per district plus ``None``
for SDEs that count statewide only, the national seats), :class:`Scenario` (a concrete
completion) and :func:`scenario_votes` (the SDEs per scope it gives).

In each scope:

* ``baseline``: SDEs per candidate that no admissible completion can take away;
* ``items``: outstanding SDE masses (an outstanding precinct: its value, split in
  ``item_seats`` delegates; a satellite site: its share of the pool at its declared maximum
  turnout);
* ``pending``: masses that only the groups of a pending game of chance can win, one per winner.

An admissible completion gives each outstanding precinct's D delegates to any groups (any
split), or none at all (nobody came); each pending toss to ``winners`` of its groups. Where
the ruleset awards extra delegates (Nevada, rules.md §5.7 step 5.2), a precinct may instead
give one delegate each to k groups, D < k <= its ``item_most`` (more viable groups than
delegates). An outstanding unit whose D is unknown but at most a declared maximum
(``item_upto``) may give any number of delegates up to that maximum, in any split; one whose
D is unknown with no maximum is not an item at all but is listed in ``unbounded``: no bound
holds where it counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from caucuskit.core.election import NationalDelegates

ZERO = Fraction(0)
Scope = int | None
#: One precinct's delegates in a completion: (candidate, delegates) pairs.
Split = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Pending:
    """Delegates a pending game of chance will give: ``winners`` of ``groups``, ``value`` each."""

    key: str
    groups: tuple[str, ...]
    winners: int
    value: Fraction

    @property
    def mass(self) -> Fraction:
        return self.value * self.winners


@dataclass(frozen=True)
class ScopeState:
    """One district (``district`` None: statewide only) at one moment of the night."""

    district: Scope
    current: Mapping[str, Fraction]
    baseline: Mapping[str, Fraction]
    items: tuple[tuple[str, Fraction], ...] = ()
    pending: tuple[Pending, ...] = ()
    #: True when a satellite site has no declared maximum turnout: its pool is counted as
    #: wholly open, a supremum that no finite turnout attains (conservative).
    limit: bool = False
    #: The sum of ``items`` when the caller keeps it (a tracker updated report by report);
    #: None: summed here when first needed.
    open_total: Fraction | None = None

    @cached_property
    def prefix(self) -> tuple[Fraction, ...]:
        """Running sums of the open masses (prefix[i] = the first i items)."""
        out = [ZERO]
        for _, v in self.items:
            out.append(out[-1] + v)
        return tuple(out)

    @property
    def free(self) -> Fraction:
        if self.open_total is not None:
            return self.open_total
        return self.prefix[-1]

    @property
    def pending_mass(self) -> Fraction:
        return sum((p.mass for p in self.pending), ZERO)

    #: Delegates of each item (parallel to ``items``; empty: each item is won whole, as one).
    item_seats: tuple[int, ...] = ()
    #: True when some items are outstanding satellite sites: the exact search then covers
    #: each site at its declared maximum turnout only (rules.md §7.3), not every turnout.
    sites_open: bool = False

    def seats_of(self, i: int) -> int:
        """How many delegates item ``i`` elects (1 when unknown: won whole)."""
        return max(self.item_seats[i], 1) if i < len(self.item_seats) else 1

    #: The most delegates each item can award (parallel to ``items``; missing: its seats).
    #: More than its seats where the ruleset awards extra delegates (rules.md §5.7 step 5.2).
    item_most: tuple[int, ...] = ()
    #: True for an item whose D is unknown but at most its seats (a declared maximum): it
    #: may award any number of delegates up to ``most_of`` (never more than its seats to one
    #: group), not only all or none.
    item_upto: tuple[bool, ...] = ()
    #: Outstanding units whose D is unknown and undeclared (a Nevada at-large site): what
    #: they can add is not bounded, so no result that counts this scope can be decided.
    unbounded: tuple[str, ...] = ()

    def most_of(self, i: int) -> int:
        """The most delegates item ``i`` can award (its seats unless extra ones are possible)."""
        seats = self.seats_of(i)
        return max(self.item_most[i], seats) if i < len(self.item_most) else seats

    def upto(self, i: int) -> bool:
        return i < len(self.item_upto) and self.item_upto[i]

    @cached_property
    def extra(self) -> Fraction:
        """What the items can award beyond their seats, in SDEs: delegates that only go one
        each to groups (rules.md §5.7 step 5.2), so no one group can win them."""
        out = ZERO
        for i, (_, mass) in enumerate(self.items):
            more = self.most_of(i) - self.seats_of(i)
            if more > 0:
                out += mass * more / self.seats_of(i)
        return out


@dataclass(frozen=True)
class RaceInput:
    """Everything the bounds need: candidates, scopes and the national delegates to allocate."""

    candidates: tuple[str, ...]
    scopes: tuple[ScopeState, ...]
    national: NationalDelegates

    def units(self) -> list[tuple[str, int, frozenset[Scope] | None]]:
        """(name, seats, scopes counted; None = all) per national unit (rules.md §8.2 step 5)."""
        out: list[tuple[str, int, frozenset[Scope] | None]] = [
            (f"CD{d}", s, frozenset({d})) for d, s in sorted(self.national.district.items())
        ]
        out.append(("at-large", self.national.at_large, None))
        out.append(("PLEO", self.national.pleo, None))
        return out


def sum_scopes(race: RaceInput, scopes: frozenset[Scope] | None, attr: str) -> dict[str, Fraction]:
    """Per candidate, ``attr`` ("current" or "baseline") summed over ``scopes`` (None: all)."""
    out: dict[str, Fraction] = {}
    for s in race.scopes:
        if scopes is not None and s.district not in scopes:
            continue
        for c, v in getattr(s, attr).items():
            if v:
                out[c] = out.get(c, ZERO) + v
    return out


def open_mass(race: RaceInput, scopes: frozenset[Scope] | None) -> tuple[Fraction, bool]:
    """The open mass of ``scopes`` and whether part of it is a supremum (``limit``)."""
    free, limit = ZERO, False
    for s in race.scopes:
        if scopes is None or s.district in scopes:
            free += s.free
            limit = limit or s.limit
    return free, limit


def extra_in(race: RaceInput, scopes: frozenset[Scope] | None) -> Fraction:
    """What the outstanding units of ``scopes`` can award beyond their D (rules.md §5.7)."""
    return sum((s.extra for s in race.scopes if scopes is None or s.district in scopes), ZERO)


def unbounded_in(race: RaceInput, scopes: frozenset[Scope] | None) -> list[str]:
    """Outstanding units of ``scopes`` whose D is unknown and undeclared."""
    return [u for s in race.scopes if scopes is None or s.district in scopes for u in s.unbounded]


def pending_in(race: RaceInput, scopes: frozenset[Scope] | None) -> list[Pending]:
    """The pending tosses of ``scopes`` (None: all)."""
    return [p for s in race.scopes if scopes is None or s.district in scopes for p in s.pending]


@dataclass(frozen=True)
class Scenario:
    """A concrete completion: per scope, who wins the outstanding precincts, in order.

    ``assign[scope]`` is a list of (candidate, number of items) runs over the scope's items in
    their stored order (each item won whole); ``splits[scope]`` gives items by index a
    delegate split instead (an empty split: nobody came). Items in neither award nothing.
    Pending tosses go to ``picks[key]`` when given, else to ``toss`` where it may win, then
    to the toss's other groups in order.
    """

    label: str
    assign: Mapping[Scope, tuple[tuple[str, int], ...]]
    toss: str
    splits: Mapping[Scope, tuple[tuple[int, Split], ...]] = field(default_factory=dict)
    picks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def describe(self, race: RaceInput) -> list[dict[str, object]]:
        """Per (scope, winner): the units it wins and their SDEs (split items: its share)."""
        out: list[dict[str, object]] = []
        for s in race.scopes:
            runs = self.assign.get(s.district, ())
            i = 0
            for cand, n in runs:
                chunk = s.items[i : i + n]
                i += n
                if chunk:
                    out.append(
                        {
                            "scope": scope_name(s.district),
                            "winner": cand,
                            "units": [k for k, _ in chunk],
                            "sde": sum((v for _, v in chunk), ZERO),
                        }
                    )
            per: dict[str, tuple[list[str], Fraction]] = {}
            for idx, split in self.splits.get(s.district, ()):
                label, mass = s.items[idx]
                for cand, k in split:
                    units, sde = per.get(cand, ([], ZERO))
                    units.append(f"{label} ({k} of {s.seats_of(idx)})")
                    per[cand] = (units, sde + mass * k / s.seats_of(idx))
            for cand, (units, sde) in sorted(per.items()):
                out.append(
                    {"scope": scope_name(s.district), "winner": cand, "units": units, "sde": sde}
                )
        return out

    def winners(self, p: Pending) -> list[str]:
        """The groups that win the pending toss ``p`` in this completion."""
        picked = self.picks.get(p.key)
        return list(picked) if picked is not None else toss_pick(p, self.toss)


def scope_name(d: Scope) -> str:
    """A scope as shown: "CD2", or "statewide only"."""
    return "statewide only" if d is None else f"CD{d}"


def scenario_votes(race: RaceInput, sc: Scenario) -> dict[Scope, dict[str, Fraction]]:
    """SDEs per scope in the completion ``sc``."""
    out: dict[Scope, dict[str, Fraction]] = {}
    for s in race.scopes:
        v = dict(s.baseline)
        i = 0
        pre = s.prefix
        for cand, n in sc.assign.get(s.district, ()):
            j = min(i + n, len(s.items))
            if j > i:
                v[cand] = v.get(cand, ZERO) + (pre[j] - pre[i])
            i = j
        for idx, split in sc.splits.get(s.district, ()):
            _, mass = s.items[idx]
            for cand, k in split:
                v[cand] = v.get(cand, ZERO) + mass * k / s.seats_of(idx)
        for p in s.pending:
            for g in sc.winners(p):
                v[g] = v.get(g, ZERO) + p.value
        out[s.district] = v
    return out


def toss_pick(p: Pending, toss: str) -> list[str]:
    """The winners of a pending toss in a scenario: ``toss`` where it may win, then the
    toss's other groups in order."""
    chosen = [toss] if toss in p.groups else []
    for g in p.groups:
        if len(chosen) >= p.winners:
            break
        if g not in chosen:
            chosen.append(g)
    return chosen[: p.winners]


def unit_votes(
    votes: Mapping[Scope, Mapping[str, Fraction]], scopes: frozenset[Scope] | None
) -> dict[str, Fraction]:
    """Per candidate, ``votes`` summed over ``scopes`` (None: all), zeros dropped."""
    out: dict[str, Fraction] = {}
    for d, v in votes.items():
        if scopes is None or d in scopes:
            for c, x in v.items():
                if x:
                    out[c] = out.get(c, ZERO) + x
    return out


def dec(x: Fraction, places: int) -> str:
    """``x`` to ``places`` decimals, half up, with its sign (a display, never a value)."""
    sign = "-" if x < 0 else ""
    x = abs(x)
    units = math.floor(x * 10**places + Fraction(1, 2))
    whole, frac = divmod(units, 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"
