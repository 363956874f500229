"""Issue 16 item 6: every unit decided or open wherever an exact method can say so.

Rule: rules.md §7.3 (a satellite pool: every turnout's outcome lies in the pool relaxation,
baseline plus the sites' masses split in any fractions), §8.2 (D-Math).
"""

from __future__ import annotations

from fractions import Fraction

from caucuskit.core.bounds import RaceInput, ScopeState, call_race
from caucuskit.core.election import NationalDelegates
from caucuskit.core.exact_search import SearchTooLarge
from caucuskit.core.national import UnitAllocation
from caucuskit.core.race_input import Scenario, Scope
from caucuskit.services.call_milp import milp_search


def _site_race(mass: Fraction) -> RaceInput:
    """CD1 (one seat): A 10, B 1 SDEs; one satellite site out, worth ``mass`` at its maximum.
    C could pass 15% by winning the whole site (2/13), so the bound cannot fix the qualified
    set, but A keeps the seat whatever the site does (a remainder of at least 10/13)."""
    scope = ScopeState(
        1,
        {"A": Fraction(10), "B": Fraction(1)},
        {"A": Fraction(10), "B": Fraction(1)},
        (("site", mass),),
        item_seats=(0,),
        sites_open=True,
    )
    return RaceInput(("A", "B", "C"), (scope,), NationalDelegates({1: 1}, at_large=0, pleo=0))


def test_a_satellite_site_unit_is_proven_over_every_turnout() -> None:
    """Guards the pool relaxation in ``milp_search``: the exhaustive search takes the site
    whole at its maximum only (so alone it cannot decide), the relaxed programs prove that no
    turnout changes the seat."""
    race = _site_race(Fraction(2))
    alone = {u.unit: u for u in call_race(race).national.units}["CD1"]
    assert alone.status == "undetermined"  # sites at their maximum only: no claim
    call = call_race(race, unit_search=milp_search)
    cd1 = {u.unit: u for u in call.national.units}["CD1"]
    assert (cd1.status, cd1.method) == ("decided", "milp"), cd1.proof
    assert call.national.total_status == "decided"


def test_a_satellite_site_that_changes_the_seat_is_open_with_a_whole_site() -> None:
    """The other way: a site worth 30 SDEs can give C the seat; the witness takes the site
    whole (an admissible completion), never a fraction of it."""
    race = _site_race(Fraction(30))
    cd1 = {u.unit: u for u in call_race(race, unit_search=milp_search).national.units}["CD1"]
    assert cd1.status == "open" and cd1.witness is not None
    assert cd1.witness_split in ({"B": 1}, {"C": 1})


def test_a_search_that_cannot_answer_leaves_the_unit_undetermined_not_a_crash() -> None:
    """A unit search that gives up (time limit) is reported, never raised to the caller."""

    def gives_up(
        race: RaceInput, scopes: frozenset[Scope] | None, seats: int, now: UnitAllocation
    ) -> Scenario | None:
        raise SearchTooLarge("the mixed-integer search took more than 10 s")

    call = call_race(_site_race(Fraction(2)), unit_search=gives_up, cap=0)
    cd1 = {u.unit: u for u in call.national.units}["CD1"]
    assert cd1.status == "undetermined"
    assert "more than 10 s" in cd1.proof[-1]
