"""The most delegates one precinct can award, by ruleset.

Rule: rules.md §5.7 step 5.2 and §4 (NV column, "more viable groups than delegates"): under
Iowa rules a precinct awards at most its D delegates; under Nevada 2020 (Principle 2) no
viable group loses its only delegate, so a precinct with more viable groups than D awards one
delegate to each of them. How many groups can be viable at once follows from §3.1: each needs
at least the viability fraction f of N, so at most floor(1 / f) of them (4 at 25%, 6 at 1/6
and at 15%); one-delegate precincts (§5.6) elect one.

Inputs: a ruleset, a precinct's D (or a declared maximum D) and the number of groups.
Outputs: :func:`most_delegates`, :func:`most_delegates_upto` (the race call's bound on what
an outstanding unit can add, :mod:`caucuskit.core.race_input`).
"""

from __future__ import annotations

from caucuskit.core.rules import OvershootRule, RuleSet


def most_delegates(rules: RuleSet, delegates: int, groups: int) -> int:
    """The most delegates a precinct electing ``delegates`` can award with ``groups``
    preference groups: D, or under award-extra rules the most groups that can all be viable
    (each then holds one delegate), if that is more."""
    if rules.overshoot is not OvershootRule.AWARD_EXTRA:
        return delegates
    fraction = rules.threshold_fraction(delegates)
    if fraction is None:  # one delegate: the largest group wins it (§5.6)
        return delegates
    viable_at_once = fraction.denominator // fraction.numerator
    return max(delegates, min(groups, viable_at_once))


def most_delegates_upto(rules: RuleSet, maximum: int, groups: int) -> int:
    """The most delegates a unit whose D is unknown but at most ``maximum`` can award."""
    return max((most_delegates(rules, d, groups) for d in range(1, maximum + 1)), default=0)
