"""The race-status panel of the public state document (docs/api.md, "race").

Rule: rules.md §7.1, §7.3, §8.2, §5.4.

Inputs: a :class:`~caucuskit.core.bounds.RaceCall` and its input, or a tabulation.
Outputs: the ``race`` section: for the SDE lead, each national unit and the national total,
the status, one plain sentence, the proof or the scenario; each candidate's least and most
SDEs; one "still to be decided" figure (``open_sde``) that every sentence quotes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from caucuskit.core.bounds import RaceCall, RaceInput, Scenario, call_race
from caucuskit.core.rounding import decimal_str
from caucuskit.services.call_report import exact_unit_search
from caucuskit.services.call_tracker import MaxTurnout, tracker_from_tabulation
from caucuskit.services.tabulate import Tabulation


def _dec(x: Fraction, places: int = 3) -> str:
    return decimal_str(x, places) if x >= 0 else "-" + decimal_str(-x, places)


def _split_text(split: Mapping[str, int]) -> str:
    parts = [f"{c} {n}" for c, n in sorted(split.items(), key=lambda kv: (-kv[1], kv[0])) if n]
    return ", ".join(parts) or "nobody"


def _scenario_doc(
    sc: Scenario | None, race: RaceInput, places: int, split: Mapping[str, int] | None = None
) -> dict[str, object] | None:
    if sc is None:
        return None
    parts = []
    for part in sc.describe(race):
        units = part["units"]
        sde = part["sde"]
        assert isinstance(units, list) and isinstance(sde, Fraction)
        parts.append(
            {
                "scope": part["scope"],
                "winner": part["winner"],
                "units": len(units),
                "sde": str(sde),
                "sde_display": _dec(sde, places),
            }
        )
    return {"label": sc.label, "split": None if split is None else dict(split), "parts": parts}


def _seats_range(ranges: Mapping[str, tuple[int, int, int, int]]) -> dict[str, object]:
    return {
        c: {"least": r[0], "most": r[1], "least_reached": r[2], "most_reached": r[3]}
        for c, r in ranges.items()
        if r[1] or r[3]
    }


def _unit_sentence(
    name: str,
    status: str,
    current: Mapping[str, int],
    witness: Scenario | None,
    split: Mapping[str, int] | None,
    proof: Sequence[str],
    lot: Sequence[str] = (),
) -> str:
    if status == "decided":
        return f"decided: {name} stays {_split_text(current)}"
    if status == "open" and witness is not None and split is not None:
        return (
            f"still open: if {witness.label}, {name} becomes {_split_text(split)} "
            f"(now {_split_text(current)})"
        )
    if status == "open":
        # Open with no completion to show: a seat to be drawn by lot (rules.md §8.2, §11 Q6),
        # or an outstanding site of unknown D that can give one candidate every seat (§7.3).
        if lot:
            why = (
                f"the last seat of {name} is tied between {', '.join(lot)} and is drawn by "
                "lot whatever the outstanding units do"
            )
        else:
            why = proof[-1] if proof else "it can still change"
        return f"still open: {why} (now {_split_text(current)})"
    why = proof[0] if proof else "no proof"
    return (
        f"undetermined: {why}, but no completion searched changes {name} "
        f"(now {_split_text(current)})"
    )


def race_panel(call: RaceCall, race: RaceInput, places: int = 3) -> dict[str, object]:
    """The ``race`` section of the public state document (docs/api.md): for the SDE lead,
    each national unit and the national total, the status, one plain sentence, the proof or
    the scenario; each candidate's least and most SDEs. Exact values as ``"p/q"`` strings.
    Rule: rules.md §7.1, §7.3, §8.2, §5.4."""
    lead = call.lead
    lead_scenario: Scenario | None = None
    proof: list[str] = []
    sentence = lead.explain(places)
    if lead.decided:
        proof = [sentence] if lead.leader is not None else []
    elif lead.leader is not None:
        catching = sorted((p for p in lead.pairs if p.can_tie), key=lambda p: -p.best)
        if catching:
            top = catching[0]
            t = top.trailer
            lead_scenario = Scenario(
                f"every outstanding unit to {t}",
                {s.district: ((t, len(s.items)),) for s in race.scopes},
                t,
            )
            verb = "overtake" if top.can_overtake else "tie"
            sentence = (
                f"still open: {t} can still {verb} {top.leader}, behind by "
                f"{_dec(top.margin, places)} SDE with "
                f"{_dec(call.open_sde, places)} SDE still to be decided"
            )
            if len(catching) > 1:
                sentence += (
                    f" ({len(catching) - 1} other candidate"
                    f"{'s' if len(catching) > 2 else ''} could too)"
                )
    nat = call.national
    units = []
    for u in nat.units:
        units.append(
            {
                "race": u.unit,
                "unit": u.unit,
                "seats": u.seats,
                "status": u.status,
                "sentence": _unit_sentence(
                    u.unit, u.status, u.current, u.witness, u.witness_split, u.proof, u.current_lot
                ),
                "current": dict(sorted(u.current.items(), key=lambda kv: (-kv[1], kv[0]))),
                "current_lot": list(u.current_lot),
                "proof": list(u.proof),
                "scenario": _scenario_doc(u.witness, race, places, u.witness_split),
                "seats_range": _seats_range(u.ranges),
            }
        )
    undecided = [u.unit for u in nat.units if u.status != "decided"]
    unbounded = [u.unit for u in nat.units if u.method == "unbounded"]
    if nat.total_status == "decided":
        total_proof = ["every unit is decided"]
    elif nat.total_status == "open" and nat.total_witness is None and unbounded:
        total_proof = [
            f"{', '.join(unbounded)} can still give any one candidate every seat "
            "(an outstanding site of unknown D), and the total with them"
        ]
    else:
        total_proof = [f"not decided: {', '.join(undecided)}"]
    total_sentence = _unit_sentence(
        "the national total",
        nat.total_status,
        nat.total_current,
        nat.total_witness,
        nat.total_witness_split,
        total_proof,
    )
    lots = [f"{u.unit} between {', '.join(u.current_lot)}" for u in nat.units if u.current_lot]
    if lots:  # rules.md §11 Q6: those seats are not in the total until drawn
        total_sentence += f", plus the seat drawn by lot in {'; '.join(lots)}"
    return {
        "open_sde": str(call.open_sde),
        "open_sde_display": _dec(call.open_sde, places),
        "open_sde_is_supremum": call.open_limit,
        "sde": [
            {
                "name": r.candidate,
                "current": str(r.current),
                "current_display": _dec(r.current, places),
                "least": str(r.low),
                "least_display": _dec(r.low, places),
                "most": str(r.high),
                "most_display": _dec(r.high, places),
                "most_attained": r.high_attained,
            }
            for r in call.sde
            if r.high > 0
        ],
        "lead": {
            "race": "SDE lead",
            "leader": lead.leader,
            "status": "decided" if lead.decided else "open",
            "sentence": sentence,
            "proof": proof,
            "scenario": _scenario_doc(lead_scenario, race, places),
            "pairs": [
                {
                    "leader": p.leader,
                    "trailer": p.trailer,
                    "margin": str(p.margin),
                    "margin_display": _dec(p.margin, places),
                    "swing": str(p.swing),
                    "swing_display": _dec(p.swing, places),
                    "can_tie": p.can_tie,
                    "can_overtake": p.can_overtake,
                }
                for p in lead.pairs
                if p.swing > 0 or p.margin <= 0 or p.can_tie
            ][:10],
        },
        "national": {
            "units": units,
            "total": {
                "race": "national total",
                "status": nat.total_status,
                "sentence": total_sentence,
                "current": dict(sorted(nat.total_current.items(), key=lambda kv: (-kv[1], kv[0]))),
                "proof": total_proof,
                "scenario": _scenario_doc(nat.total_witness, race, places, nat.total_witness_split),
                "seats_range": _seats_range(nat.total_ranges),
            },
        },
    }


def race_from_tabulation(
    tab: Tabulation, *, satellite_max_turnout: MaxTurnout = None, search: bool = True
) -> dict[str, object]:
    """The ``race`` panel for an existing tabulation (the snapshot's own, so the panel is
    computed from exactly the reports the rest of the document shows)."""
    tracker = tracker_from_tabulation(tab, satellite_max_turnout=satellite_max_turnout)
    race = tracker.race()
    search_more = exact_unit_search if search else None
    return race_panel(call_race(race, search=search, unit_search=search_more), race, tab.places)
