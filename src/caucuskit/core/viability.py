"""Viability thresholds, exact.

Rule: rules.md §3.1 (table), §3.2 (exact computation: viable iff members >= ceil(fraction x N)).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from caucuskit.core.rules import RuleSet


def threshold_for(fraction: Fraction, attendees: int) -> int:
    """ceil(fraction x N), exactly: the number of people a group needs to be viable (§3.2)."""
    return -(-fraction.numerator * attendees // fraction.denominator)


def viability_threshold(rules: RuleSet, delegates: int, attendees: int) -> int | None:
    """The viability number for a precinct electing ``delegates`` with ``attendees`` present.

    None for one-delegate precincts, which decide by §5.6 instead.
    """
    fraction = rules.threshold_fraction(delegates)
    if fraction is None:
        return None
    return threshold_for(fraction, attendees)


def viable_groups(counts: Mapping[str, int], threshold: int) -> tuple[str, ...]:
    """Groups with at least ``threshold`` members (and at least one), sorted by name."""
    return tuple(sorted([g for g, n in counts.items() if n > 0 and n >= threshold]))
