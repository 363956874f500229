"""A quick yes to the common, well-formed precinct input; anything else goes to the full checks.

Rule: rules.md §3.2 (N is the opening head count), §4 (realignment), the same rules as
:mod:`caucuskit.core.checks`, which stays the one place that says what is wrong.

Inputs: a ruleset, a :class:`PrecinctInput`, the election's groups (or None).
Outputs: True only when :func:`caucuskit.core.checks.validate_input` would find no problem
(plain ``int`` counts in range, plain ``dict`` alignments with clean text names, totals within
N, known groups, toss winners named; the §4 realignment checks are those of ``checks``). False
means "not sure": the caller runs the full checks, which name every problem.
tests/core/test_fastpath_equivalence.py checks the promise on random valid and invalid inputs.
"""

from __future__ import annotations

from collections.abc import Mapping

from caucuskit.core.checks import MAX_DELEGATES, MAX_PEOPLE, realignment_problems
from caucuskit.core.model import PrecinctInput
from caucuskit.core.rules import Realignment, RuleSet


def _clean(counts: Mapping[str, int], attendees: int, known: frozenset[str] | None) -> bool:
    if type(counts) is not dict:
        return False
    total = 0
    for group, value in counts.items():
        if type(group) is not str or not group or group != group.strip():
            return False
        if type(value) is not int or not 0 <= value <= MAX_PEOPLE:
            return False
        total += value
    if total > attendees:
        return False
    return known is None or counts.keys() <= known


def plainly_valid(
    rules: RuleSet, data: PrecinctInput, known_groups: frozenset[str] | None = None
) -> bool:
    """True when ``data`` certainly passes every check of ``validate_input``."""
    d, n = data.delegates, data.attendees
    if type(d) is not int or type(n) is not int:
        return False
    if not 0 <= d <= MAX_DELEGATES or not 1 <= n <= MAX_PEOPLE:
        return False
    if not _clean(data.final, n, known_groups):
        return False
    first = data.first
    if first is not None and not _clean(first, n, known_groups):
        return False
    for name in data.toss_winners:
        if type(name) is not str or not name:
            return False
    if first is not None and rules.realignment is Realignment.NONVIABLE_ONLY:
        return not realignment_problems(rules, data)
    return True
