"""Exact search for a changing completion as mixed-integer programs (HiGHS through SciPy).

Rule: rules.md §7.1 (each outstanding precinct's D delegates to any groups, or none), §5.4
(pending tosses), §8.2 (D-Math), §5.7 step 5.2 (Nevada: one delegate each to more than D
groups). Issue 16 item 6: when the bound proves neither outcome and
the outstanding set is too large to search exhaustively
(:class:`~caucuskit.core.exact_search.SearchTooLarge`), this decides the unit.

Inputs: a race, the unit's scopes, seats and current allocation (the
:data:`~caucuskit.core.national_call.UnitSearch` signature).
Outputs: a completion that changes the split (checked exactly with the integer D-Math before
it is returned), or None: no completion does. Raises ``SearchTooLarge`` when the solver hits
its time limit or returns a point that the exact check rejects (inconclusive: never a guess).

The D-Math outcome is piecewise in the unit's votes v (linear in the integer decisions x):
a completion changes the split ``n`` iff for the qualified set Q' it produces, either n gives
seats outside Q', or some pair j, i of Q' has s (v_j - v_i) >= (1 + n_j - n_i) V_Q' (the
Hamilton order breaks, or ties exactly: a lot). One program per (Q', case). Strict
inequalities are relaxed to closed ones, so each program's region contains the exact one:
"infeasible" everywhere is a proof up to the solver's feasibility tolerance (1e-9 on SDE
values of about 1 to 2,000, far below the smallest SDE step of a precinct).
"""

from __future__ import annotations

import itertools
import time
from fractions import Fraction

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]

from caucuskit.core.bounds import RaceInput, Scenario, scenario_votes, unit_votes
from caucuskit.core.exact_search import SearchTooLarge
from caucuskit.core.national import NATIONAL_THRESHOLD, UnitAllocation, fast_allocate
from caucuskit.core.national_bounds import split_of
from caucuskit.core.race_input import ZERO, Scope
from caucuskit.services.call_milp_model import F64, Model

#: Seconds the programs of one unit may take in all before the search says it is
#: inconclusive (the unit then stays "undetermined", never guessed).
TIME_LIMIT = 10.0


Row = tuple[F64, float, float]


def milp_search(
    race: RaceInput, scopes: frozenset[Scope] | None, seats: int, now: UnitAllocation
) -> Scenario | None:
    """A completion of ``scopes`` whose D-Math split differs from ``now``, or None: none does.

    With outstanding satellite sites, "None" is proven over every turnout: first over the
    pool relaxation (sites split in any fractions, rules.md §7.3), where no feasible point is a
    proof; then, if the relaxation leaves a doubt, over each site at its maximum turnout
    (whole), where a point is a real completion. A doubt that neither settles raises
    :class:`SearchTooLarge` (the unit stays undetermined, never guessed)."""
    deadline = time.monotonic() + TIME_LIMIT
    chosen = [s for s in race.scopes if scopes is None or s.district in scopes]
    sites = any(s.sites_open for s in chosen)
    if sites:
        try:
            return _run(Model(race, scopes, relax_sites=True), race, scopes, seats, now, deadline)
        except SearchTooLarge:
            pass  # a doubt: search the sites whole
    m = Model(race, scopes)
    if m.size == 0:  # nothing outstanding: the split is what it is
        return None
    found_whole = _run(m, race, scopes, seats, now, deadline)
    if found_whole is None and sites:
        raise SearchTooLarge(
            "no completion with the outstanding satellite sites whole at their maximum "
            "turnout changes it, but the relaxation over every turnout does not rule one out"
        )
    return found_whole


def _run(
    m: Model,
    race: RaceInput,
    scopes: frozenset[Scope] | None,
    seats: int,
    now: UnitAllocation,
    deadline: float,
) -> Scenario | None:
    """Every program of ``m``: the first point that the exact D-Math confirms, or None when
    every program is infeasible; ``SearchTooLarge`` past the deadline or on a doubt."""
    if m.size == 0:
        return None
    now_split = split_of(now)
    inconclusive = False
    for rows in _cases(m, race, scopes, seats, now):
        left = deadline - time.monotonic()
        if left <= 0:
            raise SearchTooLarge(f"the mixed-integer search took more than {TIME_LIMIT:g} s")
        state, z = _solve(m, rows, left)
        if state == "infeasible":
            continue
        if z is None:
            inconclusive = True
            continue
        sc = m.scenario(z)
        votes = unit_votes(scenario_votes(race, sc), scopes)
        if m.whole(sc) and split_of(fast_allocate(votes, seats)) != now_split:
            return sc
        inconclusive = True  # a boundary point (or a fractional site) the exact check rejects
    if inconclusive:
        raise SearchTooLarge("the mixed-integer search was inconclusive")
    return None


def _regime_rows(
    m: Model, kind: str, q_set: frozenset[int], leader: int | None, step: float
) -> list[Row]:
    """The constraints that a completion lands in this (rule, qualified set, leader)."""
    t_num, t_den = NATIONAL_THRESHOLD.numerator, NATIONAL_THRESHOLD.denominator
    total_coef = m.coef.sum(axis=0)
    total_base = float(m.base.sum())
    inf = float("inf")
    rows: list[Row] = []
    for k in range(len(m.cands)):
        a, b = m.coef[k], float(m.base[k])
        # t_den v_k - t_num V  (>= 0: qualifies at 15%; <= 0: does not)
        ra = t_den * a - t_num * total_coef
        rb = t_den * b - t_num * total_base
        if kind == "15%":
            rows.append((ra, rb, 0.0) if k in q_set else (ra, rb + step, -inf))
        else:
            rows.append((ra, rb + step, -inf))  # nobody at 15%
            assert leader is not None  # a half-of-leader regime names its leader
            la, lb_ = m.coef[leader], float(m.base[leader])
            rows.append((la - a, lb_ - b, 0.0))  # the leader is the largest
            if k in q_set:
                rows.append((2 * a - la, 2 * b - lb_, 0.0))
            else:
                rows.append((2 * a - la, 2 * b - lb_ + step, -inf))
    rows.append((total_coef, total_base - step, 0.0))  # V > 0 (V >= step)
    return rows


