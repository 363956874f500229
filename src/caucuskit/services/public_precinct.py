"""``precincts/{id}``: one precinct's public document (its current result, worksheet, games of
chance and history).

Rule: rules.md §7 (the precinct's SDEs, or CCDs), §9 (raw alignments, every game of chance,
every correction published).
"""

from __future__ import annotations

from caucuskit.core.rounding import decimal_str
from caucuskit.services.context import PrecinctRef, iso
from caucuskit.services.public_types import PrecinctCandidate, PrecinctDocument, PrecinctToss
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
    version, at = t.changed_at.get(p.pk, (0, None))
    accepted = t.accepted.get(p.pk, 0)
    return {
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
