"""Boundary cases of the exact race call, module by module (core/race_input, sde_bounds,
satellite_bounds, national_bounds, exact_search, national_call).

Rule: rules.md §7.1, §7.3, §8.2, §5.4, §11 Q6. Issue 16 item 1: every boundary the bounds
reason about has a test that names what it guards.
"""

from __future__ import annotations

from fractions import Fraction as F
from typing import Any

from caucuskit.core.bounds import (
    RaceInput,
    ScopeState,
    SiteReport,
    call_race,
    lead_call,
    prove_unit,
    satellite_terms,
    scenario_votes,
)
from caucuskit.core.election import NationalDelegates
from caucuskit.core.exact_search import SearchTooLarge, compositions, search
from caucuskit.core.national import fast_allocate
from caucuskit.core.race_input import Pending, Scenario


def _race(
    baseline: Any,
    items: Any = (),
    seats: Any = (),
    pending: Any = (),
    cands: Any = ("A", "B"),
    cd1: int = 1,
    at_large: int = 0,
    pleo: int = 0,
    sites_open: bool = False,
) -> Any:
    scope = ScopeState(
        1,
        dict(baseline),
        dict(baseline),
        tuple(items),
        tuple(pending),
        item_seats=tuple(seats),
        sites_open=sites_open,
    )
    return RaceInput(cands, (scope,), NationalDelegates({1: cd1}, at_large, pleo))


def test_compositions_cover_every_split() -> None:
    splits = list(compositions(3, ("A", "B", "C")))
    assert len(splits) == 10 and len(set(splits)) == 10
    assert all(sum(k for _, k in sp) == 3 for sp in splits)


def test_exactly_attainable_sde_tie_keeps_the_lead_open() -> None:
    """Guards ``PairCall.can_tie``: B trails by 2 with exactly 2 SDEs open."""
    lead = lead_call(_race({"A": F(2)}, [("p", F(2))], [2]))
    assert not lead.decided
    (pair,) = lead.pairs
    assert pair.best == 0 and pair.can_tie and not pair.can_overtake


def test_an_sde_tie_that_is_only_a_supremum_does_not_keep_it_open() -> None:
    """A satellite pool without a declared maximum: its whole pool is a supremum, never
    attained, so trailing by exactly that much cannot tie (``attained`` False)."""
    scope = ScopeState(1, {"A": F(2)}, {"A": F(2)}, (("pool", F(2)),), (), limit=True)
    race = RaceInput(("A", "B"), (scope,), NationalDelegates({1: 1}, 0, 0))
    lead = lead_call(race)
    assert lead.decided and not lead.pairs[0].can_tie
    from caucuskit.core.bounds import sde_ranges

    ranges = {r.candidate: r for r in sde_ranges(race)}
    assert ranges["B"].high == F(2) and not ranges["B"].high_attained
    assert ranges["A"].low == F(2) and ranges["A"].high == F(4)
    # the same pool once nothing of it is open: every bound attained
    closed = ScopeState(1, {"A": F(2)}, {"A": F(2)}, (), (), limit=True)
    done = sde_ranges(RaceInput(("A", "B"), (closed,), NationalDelegates({1: 1}, 0, 0)))
    assert all(r.high_attained for r in done)
    small = ScopeState(1, {"A": F(2)}, {"A": F(2)}, (("pool", F(1, 2)),), (), limit=True)
    part = sde_ranges(RaceInput(("A", "B"), (small,), NationalDelegates({1: 1}, 0, 0)))
    assert not any(r.high_attained for r in part)  # however small the open pool


def test_reachable_exact_remainder_tie_for_the_last_seat_keeps_the_unit_open() -> None:
    """A 2, B 1, one precinct (1 SDE) out, one seat. If B wins it, A and B tie exactly for
    the seat: a lot (rules.md §11 Q6), so the unit is not decided."""
    call = call_race(_race({"A": F(2), "B": F(1)}, [("p", F(1))], [1]))
    unit = call.national.units[0]  # CD1 (at-large and PLEO have no seats here)
    assert unit.current == {"A": 1}
    assert unit.status == "open", unit.proof
    assert unit.witness_lot == ("A", "B")


