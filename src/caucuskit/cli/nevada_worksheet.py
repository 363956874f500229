"""``caucus precinct`` with Nevada's early ballots and card draws (``--early``, ``--card-draw``).

Rule: rules.md §4 NV (early ranked ballots), §5.4 (card draws), §11 Q9. The math is
:func:`caucuskit.core.nevada.compute_nevada`; this module reads the options and shows the
early-vote table and the draws next to the usual worksheet.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caucuskit.core import PrecinctInput, Problem, RuleSet, ValidationError
from caucuskit.core.cards import CardDraw, card_draw
from caucuskit.core.early import EarlyBallot
from caucuskit.core.nevada import NevadaInput, NevadaResult, compute_nevada

Fail = Callable[[tuple[Problem, ...], bool], typer.Exit]


def parse_ballot(text: str, index: int) -> EarlyBallot:
    """``"Sanders>Warren>Biden"`` -> a ballot (blank choices are refused)."""
    choices = tuple(c.strip() for c in text.split(">"))
    if any(not c for c in choices):
        raise ValidationError.single(
            f"--early[{index}]", f"{text!r}: a choice is blank; write choices as A>B>C"
        )
    return EarlyBallot(choices)


def parse_draw(text: str, index: int, witnesses: list[str]) -> CardDraw:
    """``"Biden=AS,Sanders=10H"`` -> a card draw with the witnesses."""
    cards: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, card = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError.single(
                f"--card-draw[{index}]", f"{item.strip()!r} is not GROUP=CARD"
            )
        cards[name.strip()] = card.strip()
    return card_draw(cards, witnesses, field=f"--card-draw[{index}]")


def show_nevada(console: Console, rules: RuleSet, nv: NevadaResult) -> None:
    """The early-vote table and the card draws (the worksheet itself is printed before)."""
    t = nv.early
    console.print(
        f"[bold]Early ballots[/bold]: {t.ballots} loaded (checksum {t.checksum}); "
        f"{t.valid} valid, {t.void} void; {t.exhausted} count for no group"
    )
    table = Table(title="Early votes per group", title_justify="left")
    for col in ("Group", "First choice", "Lost", "Gained", "Final"):
        table.add_column(col, justify="left" if col == "Group" else "right")
    lost, gained = t.lost, t.gained
    for g in sorted(set(t.first) | set(t.final)):
        table.add_row(
            escape(g),
            str(t.first.get(g, 0)),
            str(lost.get(g, 0)),
            str(gained.get(g, 0)),
            str(t.final.get(g, 0)),
        )
    console.print(table)
    for d in nv.draws:
        cards = ", ".join(f"{g} {d.draw.cards[g].display}" for g in d.draw.ranking())
        console.print(
            f"Card draw: {escape(cards)} -> {escape(', '.join(d.winners))} "
            + ("gain" if d.tie.action == "gain" else "keep")
        )
    if nv.result.pending_tie is not None:
        groups = ",".join(f"{g}=CARD" for g in nv.result.pending_tie.groups)
        console.print(f'  Record the draw with --card-draw "{groups}" and --witness NAME.')


def run_nevada(
    rules: RuleSet,
    data: PrecinctInput,
    early: list[str],
    draws: list[str],
    witnesses: list[str],
    as_json: bool,
    fail: Fail,
) -> None:
    """Compute and print one Nevada precinct with early ballots and card draws."""
    from caucuskit.cli.worksheet import show_worksheet

    try:
        ballots = tuple(parse_ballot(b, i) for i, b in enumerate(early))
        parsed = tuple(parse_draw(d, i, witnesses) for i, d in enumerate(draws))
        nv = compute_nevada(rules, NevadaInput(
            delegates=data.delegates, attendees=data.attendees, final=data.final,
            first=data.first, early=ballots, card_draws=parsed,
            toss_winners=data.toss_winners))  # fmt: skip
    except ValidationError as err:
        raise fail(err.problems, as_json) from None
    if as_json:
        typer.echo(json.dumps(nv.to_dict(), indent=2, ensure_ascii=False))
        return
    console = Console(highlight=False)
    show_worksheet(console, rules, nv.result)
    show_nevada(console, rules, nv)
