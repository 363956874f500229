"""The exact reference: the precinct core as it was before the integer fast path (issue 11).

A frozen copy of ``caucuskit.core`` ``model``/``ties``/``allocation``/``precinct`` at the commit
before the integer core, with Fraction arithmetic and the worksheet written as prose while it
computes. Used only by tests/core/test_fastpath_equivalence.py, which proves the integer core
gives the same delegates, pending ties and every logged decision (word for word). Do not "fix"
this file: it is the yardstick. Rule: rules.md §3-§5.7.
"""

# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from caucuskit.core.checks import validate_input
from caucuskit.core.errors import ValidationError
from caucuskit.core.rules import OneDelegateRule, OvershootRule, OvershootTies, RuleSet
from caucuskit.core.model import PrecinctInput

import math
from decimal import Decimal


# rounding.py and viability.py as they were (Fraction and Decimal arithmetic).
def round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def scaled(x: Fraction, places: int) -> int:
    return math.floor(x * 10**places + Fraction(1, 2))


def tie_key(x: Fraction, places: int = 4) -> int:
    return scaled(x, places)


def decimal_str(x: Fraction, places: int) -> str:
    units = scaled(x, places)
    if places == 0:
        return str(units)
    return str(Decimal(units).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def viability_threshold(rules: RuleSet, delegates: int, attendees: int) -> int | None:
    fraction = rules.threshold_fraction(delegates)
    if fraction is None:
        return None
    return math.ceil(fraction * attendees)


def viable_groups(counts, threshold):
    return tuple(sorted(g for g, n in counts.items() if n > 0 and n >= threshold))


TieAction = Literal["gain", "lose"]


@dataclass(frozen=True)
class Step:
    """One line of the worksheet: what was done, to which group, and why."""

    action: str
    text: str
    group: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"action": self.action, "group": self.group, "text": self.text}


@dataclass(frozen=True)
class PendingTie:
    """A tie that a game of chance must still decide (rules.md §5.4)."""

    groups: tuple[str, ...]
    delegates: int
    action: TieAction
    method: str
    reason: str

    @property
    def winners_needed(self) -> int:
        """How many toss winners decide it: gainers for a gain, keepers for a loss."""
        if self.action == "gain":
            return self.delegates
        return len(self.groups) - self.delegates

    def to_dict(self) -> dict[str, object]:
        return {
            "groups": list(self.groups),
            "delegates": self.delegates,
            "action": self.action,
            "method": self.method,
            "winners_needed": self.winners_needed,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class TieRecord:
    """A tie that was decided by a recorded game of chance."""

    groups: tuple[str, ...]
    delegates: int
    action: TieAction
    method: str
    winners: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "groups": list(self.groups),
            "delegates": self.delegates,
            "action": self.action,
            "method": self.method,
            "winners": list(self.winners),
        }


@dataclass(frozen=True)
class GroupLine:
    """One preference group's row on the worksheet."""

    name: str
    first: int | None
    final: int
    viable_first: bool | None
    viable: bool
    raw: Fraction | None
    rounded: int | None
    delegates: int

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.name,
            "first": self.first,
            "final": self.final,
            "viable_first": self.viable_first,
            "viable": self.viable,
            "raw": None if self.raw is None else str(self.raw),
            "raw_decimal": None if self.raw is None else decimal_str(self.raw, 4),
            "rounded": self.rounded,
            "delegates": self.delegates,
        }


@dataclass(frozen=True)
class PrecinctResult:
    """Everything derived for one precinct, with the steps that led there."""

    ruleset: str
    delegates_to_elect: int
    attendees: int
    threshold: int | None
    viable_first: tuple[str, ...] | None
    viable: tuple[str, ...]
    lines: tuple[GroupLine, ...]
    delegates: Mapping[str, int]
    pending_tie: PendingTie | None
    ties: tuple[TieRecord, ...] = ()
    log: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()
    must_realign: tuple[str, ...] = ()
    undecided: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def awarded(self) -> int:
        """Delegates awarded so far (may exceed D under Nevada's Principle 2)."""
        return sum(self.delegates.values())

    @property
    def complete(self) -> bool:
        """True when no game of chance, revote or realignment is still needed."""
        return self.pending_tie is None and not self.undecided and not self.must_realign

    def to_dict(self) -> dict[str, object]:
        """The JSON form used by the CLI, the API and the audit."""
        return {
            "ruleset": self.ruleset,
            "delegates_to_elect": self.delegates_to_elect,
            "attendees": self.attendees,
            "threshold": self.threshold,
            "viable_first": None if self.viable_first is None else list(self.viable_first),
            "viable": list(self.viable),
            "delegates": dict(self.delegates),
            "awarded": self.awarded,
            "pending_tie": None if self.pending_tie is None else self.pending_tie.to_dict(),
            "ties": [t.to_dict() for t in self.ties],
            "must_realign": list(self.must_realign),
            "undecided": self.undecided,
            "complete": self.complete,
            "groups": [line.to_dict() for line in self.lines],
            "notes": list(self.notes),
            "log": [s.to_dict() for s in self.log],
        }


