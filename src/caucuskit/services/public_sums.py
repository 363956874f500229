"""A public scope's totals: the sum of its counties, its NIST status word, and the small sums
the documents share (a correction's change in SDEs/CCDs, the groups with the most delegates).

Rule: rules.md §7 (SDEs, or CCDs for Nevada: docs/adr/0011), §9 (every correction published).
Status words are the NIST SP 1500-100 ResultsStatus vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from caucuskit.services.tally import ZERO, CountyTotals


@dataclass(slots=True)
class Sums:
    """A scope's totals: the sum of its counties' :class:`CountyTotals`."""

    first: dict[str, int]
    final: dict[str, int]
    delegates: dict[str, int]
    sde: dict[str, Fraction]
    total: int
    reporting: int
    outstanding: Fraction
    has_recount: bool
    corrected: bool


def sums(parts: Iterable[CountyTotals | Sums]) -> Sums:
    out = Sums({}, {}, {}, {}, 0, 0, ZERO, False, False)
    for t in parts:
        for into, part in (
            (out.first, t.first),
            (out.final, t.final),
            (out.delegates, t.delegates),
        ):
            for c, n in part.items():
                into[c] = into.get(c, 0) + n
        for c, x in t.sde.items():
            if x:
                out.sde[c] = out.sde.get(c, ZERO) + x
        out.total += t.total
        out.reporting += t.reporting
        out.outstanding += t.outstanding
        out.has_recount = out.has_recount or t.has_recount
        out.corrected = out.corrected or t.corrected
    return out


def status_word(s: Sums, certified: bool) -> str:
    """NIST ResultsStatus of a scope. A recount or correction of some precincts does not make a
    scope that is still missing precincts "corrected": it stays ``unofficial-partial`` (the
    change log lists the corrections)."""
    if certified:
        return "certified"
    if not (s.total > 0 and s.reporting == s.total):
        return "unofficial-partial"
    if s.has_recount:
        return "recount"
    if s.corrected:
        return "correction"
    return "unofficial-complete" if s.total > 0 and s.reporting == s.total else "unofficial-partial"


def sde_delta(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, Fraction]:
    """New minus old exact SDEs per candidate (``p/q`` text in, non-zero differences out)."""
    out = {}
    for c in sorted(set(old) | set(new)):
        d = Fraction(new.get(c, "0")) - Fraction(old.get(c, "0"))
        if d:
            out[c] = d
    return out


def top_groups(delegates: Mapping[str, int]) -> list[str]:
    """The groups with the most county delegates (sorted; empty when nobody has one)."""
    most = max((n for n in delegates.values() if n), default=0)
    return sorted(g for g, n in delegates.items() if n == most) if most else []
