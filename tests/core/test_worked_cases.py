"""The worked examples of rules.md, as tables that read like the spec.

§3.2 (thresholds), §5.5 (Iowa Falls), §5.8 cases A–K (both the Iowa and the Nevada reading where
the spec gives them). Each row: case id, ruleset, D, N, final alignment, recorded toss winners,
and what the spec says comes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from caucuskit.core import (
    IA_2016,
    IA_2020,
    NV_2020,
    OvershootTies,
    PrecinctInput,
    RuleSet,
    compute_precinct,
    get_ruleset,
    viability_threshold,
)
from caucuskit.core.rounding import decimal_str

IA_ALL_REALIGN = IA_2020.with_options(overshoot_ties=OvershootTies.ALL_REALIGN)

# --------------------------------------------------------------------------------------------
# §3.2 worked thresholds

THRESHOLDS = [
    # (N, D, threshold, where the spec gives it)
    (62, 12, 10, "Iowa Falls 2020: ceil(9.3)"),
    (45, 3, 8, "ceil(7.5)"),
    (40, 2, 10, "N/4"),
    (25, 5, 4, "ceil(3.75)"),
    (60, 18, 9, "15% of 60"),
    (667, 4, 101, "ceil(100.05); ceil(667/6.67) = 100 is the Warren app bug"),
]


@pytest.mark.parametrize("rules", [IA_2016, IA_2020, NV_2020], ids=lambda r: r.name)
@pytest.mark.parametrize(("n", "d", "expected", "why"), THRESHOLDS, ids=[t[3] for t in THRESHOLDS])
def test_threshold_worked_numbers(rules: RuleSet, n: int, d: int, expected: int, why: str) -> None:
    assert viability_threshold(rules, d, n) == expected


# --------------------------------------------------------------------------------------------
# §5.8 and §5.5


@dataclass(frozen=True)
class Case:
    id: str
    rules: RuleSet
    d: int
    n: int
    final: dict[str, int]
    threshold: int | None
    delegates: dict[str, int]
    #: (groups, delegates at stake, "gain"/"lose") when a game of chance is still needed
    pending: tuple[frozenset[str], int, str] | None = None
    toss_winners: tuple[str, ...] = ()
    #: groups in the order the worksheet adds (+1) or removes (-1) delegates, where the spec says
    adds: tuple[str, ...] | None = None
    removes: tuple[str, ...] | None = None
    must_realign: frozenset[str] = frozenset()
    notes: tuple[str, ...] = field(default=())


def tie(*groups: str, delegates: int = 1, action: str = "lose") -> tuple[frozenset[str], int, str]:
    return frozenset(groups), delegates, action


ALPHA = {"A": 20, "B": 18, "C": 27, "D": 19, "E": 16}
NV_P1 = {"A": 14, "B": 19, "C": 18, "D": 12, "E": 16}
C_CASE = {"W": 100, "S": 50, "B": 50}
EVANSDALE = {"Biden": 7, "Buttigieg": 15, "Sanders": 6, "Warren": 7}
ARCADIA = {"Biden": 6, "Buttigieg": 7, "Sanders": 6}
FREMONT = {"Biden": 28, "Buttigieg": 22, "Sanders": 20}
ADAIR = {"Biden": 6, "Buttigieg": 8, "Klobuchar": 8, "Sanders": 9, "Warren": 9}
NV_P2 = {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24}
IOWA_FALLS = {"Klobuchar": 19, "Warren": 19, "Buttigieg": 14, "Biden": 10}

CASES = [
    Case(
        "A 2016 Precinct Alpha",
        IA_2016,
        7,
        100,
        ALPHA,
        15,
        {"A": 2, "B": 1, "C": 2, "D": 1, "E": 1},
        adds=("A",),
    ),
    Case(
        "A same under 2020",
        IA_2020,
        7,
        100,
        ALPHA,
        15,
        {"A": 2, "B": 1, "C": 2, "D": 1, "E": 1},
        adds=("A",),
    ),
    Case("B NV Principle 1", NV_2020, 7, 79, NV_P1, 12, {"A": 1, "B": 2, "C": 2, "D": 1, "E": 1}),
    Case("B Iowa reading", IA_2020, 7, 79, NV_P1, 12, {"A": 1, "B": 2, "C": 2, "D": 1, "E": 1}),
    Case(
        "C excess, .5 loses first",
        IA_2020,
        7,
        200,
        C_CASE,
        30,
        {"W": 3, "S": 2, "B": 2},
        removes=("W",),
    ),
    Case(
        "D only-delegate protection (Evansdale W4)",
        IA_2020,
        4,
        35,
        EVANSDALE,
        6,
        {"Biden": 1, "Buttigieg": 1, "Sanders": 1, "Warren": 1},
        removes=("Buttigieg",),
    ),
    Case(
        "E IA: smallest tie pending (Arcadia)",
        IA_2020,
        2,
        19,
        ARCADIA,
        5,
        {"Buttigieg": 1},
        pending=tie("Biden", "Sanders"),
    ),
    Case(
        "E IA: as reported, Sanders won the toss",
        IA_2020,
        2,
        19,
        ARCADIA,
        5,
        {"Buttigieg": 1, "Sanders": 1},
        toss_winners=("Sanders",),
    ),
    Case(
        "E NV: all three keep one (3 awarded)",
        NV_2020,
        2,
        19,
        ARCADIA,
        5,
        {"Biden": 1, "Buttigieg": 1, "Sanders": 1},
    ),
    Case(
        "F people left, cycling (Fremont-Atkins)",
        IA_2020,
        22,
        94,
        FREMONT,
        15,
        {"Biden": 8, "Buttigieg": 7, "Sanders": 7},
        adds=("Buttigieg", "Sanders", "Biden", "Buttigieg", "Sanders"),
    ),
    Case(
        "F NV reading",
        NV_2020,
        22,
        94,
        FREMONT,
        15,
        {"Biden": 8, "Buttigieg": 7, "Sanders": 7},
        adds=("Buttigieg", "Sanders", "Biden", "Buttigieg", "Sanders"),
    ),
    Case(
        "G decimal tie pending (1NW Adair)",
        IA_2020,
        8,
        40,
        ADAIR,
        6,
        {"Biden": 1, "Buttigieg": 1, "Klobuchar": 1, "Sanders": 2, "Warren": 2},
        pending=tie("Buttigieg", "Klobuchar"),
    ),
    Case(
        "G as reported, Klobuchar won the toss",
        IA_2020,
        8,
        40,
        ADAIR,
        6,
        {"Biden": 1, "Buttigieg": 1, "Klobuchar": 2, "Sanders": 2, "Warren": 2},
        toss_winners=("Klobuchar",),
    ),
    Case(
        "G NV: card draw pending",
        NV_2020,
        8,
        40,
        ADAIR,
        6,
        {"Biden": 1, "Buttigieg": 1, "Klobuchar": 1, "Sanders": 2, "Warren": 2},
        pending=tie("Buttigieg", "Klobuchar"),
    ),
    Case("H 2-delegate precinct", IA_2020, 2, 20, {"A": 13, "B": 7}, 5, {"A": 1, "B": 1}),
    Case(
        "I exact .5 (Marietta/Washington)",
        IA_2020,
        2,
        20,
        {"Biden": 5, "Buttigieg": 15},
        5,
        {"Biden": 1, "Buttigieg": 1},
        removes=("Buttigieg",),
    ),
    Case(
        "J NV Principle 3 Ex. B",
        NV_2020,
        10,
        75,
        {"D": 23, "E": 27},
        12,
        {"D": 5, "E": 5},
        adds=("D", "E", "D"),
    ),
    Case(
        "J Iowa reading",
        IA_2020,
        10,
        75,
        {"D": 23, "E": 27},
        12,
        {"D": 5, "E": 5},
        adds=("D", "E", "D"),
    ),
    Case(
        "K NV Principle 2 Ex. A: 5 awarded",
        NV_2020,
        4,
        76,
        NV_P2,
        12,
        {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1},
    ),
    Case(
        "K IA default: one of the four loses, by lot",
        IA_2020,
        4,
        76,
        NV_P2,
        12,
        {"E": 1},
        pending=tie("A", "B", "C", "D"),
    ),
    Case(
        "K IA default after the toss (A, B, C keep)",
        IA_2020,
        4,
        76,
        NV_P2,
        12,
        {"A": 1, "B": 1, "C": 1, "E": 1},
        toss_winners=("A", "B", "C"),
    ),
    Case(
        "K IA 2020 app (all-realign option)",
        IA_ALL_REALIGN,
        4,
        76,
        NV_P2,
        12,
        {"E": 1},
        must_realign=frozenset("ABCD"),
    ),
    Case(
        "§5.5 Iowa Falls: toss pending",
        IA_2020,
        12,
        62,
        IOWA_FALLS,
        10,
        {"Klobuchar": 3, "Warren": 3, "Buttigieg": 3, "Biden": 2},
        pending=tie("Klobuchar", "Warren"),
    ),
    Case(
        "§5.5 Iowa Falls: Klobuchar won the toss",
        IA_2020,
        12,
        62,
        IOWA_FALLS,
        10,
        {"Klobuchar": 4, "Warren": 3, "Buttigieg": 3, "Biden": 2},
        toss_winners=("Klobuchar",),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_worked_case(case: Case) -> None:
    result = compute_precinct(
        case.rules, PrecinctInput(case.d, case.n, case.final, toss_winners=case.toss_winners)
    )
    assert result.threshold == case.threshold
    assert dict(result.delegates) == case.delegates
    if case.pending is None:
        assert result.pending_tie is None
    else:
        assert result.pending_tie is not None
        groups, delegates, action = case.pending
        assert set(result.pending_tie.groups) == groups
        assert result.pending_tie.delegates == delegates
        assert result.pending_tie.action == action
        assert result.pending_tie.method == case.rules.tie_method.value
    assert set(result.must_realign) == case.must_realign
    assert result.complete == (case.pending is None and not case.must_realign)
    if case.adds is not None:
        assert tuple(s.group for s in result.log if s.action == "add") == case.adds
    if case.removes is not None:
        assert tuple(s.group for s in result.log if s.action == "remove") == case.removes
    if case.toss_winners:
        assert [list(t.winners) for t in result.ties] == [sorted(case.toss_winners)]


def test_case_a_worksheet_shows_the_spec_decimals() -> None:
    """§5.8 A: raw 1.40/1.26/1.89/1.33/1.12, rounded total 6."""
    result = compute_precinct(IA_2016, PrecinctInput(7, 100, ALPHA))
    raw = {line.name: line.raw for line in result.lines}
    assert {g: decimal_str(v, 2) for g, v in raw.items() if v is not None} == {
        "A": "1.40",
        "B": "1.26",
        "C": "1.89",
        "D": "1.33",
        "E": "1.12",
    }
    assert sum(line.rounded or 0 for line in result.lines) == 6


def test_case_k_nevada_awards_more_than_d() -> None:
    result = compute_precinct(NV_2020, PrecinctInput(4, 76, NV_P2))
    assert result.awarded == 5
    assert result.complete
    assert any("Principle 2" in note for note in result.notes)


def test_rulesets_by_name() -> None:
    assert get_ruleset("ia-2016") is IA_2016
    assert get_ruleset("nv-2020").tie_method.value == "card draw"
