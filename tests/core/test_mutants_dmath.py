"""The D-Math worksheet and its input checks, pinned line by line (issue 16 item 7).

Rule: rules.md §8.2 (15% threshold, half-of-leader fallback, requalified shares, whole parts,
largest remainders), §11 Q6 (an exact tie for the last seat is reported; a recorded lot
settles it). These tests kill mutants that the split-only tests cannot see: the worksheet a
chair or an auditor reads, and the refusals of malformed input.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from caucuskit.core.errors import ValidationError
from caucuskit.core.national import add_delegates, allocate_unit

F = Fraction


def _lines(votes: dict[str, Fraction], seats: int, **kw: object) -> list[tuple[str, str, object]]:
    a = allocate_unit(votes, seats, unit="CD1", **kw)  # type: ignore[arg-type]
    return [(s.action, s.text, s.group) for s in a.log]


def test_worksheet_names_threshold_shares_quotas_and_remainders() -> None:
    """Guards every worksheet line of allocate_unit (§8.2 steps 1-4): A 50, B 30, C exactly
    15% (qualifies), D 5 (below), E 0 (not listed); 4 seats: quotas over the qualified 95."""
    votes = {"A": F(50), "B": F(30), "C": F(15), "D": F(5), "E": F(0)}
    assert _lines(votes, 4) == [
        ("threshold", "CD1: threshold 15% of 100.000", None),
        ("share", "A: 50.000 = 50.0000%, qualifies", "A"),
        ("share", "B: 30.000 = 30.0000%, qualifies", "B"),
        ("share", "C: 15.000 = 15.0000%, qualifies", "C"),
        ("share", "D: 5.000 = 5.0000%, is below the threshold", "D"),
        ("quota", "A: share 52.6316% x 4 = 2.105 -> 2", "A"),
        ("quota", "B: share 31.5789% x 4 = 1.263 -> 1", "B"),
        ("quota", "C: share 15.7895% x 4 = 0.632 -> 0", "C"),
        ("remainder", "+1 to C: remainder 0.632", "C"),
    ]


def test_a_one_vote_candidate_is_listed() -> None:
    """A candidate with a single SDE gets its share line too (only zero is left out)."""
    lines = _lines({"A": F(9), "B": F(1)}, 1)
    assert ("share", "B: 1.000 = 10.0000%, is below the threshold", "B") in lines


def test_worksheet_of_the_half_of_leader_fallback() -> None:
    """Nobody at 15%: the line gives the new threshold, half the leader's share (Rule 14.F)."""
    votes = {c: F(5) for c in "CDEFGHIJKLM"} | {"A": F(10), "B": F(6)}
    a = allocate_unit(votes, 2, unit="U")
    assert a.threshold_rule == "half-of-leader" and a.delegates == {"A": 1, "B": 1}
    assert (a.log[0].action, a.log[0].text) == (
        "threshold",
        "U: nobody reaches 15%; the threshold becomes half the leader's share, "
        "7.0423% (DNC Rule 14.F, rules.md §8.2)",
    )


def test_worksheet_of_a_tie_and_of_a_lot() -> None:
    """§11 Q6: an exact last-seat tie is reported as such; a recorded lot names its winner."""
    votes = {"A": F(1), "B": F(1)}
    assert _lines(votes, 1)[-1] == (
        "tie",
        "A, B tie exactly at remainder 1/2 for 1 seat(s): reported, not decided (rules.md §11 Q6)",
        None,
    )
    assert _lines(votes, 1, lot_winners=("B",))[-1] == (
        "lot",
        "+1 to B: won the lot among A, B",
        "B",
    )


def test_nothing_to_allocate_renders_with_its_note() -> None:
    """No votes, or no seats: an empty split that still renders (to_dict) with one note."""
    for votes, seats, note in (
        ({}, 3, "E: no votes to allocate on"),
        ({"A": F(2)}, 0, "E: no seats"),
    ):
        a = allocate_unit(votes, seats, unit="E")
        d = a.to_dict()
        assert (d["shares"], d["quotas"], d["delegates"]) == ({}, {}, {})
        assert d["log"] == [{"action": "note", "group": None, "text": note}]


def test_malformed_input_is_refused_with_the_reason() -> None:
    """Seats must be a whole number (not a bool); votes exact and not negative."""
    cases = [
        (({"A": F(1)}, True), "seats", "whole number"),
        (({"A": F(1)}, -1), "seats", "whole number"),
        (({"A": 0.5}, 1), "votes.A", "exact number"),
        (({"A": F(-1)}, 1), "votes.A", "not be negative"),
    ]
    for (votes, seats), field, words in cases:
        with pytest.raises(ValidationError) as exc:
            allocate_unit(votes, seats)  # type: ignore[arg-type]
        (problem,) = exc.value.as_dicts()
        assert problem["field"] == field and words in problem["message"]


def test_a_lot_with_no_tie_to_settle_is_refused() -> None:
    """Guards the unused-lot check (§11 Q6): a lot winner where no tie is left, or more lot
    winners than the tie needs, is an input error, never silently ignored."""
    with pytest.raises(ValidationError, match="no tie is left"):
        allocate_unit({"A": F(3), "B": F(2)}, 2, lot_winners=("A",))
    with pytest.raises(ValidationError, match="no tie is left"):
        allocate_unit({"A": F(1), "B": F(1)}, 1, lot_winners=("B", "A"))


def test_add_delegates_orders_by_count_then_name() -> None:
    totals = add_delegates(
        [allocate_unit({"C": F(9), "A": F(1)}, 1), allocate_unit({"B": F(1), "A": F(1)}, 2)]
    )
    assert list(totals.items()) == [("A", 1), ("B", 1), ("C", 1)]
