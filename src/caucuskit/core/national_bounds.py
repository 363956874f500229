"""Proofs for national units: is a unit's D-Math split fixed over every completion?

Rule: rules.md §8.2 (D-Math: 15% threshold, half-of-leader fallback, largest remainders),
§7.1 and §5.4 (what the outstanding precincts and pending tosses can still add).

Inputs: a unit's baseline SDEs, open mass and pending tosses (:func:`unit_sums`), its seats
and its current split.
Outputs: :func:`prove_unit` (a sufficient proof, also necessary when the qualified set is
fixed and no toss is pending, with proven seat bounds), the vertex completions
(:func:`vertex_scenarios`, evaluated fast by :func:`vertex_votes`) and two-candidate mixes
(:func:`mix_scenarios`) that the call tries first as witnesses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from caucuskit.core.national import NATIONAL_THRESHOLD, UnitAllocation
from caucuskit.core.race_input import (
    ZERO,
    Pending,
    RaceInput,
    Scenario,
    Scope,
    dec,
    extra_in,
    open_mass,
    pending_in,
    sum_scopes,
    toss_pick,
)


def split_of(a: UnitAllocation) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    """A unit's outcome as compared by the call: the delegates and any exact last-seat tie."""
    lot = () if a.pending_lot is None else a.pending_lot.candidates
    return tuple(sorted(a.delegates.items())), lot


def vertex_scenarios(race: RaceInput, focus: Sequence[str]) -> list[Scenario]:
    """Vertices: every open mass to one candidate (each candidate in turn)."""
    out = []
    for c in focus:
        assign = {s.district: ((c, len(s.items)),) for s in race.scopes}
        out.append(Scenario(f"every outstanding unit to {c}", assign, c))
    return out


def pair_vertices(race: RaceInput, pairs: Sequence[tuple[str, str]]) -> list[Scenario]:
    """For a pair (j, i): every open mass to j, and every pending toss to j where it may win,
    then to groups other than i, i last: the completion that raises j against i most."""
    out = []
    pending = [p for s in race.scopes for p in s.pending]
    for j, i in pairs:
        picks: dict[str, tuple[str, ...]] = {}
        for p in pending:
            order = ([j] if j in p.groups else []) + [g for g in p.groups if g not in (i, j)]
            order += [i] if i in p.groups else []
            picks[p.key] = tuple(order[: p.winners])
        assign = {s.district: ((j, len(s.items)),) for s in race.scopes}
        out.append(
            Scenario(
                f"every outstanding unit to {j}, and every pending toss against {i}",
                assign,
                j,
                {},
                picks,
            )
        )
    return out


def mix_scenarios(
    race: RaceInput,
    pairs: Sequence[tuple[str, str]],
    scopes: frozenset[Scope] | None,
    steps: int = 8,
) -> list[Scenario]:
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
            out.append(
                Scenario(
                    f"about {k}/{steps} of the outstanding SDEs to {a}, the rest to {b}", assign, a
                )
            )
    return out


def _seat_bounds(
    seats: int,
    base: Mapping[str, Fraction],
    o_k: Mapping[str, Fraction],
    lo_share: Mapping[str, Fraction],
    must: Sequence[str],
    may: Sequence[str],
    candidates: Sequence[str],
) -> dict[str, tuple[int, int]]:
    """Proven seat bounds per candidate (rules.md §8.2): none outside ``may``; the floor of
    the least quota to the most a candidate's best share among ``must`` can round up to."""
    if not must:
        return {c: (0, seats) for c in candidates}
    bounds: dict[str, tuple[int, int]] = {}
    must_total = {c: sum((base.get(j, ZERO) for j in must if j != c), ZERO) for c in candidates}
    for c in candidates:
        if c not in may:
            bounds[c] = (0, 0)
            continue
        top = base.get(c, ZERO) + o_k[c]
        qhi = seats * top / (top + must_total[c]) if top else ZERO
        lo = math.floor(seats * lo_share[c]) if c in must else 0
        bounds[c] = (min(lo, seats), min(seats, math.ceil(qhi)))
    return bounds


