"""One D-Math: the reference and its fast paths agree, at the edges too (rules.md §8.2).

Issue 16 item 2. The reference is :func:`caucuskit.core.national.allocate_unit` (exact, with
its worksheet). Its fast paths: :func:`caucuskit.core.national.fast_allocate` (integers, for
the race call) and :func:`caucuskit.services.projection.dmath` (NumPy, for the Monte Carlo
estimate). The strategies aim at the edges: a candidate at exactly 15%, nobody at 15% (the
half-of-leader fallback, with a candidate at exactly half), and exact remainder ties for the
last seat.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from caucuskit.core.bounds import fast_split
from caucuskit.core.national import NATIONAL_THRESHOLD, allocate_unit, fast_allocate
from caucuskit.services.projection import dmath

NAMES = ("A", "B", "C", "D", "E", "F")


@st.composite
def edge_votes(draw: Any) -> Any:
    """Whole-number votes, often placed exactly on an edge of the D-Math."""
    kind = draw(st.sampled_from(["any", "threshold", "half", "tie"]))
    if kind == "half":  # nobody at 15%: 13 candidates, some at exactly half the leader
        m = draw(st.integers(1, 6))
        votes = [2 * m] + [draw(st.sampled_from([m, m - 1, m + 1, 2 * m])) for _ in range(12)]
        return {f"K{i:02d}": Fraction(v) for i, v in enumerate(votes)}
    k = draw(st.integers(1, 6))
    votes = [draw(st.integers(0, 60)) for _ in range(k)]
    if kind == "threshold" and k >= 2:  # candidate 0 at exactly 15%: v0 = 3/17 of the rest
        votes = [0] + [17 * x for x in votes[1:]]
        votes[0] = 3 * sum(votes[1:]) // 17
    elif kind == "tie" and k >= 2:  # two equal candidates: equal remainders
        votes[1] = votes[0]
    return {NAMES[i]: Fraction(v) for i, v in enumerate(votes)}


def _lot(a: Any) -> Any:
    return None if a.pending_lot is None else (set(a.pending_lot.candidates), a.pending_lot.seats)


@settings(max_examples=600, deadline=None)
@given(edge_votes(), st.integers(0, 10), st.integers(1, 7))
def test_fast_allocate_is_the_reference(votes: Any, seats: Any, scale: Any) -> None:
    votes = {c: v / scale for c, v in votes.items()}  # fractions too, not only integers
    ref = allocate_unit(votes, seats)
    fast = fast_allocate(votes, seats)
    assert dict(fast.delegates) == dict(ref.delegates)
    assert _lot(fast) == _lot(ref)
    assert fast.threshold_rule == ref.threshold_rule
    assert tuple(fast.qualified) == tuple(ref.qualified)
    # the description too, though the race call reads only the split: same unit, seats,
    # total and (under the 15% rule) threshold; shares and quotas are left empty
    assert (fast.unit, fast.seats, fast.total) == (ref.unit, ref.seats, ref.total)
    if ref.threshold_rule == "15%":
        assert fast.threshold == ref.threshold == NATIONAL_THRESHOLD
    assert fast.shares == {} and fast.quotas == {}
    assert {c: v for c, v in fast.votes.items() if v} == {c: v for c, v in ref.votes.items() if v}
    if ref.pending_lot is not None and fast.pending_lot is not None:
        assert fast.pending_lot.remainder == ref.pending_lot.remainder


@settings(max_examples=600, deadline=None)
@given(edge_votes(), st.integers(0, 10))
def test_projection_dmath_is_the_reference_on_whole_votes(votes: Any, seats: Any) -> None:
    """The float fast path on whole-number votes: the same split; the seats the reference
    leaves to a lot go to the tied candidates in column order (its documented difference)."""
    ref = allocate_unit(votes, seats)
    expect = dict(ref.delegates)
    if ref.pending_lot is not None:
        for c in sorted(ref.pending_lot.candidates)[: ref.pending_lot.seats]:
            expect[c] = expect.get(c, 0) + 1
    row = np.array([[float(votes[c]) for c in sorted(votes)]])
    got = dmath(row, seats)[0]
    assert {c: int(k) for c, k in zip(sorted(votes), got, strict=True) if k} == expect


def test_exactly_15_percent_qualifies_in_every_implementation() -> None:
    """Guards the inclusive 15% test (DNC Rule 14, rules.md §8.2): 15 of 100 qualifies."""
    votes = {"A": Fraction(60), "B": Fraction(25), "C": Fraction(15)}
    assert votes["C"] / sum(votes.values()) == NATIONAL_THRESHOLD
    for a in (allocate_unit(votes, 7), fast_allocate(votes, 7), fast_split(votes, 7)):
        assert "C" in a.qualified, a
    assert int(dmath(np.array([[60.0, 25.0, 15.0]]), 20)[0][2]) == 3  # 15% of 20 seats
    below = {"A": Fraction(60), "B": Fraction(25) + Fraction(1, 1000), "C": Fraction(15)}
    for a in (allocate_unit(below, 7), fast_allocate(below, 7)):
        assert "C" not in a.qualified


def test_projection_threshold_is_15_percent_not_less() -> None:
    """Guards ``projection.dmath``'s threshold: at 12% a candidate gets no seat."""
    row = np.array([[50.0, 38.0, 12.0]])
    assert dmath(row, 10)[0].tolist() == [6, 4, 0]
    assert dict(
        allocate_unit({"A": Fraction(50), "B": Fraction(38), "C": Fraction(12)}, 10).delegates
    ) == {"A": 6, "B": 4}


def test_exact_remainder_tie_for_the_last_seat_is_a_lot() -> None:
    """Two candidates with the same remainder and one seat left: reported as a lot, the same
    in the reference and the fast path (rules.md §11 Q6)."""
    votes = {"A": Fraction(1), "B": Fraction(1)}
    for a in (allocate_unit(votes, 3), fast_allocate(votes, 3)):
        assert dict(a.delegates) == {"A": 1, "B": 1}
        assert a.pending_lot is not None and set(a.pending_lot.candidates) == {"A", "B"}
        assert a.pending_lot.seats == 1


def test_half_of_leader_fallback_is_inclusive() -> None:
    """Nobody at 15%: the threshold is half the leader's share, and exactly half qualifies."""
    votes = {n: Fraction(1) for n in "BCDEFGHIJKLM"} | {"A": Fraction(2)}  # A: 2/14 < 15%
    for a in (allocate_unit(votes, 4), fast_allocate(votes, 4)):
        assert a.threshold_rule == "half-of-leader"
        assert set(a.qualified) == set(votes)


def test_nothing_to_allocate_is_described_like_the_reference() -> None:
    """No votes, or no seats: both D-Maths return the same empty allocation, fields and all."""
    for votes, seats in (({}, 5), ({"A": Fraction(0)}, 5), ({"A": Fraction(3)}, 0)):
        ref = allocate_unit(votes, seats, unit="CD9")
        fast = fast_allocate(votes, seats, unit="CD9")
        for a in (ref, fast):
            assert (a.unit, a.seats, a.total, a.threshold, a.threshold_rule) == (
                "CD9",
                seats,
                sum(votes.values(), Fraction(0)),
                NATIONAL_THRESHOLD,
                "15%",
            )
            assert dict(a.delegates) == {} and a.pending_lot is None and a.qualified == ()
        assert {c: v for c, v in fast.votes.items() if v} == {
            c: v for c, v in ref.votes.items() if v
        }
