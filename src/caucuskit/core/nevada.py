"""A Nevada 2020 precinct: in-person counts plus early ballots, ties settled by card draws.

This composes the early-ballot count (:mod:`caucuskit.core.early`), the precinct allocation
(:func:`caucuskit.core.precinct.compute_precinct`, unchanged: it receives the combined group
sizes, N and the draw winners as its inputs) and the card draws (:mod:`caucuskit.core.cards`).

Rule: rules.md §4 (NV column), §5.2-§5.4, §5.7 step 5 (Principle 2: extra delegates), §11 Q9.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from caucuskit.core.cards import CardDraw, DrawnTie, settle_with_cards
from caucuskit.core.checks import check_count
from caucuskit.core.early import EarlyBallot, EarlyTally, tally_early
from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.model import PrecinctInput, PrecinctResult
from caucuskit.core.nevada_steps import CardDrawn
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.rules import RuleSet, TieMethod


@dataclass(frozen=True)
class NevadaInput:
    """What a Nevada chair's worksheet holds.

    ``attendees``, ``first`` and ``final`` are the in-person counts; ``early`` the precinct's
    early ballots as loaded by the party; ``confirmed`` the count and checksum the chair read
    back (refused when they differ from the ballots); ``card_draws`` the draws, in the order
    the ties arise.
    """

    delegates: int
    attendees: int
    final: Mapping[str, int]
    first: Mapping[str, int] | None = None
    early: tuple[EarlyBallot, ...] = ()
    card_draws: tuple[CardDraw, ...] = ()
    confirmed: tuple[int, str] | None = None
    toss_winners: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class NevadaResult:
    """The precinct result on the combined counts, with the early tally and the draws."""

    result: PrecinctResult
    early: EarlyTally
    draws: tuple[DrawnTie, ...]
    in_person: Mapping[str, object]

    def to_dict(self) -> dict[str, object]:
        out = self.result.to_dict()
        out["log"] = [s.to_dict() for s in self.early.log + self.result.log]
        out["early"] = self.early.to_dict()
        out["card_draws"] = [d.to_dict() for d in self.draws]
        out["in_person"] = dict(self.in_person)
        return out


def _confirm(tally: EarlyTally, confirmed: tuple[int, str] | None) -> None:
    if confirmed is None:
        return
    count, checksum = confirmed
    problems = []
    if count != tally.ballots:
        problems.append(
            Problem(
                "early_count",
                f"the chair confirmed {count} early ballot(s); "
                f"{tally.ballots} were loaded for this precinct",
            )
        )
    if checksum.strip().lower() != tally.checksum:
        problems.append(
            Problem(
                "early_checksum",
                f"{checksum!r} does not match the loaded ballots' checksum {tally.checksum}",
            )
        )
    if problems:
        raise ValidationError(problems)


def compute_nevada(
    rules: RuleSet, data: NevadaInput, known_groups: frozenset[str] | None = None
) -> NevadaResult:
    """Count the early ballots into the in-person alignments, then allocate (rules.md §5.7).

    Group sizes and N passed to the allocation include the early ballots; the ties it reports
    are settled by ``data.card_draws`` (or, under a coin-toss ruleset, ``data.toss_winners``).
    """
    problems: list[Problem] = []
    check_count(problems, "delegates", data.delegates, cap=100_000)
    check_count(problems, "attendees", data.attendees, cap=10_000_000)
    if problems:
        raise ValidationError(problems)
    if data.card_draws and rules.tie_method is not TieMethod.CARD_DRAW:
        raise ValidationError.single(
            "card_draws",
            f"the {rules.name} rules break ties by {rules.tie_method.value}, not by card draw",
        )
    if data.toss_winners and rules.tie_method is TieMethod.CARD_DRAW:
        raise ValidationError.single(
            "toss_winners",
            "ties are settled by card draws here: record each group's card, not the winners",
        )
    first_in = data.first or {}
    tally = tally_early(
        rules, data.delegates, data.attendees, first_in, data.final, data.early, known_groups
    )
    _confirm(tally, data.confirmed)
    n = data.attendees + tally.valid
    # Without the in-person first alignment there is no combined first alignment to check.
    first = None if data.first is None else _add(first_in, tally.first)
    final = _add(data.final, tally.final)
    combined = PrecinctInput(data.delegates, n, final, first, data.toss_winners)

    def run(d: PrecinctInput) -> PrecinctResult:
        return compute_precinct(rules, d, known_groups)

    if rules.tie_method is TieMethod.CARD_DRAW:
        result, draws = settle_with_cards(run, combined, data.card_draws)
    else:
        result, draws = run(combined), ()
    steps = tuple(
        CardDrawn(
            groups=tuple(d.tie.groups),
            cards=tuple(f"{g} {d.draw.cards[g].display}" for g in d.draw.ranking()),
            winners=tuple(d.winners),
            change="gain" if d.tie.action == "gain" else "lose",
            witnesses=tuple(d.draw.witnesses),
        )
        for d in draws
    )
    if steps:  # the worksheet is built on first read; the draws follow its own steps
        result._log = result.log + steps
    in_person: dict[str, object] = {
        "attendees": data.attendees,
        "first": None if data.first is None else dict(data.first),
        "final": dict(data.final),
    }
    return NevadaResult(result, tally, draws, in_person)


def _add(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    out = dict(a)
    for g, n in b.items():
        out[g] = out.get(g, 0) + n
    return out