class TossBook:
    """The recorded outcomes, consumed in the order the ties arise during the computation.

    A winner gains the delegate at stake (action "gain") or keeps it ("lose"). A tie in which
    ``k`` of ``n`` groups lose needs ``n - k`` winners; one in which ``k`` gain needs ``k``.
    """

    def __init__(self, winners: tuple[str, ...], method: str) -> None:
        self._winners = winners
        self._pos = 0
        self.method = method
        self.records: list[TieRecord] = []

    def decide(
        self, groups: tuple[str, ...], delegates: int, action: TieAction, reason: str
    ) -> tuple[str, ...] | PendingTie:
        """The winners of this tie, or the :class:`PendingTie` when none was recorded yet."""
        pending = PendingTie(groups, delegates, action, self.method, reason)
        need = pending.winners_needed
        left = len(self._winners) - self._pos
        if left == 0:
            return pending
        if left < need:
            raise ValidationError.single(
                f"toss_winners[{self._pos}]",
                f"the {self.method} between {', '.join(groups)} needs {need} winner(s); "
                f"only {left} given",
            )
        chosen = self._winners[self._pos : self._pos + need]
        for offset, name in enumerate(chosen):
            index = self._pos + offset
            if name not in groups:
                raise ValidationError.single(
                    f"toss_winners[{index}]",
                    f"{name!r} is not in the tie: the {self.method} is between "
                    f"{', '.join(groups)} ({delegates} delegate(s) to {action})",
                )
            if name in chosen[:offset]:
                raise ValidationError.single(
                    f"toss_winners[{index}]", f"{name!r} is named twice for the same tie"
                )
        self._pos += need
        winners = tuple(sorted(chosen))
        self.records.append(TieRecord(groups, delegates, action, self.method, winners))
        return winners

    def check_all_used(self) -> None:
        """Refuse outcomes for ties that never arose."""
        if self._pos < len(self._winners):
            raise ValidationError.single(
                f"toss_winners[{self._pos}]",
                f"{self._winners[self._pos]!r}: no tie is left for this outcome to decide",
            )


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


def compute_precinct(
    rules: RuleSet, data: PrecinctInput, known_groups: frozenset[str] | None = None
) -> PrecinctResult:
    """Validate ``data`` and derive the viability threshold, viable groups and delegates.

    Raises :class:`~caucuskit.core.errors.ValidationError` naming every bad field.
    """
    validate_input(rules, data, known_groups)
    tosses = TossBook(data.toss_winners, rules.tie_method.value)
    if data.delegates == 0:
        result = _no_delegates(rules, data)
    elif data.delegates == 1:
        result = _one_delegate(rules, data, tosses)
    else:
        result = _many_delegates(rules, data, tosses)
    tosses.check_all_used()
    return result


def _lines(
    data: PrecinctInput,
    viable_first: tuple[str, ...] | None,
    viable: tuple[str, ...],
    raw: Mapping[str, Fraction],
    rounded: Mapping[str, int],
    delegates: Mapping[str, int],
) -> tuple[GroupLine, ...]:
    names = set(data.final) | set(data.first or {})
    out = []
    for g in sorted(names):
        value = raw.get(g)
        out.append(
            GroupLine(
                name=g,
                first=None if data.first is None else data.first.get(g, 0),
                final=data.final.get(g, 0),
                viable_first=None if viable_first is None else g in viable_first,
                viable=g in viable,
                raw=value,
                rounded=rounded.get(g),
                delegates=delegates.get(g, 0),
            )
        )
    return tuple(out)


def _no_delegates(rules: RuleSet, data: PrecinctInput) -> PrecinctResult:
    note = "This precinct elects no delegates (D = 0): nothing to allocate."
    return PrecinctResult(
        ruleset=rules.name,
        delegates_to_elect=0,
        attendees=data.attendees,
        threshold=None,
        viable_first=None,
        viable=(),
        lines=_lines(data, None, (), {}, {}, {}),
        delegates={},
        pending_tie=None,
        log=(Step("note", note),),
        notes=(note,),
    )


