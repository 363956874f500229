"""Election definition files (JSON): where they are and how to load one.

An election definition is input data (rules.md §2: the apportionment is given, not computed). It
names the candidates, the counties with their congressional district and state delegates S_c
(§7.1), the satellite pools (§7.3), every reporting unit with its county delegates D, the national
delegate counts (§8.1) and the display precision (§7.2). The format is described key by key in
docs/election-format.md.

``load_election("iowa-2020")`` reads the definition shipped inside the package
(``caucuskit/data/elections/iowa-2020.json``); any other argument is a file path. Checking a
definition is :mod:`caucuskit.formats.election_check`, writing one
:mod:`caucuskit.formats.election_write`; this module re-exports both, so callers need only it.
"""

from __future__ import annotations

import json
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from caucuskit.core.election import Election
from caucuskit.core.errors import CaucusError, DefinitionError
from caucuskit.formats.election_check import FORMAT, election_from_dict
from caucuskit.formats.election_write import dumps_election, election_to_dict, write_election
from caucuskit.formats.exact import fraction_to_text, parse_fraction

__all__ = [
    "FORMAT",
    "dumps_election",
    "election_from_dict",
    "election_to_dict",
    "fraction_to_text",
    "list_elections",
    "load_election",
    "parse_fraction",
    "write_election",
]


def _shipped_folder() -> Traversable:
    """caucuskit/data/elections inside the installed package."""
    return resources.files("caucuskit").joinpath("data", "elections")


def list_elections() -> list[str]:
    """Ids of the election definitions shipped with caucuskit (``iowa-2016``, ``iowa-2020``)."""
    folder = _shipped_folder()
    return sorted(
        entry.name[: -len(".json")]
        for entry in (folder.iterdir() if folder.is_dir() else ())
        if entry.name.endswith(".json")
    )


def _read_text(name_or_path: str | Path) -> tuple[str, str]:
    """The definition's text and a label for messages."""
    if isinstance(name_or_path, str) and name_or_path in list_elections():
        entry = _shipped_folder().joinpath(f"{name_or_path}.json")
        return entry.read_text(encoding="utf-8"), f"{name_or_path} (shipped)"
    path = Path(name_or_path)
    if path.is_dir():
        raise CaucusError(
            f"election {str(name_or_path)!r} is a folder; give a definition "
            "file (.json) or a shipped election id"
        )
    if not path.is_file():
        known = ", ".join(list_elections())
        raise CaucusError(
            f"election {str(name_or_path)!r}: no such file and not a shipped election ({known})"
        )
    return path.read_text(encoding="utf-8"), str(path)


def load_election(name_or_path: str | Path) -> Election:
    """Load and check an election definition (a shipped id or a JSON file path).

    Raises :class:`DefinitionError` naming every inconsistency found.
    """
    text, label = _read_text(name_or_path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DefinitionError([f"{label}: not valid JSON (line {exc.lineno}: {exc.msg})"]) from None
    return election_from_dict(data)
