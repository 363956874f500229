"""Calling the race: what the outstanding precincts can still change, exactly.

Rule: rules.md §7.1 (an outstanding precinct is worth a fixed D x S_c / C_c SDEs, and one
viable group can take all D), §7.3 (satellite pools shared by turnout), §8.2 (D-Math: 15%
threshold, half-of-leader fallback, largest remainders), §5.4 (pending games of chance).

The model. The night is a set of *scopes* (one per congressional district, plus ``None`` for
SDEs that count statewide only, the out-of-state satellites). In each scope:

* ``baseline``: SDEs per candidate that no admissible completion can take away;
* ``items``: outstanding SDE masses that any single group may win entirely (an outstanding
  precinct: its value D x S_c / C_c; a satellite site: its share of the pool at its declared
  maximum turnout);
* ``pending``: masses that only the groups of a pending game of chance can win, one per winner.

Every final outcome is ``baseline + an assignment of the masses`` (precincts may also award
fewer than D, which never widens any bound below). For satellites this is a *relaxation*:
:func:`satellite_terms` shows every admissible pool outcome lies in it, and every vertex of it
(each site at its maximum turnout, all to one group) is admissible, so the extremes below
are attained. What is exact and what is conservative is stated on each result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property

from caucuskit.core.election import NationalDelegates
from caucuskit.core.model import PendingTie
from caucuskit.core.national import (
    NATIONAL_THRESHOLD,
    PendingLot,
    UnitAllocation,
    allocate_unit,
)

ZERO = Fraction(0)
Scope = int | None


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


# ---------------------------------------------------------------------------------------------
# Satellite pools (rules.md §7.3)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteReport:
    """A reported satellite site: turnout t, its D, delegates won, and any pending toss."""

    key: str
    turnout: int
    delegates: int
    won: Mapping[str, int]
    pending: PendingTie | None = None


@dataclass(frozen=True)
class PoolTerms:
    current: dict[str, Fraction]
    baseline: dict[str, Fraction]
    items: tuple[tuple[str, Fraction], ...]
    pending: tuple[Pending, ...]
    limit: bool


def satellite_terms(
    pool: Fraction,
    reported: Sequence[SiteReport],
    outstanding: Sequence[tuple[str, int | None]],
) -> PoolTerms:
    """A satellite pool as baseline + open masses (rules.md §7.3, turnout reading).

    With reported turnouts t_r, delegate fractions f_rk = won_rk / D_r, A_k = sum t_r f_rk,
    B = sum t_r and outstanding sites of declared maximum turnout M_o (T = sum M_o), the pool
    gives candidate k ``S (A_k + X_k) / (B + Y)`` where Y <= T is the outstanding turnout and
    X_k the part of it won by k. Since that equals ``S A_k / (B + T)`` plus a non-negative
    share of ``S T / (B + T)`` (the difference is S (A_k (T - Y) + X_k (B + T)) / ((B+Y)(B+T))),
    every outcome lies in "baseline S A_k / (B + T) + the masses S M_o / (B + T) assigned";
    each site at M_o won entirely by one group realises every vertex. An outstanding site
    without a declared maximum (None) opens the whole pool: baseline 0, one mass S (a limit).
    """
    a: dict[str, Fraction] = {}
    b = 0
    pend_raw: list[tuple[str, PendingTie, int, int]] = []
    for site in reported:
        if site.turnout <= 0 or site.delegates <= 0:
            continue
        b += site.turnout
        for c, n in site.won.items():
            if n:
                a[c] = a.get(c, ZERO) + Fraction(site.turnout * n, site.delegates)
        if site.pending is not None:
            pend_raw.append((site.key, site.pending, site.turnout, site.delegates))
    current = {c: pool * v / b for c, v in a.items()} if b else {}
    if any(m is None for _, m in outstanding):
        label = "; ".join(k for k, _ in outstanding)
        return PoolTerms(current, {}, ((label, pool),) if pool else (), (), True)
    t = sum(m for _, m in outstanding if m is not None)
    denom = b + t
    if denom == 0:
        return PoolTerms(current, {}, (), (), False)
    baseline = {c: pool * v / denom for c, v in a.items()}
    items = tuple((k, pool * m / denom) for k, m in outstanding if m)
    pending = tuple(
        Pending(k, tie.groups, tie.winners_needed, pool * turnout / (d * denom))
        for k, tie, turnout, d in pend_raw
    )
    return PoolTerms(current, baseline, items, pending, False)


# ---------------------------------------------------------------------------------------------
# SDE bounds (exact)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SdeRange:
    """The least and most statewide SDEs a candidate can still finish with."""

    candidate: str
    current: Fraction
    low: Fraction
    high: Fraction
    #: False when ``high`` is a supremum (a satellite without a declared maximum turnout).
    high_attained: bool = True


@dataclass(frozen=True)
class PairCall:
    """Can ``trailer`` still tie or overtake ``leader`` in statewide SDEs?"""

    leader: str
    trailer: str
    margin: Fraction  # leader - trailer on the baseline
    swing: Fraction  # the most the trailer can gain on the leader
    attained: bool = True

    @property
    def best(self) -> Fraction:
        """Trailer - leader in the trailer's best admissible completion."""
        return self.swing - self.margin

    @property
    def can_tie(self) -> bool:
        return self.best > 0 or (self.best == 0 and self.attained)

    @property
    def can_overtake(self) -> bool:
        return self.best > 0


