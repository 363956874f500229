"""Public identifiers: county and precinct slugs used in URLs and published file names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_RUN = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Lower case ASCII; runs of anything else become ``-`` ("CD1 Satellite" -> "cd1-satellite")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = _RUN.sub("-", ascii_text.lower()).strip("-")
    return out or "x"


def precinct_slugs(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``<county>--<precinct>`` for every (county, name), made unique in definition order."""
    seen: set[str] = set()
    out: dict[tuple[str, str], str] = {}
    for county, name in keys:
        base = f"{slug(county)}--{slug(name)}"
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            candidate = f"{base}-{n}"
        seen.add(candidate)
        out[(county, name)] = candidate
    return out
