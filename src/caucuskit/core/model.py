"""Value types of one precinct caucus: the raw inputs and the derived, self-explaining result.

Counts are ``int``; everything derived is an ``int`` or a ``Fraction``. A result carries its
decisions as data and builds its worksheet (typed step records, see
:mod:`caucuskit.core.steps`, and the group lines) only when it is read.
Rule: rules.md §5.7 step 6 (a log of every decision).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

from caucuskit.core.rounding import decimal_str, ratio_str, units_str
from caucuskit.core.steps import Step, WorksheetStep

if TYPE_CHECKING:
    from caucuskit.core.rules import RuleSet

TieAction = Literal["gain", "lose"]

__all__ = [
    "GroupLine",
    "PendingTie",
    "PrecinctInput",
    "PrecinctResult",
    "Step",
    "TieAction",
    "TieRecord",
    "WorksheetStep",
]


@dataclass(frozen=True, slots=True)
class PrecinctInput:
    """What the precinct chair records: the raw truth of a caucus.

    ``first`` may be missing (2016 published no raw counts); ``toss_winners`` lists, in the order
    the ties arose, the groups that won each coin toss or card draw (a winner gains the
    delegate, or keeps it).
    """

    delegates: int
    attendees: int
    final: Mapping[str, int]
    first: Mapping[str, int] | None = None
    toss_winners: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
class PrecinctResult:
    """Everything derived for one precinct: the decisions as data, the worksheet on demand.

    ``rounded`` holds each viable group's share rounded half up (§5.1). ``lines`` and ``log``
    (the typed worksheet steps) are built from ``inputs`` and ``rules`` the first time they are
    read: deciding a precinct never spends time writing its worksheet.

    Read-only by contract, but not ``frozen``: a frozen dataclass sets each of its 16 fields
    through ``object.__setattr__``, which made building a result cost more than deciding it
    (docs/adr/0006-integer-precinct-core.md).
    """

    ruleset: str
    delegates_to_elect: int
    attendees: int
    threshold: int | None
    viable_first: tuple[str, ...] | None
    viable: tuple[str, ...]
    delegates: Mapping[str, int]
    pending_tie: PendingTie | None
    ties: tuple[TieRecord, ...] = ()
    notes: tuple[str, ...] = ()
    must_realign: tuple[str, ...] = ()
    undecided: bool = False
    rounded: Mapping[str, int] = field(default_factory=dict)
    extra: Mapping[str, object] = field(default_factory=dict)
    inputs: PrecinctInput | None = field(default=None, repr=False)
    rules: RuleSet | None = field(default=None, repr=False)
    _log: tuple[WorksheetStep, ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def awarded(self) -> int:
        """Delegates awarded so far (may exceed D under Nevada's Principle 2)."""
        return sum(self.delegates.values())

    @property
    def complete(self) -> bool:
        """True when no game of chance, revote or realignment is still needed."""
        return self.pending_tie is None and not self.undecided and not self.must_realign

    @property
    def log(self) -> tuple[WorksheetStep, ...]:
        """Every decision as a typed record (rules.md §5.7 step 6), built on first use."""
        if self._log is None:
            steps: tuple[WorksheetStep, ...] = ()
            if self.inputs is not None and self.rules is not None:
                from caucuskit.core.precinct import worksheet_steps

                steps = worksheet_steps(self.rules, self.inputs)
            self._log = steps
            return steps
        return self._log

    @property
    def lines(self) -> tuple[GroupLine, ...]:
        """One row per group named in either alignment, sorted by name."""
        data = self.inputs
        if data is None:
            return ()
        first, final, viable = data.first, data.final, self.viable
        viable_first, rounded, won = self.viable_first, self.rounded, self.delegates
        d, n = self.delegates_to_elect, self.attendees
        names = set(final) | set(first or ())
        out = []
        for g in sorted(names):
            r = rounded.get(g)
            out.append(
                GroupLine(
                    name=g,
                    first=None if first is None else first.get(g, 0),
                    final=final.get(g, 0),
                    viable_first=None if viable_first is None else g in viable_first,
                    viable=g in viable,
                    raw=None if r is None else Fraction(final[g] * d, n),
                    rounded=r,
                    delegates=won.get(g, 0),
                )
            )
        return tuple(out)

    def _group_rows(self) -> list[dict[str, object]]:
        """``[line.to_dict() for line in self.lines]``, in integers (the batch hot path)."""
        data = self.inputs
        if data is None:
            return []
        first, final, viable = data.first, data.final, self.viable
        viable_first, rounded, won = self.viable_first, self.rounded, self.delegates
        d, n = self.delegates_to_elect, self.attendees
        rows: list[dict[str, object]] = []
        for g in sorted(set(final) | set(first or ())):
            r = rounded.get(g)
            raw = raw_decimal = None
            if r is not None:
                md = final[g] * d
                raw = ratio_str(md, n)
                raw_decimal = units_str((20000 * md + n) // (2 * n), 4)
            rows.append(
                {
                    "group": g,
                    "first": None if first is None else first.get(g, 0),
                    "final": final.get(g, 0),
                    "viable_first": None if viable_first is None else g in viable_first,
                    "viable": g in viable,
                    "raw": raw,
                    "raw_decimal": raw_decimal,
                    "rounded": r,
                    "delegates": won.get(g, 0),
                }
            )
        return rows

    def to_dict(self, *, worksheet: bool = True) -> dict[str, object]:
        """The JSON form used by the CLI, the API and the audit.

        ``worksheet=False`` leaves out the ``groups`` rows and the ``log`` (batch mode's
        ``--no-worksheet``); the decisions are the same.
        """
        out: dict[str, object] = {
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
        }
        if worksheet:
            out["groups"] = self._group_rows()
        out["notes"] = list(self.notes)
        if worksheet:
            out["log"] = [s.to_dict() for s in self.log]
        return out