def _one_delegate(rules: RuleSet, data: PrecinctInput, tosses: TossBook) -> PrecinctResult:
    """Rule: rules.md §5.6 (and §11 Q2 for the strict-majority option)."""
    log: list[Step] = []
    notes: list[str] = []
    final = {g: n for g, n in data.final.items() if n > 0}
    pending: PendingTie | None = None
    winner: str | None = None
    undecided = False
    candidates: tuple[str, ...] = ()
    rule = rules.one_delegate
    if not final:
        undecided = True
        notes.append("Nobody is in any group: the single delegate cannot be elected yet.")
    elif rule is OneDelegateRule.MAJORITY_VOTE:
        cast = sum(final.values())
        log.append(
            Step(
                "rule",
                f"One delegate: no preference groups; a simple majority of the {cast} "
                "votes cast elects it (rules.md §5.6, 2016).",
            )
        )
        top = max(final.values())
        leaders = tuple(sorted(g for g, n in final.items() if n == top))
        candidates = leaders
        if 2 * top > cast:
            winner = leaders[0]
        else:
            undecided = True
            notes.append(f"No one has a majority of the {cast} votes cast: the caucus votes again.")
    else:
        top = max(final.values())
        leaders = tuple(sorted(g for g, n in final.items() if n == top))
        candidates = leaders
        if rule is OneDelegateRule.STRICT_MAJORITY:
            log.append(
                Step(
                    "rule",
                    "One delegate: a group needs more than half of the "
                    f"{data.attendees} attendees (strict majority option, "
                    "rules.md §11 Q2).",
                )
            )
            if 2 * top > data.attendees:
                winner = leaders[0]
            else:
                undecided = True
                notes.append(
                    "No group has more than half of the attendees: no delegate yet "
                    "(rules.md §11 Q2 leaves what happens next open)."
                )
        else:
            log.append(
                Step(
                    "rule",
                    "One delegate: the largest final group wins it; a tie goes "
                    f"to a {tosses.method} (rules.md §5.6).",
                )
            )
            if len(leaders) == 1:
                winner = leaders[0]
            else:
                reason = f"{len(leaders)} groups tie as the largest with {top} each"
                outcome = tosses.decide(leaders, 1, "gain", reason)
                if isinstance(outcome, PendingTie):
                    pending = outcome
                    log.append(Step("tie", f"Tie: {reason}; a {tosses.method} decides."))
                else:
                    winner = outcome[0]
                    log.append(Step("toss", f"{winner} won the {tosses.method}", winner))
    delegates = {winner: 1} if winner is not None else {}
    if winner is not None:
        log.append(
            Step("award", f"{winner} elects the precinct's delegate ({final[winner]}).", winner)
        )
    for note in notes:
        log.append(Step("note", note))
    return PrecinctResult(
        ruleset=rules.name,
        delegates_to_elect=1,
        attendees=data.attendees,
        threshold=None,
        viable_first=None,
        viable=candidates,
        lines=_lines(data, None, candidates, {}, {}, delegates),
        delegates=delegates,
        pending_tie=pending,
        ties=tuple(tosses.records),
        log=tuple(log),
        notes=tuple(notes),
        undecided=undecided,
    )


def _many_delegates(rules: RuleSet, data: PrecinctInput, tosses: TossBook) -> PrecinctResult:
    fraction = rules.threshold_fraction(data.delegates)
    threshold = viability_threshold(rules, data.delegates, data.attendees)
    assert fraction is not None and threshold is not None
    log = [
        Step(
            "threshold",
            f"Viability threshold: {fraction} x {data.attendees} attendees = "
            f"{decimal_str(fraction * data.attendees, 4)}, rounded up to {threshold} "
            "(rules.md §3).",
        )
    ]
    viable_first: tuple[str, ...] | None = None
    if data.first is not None:
        viable_first = viable_groups(data.first, threshold)
        log.append(
            Step(
                "viable-first",
                "Viable after the first alignment: " + (", ".join(viable_first) or "none"),
            )
        )
    viable = viable_groups(data.final, threshold)
    if rules.first_viability_sticks and viable_first:
        kept = [g for g in viable_first if g not in viable and data.final.get(g, 0) > 0]
        for g in kept:
            log.append(
                Step(
                    "viable",
                    f"{g} stays viable: it was viable in the first alignment "
                    "(option first_viability_sticks, rules.md §11 Q3)",
                    g,
                )
            )
        viable = tuple(sorted(set(viable) | set(kept)))
    log.append(Step("viable", "Viable in the final alignment: " + (", ".join(viable) or "none")))
    notes: list[str] = []
    if not viable:
        notes.append("No group is viable: no delegate can be allocated; the caucus must realign.")
        log.append(Step("note", notes[-1]))
        return PrecinctResult(
            ruleset=rules.name,
            delegates_to_elect=data.delegates,
            attendees=data.attendees,
            threshold=threshold,
            viable_first=viable_first,
            viable=(),
            lines=_lines(data, viable_first, (), {}, {}, {}),
            delegates={},
            pending_tie=None,
            log=tuple(log),
            notes=tuple(notes),
            undecided=True,
        )
    members = {g: data.final[g] for g in viable}
    alloc = allocate(rules, data.delegates, data.attendees, members, tosses)
    log.extend(alloc.log)
    notes.extend(alloc.notes)
    delegates = {g: n for g, n in sorted(alloc.delegates.items()) if n > 0}
    if alloc.pending is None:
        for g, n in delegates.items():
            log.append(Step("award", f"{g}: {n} delegate(s)", g))
    return PrecinctResult(
        ruleset=rules.name,
        delegates_to_elect=data.delegates,
        attendees=data.attendees,
        threshold=threshold,
        viable_first=viable_first,
        viable=viable,
        lines=_lines(data, viable_first, viable, alloc.raw, alloc.rounded, delegates),
        delegates=delegates,
        pending_tie=alloc.pending,
        ties=tuple(tosses.records),
        log=tuple(log),
        notes=tuple(notes),
        must_realign=tuple(alloc.must_realign),
    )
