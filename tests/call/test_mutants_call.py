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
from caucuskit.core.bounds import (
    Pending,
    RaceInput,
    ScopeState,
    SiteReport,
    call_race,
    lead_call,
    satellite_terms,
)
from caucuskit.core.election import NationalDelegates
from caucuskit.core.exact_search import SearchTooLarge, compositions, item_splits
from caucuskit.core.model import PendingTie
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


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=nights())
def test_seat_ranges_hold_every_completion(data: Any) -> None:
    """Guards the seat ranges of ``national_call`` and ``_total``: per unit and in total, the
    proven range holds every completion's seats, the attained range is reached by real
    completions, a decided unit's range is its current split, and the current total is the
    sum of the units' current splits (brute force as in test_exact_call)."""
    e, reports = data
    tab = tabulate(e, reports)
    call = call_race(tracker_from_tabulation(tab).race())
    results = _results(e, _outcomes(e, tab))
    nat = call.national
    for u in nat.units:
        finals = [dict(dict(units)[u.unit][0]) for units, _ in results]
        for c, (lo, hi, a_lo, a_hi) in u.ranges.items():
            seats = [f.get(c, 0) for f in finals]
            assert lo <= min(seats) <= a_lo <= a_hi <= max(seats) <= hi, (u.unit, c)
            if u.status == "decided":
                assert lo == hi == a_lo == a_hi == u.current.get(c, 0)
    summed: dict[str, int] = {}
    for u in nat.units:
        for c, k in u.current.items():
            summed[c] = summed.get(c, 0) + k
    assert nat.total_current == summed
    totals = [dict(_total(units)[0]) for units, _ in results]
    for c, (lo, hi, a_lo, a_hi) in nat.total_ranges.items():
        seats = [t.get(c, 0) for t in totals]
        assert lo <= min(seats) <= a_lo <= a_hi <= max(seats) <= hi, c


def test_an_unknown_site_does_not_open_a_unit_with_no_seats_or_one_candidate() -> None:
    """Guards the ``unknown`` condition of ``national_call``: a unit with no seats, or a race
    with one candidate, is decided whatever the site's size; with two candidates it is open,
    with the proven range 0..seats."""
    site = ScopeState(1, {"A": F(4)}, {"A": F(4)}, unbounded=("North / Site",))
    two = RaceInput(("A", "B"), (site,), NationalDelegates({1: 2}, 0, 0))
    units = {u.unit: u for u in call_race(two).national.units}
    assert (units["CD1"].status, units["CD1"].method) == ("open", "unbounded")
    assert units["CD1"].ranges["B"][:2] == (0, 2)
    assert units["PLEO"].status == "decided"  # no seats
    one = RaceInput(("A",), (site,), NationalDelegates({1: 2}, 0, 0))
    assert {u.unit: u.status for u in call_race(one).national.units}["CD1"] == "decided"


def test_satellite_pool_terms_by_hand() -> None:
    """Guards ``satellite_terms`` (rules.md §7.3): pool S = 6; reported sites of turnout 10
    (D 4: A 3, B 1) and 20 (D 5: A 2, B 2, one delegate pending between B and C); one site
    out, declared at most 30; a site with no turnout counts for nothing. B = 30, T = 30:
    A_A = 10 x 3/4 + 20 x 2/5 = 31/2, A_B = 10/4 + 8 = 21/2; baseline S A_k / 60, the site
    S x 30 / 60 = 3, the pending delegate S x 20 / (5 x 60) = 2/5."""
    tie = PendingTie(("B", "C"), 1, "gain", "coin toss", "tie")
    reported = [
        SiteReport("s1", 10, 4, {"A": 3, "B": 1}),
        SiteReport("s2", 20, 5, {"A": 2, "B": 2}, tie),
        SiteReport("s0", 0, 4, {"A": 4}),
    ]
    terms = satellite_terms(F(6), reported, [("s3", 30)])
    assert terms.current == {"A": F(6) * F(31, 2) / 30, "B": F(6) * F(21, 2) / 30}
    assert terms.baseline == {"A": F(6) * F(31, 2) / 60, "B": F(6) * F(21, 2) / 60}
    assert terms.items == (("s3", F(3)),)
    assert [(p.key, p.groups, p.winners, p.value) for p in terms.pending] == [
        ("s2", ("B", "C"), 1, F(2, 5))
    ]
    assert terms.limit is False
    # nothing reported and nothing declared: no terms at all; undeclared: the whole pool
    assert satellite_terms(F(6), [], [("s3", 0)]).items == ()
    assert satellite_terms(F(0), [], [("s3", None)]).items == ()
    assert satellite_terms(F(6), [], [("s3", None)]).items == (("s3", F(6)),)


def test_lead_swing_adds_every_pending_toss_the_trailer_can_win() -> None:
    """Guards ``_pair``: two tosses B can win add both values to B's swing; one the leader
    wins whatever happens (two groups, two winners) is taken off."""
    pend = (
        Pending("t1", ("B", "C"), 1, F(1)),
        Pending("t2", ("B", "C"), 1, F(2)),
        Pending("t3", ("A", "B"), 2, F(5)),
    )
    scope = ScopeState(1, {"A": F(20), "B": F(10)}, {"A": F(20), "B": F(10)}, pending=pend)
    race = RaceInput(("A", "B", "C"), (scope,), NationalDelegates({1: 1}, 0, 0))
    pair = next(p for p in lead_call(race).pairs if p.trailer == "B")
    assert (pair.margin, pair.swing) == (F(10), F(1 + 2 + 5 - 5))


def test_nothing_reported_leaves_no_leader() -> None:
    scope = ScopeState(1, {}, {}, (("p", F(2)),))
    lead = lead_call(RaceInput(("A", "B"), (scope,), NationalDelegates({1: 1}, 0, 0)))
    assert (lead.leader, lead.decided, lead.pairs) == (None, False, ())
    # baseline without a current lead (only pending tosses reported) still names a leader
    only_base = ScopeState(1, {}, {"A": F(1)})
    lead = lead_call(RaceInput(("A", "B"), (only_base,), NationalDelegates({1: 1}, 0, 0)))
    assert lead.leader == "A"