def test_current_lot_for_the_last_seat_is_never_decided() -> None:
    """Nothing outstanding, A and B tied exactly: open, settled by lot."""
    call = call_race(_race({"A": F(1), "B": F(1)}))
    unit = call.national.units[0]  # CD1 (at-large and PLEO have no seats here)
    assert unit.current_lot == ("A", "B") and unit.status == "open" and unit.method == "lot"


def test_satellite_pool_at_its_declared_maximum_is_attained() -> None:
    """Pool of 10 SDEs; a reported site of 10 people all for A (5 of 5 delegates); an
    outstanding site of declared maximum 10. By turnout (rules.md §7.3) that site at 10,
    all for B, gives A 10 x 10/20 = 5 and B 5: the baseline and the open mass are exactly
    those, and the tie is reachable, so the lead stays open."""
    terms = satellite_terms(F(10), [SiteReport("s0", 10, 5, {"A": 5})], [("s1", 10)])
    assert terms.baseline == {"A": F(5)} and terms.items == (("s1", F(5)),)
    assert terms.current == {"A": F(10)}
    scope = ScopeState(
        1, terms.current, terms.baseline, terms.items, (), item_seats=(0,), sites_open=True
    )
    race = RaceInput(("A", "B"), (scope,), NationalDelegates({1: 1}, 0, 0))
    assert not lead_call(race).decided
    # one site less than the maximum would not reach the tie: B 9 x 10/19 < A 10 x 10/19
    assert F(10 * 9, 19) < F(10 * 10, 19)


def test_undeclared_satellite_turnout_opens_the_whole_pool() -> None:
    terms = satellite_terms(F(4), [SiteReport("s0", 10, 5, {"A": 5})], [("s1", None)])
    assert terms.limit and terms.baseline == {} and terms.items == (("s1", F(4)),)


def test_prove_unit_at_exactly_15_percent_of_the_least_share() -> None:
    """The least share any qualifier can fall to is exactly 15%: still qualified (>=)."""
    # A 85, C 15 in, nothing open: C is at exactly 15%.
    ok, proof, _, exact = prove_unit(1, {"A": F(85), "C": F(15)}, F(0), [], {"A": 1}, ("A", "C"))
    assert ok and exact and "qualified set fixed: A, C" in proof[0]


def test_exhaustive_search_proves_what_the_bound_cannot() -> None:
    """A 10, B 4, C 0, 3 seats; one 2-delegate precinct worth 2 out. B may reach 6 of 16
    (37.5%) or fall to 4/16 = 25%, C may reach 2/16 = 12.5% (< 15%): the qualified set is
    fixed but the bound's remainder test is loose; the search settles it exactly."""
    race = _race({"A": F(10), "B": F(4)}, [("p", F(2))], [2], cands=("A", "B", "C"), cd1=3)
    now = fast_allocate({"A": F(10), "B": F(4)}, 3)
    res = search(
        race, None, lambda _d: 0, 1, lambda v: fast_allocate(v[0], 3).delegates != now.delegates
    )
    assert res.exact
    call = call_race(race)
    unit = call.national.units[0]  # CD1 (at-large and PLEO have no seats here)
    assert unit.status in {"decided", "open"}
    assert (unit.status == "open") == (res.witness is not None)


def test_exhaustive_search_gives_up_past_its_cap() -> None:
    race = _race({"A": F(10)}, [(f"p{i}", F(1)) for i in range(6)], [3] * 6, cands=("A", "B", "C"))
    try:
        search(race, None, lambda _d: 0, 1, lambda v: False, cap=50)
    except SearchTooLarge:
        pass
    else:
        raise AssertionError("expected SearchTooLarge")


def test_scenario_with_splits_and_picks() -> None:
    """A witness can split a precinct's delegates and pick a toss's winners."""
    race = _race({"A": F(1)}, [("p", F(3))], [3], pending=[Pending("t", ("A", "B"), 1, F(1, 2))])
    sc = Scenario("x", {}, "", {1: ((0, (("A", 1), ("B", 2))),)}, {"t": ("B",)})
    assert scenario_votes(race, sc)[1] == {"A": F(2), "B": F(5, 2)}
    parts = sc.describe(race)
    assert {p["winner"]: p["sde"] for p in parts} == {"A": F(1), "B": F(2)}


