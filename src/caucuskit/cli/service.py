"""``caucus init | credentials | serve | demo | publish``: run the results service.

Rule: rules.md §9 (what went wrong in 2020: the app, the hotline, unreadiness; every point is
a requirement of the service). Everything goes through :mod:`caucuskit.services`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from caucuskit.core.errors import CaucusError
from caucuskit.services import credentials, staff_accounts
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


def _ctx(db: str | None) -> Context:
    return Context(Settings.from_env(database_url=db))


def _fail(exc: Exception | str) -> None:
    err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
    raise typer.Exit(2)


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL or path (None for other databases and in-memory SQLite)."""
    if "://" not in url:
        return Path(url).expanduser()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url.removeprefix("sqlite:///"))
    return None


def _existing(db: str | None) -> Context:
    """The context of a database ``caucus init`` has set up; a clear error otherwise, and
    nothing created (an absent SQLite file stays absent)."""
    settings = Settings.from_env(database_url=db)
    path = _sqlite_file(settings.database_url)
    hint = "run `caucus init --election iowa-2020` (or your election) first"
    if path is not None:
        if path.is_dir():
            _fail(f"{path} is a folder, not a database file (give --db a file name)")
        if not path.exists():
            _fail(f"no database at {path}: {hint}; nothing was created")
    ctx = Context(settings)
    try:
        ctx.election  # noqa: B018 (loads the election: proves the schema is there)
    except ServiceError as exc:
        ctx.db.dispose()
        _fail(f"{exc}")
    except SQLAlchemyError as exc:
        ctx.db.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        _fail(f"the database {ctx.db.url} has no caucuskit results in it ({reason}): {hint}")
    return ctx


def init(
    election: Annotated[
        str,
        typer.Option(
            "--election",
            help="Election id shipped with caucuskit (iowa-2020) or a definition file.",
        ),
    ],
    db: DbOpt = None,
    as_json: JsonOpt = False,
    site_delegates: Annotated[
        list[str] | None,
        typer.Option(
            "--site-delegates",
            help="D of an at-large site whose D is not in the data (Nevada "
            "2020 casino sites), as SITE=D, e.g. 'Harrahs=34'; repeat for each site.",
        ),
    ] = None,
) -> None:
    """Create the schema and load an election definition."""
    from caucuskit.formats.election_file import load_election
    from caucuskit.services.nevada import apply_site_delegates
    from caucuskit.services.setup import init_database

    try:
        ctx = _ctx(db)
        e = apply_site_delegates(load_election(election), site_delegates or [])
        result = init_database(ctx.db, e)
    except (CaucusError, OSError) as exc:
        _fail(exc)
        return
    if as_json:
        print(
            json.dumps(
                {
                    "election": result.election,
                    "precincts": result.precincts,
                    "created": result.created,
                }
            )
        )
    else:
        verb = "Loaded" if result.created else "Already loaded:"
        console.print(
            f"{verb} {result.election} ({result.precincts} reporting units) into {ctx.db.url}"
        )


cred_app = typer.Typer(help="Precinct access codes and staff accounts.", no_args_is_help=True)


