"""``caucus audit``: every published precinct recomputed from its raw counts, with a finding.

Rule: rules.md §6 (method), §4 (realignment checks), §5.6 (one-delegate precincts). The work is
:func:`caucuskit.services.audit.audit`; this module reads the file and shows the findings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caucuskit.cli.badrows import SkipOpt, check_bad_rows
from caucuskit.cli.site_options import SiteDelegatesOpt
from caucuskit.cli.tabulate import fail, progress_bar
from caucuskit.core.errors import CaucusError
from caucuskit.core.rounding import decimal_str
from caucuskit.services.audit import AuditReport, audit
from caucuskit.services.audit_finding import CLASSES
from caucuskit.services.nevada import missing_site_delegates, with_site_delegates
from caucuskit.services.public_units import unit_descriptor, unit_words
from caucuskit.services.results_files import load_results


def show(
    console: Console, report: AuditReport, limit: int, unit: str = "SDE", method: str = "coin toss"
) -> None:
    """Rich tables: the class counts, then the precincts that do not match."""
    summary = Table(title=f"Audit of {report.election}: findings")
    summary.add_column("Finding")
    summary.add_column("Precincts", justify="right")
    for name, count in report.summary.items():
        summary.add_row(name, str(count))
    console.print(summary)
    o = report.ordinary
    console.print(
        f"Ordinary precincts (D >= 2, published {unit}s add to D, viable groups <= D):"
        f" {o['matched']} of {o['total']} match ({o['match']} exactly, "
        f"{o['match_up_to_toss']} up to a {method})"
    )
    if report.total_difference:
        console.print(
            "Recomputed - published, statewide: "
            + ", ".join(
                f"{escape(c)} {decimal_str(v, 4 if unit == 'SDE' else 0)}"
                for c, v in report.total_difference.items()
            )
        )
    shown = [f for f in report.findings if f.finding not in ("match", "match-up-to-toss")]
    table = Table(title=f"Precincts that do not match ({len(shown)})")
    table.add_column("County")
    table.add_column("Precinct")
    table.add_column("Finding")
    table.add_column("D", justify="right")
    table.add_column("Explanation")
    order = {c: i for i, c in enumerate(CLASSES)}
    shown.sort(key=lambda f: (order[f.finding], f.county, f.precinct))
    for f in shown[:limit] if limit else shown:
        table.add_row(
            escape(f.county), escape(f.precinct), f.finding, str(f.delegates), escape(f.explanation)
        )
    console.print(table)
    if limit and len(shown) > limit:
        console.print(f"... {len(shown) - limit} more; use --limit 0, --csv or --json for all")


def audit_command(
    election: Annotated[
        str, typer.Option("--election", help="Election id (iowa-2020) or a definition file path.")
    ],
    results: Annotated[
        Path,
        typer.Option(
            "--results",
            help="Precinct results with published SDEs (an IDP 2020 table).",
            exists=True,
            dir_okay=False,
        ),
    ],
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print JSON: summary (finding -> count) and one object per precinct."
        ),
    ] = False,
    as_csv: Annotated[
        bool,
        typer.Option("--csv", help="Print CSV, one row per precinct with its finding and numbers."),
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Rows of non-matching precincts in the table (0: all).")
    ] = 40,
    fail_on_findings: Annotated[
        bool,
        typer.Option(
            "--fail-on-findings", help="Exit with status 1 when any precinct does not match."
        ),
    ] = False,
    site_delegates: SiteDelegatesOpt = None,
    skip_bad_rows: SkipOpt = False,
) -> None:
    """Recompute every precinct from raw counts and explain each difference from the published
    SDEs (rules.md §6)."""
    if as_json and as_csv:
        raise fail("give at most one of --json and --csv", as_json)
    quiet = as_json or as_csv
    try:
        loaded = load_results(election, results)
        check_bad_rows(loaded.unjoined, skip_bad_rows, quiet)
        e = with_site_delegates(loaded.election, loaded.reports, site_delegates or [])
        with progress_bar(not quiet) as bar:
            task = bar.add_task("Auditing", total=len(loaded.reports))
            report = audit(
                e, loaded.reports, progress=lambda done, total: bar.update(task, completed=done)
            )
    except (CaucusError, OSError) as exc:
        raise fail(str(exc), as_json) from exc
    if as_json:
        # Nevada: published_ccd, recomputed_ccd (services/public_units.py, docs/adr/0011)
        data = {**unit_words(report.to_dict(), e.unit), "unit": unit_descriptor(e)}
        data["unjoined"] = loaded.unjoined
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    elif as_csv:
        typer.echo(report.to_csv(), nl=False)
    else:
        console = Console(highlight=False)
        show(console, report, limit, e.unit_short, e.rules.tie_method.value)
        for n in missing_site_delegates(e, loaded.reports):
            console.print(f"[yellow]note:[/] {escape(n)}")
    bad = sum(1 for f in report.findings if f.finding not in ("match", "match-up-to-toss"))
    if fail_on_findings and bad:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``caucus audit``."""
    app.command("audit")(audit_command)
