"""Reading a results file for an election: the reports it holds and the rows it could not join.

Rule: rules.md §5.7 (the raw counts are the record a tabulation starts from).

Inputs: an election (id or :class:`~caucuskit.core.election.Election`) and a file in any layout
:func:`~caucuskit.formats.detect.read_results` recognises (IDP 2020 tables, the NYT feed,
canonical raw reports; docs/results-format.md), or the 2016 county-level SDE file.
Outputs: :class:`LoadedResults` (reports, unjoined rows as text, the layout read), or the
county SDE results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from caucuskit.core.election import Election
from caucuskit.core.report import PrecinctReport
from caucuskit.formats.county_sde import CountySdeResults, read_county_sde
from caucuskit.formats.detect import read_results
from caucuskit.formats.election_file import load_election


@dataclass(frozen=True)
class LoadedResults:
    """Reports read from a results file, with the rows that could not be joined."""

    election: Election
    reports: list[PrecinctReport]
    unjoined: list[str]
    layout: str


def load_results(election: str | Election, path: str | Path) -> LoadedResults:
    """Read a results file for ``election``: any layout :func:`read_results` recognises (IDP
    2020 tables, the NYT feed, canonical raw reports; docs/results-format.md)."""
    e = load_election(election) if isinstance(election, str) else election
    imp = read_results(path, e)
    return LoadedResults(e, imp.reports, [str(u) for u in imp.unjoined], imp.layout)


def load_county_sde(
    election: str | Election, path: str | Path
) -> tuple[Election, CountySdeResults]:
    """Read county-level SDE results (the 2016 file) for ``election``."""
    e = load_election(election) if isinstance(election, str) else election
    return e, read_county_sde(path, e)
