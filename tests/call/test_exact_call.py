"""Brute force: the race call says "decided" exactly when no completion changes the result.

Rule: rules.md §7.1 (an outstanding precinct's D delegates may go to any groups, or to none
when nobody comes), §5.4 (a pending toss gives its delegates to any ``winners`` of its groups),
§8.2 (D-Math per unit). Issue 16 items 1 and 6.

Small random elections (two districts, two precincts each, one to three delegates
per precinct, three candidates, few national seats so that thresholds and remainders bite),
a random partial night tabulated for real, then EVERY admissible completion enumerated here,
independently of the call's own search, and judged with the reference D-Math
(:func:`caucuskit.core.national.allocate_unit`). The call must say "decided" iff no completion
changes the result, "open" only with a completion that really changes it (or a last seat
already tied exactly, to be drawn by lot), and never "undetermined".
"""

from __future__ import annotations

import functools
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caucuskit.core.bounds import call_race, scenario_votes, unit_votes
from caucuskit.core.election import Candidate, County, NationalDelegates, Precinct, make_election
from caucuskit.core.exact_search import compositions
from caucuskit.core.national import allocate_unit
from caucuskit.core.report import PrecinctReport
from caucuskit.services.call import tracker_from_tabulation
from caucuskit.services.tabulate import tabulate

CANDS = ("A", "B", "C")
ZERO = Fraction(0)


@st.composite
def elections(draw: Any) -> Any:
    counties = (
        County("North", 1, Fraction(draw(st.integers(1, 9)))),
        County("South", 2, Fraction(draw(st.integers(1, 9)))),
    )
    precincts = []
    for county in ("North", "South"):
        for i in range(2):
            precincts.append(
                Precinct(county, f"{county}-{i}", f"{county[0]}{i}", draw(st.integers(1, 3)))
            )
    seats = st.integers(1, 4)
    return make_election(
        id="tiny",
        title="Tiny",
        ruleset="ia-2020",
        candidates=tuple(Candidate(c) for c in CANDS),
        counties=counties,
        precincts=tuple(precincts),
        national=NationalDelegates(
            {1: draw(seats), 2: draw(seats)}, at_large=draw(seats), pleo=draw(seats)
        ),
    )


@st.composite
def nights(draw: Any) -> Any:
    e = draw(elections())
    keys = [p.key for p in e.precincts]
    reported = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys) - 1))
    reports = []
    for k in reported:
        final = {c: draw(st.integers(0, 6)) for c in CANDS}
        if not any(final.values()):
            final["A"] = 1
        reports.append(PrecinctReport(k[0], k[1], sum(final.values()), dict(final), dict(final)))
    return e, reports


def _outcomes(e: Any, tab: Any) -> Any:
    """Per district: every distinct SDE vector an admissible completion can end with."""
    reported = {u.precinct.key for u in tab.units}
    per_scope: dict[int, set[tuple[Fraction, ...]]] = {}
    for d in (1, 2):
        start = [ZERO] * len(CANDS)
        options: list[list[tuple[Fraction, ...]]] = []
        for u in tab.units:
            if u.county.district != d:
                continue
            ratio = u.value / u.delegates
            for c, n in u.recount.won.items():
                start[CANDS.index(c)] += ratio * n
            if u.recount.pending is not None:  # every full outcome of the toss(es)
                options.append(
                    [
                        tuple(ratio * (o.get(c, 0) - u.recount.won.get(c, 0)) for c in CANDS)
                        for o in u.recount.outcomes
                    ]
                )
        for p in e.precincts:
            if p.key in reported or e.county_by_name[p.county].district != d:
                continue
            ratio = e.precinct_sde_value(p) / p.delegates
            opts = [
                tuple(ratio * dict(sp).get(c, 0) for c in CANDS)
                for sp in compositions(p.delegates, CANDS)
            ]
            options.append([*opts, (ZERO,) * len(CANDS)])  # or nobody came
        vecs = set()
        for combo in itertools.product(*options):
            vecs.add(tuple(start[i] + sum(o[i] for o in combo) for i in range(len(CANDS))))
        per_scope[d] = vecs
    return per_scope


