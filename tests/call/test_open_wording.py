"""An open national unit with no completion to show is worded as open, with its reason.

Rule: rules.md §8.2 (D-Math per unit; an exact tie for the last seat goes to a drawing of
lots, §11 Q6), §7.3 (an outstanding site whose D is unknown can give one candidate every
seat). Such a unit is not "undetermined": it is known to be open.
"""

from __future__ import annotations

from fractions import Fraction

from caucuskit.core.bounds import RaceInput, ScopeState, call_race
from caucuskit.core.election import NationalDelegates
from caucuskit.services.race_panel import race_panel
from caucuskit.web.pages.race_panel import _unit_view

F = Fraction


def _panel_units(race: RaceInput) -> tuple[dict[str, dict[str, object]], dict[str, object]]:
    panel = race_panel(call_race(race), race)
    national = panel["national"]
    assert isinstance(national, dict)
    return {str(u["unit"]): u for u in national["units"]}, national["total"]


def test_a_unit_with_a_site_of_unknown_d_is_worded_open_with_the_site() -> None:
    """A Nevada at-large site still out with no known D (rules.md §7.3): CD1 and the total are
    open because that site can give B both seats; the sentence says so, not "undetermined"."""
    site = ScopeState(1, {"A": F(4)}, {"A": F(4)}, unbounded=("North / Site",))
    units, total = _panel_units(RaceInput(("A", "B"), (site,), NationalDelegates({1: 2}, 0, 0)))
    cd1 = units["CD1"]
    assert cd1["status"] == "open" and cd1["scenario"] is None
    assert str(cd1["sentence"]).startswith("still open: North / Site: outstanding, with no known")
    assert str(cd1["sentence"]).endswith("(now A 2)")
    assert total["status"] == "open"
    assert str(total["sentence"]).startswith("still open: CD1 can still give any one candidate")
    for doc, title in ((cd1, "CD1"), (total, "National total")):
        line = _unit_view(doc, title, total=doc is total)["line"]
        assert "still open: " in line and "not proven" not in line


def test_a_tied_last_seat_is_worded_open_by_lot() -> None:
    """CD1's one seat tied exactly between A and B with nothing outstanding (rules.md §8.2,
    §11 Q6): open, to be drawn by lot, whatever is still to report."""
    tied = ScopeState(1, {"A": F(1), "B": F(1)}, {"A": F(1), "B": F(1)})
    units, _ = _panel_units(RaceInput(("A", "B"), (tied,), NationalDelegates({1: 1}, 0, 0)))
    cd1 = units["CD1"]
    assert cd1["status"] == "open" and cd1["current_lot"] == ["A", "B"]
    assert str(cd1["sentence"]).startswith(
        "still open: the last seat of CD1 is tied between A, B and is drawn by lot"
    )
    line = _unit_view(cd1, "CD1")["line"]
    assert "still open: " in line and "A drawing of lots between A, B" in line


def test_the_total_names_a_seat_drawn_by_lot() -> None:
    """CD1's seat tied A-B, CD2 A's (rules.md §8.2, §11 Q6): the total is the same in every
    completion (A 1 and the lot), and its sentence says the lot seat is not in the count."""
    tied = ScopeState(1, {"A": F(1), "B": F(1)}, {"A": F(1), "B": F(1)})
    cd2 = ScopeState(2, {"A": F(3)}, {"A": F(3)})
    race = RaceInput(("A", "B"), (tied, cd2), NationalDelegates({1: 1, 2: 1}, 0, 0))
    _, total = _panel_units(race)
    assert total["sentence"] == (
        "decided: the national total stays A 1, plus the seat drawn by lot in CD1 between A, B"
    )
