"""``caucus call``: can the outstanding precincts still change the race?

Rule: rules.md §7 (SDEs), §8 (national delegates), §5.4 (games of chance). The work is in
:mod:`caucuskit.services.call` (exact bounds) and :mod:`caucuskit.services.projection`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caucuskit.core.errors import CaucusError
from caucuskit.services.call import CallReport, call_database, call_reports
from caucuskit.services.nevada import with_site_delegates


def _fail(message: str, as_json: bool, code: int = 2) -> typer.Exit:
    if as_json:
        typer.echo(json.dumps({"error": message}))
    else:
        Console(stderr=True).print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _show(console: Console, doc: dict[str, object], projection: dict[str, object] | None,
          unit: str = "SDE", method: str = "toss") -> None:
    rep = doc["reporting"]
    assert isinstance(rep, dict)
    console.print(f"[bold]{doc['election']}[/]: {rep['reported']} of {rep['total']} units "
                  f"reported ({rep['percent']}%); {doc['open_sde']} {unit} still open"
                  + (" (a satellite pool without a declared maximum turnout counts whole)"
                     if doc.get("open_sde_is_supremum") else ""))
    lead = doc["lead"]
    assert isinstance(lead, dict)
    # The core's words say SDE; a CCD election (Nevada) shows its own unit (rules.md §8.1).
    console.print(f"[bold]{unit} lead[/]: "
                  + escape(str(lead["explanation"]).replace(" SDE ", f" {unit} ")))
    table = Table(title=f"Statewide {unit}s: now, and the least and most still reachable")
    for col in ("Candidate", "Now", "Least", "Most"):
        table.add_column(col, justify="left" if col == "Candidate" else "right")
    sde = doc["sde"]
    assert isinstance(sde, list)
    for r in sde[:8]:
        table.add_row(escape(r["candidate"]), r["current"], r["low"],
                      r["high"] + ("" if r["high_attained"] else " (sup)"))
    console.print(table)
    nat = doc["national"]
    assert isinstance(nat, dict)
    units = Table(title=f"National delegates: {nat['status']}")
    for col in ("Unit", "Seats", "Split now", "Status", "Why"):
        units.add_column(col)
    for u in nat["units"]:
        split = ", ".join(f"{c} {n}" for c, n in u["current"].items())
        if u["status"] == "decided":
            why = u["proof"][-1] if u["proof"] else ""
        elif u["witness"] is not None:
            w = u["witness"]
            ordered = sorted(w["split"].items(), key=lambda kv: -kv[1])
            new = ", ".join(f"{c} {n}" for c, n in ordered)
            why = f"if {w['scenario']}: {new}"
        else:
            why = "; ".join(u["proof"]) + " (no completion found that changes it)"
        units.add_row(u["unit"], str(u["seats"]), escape(split), u["status"], escape(why))
    console.print(units)
    rng = Table(title="National delegates each candidate can still reach")
    for col in ("Candidate", "Now", "Proven range", "Reached in scenarios"):
        rng.add_column(col)
    cur = nat["current"]
    for c, r in sorted(nat["ranges"].items(), key=lambda kv: -cur.get(kv[0], 0)):
        rng.add_row(escape(c), str(cur.get(c, 0)), f"{r['proven'][0]}-{r['proven'][1]}",
                    f"{r['attained'][0]}-{r['attained'][1]}")
    console.print(rng)
    tosses = doc.get("coin_tosses")
    if isinstance(tosses, dict):
        console.print(f"[bold]Games of chance[/]: {tosses['tie_units']} units, "
                      f"{tosses['alternative_outcomes']} alternative outcomes")
        for c, s in tosses["sde_leader"].items():
            names = ", ".join(u["unit"] for u in s["units"])
            console.print(f"  {s['tosses']} {method}(s) going the other way would let "
                          f"{escape(c)} tie or pass {escape(str(tosses['leader']))} "
                          f"(margin {s['margin']} {unit}): {escape(names)}")
        singles = tosses["national_single"]
        if singles:
            console.print(f"  {len(singles)} single {method} outcome(s) would change the national "
                          f"split, e.g. {escape(singles[0]['unit'])} -> {singles[0]['total']}")
        else:
            console.print(f"  no single {method} changes the national delegate split")
    if projection is not None:
        lead_p = projection["lead"]
        assert isinstance(lead_p, dict)
        console.print(f"[bold]Projection[/] ({projection['simulations']:,} simulated "
                      f"completions, {projection['seconds']} s): {unit} lead "
                      + ", ".join(f"{c} {p}" for c, p in lead_p.items()))


def register(app: typer.Typer) -> None:
    @app.command("call")
    def call_command(
        election: Annotated[str | None, typer.Option(
            "--election", "-e", help="Election id (iowa-2020) or path to an election file "
                                     "(with --results).")] = None,
        results: Annotated[Path | None, typer.Option(
            "--results", "-r", help="Results file: IDP 2020 table or canonical CSV/JSON.")]
        = None,
        db: Annotated[str | None, typer.Option(
            "--db", help="Call from the current accepted reports of the results service's "
                         "database (URL or SQLite file; default: $CAUCUS_DATABASE_URL when "
                         "no --results is given).")] = None,
        satellite_max_turnout: Annotated[int | None, typer.Option(
            "--satellite-max-turnout", min=0,
            help="Declared maximum turnout of each satellite site not yet reported; without "
                 "it a partly reported satellite pool counts as wholly open (conservative).")]
        = None,
        simulations: Annotated[int, typer.Option(
            "--simulations", min=0,
            help="Monte Carlo completions of the outstanding precincts (0: no projection).")]
        = 0,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the projection.")] = 2020,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
        = False,
        site_delegates: Annotated[list[str] | None, typer.Option(
            "--site-delegates", help="D of an at-large site whose D is not in the data "
            "(Nevada 2020 casino sites), as SITE=D, e.g. 'Harrahs=34'; repeat for each site.")]
        = None,
    ) -> None:
        """Call the race from a results file or the results service's database: exact SDE
        ranges, whether the SDE lead and each national delegate unit are decided (with the
        proof) or still open (with a scenario), and coin tosses."""
        from caucuskit.services.tabulate import load_results

        if results is not None and db is not None:
            raise _fail("give either --results (a file) or --db (the service), not both",
                        as_json)
        url = db if results is not None or db is not None else os.environ.get(
            "CAUCUS_DATABASE_URL") or None
        try:
            if results is not None:
                if election is None:
                    raise _fail("--election is needed with --results", as_json)
                loaded = load_results(election, results)
                e = with_site_delegates(loaded.election, loaded.reports, site_delegates or [])
                report: CallReport = call_reports(
                    e, loaded.reports, satellite_max_turnout=satellite_max_turnout)
            elif url is not None:
                report = call_database(url, satellite_max_turnout=satellite_max_turnout)
            else:
                raise _fail("give --results FILE (with --election) or --db URL (or set "
                            "CAUCUS_DATABASE_URL)", as_json)
        except (CaucusError, OSError, ValueError) as exc:
            raise _fail(str(exc), as_json) from exc
        doc = report.to_dict()
        proj: dict[str, object] | None = None
        if simulations:
            from caucuskit.services.projection import project

            proj = project(report.tabulation, simulations=simulations, seed=seed).to_dict()
            doc["projection"] = proj
        if as_json:
            typer.echo(json.dumps(doc, indent=2))
            return
        shown = report.tabulation.election
        _show(Console(), doc, proj, shown.unit_short,
              "toss" if shown.rules.tie_method.value == "coin toss" else "card draw")
