"""The race call under Nevada rules: precincts that elect extra delegates, and at-large sites
whose D is unknown.

Rule: rules.md §5.7 step 5.2 and §5.8 K (Nevada: a precinct with more viable groups than
delegates gives one to each, so it can award more than D), §3.1 (how many groups can be
viable at once: 4 at 25%, 6 at 1/6 and 15%), §8.2 (D-Math), issue 13 (at-large sites whose
D was set from expected turnout). The brute force here enumerates every admissible completion
independently of the call (its own table of how many groups can be viable), as
tests/call/test_exact_call.py does for Iowa.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caucuskit.core.award_bounds import most_delegates, most_delegates_upto
from caucuskit.core.bounds import call_race, scenario_votes, unit_votes
from caucuskit.core.election import Candidate, County, NationalDelegates, Precinct, make_election
from caucuskit.core.national import allocate_unit
from caucuskit.core.report import PrecinctReport
from caucuskit.core.rules import get_ruleset
from caucuskit.services.call import tracker_from_tabulation
from caucuskit.services.tabulate import tabulate

CANDS = ("A", "B", "C", "D")
ZERO = Fraction(0)
NV = get_ruleset("nv-2020")
#: rules.md §3.1: the viability fraction by D, hence how many groups can all be viable.
VIABLE_AT_ONCE = {2: 4, 3: 6, 4: 6, 5: 6}


def test_most_delegates_follows_the_threshold_table() -> None:
    """Guards :func:`most_delegates` (rules.md §3.1, §5.7 step 5.2): Nevada awards one
    delegate to each viable group when they outnumber D; Iowa never exceeds D."""
    for d in range(1, 10):
        for groups in range(1, 9):
            extra = min(groups, VIABLE_AT_ONCE.get(d, 0))
            assert most_delegates(NV, d, groups) == max(d, extra), (d, groups)
            assert most_delegates(get_ruleset("ia-2020"), d, groups) == d
    assert most_delegates(NV, 1, 8) == 1  # one delegate: the largest group (§5.6)
    assert most_delegates_upto(NV, 3, 8) == 6
    assert most_delegates_upto(NV, 0, 8) == 0


def test_memo_example_k_awards_five_of_four() -> None:
    """rules.md §5.8 K (NV Principle 2 Ex. A): D=4, five viable groups: five delegates, which
    the bound must allow (Iowa's bound of D would be wrong here)."""
    e = _election(((1, "N0", 4), (2, "S0", 1)), {1: 1}, 1, 1, cands=tuple("ABCDE"))
    tab = tabulate(e, [PrecinctReport("North", "N0", 76, _five(), _five())])
    unit = next(u for u in tab.units if u.precinct.name == "N0")
    assert unit.recount is not None and sum(unit.recount.won.values()) == 5
    assert most_delegates(NV, 4, 5) == 5


def _five() -> dict[str, int]:
    return {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24}


def _election(
    precincts: tuple[tuple[int, str, int | None], ...],
    seats: dict[int, int],
    at_large: int,
    pleo: int,
    *,
    cands: tuple[str, ...] = CANDS,
    site: bool = False,
) -> Any:
    counties = (County("North", 1, Fraction(10)), County("South", 2, Fraction(10)))
    name = {1: "North", 2: "South"}
    return make_election(
        id="nv-tiny",
        title="Nevada tiny",
        ruleset="nv-2020",
        unit="ccd",
        candidates=tuple(Candidate(c) for c in cands),
        counties=counties,
        precincts=tuple(
            Precinct(name[d], p, p, n, at_large=site and n is None) for d, p, n in precincts
        ),
        national=NationalDelegates({1: seats.get(1, 1), 2: seats.get(2, 1)}, at_large, pleo),
    )


@st.composite
def nights(draw: Any) -> Any:
    precincts = tuple(
        (d, f"{'NS'[d - 1]}{i}", draw(st.integers(1, 3))) for d in (1, 2) for i in range(2)
    )
    seats = st.integers(1, 4)
    e = _election(precincts, {1: draw(seats), 2: draw(seats)}, draw(seats), draw(seats))
    keys = [p.key for p in e.precincts]
    reported = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys) - 1))
    reports = []
    for k in reported:
        final = {c: draw(st.integers(0, 5)) for c in CANDS}
        if not any(final.values()):
            final["A"] = 1
        reports.append(PrecinctReport(k[0], k[1], sum(final.values()), dict(final), dict(final)))
    return e, reports


