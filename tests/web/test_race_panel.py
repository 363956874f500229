"""The race-status panel's words (web/pages/race_panel.py) from state.json's ``race``."""

from __future__ import annotations

from typing import Any

from caucuskit.web.pages.race_panel import race_view, scenario_words


def _pair(leader: str, trailer: str, margin: str, overtake: bool = True) -> dict[str, Any]:
    return {
        "leader": leader,
        "trailer": trailer,
        "margin": margin,
        "margin_display": margin,
        "swing": "300",
        "swing_display": "300.000",
        "can_tie": True,
        "can_overtake": overtake,
    }


def _doc(lead: dict[str, Any], units: list[dict[str, Any]], reporting: int = 5) -> dict[str, Any]:
    return {
        "precincts": {"reporting": reporting, "total": 1765},
        "race": {
            "open_sde_display": "300.000",
            "open_sde_is_supremum": False,
            "sde": [
                {
                    "name": "Sanders",
                    "current_display": "10.000",
                    "least_display": "10.000",
                    "most_display": "310.000",
                    "most_attained": True,
                }
            ],
            "lead": lead,
            "national": {"units": units, "total": None},
        },
    }


SPLIT = {
    "label": "every outstanding unit to Sanders",
    "split": {"Sanders": 4, "Buttigieg": 3},
    "parts": [
        {"scope": "CD1", "winner": "Sanders", "units": 40, "sde": "30", "sde_display": "30.000"}
    ],
}


def test_an_open_lead_names_who_can_still_overtake_whom_and_how() -> None:
    lead = {
        "leader": "Buttigieg",
        "status": "open",
        "scenario": SPLIT,
        "pairs": [
            _pair("Buttigieg", "Sanders", "2.500"),
            _pair("Buttigieg", "Warren", "250.000", overtake=False),
        ],
    }
    view = race_view(_doc(lead, []))
    assert view is not None and not view["empty"]
    panel = view["lead"]
    assert (panel["symbol"], panel["word"]) == ("○", "Still open")
    assert panel["lines"] == [
        "Buttigieg leads for now.",
        "Sanders can still overtake Buttigieg if Sanders out-gains Buttigieg by more than "
        "2.500 of the 300.000 SDEs still open.",
        "Warren can still tie Buttigieg if Warren out-gains Buttigieg by 250.000 of the "
        "300.000 SDEs still open.",
    ]
    assert panel["example"] == (
        "For example, if every outstanding precinct goes to Sanders, "
        "Sanders would catch up with Buttigieg."
    )


def test_a_tie_for_the_lead_is_said_as_a_tie() -> None:
    lead = {
        "leader": "Klobuchar",
        "status": "open",
        "scenario": None,
        "pairs": [_pair("Klobuchar", "Sanders", "0"), _pair("Klobuchar", "Biden", "1")],
    }
    lines = race_view(_doc(lead, []))["lead"]["lines"]  # type: ignore[index]
    assert lines[0].startswith("Klobuchar and Sanders are tied for the lead")
    assert lines[1].startswith("Biden can still overtake Klobuchar")


def test_a_decided_unit_and_lead_read_as_decided_without_colour() -> None:
    lead = {
        "leader": "Buttigieg",
        "status": "decided",
        "sentence": "decided: Buttigieg leads; even if Sanders won every open SDE (3.000), "
        "it would stay 1.000 SDE behind",
        "pairs": [],
    }
    unit = {
        "unit": "CD1",
        "seats": 7,
        "status": "decided",
        "current": {"Sanders": 3, "Buttigieg": 2, "Warren": 2},
        "current_lot": [],
        "proof": ["p"],
        "scenario": None,
        "seats_range": {"Sanders": {"least": 3, "most": 3}},
    }
    view = race_view(_doc(lead, [unit]))
    assert view is not None
    assert view["lead"]["word"] == "Decided" and view["lead"]["symbol"] == "✓"
    assert view["lead"]["lines"][0].startswith("Buttigieg leads; even if Sanders won")
    cd1 = view["units"][0]
    assert cd1["line"] == "CD1 stays Sanders 3, Buttigieg 2, Warren 2 whatever is still to report."


def test_an_open_unit_gives_the_completion_that_changes_it_and_the_seat_ranges() -> None:
    unit = {
        "unit": "CD2",
        "seats": 7,
        "status": "open",
        "current": {},
        "current_lot": [],
        "proof": [],
        "scenario": SPLIT,
        "seats_range": {"Sanders": {"least": 1, "most": 7}, "Bennet": {"least": 0, "most": 7}},
    }
    cd2 = race_view(_doc({"leader": None, "status": "open", "pairs": []}, [unit]))["units"][0]  # type: ignore[index]
    assert cd2["line"] == (
        "No seat allocated yet; it could still become Sanders 4, Buttigieg 3 "
        "if every outstanding precinct goes to Sanders."
    )
    assert cd2["ranges"] == "Sanders 1–7, anyone else 0–7"


def test_empty_and_missing_states() -> None:
    view = race_view(_doc({"leader": None, "status": "open", "pairs": []}, [], reporting=0))
    assert view is not None and view["empty"]
    assert race_view({"precincts": {"reporting": 0}}) is None
    mixed = {
        "parts": [
            {"scope": "CD1", "winner": "A", "units": 3},
            {"scope": "statewide only", "winner": "B", "units": 1},
        ]
    }
    assert scenario_words(mixed) == (
        "the outstanding precincts in CD1 go to A; the outstanding precincts statewide go to B"
    )


def test_seat_ranges_that_say_nothing_are_left_out() -> None:
    unit = {
        "unit": "CD4",
        "seats": 5,
        "status": "open",
        "current": {},
        "current_lot": [],
        "proof": [],
        "scenario": SPLIT,
        "seats_range": {"Sanders": {"least": 0, "most": 5}, "Bennet": {"least": 0, "most": 5}},
    }
    cd4 = race_view(_doc({"leader": None, "status": "open", "pairs": []}, [unit]))["units"][0]  # type: ignore[index]
    assert cd4["ranges"] == ""
