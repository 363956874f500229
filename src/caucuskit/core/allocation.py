"""Delegates per viable group: largest remainder with a floor of one, decided in integers.

Rule: rules.md §5.7 (the reference algorithm), equivalent to the round-then-adjust steps of
§5.1-§5.3; ties at 4 decimals (§5.4); more viable groups than delegates per ruleset (§5.7
step 5, §11 Q8).

Inputs: the ruleset, D, N (the opening head count: people who left still count, §3.2, §6), the
viable groups' final head counts, the recorded game-of-chance outcomes (:class:`TossBook`) and,
when a worksheet is wanted, a list to append the typed steps to.
Outputs: :class:`Allocation` (rounded shares, delegates, a pending tie, groups that must
realign, notes).

Every comparison is on integers: with ``m`` members, share ``m·D/N`` rounds half up to
``(2·m·D + N) // (2N)`` and its 4-decimal tie key is ``(2·10⁴·m·D + N) // (2N)``; a Fraction is
made only for the worksheet. tests/core/test_fastpath_equivalence.py proves this equal to the
earlier Fraction implementation (tests/core/reference.py), decision by decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from caucuskit.core.model import PendingTie
from caucuskit.core.rounding import ratio_str
from caucuskit.core.rules import OvershootRule, OvershootTies, RuleSet
from caucuskit.core.steps import (
    Add,
    Direction,
    Extra,
    Note,
    Remove,
    Round,
    Tie,
    TieAction,
    TieBasis,
    Toss,
    Total,
    WorksheetStep,
    Zero,
)
from caucuskit.core.ties import TossBook
from caucuskit.core.wording import extra_text, note_text, tie_reason


@dataclass(slots=True)
class Allocation:
    """The outcome of :func:`allocate` for the viable groups."""

    members: Mapping[str, int]
    delegates_to_elect: int
    attendees: int
    rounded: dict[str, int]
    delegates: dict[str, int]
    pending: PendingTie | None = None
    must_realign: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def raw(self) -> dict[str, Fraction]:
        """Each group's exact share m x D / N (for display; decisions never need it)."""
        d, n = self.delegates_to_elect, self.attendees
        return {g: Fraction(m * d, n) for g, m in sorted(self.members.items())}


