"""Satellite site names: joining the sites a feed names to the election's, by their words.

Rule: rules.md §7.3 (satellite caucuses: each site is a reporting unit of its pool). The NYT
feed names a satellite site in its own words (``Cedar Rapids, IA - RWDSU Local 110``); when no
exact or short-code match finds it, the site is joined by the words the two names share, or by
elimination, and every such join is noted (nothing guessed silently).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from caucuskit.core.election import Election, Precinct
from caucuskit.formats.idp2020 import IdpRow

_COMMON_WORDS = frozenset({"the", "of", "and", "at", "a", "in", "for", "on", "ia", "room", "rm"})
_WORD = re.compile(r"[a-z0-9]+")


def site_part(name: str) -> str:
    """The site part of a satellite name (``Cedar Rapids, IA - RWDSU Local 110`` -> the rest)."""
    return name.split(" - ", 1)[1] if " - " in name else name


def _words(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.casefold())) - _COMMON_WORDS


def _similarity(a: str, b: str) -> Fraction:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return Fraction(0)
    return Fraction(len(wa & wb), len(wa | wb))


def _best(score: dict[Any, Fraction]) -> Any | None:
    """The key with the highest positive score, if no other key ties it."""
    ranked = sorted(score.items(), key=lambda kv: kv[1], reverse=True)
    if not ranked or ranked[0][1] == 0:
        return None
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def join_by_similarity(
    election: Election,
    pending: list[tuple[IdpRow, str]],
    claimed: dict[tuple[str, str], int],
    claim: Callable[[IdpRow, Precinct, str | None], None],
) -> None:
    """Join the satellites no name matched: most similar site name, then elimination.

    A pair is joined by similarity only when each is the other's unique best (shared words
    over all words, common words ignored). Then, in a county with exactly one entry and one
    unit left, the two are joined by elimination. Both kinds are noted by ``claim``.
    """
    counties = dict.fromkeys(county for _, county in pending)
    for county in counties:
        entries = [e for e, c in pending if c == county]
        progress = True
        while progress:
            progress = False
            free = [p for p in election.precincts if p.county == county and p.key not in claimed]
            left = [e for e in entries if e.line not in claimed.values()]
            for entry in left:
                best = _best({p: _similarity(entry.precinct, site_part(p.name)) for p in free})
                if best is None:
                    continue
                back = _best({e.line: _similarity(e.precinct, site_part(best.name)) for e in left})
                if back == entry.line:
                    claim(entry, best, "similar site name")
                    progress = True
                    break
        free = [p for p in election.precincts if p.county == county and p.key not in claimed]
        left = [e for e in entries if e.line not in claimed.values()]
        if len(free) == 1 and len(left) == 1:
            claim(left[0], free[0], "elimination (the only entry and unit left in the county)")
