"""Card draws (issue 13; rules.md §5.4): aces high, spades > hearts > diamonds > clubs; the
outcome is derived from the recorded cards."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caucuskit.core.cards import Card, Suit, card_draw, parse_card
from caucuskit.core.errors import ValidationError
from caucuskit.core.nevada import NevadaInput, compute_nevada
from caucuskit.core.rules import IA_2020, NV_2020


@pytest.mark.parametrize(
    ("text", "card"),
    [("AS", Card(14, Suit.SPADES)), ("10h", Card(10, Suit.HEARTS)), ("Q♦", Card(12, Suit.DIAMONDS)),
     ("2C", Card(2, Suit.CLUBS)), ("ace of spades", Card(14, Suit.SPADES)),
     ("King of Hearts", Card(13, Suit.HEARTS))],
)  # fmt: skip
def test_parse(text: str, card: Card) -> None:
    assert parse_card(text) == card


@pytest.mark.parametrize("text", ["1S", "11H", "AX", "", "A", "S", 14])
def test_parse_refuses(text: object) -> None:
    with pytest.raises(ValidationError) as err:
        parse_card(text, "card_draws[0].cards.Biden")
    assert err.value.problems[0].field == "card_draws[0].cards.Biden"


def test_order_aces_high_then_suits() -> None:
    order = ["2C", "2D", "2H", "2S", "10C", "KS", "AC", "AD", "AH", "AS"]
    cards = [parse_card(c) for c in order]
    assert sorted(cards) == cards


deck = st.builds(Card, st.integers(2, 14), st.sampled_from(list(Suit)))


@given(st.lists(deck, min_size=2, max_size=6, unique=True))
def test_ranking_is_by_card_not_by_name(cards: list[Card]) -> None:
    groups = [f"G{i}" for i in range(len(cards))]
    draw = card_draw(dict(zip(groups, cards, strict=True)), ["W"])
    ranked = draw.ranking()
    assert [draw.cards[g] for g in ranked] == sorted(cards, reverse=True)


def test_same_card_twice_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        card_draw({"A": "AS", "B": "as"})
    assert "one deck" in err.value.problems[0].message


GENUINE: dict[str, Any] = dict(delegates=6, attendees=200, final={"W": 100, "S": 50, "B": 50})


def test_draw_settles_a_loss_tie_highest_keeps() -> None:
    # 3 + 1.5 + 1.5 -> 3/2/2 = 7 > 6: one of S, B loses (rules.md §5.4 genuine toss)
    pending = compute_nevada(NV_2020, NevadaInput(**GENUINE)).result.pending_tie
    assert pending is not None and pending.method == "card draw"
    nv = compute_nevada(
        NV_2020,
        NevadaInput(**GENUINE, card_draws=(card_draw({"S": "2S", "B": "AC"}, ["Ann", "Bo"]),)),
    )
    assert dict(nv.result.delegates) == {"W": 3, "B": 2, "S": 1}
    assert nv.draws[0].winners == ("B",)
    assert nv.draws[0].to_dict()["witnesses"] == ["Ann", "Bo"]
    # same rank: the suit decides (hearts beat diamonds)
    nv = compute_nevada(
        NV_2020, NevadaInput(**GENUINE, card_draws=(card_draw({"S": "7H", "B": "7D"}),))
    )
    assert dict(nv.result.delegates) == {"W": 3, "S": 2, "B": 1}


def test_draw_for_the_wrong_groups_or_no_tie_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        compute_nevada(
            NV_2020, NevadaInput(**GENUINE, card_draws=(card_draw({"S": "7H", "W": "7D"}),))
        )
    assert err.value.problems[0].field == "card_draws[0].cards"
    with pytest.raises(ValidationError) as err:
        compute_nevada(
            NV_2020,
            NevadaInput(
                delegates=7,
                attendees=79,
                final={"A": 14, "B": 19, "C": 18, "D": 12, "E": 16},
                card_draws=(card_draw({"A": "2C", "B": "3C"}),),
            ),
        )
    assert err.value.problems[0].field == "card_draws[0]"


def test_winners_are_never_typed_in_under_card_draws() -> None:
    with pytest.raises(ValidationError) as err:
        compute_nevada(NV_2020, NevadaInput(**GENUINE, toss_winners=("S",)))
    assert err.value.problems[0].field == "toss_winners"
    with pytest.raises(ValidationError) as err:
        compute_nevada(
            IA_2020, NevadaInput(**GENUINE, card_draws=(card_draw({"S": "7H", "B": "7D"}),))
        )
    assert err.value.problems[0].field == "card_draws"
