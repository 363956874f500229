"""``caucus drill``: rehearse caucus night against the service and prove the totals.

Rule: rules.md §9. The work is in :mod:`caucuskit.drill`; this module reads options, shows the
progress with Rich and writes the report (terminal, ``--json``, ``--html``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from caucuskit.core.errors import CaucusError


def drill(
    election: Annotated[str, typer.Option("--election", help="Election id (iowa-2020).")],
    results: Annotated[
        Path,
        typer.Option(
            "--results",
            help="Results file to replay (IDP 2020 tables, NYT feed or canonical reports).",
        ),
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="A running service (needs --codes).")
    ] = None,
    codes: Annotated[
        Path | None,
        typer.Option(
            "--codes", help="CSV of `caucus credentials issue` for --url (codes, staff passwords)."
        ),
    ] = None,
    serve: Annotated[
        str | None,
        typer.Option(
            "--serve",
            help="Set up and own a server: "
            "sqlite, or postgresql (a throwaway cluster "
            "on its own port).",
        ),
    ] = None,
    workers: Annotated[int, typer.Option("--workers", help="Workers of an owned server.")] = 1,
    speed: Annotated[
        float, typer.Option("--speed", help="Simulated seconds per real second.")
    ] = 60.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed: same seed, same night.")] = 2020,
    limit: Annotated[
        int | None,
        typer.Option("--limit", help="Replay only this many units (a sample chosen by the seed)."),
    ] = None,
    max_gap: Annotated[
        float,
        typer.Option(
            "--max-gap",
            help="Longest real wait between two arrivals, seconds (quiet hours pass quickly).",
        ),
    ] = 2.0,
    readers: Annotated[int, typer.Option("--readers", help="Concurrent public readers.")] = 8,
    flood: Annotated[
        int | None,
        typer.Option("--flood", help="Hotline flood attempts (default 3 per unit, at most 5,000)."),
    ] = None,
    kill: Annotated[
        int,
        typer.Option(
            "--kill", help="Times to kill -9 the owned server mid-night (and restart it)."
        ),
    ] = 0,
    pg_restart: Annotated[
        int,
        typer.Option(
            "--pg-restart", help="Times to stop and start the drill's own PostgreSQL mid-night."
        ),
    ] = 0,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for report.json, report.html and accepted-reports.csv."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Replay a results file as caucus night through the public HTTP API, with load and
    faults, then prove the service's totals equal an offline tabulation. Exit 1 if the proof
    fails."""
    from caucuskit.drill.html import page
    from caucuskit.drill.output import report, show
    from caucuskit.drill.plan import Options
    from caucuskit.drill.run import DrillConfig, run_drill
    from caucuskit.drill.servers import ServerError

    cfg = DrillConfig(
        election,
        results,
        url=url,
        codes=codes,
        serve=serve,
        workers=workers,
        readers=readers,
        out=out,
        options=Options(
            seed=seed,
            speed=speed,
            limit=limit,
            flood=flood,
            max_gap=max_gap,
            kills=kill,
            pg_restarts=pg_restart,
        ),
    )
    err = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        console=err,
        disable=as_json,
        transient=True,
    )
    tasks: dict[str, Any] = {}

    def tick(s: dict[str, Any]) -> None:
        if not tasks:
            tasks["sign"] = bar.add_task("chairs signed in", total=None, info="")
            tasks["units"] = bar.add_task("units done", total=s["units"], info="")
        bar.update(tasks["sign"], completed=s["signed_in"])
        bar.update(
            tasks["units"],
            completed=s["done"],
            info=f"accepted {s['accepted']} · retries {s['retries']} · 5xx "
            f"{s['errors_5xx']} · flood {s['flood']} · faults {s['faults']}",
        )

    try:
        with bar:
            result = run_drill(cfg, tick)
    except (CaucusError, ServerError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    rep = report(result)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.json").write_text(json.dumps(rep, indent=1), encoding="utf-8")
        (out / "report.html").write_text(page(result, rep), encoding="utf-8")
    if as_json:
        print(json.dumps(rep))
    else:
        show(Console(), rep)
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("drill")(drill)
