"""State delegate equivalents (SDEs): from county delegates won to state delegates, exact.

Rule: rules.md §7.1 (precinct SDE = delegates x S_c / C_c), §7.2 (exact inside, rounded only
for display), §7.3 (satellite pools divided among the sites; two readings).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from fractions import Fraction
from typing import TypeVar

from caucuskit.core.errors import ValidationError
from caucuskit.core.rounding import decimal_str


class SatelliteReading(StrEnum):
    """How a satellite pseudo-county's pool is divided among its sites (rules.md §7.3)."""

    #: What the IDP published (EMPIRICAL): in proportion to each site's turnout.
    TURNOUT = "turnout"
    #: What the NYT Upshot and a campaign expected: in proportion to the sites' county delegates.
    DELEGATES = "delegates"


def candidate_sdes(won: Mapping[str, int], value: Fraction, delegates: int) -> dict[str, Fraction]:
    """Each group's SDE in a unit worth ``value`` that elects ``delegates``: value x won / D.

    For an ordinary precinct value = D x S_c / C_c, so this is won x S_c / C_c (§7.1); for a
    satellite site it is the site's share of the pool x won / site D (§7.3).
    """
    if delegates <= 0:
        if any(won.values()):
            raise ValidationError.single("delegates", "delegates won in a unit electing none")
        return {}
    return {g: value * n / delegates for g, n in won.items() if n}


K = TypeVar("K")


def site_values(pool: Fraction, weights: Mapping[K, int]) -> dict[K, Fraction]:
    """Divide a satellite pool among its sites in proportion to ``weights`` (§7.3).

    ``weights`` is each site's turnout (reading "turnout") or county delegates (reading
    "delegates"). Sites of weight 0 are worth nothing; an all-zero pool is undivided.
    """
    total = sum(weights.values())
    if total == 0:
        return {s: Fraction(0) for s in weights}
    return {s: pool * w / total for s, w in weights.items()}


def ranked(totals: Mapping[str, Fraction]) -> list[tuple[str, Fraction]]:
    """Candidates from most SDEs to fewest (name breaks ties, for stable output)."""
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


def display_sdes(totals: Mapping[str, Fraction], places: int) -> dict[str, str]:
    """Decimal strings rounded half up to ``places`` (rules.md §7.2), largest first."""
    return {c: decimal_str(v, places) for c, v in ranked(totals)}


def sde_to_delegates(sde: Fraction, value: Fraction, delegates: int) -> tuple[int, Fraction]:
    """A published SDE converted back to delegates: sde / (value / D), rounded to the nearest
    whole number, with the residue (exact ratio minus that number). Rule: rules.md §6.
    """
    if value == 0 or delegates == 0:
        return 0, sde
    ratio = sde * delegates / value
    whole = int((ratio + Fraction(1, 2)) // 1)
    return whole, ratio - whole
