"""One-delegate precincts (rules.md §5.6) and the §11 options, each against its default."""

from __future__ import annotations

import pytest

from caucuskit.core import (
    IA_2016,
    IA_2020,
    NV_2020,
    OneDelegateRule,
    OvershootTies,
    PrecinctInput,
    RuleSet,
    ValidationError,
    compute_precinct,
)

BENNINGTON = {"Buttigieg": 5, "Steyer": 4, "Sanders": 3, "Warren": 2, "Biden": 2}  # N = 16


def test_2020_one_delegate_goes_to_the_largest_group() -> None:
    """§5.6: Black Hawk "Bennington": Buttigieg 5 of 16 got the delegate."""
    result = compute_precinct(IA_2020, PrecinctInput(1, 16, BENNINGTON))
    assert dict(result.delegates) == {"Buttigieg": 1}
    assert result.threshold is None and result.complete


@pytest.mark.parametrize(("rules", "method"), [(IA_2020, "coin toss"), (NV_2020, "card draw")])
def test_one_delegate_tie_for_largest_is_a_game_of_chance(rules: RuleSet, method: str) -> None:
    final = {"A": 5, "B": 5, "C": 2}
    result = compute_precinct(rules, PrecinctInput(1, 12, final))
    assert result.pending_tie is not None
    assert set(result.pending_tie.groups) == {"A", "B"}
    assert (result.pending_tie.delegates, result.pending_tie.action) == (1, "gain")
    assert result.pending_tie.method == method
    assert dict(result.delegates) == {}
    settled = compute_precinct(rules, PrecinctInput(1, 12, final, toss_winners=("B",)))
    assert dict(settled.delegates) == {"B": 1}


def test_strict_majority_option() -> None:
    """§11 Q2: a group needs more than half of the attendees."""
    strict = IA_2020.with_options(one_delegate=OneDelegateRule.STRICT_MAJORITY)
    nobody = compute_precinct(strict, PrecinctInput(1, 16, BENNINGTON))
    assert dict(nobody.delegates) == {} and nobody.undecided and not nobody.complete
    assert compute_precinct(strict, PrecinctInput(1, 16, {"A": 9, "B": 7})).delegates == {"A": 1}
    # exactly half is not more than half
    assert compute_precinct(strict, PrecinctInput(1, 16, {"A": 8, "B": 8})).undecided


def test_2016_one_delegate_needs_a_simple_majority_of_votes() -> None:
    """§5.6 2016: no preference groups; a simple majority elects the delegate."""
    assert compute_precinct(IA_2016, PrecinctInput(1, 20, {"A": 7, "B": 6})).delegates == {"A": 1}
    revote = compute_precinct(IA_2016, PrecinctInput(1, 20, {"A": 6, "B": 6, "C": 1}))
    assert revote.undecided and dict(revote.delegates) == {}


def test_no_protection_lets_the_lowest_decimal_lose_its_only_delegate() -> None:
    """§5.8 D (Evansdale W4) without the §5.3 protection: Sanders (.686) loses his only one."""
    final = {"Biden": 7, "Buttigieg": 15, "Sanders": 6, "Warren": 7}
    assert compute_precinct(IA_2020, PrecinctInput(4, 35, final)).delegates == {
        "Biden": 1,
        "Buttigieg": 1,
        "Sanders": 1,
        "Warren": 1,
    }
    open_ = IA_2020.with_options(protect_only_delegate=False)
    assert compute_precinct(open_, PrecinctInput(4, 35, final)).delegates == {
        "Biden": 1,
        "Buttigieg": 2,
        "Warren": 1,
    }


def test_first_viability_sticks_option() -> None:
    """§11 Q3 (2016): a group viable in the first alignment that lost members keeps viability."""
    first, final = {"A": 4, "B": 8, "C": 8}, {"A": 2, "B": 10, "C": 8}  # D=4, N=20, T=3
    plain = compute_precinct(IA_2016, PrecinctInput(4, 20, final, first))
    assert plain.viable == ("B", "C") and plain.delegates == {"B": 2, "C": 2}
    sticky = IA_2016.with_options(first_viability_sticks=True)
    kept = compute_precinct(sticky, PrecinctInput(4, 20, final, first))
    assert kept.viable == ("A", "B", "C")
    assert kept.delegates == {"A": 1, "B": 2, "C": 1}


def test_all_realign_is_only_about_ties_among_the_smallest() -> None:
    app = IA_2020.with_options(overshoot_ties=OvershootTies.ALL_REALIGN)
    final = {"A": 12, "B": 13, "C": 14}  # D=2, N=39, T=10; A alone is smallest
    result = compute_precinct(app, PrecinctInput(2, 39, final))
    assert result.must_realign == ("A",)


def test_options_from_json_values() -> None:
    rules = IA_2020.with_option_values(
        {
            "one-delegate": "strict-majority",
            "overshoot_ties": "all-realign",
            "protect_only_delegate": False,
        }
    )
    assert rules.one_delegate is OneDelegateRule.STRICT_MAJORITY
    assert rules.overshoot_ties is OvershootTies.ALL_REALIGN
    assert rules.protect_only_delegate is False
    with pytest.raises(ValidationError) as caught:
        IA_2020.with_option_values({"one_delegate": "coin", "name": "x", "tie_places": True})
    fields = {p.field for p in caught.value.problems}
    assert fields == {"options.one_delegate", "options.name", "options.tie_places"}
    with pytest.raises(ValidationError):
        IA_2020.with_options(nonsense=1)
