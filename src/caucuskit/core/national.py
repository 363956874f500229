"""National delegates from SDEs: the DNC proportional formula ("D-Math").

Rule: rules.md §8.2 (15% threshold, half-of-leader fallback, shares among the qualified,
whole parts, largest remainders), §8.1 (seat counts), §11 Q6 (three-decimal shares; exact
ties for the last seat are reported, not decided).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.errors import ValidationError
from caucuskit.core.model import Step
from caucuskit.core.rounding import decimal_str, scaled

#: DNC Rule 14: a preference needs 15% of the unit's vote to win national delegates.
NATIONAL_THRESHOLD = Fraction(15, 100)


@dataclass(frozen=True)
class PendingLot:
    """Seats that an exact remainder tie leaves undecided (rules.md §11 Q6: by lot?)."""

    candidates: tuple[str, ...]
    seats: int
    remainder: Fraction

    def to_dict(self) -> dict[str, object]:
        return {
            "candidates": list(self.candidates),
            "seats": self.seats,
            "remainder": str(self.remainder),
        }


@dataclass(frozen=True)
class UnitAllocation:
    """The national delegates of one unit (a district, at-large or PLEO) with its worksheet."""

    unit: str
    seats: int
    votes: Mapping[str, Fraction]
    total: Fraction
    threshold: Fraction
    threshold_rule: str
    qualified: tuple[str, ...]
    shares: Mapping[str, Fraction]
    quotas: Mapping[str, Fraction]
    delegates: Mapping[str, int]
    pending_lot: PendingLot | None = None
    log: tuple[Step, ...] = field(default=())

    @property
    def awarded(self) -> int:
        return sum(self.delegates.values())

    def to_dict(self, places: int = 3) -> dict[str, object]:
        """JSON form; shares and quotas as decimals (``places``) and exact ``p/q`` strings."""
        return {
            "unit": self.unit,
            "seats": self.seats,
            "total": decimal_str(self.total, places),
            "threshold": str(self.threshold),
            "threshold_rule": self.threshold_rule,
            "qualified": list(self.qualified),
            "shares": {c: decimal_str(s, 6) for c, s in self.shares.items()},
            "quotas": {c: decimal_str(q, 3) for c, q in self.quotas.items()},
            "quotas_exact": {c: str(q) for c, q in self.quotas.items()},
            "delegates": dict(self.delegates),
            "pending_lot": None if self.pending_lot is None else self.pending_lot.to_dict(),
            "log": [s.to_dict() for s in self.log],
        }


def _pct(x: Fraction) -> str:
    return decimal_str(x * 100, 4) + "%"


def _validate(votes: Mapping[str, Fraction], seats: int) -> dict[str, Fraction]:
    """The votes as exact Fractions in candidate order; ``ValidationError`` for bad input."""
    if isinstance(seats, bool) or not isinstance(seats, int) or seats < 0:
        raise ValidationError.single("seats", f"must be a whole number >= 0, got {seats!r}")
    for name, v in votes.items():
        if not isinstance(v, (int, Fraction)) or isinstance(v, bool):
            raise ValidationError.single(f"votes.{name}", f"must be an exact number, got {v!r}")
        if v < 0:
            raise ValidationError.single(f"votes.{name}", f"must not be negative, got {v}")
    return {c: Fraction(v) for c, v in sorted(votes.items())}


def _qualify(
    clean: Mapping[str, Fraction], share: Mapping[str, Fraction], unit: str, total: Fraction
) -> tuple[Fraction, str, tuple[str, ...], Step]:
    """The threshold, its rule, the qualified candidates and the worksheet line (§8.2 step 1)."""
    threshold = NATIONAL_THRESHOLD
    qualified = tuple(c for c in clean if clean[c] > 0 and share[c] >= threshold)
    if qualified:
        return (
            threshold,
            "15%",
            qualified,
            Step("threshold", f"{unit}: threshold 15% of {decimal_str(total, 3)}"),
        )
    threshold = max(share.values()) / 2
    qualified = tuple(c for c in clean if clean[c] > 0 and share[c] >= threshold)
    step = Step(
        "threshold",
        f"{unit}: nobody reaches 15%; the threshold becomes half "
        f"the leader's share, {_pct(threshold)} (DNC Rule 14.F, rules.md §8.2)",
    )
    return threshold, "half-of-leader", qualified, step


def _requalified_shares(
    clean: Mapping[str, Fraction], qualified: tuple[str, ...], share_places: int | None
) -> dict[str, Fraction]:
    """Each qualified candidate's share of the qualified vote (§8.2 step 2, Q6 rounding)."""
    qualified_total = sum((clean[c] for c in qualified), Fraction(0))
    shares: dict[str, Fraction] = {}
    for c in qualified:
        s = clean[c] / qualified_total
        if share_places is not None:
            s = Fraction(scaled(s, share_places), 10**share_places)
        shares[c] = s
    return shares


def _largest_remainders(
    qualified: tuple[str, ...],
    quotas: Mapping[str, Fraction],
    won: dict[str, int],
    left: int,
    lot_winners: tuple[str, ...],
    log: list[Step],
) -> PendingLot | None:
    """Give the ``left`` seats by largest remainder (§8.2 step 4), in place on ``won``; an
    exact tie for the last seats goes to the recorded ``lot_winners`` or stays pending (Q6)."""
    lots = list(lot_winners)
    pending: PendingLot | None = None
    rema = {c: quotas[c] - won[c] for c in qualified}
    for r in sorted(set(rema.values()), reverse=True):
        if left <= 0:
            break
        tied = tuple(c for c in qualified if rema[c] == r)
        if len(tied) <= left:
            for c in tied:
                won[c] += 1
                log.append(Step("remainder", f"+1 to {c}: remainder {decimal_str(r, 3)}", c))
            left -= len(tied)
            continue
        if len(lots) >= left and all(w in tied for w in lots[:left]):
            for c in lots[:left]:
                won[c] += 1
                log.append(Step("lot", f"+1 to {c}: won the lot among {', '.join(tied)}", c))
            lots = lots[left:]
            break
        pending = PendingLot(tied, left, r)
        log.append(
            Step(
                "tie",
                f"{', '.join(tied)} tie exactly at remainder {r} for {left} "
                "seat(s): reported, not decided (rules.md §11 Q6)",
            )
        )
        break
    if lots:
        raise ValidationError.single("lot_winners", f"{lots[0]!r}: no tie is left to decide")
    return pending


