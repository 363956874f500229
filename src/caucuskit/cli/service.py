"""``caucus init | serve | demo | publish | export | certify``: run the results service.

Rule: rules.md §9 (what went wrong in 2020: the app, the hotline, unreadiness; every point is
a requirement of the service). Everything goes through :mod:`caucuskit.services`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from caucuskit.cli.service_db import (
    DbOpt,
    JsonOpt,
    console,
    context_of,
    existing_context,
    fail,
)
from caucuskit.cli.site_options import SiteDelegatesOpt
from caucuskit.core.errors import CaucusError
from caucuskit.services import credentials, staff_accounts
from caucuskit.services.errors import ServiceError
from caucuskit.services.settings import Settings


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
    site_delegates: SiteDelegatesOpt = None,
) -> None:
    """Create the schema and load an election definition."""
    from caucuskit.formats.election_file import load_election
    from caucuskit.services.nevada import apply_site_delegates
    from caucuskit.services.setup import init_database

    try:
        ctx = context_of(db)
        e = apply_site_delegates(load_election(election), site_delegates or [])
        result = init_database(ctx.db, e)
    except (CaucusError, OSError) as exc:
        fail(exc)
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


def _run(db_url: str, host: str, port: int, workers: int) -> None:
    import uvicorn

    from caucuskit.services.setup import migrate

    ctx = context_of(db_url)
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
        fail(exc)
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
    ctx = context_of(url)
    try:
        init_database(ctx.db, load_election(election))
    except (CaucusError, OSError) as exc:
        ctx.db.dispose()
        shutil.rmtree(folder, ignore_errors=True)
        fail(exc)
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
        fail(f"--out {out} is a file; give the folder to write the JSON files into")
    ctx = existing_context(db)
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
        fail(exc)
        return
    if as_json:
        print(json.dumps({"files": len(written), "out": str(out)}))
    else:
        console.print(f"Wrote {len(written)} files to {out}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
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
        fail(f"--format: unknown format {fmt!r} (csv or nist-cdf)")
    if out.is_dir():
        fail(f"--out {out} is a folder; give the name of the file to write")
    ctx = existing_context(db)
    try:
        if fmt == "csv":
            text = export_csv(ctx)
        else:
            text = json.dumps(export_cdf(ctx, election_date=date), indent=1)
        out.write_text(text, encoding="utf-8")
    except (CaucusError, OSError) as exc:
        fail(exc)
        return
    if as_json:
        print(json.dumps({"out": str(out), "format": fmt, "bytes": len(text.encode())}))
    else:
        console.print(f"Wrote {out}")


def certify(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Mark the results certified: every public result then has status `certified`."""
    from caucuskit.services.setup import certify as do_certify

    try:
        version = do_certify(existing_context(db))
    except (CaucusError, OSError) as exc:
        fail(exc)
        return
    print(
        json.dumps({"certified": True, "results_version": version})
        if as_json
        else f"Certified (results version {version})."
    )
