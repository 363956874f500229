"""View models: the public documents (docs/api.md) turned into what the templates show.

Pure functions over plain dicts, so they are tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from caucuskit.web.pages.countymap import CountyFill, render_map, slug, styles

STATUS_TEXT = {
    "unofficial-partial": "Unofficial, partial",
    "unofficial-complete": "Unofficial, all precincts reporting",
    "recount": "Recount",
    "correction": "Corrected",
    "certified": "Certified",
}


def status_text(status: str | None) -> str:
    """A person's words for a NIST ResultsStatus."""
    if not status:
        return "No results yet"
    return STATUS_TEXT.get(status, status.replace("-", " ").capitalize())


def candidate_names(election: Mapping[str, Any]) -> list[str]:
    return [str(c) for c in election.get("candidates", [])]


def county_rows(
    election: Mapping[str, Any], districts: Sequence[Mapping[str, Any]],
    extra: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """One row per county (satellite pseudo-counties last) with leader and reporting counts."""
    seen: dict[str, dict[str, Any]] = {}
    for doc in districts:
        for child in doc.get("children", []):
            if child.get("kind") == "county":
                seen[str(child["id"])] = dict(child)
    for doc in extra:
        seen.setdefault(str(doc["id"]), {
            "id": doc["id"], "name": doc["name"], "kind": "county", "status": doc.get("status"),
            "reporting": doc.get("precincts", {}).get("reporting", 0),
            "total": doc.get("precincts", {}).get("total", 0),
            "leader": _leader(doc), "sde_display": {
                c["name"]: c.get("sde_display") for c in doc.get("candidates", [])
            },
        })
    for row in seen.values():
        row["tied"] = tied_leaders(row.get("sde_display") or {})
        if row["tied"]:
            row["leader"] = None
    rows = []
    for county in election.get("counties", []):
        cid = str(county.get("id") or slug(str(county["name"])))
        row = seen.get(cid) or {
            "id": cid, "name": county["name"], "status": None, "reporting": 0,
            "total": county.get("precincts", 0), "leader": None, "sde_display": {}, "tied": [],
        }
        row["satellite"] = bool(county.get("satellite"))
        row["district"] = county.get("district")
        rows.append(row)
    rows.sort(key=lambda r: (r["satellite"], str(r["name"])))
    return rows


def tied_leaders(sde_display: Mapping[str, Any]) -> list[str]:
    """Candidates sharing the largest displayed SDE total, when more than one does."""
    values = {name: str(v) for name, v in sde_display.items() if v is not None}
    numeric = {n: float(v) for n, v in values.items() if _is_number(v)}  # display only
    if not numeric:
        return []
    best = max(numeric.values())
    if best <= 0:
        return []
    top = sorted(n for n, v in numeric.items() if v == best)
    return top if len(top) > 1 else []


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _leader(doc: Mapping[str, Any]) -> str | None:
    cands = doc.get("candidates", [])
    if not cands or not doc.get("precincts", {}).get("reporting"):
        return None
    top = cands[0]
    return str(top["name"]) if top.get("sde") not in (None, "0") else None


def missing_counties(
    election: Mapping[str, Any], districts: Sequence[Mapping[str, Any]]
) -> list[str]:
    """County ids not covered by any district document (counties with no district)."""
    covered = {
        str(child["id"]) for doc in districts for child in doc.get("children", [])
        if child.get("kind") == "county"
    }
    return [
        str(c.get("id") or slug(str(c["name"]))) for c in election.get("counties", [])
        if str(c.get("id") or slug(str(c["name"]))) not in covered
    ]


def leader_map(
    election: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], *, caption: str,
    map_id: str = "iowa-map", mode: str = "leader",
) -> Markup:
    """The county map coloured by SDE leader (``mode="leader"``) for the real counties."""
    fills: dict[str, CountyFill] = {}
    for row in rows:
        if row.get("satellite"):
            continue
        reporting, total = row.get("reporting", 0), row.get("total", 0)
        leader = row.get("leader") if reporting else None
        tied = row.get("tied") or []
        if leader:
            lead = f"leader {leader}"
        elif tied and reporting:
            lead = "tied between " + ", ".join(tied)
        else:
            lead = "no results yet"
        title = f"{row['name']} County: {lead}; {reporting} of {total} precincts reporting"
        fills[str(row["name"])] = CountyFill(
            leader=leader, title=title, href=f"/results/county/{row['id']}",
            label="tie" if tied and reporting and not leader else None,
        )
    return render_map(fills, candidate_names(election), caption=caption, map_id=map_id)


def style_table(election: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Colour and short label per candidate, for table swatches."""
    return {
        name: {"colour": s.colour, "label": s.label}
        for name, s in styles(candidate_names(election)).items()
    }


def worksheet_rows(worksheet: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The worksheet's group lines with someone in them, largest final group first."""
    if not worksheet:
        return []
    lines = [g for g in worksheet.get("groups", []) if (g.get("first") or 0) or g.get("final")]
    return sorted(
        lines, key=lambda g: (-(g.get("delegates") or 0), -(g.get("final") or 0), g["group"])
    )
