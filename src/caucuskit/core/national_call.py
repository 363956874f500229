"""The national delegate call: per unit and in total, decided or open, never a guess.

Rule: rules.md §8.2 (D-Math per unit: each district, at-large, PLEO), §7.1, §7.3, §5.4.

Inputs: a :class:`~caucuskit.core.race_input.RaceInput`, the D-Math to evaluate completions
with (the fast path :func:`caucuskit.core.national.fast_allocate` by default) and optionally
``unit_search``: another exact search for units too large to search exhaustively (the
service passes a mixed-integer program, :mod:`caucuskit.services.call_milp`).
Outputs: :class:`NationalCall`: per unit a :class:`UnitCall` with its status, the proof
("decided") or a completion that changes it ("open"), and seat ranges; the same for the total.

Order of work per unit: (1) the bound of :func:`~caucuskit.core.national_bounds.prove_unit`
(fast, sufficient); (2) the vertices "every outstanding unit to X" and two-candidate mixes
as witnesses; (3) exhaustive search (:mod:`caucuskit.core.exact_search`), or ``unit_search``
when the outstanding set is too large. Only when every exact method is unavailable (or an
outstanding satellite site can only be searched at its maximum turnout) does a unit stay
"undetermined".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.exact_search import DEFAULT_CAP, SearchTooLarge, search
from caucuskit.core.national import UnitAllocation, fast_allocate
from caucuskit.core.national_bounds import (
    contenders,
    mix_scenarios,
    pair_vertices,
    prove_unit,
    scaled_vertex_votes,
    split_of,
    unit_sums,
    vertex_scenarios,
)
from caucuskit.core.race_input import (
    RaceInput,
    Scenario,
    Scope,
    scenario_votes,
    unbounded_in,
    unit_votes,
)

Allocator = Callable[[Mapping[str, Fraction], int, str], UnitAllocation]
#: An exact search for one unit: (race, unit scopes, seats, current allocation) -> a
#: completion that changes the split, or None when none does (over every admissible
#: completion, outstanding satellite sites at every turnout); raises
#: :class:`~caucuskit.core.exact_search.SearchTooLarge` when it cannot answer.
UnitSearch = Callable[[RaceInput, frozenset[Scope] | None, int, UnitAllocation], Scenario | None]


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
    #: how the status was settled: "bound", "vertex", "mix", "exhaustive", "milp"
    method: str = "bound"


@dataclass
class NationalCall:
    units: list[UnitCall]
    total_current: dict[str, int]
    total_status: str
    total_witness: Scenario | None
    total_witness_split: dict[str, int] | None
    #: candidate -> (proven low, proven high, attained low, attained high)
    total_ranges: dict[str, tuple[int, int, int, int]]


Evaluated = list[tuple[Scenario, dict[str, UnitAllocation]]]


def national_call(
    race: RaceInput,
    allocator: Allocator = fast_allocate,
    *,
    search: bool = True,
    unit_search: UnitSearch | None = None,
    cap: int = DEFAULT_CAP,
) -> NationalCall:
    """Per unit and in total: can the national delegate split still change?

    "decided" only with a proof (the bound, or a search of every admissible completion);
    "open" only with a concrete completion whose split differs. ``search`` False skips the
    mixes and the exact searches (a quick look: units may then be "undetermined"). ``cap``:
    the most distinct outcomes the exhaustive search keeps before ``unit_search`` takes over."""
    units = race.units()
    sums = unit_sums(race)
    evaluated: Evaluated = []
    for sc in vertex_scenarios(race, contenders(race, len(race.candidates))):
        votes = scaled_vertex_votes(sums, sc.toss)  # whole numbers: only splits are read
        evaluated.append(
            (sc, {name: allocator(votes[name], seats, name) for name, seats, _ in units})
        )
    cur_votes = {s.district: dict(s.current) for s in race.scopes}
    calls: list[UnitCall] = []
    for name, seats, scopes in units:
        now = allocator(unit_votes(cur_votes, scopes), seats, name)
        u = sums[name]
        ok, proof, bounds, exact = prove_unit(
            seats, u.baseline, u.free, u.pending, dict(now.delegates), race.candidates, u.extra
        )
        unknown = unbounded_in(race, scopes) if seats and len(race.candidates) > 1 else []
        if unknown:
            ok, exact = False, False
            bounds = {c: (0, seats) for c in race.candidates}
        if now.pending_lot is not None:
            ok = False
            proof.append(
                f"the current split has an exact tie for the last seat "
                f"({', '.join(now.pending_lot.candidates)})"
            )
        call = UnitCall(
            name,
            seats,
            dict(now.delegates),
            split_of(now)[1],
            "decided" if ok else "undetermined",
            proof,
            exact=exact,
        )
        if unknown:
            _unbounded(call, unknown)
        elif not ok:
            _settle(call, race, allocator, now, scopes, evaluated, search, unit_search, cap)
        if call.status != "open" and now.pending_lot is not None:
            # Its last seat is still to be drawn by lot, whatever the outstanding units do.
            call.status, call.method = "open", "lot"
            call.proof.append(
                "whatever the outstanding units do, the last seat is settled "
                "by lot (rules.md §11 Q6)"
            )
        for c in race.candidates:
            seen = [res[name].delegates.get(c, 0) for _, res in evaluated]
            lo, hi = bounds.get(c, (0, seats))
            a_lo, a_hi = (min(seen), max(seen)) if seen else (lo, hi)
            if call.status == "decided":
                lo = hi = a_lo = a_hi = now.delegates.get(c, 0)
            call.ranges[c] = (lo, hi, a_lo, a_hi)
        calls.append(call)
    return _total(race, allocator, calls, evaluated, search)


def _unbounded(call: UnitCall, unknown: list[str]) -> None:
    """Open: an outstanding unit's D is unknown and undeclared (a Nevada at-large site whose
    delegates follow its turnout), so it can add any number of delegates to one candidate:
    enough to give that candidate every seat of this unit, whichever candidate does not hold
    them all now. No concrete completion is shown: it would need a D to be made up."""
    call.status, call.method, call.exact = "open", "unbounded", True
    call.proof.append(
        f"{', '.join(unknown)}: outstanding, with no known or declared number of delegates, "
        "so it can still give any one candidate every seat of this unit "
        "(give its D, or a maximum, to bound it)"
    )


def _settle(
    call: UnitCall,
    race: RaceInput,
    allocator: Allocator,
    now: UnitAllocation,
    scopes: frozenset[Scope] | None,
    evaluated: Evaluated,
    search: bool,
    unit_search: UnitSearch | None,
    cap: int,
) -> None:
    """A unit the bound could not prove: find a witness, or prove it by exact search."""
    if _found_witness(call, race, allocator, now, scopes, evaluated, search):
        return
    if not search or now.pending_lot is not None:  # a lot: open whatever else happens
        return
    if any(s.limit for s in race.scopes if scopes is None or s.district in scopes):
        call.proof.append(
            "an outstanding satellite site declared no maximum turnout, so its "
            "whole pool is open: not searched exactly (declare the maximum)"
        )
        return
    _search_unit(call, race, allocator, now, scopes, evaluated, unit_search, cap)


def _found_witness(
    call: UnitCall,
    race: RaceInput,
    allocator: Allocator,
    now: UnitAllocation,
    scopes: frozenset[Scope] | None,
    evaluated: Evaluated,
    search: bool,
) -> bool:
    """The vertices already evaluated, then (``search``) pair vertices and two-candidate
    mixes: the first completion that changes the unit's split makes it open."""
    name = call.unit
    now_split = split_of(now)
    for sc, res in evaluated:
        if split_of(res[name]) != now_split:
            _witness(call, sc, res[name], "vertex")
            return True
    if not search or now.pending_lot is not None:
        return False
    top = contenders(race)
    units = race.units()
    pairs = [(a, b) for a in top for b in top if a != b]
    tries = pair_vertices(race, pairs) if any(s.pending for s in race.scopes) else []
    for sc in tries + mix_scenarios(race, pairs, scopes):
        votes = scenario_votes(race, sc)
        res = {n: allocator(unit_votes(votes, sc_), s, n) for n, s, sc_ in units}
        evaluated.append((sc, res))
        if split_of(res[name]) != now_split:
            _witness(call, sc, res[name], "mix")
            return True
    return False


