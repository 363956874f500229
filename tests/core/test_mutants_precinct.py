"""The precinct allocation's edges and its worksheet, pinned (issue 16 item 7, mutants).

Rule: rules.md §5.1 (rounding, "up / down / exactly"), §5.2 (too few: the closest gains, a
tie for it is a game of chance), §5.3 and §5.7 step 5.2 (too many with no group above one:
Iowa zeroes the smallest groups, tied ones only by a toss when they outnumber the excess;
Nevada awards the extra delegates), §5.4.
"""

from __future__ import annotations

from caucuskit.core.model import PrecinctInput
from caucuskit.core.precinct import compute_precinct, worksheet_steps
from caucuskit.core.rounding import ratio_str, units_str
from caucuskit.core.rules import OvershootTies, get_ruleset
from caucuskit.core.steps import Add, Extra, Note, Round, Tie, Total

IA = get_ruleset("ia-2020")
NV = get_ruleset("nv-2020")


def test_smallest_groups_tied_exactly_as_many_as_the_excess_all_go_without_a_toss() -> None:
    """Guards ``len(tied) > excess`` (§5.4: a toss only when the tied set is larger than the
    delegates to take). D=3, N=30: A5 B5 C6 D6 E8 all round to 1 (5 for 3): A and B, the
    smallest, are exactly the excess of 2, so both give theirs up; no toss is pending."""
    r = compute_precinct(IA, PrecinctInput(3, 30, {"A": 5, "B": 5, "C": 6, "D": 6, "E": 8}))
    assert dict(r.delegates) == {"C": 1, "D": 1, "E": 1}
    assert r.pending_tie is None and not r.ties


def test_zeroing_the_smallest_continues_until_the_excess_is_gone() -> None:
    """Guards the loop over §5.7 step 5.2: D=3, N=60, five viable groups of 10..14, one each
    (5 for 3): the smallest loses, then the next smallest, until three remain."""
    r = compute_precinct(IA, PrecinctInput(3, 60, {"A": 10, "B": 11, "C": 12, "D": 13, "E": 14}))
    assert dict(r.delegates) == {"C": 1, "D": 1, "E": 1}


def test_rounding_lines_say_up_down_or_exactly() -> None:
    """§5.8 A (D=7, N=100): the worksheet's rounding lines, the total and the added delegate;
    and a share that is a whole number rounds "exactly"."""
    steps = worksheet_steps(
        IA, PrecinctInput(7, 100, {"A": 20, "B": 18, "C": 27, "D": 19, "E": 16})
    )
    rounds = [s for s in steps if isinstance(s, Round)]
    assert rounds == [
        Round("A", 20, 7, 100, "7/5", "1.4000", "down", 1, False),
        Round("B", 18, 7, 100, "63/50", "1.2600", "down", 1, False),
        Round("C", 27, 7, 100, "189/100", "1.8900", "up", 2, False),
        Round("D", 19, 7, 100, "133/100", "1.3300", "down", 1, False),
        Round("E", 16, 7, 100, "28/25", "1.1200", "down", 1, False),
    ]
    assert Total(6, 7) in steps
    assert Add("A", 2, "0.4000", 1) in steps
    exact = worksheet_steps(IA, PrecinctInput(2, 20, {"A": 10, "B": 10}))
    assert [s.direction for s in exact if isinstance(s, Round)] == ["exactly", "exactly"]


def test_tie_lines_name_their_basis() -> None:
    """A shortfall tie is for the group "closest" to its next delegate (§5.2); an overshoot
    tie among groups of one is for the "smallest" (§5.7 step 5.2, §5.8 E)."""
    gain = worksheet_steps(IA, PrecinctInput(5, 40, {"A": 10, "B": 10, "C": 12}))
    lose = worksheet_steps(IA, PrecinctInput(2, 19, {"Biden": 6, "Butt": 7, "Sand": 6}))
    tie_gain = [s for s in gain if isinstance(s, Tie)]
    tie_lose = [s for s in lose if isinstance(s, Tie)]
    assert [(t.groups, t.change, t.basis) for t in tie_gain] == [(("A", "B"), "gain", "closest")]
    assert [(t.groups, t.change, t.basis) for t in tie_lose] == [
        (("Biden", "Sand"), "lose", "smallest")
    ]


def test_nevada_extra_delegates_are_stated() -> None:
    """§5.8 K: five viable groups for four delegates: the step and the note say 5 of 4."""
    data = PrecinctInput(4, 76, {"A": 13, "B": 13, "C": 13, "D": 13, "E": 24})
    assert Extra(5, 4, 5) in worksheet_steps(NV, data)
    assert compute_precinct(NV, data).notes == (
        "5 viable groups for 4 delegates: every viable group keeps its delegate and the "
        "precinct awards 5 (rules.md §5.7 step 5, Nevada Principle 2)",
    )


def test_all_realign_option_waits_for_the_new_alignment() -> None:
    """rules.md §10, Q8 (option all-realign): §5.8 E's tied smallest groups both realign; the
    delegate they leave waits for the new final alignment, and the chair is told so."""
    rules = IA.with_options(overshoot_ties=OvershootTies.ALL_REALIGN)
    data = PrecinctInput(2, 19, {"Biden": 6, "Butt": 7, "Sand": 6})
    r = compute_precinct(rules, data)
    assert dict(r.delegates) == {"Butt": 1}
    assert r.notes == (
        "Biden, Sand must realign; 1 delegate(s) wait for the new final alignment "
        "(IDP 2020 app behaviour, rules.md §10, Q8).",
    )
    assert Note("realign-wait", ("Biden", "Sand"), 1) in worksheet_steps(rules, data)


def test_decimal_and_ratio_strings() -> None:
    """The exact strings the worksheet and exports print (never used as values)."""
    assert units_str(16000, 4) == "1.6000"
    assert units_str(12, 1) == "1.2"
    assert units_str(7, 0) == "7"
    assert units_str(0, 2) == "0.00"
    assert units_str(-5, 2) == "-0.05"
    assert ratio_str(24, 10) == "12/5"
    assert ratio_str(6, 3) == "2"
    assert ratio_str(-4, 6) == "-2/3"