def _awards(d: int, upto: bool = False) -> list[tuple[int, ...]]:
    """Every award of an outstanding precinct electing ``d`` (or, ``upto``, at most ``d``):
    any split of d (of any t <= d), nothing, or one each to more than d groups (Nevada)."""
    totals = range(d + 1) if upto else (d, 0)
    out = {
        v for t in totals for v in itertools.product(range(t + 1), repeat=len(CANDS)) if sum(v) == t
    }
    most = max([d, *(min(len(CANDS), VIABLE_AT_ONCE.get(x, 0)) for x in range(1, d + 1))])
    for k in range(d + 1, most + 1):
        for group in itertools.combinations(range(len(CANDS)), k):
            out.add(tuple(1 if i in group else 0 for i in range(len(CANDS))))
    return sorted(out)


def _outcomes(
    e: Any, tab: Any, declared: int | None = None
) -> dict[int, set[tuple[Fraction, ...]]]:
    """Per district: every CCD vector an admissible completion can end with."""
    reported = {u.precinct.key for u in tab.units}
    per: dict[int, set[tuple[Fraction, ...]]] = {}
    for d in (1, 2):
        start = [ZERO] * len(CANDS)
        options: list[list[tuple[Fraction, ...]]] = []
        for u in tab.units:
            if u.county.district != d or not u.delegates:
                continue
            for c, n in u.recount.won.items():
                start[CANDS.index(c)] += n
            if u.recount.pending is not None:
                options.append(
                    [
                        tuple(Fraction(o.get(c, 0) - u.recount.won.get(c, 0)) for c in CANDS)
                        for o in u.recount.outcomes
                    ]
                )
        for p in e.precincts:
            if p.key in reported or e.county_by_name[p.county].district != d:
                continue
            if p.delegates is None:
                assert declared is not None
                options.append([tuple(map(Fraction, a)) for a in _awards(declared, upto=True)])
            else:
                options.append([tuple(map(Fraction, a)) for a in _awards(p.delegates)])
        per[d] = {
            tuple(start[i] + sum(o[i] for o in combo) for i in range(len(CANDS)))
            for combo in itertools.product(*options)
        }
    return per


@functools.lru_cache(maxsize=100_000)
def _alloc(vec: Any, seats: int) -> Any:
    a = allocate_unit({c: v for c, v in zip(CANDS, vec, strict=True) if v}, seats)
    lot = () if a.pending_lot is None else tuple(sorted(a.pending_lot.candidates))
    return tuple(sorted(a.delegates.items())), lot


def _finals(e: Any, per: Any) -> dict[str, set[Any]]:
    nat = e.national
    out: dict[str, set[Any]] = {"CD1": set(), "CD2": set(), "at-large": set(), "PLEO": set()}
    for v1 in per[1]:
        out["CD1"].add(_alloc(v1, nat.district[1]))
    for v2 in per[2]:
        out["CD2"].add(_alloc(v2, nat.district[2]))
    for v1, v2 in itertools.product(per[1], per[2]):
        state = tuple(a + b for a, b in zip(v1, v2, strict=True))
        out["at-large"].add(_alloc(state, nat.at_large))
        out["PLEO"].add(_alloc(state, nat.pleo))
    return out


def _check(call: Any, race: Any, finals: dict[str, set[Any]]) -> None:
    for u in call.national.units:
        assert u.status != "undetermined", (u.unit, u.proof)
        now = (tuple(sorted(u.current.items())), tuple(sorted(u.current_lot)))
        changes = any(f != now for f in finals[u.unit])
        if u.status == "decided":
            assert not changes and not u.current_lot, (u.unit, u.proof, finals[u.unit], now)
        else:
            assert changes or u.current_lot, (u.unit, u.proof, u.method)
            if u.witness is not None:
                scopes = next(s for n, _, s in race.units() if n == u.unit)
                votes = unit_votes(scenario_votes(race, u.witness), scopes)
                assert _alloc(tuple(votes.get(c, ZERO) for c in CANDS), u.seats) != now