def _hamilton_fixed(
    seats: int,
    base: Mapping[str, Fraction],
    o_k: Mapping[str, Fraction],
    o_all: Fraction,
    q_set: Sequence[str],
    n: Mapping[str, int],
) -> tuple[bool, str | None]:
    """Whether the largest-remainder order of ``q_set`` is fixed (every pair's
    max(q_j - n_j) - (q_i - n_i) < 1, rules.md §8.2 step 4), and the closest pair's line."""
    c_q = sum((base.get(c, ZERO) for c in q_set), ZERO)
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
    if worst is None:
        return ok, None
    gap, j, i = worst
    rel = "<" if gap < 0 else ">="
    return ok, (
        f"remainder order fixed: the closest pair is {j} over {i}, where "
        f"max(q_{j} - n_{j}) - (q_{i} - n_{i}) = {dec(gap + 1, 4)} {rel} 1"
    )


def prove_unit(
    seats: int,
    base: Mapping[str, Fraction],
    free: Fraction,
    pend: Sequence[Pending],
    current: Mapping[str, int],
    candidates: Sequence[str],
    extra: Fraction = ZERO,
) -> tuple[bool, list[str], dict[str, tuple[int, int]], bool]:
    """Exact test that the split stays ``current`` over every completion, and proven seat bounds.

    Let T = sum of baselines, O = open mass (free + pending + ``extra``). Shares: min_k =
    c_k / (T + O) (all to others), max_k <= (c_k + O_k) / (T + O_k) where O_k is what k may
    win. If every qualified k has min_k >= 15% and every other has max_k < 15%, the qualified
    set Q is the same in every completion (no half-of-leader fallback). Then the
    largest-remainder split n is the unique outcome iff max (q_j - n_j) - (q_i - n_i) < 1 over
    completions (Hamilton), and the max of q_j - q_i is s (c_j - c_i + O_j) / (c_Q + O_j) (or
    over c_Q + O when negative), attained by "all open mass to j" when nothing is restricted.
    ``extra``: what outstanding precincts can award beyond their D, to groups that each win
    one delegate (Nevada, rules.md §5.7 step 5.2): it widens O (no one candidate can win it).
    Returns (decided, proof lines, proven seat bounds, exact) where ``exact`` says the test
    is also necessary (no restricted pending mass, no extra delegates).
    """
    total = sum(base.values(), ZERO)
    o_all = free + sum((p.mass for p in pend), ZERO) + extra
    if total == 0 and o_all == 0:
        return (
            True,
            ["nothing to allocate: this unit has no SDEs, and none can come"],
            {c: (0, 0) for c in candidates},
            True,
        )
    o_k = {c: free + sum((p.value for p in pend if c in p.groups), ZERO) for c in candidates}
    exact = not pend and not extra
    thr = NATIONAL_THRESHOLD
    lo_share: dict[str, Fraction] = {}
    hi_share: dict[str, Fraction] = {}
    for c in candidates:
        cb = base.get(c, ZERO)
        lo_share[c] = cb / (total + o_all) if total + o_all else ZERO
        hi_share[c] = (cb + o_k[c]) / (total + o_k[c]) if total + o_k[c] else ZERO
    must = [c for c in candidates if base.get(c, ZERO) > 0 and lo_share[c] >= thr]
    may = [c for c in candidates if hi_share[c] >= thr and base.get(c, ZERO) + o_k[c] > 0]
    bounds = _seat_bounds(seats, base, o_k, lo_share, must, may, candidates)
    proof: list[str] = []
    if not must or set(must) != set(may):
        movers = sorted(set(may) - set(must))
        proof.append(
            "the set of candidates over 15% can still change"
            + (f" ({', '.join(movers)})" if movers else " (nobody is sure to qualify)")
        )
        return False, proof, bounds, False
    q_set = sorted(must)
    low_c = min(q_set, key=lambda c: lo_share[c])
    proof.append(
        f"qualified set fixed: {', '.join(q_set)}; the lowest share any of them can "
        f"fall to is {low_c} {_pct(lo_share[low_c])} >= 15%"
    )
    others = [c for c in candidates if c not in q_set and hi_share[c] > 0]
    if others:
        top_o = max(others, key=lambda c: hi_share[c])
        proof.append(
            f"no one else can reach 15%: the highest is {top_o} at most {_pct(hi_share[top_o])}"
        )
    n = {c: current.get(c, 0) for c in q_set}
    if sum(n.values()) != seats or any(c not in q_set for c in current):
        proof.append("the current split is not a complete allocation on this qualified set")
        return False, proof, bounds, exact
    ok, line = _hamilton_fixed(seats, base, o_k, o_all, q_set, n)
    if line is not None:
        proof.append(line)
    if ok:
        bounds = {c: (current.get(c, 0), current.get(c, 0)) for c in candidates}
    return ok, proof, bounds, exact