def _search_unit(
    call: UnitCall,
    race: RaceInput,
    allocator: Allocator,
    now: UnitAllocation,
    scopes: frozenset[Scope] | None,
    evaluated: Evaluated,
    unit_search: UnitSearch | None,
    cap: int,
) -> None:
    """Exhaustive search; where it is too large, or could take outstanding satellite sites
    at their maximum turnout only, ``unit_search`` (which proves over every turnout): a
    witness or a proof. Left undetermined only when neither can answer."""
    name, seats = call.unit, call.seats
    now_split = split_of(now)

    def changed(votes: list[dict[str, Fraction]]) -> bool:
        return split_of(allocator(votes[0], seats, name)) != now_split

    witness: Scenario | None = None
    method, exact, why = "exhaustive", False, ""
    try:
        witness, exact = search_exhaustive(race, scopes, changed, cap)
    except SearchTooLarge as exc:
        why = f"not searched exactly: {exc}"
    else:
        why = (
            "no completion with outstanding satellite sites at their maximum "
            "turnout changes it; other turnouts were not searched"
        )
    if witness is None and not exact and unit_search is not None:
        try:
            witness = unit_search(race, scopes, seats, now)
            method, exact = "milp", True
        except SearchTooLarge as exc:
            why = f"{why}; mixed-integer search: {exc}"
    if witness is not None:
        units = race.units()
        votes = scenario_votes(race, witness)
        res = {n: allocator(unit_votes(votes, sc_), s, n) for n, s, sc_ in units}
        evaluated.append((witness, res))
        _witness(call, witness, res[name], method)
    elif exact:
        call.status, call.method, call.exact = "decided", method, True
        call.proof.append(
            "exact search: no admissible completion of the outstanding units "
            "changes this split" + (" (mixed-integer program)" if method == "milp" else "")
        )
    else:
        call.proof.append(why)


