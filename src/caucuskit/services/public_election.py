"""``election.json``: the election definition as the public pages and API consumers need it.

Rule: rules.md §7 (display places; the headline unit, SDE or Nevada's CCD: docs/adr/0011),
§8 (national delegates).
"""

from __future__ import annotations

from typing import Any

from caucuskit.services.context import Context
from caucuskit.services.ids import slug
from caucuskit.services.public_units import unit_descriptor


def election_document(ctx: Context) -> dict[str, Any]:
    """``election.json``: the definition the public pages need (rules.md §7, §8)."""
    e = ctx.election
    counts: dict[str, int] = {}
    for p in ctx.precincts:
        counts[p.county] = counts.get(p.county, 0) + 1
    return {
        "id": e.id,
        "title": e.title,
        "ruleset": e.rules.name,
        "rules": e.rules.describe(),
        "candidates": [c.name for c in e.candidates],
        "districts": sorted(e.national.district),
        "counties": [
            {
                "id": slug(c.name),
                "name": c.name,
                "district": c.district,
                "satellite": c.satellite,
                "precincts": counts.get(c.name, 0),
                **({"part_of": c.part_of} if c.part_of else {}),
            }
            for c in e.counties
        ],
        "national": {
            "district": {str(k): v for k, v in sorted(e.national.district.items())},
            "at_large": e.national.at_large,
            "pleo": e.national.pleo,
            "total": e.national.total,
        },
        "sde_places_precinct": e.sde_places_precinct,
        "sde_places_total": e.sde_places_total,
        "unit": unit_descriptor(e),  # SDE, or CCD for Nevada (docs/adr/0011)
    }