def _dec(units: int, places: int) -> str:
    """A tie key as "w.ffff" (always with a point, also for ``tie_places`` 0: "5.0")."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"


class _Run:
    """The state of one allocation being adjusted: current delegates ``a`` and tie keys."""

    __slots__ = ("a", "groups", "key", "log", "out", "places", "rules", "tosses", "unit")

    def __init__(
        self,
        rules: RuleSet,
        tosses: TossBook,
        log: list[WorksheetStep] | None,
        out: Allocation,
        groups: list[str],
    ) -> None:
        self.rules = rules
        self.tosses = tosses
        self.log = log
        self.out = out
        self.places = places = rules.tie_places
        self.unit = 10**places
        self.groups = groups
        self.a = out.delegates
        d, n, members = out.delegates_to_elect, out.attendees, out.members
        # §5.4: each share at ``tie_places`` decimals, rounded half up, in 10**-places units.
        scale, two_n = 2 * self.unit, 2 * n
        self.key = {g: (scale * members[g] * d + n) // two_n for g in groups}


def allocate(
    rules: RuleSet,
    delegates: int,
    attendees: int,
    members: Mapping[str, int],
    tosses: TossBook,
    log: list[WorksheetStep] | None = None,
) -> Allocation:
    """Allocate ``delegates`` among the viable groups ``members`` (group -> final head count).

    Steps are appended to ``log`` when one is given; without it nothing is written.
    """
    groups = sorted(members)
    n, two_n = attendees, 2 * attendees
    rounded: dict[str, int] = {}
    a: dict[str, int] = {}
    total = 0
    for g in groups:
        # §5.1: m x D / N rounded half up, and at least one for a viable group.
        r = (2 * members[g] * delegates + n) // two_n
        rounded[g] = r
        k = r if r > 1 else 1
        a[g] = k
        total += k
    out = Allocation(members, delegates, attendees, rounded, a, None, [], [])
    if total == delegates and log is None:
        return out
    run = _Run(rules, tosses, log, out, groups)
    if log is not None:
        _log_rounding(run, total)
    while total != delegates:
        if total < delegates:
            stop = _give(run, delegates - total)
        else:
            stop = _take(run, total, delegates)
        if stop:
            break
        total = sum(a.values())
    return out


def _log_rounding(run: _Run, total: int) -> None:
    """The worksheet lines of §5.1: each share, how it rounds, and the rounded total."""
    out, log = run.out, run.log
    assert log is not None
    d, n, members = out.delegates_to_elect, out.attendees, out.members
    for g in run.groups:
        md, r = members[g] * d, out.rounded[g]
        rn = r * n
        direction: Direction = "up" if rn > md else ("down" if rn < md else "exactly")
        log.append(
            Round(
                g,
                members[g],
                d,
                n,
                ratio_str(md, n),
                _dec(run.key[g], run.places),
                direction,
                r,
                r < 1,
            )
        )
    log.append(Total(total, d))


def _give(run: _Run, short: int) -> bool:
    """§5.2: too few; the closest to the next whole number gains. True when it must stop."""
    a, out, log = run.a, run.out, run.log
    if out.must_realign:
        # Option all-realign (rules.md §10, §11 Q8): the zeroed groups realign and the
        # precinct is computed again from the new final alignment; nothing is refilled.
        _note(run, Note("realign-wait", tuple(out.must_realign), short))
        return True
    # Closest to the next whole number: largest key - a (rules.md §5.2, §5.7 step 4).
    unit, key = run.unit, run.key
    best = 0
    tied_list: list[str] = []
    for g in run.groups:  # one pass: the best remainder and every group level with it
        k = a[g]
        if k <= 0:
            continue
        v = key[g] - k * unit
        if not tied_list or v > best:
            best, tied_list = v, [g]
        elif v == best:
            tied_list.append(g)
    if not tied_list:
        _note(run, Note("all-realign"))
        return True
    tied = tuple(tied_list)
    if len(tied) > short:
        return _settle(run, tied, short, "gain", "closest", best)
    for g in tied:
        a[g] += 1
        if log is not None:
            log.append(Add(g, a[g], _dec(best, run.places), short))
    return False


def _take(run: _Run, total: int, delegates: int) -> bool:
    """§5.3: too many; the furthest from rounding up loses. True when it must stop."""
    a, rules, log = run.a, run.rules, run.log
    excess = total - delegates
    floor = 2 if rules.protect_only_delegate else 1
    # Furthest from rounding up: smallest key - (a - 1) (rules.md §5.3, §5.7 step 5.1).
    unit, key = run.unit, run.key
    worst = 0
    tied_list: list[str] = []
    active = eligible = 0
    for g in run.groups:  # one pass: counts, the worst remainder and every group level with it
        k = a[g]
        if k <= 0:
            continue
        active += 1
        if k < floor:
            continue
        eligible += 1
        v = key[g] - (k - 1) * unit
        if not tied_list or v < worst:
            worst, tied_list = v, [g]
        elif v == worst:
            tied_list.append(g)
    if not eligible:
        return _overshoot(run, [g for g in run.groups if a[g] > 0], total, delegates)
    tied = tuple(tied_list)
    if len(tied) > excess:
        return _settle(run, tied, excess, "lose", "furthest", worst)
    protected = rules.protect_only_delegate and eligible < active
    for g in tied:
        a[g] -= 1
        if log is not None:
            log.append(Remove(g, a[g], _dec(worst, run.places), excess, protected))
    return False


def _overshoot(run: _Run, active: list[str], total: int, delegates: int) -> bool:
    """§5.7 step 5: every viable group holds one delegate and there are more groups than D."""
    a, rules, log, out = run.a, run.rules, run.log, run.out
    excess = total - delegates
    if rules.overshoot is OvershootRule.AWARD_EXTRA:
        step = Extra(len(active), delegates, total)
        out.notes.append(extra_text(len(active), delegates, total))
        if log is not None:
            log.append(step)
        return True
    key = run.key
    smallest = min(key[g] for g in active)
    tied = tuple(g for g in active if key[g] == smallest)
    realign = rules.overshoot_ties is OvershootTies.ALL_REALIGN
    if not realign and len(tied) > excess:
        return _settle(run, tied, excess, "lose", "smallest", smallest)
    for g in tied:
        a[g] = 0
        if realign:
            out.must_realign.append(g)
        if log is not None:
            log.append(Zero(g, _dec(smallest, run.places), realign))
    return False


def _settle(
    run: _Run, tied: tuple[str, ...], stake: int, change: TieAction, basis: TieBasis, units: int
) -> bool:
    """§5.4: a tie larger than the delegates at stake goes to the recorded game of chance.

    Applies the recorded outcome and returns False, or, when none is recorded yet, does what is
    decided without it (each tied group loses one, for a loss), keeps the pending tie and
    returns True.
    """
    a, log, tosses = run.a, run.log, run.tosses
    value = _dec(units, run.places)
    outcome = tosses.decide(tied, stake, change, tie_reason(basis, len(tied), value, stake))
    if isinstance(outcome, PendingTie):
        if change == "lose":
            for g in tied:
                a[g] -= 1
        run.out.pending = outcome
        if log is not None:
            log.append(Tie(tied, stake, change, basis, value, tosses.method))
        return True
    index = len(tosses.records) - 1
    for g in tied:
        won = g in outcome
        if change == "gain":
            if not won:
                continue
            a[g] += 1
        elif not won:
            a[g] -= 1
        if log is not None:
            log.append(Toss(g, index, won, change, basis, a[g], tosses.method))
    return False


def _note(run: _Run, note: Note) -> None:
    run.out.notes.append(note_text(note.why, note.groups, note.count))
    if run.log is not None:
        run.log.append(note)
