"""The options of ``caucus precinct``, one ``Annotated`` type each (help texts in one place).

Rule: rules.md §11 (the options of the open questions). Used by :mod:`caucuskit.cli.precinct`.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias

import typer

from caucuskit.core.rules import RULESETS, OneDelegateRule, OvershootTies

Delegates: TypeAlias = Annotated[
    int | None, typer.Option("--delegates", "-d", help="Delegates the precinct elects (D).")
]

Attendees: TypeAlias = Annotated[
    int | None,
    typer.Option("--attendees", "-n", help="Eligible attendees counted at the start (N)."),
]

FinalAlignment: TypeAlias = Annotated[
    str | None,
    typer.Option(
        help='Final alignment, e.g. "Biden=6,Buttigieg=8" (group=people, comma-separated).'
    ),
]

FirstAlignment: TypeAlias = Annotated[
    str | None,
    typer.Option(help="First alignment in the same form (optional; enables the §4 checks)."),
]

Rules: TypeAlias = Annotated[
    str,
    typer.Option(
        "--rules", help=f"Ruleset: {', '.join(sorted(RULESETS))}. In batch mode, the default."
    ),
]

TossWinners: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(
        "--toss-winner",
        help="Group that won a coin toss or card draw (it gains or keeps the delegate); "
        "repeat in the order the ties arise.",
    ),
]

OneDelegate: TypeAlias = Annotated[
    OneDelegateRule | None,
    typer.Option(
        help="One-delegate precincts (§5.6, §11 Q2); default from the ruleset "
        "(2016 majority-vote, 2020 largest-group)."
    ),
]

OvershootTiesOption: TypeAlias = Annotated[
    OvershootTies | None,
    typer.Option(
        help="Iowa, more viable groups than delegates and tied smallest groups (§11 Q8): "
        "by-lot (default, only as many lose as needed) or all-realign (the IDP 2020 app)."
    ),
]

ProtectOnlyDelegate: TypeAlias = Annotated[
    bool | None,
    typer.Option(
        "--protect-only-delegate/--no-protect-only-delegate",
        help="When removing an excess delegate, never take a group's only one (§5.3; default on).",
        show_default=False,
    ),
]

FirstViabilitySticks: TypeAlias = Annotated[
    bool | None,
    typer.Option(
        "--first-viability-sticks/--no-first-viability-sticks",
        help="A group viable in the first alignment stays viable (§11 Q3; default off).",
        show_default=False,
    ),
]

AsJson: TypeAlias = Annotated[
    bool, typer.Option("--json", help="Print the result as one JSON object.")
]

Worksheet: TypeAlias = Annotated[
    bool | None,
    typer.Option(
        "--worksheet/--no-worksheet",
        help="Include the group rows and every step: by default with --json, only when asked "
        "with --jsonl (a batch writes the decisions; the worksheet adds about 3 KB a line).",
        show_default=False,
    ),
]

Jsonl: TypeAlias = Annotated[
    bool,
    typer.Option(
        "--jsonl",
        help="Batch mode: read one JSON precinct per line on stdin (keys rules, delegates, "
        "attendees, final, first, toss_winners, options, id); write one JSON result per "
        "line. Exit code 1 if any line was refused.",
    ),
]

Early: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(
        "--early",
        help="Nevada: one early ranked ballot, choices from first down, e.g. "
        '"Sanders>Warren>Biden"; repeat per ballot (rules.md §4 NV, §11 Q9).',
    ),
]

CardDraws: TypeAlias = Annotated[
    list[str] | None,
    typer.Option(
        "--card-draw",
        help='Nevada: the cards drawn for a tie, e.g. "Biden=AS,Sanders=10H" (aces high; '
        "spades > hearts > diamonds > clubs); repeat in the order the ties arise.",
    ),
]

Witnesses: TypeAlias = Annotated[
    list[str] | None,
    typer.Option("--witness", help="A witness of the card draws (repeat for each)."),
]
