"""View models: the public documents (docs/api.md) turned into what the templates show.

Pure functions over plain dicts, so they are tested without a browser. The race-status panel
is :mod:`caucuskit.web.pages.race_panel`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from markupsafe import Markup

from caucuskit.web.pages.contrast import ink_on
from caucuskit.web.pages.countymap import CountyFill, atlas_for, render_map, slug, styles
from caucuskit.web.pages.publicview import (
    STATUS_WORDS,
    map_title,
    margin_strength,
    status_words,
)

STATUS_TEXT = STATUS_WORDS  # kept for callers of the old name


def status_text(status: str | None, reporting: int | None = None, total: int | None = None) -> str:
    """A person's words for a NIST ResultsStatus (never "corrected" while precincts are
    missing: :func:`caucuskit.web.pages.publicview.status_words`)."""
    return status_words(status, reporting, total)


def candidate_names(election: Mapping[str, Any]) -> list[str]:
    return [str(c) for c in election.get("candidates", [])]


def county_rows(
    election: Mapping[str, Any],
    districts: Sequence[Mapping[str, Any]],
    extra: Sequence[Mapping[str, Any]] = (),
) -> list[dict[str, Any]]:
    """One row per county (satellite pseudo-counties last) with leader and reporting counts."""
    seen: dict[str, dict[str, Any]] = {}
    for doc in districts:
        for child in doc.get("children", []):
            if child.get("kind") == "county":
                seen[str(child["id"])] = dict(child)
    for doc in extra:
        seen.setdefault(
            str(doc["id"]),
            {
                "id": doc["id"],
                "name": doc["name"],
                "kind": "county",
                "status": doc.get("status"),
                "reporting": doc.get("precincts", {}).get("reporting", 0),
                "total": doc.get("precincts", {}).get("total", 0),
                "leader": _leader(doc),
                "sde_display": {c["name"]: c.get("sde_display") for c in doc.get("candidates", [])},
            },
        )
    for row in seen.values():
        row["tied"] = tied_leaders(row.get("sde_display") or {})
        if row["tied"]:
            row["leader"] = None
    rows = []
    for county in election.get("counties", []):
        cid = str(county.get("id") or slug(str(county["name"])))
        row = seen.get(cid) or {
            "id": cid,
            "name": county["name"],
            "status": None,
            "reporting": 0,
            "total": county.get("precincts", 0),
            "leader": None,
            "sde_display": {},
            "tied": [],
        }
        row["satellite"] = bool(county.get("satellite"))
        row["district"] = county.get("district")
        if county.get("part_of"):  # Nevada: a county split between districts
            row["part_of"] = county["part_of"]
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
        str(child["id"])
        for doc in districts
        for child in doc.get("children", [])
        if child.get("kind") == "county"
    }
    return [
        str(c.get("id") or slug(str(c["name"])))
        for c in election.get("counties", [])
        if str(c.get("id") or slug(str(c["name"]))) not in covered
    ]


def card_display(text: object) -> str:
    """A recorded card for people: "QS" -> "Q♠", "10H" -> "10♥" (rules.md §5.4)."""
    t = str(text).strip().upper()
    suit = {"S": "♠", "H": "♥", "D": "♦", "C": "♣"}.get(t[-1:], "")
    return t[:-1] + suit if suit else t


def unit_of(election: Mapping[str, Any]) -> dict[str, str]:
    """The headline unit of an election document: SDE (Iowa) or CCD (Nevada)."""
    u = election.get("unit") or {}
    return {
        "short": str(u.get("short", "SDE")),
        "long": str(u.get("long", "state delegate equivalents")),
    }


def leader_map(
    election: Mapping[str, Any],
    rows: Sequence[Mapping[str, Any]],
    *,
    caption: str,
    map_id: str = "iowa-map",
    mode: str = "leader",
) -> Markup:
    """The county map coloured by SDE leader (``mode="leader"``) for the real counties.

    County parts (Nevada's Clark and Lyon, split between districts) are merged into their
    whole county first; the map is the shipped one whose county names match the election's.
    """
    fills: dict[str, CountyFill] = {}
    unit = unit_of(election)["short"]
    rows = merge_parts(rows)
    for row in rows:
        if row.get("satellite"):
            continue
        reporting = row.get("reporting", 0)
        leader = row.get("leader") if reporting else None
        tied = row.get("tied") or []
        fills[str(row["name"])] = CountyFill(
            leader=leader,
            title=map_title(row, unit=unit),
            href=f"/results/county/{row['id']}",
            label="tie" if tied and reporting and not leader else None,
            strength=margin_strength(row) if leader else None,
        )
    state = atlas_for([str(r["name"]) for r in rows if not r.get("satellite")])
    return render_map(
        fills,
        candidate_names(election),
        caption=caption,
        map_id=map_id if state == "iowa" else f"{state}-map",
        state=state,
        unit=unit,
    )


def merge_parts(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of county parts (``part_of``) merged into one row per whole county: reporting and
    totals added, the displayed numbers added exactly, the leader taken from the sums."""
    out: list[dict[str, Any]] = []
    merged: dict[str, dict[str, Any]] = {}
    for row in rows:
        whole = row.get("part_of")
        if not whole:
            out.append(dict(row))
            continue
        acc = merged.get(whole)
        if acc is None:
            acc = merged[whole] = {
                "id": slug(str(whole)),
                "name": whole,
                "reporting": 0,
                "total": 0,
                "sums": {},
                "satellite": False,
            }
            out.append(acc)
        acc["reporting"] += row.get("reporting", 0)
        acc["total"] += row.get("total", 0)
        for c, v in (row.get("sde_display") or {}).items():
            if v is not None and _is_number(str(v)):
                acc["sums"][c] = acc["sums"].get(c, Fraction(0)) + Fraction(Decimal(str(v)))
    for acc in merged.values():
        sums: dict[str, Fraction] = acc.pop("sums")
        best = max(sums.values(), default=Fraction(0))
        top = sorted(c for c, v in sums.items() if v == best) if best > 0 else []
        acc["leader"] = top[0] if len(top) == 1 else None
        acc["tied"] = top if len(top) > 1 else []
        acc["sde_display"] = {c: str(v) for c, v in sums.items()}
    return out


def style_table(election: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Colour and short label per candidate, for table swatches."""
    return {
        name: {"colour": s.colour, "label": s.label, "ink": ink_on(s.colour)}
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
