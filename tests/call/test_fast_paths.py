"""The fast paths of the race call give exactly what the plain definitions give.

Rule: rules.md §7.1, §7.3, §8.2 (docs/race-call.md, "Speed"): the per-unit vertex votes, the
tracker's running open totals and the integer D-Math are shortcuts, never approximations.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from call.test_bounds_property import CANDS, ELECTION, MAX_SITE, Night, night
from caucuskit.core.bounds import (
    scaled_vertex_votes,
    scenario_votes,
    unit_sums,
    unit_votes,
    vertex_scenarios,
    vertex_votes,
)
from caucuskit.core.national import fast_allocate
from caucuskit.services.call import NightTracker, UnitOutcome, tracker_from_tabulation
from caucuskit.services.tabulate import tabulate


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(night())
def test_vertex_votes_equal_the_scenario_votes(data: Night) -> None:
    partial, _ = data
    tab = tabulate(ELECTION, partial)
    for turnout in (MAX_SITE, None):
        race = tracker_from_tabulation(tab, satellite_max_turnout=turnout).race()
        sums = unit_sums(race)
        for sc in vertex_scenarios(race, CANDS):
            fast = vertex_votes(sums, sc.toss)
            slow = scenario_votes(race, sc)
            whole = scaled_vertex_votes(sums, sc.toss)
            for name, seats, scopes in race.units():
                assert fast[name] == unit_votes(slow, scopes), (name, sc.label)
                # the whole-number votes give the same split (D-Math depends on ratios only)
                a, b = fast_allocate(fast[name], seats), fast_allocate(whole[name], seats)
                assert dict(a.delegates) == dict(b.delegates), (name, sc.label)
                assert (a.pending_lot is None) == (b.pending_lot is None)
                assert all(v.denominator == 1 for v in whole[name].values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(night())
def test_running_open_totals_equal_the_sums(data: Night) -> None:
    partial, rest = data
    tab = tabulate(ELECTION, partial + rest[:2])
    tracker = NightTracker(ELECTION, satellite_max_turnout=MAX_SITE)
    for u in tab.units:  # one report at a time, the same unit again at the end
        tracker.add(UnitOutcome.from_unit(u))
        for s in tracker.race().scopes:
            assert s.free == s.prefix[-1]
    if tab.units:
        tracker.add(UnitOutcome.from_unit(tab.units[0]))
        for s in tracker.race().scopes:
            assert s.free == s.prefix[-1]


def test_vertex_votes_with_pending_tosses() -> None:
    """Three equal groups for D = 4 leave one delegate to a game of chance (rules.md §5.4);
    each vertex moves that toss to its candidate where it may win."""
    from caucuskit.core.report import PrecinctReport

    even = {"A": 10, "B": 10, "C": 10}
    reports = [
        PrecinctReport("North", "North-0", 30, even, even),
        PrecinctReport("South", "South-1", 30, even, even),
    ]
    race = tracker_from_tabulation(
        tabulate(ELECTION, reports), satellite_max_turnout=MAX_SITE
    ).race()
    assert sum(len(s.pending) for s in race.scopes) == 2
    sums = unit_sums(race)
    assert sums["at-large"].moves["C"]  # "C" is not the default winner, so it moves
    for sc in vertex_scenarios(race, CANDS):
        fast = vertex_votes(sums, sc.toss)
        slow = scenario_votes(race, sc)
        for name, _, scopes in race.units():
            assert fast[name] == unit_votes(slow, scopes), (name, sc.label)
