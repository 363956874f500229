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
    PoolTerms,
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
from caucuskit.core.national import allocate_unit, fast_allocate
from caucuskit.core.national_bounds import UnitSum, contenders, split_of
from caucuskit.core.national_call import (
    _search_total,
    _total_key,
    national_call,
    search_exhaustive,
)
from caucuskit.core.race_input import scenario_votes, unit_votes
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


def test_satellite_site_of_turnout_one_and_one_delegate_counts() -> None:
    """Guards the skip in ``satellite_terms`` (rules.md §7.3): only a site with no turnout or
    no delegates is left out; one of turnout 1 electing 1 delegate is a real site. Pool 4,
    sites (t 1, D 1: A 1) and (t 3, D 2: A 1, B 1): A_A = 1 + 3/2, A_B = 3/2, B = 4. A site
    electing no delegate (its turnout would dilute the pool) and one with no turnout (its
    group would appear at 0) count for nothing."""
    reported = [
        SiteReport("s4", 0, 2, {"C": 2}),
        SiteReport("s1", 1, 1, {"A": 1}),
        SiteReport("s3", 5, 0, {}),
        SiteReport("s2", 3, 2, {"A": 1, "B": 1}),
    ]
    terms = satellite_terms(F(4), reported, [])
    assert terms.current == {"A": F(5, 2), "B": F(3, 2)}
    assert terms.baseline == terms.current  # nothing outstanding: no completion moves it
    assert (terms.items, terms.pending, terms.limit) == ((), (), False)


def test_satellite_pool_of_total_turnout_one_keeps_its_baseline() -> None:
    """Guards ``denom == 0`` in ``satellite_terms`` (rules.md §7.3): a pool whose only site
    (turnout 1, D 1) is in and nothing outstanding gives the whole pool to its winner, as a
    baseline no completion takes away (B + T = 1, not 0). With one site of at most 1 still
    out, B + T = 2: half the pool is the baseline, half the open site."""
    one = satellite_terms(F(3), [SiteReport("s1", 1, 1, {"A": 1})], [])
    assert (one.current, one.baseline, one.items) == ({"A": F(3)}, {"A": F(3)}, ())
    half = satellite_terms(F(3), [SiteReport("s1", 1, 1, {"A": 1})], [("s2", 1)])
    assert (half.baseline, half.items) == ({"A": F(3, 2)}, (("s2", F(3, 2)),))
    # nothing reported, one site of at most 1 out: the whole pool is open
    assert satellite_terms(F(3), [], [("s2", 1)]).items == (("s2", F(3)),)
    # nothing reported, nothing can come (B + T = 0): no terms, not a limit
    assert satellite_terms(F(3), [], [("s2", 0)]) == PoolTerms({}, {}, (), (), False)
    # an undeclared site: what is in stays the current SDEs; no baseline, the pool open
    one_in = [SiteReport("s1", 10, 2, {"A": 2}, PendingTie(("A", "B"), 1, "gain", "toss", "t"))]
    assert satellite_terms(F(6), one_in, [("s2", None)]) == PoolTerms(
        {"A": F(6)}, {}, (("s2", F(6)),), (), True
    )


def _two_districts(cd2_out: tuple[int, ...], *, at_large: int) -> RaceInput:
    """CD1: A 1, B 1/10 in; CD2: A 3/10, B 1/10 in and one precinct of 1/10 SDE out."""
    cd1 = ScopeState(1, {"A": F(1), "B": F(1, 10)}, {"A": F(1), "B": F(1, 10)})
    cd2_now = {"A": F(3, 10), "B": F(1, 10)}
    cd2 = ScopeState(2, cd2_now, cd2_now, (("p", F(1, 10)),), item_seats=cd2_out)
    return RaceInput(("A", "B"), (cd1, cd2), NationalDelegates({1: 1, 2: 1}, at_large, 0))


