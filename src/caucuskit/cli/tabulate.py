"""``caucus tabulate``: statewide and district SDEs, reporting, and national delegates.

Rule: rules.md §7 (SDEs), §7.3 (satellite readings), §8 (national delegates). The work is
:func:`caucuskit.services.tabulate.tabulate`; this module reads files and shows the result.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from caucuskit.cli.badrows import SkipOpt, check_bad_rows
from caucuskit.cli.site_options import SiteDelegatesOpt
from caucuskit.core.errors import CaucusError
from caucuskit.core.rounding import decimal_str
from caucuskit.core.sde import ranked
from caucuskit.services.nevada import (
    missing_site_delegates,
    whole_county_totals,
    with_site_delegates,
)
from caucuskit.services.public_units import unit_descriptor, unit_words
from caucuskit.services.results_files import load_county_sde, load_results
from caucuskit.services.tabulate import Tabulation, tabulate, tabulate_county_sde


def progress_bar(enabled: bool) -> Progress:
    """A Rich progress bar on stderr (disabled for --json)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=True,
    )


def fail(message: str, as_json: bool, code: int = 2) -> typer.Exit:
    """Print an error (JSON on stdout with --json) and return the exit to raise."""
    if as_json:
        typer.echo(json.dumps({"error": message}))
    else:
        Console(stderr=True).print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _statewide_table(tab: Tabulation) -> Table:
    """SDEs with their share, plus the popular vote when raw counts exist."""
    table = Table(title="Statewide")
    table.add_column("Candidate")
    table.add_column(tab.election.unit_short, justify="right")
    table.add_column("%", justify="right")
    votes = bool(tab.first_vote)
    if votes:
        table.add_column("First alignment", justify="right")
        table.add_column("Final alignment", justify="right")
    whole = sum(tab.statewide.values(), Fraction(0))
    names = [c for c, _ in ranked(tab.statewide)]
    names += sorted(c for c in tab.first_vote if c not in tab.statewide)
    for c in names:
        v = tab.statewide.get(c, Fraction(0))
        row = [
            escape(c),
            decimal_str(v, tab.places),
            decimal_str(100 * v / whole, 2) if whole else "-",
        ]
        if votes:
            row += [f"{tab.first_vote.get(c, 0):,}", f"{tab.final_vote.get(c, 0):,}"]
        table.add_row(*row)
    return table


def _whole_county_table(tab: Tabulation) -> Table:
    """Headline numbers per whole county (district parts merged, e.g. Nevada's Clark)."""
    wholes = whole_county_totals(tab.election, tab.counties)
    names = [c for c, _ in ranked(tab.statewide)]
    table = Table(title=f"{tab.election.unit_long.capitalize()} by county")
    table.add_column("County")
    for c in names:
        table.add_column(escape(c), justify="right")
    for county, part in wholes.items():
        table.add_row(
            escape(county), *[decimal_str(part.get(c, Fraction(0)), tab.places) for c in names]
        )
    return table


def _show_heading(console: Console, tab: Tabulation) -> None:
    """The election, the mode, how far reporting has got and the turnout."""
    p = tab.places
    rep = tab.reporting
    head = f"{tab.election.title} ({tab.mode}"
    has_satellites = any(c.satellite for c in tab.election.counties)
    head += (
        f", satellites by {tab.satellites})" if has_satellites and tab.satellites != "none" else ")"
    )
    unit = tab.election.unit_short
    console.print(f"[bold]{escape(head)}[/]")
    if rep.counties_total is not None:
        console.print(f"Counties reporting: {rep.counties_reported} of {rep.counties_total}")
    else:
        console.print(
            f"Precincts reporting: {rep.reported} of {rep.total} ({decimal_str(rep.percent, 1)}%);"
            + (
                f" satellite sites {rep.satellite_sites_reported} of {rep.satellite_sites_total};"
                if has_satellites
                else ""
            )
            + f" {unit} value outstanding {decimal_str(rep.outstanding_sde, p)}"
        )
    if tab.turnout:
        console.print(f"Turnout (first-alignment total where not published): {tab.turnout:,}")


def _district_table(tab: Tabulation) -> Table:
    districts = Table(title=f"{tab.election.unit_short}s by congressional district")
    districts.add_column("Candidate")
    for d in sorted(tab.districts):
        districts.add_column(f"CD{d}", justify="right")
    for c, _ in ranked(tab.statewide):
        districts.add_row(
            escape(c),
            *[
                decimal_str(tab.districts[d].get(c, Fraction(0)), tab.places)
                for d in sorted(tab.districts)
            ],
        )
    return districts


def _national_table(tab: Tabulation) -> Table:
    nat = Table(title="National delegates (D-Math, rules.md §8.2)")
    nat.add_column("Candidate", no_wrap=True, min_width=11)
    names = list(tab.national.units)
    for n in names:
        nat.add_column(f"{n} ({tab.national.units[n].seats})", justify="right")
    nat.add_column("Total", justify="right", style="bold")
    for c, total in tab.national.total.items():
        cells = [str(tab.national.units[n].delegates.get(c, 0) or "") for n in names]
        nat.add_row(escape(c), *cells, str(total))
    return nat


