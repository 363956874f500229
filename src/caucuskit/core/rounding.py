"""Exact rounding helpers: the only places where a Fraction becomes a whole number or a decimal.

Rule: rules.md §5.1 (round half up), §5.4 (ties compared at 4 decimals), §7.2 (display precision).
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

TIE_PLACES = 4


def round_half_up(x: Fraction) -> int:
    """Round to a whole number, .5 and above up, below .5 down (rules.md §5.1).

    Python's ``round`` rounds half to even (2.5 -> 2), the bug of earlier calculators (§10).
    """
    n: int = x.numerator
    d: int = x.denominator
    return (2 * n + d) // (2 * d)


def scaled(x: Fraction, places: int) -> int:
    """``x`` rounded half up to ``places`` decimals, as an integer count of 10**-places units."""
    n: int = x.numerator
    d: int = x.denominator
    units: int = (2 * n * 10**places + d) // (2 * d)
    return units


def tie_key(x: Fraction, places: int = TIE_PLACES) -> int:
    """The value groups are compared on for ties: ``x`` at 4 decimals (rules.md §5.4)."""
    return scaled(x, places)


def decimal_str(x: Fraction, places: int) -> str:
    """``x`` rounded half up to ``places`` decimals, as a plain decimal string ("564.012")."""
    return units_str(scaled(x, places), places)


def units_str(units: int, places: int) -> str:
    """A count of 10**-places units as a plain decimal string (``16000, 4`` -> ``"1.6000"``)."""
    if places == 0:
        return str(units)
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"


def ratio_str(p: int, q: int) -> str:
    """``str(Fraction(p, q))`` for ``q > 0`` without building the Fraction ("12/5", "3")."""
    common = gcd(p, q)
    p, q = p // common, q // common
    return str(p) if q == 1 else f"{p}/{q}"


def fraction_str(x: Fraction) -> str:
    """Exact text form ``p/q`` (or ``p``) used to store and export derived values."""
    return str(x)


def parse_fraction(text: str) -> Fraction:
    """Read back a value written by :func:`fraction_str` or a plain decimal."""
    return Fraction(text)
