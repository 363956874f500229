"""What the public results pages show beyond the raw documents: shares next to head counts,
zero-vote candidates folded away, honest status words, the national projection only once it is
settled, one outstanding-SDE figure, the counties table with every candidate's numbers, and the
CSV downloads.

Pure functions over the public documents (docs/api.md "Public"); decimal text only for display.
Rule: rules.md §7 (SDEs), §8.2 (national delegates), §9 (say plainly what is known).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

#: Words for a scope's NIST status, as people read them.
STATUS_WORDS = {
    "unofficial-partial": "Unofficial, partial",
    "unofficial-complete": "Unofficial, all precincts reporting",
    "recount": "Unofficial, all precincts reporting; includes recounts",
    "correction": "Unofficial, all precincts reporting; includes corrections",
    "certified": "Certified",
}


def status_words(status: str | None, reporting: int | None = None, total: int | None = None) -> str:
    """A scope's status in words; never "corrected" while precincts are still missing."""
    if not status:
        return "No results yet"
    if (
        reporting is not None
        and total is not None
        and reporting < total
        and status in ("correction", "recount", "unofficial-complete")
    ):
        status = "unofficial-partial"
    return STATUS_WORDS.get(status, status.replace("-", " ").capitalize())


def pct_text(part: int, whole: int) -> str:
    """'12.3%' (half up, one decimal) or '–' when ``whole`` is 0: display only."""
    if whole <= 0:
        return "–"
    tenths = (2000 * part + whole) // (2 * whole)  # round(1000 * part / whole), half up
    return f"{tenths // 10}.{tenths % 10}%"


def _num(text: object) -> float:
    """A display decimal as a number for sorting and shading (display only, never tabulated)."""
    try:
        return float(str(text))
    except ValueError:
        return 0.0


def _zero(c: Mapping[str, Any]) -> bool:
    return (
        not c.get("first")
        and not c.get("final")
        and not c.get("delegates")
        and _num(c.get("sde_display", 0)) == 0
    )


def candidate_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """Rows with shares of the first and final alignment; candidates with nothing at all (no
    head count, no delegate, no SDE) are listed apart so the page can fold them away."""
    cands = list(result.get("candidates") or [])
    first_total = sum(int(c.get("first") or 0) for c in cands)
    final_total = sum(int(c.get("final") or 0) for c in cands)
    rows: list[dict[str, Any]] = []
    zero: list[dict[str, Any]] = []
    for c in cands:
        row = dict(
            c,
            first_pct=pct_text(int(c.get("first") or 0), first_total),
            final_pct=pct_text(int(c.get("final") or 0), final_total),
        )
        (zero if _zero(c) and result.get("precincts", {}).get("reporting") else rows).append(row)
    return {"rows": rows, "zero": zero}


def outstanding(result: Mapping[str, Any], race: Mapping[str, Any] | None) -> dict[str, Any]:
    """The one "SDEs still outstanding" figure: the race panel's when there is one (it counts
    what can still move: unreported precincts, undecided games of chance, satellite turnout
    not yet known), else the document's."""
    raw = result.get("race")
    if isinstance(raw, Mapping) and raw.get("open_sde_display") is not None:
        return {
            "display": str(raw["open_sde_display"]),
            "at_most": bool(raw.get("open_sde_is_supremum")),
        }
    sde = result.get("sde") or {}
    return {"display": sde.get("outstanding_display"), "at_most": False}


def national_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """The national projection as numbers only where it is settled (rules.md §8.2).

    Settled means every precinct reported, or the race call proves a unit's seats can no longer
    change. Otherwise the page says what it would take instead of printing a number."""
    nat = result.get("national") or {}
    precincts = result.get("precincts") or {}
    complete = bool(precincts.get("total")) and precincts.get("reporting") == precincts.get("total")
    race = (result.get("race") or {}).get("national") or {}
    total = race.get("total") or {}
    if complete or total.get("status") == "decided":
        return {"settled": True, "national": nat, "units": [], "open_units": []}
    units = [u for u in race.get("units", []) if u.get("status") == "decided"]
    open_units = [str(u.get("unit")) for u in race.get("units", []) if u.get("status") != "decided"]
    return {
        "settled": False,
        "national": nat,
        "units": [
            {
                "unit": u.get("unit"),
                "seats": u.get("seats"),
                "split": ", ".join(
                    f"{c} {n}"
                    for c, n in sorted(
                        (u.get("current") or {}).items(), key=lambda kv: (-kv[1], kv[0])
                    )
                    if n
                ),
            }
            for u in units
        ],
        "open_units": open_units,
    }


