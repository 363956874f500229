"""Entry point of the ``caucus`` command; each command family lives in its own module.

The modules are imported only when one of their commands runs (issue 11: ``caucus --help``
and ``caucus precinct`` must not pay for SQLAlchemy, argon2 or uvicorn). ``caucus --help``
lists the commands from :data:`COMMANDS`, the one table of names and one-line help;
tests/cli/test_app.py checks it against the real commands, and tests/test_docs.py checks the
rendered reference.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer import _click as click  # typer vendors click since 0.2x; its classes are these
from typer.core import TyperCommand, TyperGroup

from caucuskit.cli import helptext
from caucuskit.cli.commands import APP_HELP, COMMANDS

__all__ = ["APP_HELP", "COMMANDS", "COMMAND_MODULES", "app", "build", "load_module"]

#: Modules under caucuskit.cli that define ``register(app)``; one line per command family.
COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))

_loaded: dict[str, TyperGroup] = {}

helptext.install()  # plain value labels, the root's --help included


def load_module(module: str) -> TyperGroup:
    """The click group of every command ``caucuskit.cli.<module>`` registers (imported once)."""
    if module not in _loaded:
        family = typer.Typer(add_completion=False, pretty_exceptions_enable=False)

        @family.callback()
        def _family() -> None:  # keeps the family a group even with a single command
            pass

        importlib.import_module("caucuskit.cli.helptext").install()  # plain value labels
        importlib.import_module(f"caucuskit.cli.{module}").register(family)
        group = typer.main.get_group(family)
        assert isinstance(group, TyperGroup)
        _loaded[module] = group
    return _loaded[module]


class LazyGroup(TyperGroup):
    """The root command group: lists commands from :data:`COMMANDS`, imports one on use."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._listing = False
        # Names only, for "Did you mean ...?" suggestions; get_command gives the real commands.
        self.commands = {
            name: TyperCommand(name, help=text) for name, (_, text) in COMMANDS.items()
        }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        if self._listing:
            return self.commands[cmd_name]
        command: click.Command | None = load_module(COMMANDS[cmd_name][0]).commands.get(cmd_name)
        return command

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="caucus",
    help=APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)


@app.callback()
def _root() -> None:
    # Keeps ``caucus`` a command group: its commands come from LazyGroup.
    pass


def build() -> typer.Typer:
    """The app (tests use this too); commands are imported when they are looked up."""
    return app


def main() -> None:
    """Run the ``caucus`` command (the same as :func:`caucuskit.cli.main`)."""
    from caucuskit.cli import main as entry

    entry()
