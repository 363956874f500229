"""The ``caucus`` command line (Typer + Rich).

:func:`main` is the console script. It imports nothing heavy itself: ``caucus`` and
``caucus --help`` print the command list from data (:mod:`caucuskit.cli.fasthelp`),
``caucus precinct --jsonl``
(with at most ``--rules`` and ``--[no-]worksheet``) runs the batch without loading Typer, so a
batch costs what its math costs (issue 11); everything else goes to the Typer app of
:mod:`caucuskit.cli.app`, which imports each command family only when it runs.
tests/cli/test_app.py checks both paths give the same bytes and exit codes.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

#: The only arguments the fast batch path (precinct_batch.fast_main) handles; others go to Typer.
_SWITCHES = frozenset({"--jsonl", "--worksheet", "--no-worksheet"})


def plain_batch_args(argv: Sequence[str]) -> tuple[str, bool] | None:
    """``(ruleset, worksheet)`` when ``argv`` is ``precinct --jsonl`` with at most ``--rules``
    and ``--[no-]worksheet``; else None (the full command line parser is needed)."""
    if len(argv) < 2 or argv[0] != "precinct" or "--jsonl" not in argv:
        return None
    rules, worksheet = "ia-2020", False
    rest = list(argv[1:])
    while rest:
        arg = rest.pop(0)
        if arg == "--rules" and rest and not rest[0].startswith("-"):
            rules = rest.pop(0)
        elif arg.startswith("--rules=") and len(arg) > len("--rules="):
            rules = arg.partition("=")[2]
        elif arg in _SWITCHES:
            worksheet = {"--worksheet": True, "--no-worksheet": False}.get(arg, worksheet)
        else:
            return None
    return rules, worksheet


def main() -> None:
    """Run the ``caucus`` command."""
    if len(sys.argv) <= 2:
        from caucuskit.cli.fasthelp import main as help_main

        status = help_main(sys.argv[1:])
        if status is not None:
            raise SystemExit(status)
    plain = plain_batch_args(sys.argv[1:])
    if plain is not None:
        from caucuskit.cli.precinct_batch import fast_main

        raise SystemExit(fast_main(*plain))
    from caucuskit.cli.app import app

    app()
