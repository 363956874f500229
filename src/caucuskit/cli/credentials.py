"""``caucus credentials issue | rotate | users``: precinct access codes and staff accounts.

Rule: rules.md §9 (2020: chairs could not sign in and the hotline was swamped; every precinct
gets a code before the night, every operator a named account).

Inputs: the database of ``caucus init``. Outputs: the codes and passwords issued (a CSV file
or JSON), never stored in clear.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from caucuskit.cli.service_db import DbOpt, JsonOpt, console, err, existing_context, fail
from caucuskit.core.errors import CaucusError
from caucuskit.services import credentials, staff_accounts

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
        fail(f"--out {out} is a folder; give the name of the CSV file to write")
    ctx = existing_context(db)
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
        fail(exc)
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
        code = credentials.rotate_code(existing_context(db), precinct, reason=reason)
    except (CaucusError, OSError) as exc:
        fail(exc)
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
        ctx = existing_context(db)
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
        fail(exc)
        return
    if as_json:
        print(json.dumps(rows))
        return
    t = Table("user", "role", "created")
    for r in rows:
        t.add_row(r["username"], r["role"], r["created_at"] or "")
    console.print(t)


def register(app: typer.Typer) -> None:
    app.add_typer(cred_app, name="credentials")
