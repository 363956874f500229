"""The integer core decides exactly as the earlier Fraction implementation (issue 11 item 4).

tests/core/reference.py is the precinct core as it was before the integer fast path: Fraction
arithmetic, the worksheet written as prose while computing. For random precincts (every ruleset
and option, ties pending and settled, wrong toss outcomes, invalid inputs) the new core must give
the same validation problems, or the same result: delegates, pending tie, recorded ties, notes,
group lines, and every logged decision word for word (the typed steps rendered by
``caucuskit.core.wording``). The decisions made without a worksheet must also equal those made
while writing one.

CI runs a few thousand cases. For millions (about 10 minutes per million on this machine):

    CAUCUS_EQUIVALENCE_CASES=1000000 .venv/bin/python -m pytest -q \
        tests/core/test_fastpath_equivalence.py -k sweep
    CAUCUS_EQUIVALENCE_PROFILE=millions .venv/bin/python -m pytest -q \
        tests/core/test_fastpath_equivalence.py -k hypothesis

Rule: rules.md §3-§5.7 (via both implementations).
"""

from __future__ import annotations

import os
import random
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caucuskit.core import (
    IA_2016,
    IA_2020,
    NV_2020,
    OneDelegateRule,
    OvershootTies,
    PrecinctInput,
    RuleSet,
    ValidationError,
    compute_precinct,
)
from caucuskit.core.precinct import decide

from . import reference

