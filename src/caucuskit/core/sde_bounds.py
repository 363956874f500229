"""SDE bounds: the least and most SDEs each candidate can finish with, and the SDE lead.

Rule: rules.md §7.1 (an outstanding precinct's fixed value; one viable group can take all D),
§7.3 (satellite pools), §5.4 (pending games of chance).

Inputs: a :class:`caucuskit.core.race_input.RaceInput`.
Outputs: :func:`sde_ranges` (per candidate, tight), :func:`lead_call`
(can a trailer still tie or overtake the leader: exact, with the margin and the swing).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from caucuskit.core.race_input import (
    ZERO,
    Pending,
    RaceInput,
    dec,
    open_mass,
    pending_in,
    sum_scopes,
    unbounded_in,
)


@dataclass(frozen=True)
class SdeRange:
    """The least and most statewide SDEs a candidate can still finish with."""

    candidate: str
    current: Fraction
    low: Fraction
    high: Fraction
    #: False when ``high`` is a supremum (a satellite without a declared maximum turnout).
    high_attained: bool = True
    #: True when an outstanding unit's D is unknown and undeclared (a Nevada at-large site):
    #: there is no most; ``high`` is then only what the other units allow.
    unbounded: bool = False


@dataclass(frozen=True)
class PairCall:
    """Can ``trailer`` still tie or overtake ``leader`` in statewide SDEs?"""

    leader: str
    trailer: str
    margin: Fraction  # leader - trailer on the baseline
    swing: Fraction  # the most the trailer can gain on the leader
    attained: bool = True
    #: True when an outstanding unit without a known or declared D can give the trailer
    #: any amount: it can always overtake.
    unbounded: bool = False

    @property
    def best(self) -> Fraction:
        """Trailer - leader in the trailer's best admissible completion."""
        return self.swing - self.margin

    @property
    def can_tie(self) -> bool:
        return self.unbounded or self.best > 0 or (self.best == 0 and self.attained)

    @property
    def can_overtake(self) -> bool:
        return self.unbounded or self.best > 0


def sde_ranges(race: RaceInput) -> list[SdeRange]:
    """Per candidate: [baseline, baseline + every open mass it may win]. Both ends are attained
    (all to others; all to it, one winner per pending toss), so the range is tight, except a
    ``high`` that counts a satellite pool without a declared maximum turnout (a supremum)."""
    base = sum_scopes(race, None, "baseline")
    cur = sum_scopes(race, None, "current")
    free, limit = open_mass(race, None)
    pend = pending_in(race, None)
    unbounded = bool(unbounded_in(race, None))
    out = []
    for c in race.candidates:
        gain = free + sum((p.value for p in pend if c in p.groups), ZERO)
        lo = base.get(c, ZERO) + sum((p.value for p in pend if _forced(p, c)), ZERO)
        attained = not (limit and free > 0) and not unbounded
        out.append(SdeRange(c, cur.get(c, ZERO), lo, base.get(c, ZERO) + gain, attained, unbounded))
    return sorted(out, key=lambda r: (-r.current, r.candidate))


def _forced(p: Pending, c: str) -> bool:
    """True when ``c`` wins a delegate of the toss whatever happens (never, for a real tie)."""
    return c in p.groups and len(p.groups) - 1 < p.winners


def _pair(
    leader: str,
    trailer: str,
    base: Mapping[str, Fraction],
    free: Fraction,
    limit: bool,
    pending: Sequence[Pending],
) -> PairCall:
    swing = free
    for p in pending:
        if trailer in p.groups:
            swing += p.value
        if _forced(p, leader):
            swing -= p.value
    margin = base.get(leader, ZERO) - base.get(trailer, ZERO)
    return PairCall(leader, trailer, margin, swing, not (limit and free > 0))


@dataclass(frozen=True)
class LeadCall:
    """The statewide SDE lead: decided (with the bound) or open (with who can still catch up).

    ``open_sde`` is the one "still to be decided" figure (outstanding units plus pending
    tosses) that every sentence quotes; each pair's own swing can be smaller (a toss only some
    groups can win), and the pairs say so in data, not in a second "still open" figure."""

    leader: str | None
    decided: bool
    pairs: tuple[PairCall, ...]
    open_sde: Fraction = ZERO

    def explain(self, places: int = 3) -> str:
        if self.leader is None:
            return "no SDEs reported yet"
        left = f"{dec(self.open_sde, places)} SDE still to be decided"
        if self.decided:
            if not self.pairs:
                return f"decided: {self.leader} leads (nothing left to report)"
            closest = max(self.pairs, key=lambda p: p.best)
            return (
                f"decided: {self.leader} leads {closest.trailer}, the closest, by "
                f"{dec(closest.margin, places)} SDE; with {left}, {closest.trailer} "
                f"would still finish at least {dec(-closest.best, places)} SDE behind"
            )
        parts = []
        for p in (p for p in self.pairs if p.can_tie):
            verb = "overtake" if p.can_overtake else "tie"
            parts.append(
                f"{p.trailer} can still {verb} {p.leader} (behind by {dec(p.margin, places)})"
            )
        return f"still open, with {left}: " + "; ".join(parts)


def lead_call(race: RaceInput) -> LeadCall:
    """Decided when the current leader's worst margin beats every rival's best swing."""
    cur = sum_scopes(race, None, "current")
    base = sum_scopes(race, None, "baseline")
    if not cur and not base:
        return LeadCall(None, False, ())
    ranked = sorted(race.candidates, key=lambda c: (-cur.get(c, ZERO), -base.get(c, ZERO), c))
    leader = ranked[0]
    free, limit = open_mass(race, None)
    pend = pending_in(race, None)
    pairs = tuple(_pair(leader, c, base, free, limit, pend) for c in ranked[1:])
    if unbounded_in(race, None):
        pairs = tuple(dataclasses.replace(p, unbounded=True) for p in pairs)
    decided = all(not p.can_tie for p in pairs)
    return LeadCall(leader, decided, pairs, free + sum((p.mass for p in pend), ZERO))
