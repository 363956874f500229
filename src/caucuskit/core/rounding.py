"""Exact rounding helpers: the only places where a Fraction becomes a whole number or a decimal.

Rule: rules.md §5.1 (round half up), §5.4 (ties compared at 4 decimals), §7.2 (display precision).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

TIE_PLACES = 4


def round_half_up(x: Fraction) -> int:
    """Round to a whole number, .5 and above up, below .5 down (rules.md §5.1).

    Python's ``round`` rounds half to even (2.5 -> 2), the bug of earlier calculators (§10).
    """
    return math.floor(x + Fraction(1, 2))


def scaled(x: Fraction, places: int) -> int:
    """``x`` rounded half up to ``places`` decimals, as an integer count of 10**-places units."""
    units: int = math.floor(x * 10**places + Fraction(1, 2))
    return units


def tie_key(x: Fraction, places: int = TIE_PLACES) -> int:
    """The value groups are compared on for ties: ``x`` at 4 decimals (rules.md §5.4)."""
    return scaled(x, places)


def decimal_str(x: Fraction, places: int) -> str:
    """``x`` rounded half up to ``places`` decimals, as a plain decimal string ("564.012")."""
    units = scaled(x, places)
    if places == 0:
        return str(units)
    return str(Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def fraction_str(x: Fraction) -> str:
    """Exact text form ``p/q`` (or ``p``) used to store and export derived values."""
    return str(x)


def parse_fraction(text: str) -> Fraction:
    """Read back a value written by :func:`fraction_str` or a plain decimal."""
    return Fraction(text)