def search_exhaustive(
    race: RaceInput,
    scopes: frozenset[Scope] | None,
    changed: Callable[[list[dict[str, Fraction]]], bool],
    cap: int = DEFAULT_CAP,
) -> tuple[Scenario | None, bool]:
    """One bin (the unit's scopes summed): (a changing completion or None, search complete)."""
    res = search(race, scopes, lambda _d: 0, 1, changed, cap=cap)
    if res.witness is not None:
        return (
            Scenario(
                f"a completion found by exhaustive search over {res.outcomes:,} distinct outcomes",
                res.witness.assign,
                res.witness.toss,
                res.witness.splits,
                res.witness.picks,
            ),
            res.exact,
        )
    return None, res.exact


def _witness(call: UnitCall, sc: Scenario, alloc: UnitAllocation, method: str) -> None:
    call.status, call.method = "open", method
    call.witness = sc
    call.witness_split = dict(alloc.delegates)
    call.witness_lot = split_of(alloc)[1]


def _total(
    race: RaceInput,
    allocator: Allocator,
    calls: Sequence[UnitCall],
    evaluated: Evaluated,
    search_more: bool,
) -> NationalCall:
    """The national total: decided when every unit is, or when an exhaustive search shows
    no completion changes the sum; open with a completion whose total differs."""
    total_now: dict[str, int] = {}
    for call in calls:
        for c, k in call.current.items():
            total_now[c] = total_now.get(c, 0) + k
    now_key = _total_key(total_now, [c.current_lot for c in calls])
    status = "decided" if all(c.status == "decided" for c in calls) else "undetermined"
    if any(c.method == "unbounded" for c in calls):
        status = "open"  # that unit's seats can all go to one candidate, and the total with them
    t_wit: Scenario | None = None
    t_split: dict[str, int] | None = None
    if status != "decided":
        for sc, res in evaluated:
            tot = _sum(res.values())
            if _total_key(tot, [split_of(a)[1] for a in res.values()]) != now_key:
                status, t_wit, t_split = "open", sc, tot
                break
    if status == "undetermined" and search_more:
        status, t_wit, t_split = _search_total(race, allocator, now_key, evaluated)
    totals: dict[str, tuple[int, int, int, int]] = {}
    for c in race.candidates:
        lo = sum(u.ranges[c][0] for u in calls)
        hi = sum(u.ranges[c][1] for u in calls)
        seen = [sum(res[n].delegates.get(c, 0) for n in res) for _, res in evaluated]
        if status == "decided":
            seen = [total_now.get(c, 0)]
        totals[c] = (lo, hi, min(seen, default=lo), max(seen, default=hi))
    return NationalCall(list(calls), total_now, status, t_wit, t_split, totals)


def _search_total(
    race: RaceInput, allocator: Allocator, now_key: object, evaluated: Evaluated
) -> tuple[str, Scenario | None, dict[str, int] | None]:
    units = race.units()
    order = [s.district for s in race.scopes]

    def allocate(votes: list[dict[str, Fraction]]) -> dict[str, UnitAllocation]:
        out = {}
        for name, seats, scopes in units:
            v: dict[str, Fraction] = {}
            for b, d in enumerate(order):
                if scopes is None or d in scopes:
                    for c, x in votes[b].items():
                        v[c] = v.get(c, Fraction(0)) + x
            out[name] = allocator(v, seats, name)
        return out

    def changed(votes: list[dict[str, Fraction]]) -> bool:
        res = allocate(votes)
        return _total_key(_sum(res.values()), [split_of(a)[1] for a in res.values()]) != now_key

    try:
        found = search(race, None, order.index, len(order), changed)
    except SearchTooLarge:
        return "undetermined", None, None
    if found.witness is not None:
        res = allocate([scenario_votes(race, found.witness)[d] for d in order])
        evaluated.append((found.witness, res))
        return "open", found.witness, _sum(res.values())
    return ("decided" if found.exact else "undetermined"), None, None


def _sum(allocs: Iterable[UnitAllocation]) -> dict[str, int]:
    tot: dict[str, int] = {}
    for a in allocs:
        for c, k in a.delegates.items():
            tot[c] = tot.get(c, 0) + k
    return tot


def _total_key(total: Mapping[str, int], lots: Sequence[tuple[str, ...]]) -> object:
    return (
        tuple(sorted((c, k) for c, k in total.items() if k)),
        tuple(sorted(tuple(sorted(lot)) for lot in lots if lot)),
    )
