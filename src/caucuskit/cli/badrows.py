"""Rows of a results file that could not be read or joined: fail, or skip them on request.

A malformed row (a count that is not a number, a wrong number of columns, a precinct the
election does not have) must not disappear quietly (rules.md §9: nothing lost, nothing silent).
By default the command stops and names each row's line and reason; ``--skip-bad-rows`` goes on
without them and says how many were left out before anything else.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

SkipOpt = Annotated[
    bool,
    typer.Option(
        "--skip-bad-rows",
        help="Leave out rows that cannot be read or matched to the election "
        "(each is listed) instead of stopping at them.",
    ),
]

#: How many bad rows are listed in the error before "... and N more".
SHOWN = 20


def check_bad_rows(
    bad: Sequence[str], skip: bool, as_json: bool, console: Console | None = None
) -> None:
    """Stop with exit code 2 when ``bad`` is not empty, unless ``skip``; then announce them.

    ``bad`` holds one "line N: county / precinct: reason" text per row.
    """
    if not bad:
        return
    if not skip:
        lines = [f"{len(bad)} row(s) of the results file cannot be used:"]
        lines += [f"  {b}" for b in bad[:SHOWN]]
        if len(bad) > SHOWN:
            lines.append(f"  ... and {len(bad) - SHOWN} more")
        lines.append("Fix the file, or pass --skip-bad-rows to go on without these rows.")
        if as_json:
            typer.echo(json.dumps({"error": lines[0].rstrip(":"), "bad_rows": list(bad)}))
        else:
            Console(stderr=True).print("[red]error:[/] " + escape("\n".join(lines)))
        raise typer.Exit(2)
    if not as_json:
        out = console or Console(stderr=True)
        out.print(
            f"[yellow]{len(bad)} bad row(s) skipped (--skip-bad-rows); the totals below "
            "leave them out:[/]"
        )
        for b in bad:
            out.print(f"  [yellow]skipped:[/] {escape(b)}")
