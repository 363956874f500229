"""``precincts/{id}``: one precinct's public document (its current result, worksheet, games of
chance and history).

Rule: rules.md §7 (the precinct's SDEs, or CCDs), §9 (raw alignments, every game of chance,
every correction published).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caucuskit.core.rounding import decimal_str
from caucuskit.services.context import PrecinctRef, iso
from caucuskit.services.public_types import (
    PrecinctCandidate,
    PrecinctDocument,
    PrecinctEarly,
    PrecinctToss,
)
from caucuskit.services.tally import ZERO, Tally


def precinct_document(t: Tally, p: PrecinctRef, names: list[str]) -> PrecinctDocument:
    """``precincts/{id}``: the current result with its worksheet, tosses and history."""
    from caucuskit.services.submit import precinct_info

    e = t.election
    v = t.current.get(p.pk)
    hist = t.history.get(p.pk, [])
    info = precinct_info(t.ctx, p)
    pplaces = e.sde_places_precinct
    sde = t.counties[p.county].precinct_sde.get(p.pk, {})
    cands: list[PrecinctCandidate] = []
    tosses: list[PrecinctToss] = []
    if v is not None:
        for c in names:
            cands.append(
                {
                    "name": c,
                    "first": v.first.get(c, 0),
                    "final": v.final.get(c, 0),
                    "delegates": v.delegates.get(c, 0),
                    "sde": v.sde_text.get(c, "0"),
                    "sde_display": decimal_str(sde.get(c, ZERO), pplaces),
                }
            )
        early = _early_votes(v.worksheet, cands)
        cands.sort(key=lambda r: (-r["delegates"], -r["final"], r["name"]))
        for i, tie in enumerate(v.ties):
            toss = v.tosses[i] if i < len(v.tosses) else {}
            tosses.append(
                {
                    "groups": tie["groups"],
                    "winners": tie["winners"],
                    "method": tie["method"],
                    "witnesses": toss.get("witnesses", []),
                    "cards": toss.get("cards"),
                }
            )  # Nevada card draws (§5.4)
    else:
        early = None
    version, at = t.changed_at.get(p.pk, (0, None))
    accepted = t.accepted.get(p.pk, 0)
    doc: PrecinctDocument = {
        "scope": "precinct",
        "id": p.id,
        "county": p.county,
        "county_id": p.county_id,
        "name": p.name,
        "satellite": p.satellite,
        "delegates": p.delegates,
        "delegates_to_elect": None if v is None else v.worksheet.get("delegates_to_elect"),
        "status": "not-reported"
        if v is None
        else (
            "recount"
            if v.channel == "recount"
            else "correction"
            if accepted > 1
            else "unofficial-complete"
        ),
        "reported": v is not None,
        "version": version,
        "last_update": iso(at),
        "sde_value": info["sde_value"],
        "sde_value_display": info["sde_value_display"],
        "candidates": cands,
        "worksheet": None if v is None else dict(v.worksheet),
        "tosses": tosses,
        "history": [
            {"version_id": h[0], "status": h[1], "at": iso(h[2]), "channel": h[3]} for h in hist
        ],
    }
    if early is not None:
        doc["early"] = early
    return doc


def _early_votes(
    worksheet: Mapping[str, Any], cands: list[PrecinctCandidate]
) -> PrecinctEarly | None:
    """A Nevada result's early ballots (docs/adr/0011): each candidate's row gains the early
    votes counted for it in the first and final alignment, so that the published head counts
    plus these give the group sizes the allocation ran on (rules.md §4 NV column, §9); the
    summary says N. ``None`` for a result without early voting (Iowa)."""
    early = worksheet.get("early")
    if not isinstance(early, Mapping):
        return None
    first, final = early.get("first") or {}, early.get("final") or {}
    for c in cands:
        c["early_first"] = int(first.get(c["name"], 0))
        c["early_final"] = int(final.get(c["name"], 0))
    in_person = worksheet.get("in_person") or {}
    return {
        "ballots": int(early["ballots"]),
        "valid": int(early["valid"]),
        "void": int(early["void"]),
        "exhausted": int(early["exhausted"]),
        "checksum": str(early["checksum"]),
        "in_person_attendees": int(in_person.get("attendees", 0)),
        "attendees": int(worksheet["attendees"]),
    }