def _sum_scopes(
    race: RaceInput, scopes: frozenset[Scope] | None, attr: str
) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for s in race.scopes:
        if scopes is not None and s.district not in scopes:
            continue
        for c, v in getattr(s, attr).items():
            if v:
                out[c] = out.get(c, ZERO) + v
    return out


def _open_mass(race: RaceInput, scopes: frozenset[Scope] | None) -> tuple[Fraction, bool]:
    free, limit = ZERO, False
    for s in race.scopes:
        if scopes is None or s.district in scopes:
            free += s.free
            limit = limit or s.limit
    return free, limit


def _pending(race: RaceInput, scopes: frozenset[Scope] | None) -> list[Pending]:
    return [p for s in race.scopes if scopes is None or s.district in scopes for p in s.pending]


def sde_ranges(race: RaceInput) -> list[SdeRange]:
    """Per candidate: [baseline, baseline + every open mass it may win]. Both ends are attained
    (all to others; all to it, one winner per pending toss), so the range is tight, except a
    ``high`` that counts a satellite pool without a declared maximum turnout (a supremum)."""
    base = _sum_scopes(race, None, "baseline")
    cur = _sum_scopes(race, None, "current")
    free, limit = _open_mass(race, None)
    pend = _pending(race, None)
    out = []
    for c in race.candidates:
        gain = free + sum((p.value for p in pend if c in p.groups), ZERO)
        lo = base.get(c, ZERO) + sum((p.value for p in pend if _forced(p, c)), ZERO)
        out.append(SdeRange(c, cur.get(c, ZERO), lo, base.get(c, ZERO) + gain,
                            not (limit and free > 0)))
    return sorted(out, key=lambda r: (-r.current, r.candidate))


def _forced(p: Pending, c: str) -> bool:
    """True when ``c`` wins a delegate of the toss whatever happens (never, for a real tie)."""
    return c in p.groups and len(p.groups) - 1 < p.winners


def pair_call(race: RaceInput, leader: str, trailer: str) -> PairCall:
    """Exact: the trailer's best completion gives it every open mass it may win and the
    leader none it can avoid (rules.md §7.1: one viable group can take all D)."""
    base = _sum_scopes(race, None, "baseline")
    free, limit = _open_mass(race, None)
    return _pair(leader, trailer, base, free, limit, _pending(race, None))


def _pair(leader: str, trailer: str, base: Mapping[str, Fraction], free: Fraction,
          limit: bool, pending: Sequence[Pending]) -> PairCall:
    swing = free
    for p in pending:
        if trailer in p.groups:
            swing += p.value
        if _forced(p, leader):
            swing -= p.value
    margin = base.get(leader, ZERO) - base.get(trailer, ZERO)
    return PairCall(leader, trailer, margin, swing, not (limit and free > 0))


