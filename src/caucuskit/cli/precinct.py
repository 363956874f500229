"""``caucus precinct``: one precinct's caucus math as the chair's worksheet, or JSON; batch mode.

Rule: rules.md §3–§5 (threshold, alignments, allocation, ties), §11 (options). The math itself is
:func:`caucuskit.core.compute_precinct`; reading inputs is :mod:`caucuskit.cli.precinct_input`,
batch mode :mod:`caucuskit.cli.precinct_batch`, the terminal worksheet
:mod:`caucuskit.cli.worksheet` (imported only when a worksheet is shown).
"""

from __future__ import annotations

import json
import sys

import typer

from caucuskit.cli.precinct_input import parse_alignment, rules_with_options
from caucuskit.cli.precinct_options import (
    AsJson,
    Attendees,
    CardDraws,
    Delegates,
    Early,
    FinalAlignment,
    FirstAlignment,
    FirstViabilitySticks,
    Jsonl,
    OneDelegate,
    OvershootTiesOption,
    ProtectOnlyDelegate,
    Rules,
    TossWinners,
    Witnesses,
    Worksheet,
)
from caucuskit.core.errors import Problem, ValidationError
from caucuskit.core.model import PrecinctInput
from caucuskit.core.precinct import compute_precinct
from caucuskit.core.rules import RuleSet


def _fail(problems: tuple[Problem, ...], as_json: bool) -> typer.Exit:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "error": "; ".join(str(p) for p in problems),
                    "problems": [{"field": p.field, "message": p.message} for p in problems],
                },
                ensure_ascii=False,
            )
        )
    else:
        for p in problems:
            typer.echo(f"error: {p}", err=True)
    return typer.Exit(code=1)


def _batch(ruleset: RuleSet, given: dict[str, object], worksheet: bool) -> typer.Exit:
    """Batch mode: refuse single-precinct options, then one JSON result per stdin line."""
    named = [name for name, value in given.items() if value]
    if named:
        return _fail(
            (Problem("--jsonl", f"reads precincts from stdin; do not also give {named[0]}"),), True
        )
    from caucuskit.cli.precinct_batch import run_batch

    failed = run_batch(sys.stdin, sys.stdout, ruleset, worksheet=worksheet)
    return typer.Exit(code=1 if failed else 0)


def _single_input(
    delegates: int | None,
    attendees: int | None,
    final: str | None,
    first: str | None,
    toss_winner: list[str] | None,
) -> tuple[PrecinctInput | None, list[Problem]]:
    """The command-line precinct, or every problem with the options that describe it."""
    problems: list[Problem] = []
    for name, value in (("--delegates", delegates), ("--attendees", attendees), ("--final", final)):
        if value is None:
            problems.append(Problem(name, "is required (or use --jsonl)"))
    counts: dict[str, dict[str, int] | None] = {"--final": {}, "--first": None}
    for option, text in (("--final", final), ("--first", first)):
        if text is not None:
            try:
                counts[option] = parse_alignment(text, option)
            except ValidationError as err:
                problems.extend(err.problems)
    if problems:
        return None, problems
    assert delegates is not None and attendees is not None
    final_counts = counts["--final"]
    assert final_counts is not None
    data = PrecinctInput(
        delegates=delegates,
        attendees=attendees,
        final=final_counts,
        first=counts["--first"],
        toss_winners=tuple(toss_winner or ()),
    )
    return data, []


def precinct(
    delegates: Delegates = None,
    attendees: Attendees = None,
    final: FinalAlignment = None,
    first: FirstAlignment = None,
    rules: Rules = "ia-2020",
    toss_winner: TossWinners = None,
    one_delegate: OneDelegate = None,
    overshoot_ties: OvershootTiesOption = None,
    protect_only_delegate: ProtectOnlyDelegate = None,
    first_viability_sticks: FirstViabilitySticks = None,
    as_json: AsJson = False,
    early: Early = None,
    card_draw: CardDraws = None,
    witness: Witnesses = None,
    worksheet: Worksheet = None,
    jsonl: Jsonl = False,
) -> None:
    """Compute one precinct caucus: viability threshold, viable groups, delegates, ties.

    Example: caucus precinct --rules ia-2020 --delegates 8 --attendees 40
    --final "Biden=6,Buttigieg=8,Klobuchar=8,Sanders=9,Warren=9"
    """
    try:
        ruleset = rules_with_options(
            rules,
            one_delegate=one_delegate,
            overshoot_ties=overshoot_ties,
            protect_only_delegate=protect_only_delegate,
            first_viability_sticks=first_viability_sticks,
        )
    except ValidationError as err:
        raise _fail(err.problems, as_json or jsonl) from None
    if jsonl:
        raise _batch(
            ruleset,
            {
                "--delegates": delegates,
                "--attendees": attendees,
                "--final": final,
                "--first": first,
                "--toss-winner": toss_winner,
            },
            bool(worksheet),  # a batch writes the worksheet only when asked (ADR 0013)
        )
    data, problems = _single_input(delegates, attendees, final, first, toss_winner)
    if data is None:
        raise _fail(tuple(problems), as_json)
    if early or card_draw:
        from caucuskit.cli.nevada_worksheet import run_nevada

        run_nevada(ruleset, data, early or [], card_draw or [], witness or [], as_json, _fail)
        return
    try:
        result = compute_precinct(ruleset, data)
    except ValidationError as err:
        raise _fail(err.problems, as_json) from None
    if as_json:
        doc = result.to_dict(worksheet=worksheet is not False)
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    from rich.console import Console

    from caucuskit.cli.worksheet import show_worksheet

    show_worksheet(Console(highlight=False), ruleset, result)


def register(app: typer.Typer) -> None:
    """Add ``caucus precinct`` to the app."""
    app.command("precinct")(precinct)