@functools.lru_cache(maxsize=100_000)
def _alloc(vec: Any, seats: Any) -> Any:
    return _key(allocate_unit({c: v for c, v in zip(CANDS, vec, strict=True) if v}, seats))


def _key(a: Any) -> Any:
    """An allocation as (sorted delegates, sorted candidates of a pending lot)."""
    lot = () if a.pending_lot is None else tuple(sorted(a.pending_lot.candidates))
    return tuple(sorted(a.delegates.items())), lot


def _results(e: Any, per_scope: Any) -> Any:
    """Every (per-unit outcome, statewide SDEs) an admissible completion can give."""
    nat = e.national
    out = set()
    # Judged per distinct outcome (cached); enumerated jointly for the total.
    for v1, v2 in itertools.product(per_scope[1], per_scope[2]):
        state = tuple(a + b for a, b in zip(v1, v2, strict=True))
        units = {
            "CD1": _alloc(v1, nat.district[1]),
            "CD2": _alloc(v2, nat.district[2]),
            "at-large": _alloc(state, nat.at_large),
            "PLEO": _alloc(state, nat.pleo),
        }
        out.add((tuple(sorted(units.items())), state))
    return out


def _total(units: Any) -> Any:
    tot: dict[str, int] = {}
    lots = []
    for _, (split, lot) in units:
        for c, k in split:
            tot[c] = tot.get(c, 0) + k
        if lot:
            lots.append(lot)
    return tuple(sorted((c, k) for c, k in tot.items() if k)), tuple(sorted(lots))


def _brute_force(data: Any) -> tuple[Any, Any, dict[int | None, dict[str, Fraction]]]:
    """The night's race, every outcome an admissible completion can give, and the current
    votes per scope."""
    e, reports = data
    tab = tabulate(e, reports)
    race = tracker_from_tabulation(tab).race()
    results = _results(e, _outcomes(e, tab))
    return race, results, {s.district: dict(s.current) for s in race.scopes}


def _agrees(race: Any, scopes: Any, seats: Any, found: Any, changes: bool, where: Any) -> None:
    """A search found a completion exactly when one changes the unit, and it really does."""
    assert (found is not None) == changes, where
    if found is not None:
        votes = unit_votes(scenario_votes(race, found), scopes)
        assert _alloc(tuple(votes.get(c, ZERO) for c in CANDS), seats) != where[1]


