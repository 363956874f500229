"""Validation: every problem names its field and says what is wrong (issue 3, point 3).

Rule: rules.md §3.2 (N is the opening head count), §4 (2020 realignment), §5.4 (tie outcomes).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from caucuskit.core import (
    IA_2016,
    IA_2020,
    NV_2020,
    PrecinctInput,
    RuleSet,
    ValidationError,
    compute_precinct,
)

ADAIR = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}


def problems(
    rules: RuleSet, data: PrecinctInput, known: frozenset[str] | None = None
) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        compute_precinct(rules, data, known)
    assert str(caught.value)  # a readable message
    return {p.field: p.message for p in caught.value.problems}


def inp(
    d: object = 8,
    n: object = 40,
    final: Mapping[str, object] | None = None,
    first: Mapping[str, object] | None = None,
    toss: tuple[str, ...] = (),
) -> PrecinctInput:
    return PrecinctInput(d, n, final if final is not None else ADAIR, first, toss)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        (inp(d=-1), "delegates", "negative"),
        (inp(n=-5), "attendees", "negative"),
        (inp(final={"Biden": -1}), "final.Biden", "negative"),
        (inp(first={"Biden": -2}), "first.Biden", "negative"),
        (inp(d=2.5), "delegates", "whole number"),
        (inp(n="40"), "attendees", "whole number"),
        (inp(n=True), "attendees", "whole number"),
        (inp(final={"Biden": 6.0}), "final.Biden", "whole number"),
        (inp(first={"Biden": None}), "first.Biden", "whole number"),
        (inp(n=0), "attendees", "N = 0"),
        (inp(n=30), "final", "above the 30 attendees"),
        (inp(first={"Biden": 50}), "first", "above the 40 attendees"),
        (inp(final={"": 3}), "final", "non-empty"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_bad_counts_name_the_field(data: PrecinctInput, field: str, words: str) -> None:
    found = problems(IA_2020, data)
    assert field in found, found
    assert words in found[field]


def test_size_limits_are_inclusive() -> None:
    """The caps of core.checks: the limit itself is accepted, one more is refused."""
    from caucuskit.core.checks import MAX_DELEGATES, MAX_PEOPLE

    big = compute_precinct(
        IA_2020,
        inp(d=MAX_DELEGATES, n=MAX_PEOPLE, final={"A": MAX_PEOPLE // 2, "B": MAX_PEOPLE // 2}),
    )
    assert big.delegates == {"A": MAX_DELEGATES // 2, "B": MAX_DELEGATES // 2}
    found = problems(
        IA_2020, inp(d=MAX_DELEGATES + 1, n=MAX_PEOPLE + 1, final={"A": MAX_PEOPLE + 1})
    )
    assert set(found) == {"delegates", "attendees", "final.A"}
    assert all("implausibly large" in message for message in found.values())


def test_every_problem_is_reported_at_once() -> None:
    found = problems(IA_2020, inp(d=-1, n="x", final={"Biden": -1}))
    assert {"delegates", "attendees", "final.Biden"} <= set(found)


# §4, 2020 only: members of viable groups cannot realign; nobody joins after the first count.


def test_2020_viable_group_cannot_lose_members_to_another_group() -> None:
    first = {"Biden": 10, "Sanders": 20, "Yang": 4}  # T = 6: Biden viable in the first alignment
    final = {"Biden": 8, "Sanders": 26}  # nobody left the room: 2 of Biden's moved to Sanders
    found = problems(IA_2020, inp(n=40, first=first, final=final))
    assert set(found) == {"final.Biden"}  # Sanders gaining Yang's 4 is allowed
    assert (
        "Biden's group was viable, so its members cannot join another group"
        in (found["final.Biden"])
    )


def test_2020_group_exactly_at_the_threshold_was_viable() -> None:
    """§3.2/§4: D = 8, N = 40, T = ceil(6) = 6; a first-alignment group of exactly 6 is viable,
    so it cannot lose members; a group of 5 was not viable and may go."""
    first = {"Biden": 6, "Sanders": 20, "Yang": 5}
    found = problems(IA_2020, inp(n=40, first=first, final={"Biden": 5, "Sanders": 26}))
    assert set(found) == {"final.Biden"} and "went from 6 to 5" in found["final.Biden"]
    ok = compute_precinct(IA_2020, inp(n=40, first=first, final={"Biden": 6, "Sanders": 25}))
    assert ok.delegates == {"Biden": 2, "Sanders": 6}


def test_2020_legal_realignment_with_equal_totals_is_accepted() -> None:
    """§4: nobody joined or left (first total = final total) and only non-viable groups moved."""
    first = {"Biden": 10, "Sanders": 20, "Yang": 4, "Steyer": 2}  # T = 6
    final = {"Biden": 12, "Sanders": 24}
    result = compute_precinct(IA_2020, inp(n=40, first=first, final=final))
    assert result.complete and result.delegates == {"Biden": 3, "Sanders": 5}
    same = compute_precinct(IA_2020, inp(n=36, first=first, final=first))
    assert same.complete and same.viable == ("Biden", "Sanders")


def test_2020_group_nonviable_in_both_cannot_gain() -> None:
    first = {"Biden": 10, "Sanders": 20, "Yang": 4, "Steyer": 2}
    final = {"Biden": 10, "Sanders": 20, "Yang": 5}
    found = problems(IA_2020, inp(n=40, first=first, final=final))
    assert "final.Yang" in found and "cannot gain" in found["final.Yang"]


def test_2020_final_total_cannot_exceed_first() -> None:
    first = {"Biden": 10, "Sanders": 20}
    final = {"Biden": 10, "Sanders": 20, "Warren": 6}  # 6 joined (N = 40 leaves room)
    found = problems(IA_2020, inp(n=40, first=first, final=final))
    assert "final" in found and "nobody may join after the first alignment" in found["final"]


def test_2016_allows_viable_groups_to_lose_members() -> None:
    first = {"Clinton": 10, "Sanders": 20, "OMalley": 4}
    final = {"Clinton": 8, "Sanders": 26}
    result = compute_precinct(IA_2016, inp(n=40, first=first, final=final))
    assert result.viable_first == ("Clinton", "Sanders")
    assert result.complete


def test_nevada_has_the_2020_checks_too() -> None:
    first = {"Biden": 10, "Sanders": 20}
    found = problems(NV_2020, inp(n=40, first=first, final={"Biden": 9, "Sanders": 21}))
    assert "final.Biden" in found


def test_unknown_group_names_are_refused() -> None:
    known = frozenset(ADAIR)
    found = problems(IA_2020, inp(final={**ADAIR, "Bloomberg": 0}), known)
    assert "final.Bloomberg" in found and "unknown group" in found["final.Bloomberg"]
    found = problems(IA_2020, inp(first={"Bloombreg": 1}), known)
    assert "first.Bloombreg" in found


def test_tie_outcome_naming_a_group_not_in_the_tie_is_refused() -> None:
    found = problems(IA_2020, inp(toss=("Sanders",)))
    assert "toss_winners[0]" in found
    assert "not in the tie" in found["toss_winners[0]"]
    assert "Buttigieg" in found["toss_winners[0]"] and "Klobuchar" in found["toss_winners[0]"]


def test_tie_outcome_with_no_tie_is_refused() -> None:
    found = problems(IA_2020, inp(d=7, n=200, final={"W": 100, "S": 60, "B": 40}, toss=("W",)))
    assert "toss_winners[0]" in found and "no tie" in found["toss_winners[0]"]


def test_too_few_tie_outcomes_are_refused() -> None:
    """§5.8 K: one of four loses, so three keepers must be named."""
    final = {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24}
    found = problems(IA_2020, inp(d=4, n=76, final=final, toss=("A",)))
    assert "toss_winners[0]" in found and "needs 3" in found["toss_winners[0]"]


def test_same_winner_twice_is_refused() -> None:
    final = {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24}
    found = problems(IA_2020, inp(d=4, n=76, final=final, toss=("A", "A", "B")))
    assert "toss_winners[1]" in found and "twice" in found["toss_winners[1]"]


def test_recorded_toss_winner_resolves_the_pending_tie() -> None:
    """§5.8 G: Klobuchar won the toss -> Klobuchar 2, Buttigieg 1."""
    pending = compute_precinct(IA_2020, inp())
    assert pending.pending_tie is not None
    settled = compute_precinct(IA_2020, inp(toss=("Klobuchar",)))
    assert settled.pending_tie is None and settled.complete
    assert settled.delegates["Klobuchar"] == 2 and settled.delegates["Buttigieg"] == 1
    assert [t.to_dict()["winners"] for t in settled.ties] == [["Klobuchar"]]


@pytest.mark.parametrize("rules", [IA_2016, IA_2020, NV_2020], ids=lambda r: r.name)
def test_zero_delegates_is_an_empty_allocation_with_a_note(rules: RuleSet) -> None:
    """Three Lee County precincts elected no one in 2020: D = 0 is real, not an error."""
    result = compute_precinct(rules, inp(d=0, n=12, final={"Biden": 5, "Sanders": 7}))
    assert dict(result.delegates) == {}
    assert result.threshold is None
    assert result.notes and "D = 0" in result.notes[0]
    assert result.complete
    as_json = result.to_dict()
    assert as_json["delegates"] == {} and as_json["pending_tie"] is None
