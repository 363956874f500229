"""Entry point of the ``caucus`` command; each command family lives in its own module."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="caucus",
    help="caucuskit: exact, auditable caucus results, from the precinct room to the race call.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.callback()
def _root() -> None:
    # Keeps ``caucus`` a command group even while only one command is registered.
    pass


#: Modules under caucuskit.cli that define ``register(app)``; one line per command family.
COMMAND_MODULES: tuple[str, ...] = (
    "precinct",
    "tabulate",
    "audit",
    "call",
    "service",
    "drill",
)

_registered = False


def build() -> typer.Typer:
    """Register every command module once and return the app (tests use this too)."""
    global _registered
    if not _registered:
        for name in COMMAND_MODULES:
            importlib.import_module(f"caucuskit.cli.{name}").register(app)
        _registered = True
    return app


def main() -> None:
    """Run the ``caucus`` command."""
    build()()
