"""Plain value labels in ``--help`` (TEXT, N, FILE, FOLDER) instead of Python type names.

Typer 0.2x labels each option with its Python annotation (``<str>``, ``<int>``, ``<list[str]>``)
and even labels on/off flags ``<bool>``, which reads as noise to the people the CLI is for.
Typer has no setting for this, so :func:`install` wraps its label method once: flags get no
label, repeatable options say so in words, everything else gets a plain word. Choices keep
their values (``by-lot|all-realign``). See docs/adr (people) for why this is a wrapper.
"""

from __future__ import annotations

from typing import Any

import typer.core

WORDS = {
    "str": "TEXT",
    "int": "N",
    "float": "NUMBER",
    "file": "FILE",
    "path": "PATH",
    "dir": "FOLDER",
    "directory": "FOLDER",
    "datetime": "TIME",
}


def plain(label: str | None, is_flag: bool) -> str | None:
    """'<int>' -> 'N'; '<list[str]>' -> 'TEXT (repeatable)'; a flag's '<bool>' -> ''."""
    if label is None:
        return None
    if is_flag or label == "<bool>":
        return ""
    inner = label[1:-1] if label.startswith("<") and label.endswith(">") else label
    if inner.startswith("list[") and inner.endswith("]"):
        return plain(f"<{inner[5:-1]}>", False) + " (repeatable)"  # type: ignore[operator]
    return WORDS.get(inner, inner)


def install() -> None:
    """Wrap Typer's option/argument type label (idempotent)."""
    cls: Any = typer.core._TyperParameter  # the base of TyperOption and TyperArgument
    if getattr(cls, "_caucus_plain", False):
        return
    original = cls.display_type

    def display_type(self: Any, ctx: Any) -> str | None:
        return plain(original(self, ctx), bool(getattr(self, "is_flag", False)))

    cls.display_type = display_type
    cls._caucus_plain = True
