"""The bugs of earlier calculators (rules.md §10), each pinned by a case that would catch it."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from caucuskit.core import (
    IA_2020,
    NV_2020,
    OvershootTies,
    PrecinctInput,
    compute_precinct,
    viability_threshold,
)
from caucuskit.core.rounding import round_half_up


def test_threshold_667_is_101_not_100() -> None:
    """Warren app: ceil(N/6.67) gives 100 for N = 667; 15% of 667 is 100.05, so 101 (§3.2)."""
    assert math.ceil(667 / 6.67) == 100  # the bug, reproduced
    assert viability_threshold(IA_2020, 4, 667) == 101
    # A group of exactly 100 is therefore not viable.
    result = compute_precinct(IA_2020, PrecinctInput(4, 667, {"A": 100, "B": 567}))
    assert result.viable == ("B",)
    assert dict(result.delegates) == {"B": 4}


def test_every_n_where_ceil_n_over_6_67_is_wrong_is_exact_here() -> None:
    wrong = [n for n in range(1, 3001) if math.ceil(n / 6.67) != -(-3 * n // 20)]
    assert len(wrong) == 268 and wrong[0] == 667  # the count the spec gives
    for n in wrong:
        assert viability_threshold(IA_2020, 10, n) == -(-3 * n // 20)


@pytest.mark.parametrize(
    ("d", "n", "final", "expected"),
    [
        (
            22,
            94,
            {"Biden": 28, "Buttigieg": 22, "Sanders": 20},
            {"Biden": 8, "Buttigieg": 7, "Sanders": 7},
        ),
        (10, 75, {"D": 23, "E": 27}, {"D": 5, "E": 5}),
    ],
    ids=["F Fremont-Atkins (24 left)", "J NV Principle 3 Ex. B"],
)
def test_shortfall_is_filled_after_people_leave(
    d: int, n: int, final: dict[str, int], expected: dict[str, int]
) -> None:
    """Warren app: no fill when people left. Here the whole shortfall is given out (§5.2)."""
    for rules in (IA_2020, NV_2020):
        result = compute_precinct(rules, PrecinctInput(d, n, final))
        assert dict(result.delegates) == expected
        assert result.awarded == d
        adds = [s for s in result.log if s.action == "add"]
        assert len(adds) > len(final)  # more than one round: adding more than one delegate


def test_half_rounds_up_not_to_even() -> None:
    """R's round(2.5) is 2 (half to even); the rules round .5 up (§5.1)."""
    assert round(2.5) == 2  # the bug, reproduced with Python's own round
    assert round_half_up(Fraction(5, 2)) == 3
    assert round_half_up(Fraction(1, 2)) == 1
    assert round_half_up(Fraction(9, 2)) == 5
    assert round_half_up(Fraction(4999, 10000) + 2) == 2
    # On the worksheet: D=5, N=20, A=10 has raw 2.5, shown rounded to 3 (then the excess step
    # takes it back from A, whose decimal .5 is the lowest above .5: §5.3).
    result = compute_precinct(IA_2020, PrecinctInput(5, 20, {"A": 10, "B": 7, "C": 3}))
    rounded = {line.name: line.rounded for line in result.lines}
    assert rounded == {"A": 3, "B": 2, "C": 1}
    assert dict(result.delegates) == {"A": 2, "B": 2, "C": 1}
    assert [s.group for s in result.log if s.action == "remove"] == ["A"]


def test_decimals_are_compared_at_four_places_not_exactly() -> None:
    """§5.4: D = 4, N = 10007 (715 left): A 3395 -> 1.35705006, B 5897 -> 2.35714999. Rounded
    1 + 2 = 3, one short; both decimals are .3571 at 4 places (half up), so a coin toss decides,
    although B's exact decimal is larger (and A's truncated decimal would be .3570)."""
    final = {"A": 3395, "B": 5897}
    result = compute_precinct(IA_2020, PrecinctInput(4, 10007, final))
    assert result.pending_tie is not None
    assert set(result.pending_tie.groups) == {"A", "B"}
    assert (result.pending_tie.delegates, result.pending_tie.action) == (1, "gain")
    assert dict(result.delegates) == {"A": 1, "B": 2}
    settled = compute_precinct(IA_2020, PrecinctInput(4, 10007, final, toss_winners=("A",)))
    assert dict(settled.delegates) == {"A": 2, "B": 2}


def test_exact_half_rounds_up_in_case_i() -> None:
    """§5.8 I: 0.5 -> 1 and 1.5 -> 2; half to even would give 0 and 2."""
    result = compute_precinct(IA_2020, PrecinctInput(2, 20, {"Biden": 5, "Buttigieg": 15}))
    assert {line.name: line.rounded for line in result.lines} == {"Biden": 1, "Buttigieg": 2}


def test_more_than_one_delegate_is_added() -> None:
    """Bernie 2016 tool: adds at most one. D=10, N=100, two groups of 20 (60 left): 2 + 2 = 4,
    so 6 must be added, three each."""
    result = compute_precinct(IA_2020, PrecinctInput(10, 100, {"A": 20, "B": 20, "C": 5}))
    assert dict(result.delegates) == {"A": 5, "B": 5}
    assert len([s for s in result.log if s.action == "add"]) == 6


def test_only_one_of_the_tied_smallest_groups_loses_by_default() -> None:
    """IDP 2020 app: every tied smallest group was zeroed. By default only as many lose as
    needed, by lot (§11 Q8); the app's behaviour is the all-realign option."""
    final = {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24}
    result = compute_precinct(IA_2020, PrecinctInput(4, 76, final))
    assert result.pending_tie is not None
    assert set(result.pending_tie.groups) == {"A", "B", "C", "D"}
    assert result.pending_tie.delegates == 1
    assert result.pending_tie.action == "lose"
    assert result.pending_tie.winners_needed == 3
    assert not result.must_realign
    settled = compute_precinct(IA_2020, PrecinctInput(4, 76, final, toss_winners=("B", "C", "D")))
    assert dict(settled.delegates) == {"B": 1, "C": 1, "D": 1, "E": 1}

    app = IA_2020.with_options(overshoot_ties=OvershootTies.ALL_REALIGN)
    result = compute_precinct(app, PrecinctInput(4, 76, final))
    assert set(result.must_realign) == {"A", "B", "C", "D"}
    assert result.pending_tie is None
    assert not result.complete  # the caucus must realign before anything is final
    assert dict(result.delegates) == {"E": 1}


def test_arcadia_all_realign_zeroes_both_tied_groups() -> None:
    app = IA_2020.with_options(overshoot_ties=OvershootTies.ALL_REALIGN)
    result = compute_precinct(app, PrecinctInput(2, 19, {"Biden": 6, "Buttigieg": 7, "Sanders": 6}))
    assert set(result.must_realign) == {"Biden", "Sanders"}
    assert dict(result.delegates) == {"Buttigieg": 1}