def _show_open_ends(console: Console, tab: Tabulation) -> None:
    """Lots and tosses no record decides, the difference from the published totals, and the
    rows skipped."""
    p, unit = tab.places, tab.election.unit_short
    for n, u in tab.national.units.items():
        if u.pending_lot is not None:
            console.print(
                f"[yellow]{n}: {', '.join(u.pending_lot.candidates)} tie exactly for "
                f"{u.pending_lot.seats} seat(s); decided by lot, not here[/]"
            )
    if tab.pending_sde:
        method = tab.election.rules.tie_method.value
        console.print(
            f"[yellow]{decimal_str(tab.pending_sde, p)} {unit} wait for the {method}"
            "(s) no record decides[/]"
        )
    diff = tab.difference
    if diff:
        console.print(
            "[yellow]Recomputed totals differ from the published ones (recomputed - published):[/]"
        )
        for c, v in diff.items():
            console.print(f"  {escape(c)}: {decimal_str(v, 4 if unit == 'SDE' else p)}")
        console.print(
            "Run [bold]caucus audit[/] on the same file to see which precincts "
            "explain the difference."
        )
    for text in tab.unknown:
        console.print(f"[red]skipped:[/] {escape(text)}")


def show(console: Console, tab: Tabulation) -> None:
    """Rich tables: statewide, districts, national per unit and in total."""
    _show_heading(console, tab)
    console.print(_statewide_table(tab))
    console.print(_district_table(tab))
    if any(c.part_of for c in tab.election.counties):
        console.print(_whole_county_table(tab))
    console.print(_national_table(tab))
    _show_open_ends(console, tab)


def tabulate_command(
    election: Annotated[
        str,
        typer.Option(
            "--election", help="Election id (iowa-2020, iowa-2016) or a definition file path."
        ),
    ],
    results: Annotated[
        Path | None,
        typer.Option(
            "--results",
            help="Precinct results: an IDP 2020 table or a canonical CSV/JSON file.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    county_results: Annotated[
        Path | None,
        typer.Option(
            "--county-results",
            help="County-level SDE results (2016) instead of precinct results.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    published: Annotated[
        bool,
        typer.Option(
            "--published",
            help="Sum the file's own published SDEs instead of recomputing them "
            "from the raw counts.",
        ),
    ] = False,
    satellites: Annotated[
        str,
        typer.Option(
            "--satellites",
            help="How a satellite pool is divided among its sites: 'turnout' "
            "(what the IDP did) or 'delegates' (by the sites' county delegates), rules.md §7.3.",
        ),
    ] = "turnout",
    share_places: Annotated[
        int | None,
        typer.Option(
            "--share-places",
            help="Round the requalified national shares to this many decimals "
            "(D-Math 'three decimals' reading, rules.md §11 Q6); default exact.",
        ),
    ] = None,
    sum_rounded: Annotated[
        bool,
        typer.Option(
            "--sum-rounded",
            help="Add up precinct SDEs rounded to the ruleset's precinct precision "
            "instead of their exact values (rules.md §11 Q5); default exact.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON for scripts (no tables, no progress bar).")
    ] = False,
    units: Annotated[
        bool,
        typer.Option(
            "--units", help="With --json: include every reporting unit's delegates and SDEs."
        ),
    ] = False,
    site_delegates: SiteDelegatesOpt = None,
    skip_bad_rows: SkipOpt = False,
) -> None:
    """Tabulate results: SDEs statewide and by district, reporting, national delegates."""
    if satellites not in ("turnout", "delegates"):
        raise fail(f"--satellites: expected 'turnout' or 'delegates', got {satellites!r}", as_json)
    if (results is None) == (county_results is None):
        raise fail("give exactly one of --results or --county-results", as_json)
    try:
        notes: list[str] = []
        if county_results is not None:
            e, sde = load_county_sde(election, county_results)
            skipped = [str(u) for u in sde.unjoined]
            check_bad_rows(skipped, skip_bad_rows, as_json)
            tab = tabulate_county_sde(e, sde, share_places=share_places)
        else:
            assert results is not None
            loaded = load_results(election, results)
            e = with_site_delegates(loaded.election, loaded.reports, site_delegates or [])
            skipped = loaded.unjoined
            check_bad_rows(skipped, skip_bad_rows, as_json)
            notes = missing_site_delegates(e, loaded.reports) if not published else []
            with progress_bar(not as_json) as bar:
                task = bar.add_task("Tabulating", total=len(loaded.reports))
                tab = tabulate(
                    e,
                    loaded.reports,
                    satellites=satellites,
                    published=published,
                    share_places=share_places,
                    sum_rounded=sum_rounded or None,
                    progress=lambda done, total: bar.update(task, completed=done),
                )
    except (CaucusError, OSError) as exc:
        raise fail(str(exc), as_json) from exc
    if as_json:
        data = tab.to_dict(units=units)
        data["unjoined"] = skipped
        if notes:
            data["notes"] = [*tab.notes, *notes]
        # Nevada: pending_ccd, reporting.outstanding_ccd, ... (services/public_units.py)
        data = unit_words(data, tab.election.unit)
        data["unit"] = unit_descriptor(tab.election)
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    console = Console(highlight=False)
    show(console, tab)
    for n in notes:
        console.print(f"[yellow]note:[/] {escape(n)}")


def register(app: typer.Typer) -> None:
    """Add ``caucus tabulate``."""
    app.command("tabulate")(tabulate_command)
