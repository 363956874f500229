"""Delegates per viable group: largest remainder with a floor of one, exact.

Rule: rules.md §5.7 (the reference algorithm), equivalent to the round-then-adjust steps of
§5.1-§5.3; ties at 4 decimals (§5.4); more viable groups than delegates per ruleset (§5.7
step 5, §11 Q8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.model import PendingTie, Step
from caucuskit.core.rounding import round_half_up, tie_key
from caucuskit.core.rules import OvershootRule, OvershootTies, RuleSet
from caucuskit.core.ties import TossBook


@dataclass
class Allocation:
    """The outcome of :func:`allocate` for the viable groups."""

    raw: dict[str, Fraction]
    rounded: dict[str, int]
    delegates: dict[str, int]
    pending: PendingTie | None = None
    must_realign: list[str] = field(default_factory=list)
    log: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _dec(units: int, places: int) -> str:
    sign = "-" if units < 0 else ""
    units = abs(units)
    whole, frac = divmod(units, 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"


def allocate(
    rules: RuleSet,
    delegates: int,
    attendees: int,
    members: Mapping[str, int],
    tosses: TossBook,
) -> Allocation:
    """Allocate ``delegates`` among the viable groups ``members`` (group -> final head count).

    ``attendees`` is N, the opening head count: people who left still count (§3.2, §6).
    """
    places = rules.tie_places
    unit = 10**places
    groups = sorted(members)
    raw = {g: Fraction(members[g] * delegates, attendees) for g in groups}
    key4 = {g: tie_key(raw[g], places) for g in groups}
    log: list[Step] = []
    a: dict[str, int] = {}
    rounded: dict[str, int] = {}
    for g in groups:
        r = round_half_up(raw[g])
        rounded[g] = r
        direction = "up" if r > raw[g] else ("down" if r < raw[g] else "exactly")
        text = (
            f"{g}: {members[g]} x {delegates} / {attendees} = {_dec(key4[g], places)}, "
            f"rounds {direction} to {r}"
        )
        if r < 1:
            text += "; raised to 1: a viable group gets at least one delegate (rules.md §5.1)"
        log.append(Step("round", text, g))
        a[g] = max(1, r)
    result = Allocation(raw=raw, rounded=rounded, delegates=a, log=log)
    total = sum(a.values())
    log.append(Step("total", f"Rounded total {total}; delegates to elect {delegates}."))

    while True:
        active = [g for g in groups if a[g] > 0]
        total = sum(a.values())
        if total == delegates:
            break
        if total < delegates:
            short = delegates - total
            if result.must_realign:
                # Option all-realign (rules.md §10, §11 Q8): the zeroed groups realign and the
                # precinct is computed again from the new final alignment; nothing is refilled.
                note = (
                    f"{', '.join(result.must_realign)} must realign; {short} delegate(s) wait "
                    "for the new final alignment (IDP 2020 app behaviour, rules.md §10, Q8)."
                )
                log.append(Step("note", note))
                result.notes.append(note)
                break
            if not active:
                note = "Every viable group must realign; no delegate can be allocated yet."
                log.append(Step("note", note))
                result.notes.append(note)
                break
            # Closest to the next whole number: largest raw - a (rules.md §5.2, §5.7 step 4).
            keys = {g: key4[g] - a[g] * unit for g in active}
            best = max(keys.values())
            tied = tuple(g for g in active if keys[g] == best)
            if len(tied) <= short:
                for g in tied:
                    a[g] += 1
                    log.append(
                        Step(
                            "add",
                            f"+1 to {g} (now {a[g]}): its share is the closest to the next "
                            f"whole number (decimal {_dec(best, places)}); {short} short",
                            g,
                        )
                    )
                continue
            reason = (
                f"{len(tied)} groups tie at decimal {_dec(best, places)} for {short} remaining "
                "delegate(s)"
            )
            outcome = tosses.decide(tied, short, "gain", reason)
            if isinstance(outcome, PendingTie):
                result.pending = outcome
                log.append(Step("tie", f"Tie: {reason}; a {tosses.method} decides who gains."))
                break
            for g in outcome:
                a[g] += 1
                log.append(Step("toss", f"+1 to {g} (now {a[g]}): won the {tosses.method}", g))
            continue

        excess = total - delegates
        floor = 2 if rules.protect_only_delegate else 1
        eligible = [g for g in active if a[g] >= floor]
        if eligible:
            # Furthest from rounding up: smallest raw - (a - 1) (rules.md §5.3, §5.7 step 5.1).
            keys = {g: key4[g] - (a[g] - 1) * unit for g in eligible}
            worst = min(keys.values())
            tied = tuple(g for g in eligible if keys[g] == worst)
            why = "furthest from rounding up"
            if rules.protect_only_delegate and len(eligible) < len(active):
                why += "; groups holding only one delegate are protected (rules.md §5.3)"
            if len(tied) <= excess:
                for g in tied:
                    a[g] -= 1
                    log.append(
                        Step(
                            "remove",
                            f"-1 from {g} (now {a[g]}): decimal {_dec(worst, places)}, {why}; "
                            f"{excess} too many",
                            g,
                        )
                    )
                continue
            reason = (
                f"{len(tied)} groups tie at decimal {_dec(worst, places)} and {excess} "
                "delegate(s) must be removed"
            )
            if _lose_by_lot(tied, excess, reason, a, result, tosses, only_delegate=False):
                break
            continue

        # Every viable group holds a single delegate: more viable groups than delegates.
        if rules.overshoot is OvershootRule.AWARD_EXTRA:
            note = (
                f"{len(active)} viable groups for {delegates} delegates: every viable group keeps "
                f"its delegate and the precinct awards {total} (rules.md §5.7 step 5, Nevada "
                "Principle 2)"
            )
            log.append(Step("extra", note))
            result.notes.append(note)
            break
        smallest_key = min(key4[g] for g in active)
        tied = tuple(g for g in active if key4[g] == smallest_key)
        if rules.overshoot_ties is OvershootTies.ALL_REALIGN:
            for g in tied:
                a[g] = 0
                result.must_realign.append(g)
                log.append(
                    Step(
                        "zero",
                        f"{g} loses its delegate and must realign: smallest group (share "
                        f"{_dec(smallest_key, places)}); more viable groups than delegates "
                        "(IDP 2020 app behaviour, rules.md §10, Q8)",
                        g,
                    )
                )
            continue
        if len(tied) <= excess:
            for g in tied:
                a[g] = 0
                log.append(
                    Step(
                        "zero",
                        f"{g} loses its only delegate: the smallest group (share "
                        f"{_dec(smallest_key, places)}) when more groups are viable than there "
                        "are delegates (rules.md §5.7 step 5)",
                        g,
                    )
                )
            continue
        reason = (
            f"{len(tied)} equally small groups (share {_dec(smallest_key, places)}) and {excess} "
            "must lose their delegate: more viable groups than delegates"
        )
        if _lose_by_lot(tied, excess, reason, a, result, tosses, only_delegate=True):
            break

    return result


def _lose_by_lot(
    tied: tuple[str, ...],
    excess: int,
    reason: str,
    a: dict[str, int],
    result: Allocation,
    tosses: TossBook,
    *,
    only_delegate: bool,
) -> bool:
    """Settle a tie over which groups lose one delegate (rules.md §5.4).

    Applies the recorded outcome and returns False, or, when none is recorded yet, leaves each
    tied group with one fewer (what is decided without the toss), records the pending tie and
    returns True.
    """
    method = tosses.method
    outcome = tosses.decide(tied, excess, "lose", reason)
    if isinstance(outcome, PendingTie):
        for g in tied:
            a[g] -= 1
        result.pending = outcome
        result.log.append(Step("tie", f"Tie: {reason}; a {method} decides who keeps."))
        return True
    for g in tied:
        if g in outcome:
            kept = "its delegate" if only_delegate else str(a[g])
            result.log.append(Step("toss", f"{g} keeps {kept}: won the {method}", g))
            continue
        a[g] -= 1
        if only_delegate:
            text = f"{g} loses its only delegate: lost the {method}"
        else:
            text = f"-1 from {g} (now {a[g]}): lost the {method}"
        result.log.append(Step("toss", text, g))
    return False
