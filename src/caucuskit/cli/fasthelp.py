"""``caucus`` and ``caucus --help`` without Typer or Rich (issue 11: help under 0.3 s).

Importing Typer and Rich costs most of the 0.2 s of CPU ``caucus --help`` took, only to print a
fixed list. :func:`render` draws the same screen from :data:`caucuskit.cli.commands.COMMANDS`:
the layout of Typer's Rich help (usage, the description, an Options panel, a Commands panel,
rounded boxes, the width Rich would pick), without colours. tests/cli/test_app.py checks it is
the same text as Typer's at several widths. Help for a command (``caucus precinct --help``) and
every error still come from Typer.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Sequence

from caucuskit.cli.commands import APP_HELP, COMMANDS

USAGE = "Usage: caucus [OPTIONS] COMMAND [ARGS]..."


def width() -> int:
    """The width Rich would use: Typer's ``TERMINAL_WIDTH``, else ``COLUMNS``, else the
    terminal's, else 80."""
    for name in ("TERMINAL_WIDTH", "COLUMNS"):
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    if os.environ.get("TERM", "").lower() in {"dumb", "unknown"} and sys.stdout.isatty():
        return 80
    for fd in (0, 1, 2):
        try:
            return os.get_terminal_size(fd).columns or 80
        except (OSError, ValueError):
            continue
    return 80


def _wrap(text: str, size: int) -> list[str]:
    """Rich's word wrap: each given line on its own, words kept whole unless longer than a line."""
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend(
            textwrap.wrap(line, size, break_on_hyphens=False, drop_whitespace=True) or [""]
        )
    return lines


def _panel(title: str, rows: list[str], total: int) -> list[str]:
    """A rounded Rich panel: ``╭─ title ─…╮``, ``│ row │`` lines, ``╰─…╯``."""
    inner = total - 4
    top = f"╭─ {title} " + "─" * max(total - len(title) - 5, 0) + "╮"
    return [top, *(f"│ {row:<{inner}} │" for row in rows), "╰" + "─" * (total - 2) + "╯"]


def render(total: int) -> str:
    """The text of ``caucus --help`` at ``total`` columns (without the final newline Click adds
    after ``--help``)."""
    blank = " " * total
    out = [blank, *(f" {line}".ljust(total) for line in _wrap(USAGE, total - 2)), blank]
    out += [f" {line}".ljust(total - 1) + " " for line in _wrap(APP_HELP, total - 2)]
    out.append(blank)
    option = _wrap("Show this message and exit.", total - 4 - 16)
    out += _panel(
        "Options",
        [f"{'--help' if i == 0 else '':<16}{line}" for i, line in enumerate(option)],
        total,
    )
    name_width = max(len(name) for name in COMMANDS)
    text_width = total - 4 - name_width - 2
    rows: list[str] = []
    for name, (_, text) in COMMANDS.items():
        for i, line in enumerate(_wrap(text, text_width)):
            rows.append(f"{name if i == 0 else '':<{name_width}}  {line}")
    out += _panel("Commands", rows, total)
    return "".join(line.rstrip("\n") + "\n" for line in out)


def main(argv: Sequence[str]) -> int | None:
    """Print the command list and return the exit status when ``argv`` only asks for it
    (``caucus``: 2, as Click's "no arguments is help"; ``caucus --help``: 0); else None."""
    if list(argv) not in ([], ["--help"]):
        return None
    sys.stdout.write(render(width()) + ("\n" if argv else ""))
    sys.stdout.flush()
    return 0 if argv else 2
