"""The chair's worksheet in the terminal (Rich): numbers, the table of groups, every step.

Rule: rules.md §5.7 step 6 (the worksheet explains every decision). The words of each step come
from :mod:`caucuskit.core.wording` through ``step.text``; this module only lays them out.

Inputs: a :class:`PrecinctResult` and its ruleset. Outputs: text on a Rich console.
"""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caucuskit.core.model import PendingTie, PrecinctResult
from caucuskit.core.rounding import decimal_str
from caucuskit.core.rules import RuleSet


def _names(groups: tuple[str, ...]) -> str:
    if len(groups) == 1:
        return groups[0]
    return ", ".join(groups[:-1]) + " and " + groups[-1]


def describe_tie(tie: PendingTie) -> str:
    """The pending tie in plain words, e.g.
    "Coin toss needed between Buttigieg and Klobuchar: 1 delegate to lose"."""
    plural = "delegate" if tie.delegates == 1 else "delegates"
    return (
        f"{tie.method.capitalize()} needed between {_names(tie.groups)}: "
        f"{tie.delegates} {plural} to {tie.action}"
    )


def _yes(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _groups_table(result: PrecinctResult) -> Table:
    """One row per preference group: its counts, viability, shares and delegates (§5)."""
    has_first = any(line.first is not None for line in result.lines)
    table = Table(title="Preference groups", title_justify="left")
    table.add_column("Group")
    if has_first:
        table.add_column("First", justify="right")
        table.add_column("Viable (first)")
    table.add_column("Final", justify="right")
    table.add_column("Viable")
    table.add_column("Raw share", justify="right")
    table.add_column("Rounded", justify="right")
    table.add_column("Delegates", justify="right")
    tied = set(result.pending_tie.groups) if result.pending_tie else set()
    for line in result.lines:
        cells = [escape(line.name)]
        if has_first:
            cells += ["" if line.first is None else str(line.first), _yes(line.viable_first)]
        delegates = str(line.delegates)
        if line.name in tied:
            delegates += " (+1 if it wins)"
        if line.name in result.must_realign:
            delegates += " (must realign)"
        cells += [
            str(line.final),
            _yes(line.viable),
            "" if line.raw is None else decimal_str(line.raw, 4),
            "" if line.rounded is None else str(line.rounded),
            delegates,
        ]
        table.add_row(*cells)
    return table


def _show_what_is_left(console: Console, result: PrecinctResult) -> None:
    """A tie still to settle, groups that must realign, and the delegates so far."""
    pending = result.pending_tie
    if pending is not None:
        console.print(f"[bold yellow]{escape(describe_tie(pending))}[/bold yellow]", soft_wrap=True)
        verb = "gains" if pending.action == "gain" else "keeps"
        console.print(
            f"  Record the outcome with --toss-winner NAME ({pending.winners_needed} "
            f"winner(s): a winner {verb} the delegate).",
            soft_wrap=True,
        )
    if result.must_realign:
        console.print(
            f"[bold yellow]Must realign: {escape(_names(result.must_realign))}[/bold yellow]",
            soft_wrap=True,
        )
    awarded = ", ".join(f"{g} {n}" for g, n in result.delegates.items()) or "none"
    status = "final" if result.complete else "not final yet"
    console.print(f"[bold]Delegates ({status}):[/bold] {escape(awarded)}", soft_wrap=True)


def show_worksheet(console: Console, rules: RuleSet, result: PrecinctResult) -> None:
    """Print the chair's worksheet: the numbers, the table of groups, every step, what is left."""
    console.print(f"[bold]Precinct worksheet[/bold] — {escape(rules.title)} ({rules.name})")
    console.print(f"Delegates to elect (D): {result.delegates_to_elect}")
    console.print(f"Attendees at the start (N): {result.attendees}")
    if result.threshold is None:
        why = "one delegate: rules.md §5.6" if result.delegates_to_elect == 1 else "D = 0"
        console.print(f"Viability threshold: none ({why})")
    else:
        console.print(f"Viability threshold: {result.threshold} people")
    console.print(_groups_table(result))
    console.print("[bold]Steps[/bold]")
    for i, step in enumerate(result.log, start=1):
        console.print(f"{i:>3}. {escape(step.text)}")
    for tie in result.ties:
        console.print(
            f"Recorded {tie.method}: {escape(_names(tie.groups))}; won by "
            f"{escape(_names(tie.winners))}"
        )
    _show_what_is_left(console, result)