@pytest.mark.parametrize("method", ["exhaustive", "milp"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=nights())
def test_decided_iff_no_completion_changes_it(method: Any, data: Any) -> None:
    """Both exact searches: the exhaustive one, and (its cap set to 0) the mixed-integer one."""
    e, reports = data
    tab = tabulate(e, reports)
    race = tracker_from_tabulation(tab).race()
    if method == "milp":
        from caucuskit.services.call_milp import milp_search

        call = call_race(race, unit_search=milp_search, cap=0)
    else:
        call = call_race(race)
    results = _results(e, _outcomes(e, tab))
    nat = call.national
    for u in nat.units:
        assert u.status != "undetermined", (u.unit, u.proof)
        now = (tuple(sorted(u.current.items())), tuple(sorted(u.current_lot)))
        finals = {dict(units)[u.unit] for units, _ in results}
        changes = any(f != now for f in finals)
        if u.status == "decided":
            assert not changes and not u.current_lot, (u.unit, u.proof, finals, now)
        else:
            assert changes or u.current_lot, (u.unit, u.proof, u.method)
            if u.witness is not None:  # the witness really changes it (reference D-Math)
                votes = unit_votes(scenario_votes(race, u.witness), _scopes(race, u.unit))
                assert _alloc(tuple(votes.get(c, ZERO) for c in CANDS), u.seats) != now
            else:
                assert u.method == "lot" and u.current_lot
    total_now = _total(
        [
            (u.unit, (tuple(sorted(u.current.items())), tuple(sorted(u.current_lot))))
            for u in nat.units
        ]
    )
    total_changes = any(_total(units) != total_now for units, _ in results)
    assert nat.total_status != "undetermined"
    assert (nat.total_status == "decided") == (not total_changes), nat.total_status
    # SDE ranges are tight: the least and most over every completion, both attained.
    for r in call.sde:
        i = CANDS.index(r.candidate)
        values = [state[i] for _, state in results]
        assert (r.low, r.high) == (min(values), max(values)), r
        assert r.high_attained  # no satellites here: every bound is reached
        assert r.current == sum((s.current.get(r.candidate, ZERO) for s in race.scopes), ZERO)
    # The SDE lead: decided iff in every completion the leader stays strictly ahead.
    lead = call.lead
    if lead.leader is not None:
        li = CANDS.index(lead.leader)
        catch = any(
            state[i] >= state[li] for _, state in results for i in range(len(CANDS)) if i != li
        )
        assert lead.decided == (not catch)


def _scopes(race: Any, unit: Any) -> Any:
    return next(scopes for name, _, scopes in race.units() if name == unit)


def test_an_exactly_attainable_sde_tie_keeps_the_lead_open() -> None:
    """Guards ``PairCall.can_tie`` (issue 16: a tie attained exactly must keep it open)."""
    e = make_election(
        id="tie",
        title="Tie",
        ruleset="ia-2020",
        candidates=tuple(Candidate(c) for c in CANDS),
        counties=(County("North", 1, Fraction(4)), County("South", 2, Fraction(4))),
        precincts=(Precinct("North", "N0", "N0", 2), Precinct("South", "S0", "S0", 2)),
        national=NationalDelegates({1: 1, 2: 1}, at_large=1, pleo=1),
    )
    # North (2 SDEs) to A; South (2 SDEs) still out: B can reach exactly 2, a tie.
    reports = [PrecinctReport("North", "N0", 10, {"A": 10}, {"A": 10})]
    call = call_race(tracker_from_tabulation(tabulate(e, reports)).race())
    pair = next(p for p in call.lead.pairs if p.trailer == "B")
    assert pair.best == 0 and pair.can_tie and not pair.can_overtake
    assert not call.lead.decided


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nights())
def test_mixed_integer_search_agrees_with_brute_force(data: Any) -> None:
    """The MILP search (used when the exhaustive one is too large) finds a changing
    completion exactly when one exists, and its completion really changes the split."""
    from caucuskit.core.national import fast_allocate
    from caucuskit.services.call_milp import milp_search

    race, results, cur = _brute_force(data)
    for name, seats, scopes in race.units():
        now = fast_allocate(unit_votes(cur, scopes), seats)
        if now.pending_lot is not None:
            continue  # the call reports a current lot as open before any search
        now_key = _key(now)
        changes = any(dict(units)[name] != now_key for units, _ in results)
        found = milp_search(race, scopes, seats, now)
        _agrees(race, scopes, seats, found, changes, (name, now_key))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nights())
def test_exhaustive_search_agrees_with_brute_force(data: Any) -> None:
    """The core's exhaustive search, run on every unit (not only where the bound and the
    vertices fail): a changing completion exactly when one exists, and a real one."""
    from caucuskit.core.national import fast_allocate
    from caucuskit.core.national_bounds import split_of
    from caucuskit.core.national_call import search_exhaustive

    race, results, cur = _brute_force(data)
    for name, seats, scopes in race.units():
        now = fast_allocate(unit_votes(cur, scopes), seats)
        now_key = _key(now)
        changes = any(dict(units)[name] != now_key for units, _ in results)

        def changed(votes: Any, seats: Any = seats, now: Any = now) -> Any:
            return split_of(fast_allocate(votes[0], seats)) != split_of(now)

        found, exact = search_exhaustive(race, scopes, changed)
        assert exact
        _agrees(race, scopes, seats, found, changes, (name, now_key))
