"""``caucus precinct``: one precinct's caucus math as the chair's worksheet, or JSON; batch mode.

Rule: rules.md §3–§5 (threshold, alignments, allocation, ties), §11 (options). The math itself is
:func:`caucuskit.core.compute_precinct`; this module only reads inputs and shows the result.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caucuskit.core import (
    RULESETS,
    OneDelegateRule,
    OvershootTies,
    PendingTie,
    PrecinctInput,
    PrecinctResult,
    Problem,
    RuleSet,
    ValidationError,
    compute_precinct,
    get_ruleset,
)
from caucuskit.core.rounding import decimal_str
from caucuskit.core.rules import OPTION_NAMES
from caucuskit.formats.inputs import BatchLine, read_shape

# --------------------------------------------------------------------------------------------
# Reading inputs


def parse_alignment(text: str, option: str) -> dict[str, int]:
    """Read ``"Biden=6,Buttigieg=8"`` into a mapping; errors name the option and the bad item.

    Blank items (a trailing comma) are ignored; an empty text is an empty alignment.
    """
    counts: dict[str, int] = {}
    problems: list[Problem] = []
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, count = item.partition("=")
        name, count = name.strip(), count.strip()
        if not sep or not name or not count or "=" in count:
            problems.append(Problem(option, f"{item.strip()!r} is not NAME=COUNT"))
            continue
        try:
            value = int(count)
        except ValueError:
            problems.append(
                Problem(option, f"{item.strip()!r}: the count {count!r} is not a whole number")
            )
            continue
        if name in counts:
            problems.append(Problem(option, f"{name!r} is given more than once"))
            continue
        counts[name] = value
    if problems:
        raise ValidationError(problems)
    return counts


def rules_with_options(
    name: str,
    *,
    one_delegate: OneDelegateRule | None = None,
    overshoot_ties: OvershootTies | None = None,
    protect_only_delegate: bool | None = None,
    first_viability_sticks: bool | None = None,
) -> RuleSet:
    """The named ruleset with the command-line options that were given (None keeps the default)."""
    rules = get_ruleset(name)
    changes: dict[str, object] = {}
    if one_delegate is not None:
        changes["one_delegate"] = one_delegate
    if overshoot_ties is not None:
        changes["overshoot_ties"] = overshoot_ties
    if protect_only_delegate is not None:
        changes["protect_only_delegate"] = protect_only_delegate
    if first_viability_sticks is not None:
        changes["first_viability_sticks"] = first_viability_sticks
    return rules.with_options(**changes) if changes else rules


def input_from_json(
    obj: object, default_rules: RuleSet
) -> tuple[RuleSet, PrecinctInput]:
    """One batch line (already parsed JSON) as a ruleset and a precinct input.

    The line's shape is :class:`caucuskit.formats.inputs.BatchLine` (the counts are checked as
    the API and the report files check them). ``rules`` names a ruleset (default: the command's
    ``--rules`` with its options); ``options`` changes §11 options for this line only
    (``{"one_delegate": "strict-majority"}``).
    """
    if not isinstance(obj, dict):
        raise ValidationError.single("line", f"must be a JSON object, got {type(obj).__name__}")
    line = read_shape(BatchLine, obj)
    problems: list[Problem] = []
    rules = default_rules
    if line.rules is not None and line.rules not in RULESETS:
        known = ", ".join(sorted(RULESETS))
        problems.append(Problem("rules", f"unknown ruleset {line.rules!r}; known: {known}"))
    elif line.rules is not None and line.rules != default_rules.name:
        # The command line's options (those that differ from its ruleset) still apply.
        base = get_ruleset(default_rules.name)
        changed = {
            key: getattr(default_rules, key)
            for key in OPTION_NAMES
            if getattr(default_rules, key) != getattr(base, key)
        }
        rules = get_ruleset(line.rules).with_options(**changed)
    if line.options is not None and not problems:
        try:
            rules = rules.with_option_values(line.options)
        except ValidationError as err:
            problems.extend(err.problems)
    if problems:
        raise ValidationError(problems)
    data = PrecinctInput(
        delegates=line.delegates,
        attendees=line.attendees,
        final=dict(line.final),
        first=None if line.first is None else dict(line.first),
        toss_winners=tuple(line.toss_winners or ()),
    )
    return rules, data


def run_batch(source: TextIO, out: TextIO, default_rules: RuleSet) -> int:
    """Batch mode: one JSON object per input line, one JSON result per line, in order.

    Blank lines are skipped. A bad line gives ``{"error": ..., "problems": [...], "line": n}``
    and the batch goes on. Returns how many lines failed.
    """
    failed = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        ident: object = None
        try:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise ValidationError.single("line", f"is not valid JSON ({err.msg})") from None
            if isinstance(obj, dict):
                ident = obj.get("id")
            rules, data = input_from_json(obj, default_rules)
            answer = compute_precinct(rules, data).to_dict()
        except ValidationError as err:
            failed += 1
            answer = {"error": str(err), "problems": err.as_dicts(), "line": number}
        if ident is not None:
            answer = {"id": ident, **answer}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
    out.flush()
    return failed


# --------------------------------------------------------------------------------------------
# Showing the result


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
    console.print(table)
    console.print("[bold]Steps[/bold]")
    for i, step in enumerate(result.log, start=1):
        console.print(f"{i:>3}. {escape(step.text)}")
    for tie in result.ties:
        console.print(
            f"Recorded {tie.method}: {escape(_names(tie.groups))}; won by "
            f"{escape(_names(tie.winners))}"
        )
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


# --------------------------------------------------------------------------------------------
# The command


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


def precinct(
    delegates: Annotated[
        int | None, typer.Option("--delegates", "-d", help="Delegates the precinct elects (D).")
    ] = None,
    attendees: Annotated[
        int | None,
        typer.Option("--attendees", "-n", help="Eligible attendees counted at the start (N)."),
    ] = None,
    final: Annotated[
        str | None,
        typer.Option(
            help='Final alignment, e.g. "Biden=6,Buttigieg=8" (group=people, comma-separated).'
        ),
    ] = None,
    first: Annotated[
        str | None,
        typer.Option(help="First alignment in the same form (optional; enables the §4 checks)."),
    ] = None,
    rules: Annotated[
        str,
        typer.Option(
            "--rules", help=f"Ruleset: {', '.join(sorted(RULESETS))}. In batch mode, the default."
        ),
    ] = "ia-2020",
    toss_winner: Annotated[
        list[str] | None,
        typer.Option(
            "--toss-winner",
            help="Group that won a coin toss or card draw (it gains or keeps the delegate); "
            "repeat in the order the ties arise.",
        ),
    ] = None,
    one_delegate: Annotated[
        OneDelegateRule | None,
        typer.Option(
            help="One-delegate precincts (§5.6, §11 Q2); default from the ruleset "
            "(2016 majority-vote, 2020 largest-group)."
        ),
    ] = None,
    overshoot_ties: Annotated[
        OvershootTies | None,
        typer.Option(
            help="Iowa, more viable groups than delegates and tied smallest groups (§11 Q8): "
            "by-lot (default, only as many lose as needed) or all-realign (the IDP 2020 app)."
        ),
    ] = None,
    protect_only_delegate: Annotated[
        bool | None,
        typer.Option(
            "--protect-only-delegate/--no-protect-only-delegate",
            help="When removing an excess delegate, never take a group's only one (§5.3; "
            "default on).",
            show_default=False,
        ),
    ] = None,
    first_viability_sticks: Annotated[
        bool | None,
        typer.Option(
            "--first-viability-sticks/--no-first-viability-sticks",
            help="A group viable in the first alignment stays viable (§11 Q3; default off).",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON object.")
    ] = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help="Batch mode: read one JSON precinct per line on stdin (keys rules, delegates, "
            "attendees, final, first, toss_winners, options, id); write one JSON result per "
            "line. Exit code 1 if any line was refused.",
        ),
    ] = False,
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
        given = [
            name
            for name, value in (
                ("--delegates", delegates),
                ("--attendees", attendees),
                ("--final", final),
                ("--first", first),
                ("--toss-winner", toss_winner),
            )
            if value
        ]
        if given:
            raise _fail(
                (Problem("--jsonl", f"reads precincts from stdin; do not also give {given[0]}"),),
                True,
            )
        failed = run_batch(sys.stdin, sys.stdout, ruleset)
        raise typer.Exit(code=1 if failed else 0)
    problems: list[Problem] = []
    for name, value in (("--delegates", delegates), ("--attendees", attendees), ("--final", final)):
        if value is None:
            problems.append(Problem(name, "is required (or use --jsonl)"))
    final_counts: dict[str, int] = {}
    first_counts: dict[str, int] | None = None
    try:
        if final is not None:
            final_counts = parse_alignment(final, "--final")
    except ValidationError as err:
        problems.extend(err.problems)
    try:
        if first is not None:
            first_counts = parse_alignment(first, "--first")
    except ValidationError as err:
        problems.extend(err.problems)
    if problems:
        raise _fail(tuple(problems), as_json)
    assert delegates is not None and attendees is not None
    data = PrecinctInput(
        delegates=delegates,
        attendees=attendees,
        final=final_counts,
        first=first_counts,
        toss_winners=tuple(toss_winner or ()),
    )
    try:
        result = compute_precinct(ruleset, data)
    except ValidationError as err:
        raise _fail(err.problems, as_json) from None
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    show_worksheet(Console(highlight=False), ruleset, result)


def register(app: typer.Typer) -> None:
    """Add ``caucus precinct`` to the app."""
    app.command("precinct")(precinct)
