"""``caucus early load | show``: Nevada's early ranked ballots in the results service.

Rule: rules.md §4 NV (early ballots counted at the voter's home precinct), §11 Q9. The file
format is in :mod:`caucuskit.services.early_ballots` and docs/nevada.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from caucuskit.cli.service_db import DbOpt
from caucuskit.core.errors import CaucusError
from caucuskit.services.context import Context
from caucuskit.services.settings import Settings

early_app = typer.Typer(
    help="Early ranked ballots (Nevada): load them per precinct, show them.", no_args_is_help=True
)


@early_app.command("load")
def load(
    file: Annotated[
        Path,
        typer.Option(
            "--file",
            help="CSV: county,precinct,choice1..choice5 "
            "(or precinct_id,choice1..), one ballot per row.",
            exists=True,
            dir_okay=False,
        ),
    ],
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Load early ballots; print each precinct's count and checksum (what its chair confirms)."""
    from caucuskit.services.early_ballots import load_early_file

    try:
        loaded = load_early_file(Context(Settings.from_env(database_url=db)), file)
    except (CaucusError, OSError) as exc:
        Console(stderr=True).print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(
            json.dumps(
                [
                    {"precinct_id": x.precinct_id, "count": x.count, "checksum": x.checksum}
                    for x in loaded
                ]
            )
        )
        return
    t = Table("precinct", "ballots", "checksum", title="Early ballots loaded")
    for x in loaded:
        t.add_row(x.precinct_id, str(x.count), x.checksum)
    Console().print(t)


def register(app: typer.Typer) -> None:
    """Add ``caucus early``."""
    app.add_typer(early_app, name="early")