def _now_key(race: RaceInput) -> object:
    """The current national total's key, from the reference D-Math per unit (rules.md §8.2)."""
    votes: dict[str, dict[str, Fraction]] = {}
    for s in race.scopes:
        for name, _, scopes in race.units():
            if scopes is None or s.district in scopes:
                unit = votes.setdefault(name, {})
                for c, x in s.current.items():
                    unit[c] = unit.get(c, F(0)) + x
    allocs = [allocate_unit(votes.get(n, {}), seats, unit=n) for n, seats, _ in race.units()]
    total: dict[str, int] = {}
    for a in allocs:
        for c, k in a.delegates.items():
            total[c] = total.get(c, 0) + k
    return _total_key(total, [split_of(a)[1] for a in allocs])


def test_national_total_search_says_decided_when_no_completion_changes_the_total() -> None:
    """Guards ``_search_total``'s verdict and its vote sums (rules.md §8.2: each unit's SDEs
    summed over its districts, the total as the units' sum). At-large of 2 over CD1 + CD2:
    A 13/10, B 2/10 (+ the 1/10 out): A takes both whatever the precinct does (B at most
    3/16 of 2 = 0.375 against A's remainder 0.625); CD1 A, CD2 A. The total A 4 is decided
    and must be said so, not "undetermined"; summing only the last district, or starting
    each candidate's sum at 1, would change the at-large split and call it open."""
    race = _two_districts((1,), at_large=2)
    assert _search_total(race, fast_allocate, _now_key(race), []) == ("decided", None, None)


def test_national_total_search_finds_the_one_completion_that_changes_the_total() -> None:
    """Guards ``_search_total`` (rules.md §8.2: 15% and largest remainders per unit): at-large of 3
    over CD1 + CD2, B at 2/15 < 15% now; only the outstanding precinct won by B lifts B to
    3/16 = 18.75% at-large, where B's remainder 0.5625 beats A's 0.4375 for the third seat:
    A 2, B 1 there, a total of A 4, B 1 instead of A 5. Neither district changes, so only
    the at-large sum over both districts shows it."""
    race = _two_districts((1,), at_large=3)
    evaluated: list[Any] = []
    status, witness, split = _search_total(race, fast_allocate, _now_key(race), evaluated)
    assert status == "open" and witness is not None
    assert split == {"A": 4, "B": 1}
    # the witness is kept with its allocations, for the seat ranges
    assert [(sc, {n: dict(a.delegates) for n, a in res.items()}) for sc, res in evaluated] == [
        (witness, {"CD1": {"A": 1}, "CD2": {"A": 1}, "at-large": {"A": 2, "B": 1}, "PLEO": {}})
    ]
    votes = scenario_votes(race, witness)
    units = [
        allocate_unit(unit_votes(votes, scopes), seats, unit=n) for n, seats, scopes in race.units()
    ]
    assert [dict(u.delegates) for u in units] == [{"A": 1}, {"A": 1}, {"A": 2, "B": 1}, {}]


def test_contenders_rank_by_baseline_then_name_at_most_six() -> None:
    """Guards ``contenders`` (the candidates mixed into witnesses, rules.md §8.2 search):
    largest statewide baseline first, ties by name, a candidate with nothing reported last,
    at most ``limit`` (6 by default). Baselines: H 7/2, B 3, C = D 2, E 1/2, A = F 1/3, G 0."""
    cands = ("A", "B", "C", "D", "E", "F", "G", "H")
    s1 = ScopeState(1, {}, {"H": F(1), "B": F(3), "C": F(2), "D": F(2), "E": F(1, 2)})
    s2 = ScopeState(2, {}, {"H": F(5, 2), "F": F(1, 3), "A": F(1, 3)})
    race = RaceInput(cands, (s1, s2), NationalDelegates({1: 1, 2: 1}, 0, 0))
    assert contenders(race, 8) == ["H", "B", "C", "D", "E", "A", "F", "G"]
    assert contenders(race) == ["H", "B", "C", "D", "E", "A"]
    assert contenders(race, 2) == ["H", "B"]


