"""Card draws: Nevada's game of chance, with the outcome derived from the cards drawn.

Each group in a tie draws one card from a deck; aces are high and, between equal ranks, suits
rank spades > hearts > diamonds > clubs. The highest cards win: in a tie for delegates to
*gain* the ``k`` highest cards gain one each; in a tie for delegates to *lose* the ``n - k``
highest cards keep theirs. The chair records the cards and the witnesses; the winners are never
typed in, they are read off the cards here and fed to the allocation as its recorded outcome
(:class:`~caucuskit.core.ties.TossBook` takes them as ``toss_winners``).

Rule: rules.md §5.4 (NV 2020 card draw; a draw only when the tied set is larger than the
delegates to give or take).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.model import PendingTie, PrecinctInput, PrecinctResult


class Suit(IntEnum):
    """Suits from lowest to highest (rules.md §5.4: spades > hearts > diamonds > clubs)."""

    CLUBS = 1
    DIAMONDS = 2
    HEARTS = 3
    SPADES = 4

    @property
    def letter(self) -> str:
        return self.name[0]

    @property
    def symbol(self) -> str:
        return {1: "♣", 2: "♦", 3: "♥", 4: "♠"}[self.value]


_RANK_NAMES = {11: "J", 12: "Q", 13: "K", 14: "A"}
_RANK_WORDS = {"J": 11, "JACK": 11, "Q": 12, "QUEEN": 12, "K": 13, "KING": 13, "A": 14, "ACE": 14}
_SUIT_WORDS = {
    "S": Suit.SPADES, "SPADES": Suit.SPADES, "♠": Suit.SPADES,
    "H": Suit.HEARTS, "HEARTS": Suit.HEARTS, "♥": Suit.HEARTS,
    "D": Suit.DIAMONDS, "DIAMONDS": Suit.DIAMONDS, "♦": Suit.DIAMONDS,
    "C": Suit.CLUBS, "CLUBS": Suit.CLUBS, "♣": Suit.CLUBS,
}  # fmt: skip
_CARD = re.compile(
    r"^\s*(10|[2-9]|[AJQK]|ACE|JACK|QUEEN|KING)\s*(?:OF\s+)?"
    r"([SHDC♠♥♦♣]|SPADES|HEARTS|DIAMONDS|CLUBS)\s*$"
)


@dataclass(frozen=True, order=True)
class Card:
    """A playing card. Ordered by rank (2 lowest, ace 14 highest), then suit (§5.4)."""

    rank: int
    suit: Suit

    def __post_init__(self) -> None:
        rank = self.rank
        if isinstance(rank, bool) or not isinstance(rank, int) or not 2 <= rank <= 14:
            raise ValidationError.single("card.rank", f"must be 2-10, J, Q, K or A; got {rank!r}")

    @property
    def rank_text(self) -> str:
        return _RANK_NAMES.get(self.rank, str(self.rank))

    def __str__(self) -> str:
        """Short text: ``AS``, ``10H``, ``QD``."""
        return f"{self.rank_text}{self.suit.letter}"

    @property
    def display(self) -> str:
        """For people: ``A♠``, ``10♥``."""
        return f"{self.rank_text}{self.suit.symbol}"

    def to_dict(self) -> dict[str, object]:
        return {
            "card": str(self),
            "rank": self.rank_text,
            "suit": self.suit.name.lower(),
            "display": self.display,
        }


def parse_card(text: object, field: str = "card") -> Card:
    """Read ``AS``, ``10h``, ``Q♦``, ``ace of spades``; raise a :class:`ValidationError` naming
    ``field`` otherwise."""
    if not isinstance(text, str):
        raise ValidationError.single(field, f"must be a card such as 'AS' or '10H', got {text!r}")
    m = _CARD.match(text.upper())
    if m is None:
        raise ValidationError.single(
            field, f"{text!r} is not a card: write rank then suit, e.g. 'AS', '10H', 'QD', '2C'"
        )
    rank_text, suit_text = m.group(1), m.group(2)
    rank = _RANK_WORDS.get(rank_text) or int(rank_text)
    return Card(rank, _SUIT_WORDS[suit_text])


@dataclass(frozen=True)
class CardDraw:
    """One recorded draw: the card each tied group drew, and who witnessed it."""

    cards: Mapping[str, Card]
    witnesses: tuple[str, ...] = ()

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(sorted(self.cards))

    def ranking(self) -> list[str]:
        """Groups from the highest card to the lowest."""
        return sorted(self.cards, key=lambda g: self.cards[g], reverse=True)

    def winners(self, tie: PendingTie) -> tuple[str, ...]:
        """The groups this draw makes winners of ``tie`` (gainers, or keepers for a loss)."""
        return tuple(sorted(self.ranking()[: tie.winners_needed]))

    def to_dict(self) -> dict[str, object]:
        return {
            "cards": {g: str(c) for g, c in sorted(self.cards.items())},
            "order": [{"group": g, **self.cards[g].to_dict()} for g in self.ranking()],
            "witnesses": list(self.witnesses),
        }


def card_draw(
    cards: Mapping[str, object], witnesses: Sequence[str] = (), field: str = "card_draws[0]"
) -> CardDraw:
    """Build a :class:`CardDraw` from texts (``{"Biden": "AS", "Sanders": "10H"}``), checking
    that every card is a real one and that no card was drawn twice (one deck)."""
    problems: list[Problem] = []
    parsed: dict[str, Card] = {}
    if not isinstance(cards, Mapping) or not cards:
        raise ValidationError.single(f"{field}.cards", "must map each tied group to its card")
    for group, text in cards.items():
        try:
            card = text if isinstance(text, Card) else parse_card(text, f"{field}.cards.{group}")
        except ValidationError as exc:
            problems.extend(exc.problems)
            continue
        for other, seen in parsed.items():
            if seen == card:
                problems.append(
                    Problem(
                        f"{field}.cards.{group}",
                        f"{card} was already drawn by {other}: one deck has one of each card",
                    )
                )
        parsed[str(group)] = card
    clean: list[str] = []
    for i, w in enumerate(witnesses):
        if not isinstance(w, str) or not w.strip():
            problems.append(Problem(f"{field}.witnesses[{i}]", f"must be a name, got {w!r}"))
        else:
            clean.append(w.strip())
    if problems:
        raise ValidationError(problems)
    return CardDraw(parsed, tuple(clean))


@dataclass(frozen=True)
class DrawnTie:
    """A tie of the allocation and the draw that settled it, with the winners it gives."""

    tie: PendingTie
    draw: CardDraw
    winners: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {**self.tie.to_dict(), **self.draw.to_dict(), "winners": list(self.winners)}


def settle_with_cards(
    compute: Callable[[PrecinctInput], PrecinctResult],
    data: PrecinctInput,
    draws: Sequence[CardDraw],
) -> tuple[PrecinctResult, tuple[DrawnTie, ...]]:
    """Run ``compute`` (e.g. ``lambda d: compute_precinct(rules, d)``) and settle each tie, in
    the order it arises, with the next recorded draw; the winners are derived from the cards.

    ``data.toss_winners`` must be empty: with card draws the outcome is never typed in. A draw
    whose groups are not exactly the tie's, or a draw left over once every tie is settled, is a
    :class:`ValidationError` naming ``card_draws[i]``. Ties still open when the draws run out
    stay pending in the result (the chair draws next).
    """
    if data.toss_winners:
        raise ValidationError.single(
            "toss_winners", "with card draws the winners come from the cards; record the cards"
        )
    winners: tuple[str, ...] = ()
    settled: list[DrawnTie] = []
    result = compute(data)
    for i, draw in enumerate(draws):
        tie = result.pending_tie
        where = f"card_draws[{i}]"
        if tie is None:
            raise ValidationError.single(where, "no tie is left for this draw to settle")
        if set(draw.cards) != set(tie.groups):
            raise ValidationError.single(
                f"{where}.cards",
                f"the tie is between {', '.join(tie.groups)}; cards were recorded for "
                f"{', '.join(sorted(draw.cards))}",
            )
        won = draw.winners(tie)
        settled.append(DrawnTie(tie, draw, won))
        winners += won
        result = compute(_with_winners(data, winners))
    return result, tuple(settled)


def _with_winners(data: PrecinctInput, winners: tuple[str, ...]) -> PrecinctInput:
    return PrecinctInput(data.delegates, data.attendees, data.final, data.first, winners)
