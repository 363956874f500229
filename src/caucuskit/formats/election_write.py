"""Writing an election definition: deterministic JSON that :func:`load_election` reads back.

Rule: rules.md §2, §7.1, §8.1 (what a definition holds); the format is docs/election-format.md.
Exact numbers (S_c) are written as text by :func:`caucuskit.formats.exact.fraction_to_text`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from caucuskit.core.election import County, Election, Precinct
from caucuskit.formats.election_check import FORMAT
from caucuskit.formats.exact import fraction_to_text


def election_to_dict(e: Election) -> dict[str, Any]:
    """The JSON-ready definition of ``e`` (the inverse of :func:`load_election`)."""

    def county(c: County) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": c.name,
            "district": c.district,
            "state_delegates": None
            if c.state_delegates is None
            else fraction_to_text(c.state_delegates),
        }
        if c.satellite:
            out["satellite"] = True
        return out

    def precinct(p: Precinct) -> dict[str, Any]:
        out: dict[str, Any] = {"county": p.county, "name": p.name, "code": p.code}
        out["delegates"] = p.delegates
        if p.satellite:
            out["satellite"] = True
        return out

    return {
        "format": FORMAT,
        "id": e.id,
        "title": e.title,
        "ruleset": e.rules.name,
        "display": {
            "sde_places_precinct": e.sde_places_precinct,
            "sde_places_total": e.sde_places_total,
        },
        "candidates": [{"name": c.name, "withdrawn": c.withdrawn} for c in e.candidates],
        "national": {
            "district": {str(k): v for k, v in sorted(e.national.district.items())},
            "at_large": e.national.at_large,
            "pleo": e.national.pleo,
        },
        "counties": [county(c) for c in e.counties],
        "precincts": [precinct(p) for p in e.precincts],
        "notes": list(e.notes),
    }


def dumps_election(e: Election | Mapping[str, Any]) -> str:
    """Deterministic JSON: one line per candidate, county and precinct; UTF-8, final newline."""
    data = election_to_dict(e) if isinstance(e, Election) else dict(e)
    lines = ["{"]
    keys = list(data)
    for n, key in enumerate(keys):
        value = data[key]
        comma = "," if n < len(keys) - 1 else ""
        if isinstance(value, list) and value:
            lines.append(f"  {json.dumps(key)}: [")
            for i, item in enumerate(value):
                tail = "," if i < len(value) - 1 else ""
                lines.append(f"    {json.dumps(item, ensure_ascii=False)}{tail}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_election(e: Election, path: str | Path) -> None:
    """Write ``e`` as a definition file (see :func:`dumps_election`)."""
    Path(path).write_text(dumps_election(e), encoding="utf-8")