def test_exhaustive_search_takes_a_satellite_site_whole() -> None:
    """An outstanding site (item_seats 0) is won whole by one group at its maximum turnout,
    never split and never empty; the search says it is not complete (``exact`` False)."""
    race = _race({"A": F(3)}, [("site", F(2))], [0], cands=("A", "B"), sites_open=True)
    seen = []

    def record(votes: Any) -> Any:
        seen.append(votes[0])
        return False

    res = search(race, None, lambda _d: 0, 1, record)
    assert res.witness is None and not res.exact
    assert sorted(seen, key=sorted) == sorted([{"A": F(5)}, {"A": F(3), "B": F(2)}], key=sorted)


def test_exhaustive_search_splits_a_precinct_or_leaves_it_empty() -> None:
    """A 2-delegate precinct worth 2 SDEs: every split of its 2 delegates, or nobody."""
    race = _race({"A": F(1)}, [("p", F(2))], [2], cands=("A", "B"))
    seen = []

    def record(votes: Any) -> Any:
        seen.append(votes[0])
        return False

    res = search(race, None, lambda _d: 0, 1, record)
    assert res.exact and res.outcomes == 4
    assert sorted(map(str, seen)) == sorted(
        map(str, [{"A": F(3)}, {"A": F(2), "B": F(1)}, {"A": F(1), "B": F(2)}, {"A": F(1)}])
    )


def test_exhaustive_witness_names_the_split_and_the_toss() -> None:
    """The witness of a change records which precinct split how and who won the toss."""
    race = _race(
        {"A": F(3), "B": F(2)},
        [("p", F(2))],
        [2],
        cands=("A", "B"),
        pending=[Pending("t", ("A", "B"), 1, F(1, 2))],
    )
    res = search(
        race, None, lambda _d: 0, 1, lambda v: v[0].get("B", F(0)) - v[0].get("A", F(0)) > 1
    )
    assert res.witness is not None
    votes = scenario_votes(race, res.witness)[1]
    assert votes.get("B", F(0)) - votes.get("A", F(0)) > 1
    assert res.witness.picks == {"t": ("B",)}
    assert res.witness.splits == {1: ((0, (("B", 2),)),)}


def test_a_toss_every_group_wins_counts_in_the_least_sde() -> None:
    """A pending "toss" that all its groups win (winners = groups) is forced: it counts in
    each group's least SDEs; a real toss (fewer winners) counts in none."""
    from caucuskit.core.bounds import sde_ranges

    forced = _race({"A": F(1)}, pending=[Pending("t", ("A", "B"), 2, F(1, 2))])
    real = _race({"A": F(1)}, pending=[Pending("t", ("A", "B"), 1, F(1, 2))])
    low = {r.candidate: r.low for r in sde_ranges(forced)}
    assert low == {"A": F(3, 2), "B": F(1, 2)}
    span = {r.candidate: (r.low, r.high) for r in sde_ranges(real)}
    assert span == {"A": (F(1), F(3, 2)), "B": (F(0), F(1, 2))}


def test_a_pending_toss_counts_for_the_trailer_that_can_win_it() -> None:
    """A 3, B 5/2, a toss between B and C for one delegate worth 1/2: B can tie A through
    the toss alone, so the lead is open; C, not in A's way, cannot."""
    race = _race(
        {"A": F(3), "B": F(5, 2)},
        cands=("A", "B", "C"),
        pending=[Pending("t", ("B", "C"), 1, F(1, 2))],
    )
    lead = lead_call(race)
    pairs = {p.trailer: p for p in lead.pairs}
    assert pairs["B"].swing == F(1, 2) and pairs["B"].can_tie and not lead.decided
    assert pairs["C"].swing == F(1, 2) and not pairs["C"].can_tie
    # a toss the trailer is not part of gives it nothing
    other = _race(
        {"A": F(3), "B": F(5, 2)},
        cands=("A", "B", "C"),
        pending=[Pending("t", ("A", "C"), 1, F(1, 2))],
    )
    assert {p.trailer: p.swing for p in lead_call(other).pairs}["B"] == 0


def test_sde_ranges_are_listed_by_current_sdes() -> None:
    from caucuskit.core.bounds import sde_ranges

    race = _race({"A": F(1), "B": F(3), "C": F(2)}, cands=("A", "B", "C"))
    assert [r.candidate for r in sde_ranges(race)] == ["B", "C", "A"]
