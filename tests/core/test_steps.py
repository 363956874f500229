"""The worksheet as data (issue 15): typed step records, words rendered from them.

The Adair 1NW example of rules.md (D = 8, N = 40) read as records: which group, raw share,
rounded, decimal, what was removed, which tie and how it was settled. The sentences are the
chair-facing text of the worksheet, unchanged.
"""

from __future__ import annotations

from caucuskit.core import IA_2020, NV_2020, PrecinctInput, compute_precinct
from caucuskit.core.steps import Remove, Round, Tie, Toss, WorksheetStep

ADAIR = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}


def _kinds(log: tuple[WorksheetStep, ...]) -> list[str]:
    return [s.kind for s in log]


def test_adair_pending_tie_as_records() -> None:
    result = compute_precinct(IA_2020, PrecinctInput(8, 40, ADAIR))
    log = result.log
    assert _kinds(log) == ["threshold", "viable", *["round"] * 5, "total", "tie"]
    biden = log[2]
    assert isinstance(biden, Round)
    assert (biden.group, biden.members, biden.raw, biden.decimal, biden.rounded) == (
        "Biden",
        6,
        "6/5",
        "1.2000",
        1,
    )
    assert biden.direction == "down" and not biden.raised
    assert biden.text == "Biden: 6 x 8 / 40 = 1.2000, rounds down to 1"
    tie = log[-1]
    assert isinstance(tie, Tie)
    assert (tie.groups, tie.delegates, tie.change, tie.basis, tie.value) == (
        ("Buttigieg", "Klobuchar"),
        1,
        "lose",
        "furthest",
        "0.6000",
    )
    assert tie.text == (
        "Tie: 2 groups tie at decimal 0.6000 and 1 delegate(s) must be removed; a coin toss "
        "decides who keeps."
    )
    assert result.pending_tie is not None and result.pending_tie.reason in tie.text


def test_adair_settled_tie_says_which_tie_and_who_won() -> None:
    result = compute_precinct(IA_2020, PrecinctInput(8, 40, ADAIR, toss_winners=("Klobuchar",)))
    tosses = [s for s in result.log if isinstance(s, Toss)]
    assert [(s.group, s.tie, s.won, s.now) for s in tosses] == [
        ("Buttigieg", 0, False, 1),
        ("Klobuchar", 0, True, 2),
    ]
    assert [s.text for s in tosses] == [
        "-1 from Buttigieg (now 1): lost the coin toss",
        "Klobuchar keeps 2: won the coin toss",
    ]
    assert result.ties[0].winners == ("Klobuchar",)
    awards = {s.group: s.to_dict()["delegates"] for s in result.log if s.kind == "award"}
    assert awards == dict(result.delegates)


def test_json_keeps_action_group_text_beside_the_numbers() -> None:
    result = compute_precinct(IA_2020, PrecinctInput(3, 20, {"A": 10, "B": 6, "C": 4}))
    steps = result.to_dict()["log"]
    assert isinstance(steps, list)
    for step in steps:
        assert {"action", "group", "text", "kind"} <= set(step)
    removes = [s for s in result.log if isinstance(s, Remove)]
    for s in removes:
        assert s.to_dict()["now"] == s.now and s.to_dict()["group"] == s.group


def test_nevada_extra_delegates_is_a_record_and_a_note() -> None:
    result = compute_precinct(
        NV_2020, PrecinctInput(4, 76, {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24})
    )
    extra = [s for s in result.log if s.kind == "extra"]
    assert len(extra) == 1 and extra[0].to_dict()["awarded"] == 5
    assert result.notes == (extra[0].text,)


def test_worksheet_is_built_only_when_read() -> None:
    result = compute_precinct(IA_2020, PrecinctInput(8, 40, ADAIR))
    assert result._log is None  # deciding wrote nothing
    first = result.log
    assert result.log is first  # built once
    eager = compute_precinct(IA_2020, PrecinctInput(8, 40, ADAIR), worksheet=True)
    assert eager._log == first
