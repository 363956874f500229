"""Store an :class:`~caucuskit.core.election.Election` as JSON and read it back exactly.

State delegates (S_c) may be fractions; they are kept as ``"p/q"`` text.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from caucuskit.core.election import (
    Candidate,
    County,
    Election,
    NationalDelegates,
    Precinct,
    make_election,
)


def election_to_json(election: Election) -> dict[str, Any]:
    """The definition as JSON-ready data (lossless)."""
    return {
        "id": election.id,
        "title": election.title,
        "ruleset": election.rules.name,
        "candidates": [{"name": c.name, "withdrawn": c.withdrawn} for c in election.candidates],
        "counties": [
            {
                "name": c.name,
                "district": c.district,
                "state_delegates": None if c.state_delegates is None else str(c.state_delegates),
                "satellite": c.satellite,
                "part_of": c.part_of,
            }
            for c in election.counties
        ],
        "precincts": [
            [p.county, p.name, p.code, p.delegates, p.satellite, p.at_large]
            for p in election.precincts
        ],
        "national": {
            "district": {str(k): v for k, v in election.national.district.items()},
            "at_large": election.national.at_large,
            "pleo": election.national.pleo,
        },
        "notes": list(election.notes),
        "unit": election.unit,
    }


def election_from_json(data: dict[str, Any]) -> Election:
    """Rebuild (and check) the election stored by :func:`election_to_json`."""
    return make_election(
        id=data["id"],
        title=data["title"],
        ruleset=data["ruleset"],
        candidates=tuple(Candidate(c["name"], bool(c["withdrawn"])) for c in data["candidates"]),
        counties=tuple(
            County(
                name=c["name"],
                district=c["district"],
                state_delegates=None
                if c["state_delegates"] is None
                else Fraction(c["state_delegates"]),
                satellite=bool(c["satellite"]),
                part_of=c.get("part_of"),
            )
            for c in data["counties"]
        ),
        precincts=tuple(
            Precinct(
                county=p[0],
                name=p[1],
                code=p[2],
                delegates=p[3],
                satellite=bool(p[4]),
                at_large=bool(p[5]) if len(p) > 5 else False,
            )
            for p in data["precincts"]
        ),
        national=NationalDelegates(
            district={int(k): int(v) for k, v in data["national"]["district"].items()},
            at_large=int(data["national"]["at_large"]),
            pleo=int(data["national"]["pleo"]),
        ),
        notes=tuple(data.get("notes", ())),
        unit=data.get("unit", "sde"),
    )