def _cases(
    m: Model,
    race: RaceInput,
    scopes: frozenset[Scope] | None,
    seats: int,
    now: UnitAllocation,
) -> list[list[Row]]:
    """One program per (regime, broken Hamilton pair): feasible iff a completion in that
    regime changes the split (rules.md §8.2)."""
    cands = m.cands
    n = {c: now.delegates.get(c, 0) for c in cands}
    # Strict inequalities as "<= -step": every value is a multiple of 1/L (L the common
    # denominator), so a strict one holds iff it holds by at least 1/L. When 1/L is below
    # what floating point resolves, the closed form is used and a rejected point makes the
    # search inconclusive instead.
    step = 1.0 / m.denominator if m.denominator < 10**7 else 0.0
    cases: list[list[Row]] = []
    for kind, q_set, leader in _regimes(race, scopes):
        base_rows = _regime_rows(m, kind, q_set, leader, step)
        # changed: seats outside Q', or a pair of Q' out of Hamilton order (or tied exactly)
        if sum(n.values()) != seats or any(n[c] for k, c in enumerate(cands) if k not in q_set):
            cases.append(base_rows)  # every outcome here differs (nothing or a lot now)
            continue
        q_coef = sum((m.coef[k] for k in q_set), np.zeros(m.size))
        q_base = float(sum(m.base[k] for k in q_set))
        for j, i in itertools.permutations(sorted(q_set), 2):
            w = 1 + n[cands[j]] - n[cands[i]]
            a = seats * (m.coef[j] - m.coef[i]) - w * q_coef
            b = seats * float(m.base[j] - m.base[i]) - w * q_base
            cases.append([*base_rows, (a, b, 0.0)])
    return cases


def _regimes(
    race: RaceInput, scopes: frozenset[Scope] | None
) -> list[tuple[str, frozenset[int], int | None]]:
    """Every (rule, qualified set, leader) a completion can produce, narrowed by the share
    bounds of rules.md §8.2: a candidate sure of 15% is in every qualified set, one that
    cannot reach 15% in none (and then no half-of-leader fallback is possible)."""
    cands = race.candidates
    chosen = [s for s in race.scopes if scopes is None or s.district in scopes]
    base = {c: sum((s.baseline.get(c, Fraction(0)) for s in chosen), Fraction(0)) for c in cands}
    free = sum((s.free for s in chosen), Fraction(0))
    pend = [p for s in chosen for p in s.pending]
    o_all = free + sum((p.mass for p in pend), Fraction(0)) + sum((s.extra for s in chosen), ZERO)
    total = sum(base.values(), Fraction(0))
    o_k = {c: free + sum((p.value for p in pend if c in p.groups), Fraction(0)) for c in cands}
    thr = NATIONAL_THRESHOLD
    must = {
        k
        for k, c in enumerate(cands)
        if base[c] > 0 and total + o_all and base[c] / (total + o_all) >= thr
    }
    may = {
        k
        for k, c in enumerate(cands)
        if base[c] + o_k[c] > 0 and (base[c] + o_k[c]) / (total + o_k[c]) >= thr
    }
    out: list[tuple[str, frozenset[int], int | None]] = []
    optional = sorted(may - must)
    for size in range(len(optional) + 1):
        for extra in itertools.combinations(optional, size):
            q = frozenset(must) | frozenset(extra)
            if q:
                out.append(("15%", q, None))
    if not must:
        alive = [k for k, c in enumerate(cands) if base[c] + o_k[c] > 0]
        for size in range(1, len(alive) + 1):
            for group in itertools.combinations(alive, size):
                for leader in group:
                    out.append(("half-of-leader", frozenset(group), leader))
                    if len(out) > 400:
                        raise SearchTooLarge("too many qualified sets to program")
    return out


def _solve(
    m: Model, extra: list[tuple[F64, float, float]], seconds: float
) -> tuple[str, F64 | None]:
    """("feasible", a point), ("infeasible", None) or ("unknown", None): no answer in time."""
    a_rows, lo, hi = m.structure
    rows = [a_rows]
    los = [lo]
    his = [hi]
    for a, b, bound in extra:
        rows.append(a.reshape(1, -1))
        if bound == 0.0:
            los.append(np.array([-b]))
            his.append(np.array([np.inf]))
        else:
            los.append(np.array([-np.inf]))
            his.append(np.array([-b]))
    cons = LinearConstraint(np.vstack(rows), np.concatenate(los), np.concatenate(his))
    res = milp(
        np.zeros(m.size),
        constraints=cons,
        integrality=m.integrality,
        bounds=Bounds(np.zeros(m.size), m.upper),
        options={"time_limit": seconds, "presolve": True},
    )
    if res.status == 0 and res.x is not None:
        return "feasible", np.asarray(res.x, dtype=np.float64)
    if res.status == 2:
        return "infeasible", None
    return "unknown", None