@dataclass(frozen=True)
class LeadCall:
    """The statewide SDE lead: decided (with the bound) or open (with who can still catch up)."""

    leader: str | None
    decided: bool
    pairs: tuple[PairCall, ...]

    def explain(self, places: int = 3) -> str:
        if self.leader is None:
            return "no SDEs reported yet"
        if self.decided:
            if not self.pairs:
                return f"decided: {self.leader} leads (nothing left to report)"
            closest = max(self.pairs, key=lambda p: p.best)
            return (f"decided: {self.leader} leads; even if {closest.trailer} won every open "
                    f"SDE ({_d(closest.swing, places)}), it would stay "
                    f"{_d(-closest.best, places)} SDE behind")
        open_ = [p for p in self.pairs if p.can_tie]
        parts = []
        for p in open_:
            verb = "overtake" if p.can_overtake else "tie"
            parts.append(f"{p.trailer} can still {verb} {p.leader} if it out-gains "
                         f"{p.leader} by more than {_d(p.margin, places)} of the "
                         f"{_d(p.swing, places)} SDE still open")
        return "still open: " + "; ".join(parts)


def _d(x: Fraction, places: int) -> str:
    sign = "-" if x < 0 else ""
    x = abs(x)
    units = math.floor(x * 10**places + Fraction(1, 2))
    whole, frac = divmod(units, 10**places)
    return f"{sign}{whole}.{frac:0{places}d}" if places else f"{sign}{whole}"


def lead_call(race: RaceInput) -> LeadCall:
    """Decided when the current leader's worst margin beats every rival's best swing."""
    cur = _sum_scopes(race, None, "current")
    base = _sum_scopes(race, None, "baseline")
    if not cur and not base:
        return LeadCall(None, False, ())
    ranked = sorted(race.candidates, key=lambda c: (-cur.get(c, ZERO), -base.get(c, ZERO), c))
    leader = ranked[0]
    free, limit = _open_mass(race, None)
    pend = _pending(race, None)
    pairs = tuple(_pair(leader, c, base, free, limit, pend) for c in ranked[1:])
    decided = all(not p.can_tie for p in pairs)
    return LeadCall(leader, decided, pairs)


# ---------------------------------------------------------------------------------------------
# National delegates (exact where the qualified set is fixed; a searched witness otherwise)
# ---------------------------------------------------------------------------------------------

Allocator = Callable[[Mapping[str, Fraction], int, str], UnitAllocation]


def worksheet_allocator(votes: Mapping[str, Fraction], seats: int, unit: str) -> UnitAllocation:
    return allocate_unit(votes, seats, unit=unit)


