"""The two public lists: every game of chance in a current result, and every change to an
accepted result.

Rule: rules.md §5.4 (coin tosses; Nevada's card draws with the cards), §9 (publish every game
of chance and every correction).
"""

from __future__ import annotations

from typing import Any

from caucuskit.core.rounding import decimal_str
from caucuskit.services.context import iso
from caucuskit.services.public_sums import sde_delta
from caucuskit.services.public_types import Meta
from caucuskit.services.tally import Tally


def toss_list(t: Tally, meta: Meta) -> dict[str, Any]:
    """``coin-tosses``: each tie of each current result, its winners, witnesses and cards."""
    out = []
    for pk, v in sorted(t.current.items()):
        p = t.ctx.by_pk[pk]
        for i, tie in enumerate(v.ties):
            toss = v.tosses[i] if i < len(v.tosses) else {}
            out.append(
                {
                    "precinct_id": p.id,
                    "county": p.county,
                    "precinct": p.name,
                    "method": tie["method"],
                    "groups": tie["groups"],
                    "delegates": tie["delegates"],
                    "action": tie["action"],
                    "winners": tie["winners"],
                    "witnesses": toss.get("witnesses", []),
                    "cards": toss.get("cards"),
                }
            )  # Nevada card draws (§5.4)
    return {**meta, "tosses": out}


def change_list(t: Tally, meta: Meta) -> dict[str, Any]:
    """``changes``: each replaced accepted result with the change in its SDEs (or CCDs)."""
    places = t.election.sde_places_precinct
    out = []
    for at, pk, kind, reason, old, new in t.corrections:
        p = t.ctx.by_pk[pk]
        out.append(
            {
                "at": iso(at),
                "precinct_id": p.id,
                "county": p.county,
                "precinct": p.name,
                "kind": kind,
                "reason": reason,
                "sde_delta_display": {
                    c: decimal_str(x, places) for c, x in sde_delta(old, new).items()
                },
            }
        )
    return {**meta, "changes": out}