settings.register_profile(
    "ci", max_examples=300, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile(
    "millions", max_examples=1_000_000, deadline=None, suppress_health_check=list(HealthCheck)
)
PROFILE = settings.get_profile(os.environ.get("CAUCUS_EQUIVALENCE_PROFILE", "ci"))
SWEEP = int(os.environ.get("CAUCUS_EQUIVALENCE_CASES", "4000"))
NAMES = ("Biden", "Buttigieg", "Klobuchar", "Sanders", "Warren", "Yang", "Émile", "a b")


def random_rules(rng: random.Random) -> RuleSet:
    rules = rng.choice((IA_2016, IA_2020, NV_2020))
    changes: dict[str, object] = {}
    if rng.random() < 0.2:
        changes["overshoot_ties"] = OvershootTies.ALL_REALIGN
    if rng.random() < 0.15:
        changes["one_delegate"] = rng.choice(list(OneDelegateRule))
    if rng.random() < 0.15:
        changes["protect_only_delegate"] = False
    if rng.random() < 0.15:
        changes["first_viability_sticks"] = True
    if rng.random() < 0.1:
        changes["tie_places"] = rng.randint(0, 6)
    return rules.with_options(**changes) if changes else rules


def _counts(rng: random.Random, groups: list[str], n: int) -> dict[str, int]:
    if rng.random() < 0.3:  # equal groups: ties at every step
        return dict.fromkeys(groups, rng.randint(0, max(1, n // len(groups))))
    out, left = {}, n
    for g in groups:
        if rng.random() < 0.5:
            k = rng.randint(0, max(left, 0))
        else:
            k = rng.randint(0, max(1, n // len(groups)))
        out[g] = k
        left -= k
    return out


def random_case(rng: random.Random) -> tuple[RuleSet, PrecinctInput]:
    """Rules and an input; toss winners chosen for some of the ties the reference finds."""
    rules = random_rules(rng)
    groups = rng.sample(NAMES, rng.randint(1, 8))
    d = rng.choice((0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, rng.randint(2, 60)))
    big = rng.random() < 0.1
    first = _counts(rng, groups, rng.randint(1, 100_000 if big else 120))
    n = max(1, sum(first.values()) + (rng.randint(0, 6) if rng.random() < 0.5 else 0))
    final = dict(first)
    if rng.random() < 0.6:
        for g in groups:
            if rng.random() < 0.3:
                moved, final[g] = final[g], 0
                final[rng.choice(groups)] += rng.randint(0, max(moved, 0))
    if rng.random() < 0.03:
        final[groups[0]] = rng.choice((-1, True, 2.5))  # type: ignore[assignment]
    data = PrecinctInput(d, n, final, first if rng.random() < 0.7 else None)
    winners: list[str] = []
    for _ in range(5):
        try:
            ref = reference.compute_precinct(rules, data)
        except ValidationError:
            break
        tie = ref.pending_tie
        if tie is None or rng.random() < 0.3:
            break
        picks = rng.sample(list(tie.groups), tie.winners_needed)
        if rng.random() < 0.03:
            picks = [rng.choice(("Nobody", *tie.groups))] * max(1, len(picks))
        winners += picks
        data = PrecinctInput(d, n, final, data.first, tuple(winners))
    if rng.random() < 0.02:
        data = PrecinctInput(d, n, final, data.first, (*winners, rng.choice(groups)))
    return rules, data


def _legacy(doc: dict[str, Any]) -> dict[str, Any]:
    """The new JSON with each step cut back to the reference's keys (action, group, text)."""
    out = dict(doc)
    out["log"] = [{k: s[k] for k in ("action", "group", "text")} for s in doc["log"]]
    return out


def check_same(rules: RuleSet, data: PrecinctInput) -> None:
    try:
        expected = reference.compute_precinct(rules, data)
    except ValidationError as err:
        try:
            compute_precinct(rules, data)
        except ValidationError as got:
            assert got.problems == err.problems
            return
        raise AssertionError(f"the reference refuses {data}: {err}") from None
    fast = compute_precinct(rules, data)
    # Decisions before any worksheet is built, then the replay with the worksheet.
    slow = decide(rules, data, [])
    assert fast.to_dict(worksheet=False) == slow.to_dict(worksheet=False)
    eager = compute_precinct(rules, data, worksheet=True)
    assert eager.to_dict() == fast.to_dict()
    assert fast.delegates == expected.delegates
    assert fast.pending_tie == _tie(expected.pending_tie)
    assert _legacy(fast.to_dict()) == expected.to_dict()
    assert [line.raw for line in fast.lines] == [line.raw for line in expected.lines]


def _tie(tie: Any) -> Any:
    if tie is None:
        return None
    from caucuskit.core.model import PendingTie

    return PendingTie(tie.groups, tie.delegates, tie.action, tie.method, tie.reason)


def test_sweep_of_random_precincts_matches_the_reference() -> None:
    rng = random.Random(20200203)
    for _ in range(SWEEP):
        rules, data = random_case(rng)
        check_same(rules, data)


@PROFILE
@given(st.randoms(use_true_random=False))
def test_hypothesis_cases_match_the_reference(rng: random.Random) -> None:
    rules, data = random_case(rng)
    check_same(rules, data)


def test_the_cases_reach_every_kind_of_step() -> None:
    """The generator is not vacuous: the sweep meets every step kind and outcome."""
    rng = random.Random(1)
    kinds: set[str] = set()
    refused = pending = settled = 0
    for _ in range(1500):
        rules, data = random_case(rng)
        try:
            result = compute_precinct(rules, data)
        except ValidationError:
            refused += 1
            continue
        pending += result.pending_tie is not None
        settled += bool(result.ties)
        kinds |= {s.kind for s in result.log}
        kinds |= {f"note:{s.why}" for s in result.log if s.kind == "note"}  # type: ignore[attr-defined]
    assert refused > 20 and pending > 20 and settled > 20, (refused, pending, settled)
    expected = {
        "threshold",
        "viable",
        "stays-viable",
        "one-delegate",
        "round",
        "total",
        "add",
        "remove",
        "zero",
        "tie",
        "toss",
        "extra",
        "award",
        "note",
        "note:no-delegates",
        "note:nobody",
        "note:none-viable",
        "note:realign-wait",
    }
    assert expected <= kinds, expected - kinds


def test_group_rows_in_integers_equal_the_group_lines() -> None:
    rng = random.Random(7)
    for _ in range(800):
        rules, data = random_case(rng)
        try:
            result = compute_precinct(rules, data)
        except ValidationError:
            continue
        assert result.to_dict()["groups"] == [line.to_dict() for line in result.lines]


def test_the_quick_check_says_yes_only_to_inputs_the_full_checks_accept() -> None:
    """``quickcheck.plainly_valid`` may only skip ``checks.validate_input`` when it would pass."""
    from caucuskit.core.checks import validate_input
    from caucuskit.core.quickcheck import plainly_valid

    rng = random.Random(11)
    yes = refused = 0
    for _ in range(SWEEP):
        rules, data = random_case(rng)
        known = frozenset(rng.sample(NAMES, 6)) if rng.random() < 0.3 else None
        if rng.random() < 0.05:
            data = PrecinctInput(data.delegates, data.attendees, {" a": 1, "": 2, "b ": 1})
        if plainly_valid(rules, data, known):
            yes += 1
            validate_input(rules, data, known)  # must not raise
        else:
            try:
                validate_input(rules, data, known)
            except ValidationError:
                refused += 1
    assert yes > SWEEP // 3 and refused > SWEEP // 20, (yes, refused)