@pytest.mark.parametrize("method", ["exhaustive", "milp"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=nights())
def test_nevada_decided_iff_no_completion_changes_it(method: str, data: Any) -> None:
    """Guards the extra-delegate bound (``ScopeState.extra`` in ``prove_unit``), the
    exhaustive search's extra awards (``item_splits``) and the mixed-integer extra mode:
    "decided" iff no Nevada completion, extra delegates included, changes the unit."""
    e, reports = data
    tab = tabulate(e, reports)
    race = tracker_from_tabulation(tab).race()
    if method == "milp":
        from caucuskit.services.call_milp import milp_search

        call = call_race(race, unit_search=milp_search, cap=0)
    else:
        call = call_race(race)
    _check(call, race, _finals(e, _outcomes(e, tab)))


def test_extra_delegates_can_break_a_proof_that_assumes_d() -> None:
    """A worked case the Iowa bound gets wrong (rules.md §5.7 step 5.2, §8.2). CD1 (5 seats):
    A 8, B 7, C 3 CCDs from one precinct; one D=2 precinct is out. Awarding only 2 CCDs,
    C keeps at least 3/20 = 15% and qualifies, and the bound proves A2 B2 C1. Under Nevada
    rules the outstanding precinct can elect one each to A, B and D (three viable groups, two
    delegates): C at 3/21 < 15% drops out and the split becomes A3 B2."""
    e = _election(((1, "N0", 18), (1, "N1", 2), (2, "S0", 1)), {1: 5, 2: 1}, 1, 1)
    final = {"A": 8, "B": 7, "C": 3}
    tab = tabulate(e, [PrecinctReport("North", "N0", 18, final, final)])
    race = tracker_from_tabulation(tab).race()
    north = next(s for s in race.scopes if s.district == 1)
    assert north.extra == 2  # D=2 with four groups: up to 4 delegates, 2 beyond D
    iowa_model = dataclasses.replace(
        race, scopes=tuple(dataclasses.replace(s, item_most=()) for s in race.scopes)
    )
    wrong = {u.unit: u for u in call_race(iowa_model).national.units}["CD1"]
    assert (wrong.status, wrong.current) == ("decided", {"A": 2, "B": 2, "C": 1})
    call = call_race(race)
    cd1 = {u.unit: u for u in call.national.units}["CD1"]
    assert cd1.status == "open" and cd1.witness_split == {"A": 3, "B": 2}
    _check(call, race, _finals(e, _outcomes(e, tab)))


def test_unknown_site_without_a_maximum_keeps_every_result_it_counts_in_open() -> None:
    """Guards ``unbounded`` (issue 13: an at-large site whose D is unknown). Undeclared, it
    could be any size: its district, at-large, PLEO, the total and the CCD lead stay open,
    while the other district is decided on its own."""
    e = _election(((1, "N0", 2), (2, "Site", None), (2, "S0", 2)), {1: 2, 2: 2}, 2, 1, site=True)
    reports = [
        PrecinctReport("North", "N0", 10, {"A": 10}, {"A": 10}),
        PrecinctReport("South", "S0", 10, {"A": 10}, {"A": 10}),
    ]
    race = tracker_from_tabulation(tabulate(e, reports)).race()
    call = call_race(race)
    status = {u.unit: (u.status, u.method) for u in call.national.units}
    assert status["CD1"] == ("decided", "bound")
    for unit in ("CD2", "at-large", "PLEO"):
        assert status[unit] == ("open", "unbounded"), status
    assert call.national.total_status == "open"
    assert not call.lead.decided and all(p.can_overtake for p in call.lead.pairs)
    assert all(r.unbounded and not r.high_attained for r in call.sde)


def test_unknown_site_with_a_declared_maximum_is_searched_up_to_it() -> None:
    """Guards ``site_max_delegates`` and ``item_upto``: a site declared at most 2 delegates
    may award any number up to 2, or (Nevada) one each to up to 4 groups. A leads CD2 by 3
    CCDs: the site cannot catch up, so CD2 is decided; the brute force agrees on every unit."""
    e = _election(((1, "N0", 2), (2, "Site", None), (2, "S0", 3)), {1: 2, 2: 1}, 2, 1, site=True)
    reports = [
        PrecinctReport("North", "N0", 10, {"A": 6, "B": 4}, {"A": 6, "B": 4}),
        PrecinctReport("South", "S0", 10, {"A": 10}, {"A": 10}),
    ]
    tab = tabulate(e, reports)
    for declared in (1, 2):
        race = tracker_from_tabulation(tab, site_max_delegates=declared).race()
        south = next(s for s in race.scopes if s.district == 2)
        assert south.item_upto == (True,) and not south.unbounded
        assert south.most_of(0) == most_delegates_upto(NV, declared, len(CANDS))
        for method in ("exhaustive", "milp"):
            if method == "milp":
                from caucuskit.services.call_milp import milp_search

                call = call_race(race, unit_search=milp_search, cap=0)
            else:
                call = call_race(race)
            _check(call, race, _finals(e, _outcomes(e, tab, declared)))
        assert {u.unit: u.status for u in call.national.units}["CD2"] == "decided"


def test_a_reported_site_is_no_longer_outstanding() -> None:
    """Once a site with a declared maximum reports, it leaves the open mass and the
    unbounded list (its own D, from the results file or --site-delegates, values it)."""
    e = _election(((1, "N0", 2), (2, "Site", None), (2, "S0", 3)), {1: 2, 2: 1}, 2, 1, site=True)
    reports = [PrecinctReport("South", "Site", 10, {"A": 10}, {"A": 10})]
    tab = tabulate(e, reports)
    for declared in (None, 3):
        race = tracker_from_tabulation(tab, site_max_delegates=declared).race()
        south = next(s for s in race.scopes if s.district == 2)
        assert [label for label, _ in south.items] == ["South / S0"]
        assert not south.unbounded