def allocate_unit(
    votes: Mapping[str, Fraction],
    seats: int,
    *,
    unit: str = "unit",
    share_places: int | None = None,
    lot_winners: tuple[str, ...] = (),
) -> UnitAllocation:
    """Allocate ``seats`` national delegates of one unit from its ``votes`` (SDEs).

    ``share_places``: None (default) keeps the requalified shares exact; 3 rounds them half up
    to three decimals first, the D-Math wording of rules.md §8.2 step 2 (Q6).
    ``lot_winners``: the recorded outcome of a lot for an exact last-seat tie; without it the
    tie is returned as :attr:`UnitAllocation.pending_lot` and those seats stay unallocated.
    """
    clean = _validate(votes, seats)
    total = sum(clean.values(), Fraction(0))
    log: list[Step] = []
    if total == 0 or seats == 0:
        note = f"{unit}: no votes to allocate on" if total == 0 else f"{unit}: no seats"
        log.append(Step("note", note))
        return UnitAllocation(
            unit, seats, clean, total, NATIONAL_THRESHOLD, "15%", (), {}, {}, {}, None, tuple(log)
        )
    share = {c: v / total for c, v in clean.items()}
    threshold, rule, qualified, step = _qualify(clean, share, unit, total)
    log.append(step)
    for c in clean:
        state = "qualifies" if c in qualified else "is below the threshold"
        if clean[c] > 0:
            log.append(
                Step("share", f"{c}: {decimal_str(clean[c], 3)} = {_pct(share[c])}, {state}", c)
            )
    shares = _requalified_shares(clean, qualified, share_places)
    quotas = {c: shares[c] * seats for c in qualified}
    won = {c: math.floor(q) for c, q in quotas.items()}
    for c in qualified:
        log.append(
            Step(
                "quota",
                f"{c}: share {_pct(shares[c])} x {seats} = {decimal_str(quotas[c], 3)} -> {won[c]}",
                c,
            )
        )
    left = seats - sum(won.values())
    pending = _largest_remainders(qualified, quotas, won, left, lot_winners, log)
    delegates = {c: n for c, n in won.items() if n > 0}
    return UnitAllocation(
        unit,
        seats,
        clean,
        total,
        threshold,
        rule,
        qualified,
        shares,
        quotas,
        delegates,
        pending,
        tuple(log),
    )


def fast_allocate(votes: Mapping[str, Fraction], seats: int, unit: str = "unit") -> UnitAllocation:
    """The same D-Math as :func:`allocate_unit` (exact shares, no lot recorded), without the
    worksheet: the race call evaluates many completions with it. A fast path of the one
    reference, never a second definition: tests/core/test_dmath.py proves them equal.

    Exact in integers: the votes are scaled to a common denominator, so the 15% test, the
    quotas' floors and the remainder order are integer comparisons (``shares`` and ``quotas``
    are left empty; ``delegates`` and ``pending_lot`` are those of the worksheet)."""
    clean = {c: v for c, v in votes.items() if v > 0}
    if not clean or seats == 0:
        total = sum(clean.values(), Fraction(0))
        return UnitAllocation(unit, seats, clean, total, NATIONAL_THRESHOLD, "15%", (), {}, {}, {})
    den = math.lcm(*(v.denominator for v in clean.values()))
    n = {c: v.numerator * (den // v.denominator) for c, v in clean.items()}
    tot = sum(n.values())
    t_num, t_den = NATIONAL_THRESHOLD.numerator, NATIONAL_THRESHOLD.denominator
    qualified = sorted(c for c, x in n.items() if x * t_den >= t_num * tot)
    rule = "15%"
    if not qualified:
        top = max(n.values())
        qualified = sorted(c for c, x in n.items() if 2 * x >= top)
        rule = "half-of-leader"
    q_total = sum(n[c] for c in qualified)
    won: dict[str, int] = {}
    rema: dict[str, int] = {}
    for c in qualified:
        won[c], rema[c] = divmod(seats * n[c], q_total)
    left = seats - sum(won.values())
    lot = None
    for r in sorted(set(rema.values()), reverse=True):
        if left <= 0:
            break
        tied = tuple(c for c in qualified if rema[c] == r)
        if len(tied) <= left:
            for c in tied:
                won[c] += 1
            left -= len(tied)
            continue
        lot = PendingLot(tied, left, Fraction(r, q_total))
        break
    return UnitAllocation(
        unit,
        seats,
        clean,
        Fraction(tot, den),
        NATIONAL_THRESHOLD,
        rule,
        tuple(qualified),
        {},
        {},
        {c: k for c, k in won.items() if k > 0},
        lot,
    )


def add_delegates(allocations: list[UnitAllocation]) -> dict[str, int]:
    """Total national delegates per candidate over several units."""
    totals: dict[str, int] = {}
    for a in allocations:
        for c, n in a.delegates.items():
            totals[c] = totals.get(c, 0) + n
    return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))
