"""Hypothesis properties of the precinct computation (issue 3, point 6).

* delegates add up to D when no tie is pending and (Iowa) there are no more viable groups than D;
* every viable group gets at least one delegate (when viable groups <= D);
* the §5.7 algorithm equals the literal round-then-adjust text of §5.1–§5.3 (tests/core/literal.py);
* the result does not depend on the order or the names of the groups;
* thresholds are exact for N up to 100,000.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from caucuskit.core import (
    IA_2016,
    IA_2020,
    NV_2020,
    OvershootRule,
    PrecinctInput,
    PrecinctResult,
    RuleSet,
    compute_precinct,
    viability_threshold,
)

from .literal import literal_allocate

RULESETS = st.sampled_from([IA_2016, IA_2020, NV_2020])
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def precincts(draw: st.DrawFn, min_d: int = 2, max_n: int = 400) -> tuple[int, int, dict[str, int]]:
    """(D, N, final alignment). Small N makes decimal ties common; usually everyone stays in a
    group, sometimes a few or many people leave or sit in groups that end non-viable."""
    d = draw(st.integers(min_d, 30))
    n = draw(st.one_of(st.integers(1, 40), st.integers(1, max_n)))
    k = draw(st.integers(1, 7))
    left = draw(st.one_of(st.just(0), st.integers(0, n // 5), st.integers(0, n)))
    # Either any mix of sizes, or groups of similar size (all viable: excess after rounding).
    sizes = draw(st.sampled_from([st.integers(0, 12), st.integers(6, 12)]))
    weights = draw(st.lists(sizes, min_size=k, max_size=k))
    total = sum(weights) or 1
    counts = [w * (n - left) // total for w in weights]
    counts[0] += (n - left) - sum(counts) if sum(weights) else 0
    names = [f"G{i}" for i in range(k)]
    return d, n, dict(zip(names, counts, strict=True))


def settle(
    rules: RuleSet, data: PrecinctInput, pick: Callable[[st.SearchStrategy[list[str]]], list[str]]
) -> tuple[PrecinctResult, tuple[str, ...]]:
    """Run, and while a game of chance is pending, draw its outcome and run again."""
    winners: tuple[str, ...] = data.toss_winners
    for _ in range(10):
        result = compute_precinct(
            rules, PrecinctInput(data.delegates, data.attendees, data.final, data.first, winners)
        )
        tie = result.pending_tie
        if tie is None:
            return result, winners
        chosen = pick(st.permutations(list(tie.groups)))[: tie.winners_needed]
        winners = (*winners, *chosen)
    raise AssertionError("ties never settled")


@SETTINGS
@given(RULESETS, precincts())
def test_delegates_add_up_and_every_viable_group_gets_one(
    rules: RuleSet, precinct: tuple[int, int, dict[str, int]]
) -> None:
    d, n, final = precinct
    result = compute_precinct(rules, PrecinctInput(d, n, final))
    viable = result.viable
    assert set(result.delegates) <= set(viable)
    assert all(v >= 1 for v in result.delegates.values())
    if not viable:
        assert result.undecided and dict(result.delegates) == {}
        return
    if result.pending_tie is None:
        if len(viable) <= d:
            assert result.awarded == d
        elif rules.overshoot is OvershootRule.AWARD_EXTRA:
            assert result.awarded == len(viable)  # Nevada Principle 2
        else:
            assert result.awarded == d
    else:
        tie = result.pending_tie
        # What is decided plus what the tie settles is exactly D (or Nevada's extra).
        gained = tie.delegates if tie.action == "gain" else len(tie.groups) - tie.delegates
        assert (
            result.awarded + gained == max(d, len(viable))
            if rules.overshoot is OvershootRule.AWARD_EXTRA
            else result.awarded + gained == d
        )
    if len(viable) <= d:
        assert set(result.delegates) == set(viable) or result.pending_tie is not None
        for g in viable:
            assert result.delegates.get(g, 0) >= 1


@SETTINGS
@given(RULESETS, precincts(), st.data())
def test_after_every_toss_the_precinct_is_complete(
    rules: RuleSet, precinct: tuple[int, int, dict[str, int]], data: st.DataObject
) -> None:
    d, n, final = precinct
    result, _ = settle(rules, PrecinctInput(d, n, final), data.draw)
    if result.viable:
        assert result.complete
        expected = max(d, len(result.viable)) if rules.overshoot is OvershootRule.AWARD_EXTRA else d
        assert result.awarded == expected
        if len(result.viable) <= d:
            assert set(result.delegates) == set(result.viable)


@settings(SETTINGS, max_examples=1500)
@given(RULESETS, precincts(), st.data())
def test_reference_algorithm_equals_the_literal_rules(
    rules: RuleSet, precinct: tuple[int, int, dict[str, int]], data: st.DataObject
) -> None:
    """§5.7 vs the literal §5.1–§5.3 text: same delegates, same pending tie, same toss outcomes."""
    d, n, final = precinct
    nevada = rules.overshoot is OvershootRule.AWARD_EXTRA
    first = compute_precinct(rules, PrecinctInput(d, n, final))
    literal = literal_allocate(d, n, final, nevada=nevada)
    event("tie pending" if literal.pending else "no tie")
    event(
        f"{len(first.viable)} viable of D={d}: "
        + ("more viable than D" if len(first.viable) > d else "viable <= D")
    )
    if any(s.action == "add" for s in first.log):
        event("shortfall filled")
    if any(s.action == "remove" for s in first.log):
        event("excess removed")
    assert (first.pending_tie is not None) == literal.pending
    if not literal.pending:
        assert dict(first.delegates) == literal.delegates
    settled, winners = settle(rules, PrecinctInput(d, n, final), data.draw)
    literal = literal_allocate(d, n, final, nevada=nevada, winners=list(winners))
    assert not literal.pending
    assert literal.tosses_used == len(winners)
    assert dict(settled.delegates) == literal.delegates


@SETTINGS
@given(RULESETS, precincts(min_d=0), st.data())
def test_order_and_names_of_groups_do_not_matter(
    rules: RuleSet, precinct: tuple[int, int, dict[str, int]], data: st.DataObject
) -> None:
    d, n, final = precinct
    order = data.draw(st.permutations(list(final)))
    new_names = data.draw(
        st.lists(
            st.text("abcxyzÅé -", min_size=1, max_size=6).map(str.strip).filter(bool),
            min_size=len(final),
            max_size=len(final),
            unique=True,
        )
    )
    rename = dict(zip(order, new_names, strict=True))
    back = {v: k for k, v in rename.items()}
    moved = {rename[g]: final[g] for g in order}

    one = compute_precinct(rules, PrecinctInput(d, n, final))
    two = compute_precinct(rules, PrecinctInput(d, n, moved))
    assert {back[g]: v for g, v in two.delegates.items()} == dict(one.delegates)
    assert {back[g] for g in two.viable} == set(one.viable)
    assert {back[g] for g in two.must_realign} == set(one.must_realign)
    assert two.threshold == one.threshold
    assert (one.pending_tie is None) == (two.pending_tie is None)
    if one.pending_tie is not None and two.pending_tie is not None:
        assert {back[g] for g in two.pending_tie.groups} == set(one.pending_tie.groups)
        assert two.pending_tie.delegates == one.pending_tie.delegates
        assert two.pending_tie.action == one.pending_tie.action
        # The same recorded outcome, under the new names, gives the same answer.
        settled, winners = settle(rules, PrecinctInput(d, n, final), data.draw)
        renamed = tuple(rename[w] for w in winners)
        again = compute_precinct(rules, PrecinctInput(d, n, moved, toss_winners=renamed))
        assert {back[g]: v for g, v in again.delegates.items()} == dict(settled.delegates)


FRACTIONS = {2: (1, 4), 3: (1, 6), 4: (3, 20)}


def test_thresholds_exact_for_every_n_up_to_100000() -> None:
    """ceil(fraction x N) against integer-only arithmetic, every N from 1 to 100,000."""
    for d, (p, q) in FRACTIONS.items():
        for n in range(1, 100_001):
            assert viability_threshold(IA_2020, d, n) == -(-p * n // q), (d, n)


@settings(max_examples=500, deadline=None)
@given(st.integers(2, 5000), st.integers(1, 100_000), RULESETS)
def test_threshold_is_the_smallest_viable_head_count(d: int, n: int, rules: RuleSet) -> None:
    t = viability_threshold(rules, d, n)
    fraction = rules.threshold_fraction(d)
    assert t is not None and fraction is not None
    assert Fraction(t, n) >= fraction > Fraction(t - 1, n)