#: Candidates with a column of their own in the counties table (the rest are in the CSV).
COUNTY_COLUMNS = 5


def county_columns(
    result: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], limit: int = COUNTY_COLUMNS
) -> list[str]:
    """The leading candidates (statewide order) with SDEs in some county: the table's columns."""
    have = {c for r in rows for c, v in (r.get("sde_display") or {}).items() if _num(v) > 0}
    return [str(c["name"]) for c in result.get("candidates", []) if c["name"] in have][:limit]


def county_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[dict[str, Any]]:
    """Each county's SDEs per candidate, its leader or tie, and the lead's margin in points."""
    out = []
    for r in rows:
        sde = {c: str((r.get("sde_display") or {}).get(c) or "0") for c in columns}
        values = sorted((_num(v) for v in (r.get("sde_display") or {}).values()), reverse=True)
        total = sum(values)
        margin = (values[0] - (values[1] if len(values) > 1 else 0)) / total if total else None
        out.append(
            dict(
                r,
                cells=[{"name": c, "display": sde[c], "key": _num(sde[c])} for c in columns],
                margin=None if margin is None else round(100 * margin, 1),
            )
        )
    return out


def map_title(row: Mapping[str, Any], limit: int = 4, unit: str = "SDE") -> str:
    """The county's tooltip: its numbers, not only its leader."""
    reporting, total = row.get("reporting", 0), row.get("total", 0)
    sde = sorted(
        ((str(c), str(v)) for c, v in (row.get("sde_display") or {}).items() if _num(v) > 0),
        key=lambda cv: (-_num(cv[1]), cv[0]),
    )
    tied = row.get("tied") or []
    if row.get("leader") and reporting:
        lead = f"leader {row['leader']}"
    elif tied and reporting:
        lead = "tied between " + ", ".join(tied)
    else:
        lead = "no results yet"
    numbers = f"; {unit}s " + ", ".join(f"{c} {v}" for c, v in sde[:limit]) if sde else ""
    if len(sde) > limit:
        numbers += f" and {len(sde) - limit} more"
    return f"{row['name']} County: {lead}{numbers}; {reporting} of {total} precincts reporting"


def margin_strength(row: Mapping[str, Any]) -> int | None:
    """0, 1 or 2: how clear the county's lead is (under 10, 10 to 30, over 30 points)."""
    values = sorted((_num(v) for v in (row.get("sde_display") or {}).values()), reverse=True)
    total = sum(values)
    if not total or not row.get("leader"):
        return None
    margin = 100 * (values[0] - (values[1] if len(values) > 1 else 0)) / total
    return 0 if margin < 10 else 1 if margin < 30 else 2


def results_csv(
    result: Mapping[str, Any], rows: Sequence[Mapping[str, Any]], unit: str = "sde"
) -> str:
    """The page's numbers as CSV: one line per candidate statewide, then per county. The value
    columns are named for the unit (``sde``, or ``ccd`` for Nevada: docs/adr/0011)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "scope",
            "name",
            "candidate",
            unit,
            f"{unit}_percent",
            "county_delegates",
            "first_alignment",
            "final_alignment",
            "national_delegates",
            "reporting",
            "total",
        ]
    )
    p = result.get("precincts") or {}
    for c in result.get("candidates", []):
        w.writerow(
            [
                "state",
                result.get("name", ""),
                c["name"],
                c.get("sde_display"),
                c.get("sde_percent_display"),
                c.get("delegates"),
                c.get("first"),
                c.get("final"),
                c.get("national", ""),
                p.get("reporting"),
                p.get("total"),
            ]
        )
    for r in rows:
        for c, v in sorted((r.get("sde_display") or {}).items()):
            w.writerow(
                ["county", r["name"], c, v, "", "", "", "", "", r.get("reporting"), r.get("total")]
            )
    return out.getvalue()