def _pct(x: Fraction) -> str:
    return dec(x * 100, 3) + "%"


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
    #: what the outstanding units can award beyond their D (rules.md §5.7 step 5.2)
    extra: Fraction = ZERO

    def scaled(
        self,
    ) -> tuple[int, dict[str, int], int, dict[str, list[tuple[int, list[str], list[str]]]]]:
        """(L, settled x L, free x L, moves with each toss value x L) in whole numbers."""
        got = self.__dict__.get("_scaled")
        if got is not None:
            return got  # type: ignore[no-any-return]
        dens = [v.denominator for v in self.settled.values()]
        dens.append(self.free.denominator)
        dens.extend(p.value.denominator for p in self.pending)
        scale = math.lcm(*dens)
        settled = {c: v.numerator * (scale // v.denominator) for c, v in self.settled.items()}
        free = self.free.numerator * (scale // self.free.denominator)
        moves = {
            c: [(p.value.numerator * (scale // p.value.denominator), d, ch) for p, d, ch in lst]
            for c, lst in self.moves.items()
        }
        out = (scale, settled, free, moves)
        object.__setattr__(self, "_scaled", out)
        return out


UnitSums = dict[str, UnitSum]


def unit_sums(race: RaceInput) -> UnitSums:
    """Per national unit (rules.md §8.2 step 5): the sums :func:`vertex_votes` starts from."""
    out: UnitSums = {}
    for name, _, scopes in race.units():
        base = sum_scopes(race, scopes, "baseline")
        pend = pending_in(race, scopes)
        settled = dict(base)
        moves: dict[str, list[tuple[Pending, list[str], list[str]]]] = {}
        for p in pend:
            default = toss_pick(p, "")
            for g in default:
                settled[g] = settled.get(g, ZERO) + p.value
            for c in p.groups:
                if c not in default:
                    moves.setdefault(c, []).append((p, default, toss_pick(p, c)))
        out[name] = UnitSum(
            base, open_mass(race, scopes)[0], pend, settled, moves, extra_in(race, scopes)
        )
    return out


def vertex_votes(sums: UnitSums, c: str) -> dict[str, dict[str, Fraction]]:
    """Per unit, the votes of the vertex "every outstanding unit to ``c``" (the scenario of
    :func:`vertex_scenarios`): the same as summing :func:`scenario_votes` over the unit's scopes,
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


def scaled_vertex_votes(sums: UnitSums, c: str) -> dict[str, dict[str, Fraction]]:
    """:func:`vertex_votes` multiplied, per unit, by one common denominator of that unit's
    sums, so every value is a whole number. D-Math depends only on ratios of votes (rules.md
    §8.2), so the delegates and any lot are the same; the integer D-Math then skips its own
    common-denominator work, which at national scale (huge denominators) is most of the call.
    Only the split may be read from the result, not the votes or shares."""
    out: dict[str, dict[str, Fraction]] = {}
    for name, u in sums.items():
        _, settled, free, moves = u.scaled()
        v = dict(settled)
        if free:
            v[c] = v.get(c, 0) + free
        for value, default, chosen in moves.get(c, ()):
            for g in default:
                v[g] -= value
            for g in chosen:
                v[g] = v.get(g, 0) + value
        out[name] = {k: Fraction(x) for k, x in v.items() if x}
    return out


def contenders(race: RaceInput, limit: int = 6) -> list[str]:
    """The candidates worth mixing: the largest by baseline plus open mass, at most ``limit``."""
    base = sum_scopes(race, None, "baseline")
    ranked = sorted(race.candidates, key=lambda c: (-base.get(c, ZERO), c))
    return ranked[:limit]
