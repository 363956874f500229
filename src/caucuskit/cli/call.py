"""``caucus call``: can the outstanding precincts still change the race?

Rule: rules.md §7 (SDEs), §8 (national delegates), §5.4 (games of chance). The work is in
:mod:`caucuskit.services.call` (exact bounds) and :mod:`caucuskit.services.projection`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from caucuskit.cli.site_options import SiteDelegatesOpt
from caucuskit.core.errors import CaucusError
from caucuskit.services.call import CallReport, call_database, call_reports
from caucuskit.services.nevada import with_site_delegates
from caucuskit.services.public_units import unit_descriptor, unit_words


def _fail(message: str, as_json: bool, code: int = 2) -> typer.Exit:
    if as_json:
        typer.echo(json.dumps({"error": message}))
    else:
        Console(stderr=True).print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(code)


def _split(split: dict[str, int]) -> str:
    parts = [f"{c} {n}" for c, n in sorted(split.items(), key=lambda kv: (-kv[1], kv[0])) if n]
    return ", ".join(parts) or "nobody"


def _show(
    console: Console,
    doc: dict[str, object],
    projection: dict[str, object] | None,
    unit: str = "SDE",
    method: str = "toss",
) -> None:
    """The call as plain sentences and tables: one "still to be decided" figure throughout."""
    rep = doc["reporting"]
    assert isinstance(rep, dict)
    sup = bool(doc.get("open_sde_is_supremum"))
    console.print(
        f"[bold]{doc['election']}[/]: {rep['reported']} of {rep['total']} units "
        f"reported ({rep['percent']}%); {doc['open_sde']} {unit} still to be decided"
        + ("*" if sup else "")
    )
    lead = doc["lead"]
    assert isinstance(lead, dict)
    # The core's words say SDE; a CCD election (Nevada) shows its own unit (rules.md §8.1).
    console.print(
        f"[bold]{unit} lead[/]: " + escape(str(lead["explanation"]).replace(" SDE ", f" {unit} "))
    )
    _show_sde(console, doc, unit, sup)
    _show_national(console, doc)
    tosses = doc.get("coin_tosses")
    if isinstance(tosses, dict):
        _show_tosses(console, tosses, unit, method)
    if projection is not None:
        lead_p = projection["lead"]
        assert isinstance(lead_p, dict)
        console.print(
            f"[bold]Projection[/] (an estimate: {projection['simulations']:,} "
            f"simulated completions, {projection['seconds']} s): chance of leading "
            f"in {unit}s " + ", ".join(f"{c} {p}" for c, p in lead_p.items())
        )


def _show_sde(console: Console, doc: dict[str, object], unit: str, sup: bool) -> None:
    """Statewide SDEs (CCDs in Nevada) now, and the least and most still reachable."""
    table = Table(title=f"Statewide {unit}s: now, and the least and most still reachable")
    for col in ("Candidate", "Now", "Least", "Most"):
        table.add_column(col, justify="left" if col == "Candidate" else "right")
    sde = doc["sde"]
    assert isinstance(sde, list)
    for r in sde[:8]:
        table.add_row(
            escape(r["candidate"]),
            r["current"],
            r["low"],
            r["high"] + ("" if r["high_attained"] else "*"),
        )
    console.print(table)
    if sup:
        console.print(
            "* includes a whole satellite pool whose outstanding sites declared no "
            "maximum turnout: a ceiling that no real turnout quite reaches "
            "(--satellite-max-turnout N makes it exact)."
        )


def _unit_why(u: dict[str, Any]) -> str:
    """Why a national delegate unit is decided (the proof's last line), or a scenario that
    changes it (rules.md §8.2)."""
    if u["status"] != "decided" and u["witness"] is not None:
        w = u["witness"]
        why = f"if {w['scenario']}: {_split(w['split'])}"
        if w["lot"]:
            why += f", and a lot between {' and '.join(w['lot'])} for the last seat"
        return why
    return str(u["proof"][-1]) if u["proof"] else ""


def _show_national(console: Console, doc: dict[str, object]) -> None:
    """National delegate units: seats, the split now, decided or open and why; the ranges."""
    nat = doc["national"]
    assert isinstance(nat, dict)
    units = Table(title=f"National delegates: {nat['status']}")
    for col in ("Unit", "Seats", "Split now", "Status", "Why"):
        units.add_column(col)
    for u in nat["units"]:
        units.add_row(
            u["unit"],
            str(u["seats"]),
            escape(_split(u["current"])),
            u["status"],
            escape(_unit_why(u)),
        )
    console.print(units)
    rng = Table(title="National delegates each candidate can still reach")
    for col in ("Candidate", "Now", "Proven range", "Reached in scenarios"):
        rng.add_column(col)
    cur = nat["current"]
    for c, r in sorted(nat["ranges"].items(), key=lambda kv: -cur.get(kv[0], 0)):
        rng.add_row(
            escape(c),
            str(cur.get(c, 0)),
            f"{r['proven'][0]}-{r['proven'][1]}",
            f"{r['attained'][0]}-{r['attained'][1]}",
        )
    console.print(rng)


def _show_tosses(
    console: Console, tosses: dict[str, object], unit: str = "SDE", method: str = "toss"
) -> None:
    console.print(
        f"[bold]Games of chance[/]: {tosses['tie_units']} units, "
        f"{tosses['alternative_outcomes']} alternative outcomes"
    )
    leader = tosses["sde_leader"]
    assert isinstance(leader, dict)
    for c, s in leader.items():
        names = ", ".join(u["unit"] for u in s["units"])
        console.print(
            f"  {s['tosses']} {method}(s) going the other way would let "
            f"{escape(c)} tie or pass {escape(str(tosses['leader']))} "
            f"(margin {s['margin']} {unit}): {escape(names)}"
        )
    singles = tosses["national_single"]
    assert isinstance(singles, list)
    if singles:
        first = singles[0]
        console.print(
            f"  {len(singles)} single {method} outcome(s) would change the national "
            f"split, e.g. {escape(first['unit'])}: the total would become "
            f"{escape(_split(first['total']))}"
        )
    else:
        console.print(f"  no single {method} changes the national delegate split")


def _show_county(console: Console, doc: dict[str, object]) -> None:
    """The 2016 county-level call (services.call_county)."""
    console.print(
        f"[bold]{doc['election']}[/]: {doc['reported']} of {doc['total']} SDEs in; "
        f"{doc['outstanding']} SDE still to be decided (counties unknown)"
    )
    lead = doc["lead"]
    assert isinstance(lead, dict)
    console.print(f"[bold]SDE lead[/]: {escape(str(lead['explanation']))}")
    table = Table(title="National delegates")
    for col in ("Unit", "Seats", "Split now", "Verdict"):
        table.add_column(col)
    units = doc["units"]
    assert isinstance(units, list)
    for u in units:
        table.add_row(
            u["unit"], str(u["seats"]), escape(_split(u["current"])), escape(u["verdict"])
        )
    console.print(table)


def _county(election: str | None, path: Path, total_text: str | None, as_json: bool) -> None:
    from fractions import Fraction

    from caucuskit.services.call_county import call_county_sde, county_call_to_dict
    from caucuskit.services.results_files import load_county_sde

    if election is None:
        raise _fail("--election is needed with --county-results", as_json)
    try:
        e, results = load_county_sde(election, path)
        if total_text is not None:
            try:
                total = Fraction(total_text)
            except (ValueError, ZeroDivisionError) as exc:
                raise ValueError(f"--state-delegates: not a number: {total_text!r}") from exc
        else:
            known = [c.state_delegates for c in e.counties]
            if any(k is None for k in known):
                raise ValueError(
                    "--state-delegates is needed: this election has no county "
                    "totals of state delegates (2016: 1406)"
                )
            total = sum((k for k in known if k is not None), Fraction(0))
        doc = county_call_to_dict(call_county_sde(e, results.sde, total))
    except (CaucusError, OSError, ValueError) as exc:
        raise _fail(str(exc), as_json) from exc
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
    else:
        _show_county(Console(), doc)


def register(app: typer.Typer) -> None:
    @app.command("call")
    def call_command(
        election: Annotated[
            str | None,
            typer.Option(
                "--election",
                "-e",
                help="Election id (iowa-2020) or path to an election file (with --results).",
            ),
        ] = None,
        results: Annotated[
            Path | None,
            typer.Option(
                "--results", "-r", help="Results file: IDP 2020 table or canonical CSV/JSON."
            ),
        ] = None,
        county_results: Annotated[
            Path | None,
            typer.Option(
                "--county-results",
                help="County-level SDE results (2016) instead of precinct "
                "results: the outstanding SDEs are the statewide total "
                "(--state-delegates) minus those in the file.",
            ),
        ] = None,
        state_delegates: Annotated[
            str | None,
            typer.Option(
                "--state-delegates",
                help="With --county-results: the statewide total of state "
                "delegates (2016: 1406); default: the sum of the "
                "election's county totals, when known.",
            ),
        ] = None,
        db: Annotated[
            str | None,
            typer.Option(
                "--db",
                help="Call from the current accepted reports of the results service's "
                "database (URL or SQLite file; default: $CAUCUS_DATABASE_URL when "
                "no --results is given).",
            ),
        ] = None,
        satellite_max_turnout: Annotated[
            int | None,
            typer.Option(
                "--satellite-max-turnout",
                min=0,
                help="Declared maximum turnout of each satellite site not yet reported; without "
                "it a partly reported satellite pool counts as wholly open (conservative).",
            ),
        ] = None,
        site_max_delegates: Annotated[
            int | None,
            typer.Option(
                "--site-max-delegates",
                min=1,
                help="Declared most delegates of each at-large site not yet reported whose D "
                "is unknown (Nevada 2020 casino sites); without it such a site keeps every "
                "result it counts in open.",
            ),
        ] = None,
        simulations: Annotated[
            int,
            typer.Option(
                "--simulations",
                min=0,
                help="Monte Carlo completions of the outstanding precincts (0: no projection).",
            ),
        ] = 0,
        seed: Annotated[int, typer.Option("--seed", help="Seed of the projection.")] = 2020,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
        site_delegates: SiteDelegatesOpt = None,
    ) -> None:
        """Call the race from a results file or the results service's database: exact SDE
        ranges, whether the SDE lead and each national delegate unit are decided (with the
        proof) or still open (with a scenario), and coin tosses."""
        from caucuskit.services.results_files import load_results

        if sum(x is not None for x in (results, db, county_results)) > 1:
            raise _fail(
                "give one of --results (a file), --county-results (a county file) or "
                "--db (the service)",
                as_json,
            )
        if county_results is not None:
            _county(election, county_results, state_delegates, as_json)
            return
        url = (
            db
            if results is not None or db is not None
            else os.environ.get("CAUCUS_DATABASE_URL") or None
        )
        try:
            if results is not None:
                if election is None:
                    raise _fail("--election is needed with --results", as_json)
                loaded = load_results(election, results)
                e = with_site_delegates(loaded.election, loaded.reports, site_delegates or [])
                report: CallReport = call_reports(
                    e,
                    loaded.reports,
                    satellite_max_turnout=satellite_max_turnout,
                    site_max_delegates=site_max_delegates,
                )
            elif url is not None:
                report = call_database(
                    url,
                    satellite_max_turnout=satellite_max_turnout,
                    site_max_delegates=site_max_delegates,
                )
            else:
                raise _fail(
                    "give --results FILE (with --election) or --db URL (or set "
                    "CAUCUS_DATABASE_URL)",
                    as_json,
                )
        except (CaucusError, OSError, ValueError) as exc:
            raise _fail(str(exc), as_json) from exc
        doc = report.to_dict()
        proj: dict[str, object] | None = None
        if simulations:
            from caucuskit.services.projection import project

            proj = project(report.tabulation, simulations=simulations, seed=seed).to_dict()
            doc["projection"] = proj
        shown = report.tabulation.election
        if as_json:  # Nevada: open_ccd, ccd, ... (services/public_units.py, docs/adr/0011)
            named = {**unit_words(doc, shown.unit), "unit": unit_descriptor(shown)}
            typer.echo(json.dumps(named, indent=2))
            return
        _show(
            Console(),
            doc,
            proj,
            shown.unit_short,
            "toss" if shown.rules.tie_method.value == "coin toss" else "card draw",
        )
