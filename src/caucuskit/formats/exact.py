"""Exact numbers in files: SDEs and state delegates as text that round-trips without loss.

Rule: rules.md §7.2 (SDEs are exact; decimals appear only for display). A file writes an exact
number as a JSON integer, a decimal text ("18.103") or a ratio ("4/51"); floats are refused.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
_RATIO = re.compile(r"^-?\d+/\d+$")


def fraction_to_text(x: Fraction) -> str:
    """An exact, readable text for ``x``: "392", "18.103", or "1/3" when not a finite decimal."""
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return f"{x.numerator}/{x.denominator}"
    places = 0
    while (x * 10**places).denominator != 1:
        places += 1
    units = abs(x.numerator) * 10**places // x.denominator
    whole, part = divmod(units, 10**places)
    sign = "-" if x < 0 else ""
    return f"{sign}{whole}.{part:0{places}d}"


def parse_fraction(value: object, where: str, problems: list[str]) -> Fraction | None:
    """Read an exact number: a JSON integer, a decimal string ("18.103") or "p/q".

    JSON floats are refused: they are binary approximations and SDEs must be exact (§7.2).
    """
    if isinstance(value, bool):
        problems.append(f"{where}: expected a number, got {value!r}")
        return None
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        problems.append(f'{where}: write {value!r} as a string ("{value}"), floats are inexact')
        return None
    if isinstance(value, str):
        text = value.strip()
        if _DECIMAL.match(text):
            try:
                return Fraction(Decimal(text))
            except InvalidOperation:  # pragma: no cover - the pattern already checked
                pass
        if _RATIO.match(text):
            num, den = text.split("/")
            if int(den) == 0:
                problems.append(f"{where}: zero denominator in {value!r}")
                return None
            return Fraction(int(num), int(den))
    problems.append(f'{where}: expected an exact number ("392", "18.103", "4/51"), got {value!r}')
    return None
