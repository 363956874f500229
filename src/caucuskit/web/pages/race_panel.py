"""The race-status panel: state.json's ``race`` (docs/api.md) turned into words.

Rule: rules.md §7.1 (the SDE lead), §7.3 (satellites), §8.2 (national delegates: each unit
decided or open, a drawing of lots for a tied seat).

Inputs: the ``race`` part of the state document (plain dicts). Outputs: the panel's view model
(status symbol and word, the lead's lines, one entry per national delegate unit), or ``None``
before any precinct reports. Pure functions, tested without a browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Status words shown as text (a symbol and a word, never colour alone).
RACE_STATUS = {
    "decided": ("✓", "Decided"),
    "open": ("○", "Still open"),
    "undetermined": ("?", "Undetermined"),
}
#: How many "X can still overtake Y" lines are shown before the rest fold away.
RACE_PAIRS_SHOWN = 3


def _split_words(split: Mapping[str, Any] | None) -> str:
    items = sorted(
        ((str(k), int(v)) for k, v in (split or {}).items() if v), key=lambda kv: (-kv[1], kv[0])
    )
    return ", ".join(f"{name} {n}" for name, n in items) or "nobody yet"


def scenario_words(scenario: Mapping[str, Any] | None) -> str:
    """'every outstanding precinct goes to Sanders' from a race SCENARIO (docs/api.md)."""
    if not scenario:
        return ""
    parts = [p for p in scenario.get("parts", []) if p.get("units")]
    winners = {str(p.get("winner")) for p in parts}
    if len(winners) == 1:
        return f"every outstanding precinct goes to {winners.pop()}"
    if parts:
        return "; ".join(
            "the outstanding precincts "
            + ("statewide" if p["scope"] == "statewide only" else f"in {p['scope']}")
            + f" go to {p['winner']}"
            for p in parts
        )
    return str(scenario.get("label", ""))


def _pair_line(pair: Mapping[str, Any], open_display: str, unit: str = "SDE") -> str:
    verb = "overtake" if pair.get("can_overtake") else "tie"
    how = "by more than" if pair.get("can_overtake") else "by"
    return (
        f"{pair['trailer']} can still {verb} {pair['leader']} if {pair['trailer']} out-gains "
        f"{pair['leader']} {how} {pair.get('margin_display')} of the {open_display} {unit}s "
        "still open"
    )


def _unit_view(unit: Mapping[str, Any], title: str, *, total: bool = False) -> dict[str, Any]:
    status = str(unit.get("status") or "undetermined")
    symbol, word = RACE_STATUS.get(status, ("?", status.capitalize()))
    now = _split_words(unit.get("current"))
    now_words = f"Now {now}" if unit.get("current") else "No seat allocated yet"
    lot = list(unit.get("current_lot") or [])
    scenario = unit.get("scenario") or {}
    name = "the total" if total else str(unit.get("unit"))
    if status == "decided":
        line = f"{title} stays {now} whatever is still to report."
    elif status == "open" and scenario.get("split"):
        line = (
            f"{now_words}; it could still become {_split_words(scenario['split'])} "
            f"if {scenario_words(scenario)}."
        )
    elif status == "open":
        # open with no completion to show: a seat drawn by lot, or an unbounded site
        why = (unit.get("proof") or [""])[-1]
        line = f"{now_words}; still open{': ' + why if why else ''}."
    else:
        why = (unit.get("proof") or [""])[0]
        line = (
            f"{now_words}. No completion searched changes {name}, but it is not proven "
            f"either{': ' + why if why else ''}."
        )
    if lot:
        line += f" A drawing of lots between {', '.join(lot)} decides a tied seat (rules.md §8.2)."
    return {
        "title": title,
        "status": status,
        "symbol": symbol,
        "word": word,
        "line": line,
        "seats": unit.get("seats"),
        "ranges": _ranges_words(unit),
    }


def _ranges_words(unit: Mapping[str, Any]) -> str:
    """'Sanders 2–4, Buttigieg 1–3; anyone else 0–7' (only the bounds that say something)."""
    ranges = unit.get("seats_range") or {}
    seats = unit.get("seats")
    if seats is None:
        seats = max((r["most"] for r in ranges.values()), default=0)
    known = sorted(
        ((c, r) for c, r in ranges.items() if r["least"] > 0 or r["most"] < seats),
        key=lambda kv: (-kv[1]["most"], -kv[1]["least"], kv[0]),
    )
    spans = [
        f"{c} {r['least']}–{r['most']}" if r["least"] != r["most"] else f"{c} {r['least']}"
        for c, r in known
    ]
    if not known:
        return ""  # anyone can still win 0..seats: nothing worth a line
    if len(known) < len(ranges):
        spans.append(f"anyone else 0–{seats}")
    return ", ".join(spans)


def race_view(result: Mapping[str, Any], unit: str = "SDE") -> dict[str, Any] | None:
    """What the race-status panel shows, from the state document (None without ``race``).

    Rule: rules.md §7.1 (SDE lead), §8.2 (national delegates); the verdicts, bounds and
    scenarios are the service's (docs/race-call.md); this only words them for people.
    """
    race = result.get("race")
    if not isinstance(race, Mapping):
        return None
    reporting = (result.get("precincts") or {}).get("reporting", 0)
    open_display = str(race.get("open_sde_display", ""))
    lead = race.get("lead") or {}
    status = str(lead.get("status") or "open")
    symbol, word = RACE_STATUS.get(status, ("?", status.capitalize()))
    leader = lead.get("leader")
    pairs = [p for p in lead.get("pairs", []) if p.get("can_tie")]
    if leader is None:
        long = str((race.get("unit") or {}).get("long") or "state delegate equivalents")
        lines = [f"No {long} have been reported yet."]
    elif status == "decided":
        said = str(lead.get("sentence", "")).removeprefix("decided: ")
        lines = [said[:1].upper() + said[1:] + "."]
    else:
        tied = [str(p["trailer"]) for p in pairs if str(p.get("margin")) == "0"]
        if tied:
            names = [str(leader), *tied]
            lines = [
                f"{', '.join(names[:-1])} and {names[-1]} are tied for the lead: whoever "
                f"gains more of the {open_display} {unit}s still open leads."
            ]
        else:
            lines = [f"{leader} leads for now."]
        lines += [
            _pair_line(p, open_display, unit) + "." for p in pairs if str(p.get("margin")) != "0"
        ]
    scenario = lead.get("scenario")
    example = ""
    if status == "open" and scenario and pairs and leader is not None:
        winners = {str(p.get("winner")) for p in scenario.get("parts", [])}
        who = winners.pop() if len(winners) == 1 else "the trailer"
        example = f"For example, if {scenario_words(scenario)}, {who} would catch up with {leader}."
    national = race.get("national") or {}
    units = [_unit_view(u, str(u.get("unit"))) for u in national.get("units", [])]
    total = national.get("total")
    sde_rows = [
        {
            "name": r["name"],
            "now": r.get("current_display"),
            "least": r.get("least_display"),
            "most": r.get("most_display") + ("" if r.get("most_attained", True) else " or less"),
        }
        for r in race.get("sde", [])
    ]
    return {
        "empty": not reporting,
        "open_sde_display": open_display,
        "open_sde_is_supremum": bool(race.get("open_sde_is_supremum")),
        "lead": {
            "title": f"{unit} lead",
            "status": status,
            "symbol": symbol,
            "word": word,
            "leader": leader,
            "lines": lines[: 1 + RACE_PAIRS_SHOWN],
            "more": lines[1 + RACE_PAIRS_SHOWN :],
            "example": example,
        },
        "units": units,
        "total": _unit_view(total, "National delegates in all", total=True) if total else None,
        "sde": sde_rows,
    }