def fast_split(votes: Mapping[str, Fraction], seats: int, unit: str = "unit") -> UnitAllocation:
    """The same D-Math as :func:`caucuskit.core.national.allocate_unit` (exact shares), without
    the worksheet: used to evaluate many completions quickly (a test checks they agree).

    Exact in integers: the votes are scaled to a common denominator, so the 15% test, the
    quotas' floors and the remainder order are integer comparisons (``shares`` and ``quotas``
    are left empty; ``delegates`` and ``pending_lot`` are those of the worksheet)."""
    clean = {c: v for c, v in votes.items() if v > 0}
    if not clean or seats == 0:
        total = sum(clean.values(), ZERO)
        return UnitAllocation(unit, seats, clean, total, NATIONAL_THRESHOLD, "15%", (), {}, {}, {})
    den = math.lcm(*(v.denominator for v in clean.values()))
    n = {c: v.numerator * (den // v.denominator) for c, v in clean.items()}
    tot = sum(n.values())
    t_num, t_den = NATIONAL_THRESHOLD.numerator, NATIONAL_THRESHOLD.denominator
    qualified = sorted(c for c, x in n.items() if x * t_den >= t_num * tot)
    rule = "15%"
    if not qualified:
        top = max(n.values())
        qualified = sorted(c for c, x in n.items() if 2 * x >= top)
        rule = "half-of-leader"
    q_total = sum(n[c] for c in qualified)
    won: dict[str, int] = {}
    rema: dict[str, int] = {}
    for c in qualified:
        won[c], rema[c] = divmod(seats * n[c], q_total)
    left = seats - sum(won.values())
    lot = None
    for r in sorted(set(rema.values()), reverse=True):
        if left <= 0:
            break
        tied = tuple(c for c in qualified if rema[c] == r)
        if len(tied) <= left:
            for c in tied:
                won[c] += 1
            left -= len(tied)
            continue
        lot = PendingLot(tied, left, Fraction(r, q_total))
        break
    return UnitAllocation(unit, seats, clean, Fraction(tot, den), NATIONAL_THRESHOLD, rule,
                          tuple(qualified), {}, {}, {c: k for c, k in won.items() if k > 0}, lot)


@dataclass(frozen=True)
class Scenario:
    """A concrete completion: per scope, who wins the outstanding precincts, in order.

    ``assign[scope]`` is a list of (candidate, number of items) runs over the scope's items in
    their stored order; pending tosses go to ``toss`` where it may win, else to the first
    other group of the toss.
    """

    label: str
    assign: Mapping[Scope, tuple[tuple[str, int], ...]]
    toss: str

    def describe(self, race: RaceInput) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for s in race.scopes:
            runs = self.assign.get(s.district, ())
            i = 0
            for cand, n in runs:
                chunk = s.items[i : i + n]
                i += n
                if chunk:
                    out.append({"scope": _scope_name(s.district), "winner": cand,
                                "units": [k for k, _ in chunk],
                                "sde": sum((v for _, v in chunk), ZERO)})
        return out


def _scope_name(d: Scope) -> str:
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
        for p in s.pending:
            for g in _toss_pick(p, sc.toss):
                v[g] = v.get(g, ZERO) + p.value
        out[s.district] = v
    return out


def _toss_pick(p: Pending, toss: str) -> list[str]:
    """The winners of a pending toss in a scenario: ``toss`` where it may win, then the
    toss's other groups in order."""
    chosen = [toss] if toss in p.groups else []
    for g in p.groups:
        if len(chosen) >= p.winners:
            break
        if g not in chosen:
            chosen.append(g)
    return chosen[: p.winners]


def _unit_votes(
    votes: Mapping[Scope, Mapping[str, Fraction]], scopes: frozenset[Scope] | None
) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for d, v in votes.items():
        if scopes is None or d in scopes:
            for c, x in v.items():
                if x:
                    out[c] = out.get(c, ZERO) + x
    return out


def _split(a: UnitAllocation) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    lot = () if a.pending_lot is None else a.pending_lot.candidates
    return tuple(sorted(a.delegates.items())), lot


@dataclass
class UnitCall:
    """One national unit: decided (with the proof) or open (with a scenario that changes it)."""

    unit: str
    seats: int
    current: dict[str, int]
    current_lot: tuple[str, ...]
    status: str  # "decided" | "open" | "undetermined"
    proof: list[str] = field(default_factory=list)
    witness: Scenario | None = None
    witness_split: dict[str, int] | None = None
    witness_lot: tuple[str, ...] = ()
    #: candidate -> (proven low, proven high, attained low, attained high)
    ranges: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    exact: bool = True


@dataclass
class NationalCall:
    units: list[UnitCall]
    total_current: dict[str, int]
    total_status: str
    total_witness: Scenario | None
    total_witness_split: dict[str, int] | None
    #: candidate -> (proven low, proven high, attained low, attained high)
    total_ranges: dict[str, tuple[int, int, int, int]]


def _scenarios(race: RaceInput, focus: Sequence[str]) -> list[Scenario]:
    """Vertices: every open mass to one candidate (each candidate in turn)."""
    out = []
    for c in focus:
        assign = {s.district: ((c, len(s.items)),) for s in race.scopes}
        out.append(Scenario(f"every outstanding unit to {c}", assign, c))
    return out


def _mixes(race: RaceInput, pairs: Sequence[tuple[str, str]], scopes: frozenset[Scope] | None,
           steps: int = 8) -> list[Scenario]:
    """Two-candidate mixes: the first part of each scope's open mass to ``a``, the rest to ``b``
    (whole precincts, so each is a concrete admissible completion)."""
    out = []
    for a, b in pairs:
        for k in range(1, steps):
            assign: dict[Scope, tuple[tuple[str, int], ...]] = {}
            for s in race.scopes:
                if scopes is not None and s.district not in scopes:
                    assign[s.district] = ((b, len(s.items)),)
                    continue
                target = s.free * k / steps
                acc, n = ZERO, 0
                while n < len(s.items) and acc < target:
                    acc += s.items[n][1]
                    n += 1
                assign[s.district] = ((a, n), (b, len(s.items) - n))
            out.append(Scenario(f"about {k}/{steps} of the outstanding SDEs to {a}, the rest to "
                                f"{b}", assign, a))
    return out


def _prove_unit(
    seats: int,
    base: Mapping[str, Fraction],
    free: Fraction,
    pend: Sequence[Pending],
    current: Mapping[str, int],
    candidates: Sequence[str],
) -> tuple[bool, list[str], dict[str, tuple[int, int]], bool]:
    """Exact test that the split stays ``current`` over every completion, and proven seat bounds.

    Let T = sum of baselines, O = open mass (free + pending). Shares: min_k = c_k / (T + O)
    (all to others, attained), max_k <= (c_k + O_k) / (T + O_k) where O_k is what k may win.
    If every qualified k has min_k >= 15% and every other has max_k < 15%, the qualified set Q
    is the same in every completion (no half-of-leader fallback). Then the largest-remainder
    split n is the unique outcome iff max (q_j - n_j) - (q_i - n_i) < 1 over completions
    (Hamilton), and the max of q_j - q_i is s (c_j - c_i + O_j) / (c_Q + O_j) (or over
    c_Q + O when negative), attained by "all open mass to j" when nothing is restricted.
    Returns (decided, proof lines, proven seat bounds, exact) where ``exact`` says the test
    is also necessary (no restricted pending mass).
    """
    total = sum(base.values(), ZERO)
    o_all = free + sum((p.mass for p in pend), ZERO)
    if total == 0 and o_all == 0:
        return (True, ["nothing to allocate: this unit has no SDEs, and none can come"],
                {c: (0, 0) for c in candidates}, True)
    o_k = {c: free + sum((p.value for p in pend if c in p.groups), ZERO) for c in candidates}
    exact = not pend
    thr = NATIONAL_THRESHOLD
    lo_share: dict[str, Fraction] = {}
    hi_share: dict[str, Fraction] = {}
    for c in candidates:
        cb = base.get(c, ZERO)
        lo_share[c] = cb / (total + o_all) if total + o_all else ZERO
        hi_share[c] = (cb + o_k[c]) / (total + o_k[c]) if total + o_k[c] else ZERO
    must = [c for c in candidates if base.get(c, ZERO) > 0 and lo_share[c] >= thr]
    may = [c for c in candidates if hi_share[c] >= thr and base.get(c, ZERO) + o_k[c] > 0]
    bounds: dict[str, tuple[int, int]] = {}
    if must:
        must_total = {c: sum((base.get(j, ZERO) for j in must if j != c), ZERO)
                      for c in candidates}
        for c in candidates:
            if c not in may:
                bounds[c] = (0, 0)
                continue
            top = base.get(c, ZERO) + o_k[c]
            qhi = seats * top / (top + must_total[c]) if top else ZERO
            lo = math.floor(seats * lo_share[c]) if c in must else 0
            bounds[c] = (min(lo, seats), min(seats, math.ceil(qhi)))
    else:
        bounds = {c: (0, seats) for c in candidates}
    proof: list[str] = []
    if not must or set(must) != set(may):
        movers = sorted(set(may) - set(must))
        proof.append("the set of candidates over 15% can still change"
                     + (f" ({', '.join(movers)})" if movers else " (nobody is sure to qualify)"))
        return False, proof, bounds, False
    q_set = sorted(must)
    c_q = sum((base.get(c, ZERO) for c in q_set), ZERO)
    low_c = min(q_set, key=lambda c: lo_share[c])
    proof.append(f"qualified set fixed: {', '.join(q_set)}; the lowest share any of them can "
                 f"fall to is {low_c} {_pct(lo_share[low_c])} >= 15%")
    others = [c for c in candidates if c not in q_set and hi_share[c] > 0]
    if others:
        top_o = max(others, key=lambda c: hi_share[c])
        proof.append(f"no one else can reach 15%: the highest is {top_o} at most "
                     f"{_pct(hi_share[top_o])}")
    n = {c: current.get(c, 0) for c in q_set}
    if sum(n.values()) != seats or any(c not in q_set for c in current):
        proof.append("the current split is not a complete allocation on this qualified set")
        return False, proof, bounds, exact
    ok = True
    worst: tuple[Fraction, str, str] | None = None
    for j in q_set:
        for i in q_set:
            if i == j:
                continue
            m = base.get(j, ZERO) - base.get(i, ZERO) + o_k[j]
            den = c_q + (o_k[j] if m >= 0 else o_all)
            gap = seats * m / den - (1 + n[j] - n[i])
            if worst is None or gap > worst[0]:
                worst = (gap, j, i)
            if gap >= 0:
                ok = False
    if worst is not None:
        gap, j, i = worst
        rel = "<" if gap < 0 else ">="
        proof.append(f"remainder order fixed: the closest pair is {j} over {i}, where "
                     f"max(q_{j} - n_{j}) - (q_{i} - n_{i}) = {_d(gap + 1, 4)} {rel} 1")
    if ok:
        bounds = {c: (current.get(c, 0), current.get(c, 0)) for c in candidates}
    return ok, proof, bounds, exact


def _pct(x: Fraction) -> str:
    return _d(x * 100, 3) + "%"


def national_call(
    race: RaceInput, allocator: Allocator = fast_split, *, search: bool = True
) -> NationalCall:
    """Per unit and in total: can the national delegate split still change?

    "decided" only with the proof of :func:`_prove_unit`; "open" only with a concrete
    completion (whole outstanding precincts to named candidates) whose split differs;
    "undetermined" when neither was found (the qualified set can move but no searched
    completion changed the split: conservative).
    """
    cur_votes = {s.district: dict(s.current) for s in race.scopes}
    units = race.units()
    contenders = _contenders(race)
    scenarios = _scenarios(race, _contenders(race, len(race.candidates)))
    evaluated: list[tuple[Scenario, dict[str, UnitAllocation]]] = []

    def run(sc: Scenario) -> dict[str, UnitAllocation]:
        votes = scenario_votes(race, sc)
        return {name: allocator(_unit_votes(votes, scopes), seats, name)
                for name, seats, scopes in units}

    sums = unit_sums(race)
    for sc in scenarios:
        votes = vertex_votes(sums, sc.toss)
        evaluated.append((sc, {name: allocator(votes[name], seats, name)
                               for name, seats, _ in units}))
    calls: list[UnitCall] = []
    for name, seats, scopes in units:
        now = allocator(_unit_votes(cur_votes, scopes), seats, name)
        now_split = _split(now)
        base, free, pend = sums[name].baseline, sums[name].free, sums[name].pending
        ok, proof, bounds, exact = _prove_unit(
            seats, base, free, pend, dict(now.delegates), race.candidates)
        if now.pending_lot is not None:
            ok = False
            proof.append(f"the current split has an exact tie for the last seat "
                         f"({', '.join(now.pending_lot.candidates)})")
        call = UnitCall(name, seats, dict(now.delegates), now_split[1],
                        "decided" if ok else "undetermined", proof, exact=exact)
        if not ok:
            for sc, res in evaluated:
                if _split(res[name]) != now_split:
                    call.status = "open"
                    call.witness = sc
                    call.witness_split = dict(res[name].delegates)
                    call.witness_lot = _split(res[name])[1]
                    break
        if call.status == "undetermined" and search:
            pairs = [(a, b) for a in contenders for b in contenders if a != b]
            for sc in _mixes(race, pairs, scopes):
                res = run(sc)
                evaluated.append((sc, res))
                if _split(res[name]) != now_split:
                    call.status = "open"
                    call.witness = sc
                    call.witness_split = dict(res[name].delegates)
                    call.witness_lot = _split(res[name])[1]
                    break
        for c in race.candidates:
            seen = [res[name].delegates.get(c, 0) for _, res in evaluated]
            lo, hi = bounds.get(c, (0, seats))
            a_lo, a_hi = (min(seen), max(seen)) if seen else (lo, hi)
            if ok:
                a_lo = a_hi = now.delegates.get(c, 0)
            call.ranges[c] = (lo, hi, a_lo, a_hi)
        calls.append(call)
    total_now: dict[str, int] = {}
    for call in calls:
        for c, k in call.current.items():
            total_now[c] = total_now.get(c, 0) + k
    total_status = "decided" if all(c.status == "decided" for c in calls) else "undetermined"
    t_wit: Scenario | None = None
    t_split: dict[str, int] | None = None
    for sc, res in evaluated:
        tot: dict[str, int] = {}
        for a in res.values():
            for c, k in a.delegates.items():
                tot[c] = tot.get(c, 0) + k
        if {c: k for c, k in tot.items() if k} != {c: k for c, k in total_now.items() if k}:
            total_status, t_wit, t_split = "open", sc, tot
            break
    totals: dict[str, tuple[int, int, int, int]] = {}
    for c in race.candidates:
        lo = sum(u.ranges[c][0] for u in calls)
        hi = sum(u.ranges[c][1] for u in calls)
        seen_tot = [sum(res[n].delegates.get(c, 0) for n in res) for _, res in evaluated]
        if total_status == "decided":
            seen_tot = [total_now.get(c, 0)]
        totals[c] = (lo, hi, min(seen_tot, default=lo), max(seen_tot, default=hi))
    return NationalCall(calls, total_now, total_status, t_wit, t_split, totals)


@dataclass(frozen=True)
class UnitSum:
    """One national unit's baseline, open mass and pending tosses, summed over its scopes,
    with ``settled``: the baseline plus every pending toss at its default outcome (its first
    groups in order), and per candidate the tosses where choosing it changes that outcome."""

    baseline: dict[str, Fraction]
    free: Fraction
    pending: list[Pending]
    settled: dict[str, Fraction]
    moves: dict[str, list[tuple[Pending, list[str], list[str]]]]


UnitSums = dict[str, UnitSum]


def unit_sums(race: RaceInput) -> UnitSums:
    """Per national unit (rules.md §8.2 step 5): the sums :func:`vertex_votes` starts from."""
    out: UnitSums = {}
    for name, _, scopes in race.units():
        base = _sum_scopes(race, scopes, "baseline")
        pend = _pending(race, scopes)
        settled = dict(base)
        moves: dict[str, list[tuple[Pending, list[str], list[str]]]] = {}
        for p in pend:
            default = _toss_pick(p, "")
            for g in default:
                settled[g] = settled.get(g, ZERO) + p.value
            for c in p.groups:
                if c not in default:
                    moves.setdefault(c, []).append((p, default, _toss_pick(p, c)))
        out[name] = UnitSum(base, _open_mass(race, scopes)[0], pend, settled, moves)
    return out


def vertex_votes(sums: UnitSums, c: str) -> dict[str, dict[str, Fraction]]:
    """Per unit, the votes of the vertex "every outstanding unit to ``c``" (the scenario of
    :func:`_scenarios`): the same as summing :func:`scenario_votes` over the unit's scopes,
    from the per-unit sums (a few additions per candidate instead of one per precinct)."""
    out: dict[str, dict[str, Fraction]] = {}
    for name, u in sums.items():
        v = dict(u.settled)
        if u.free:
            v[c] = v.get(c, ZERO) + u.free
        for p, default, chosen in u.moves.get(c, ()):
            for g in default:
                v[g] -= p.value
            for g in chosen:
                v[g] = v.get(g, ZERO) + p.value
        out[name] = {k: x for k, x in v.items() if x}
    return out


def _contenders(race: RaceInput, limit: int = 6) -> list[str]:
    """The candidates worth mixing: the largest by baseline plus open mass, at most ``limit``."""
    base = _sum_scopes(race, None, "baseline")
    ranked = sorted(race.candidates, key=lambda c: (-base.get(c, ZERO), c))
    return ranked[:limit]


@dataclass
class RaceCall:
    """Everything :func:`call_race` decides at one moment of the night."""

    sde: list[SdeRange]
    lead: LeadCall
    national: NationalCall
    open_sde: Fraction
    open_limit: bool


def call_race(
    race: RaceInput, allocator: Allocator = fast_split, *, search: bool = True
) -> RaceCall:
    """SDE ranges, the SDE lead and the national delegate call (rules.md §7, §8)."""
    free, limit = _open_mass(race, None)
    pend = sum((p.mass for p in _pending(race, None)), ZERO)
    return RaceCall(sde_ranges(race), lead_call(race), national_call(race, allocator,
                    search=search), free + pend, limit)