def test_unit_sum_scaled_is_exact_in_whole_numbers_and_kept() -> None:
    """Guards ``UnitSum.scaled`` (the integer form of a unit's sums that the vertex D-Math
    reads, rules.md §8.2: only vote ratios matter): L is the least common multiple of every
    denominator (settled, free, toss values) and each value times L is exact; the result is
    computed once and kept."""
    toss = Pending("t", ("A", "B"), 1, F(2, 7))
    u = UnitSum(
        {"A": F(1, 6)},
        F(1, 10),
        [toss],
        {"A": F(1, 6) + F(2, 7), "B": F(3, 4)},
        {"B": [(toss, ["A"], ["B"])]},
    )
    scale, settled, free, moves = u.scaled()
    assert scale == 420
    assert settled == {"A": 70 + 120, "B": 315}
    assert free == 42
    assert moves == {"B": [(120, ["A"], ["B"])]}
    assert u.scaled() is u.scaled()
    # national scale: L = 7 x 3^40, and L / 7 = 3^40 is past a float's exact integers
    big = F(1, 3**40)
    toss = Pending("t", ("A", "B"), 1, F(1, 7))
    u = UnitSum({}, F(1, 7), [toss], {"A": F(1, 7), "B": big}, {"B": [(toss, ["A"], ["B"])]})
    scale, settled, free, moves = u.scaled()
    assert (scale, settled, free) == (7 * 3**40, {"A": 3**40, "B": 7}, 3**40)
    assert moves == {"B": [(3**40, ["A"], ["B"])]}
    values = [*settled.values(), free, moves["B"][0][0]]
    assert all(type(x) is int for x in values)


def test_national_call_searches_the_total_by_default() -> None:
    """Guards ``national_call``'s default ``search=True`` and its hand-over to ``_total``
    (issue 16 item 6, rules.md §8.2, §11 Q6): CD1's one seat is tied exactly (a lot, so the
    unit is open and the total is not decided unit by unit); CD2's outstanding precinct
    cannot change anything. The total is then settled by the exact search, by default:
    it is not left "undetermined"."""
    tied = ScopeState(1, {"A": F(1), "B": F(1)}, {"A": F(1), "B": F(1)})
    cd2 = ScopeState(2, {"A": F(3)}, {"A": F(3)}, (("p", F(1, 10)),), item_seats=(1,))
    race = RaceInput(("A", "B"), (tied, cd2), NationalDelegates({1: 1, 2: 1}, 0, 0))
    call = national_call(race)
    assert [(u.unit, u.status) for u in call.units][:2] == [("CD1", "open"), ("CD2", "decided")]
    # the total, its lot included (A 1 and CD1 drawn between A and B), is the same in every
    # completion: decided, with no witness
    assert (call.total_status, call.total_witness, call.total_witness_split) == (
        "decided",
        None,
        None,
    )
    assert national_call(race, search=False).total_status == "undetermined"  # a quick look


def test_an_open_national_total_shows_a_completion_that_changes_it() -> None:
    """Guards ``_total`` (rules.md §8.2): the at-large case above through ``national_call``.
    The total is open, with the completion "every outstanding unit to B" whose total
    (A 4, B 1) really differs from now (A 5), and the attained range reaches it; with at-large
    of 2 nothing changes the total: decided, no witness, ranges at the current split, and
    each unit's proof marked exact."""
    call = national_call(_two_districts((1,), at_large=3))
    assert (call.total_status, call.total_current) == ("open", {"A": 5})
    assert call.total_witness is not None and call.total_witness_split == {"A": 4, "B": 1}
    assert call.total_ranges == {"A": (4, 5, 4, 5), "B": (0, 1, 0, 1)}
    # a quick look (no search) still reads the total's change off the vertices it evaluated
    quick = national_call(_two_districts((1,), at_large=3), search=False)
    assert (quick.total_status, quick.total_witness_split) == ("open", {"A": 4, "B": 1})
    call = national_call(_two_districts((1,), at_large=2))
    assert (call.total_status, call.total_witness, call.total_witness_split) == (
        "decided",
        None,
        None,
    )
    assert call.total_ranges == {"A": (4, 4, 4, 4), "B": (0, 0, 0, 0)}
    # every unit proven exactly (the bound for the districts, the search for the rest)
    assert [u.exact for u in call.units] == [True, True, True, True]
