"""What the service commands share: the ``--db`` and ``--json`` options, the database context,
a clean exit on a refusal.

Rule: rules.md §9 (a command that cannot do its work says so plainly and creates nothing).

Inputs: a database URL or SQLite file (or ``$CAUCUS_DATABASE_URL``). Outputs: a
:class:`~caucuskit.services.context.Context`, or exit status 2 with one line on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from caucuskit.services.context import Context
from caucuskit.services.errors import ServiceError
from caucuskit.services.settings import Settings

console = Console()
err = Console(stderr=True)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL or SQLite file (default: $CAUCUS_DATABASE_URL, else caucus.sqlite).",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def context_of(db: str | None) -> Context:
    return Context(Settings.from_env(database_url=db))


def fail(exc: Exception | str) -> None:
    err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
    raise typer.Exit(2)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL or path (None for other databases and in-memory SQLite)."""
    if "://" not in url:
        return Path(url).expanduser()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///"))
    return None


def existing_context(db: str | None) -> Context:
    """The context of a database ``caucus init`` has set up; a clear error otherwise, and
    nothing created (an absent SQLite file stays absent)."""
    settings = Settings.from_env(database_url=db)
    path = _sqlite_file(settings.database_url)
    hint = "run `caucus init --election iowa-2020` (or your election) first"
    if path is not None:
        if path.is_dir():
            fail(f"{path} is a folder, not a database file (give --db a file name)")
        if not path.exists():
            fail(f"no database at {path}: {hint}; nothing was created")
    ctx = Context(settings)
    try:
        ctx.election  # noqa: B018 (loads the election: proves the schema is there)
    except ServiceError as exc:
        ctx.db.dispose()
        fail(f"{exc}")
    except SQLAlchemyError as exc:
        ctx.db.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        fail(f"the database {ctx.db.url} has no caucuskit results in it ({reason}): {hint}")
    return ctx