@cred_app.command("issue")
def cred_issue(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="CSV file for the new codes and passwords (for the chairs' packets)."
        ),
    ],
    db: DbOpt = None,
    precinct: Annotated[
        list[str] | None, typer.Option("--precinct", help="Only this precinct id (repeatable).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Give every precinct without a code one, and create the default staff accounts.

    Never rotates an existing code (use `caucus credentials rotate`)."""
    if out.is_dir():
        _fail(f"--out {out} is a folder; give the name of the CSV file to write")
    ctx = _existing(db)
    bar = Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=as_json,
        transient=True,
    )
    try:
        with bar:
            task = bar.add_task("Hashing access codes", total=None)
            issued, kept = credentials.issue_codes(
                ctx,
                only=precinct or None,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        accounts = staff_accounts.default_accounts(ctx)
    except (CaucusError, OSError) as exc:
        _fail(exc)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # private from the first byte (an existing file keeps no old mode)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["kind", "county", "precinct", "precinct_id", "username", "role", "secret"])
        for c in issued:
            w.writerow(["precinct", c.county, c.precinct, c.precinct_id, "", "chair", c.code])
        for a in accounts:
            w.writerow(["account", "", "", "", a.username, a.role, a.password])
    if as_json:
        print(
            json.dumps(
                {"issued": len(issued), "kept": kept, "accounts": len(accounts), "out": str(out)}
            )
        )
    else:
        console.print(
            f"Issued {len(issued)} new code(s), kept {kept} existing; "
            f"{len(accounts)} new account(s). Written to {out}."
        )


@cred_app.command("rotate")
def cred_rotate(
    precinct: Annotated[str, typer.Option("--precinct", help="Precinct id (adair--1nw-adair).")],
    db: DbOpt = None,
    reason: Annotated[str, typer.Option("--reason", help="Why (goes to the audit log).")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Replace one precinct's access code (logged); prints the new code."""
    try:
        code = credentials.rotate_code(_existing(db), precinct, reason=reason)
    except (CaucusError, OSError) as exc:
        _fail(exc)
        return
    print(json.dumps({"precinct_id": precinct, "code": code}) if as_json else code)


@cred_app.command("users")
def cred_users(
    db: DbOpt = None,
    add: Annotated[str | None, typer.Option("--add", help="Create this account.")] = None,
    role: Annotated[str, typer.Option("--role", help="operator, desk or admin.")] = "operator",
    as_json: JsonOpt = False,
) -> None:
    """List staff accounts, or add one (prints its password once)."""
    try:
        ctx = _existing(db)
        if add:
            acc = staff_accounts.create_account(ctx, add, role)
            print(
                json.dumps({"username": acc.username, "role": acc.role, "password": acc.password})
                if as_json
                else f"{acc.username} ({acc.role}) password: {acc.password}"
            )
            return
        rows = staff_accounts.list_accounts(ctx)
    except (CaucusError, OSError) as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps(rows))
        return
    t = Table("user", "role", "created")
    for r in rows:
        t.add_row(r["username"], r["role"], r["created_at"] or "")
    console.print(t)


def _run(db_url: str, host: str, port: int, workers: int) -> None:
    import uvicorn

    from caucuskit.services.setup import migrate

    ctx = _ctx(db_url)
    migrate(ctx.db)
    os.environ["CAUCUS_DATABASE_URL"] = ctx.db.url
    ctx.db.dispose()
    # Forwarded headers are applied by the app itself, only from CAUCUS_TRUSTED_PROXIES
    # (docs/security.md); uvicorn's own default would believe any local peer.
    uvicorn.run(
        "caucuskit.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )


HostOpt = Annotated[str, typer.Option("--host", help="Address to listen on.")]
PortOpt = Annotated[int, typer.Option("--port", help="TCP port (0: a free one).")]


def serve(
    db: DbOpt = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    workers: Annotated[
        int, typer.Option("--workers", help="Worker processes (they share the database).")
    ] = 1,
) -> None:
    """Run the results service with uvicorn."""
    try:
        url = Settings.from_env(database_url=db).database_url
    except CaucusError as exc:  # a bad CAUCUS_* setting: say which, no traceback
        _fail(exc)
    _run(url, host, port, workers)


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def demo(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 0,
    codes: Annotated[int, typer.Option("--codes", help="How many demo access codes.")] = 5,
    election: Annotated[str, typer.Option("--election", help="Election to load.")] = "iowa-2020",
) -> None:
    """Start the service on a temporary SQLite file with an election loaded and demo codes."""
    from caucuskit.formats.election_file import load_election
    from caucuskit.services.setup import init_database

    folder = Path(tempfile.mkdtemp(prefix="caucus-demo-"))
    url = str(folder / "demo.sqlite")
    ctx = _ctx(url)
    try:
        init_database(ctx.db, load_election(election))
    except (CaucusError, OSError) as exc:
        ctx.db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
        _fail(exc)
    ids = [p.id for p in ctx.precincts if not p.satellite and p.delegates][:codes]
    issued, _ = credentials.issue_codes(ctx, only=ids)
    if ctx.election.rules.early_voting:  # Nevada: demo early ballots for the demo precincts
        from caucuskit.services.early_ballots import load_demo_early

        for x in load_demo_early(ctx, ids):
            console.print(f"early ballots for {x.precinct_id}: {x.count} (checksum {x.checksum})")
    accounts = staff_accounts.default_accounts(ctx)
    port = port or _free_port(host)
    t = Table("county", "precinct", "access code", title="Demo chair codes")
    for c in issued:
        t.add_row(c.county, c.precinct, c.code)
    console.print(t)
    for a in accounts:
        console.print(f"account [bold]{a.username}[/bold] ({a.role}) password: {a.password}")
    console.print(f"Database: {url} (a temporary folder, removed when the demo stops)")
    base = f"http://{host}:{port}"
    pages = Table("page", "address", title="Open in a browser")
    for what, path in DEMO_PAGES:
        pages.add_row(what, base + path)
    console.print(pages)
    console.file.flush()  # the addresses must show now, also when the output is a pipe or a log
    ctx.db.dispose()
    try:
        _run(url, host, port, 1)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: The pages ``caucus demo`` points to (README "Run").
DEMO_PAGES = (
    ("Home", "/"),
    ("Public results", "/results"),
    ("Precinct chair's worksheet", "/chair"),
    ("Hotline console", "/hotline"),
    ("Results desk", "/desk"),
    ("API documentation", "/docs"),
)


def publish(
    out: Annotated[Path, typer.Option("--out", help="Folder for the static JSON files.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Keep the folder current: rewrite (by atomic rename) the documents "
            "that change after each accepted report, until interrupted.",
        ),
    ] = False,
) -> None:
    """Write the public snapshot as static JSON files (and .json.gz) for nginx or a CDN."""
    from caucuskit.services import publish as pub

    if out.exists() and not out.is_dir():
        _fail(f"--out {out} is a file; give the folder to write the JSON files into")
    ctx = _existing(db)
    try:
        if watch:

            def said(built: Any, files: int) -> None:
                if as_json:
                    print(json.dumps({"version": built.version, "files": files}), flush=True)
                else:
                    console.print(f"version {built.version}: wrote {files} file(s) to {out}")

            try:
                pub.watch(ctx, out, on_write=said)
            except KeyboardInterrupt:
                return
            return
        written = pub.publish(ctx, out)
    except (CaucusError, ServiceError, OSError) as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps({"files": len(written), "out": str(out)}))
    else:
        console.print(f"Wrote {len(written)} files to {out}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.add_typer(cred_app, name="credentials")
    app.command("serve")(serve)
    app.command("demo")(demo)
    app.command("publish")(publish)
    app.command("export")(export)
    app.command("certify")(certify)


def export(
    out: Annotated[Path, typer.Option("--out", help="File to write.")],
    db: DbOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or nist-cdf (JSON).")] = "csv",
    date: Annotated[
        str | None, typer.Option("--date", help="Election date for the CDF (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export the whole election as CSV or as NIST SP 1500-100 Election Results CDF (JSON)."""
    from caucuskit.services.export import export_cdf, export_csv

    if fmt not in ("csv", "nist-cdf"):
        _fail(f"--format: unknown format {fmt!r} (csv or nist-cdf)")
    if out.is_dir():
        _fail(f"--out {out} is a folder; give the name of the file to write")
    ctx = _existing(db)
    try:
        if fmt == "csv":
            text = export_csv(ctx)
        else:
            text = json.dumps(export_cdf(ctx, election_date=date), indent=1)
        out.write_text(text, encoding="utf-8")
    except (CaucusError, OSError) as exc:
        _fail(exc)
        return
    if as_json:
        print(json.dumps({"out": str(out), "format": fmt, "bytes": len(text.encode())}))
    else:
        console.print(f"Wrote {out}")


def certify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Mark the results certified: every public result then has status `certified`."""
    from caucuskit.services.setup import certify as do_certify

    try:
        version = do_certify(_existing(db))
    except (CaucusError, OSError) as exc:
        _fail(exc)
        return
    print(
        json.dumps({"certified": True, "results_version": version})
        if as_json
        else f"Certified (results version {version})."
    )
