"""Early ranked ballots (issue 13; rules.md §4 NV, §11 Q9): hand-worked cases and properties."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caucuskit.core.early import EarlyBallot, early_checksum, tally_early, void_reason
from caucuskit.core.errors import ValidationError
from caucuskit.core.nevada import NevadaInput, compute_nevada
from caucuskit.core.rules import IA_2020, NV_2020, EarlyDuplicates, EarlyRealign


def B(*choices: str) -> EarlyBallot:
    return EarlyBallot(tuple(choices))


# ------------------------------------------------------------------ void rules


@pytest.mark.parametrize(
    ("choices", "reason"),
    [
        (("A", "B", "C"), None),
        (("A", "B", "C", "D", "E"), None),
        (("A", "A", "A"), None),  # duplicates allowed, and they count as choices
        (("A", "B"), "fewer than 3 choices"),
        ((), "fewer than 3 choices"),
        (("A", "B", "C", "D", "E", "A"), "more than 5 choices"),
    ],
)
def test_void_rules_as_announced(choices: tuple[str, ...], reason: str | None) -> None:
    assert void_reason(NV_2020, EarlyBallot(choices)) == reason


def test_duplicate_options() -> None:
    distinct = NV_2020.with_options(early_duplicates=EarlyDuplicates.DISTINCT)
    assert void_reason(distinct, B("A", "A", "B")) == "fewer than 3 different candidates"
    assert void_reason(distinct, B("A", "A", "B", "C")) is None
    void = NV_2020.with_options(early_duplicates=EarlyDuplicates.VOID)
    assert void_reason(void, B("A", "B", "A")) == "a candidate ranked more than once"
    assert void_reason(NV_2020.with_options(early_min_choices=1), B("A")) is None


def test_options_from_json_values() -> None:
    rules = NV_2020.with_option_values({"early_realign": "after-first", "early-min-choices": 2})
    assert rules.early_realign is EarlyRealign.AFTER_FIRST and rules.early_min_choices == 2
    with pytest.raises(ValidationError) as err:
        NV_2020.with_option_values({"early_realign": "later"})
    assert err.value.problems[0].field == "options.early_realign"


def test_iowa_has_no_early_voting() -> None:
    with pytest.raises(ValidationError) as err:
        tally_early(IA_2020, 4, 10, {"A": 10}, {"A": 10}, [B("A", "B", "C")])
    assert err.value.problems[0].field == "early"


def test_unknown_candidate_is_refused_by_field() -> None:
    with pytest.raises(ValidationError) as err:
        tally_early(NV_2020, 4, 10, {}, {}, [B("A", "Zed", "B")], frozenset({"A", "B"}))
    assert err.value.problems[0].field == "early[0].choices[1]"


# ------------------------------------------------------------------ hand-worked cases


def test_hand_worked_precinct() -> None:
    """D=4; 20 in person; 4 early ballots, one void (two choices).

    N = 20 + 3 = 23, threshold ceil(0.15 x 23) = 4.
    First: A 7+1, B 6, C 3+1, X 1+1 -> A, B, C viable (X has 2).
    In person, X's voter joins A: final A 8, B 6, C 3.
    After in-person realignment with early first choices: A 9, B 6, C 4, X 1 -> X not viable.
    The X>A>B ballot moves to A. Final: A 10, B 6, C 4.
    Raw: A 10x4/23 = 1.739 -> 2, B 1.043 -> 1, C 0.696 -> 1; total 4.
    """
    nv = compute_nevada(NV_2020, NevadaInput(
        delegates=4, attendees=20, first={"A": 7, "B": 6, "C": 3, "X": 1},
        final={"A": 8, "B": 6, "C": 3},
        early=(B("A", "B", "C"), B("C", "C", "C"), B("X", "A", "B"), B("A", "B")),
    ))  # fmt: skip
    t = nv.early
    assert (t.ballots, t.valid, t.void, t.exhausted) == (4, 3, 1, 0)
    assert dict(t.first) == {"A": 1, "C": 1, "X": 1}
    assert dict(t.final) == {"A": 2, "C": 1}
    assert t.lost == {"X": 1} and t.gained == {"A": 1}
    r = nv.result
    assert r.attendees == 23 and r.threshold == 4
    assert {ln.name: (ln.first, ln.final) for ln in r.lines} == {
        "A": (8, 10),
        "B": (6, 6),
        "C": (4, 4),
        "X": (2, 0),
    }
    assert dict(r.delegates) == {"A": 2, "B": 1, "C": 1}
    assert nv.early.to_dict()["void_reasons"] == {"fewer than 3 choices": 1}


def test_exhausted_ballot_counts_for_no_group_but_stays_in_n() -> None:
    # D=2, threshold 25%. 8 in person all for A; 2 early ballots rank only non-viable groups.
    nv = compute_nevada(NV_2020, NevadaInput(
        delegates=2, attendees=8, first={"A": 8}, final={"A": 8},
        early=(B("Y", "Z", "Y"), B("Z", "Y", "Z")),
    ))  # fmt: skip
    assert nv.early.exhausted == 2
    assert nv.result.attendees == 10 and nv.result.threshold == 3
    assert dict(nv.result.delegates) == {"A": 2}


def test_realignment_reading_and_the_after_first_option_differ() -> None:
    """A group that becomes viable only in the in-person realignment (Q9 options differ).

    D=4, N = 17 in person + 3 early = 20, threshold 3. First: A 10+1, B 5, C 1+1, D 1+1:
    C and D are not viable. In person the D voter joins C, so C has 2 in person plus 1 early
    first choice = 3: viable after the realignment. Default reading: C>B>A stays with C and
    D>C>A moves to C. Option after-first: only A and B count, so C>B>A goes to B, D>C>A to A.
    """
    data = NevadaInput(
        delegates=4, attendees=17, first={"A": 10, "B": 5, "C": 1, "D": 1},
        final={"A": 10, "B": 5, "C": 2},
        early=(B("C", "B", "A"), B("A", "B", "C"), B("D", "C", "A")),
    )  # fmt: skip
    nv = compute_nevada(NV_2020, data)
    assert dict(nv.early.final) == {"A": 1, "C": 2}  # C>B>A stays with C; D>C>A moves to C
    after_first = NV_2020.with_options(early_realign=EarlyRealign.AFTER_FIRST)
    nv2 = compute_nevada(after_first, data)
    assert dict(nv2.early.final) == {"A": 2, "B": 1}


def test_one_delegate_precinct_keeps_first_choices() -> None:
    nv = compute_nevada(NV_2020, NevadaInput(
        delegates=1, attendees=3, first={"A": 2, "B": 1}, final={"A": 2, "B": 1},
        early=(B("B", "A", "A"), B("B", "A", "A")),
    ))  # fmt: skip
    assert dict(nv.early.final) == {"B": 2}
    assert dict(nv.result.delegates) == {"B": 1}


def test_checksum_confirmation() -> None:
    ballots = (B("A", "B", "C"), B("B", "C", "A"))
    good = early_checksum(ballots)
    assert good == early_checksum(tuple(reversed(ballots)))
    data = NevadaInput(
        delegates=2,
        attendees=4,
        first={"A": 4},
        final={"A": 4},
        early=ballots,
        confirmed=(2, good.upper()),
    )
    compute_nevada(NV_2020, data)
    bad = NevadaInput(
        delegates=2,
        attendees=4,
        first={"A": 4},
        final={"A": 4},
        early=ballots,
        confirmed=(3, "0000-0000-0000"),
    )
    with pytest.raises(ValidationError) as err:
        compute_nevada(NV_2020, bad)
    assert {p.field for p in err.value.problems} == {"early_count", "early_checksum"}


# ------------------------------------------------------------------ properties

NAMES = ("A", "B", "C", "D", "E")
ballot_st = st.lists(st.sampled_from(NAMES), min_size=0, max_size=7).map(
    lambda xs: EarlyBallot(tuple(xs))
)


@st.composite
def precinct_st(
    draw: st.DrawFn,
) -> tuple[int, int, dict[str, int], dict[str, int], list[EarlyBallot]]:
    d = draw(st.integers(0, 12))
    first = {g: draw(st.integers(0, 15)) for g in NAMES}
    # a plausible in-person final: viable-or-not does not matter for the tally itself
    final = {g: draw(st.integers(0, first[g] + 5)) for g in NAMES}
    n = sum(first.values()) + draw(st.integers(0, 5))
    ballots = draw(st.lists(ballot_st, max_size=30))
    return d, n, first, final, ballots


@settings(max_examples=300, deadline=None)
@given(precinct_st(), st.sampled_from(list(EarlyRealign)), st.sampled_from(list(EarlyDuplicates)))
def test_every_valid_ballot_counts_once_first_and_at_most_once_final(
    case: tuple[int, int, dict[str, int], dict[str, int], list[EarlyBallot]],
    realign: EarlyRealign,
    dupes: EarlyDuplicates,
) -> None:
    d, n, first, final, ballots = case
    rules = NV_2020.with_options(early_realign=realign, early_duplicates=dupes)
    t = tally_early(rules, d, n, first, final, ballots)
    valid = [b for b in ballots if void_reason(rules, b) is None]
    assert t.valid == len(valid) == sum(t.first.values())
    assert sum(t.final.values()) + t.exhausted == t.valid
    assert len(t.fates) == len(ballots)
    for f, b in zip(t.fates, ballots, strict=True):
        if f.void is None:
            assert f.first == b.choices[0]
            assert f.final is None or f.final in b.choices
        else:
            assert f.first is None and f.final is None
    # a ballot that moves never goes to a lower choice than one it could have kept
    assert sum(t.gained.values()) == sum(t.lost.values()) - t.exhausted


@settings(max_examples=200, deadline=None)
@given(precinct_st(), st.randoms(use_true_random=False))
def test_order_independence(
    case: tuple[int, int, dict[str, int], dict[str, int], list[EarlyBallot]], rnd: random.Random
) -> None:
    d, n, first, final, ballots = case
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    a = tally_early(NV_2020, d, n, first, final, ballots)
    b = tally_early(NV_2020, d, n, first, final, shuffled)
    assert (dict(a.first), dict(a.final), a.exhausted, a.checksum) == (
        dict(b.first),
        dict(b.final),
        b.exhausted,
        b.checksum,
    )


@settings(max_examples=200, deadline=None)
@given(precinct_st())
def test_moved_ballots_land_on_groups_viable_in_the_combined_final(
    case: tuple[int, int, dict[str, int], dict[str, int], list[EarlyBallot]],
) -> None:
    d, n, first, final, ballots = case
    t = tally_early(NV_2020, d, n, first, final, ballots)
    if d < 2:
        return
    from caucuskit.core.viability import viability_threshold

    threshold = viability_threshold(NV_2020, d, n + t.valid)
    assert threshold is not None
    for f in t.fates:
        if f.moved and f.final is not None:
            assert final.get(f.final, 0) + t.final[f.final] >= threshold
