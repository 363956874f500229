"""The ``caucus`` commands as data: name, the module that defines it, its one-line help.

This module imports nothing, so the console script can print ``caucus --help`` from it without
loading Typer or Rich (issue 11: ``caucus --help`` under 0.3 s; :mod:`caucuskit.cli.fasthelp`).
:mod:`caucuskit.cli.app` builds the Typer app from the same table; tests/cli/test_app.py keeps
it equal to the real commands and the fast help equal to Typer's.
"""

from __future__ import annotations

#: The first paragraph of ``caucus --help``.
APP_HELP = "caucuskit: exact, auditable caucus results, from the precinct room to the race call."

#: Command name -> (module under caucuskit.cli defining ``register(app)``, first paragraph of its
#: help as ``caucus --help`` shows it), in the order of ``caucus --help``.
COMMANDS: dict[str, tuple[str, str]] = {
    "precinct": (
        "precinct",
        "Compute one precinct caucus: viability threshold, viable groups, delegates, ties.",
    ),
    "tabulate": (
        "tabulate",
        "Tabulate results: SDEs statewide and by district, reporting, national delegates.",
    ),
    "audit": (
        "audit",
        "Recompute every precinct from raw counts and explain each difference from the published\n"
        "SDEs (rules.md §6).",
    ),
    "call": (
        "call",
        "Call the race from a results file or the results service's database: exact SDE\n"
        "ranges, whether the SDE lead and each national delegate unit are decided (with the\n"
        "proof) or still open (with a scenario), and coin tosses.",
    ),
    "init": ("service", "Create the schema and load an election definition."),
    "serve": ("service", "Run the results service with uvicorn."),
    "demo": (
        "service",
        "Start the service on a temporary SQLite file with an election loaded and demo codes.",
    ),
    "publish": (
        "service",
        "Write the public snapshot as static JSON files (and .json.gz) for nginx or a CDN.",
    ),
    "export": (
        "service",
        "Export the whole election as CSV or as NIST SP 1500-100 Election Results CDF (JSON).",
    ),
    "certify": (
        "service",
        "Mark the results certified: every public result then has status `certified`.",
    ),
    "credentials": ("credentials", "Precinct access codes and staff accounts."),
    "drill": (
        "drill",
        "Replay a results file as caucus night through the public HTTP API, with load and\n"
        "faults, then prove the service's totals equal an offline tabulation. Exit 1 if the proof\n"
        "fails.",
    ),
    "early": ("early", "Early ranked ballots (Nevada): load them per precinct, show them."),
}
