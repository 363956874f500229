"""Edges of the race call's exact searches, pinned (issue 16 item 7, mutants).

Rule: rules.md §7.1 (an outstanding precinct's D delegates in any split, or none), §7.3 (a
satellite site whole), §5.7 step 5.2 (Nevada: one each to more than D groups), §8.2 (D-Math
per unit, the national total as their sum).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from call.test_exact_call import _outcomes, _results, _total, nights
from caucuskit.core.bounds import RaceInput, ScopeState, call_race
from caucuskit.core.election import NationalDelegates
from caucuskit.core.exact_search import SearchTooLarge, compositions, item_splits
from caucuskit.core.national import fast_allocate
from caucuskit.core.national_bounds import split_of
from caucuskit.core.national_call import _search_total, _total_key, search_exhaustive
from caucuskit.services.call import tracker_from_tabulation
from caucuskit.services.tabulate import tabulate

F = Fraction
CANDS = ("A", "B", "C")


def _scope(**kw: Any) -> ScopeState:
    return ScopeState(1, {}, {}, (("p", F(2)),), **kw)


def test_item_splits_of_a_precinct_a_site_an_extra_and_an_upto_unit() -> None:
    """Guards ``item_splits``: every admissible award, and nothing else, for each kind."""
    whole = set(compositions(2, CANDS))
    assert set(item_splits(_scope(item_seats=(2,)), 0, CANDS)) == whole | {()}
    assert item_splits(_scope(item_seats=(0,)), 0, CANDS) == [(("A", 1),), (("B", 1),), (("C", 1),)]
    extra = set(item_splits(_scope(item_seats=(2,), item_most=(3,)), 0, CANDS))
    assert extra == whole | {(), (("A", 1), ("B", 1), ("C", 1))}
    upto = set(item_splits(_scope(item_seats=(2,), item_upto=(True,)), 0, CANDS))
    assert upto == whole | set(compositions(1, CANDS)) | {()}
    # a most above the number of groups adds nothing it cannot give
    assert set(item_splits(_scope(item_seats=(2,), item_most=(6,)), 0, CANDS)) == extra


def test_exhaustive_search_of_a_unit_respects_its_cap() -> None:
    """``search_exhaustive`` passes its cap on: past it, the search says so."""
    items = tuple((f"p{i}", F(1)) for i in range(6))
    scope = ScopeState(1, {"A": F(3)}, {"A": F(3)}, items, item_seats=(1,) * 6)
    race = RaceInput(CANDS, (scope,), NationalDelegates({1: 2}, 0, 0))
    with pytest.raises(SearchTooLarge):
        search_exhaustive(race, frozenset({1}), lambda _v: False, cap=5)
    assert search_exhaustive(race, frozenset({1}), lambda _v: False) == (None, True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=nights())
def test_national_total_search_agrees_with_brute_force(data: Any) -> None:
    """Guards ``_search_total`` (the national total searched jointly over every scope):
    open, with a completion whose total really differs, iff some completion changes the
    total (recomputed with the reference D-Math per unit); else decided."""
    e, reports = data
    tab = tabulate(e, reports)
    race = tracker_from_tabulation(tab).race()
    call = call_race(race)
    units = call.national.units
    now_key = _total_key(call.national.total_current, [u.current_lot for u in units])
    status, witness, split = _search_total(race, fast_allocate, now_key, [])
    results = _results(e, _outcomes(e, tab))
    now = _total(
        [(u.unit, (tuple(sorted(u.current.items())), tuple(sorted(u.current_lot)))) for u in units]
    )
    changes = any(_total(r) != now for r, _ in results)
    assert status == ("open" if changes else "decided")
    if witness is not None:
        assert split is not None and changes


def test_national_total_search_with_a_site_at_its_maximum_is_not_a_proof() -> None:
    """A satellite site searched whole at its maximum only: finding no change there is not
    a proof for the total (other turnouts were not searched)."""
    scope = ScopeState(
        1,
        {"A": F(10), "B": F(1)},
        {"A": F(10), "B": F(1)},
        (("site", F(2)),),
        item_seats=(0,),
        sites_open=True,
    )
    race = RaceInput(CANDS, (scope,), NationalDelegates({1: 1}, 0, 0))
    now = fast_allocate({"A": F(10), "B": F(1)}, 1)
    key = _total_key(dict(now.delegates), [split_of(now)[1]])
    assert _search_total(race, fast_allocate, key, [])[0] == "undetermined"
