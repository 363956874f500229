"""People who go home between the alignments (issue 12): a viable group may shrink, as long as
the room shrank at least as much; members of viable groups still may not join another group.

Rule: rules.md §4 ("People who leave": still in N; 2020: members of viable groups cannot
realign), §3.2 (N is the opening head count).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caucuskit.core import (
    IA_2016,
    IA_2020,
    NV_2020,
    PrecinctInput,
    ValidationError,
    compute_precinct,
)
from caucuskit.core.checks import departures, validate_input
from caucuskit.formats.detect import read_results
from caucuskit.formats.election_file import load_election
from conftest import DATA

PARTIAL = DATA / "iowa-2020" / "results" / "idp-2020-02-05-8pm_partial.csv"

#: The three precincts of the 8 pm file (5 Feb 2020) in which a viable group ends smaller but
#: still viable, and the room emptied by at least as many: (county, precinct) -> who left.
LEFT_2020 = {
    ("Clinton", "CLINTON 2-1"): {"Sanders": 6},
    ("Dallas", "WEST DES MOINES 223"): {"Warren": 3},
    ("Scott", "(D34) City of Davenport"): {"Biden": 1},
}


def _input(report: object, delegates: int) -> PrecinctInput:
    first = {k: v for k, v in report.first.items() if v}  # type: ignore[attr-defined]
    final = {k: v for k, v in report.final.items() if v}  # type: ignore[attr-defined]
    return PrecinctInput(
        delegates=delegates,
        attendees=report.effective_attendees,  # type: ignore[attr-defined]
        first=first,
        final=final,
    )


def test_the_three_2020_precincts_where_people_left_a_viable_group_are_accepted() -> None:
    election = load_election("iowa-2020")
    imported = read_results(PARTIAL, election)
    found: dict[tuple[str, str], dict[str, int]] = {}
    for report in imported.reports:
        ref = election.precinct_by_key.get((report.county, report.precinct))
        if ref is None or not ref.delegates or ref.delegates < 2 or not report.first:
            continue
        data = _input(report, ref.delegates)
        left = departures(election.rules, data)
        if left and all(data.final.get(g, 0) > 0 for g in left):
            found[(report.county, report.precinct)] = left
    assert found == LEFT_2020
    for county, name in LEFT_2020:
        report = next(r for r in imported.reports if (r.county, r.precinct) == (county, name))
        ref = election.precinct_by_key[(county, name)]
        assert ref.delegates is not None
        result = compute_precinct(
            election.rules, _input(report, ref.delegates), election.candidate_names
        )
        assert result.complete and sum(result.delegates.values()) == ref.delegates
        # they stay in N: the threshold is the one of the opening head count
        assert result.attendees == report.effective_attendees


def test_a_move_out_of_a_viable_group_in_the_record_is_still_refused() -> None:
    """Polk CLAY-01 (2020): Sanders 12 -> ? and Warren 13 -> ? lost more members than left."""
    election = load_election("iowa-2020")
    imported = read_results(PARTIAL.with_name("idp-2020-02-08-100pct_full.csv"), election)
    report = next(r for r in imported.reports if (r.county, r.precinct) == ("Polk", "CLAY-01"))
    data = _input(report, election.precinct_by_key[("Polk", "CLAY-01")].delegates or 0)
    with pytest.raises(ValidationError) as caught:
        validate_input(election.rules, data)
    fields = {p.field for p in caught.value.problems}
    assert {"final.Sanders", "final.Warren"} <= fields
    assert departures(election.rules, data) == {}


def test_people_leaving_a_viable_group_is_accepted_and_they_stay_in_n() -> None:
    first = {"Biden": 10, "Sanders": 20, "Yang": 4}  # N = 40, D = 8: T = 6
    final = {"Biden": 8, "Sanders": 24}  # 2 of Biden's went home; Yang's 4 joined Sanders
    data = PrecinctInput(delegates=8, attendees=40, first=first, final=final)
    assert departures(IA_2020, data) == {"Biden": 2}
    result = compute_precinct(IA_2020, data)
    assert result.threshold == 6 and result.complete
    assert sum(result.delegates.values()) == 8


def test_a_move_from_a_viable_group_is_refused_in_plain_words() -> None:
    data = PrecinctInput(
        delegates=8,
        attendees=40,
        first={"Biden": 10, "Sanders": 20},
        final={"Biden": 8, "Sanders": 22},
    )
    with pytest.raises(ValidationError) as caught:
        compute_precinct(IA_2020, data)
    (problem,) = caught.value.problems
    assert problem.field == "final.Biden"
    assert problem.message.startswith(
        "Biden's group was viable, so its members cannot join another group: it went from 10 "
        "to 8, but nobody left the room"
    )
    assert departures(IA_2020, data) == {}


def test_departures_are_empty_when_anyone_may_realign() -> None:
    data = PrecinctInput(
        delegates=8,
        attendees=40,
        first={"Clinton": 10, "Sanders": 20},
        final={"Clinton": 8, "Sanders": 20},
    )
    assert departures(IA_2016, data) == {}
    assert departures(NV_2020, data) == {"Clinton": 2}


@given(
    first=st.dictionaries(st.sampled_from("ABCDE"), st.integers(0, 30), min_size=1),
    shrink=st.dictionaries(st.sampled_from("ABCDE"), st.integers(0, 30)),
    grow=st.dictionaries(st.sampled_from("ABCDE"), st.integers(0, 30)),
    delegates=st.integers(2, 12),
)
def test_accepted_exactly_when_viable_losses_fit_in_the_people_who_left(
    first: dict[str, int], shrink: dict[str, int], grow: dict[str, int], delegates: int
) -> None:
    """Property: the 2020 checks accept a final alignment (with no other problem) iff every
    viable group's loss can be people who went home and every group that stays non-viable did
    not grow; departures() is non-empty iff a viable group shrank and it was accepted."""
    n = sum(first.values())
    if n == 0:
        return
    final = {g: max(0, first.get(g, 0) - shrink.get(g, 0) + grow.get(g, 0)) for g in "ABCDE"}
    final = {g: v for g, v in final.items() if v}
    data = PrecinctInput(delegates=delegates, attendees=n, first=first, final=final)
    from caucuskit.core.viability import viability_threshold

    t = viability_threshold(IA_2020, delegates, n)
    assert t is not None
    left = n - sum(final.values())
    losses = sum(
        first[g] - final.get(g, 0)
        for g in first
        if 0 < first[g] and first[g] >= t and final.get(g, 0) < first[g]
    )
    stuck = any(
        first.get(g, 0) < t and final.get(g, 0) < t and final.get(g, 0) > first.get(g, 0)
        for g in set(first) | set(final)
    )
    ok = left >= 0 and losses <= left and not stuck
    try:
        validate_input(IA_2020, data)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted == ok
    if accepted:
        assert bool(departures(IA_2020, data)) == (losses > 0)
